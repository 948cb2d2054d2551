//! Call models side by side with libtirpc: batched against sequential
//! calls, a Unix socket against loopback TCP, and 64 asynchronous calls
//! outstanding on one connection.

use std::time::Duration;

use rpc_bench::{ROUNDS, measured_together, micros, rate};

use crate::c_peers::{self, CPrograms, CServer, Calls, Target};
use crate::ours::{self, OurServer};

/// Batched one-way calls against sequential null calls, in calls per second.
pub(crate) fn batching(c: &CPrograms, c_server: &CServer, ours: &OurServer, n: u32) {
    println!("\n## Batched one-way calls vs sequential calls, TCP (median of {ROUNDS} runs)\n");
    println!("{n} calls per run; a batch ends with the NULL call that flushes it.\n");
    println!("| client -> server | sequential | batched | batched / sequential |");
    println!("|---|---|---|---|");
    let to_ours = ours::client(false, ours.tcp);
    let to_c = ours::client(false, ([127, 0, 0, 1], c_server.tcp).into());
    let [cc_seq, cc_batch, oo_seq, oo_batch, co_batch, oc_batch] = measured_together([
        &mut || c_peers::run_client(c, Target::Tcp(c_server.tcp), n, Calls::Null),
        &mut || c_peers::run_client(c, Target::Tcp(c_server.tcp), n, Calls::Batch),
        &mut || ours::run_client(&to_ours, 1, n, None),
        &mut || ours::run_batch(&to_ours, n),
        &mut || c_peers::run_client(c, Target::Tcp(ours.tcp.port()), n, Calls::Batch),
        &mut || ours::run_batch(&to_c, n),
    ]);
    let row = |who: &str, seq: Option<Duration>, batch: Duration| {
        let gain =
            seq.map_or("".into(), |s| format!("{:.1}x", s.as_secs_f64() / batch.as_secs_f64()));
        let seq = seq.map_or("".into(), rate);
        println!("| {who} | {seq} | {} | {gain} |", rate(batch));
    };
    row("libtirpc -> libtirpc", Some(cc_seq), cc_batch);
    row("ours -> ours (workers)", Some(oo_seq), oo_batch);
    row("libtirpc -> ours", None, co_batch);
    row("ours -> libtirpc", None, oc_batch);
    println!(
        "\nours / libtirpc, batched: {:.2} of libtirpc's time per call",
        oo_batch.as_secs_f64() / cc_batch.as_secs_f64()
    );
}

/// Sequential null-call latency over a Unix socket and loopback TCP.
pub(crate) fn local_socket(c: &CPrograms, c_server: &CServer, ours: &OurServer, n: u32) {
    println!(
        "\n## Local fast path: Unix socket vs loopback TCP, sequential null calls (median of {ROUNDS} runs)\n"
    );
    println!("| client -> server | TCP | Unix socket | Unix / TCP |");
    println!("|---|---|---|---|");
    let our_tcp = ours::client(false, ours.tcp);
    let our_unix = ours::unix_client(&ours.unix);
    let [cc_tcp, cc_unix, oo_tcp, oo_unix] = measured_together([
        &mut || c_peers::run_client(c, Target::Tcp(c_server.tcp), n, Calls::Null),
        &mut || c_peers::run_client(c, Target::Unix(&c_server.unix), n, Calls::Null),
        &mut || ours::run_client(&our_tcp, 1, n, None),
        &mut || ours::run_client(&our_unix, 1, n, None),
    ]);
    for (who, tcp, unix) in
        [("libtirpc -> libtirpc", cc_tcp, cc_unix), ("ours -> ours (workers)", oo_tcp, oo_unix)]
    {
        println!(
            "| {who} | {} | {} | {:.2} |",
            micros(tcp),
            micros(unix),
            unix.as_secs_f64() / tcp.as_secs_f64()
        );
    }
}

/// Null-call throughput with 64 asynchronous calls outstanding on one TCP
/// connection, against libtirpc's sequential calls.
pub(crate) fn outstanding(c: &CPrograms, c_server: &CServer, ours: &OurServer, n: u32) {
    println!(
        "\n## 64 asynchronous calls outstanding on one TCP connection (median of {ROUNDS} runs)\n"
    );
    println!("| client | calls/s | / libtirpc sequential |");
    println!("|---|---|---|");
    let client = ours::client(false, ours.tcp);
    let [baseline, waited, called_back] = measured_together([
        &mut || c_peers::run_client(c, Target::Tcp(c_server.tcp), n, Calls::Null),
        &mut || ours::run_pipelined(&client, 64, n * 5),
        &mut || ours::run_callbacks(&client, 64, n * 5),
    ]);
    let ratio = |d: Duration| baseline.as_secs_f64() / d.as_secs_f64();
    println!("| libtirpc, sequential | {} | 1.0x |", rate(baseline));
    println!("| ours, `start` + `wait` | {} | {:.1}x |", rate(waited), ratio(waited));
    println!("| ours, `start` + `on_reply` | {} | {:.1}x |", rate(called_back), ratio(called_back));
}
