//! `dpc bench`: the 2005 paper's experiment - runs of 100 signals from
//! one process to a process on another node - on a local cluster (each
//! node on its own loopback address), then the throughput of many
//! senders at once.
//!
//! Every signal is a complete `kill_d`: the sender's node daemon looks
//! the id up at the name server and has the target's node daemon call
//! `kill(2)`; the call returns when that `kill(2)` has succeeded.

use std::error::Error;
use std::io::Write;
use std::time::{Duration, Instant};

use dpc::{Node, PidD};
use dpc_cli::cluster::LocalCluster;

/// The paper's figure for 100 signals.
const PAPER: Duration = Duration::from_secs(3);
/// The bound on finding the name server.
const TIMEOUT: Duration = Duration::from_secs(2);

/// The arguments of `dpc bench`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct BenchArgs {
    /// Runs of the paper's experiment.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    runs: u32,
    /// The signal sent (0 measures everything but the delivery).
    #[arg(long, default_value = "USR1", value_parser = crate::signals::parse)]
    signal: i32,
    /// Signals per run.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    signals: u32,
    /// Concurrent senders for the throughput figure (each its own
    /// connection to the node daemon).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    senders: u32,
    /// Signals per sender in the throughput figure.
    #[arg(long = "per-sender", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    per_sender: u32,
}

/// Brings up the cluster, measures, prints the figures.
pub(crate) fn run(args: &BenchArgs) -> Result<(), Box<dyn Error>> {
    let dir = dpc_cli::cluster::private_dir("dpc-bench")?;
    let result = bench(args, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn bench(args: &BenchArgs, dir: &std::path::Path) -> Result<(), Box<dyn Error>> {
    let mut out = std::io::stdout().lock();
    let cluster = LocalCluster::start(&std::env::current_exe()?, dir, 2)?;
    let target = cluster.spawn_worker(1)?;
    let socket = &cluster.nodes()[0].socket;
    let sender = Node::connect(socket)?;
    writeln!(
        out,
        "kill_d from a process on node {} to pid_d {} on node {}",
        cluster.nodes()[0].address,
        target.id,
        target.node
    )?;

    send(&sender, target.id, args.signal, args.signals)?; // warm-up: connections, caches
    let mut runs = Vec::new();
    for run in 1..=args.runs {
        let started = Instant::now();
        send(&sender, target.id, args.signal, args.signals)?;
        let took = started.elapsed();
        writeln!(out, "run {run:>2}: {} signals in {:.2} ms", args.signals, ms(took))?;
        runs.push(took);
    }
    if args.signal != 0 && !target.wait_signal(args.signal, Duration::from_secs(5)) {
        return Err("the target never reported a signal".into());
    }
    runs.sort();
    let per_signal = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(args.signals.max(1));
    let (min, median, max) = (runs[0], runs[runs.len() / 2], runs[runs.len() - 1]);
    writeln!(
        out,
        "per signal: median {:.1} us, min {:.1} us, max {:.1} us over {} runs",
        per_signal(median),
        per_signal(min),
        per_signal(max),
        runs.len()
    )?;

    let names = dpc::locate::names(cluster.names_address(), cluster.pmap_port(), TIMEOUT)?;
    let mut lookups = Vec::new();
    for _ in 0..args.runs {
        let started = Instant::now();
        for _ in 0..args.signals {
            names.lookup(&target.id.0)?;
        }
        lookups.push(started.elapsed());
    }
    lookups.sort();
    writeln!(
        out,
        "of which a LOOKUP at the name server alone: median {:.1} us",
        per_signal(lookups[lookups.len() / 2])
    )?;

    let started = Instant::now();
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..args.senders)
            .map(|_| {
                scope.spawn(|| -> Result<(), dpc::Error> {
                    send(&Node::connect(socket)?, target.id, args.signal, args.per_sender)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    let took = started.elapsed();
    for result in results {
        result.map_err(|_| "a sender panicked")??;
    }
    let total = args.senders * args.per_sender;
    writeln!(
        out,
        "throughput: {} senders, {total} signals in {:.1} ms: {:.0} signals/s",
        args.senders,
        ms(took),
        f64::from(total) / took.as_secs_f64()
    )?;
    let per_100 = median.as_secs_f64() * 100.0 / f64::from(args.signals.max(1));
    writeln!(
        out,
        "100 signals across nodes: {:.2} ms (median run); the 2005 paper: {} ms, {:.0}x faster",
        per_100 * 1e3,
        PAPER.as_millis(),
        PAPER.as_secs_f64() / per_100
    )?;
    Ok(())
}

fn send(sender: &Node, target: PidD, sig: i32, count: u32) -> Result<(), dpc::Error> {
    (0..count).try_for_each(|_| sender.kill_d(target, sig))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
