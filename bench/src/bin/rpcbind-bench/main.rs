//! The portmapper benchmark: GETPORT and GETADDR calls per second against
//! our `rpcbind` and the system's, side by side in one run, and the memory
//! each daemon holds after a million lookups of unregistered programs.
//!
//! The system rpcbind only listens on port 111, so the benchmark runs in
//! network, mount and pid namespaces of its own (it re-runs itself under
//! `unshare`, which needs root): the system rpcbind on port 111 and
//! `/run/rpcbind.sock`, ours on port 1111 and `/run/ours/rpcbind.sock`.
//! Build ours first: `cargo build --release -p rpcbind -p rpc-bench`, then
//! `sudo target/release/rpcbind-bench [--quick]`.

#![allow(clippy::print_stdout)] // A benchmark report prints its tables.

mod daemons;
mod load;

use rpc_bench::{ROUNDS, measured_together, micros, rate};

use daemons::{Daemon, Kind};

/// Set in the environment of the copy running inside the namespaces.
const INSIDE: &str = "RPCBIND_BENCH_INSIDE";

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    if std::env::var_os(INSIDE).is_none() {
        std::process::exit(daemons::rerun_in_namespaces(INSIDE));
    }
    daemons::prepare_namespace();
    let theirs = Daemon::start(Kind::System);
    let ours = Daemon::start(Kind::Ours);
    for daemon in [&theirs, &ours] {
        load::register_target(daemon);
    }
    let scale = |n: u32| if quick { n / 10 } else { n };

    println!("## Portmapper lookups (median of {ROUNDS} runs, our client)\n");
    println!("| lookup | system rpcbind | ours | ours / rpcbind (throughput) |");
    println!("|---|---|---|---|");
    let rows: [(&str, load::Lookup, u32); 4] = [
        ("portmap v2 GETPORT, UDP, sequential", load::Lookup::GetportUdp, 20_000),
        ("rpcbind v4 GETADDR, TCP, sequential", load::Lookup::GetaddrTcp, 20_000),
        ("rpcbind v4 GETADDR, local socket, sequential", load::Lookup::GetaddrLocal, 20_000),
        ("rpcbind v4 GETADDR, TCP, 4 clients", load::Lookup::GetaddrTcpParallel(4), 40_000),
    ];
    for (label, lookup, n) in rows {
        let n = scale(n);
        let [t, o] = measured_together([&mut || load::run(&theirs, lookup, n), &mut || {
            load::run(&ours, lookup, n)
        }]);
        println!(
            "| {label} | {} ({}) | {} ({}) | {:.2}x |",
            rate(t),
            micros(t),
            rate(o),
            micros(o),
            t.as_secs_f64() / o.as_secs_f64()
        );
    }

    // The system rpcbind scans its statistics list, which grows by one
    // entry per unregistered program, on every lookup: a million would
    // take it the better part of an hour, so it gets a tenth.
    let lookups = scale(1_000_000);
    println!("\n## Memory after GETADDR lookups of distinct unregistered programs\n");
    println!("| daemon | lookups | RSS before | RSS after | growth | time |");
    println!("|---|---|---|---|---|---|");
    for (daemon, n) in [(&theirs, lookups / 10), (&ours, lookups)] {
        let before = daemon.rss_kib();
        let took = load::unregistered_lookups(daemon, n);
        let after = daemon.rss_kib();
        println!(
            "| {} | {n} | {before} KiB | {after} KiB | {} KiB | {:.1} s |",
            daemon.name(),
            after.saturating_sub(before),
            took.as_secs_f64()
        );
    }
}
