//! Runtime benchmarks, side by side in one run: our client and server
//! against the libtirpc C client and server generated from the same
//! `bench.x`, on loopback. Prints medians and ratios as Markdown tables.
//!
//! Run with `cargo run --release -p rpc-bench`; `-- --quick` runs a tenth
//! of the calls, `-- --only latency|throughput|echo|models` one section,
//! `-- --echo-size BYTES` the echo section's row of that payload size only.

#![allow(clippy::print_stdout)] // A benchmark report prints its tables.

mod c_peers;
mod echo_service;
mod models;
mod ours;

use std::time::Duration;

use c_peers::{Calls, Target};
use rpc_bench::{ROUNDS, measured_together, micros, rate};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).cloned();
    let section = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let scale = |n: u32| if quick { (n / 10).max(10) } else { n };
    let echo_size = args
        .iter()
        .position(|a| a == "--echo-size")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse::<usize>().ok());
    let dir = std::env::temp_dir().join(format!("rpc-bench-{}", std::process::id()));
    let c = c_peers::build(&dir);
    let c_server = c_peers::start_server(&c, dir.join("c.sock"));
    let inline = ours::start_server(0, dir.join("inline.sock"));
    let pooled = ours::start_server(4, dir.join("pooled.sock"));

    if section("latency") {
        latency(&c, &c_server, &inline, &pooled, scale(20_000));
    }
    if section("throughput") {
        throughput(&c, &c_server, &pooled, &scale);
    }
    if section("echo") {
        echo(&c, &c_server, &inline, &pooled, &scale, echo_size);
    }
    if section("models") {
        models::batching(&c, &c_server, &pooled, scale(10_000));
        models::local_socket(&c, &c_server, &pooled, scale(20_000));
        models::outstanding(&c, &c_server, &pooled, scale(20_000));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn latency(
    c: &c_peers::CPrograms,
    c_server: &c_peers::CServer,
    inline: &ours::OurServer,
    pooled: &ours::OurServer,
    n: u32,
) {
    println!("## Sequential null-call latency (median of {ROUNDS} runs)\n");
    println!(
        "| transport | libtirpc client -> libtirpc server | our client -> our server (inline) | our client -> our server (workers) | libtirpc client -> our server | our client -> libtirpc server | ours / libtirpc |"
    );
    println!("|---|---|---|---|---|---|---|");
    for udp in [false, true] {
        let c_port = if udp { c_server.udp } else { c_server.tcp };
        let addr = |s: &ours::OurServer| if udp { s.udp } else { s.tcp };
        let to_inline = ours::client(udp, addr(inline));
        let to_pooled = ours::client(udp, addr(pooled));
        let to_c = ours::client(udp, ([127, 0, 0, 1], c_port).into());
        let [c_c, o_o, o_p, c_o, o_c] = measured_together([
            &mut || c_peers::run_client(c, Target::inet(udp, c_port), n, Calls::Null),
            &mut || ours::run_client(&to_inline, 1, n, None),
            &mut || ours::run_client(&to_pooled, 1, n, None),
            &mut || c_peers::run_client(c, Target::inet(udp, addr(inline).port()), n, Calls::Null),
            &mut || ours::run_client(&to_c, 1, n, None),
        ]);
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.2} |",
            if udp { "UDP" } else { "TCP" },
            micros(c_c),
            micros(o_o),
            micros(o_p),
            micros(c_o),
            micros(o_c),
            o_o.as_secs_f64() / c_c.as_secs_f64()
        );
    }
}

fn throughput(
    c: &c_peers::CPrograms,
    c_server: &c_peers::CServer,
    pooled: &ours::OurServer,
    scale: &dyn Fn(u32) -> u32,
) {
    println!("\n## Null-call throughput on one TCP connection (median of {ROUNDS} runs)\n");
    let n = scale(20_000);
    let [baseline] = measured_together([&mut || {
        c_peers::run_client(c, Target::Tcp(c_server.tcp), n, Calls::Null)
    }]);
    println!("libtirpc client -> libtirpc server, sequential: {}\n", rate(baseline));
    println!(
        "| calls in flight | one thread, `Client::start` window | / libtirpc sequential | one thread per call in flight | / libtirpc sequential |"
    );
    println!("|---|---|---|---|---|");
    let client = ours::client(false, pooled.tcp);
    let ratio = |d: Duration| baseline.as_secs_f64() / d.as_secs_f64();
    for in_flight in [1u32, 8, 64] {
        let n = scale(20_000) * in_flight.min(10);
        let [window, threads] = measured_together([
            &mut || ours::run_pipelined(&client, in_flight as usize, n),
            &mut || ours::run_client(&client, in_flight, n, None),
        ]);
        println!(
            "| {in_flight} | {} | {:.1}x | {} | {:.1}x |",
            rate(window),
            ratio(window),
            rate(threads),
            ratio(threads)
        );
    }
}

fn echo(
    c: &c_peers::CPrograms,
    c_server: &c_peers::CServer,
    inline: &ours::OurServer,
    pooled: &ours::OurServer,
    scale: &dyn Fn(u32) -> u32,
    only_size: Option<usize>,
) {
    println!("\n## Echo over TCP, sequential (median of {ROUNDS} runs)\n");
    println!(
        "| payload | libtirpc -> libtirpc | ours -> ours (workers) | / libtirpc | ours -> ours (inline) | / libtirpc | libtirpc client -> our server (workers) | our client -> libtirpc server |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (label, size, count) in
        [("1 KiB", 1024, 20_000), ("64 KiB", 64 << 10, 2_000), ("1 MiB", 1 << 20, 200)]
            .into_iter()
            .filter(|&(_, size, _)| only_size.is_none_or(|s| s == size))
    {
        let n = scale(count);
        let to_pooled = ours::client(false, pooled.tcp);
        let to_inline = ours::client(false, inline.tcp);
        let to_c = ours::client(false, ([127, 0, 0, 1], c_server.tcp).into());
        let [c_c, o_p, o_i, c_o, o_c] = measured_together([
            &mut || c_peers::run_client(c, Target::Tcp(c_server.tcp), n, Calls::Echo(size)),
            &mut || ours::run_client(&to_pooled, 1, n, Some(size)),
            &mut || ours::run_client(&to_inline, 1, n, Some(size)),
            &mut || c_peers::run_client(c, Target::Tcp(pooled.tcp.port()), n, Calls::Echo(size)),
            &mut || ours::run_client(&to_c, 1, n, Some(size)),
        ]);
        let ratio = |d: Duration| d.as_secs_f64() / c_c.as_secs_f64();
        println!(
            "| {label} | {} | {} | {:.2} | {} | {:.2} | {} | {} |",
            micros(c_c),
            micros(o_p),
            ratio(o_p),
            micros(o_i),
            ratio(o_i),
            micros(c_o),
            micros(o_c)
        );
    }
}
