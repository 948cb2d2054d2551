//! Runtime benchmarks, side by side in one run: our client and server
//! against the libtirpc C client and server generated from the same
//! `bench.x`, on loopback. Prints medians and ratios as Markdown tables.
//!
//! Run with `cargo run --release -p rpc-bench` (optionally `-- --quick`).

#![allow(clippy::print_stdout)] // A benchmark report prints its tables.

mod c_peers;
mod echo_service;
mod ours;

use std::time::Duration;

/// How many times each measurement is repeated; the median is reported.
const ROUNDS: usize = 5;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs `measure` ROUNDS times and returns the median time per call.
fn measured(mut measure: impl FnMut() -> Duration) -> Duration {
    median((0..ROUNDS).map(|_| measure()).collect())
}

fn micros(d: Duration) -> String {
    format!("{:.1} us", d.as_secs_f64() * 1e6)
}

fn rate(d: Duration) -> String {
    format!("{:.0} calls/s", 1.0 / d.as_secs_f64())
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = |n: u32| if quick { (n / 10).max(10) } else { n };
    let dir = std::env::temp_dir().join(format!("rpc-bench-{}", std::process::id()));
    let c = c_peers::build(&dir);
    let c_server = c_peers::start_server(&c);
    let inline = ours::start_server(0);
    let pooled = ours::start_server(4);

    println!("## Sequential null-call latency (median of {ROUNDS} runs)\n");
    println!(
        "| transport | libtirpc client -> libtirpc server | our client -> our server (inline) | our client -> our server (workers) | libtirpc client -> our server | our client -> libtirpc server | ours / libtirpc |"
    );
    println!("|---|---|---|---|---|---|---|");
    for udp in [false, true] {
        let n = scale(20_000);
        let c_port = if udp { c_server.udp } else { c_server.tcp };
        let addr = |s: &ours::OurServer| if udp { s.udp } else { s.tcp };
        let c_c = measured(|| c_peers::run_client(&c, udp, c_port, n, None));
        let client = ours::client(udp, addr(&inline));
        let o_o = measured(|| ours::run_client(&client, 1, n, None));
        let client = ours::client(udp, addr(&pooled));
        let o_p = measured(|| ours::run_client(&client, 1, n, None));
        let c_o = measured(|| c_peers::run_client(&c, udp, addr(&inline).port(), n, None));
        let client = ours::client(udp, ([127, 0, 0, 1], c_port).into());
        let o_c = measured(|| ours::run_client(&client, 1, n, None));
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

    println!("\n## Null-call throughput on one TCP connection (median of {ROUNDS} runs)\n");
    let n = scale(20_000);
    let baseline = measured(|| c_peers::run_client(&c, false, c_server.tcp, n, None));
    println!("libtirpc client -> libtirpc server, sequential: {}\n", rate(baseline));
    println!(
        "| calls in flight | one thread, `Client::start` window | / libtirpc sequential | one thread per call in flight | / libtirpc sequential |"
    );
    println!("|---|---|---|---|---|");
    let client = ours::client(false, pooled.tcp);
    let ratio = |d: Duration| baseline.as_secs_f64() / d.as_secs_f64();
    for in_flight in [1u32, 8, 64] {
        let n = scale(20_000) * in_flight.min(10);
        let window = measured(|| ours::run_pipelined(&client, in_flight as usize, n));
        let threads = measured(|| ours::run_client(&client, in_flight, n, None));
        println!(
            "| {in_flight} | {} | {:.1}x | {} | {:.1}x |",
            rate(window),
            ratio(window),
            rate(threads),
            ratio(threads)
        );
    }

    println!("\n## Echo over TCP, sequential (median of {ROUNDS} runs)\n");
    println!("| payload | libtirpc -> libtirpc | ours -> ours (workers) | ours / libtirpc |");
    println!("|---|---|---|---|");
    for (label, size, count) in
        [("1 KiB", 1024, 20_000), ("64 KiB", 64 << 10, 2_000), ("1 MiB", 1 << 20, 200)]
    {
        let n = scale(count);
        let c_c = measured(|| c_peers::run_client(&c, false, c_server.tcp, n, Some(size)));
        let client = ours::client(false, pooled.tcp);
        let o_o = measured(|| ours::run_client(&client, 1, n, Some(size)));
        println!(
            "| {label} | {} | {} | {:.2} |",
            micros(c_c),
            micros(o_o),
            o_o.as_secs_f64() / c_c.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
