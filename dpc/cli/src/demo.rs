//! `dpc demo`: a three-node cluster on this host's loopback addresses,
//! workers on every node, signals delivered across nodes and shown as
//! they arrive, a timing against the 2005 paper's 3 s per 100 signals,
//! then everything shut down. No root, no configuration.

use std::error::Error;
use std::io::Write;
use std::time::{Duration, Instant};

use dpc::Node;
use dpc_cli::cluster::{LocalCluster, Worker};

use crate::signals;

/// How long a worker may take to report a signal.
const DELIVERY: Duration = Duration::from_secs(5);
/// How long the name server may take to answer.
const STARTUP: Duration = Duration::from_secs(5);
/// Signals in the closing measurement, as in the paper.
const TIMED_SIGNALS: u32 = 100;
/// The paper's figure for 100 signals.
const PAPER: Duration = Duration::from_secs(3);
const SIGUSR1: i32 = 10;
const SIGUSR2: i32 = 12;
const SIGTERM: i32 = 15;

/// Runs the demo; `Err` when any step did not behave.
pub(crate) fn run() -> Result<(), Box<dyn Error>> {
    let dir = dpc_cli::cluster::private_dir("dpc-demo")?;
    let result = demo(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn demo(dir: &std::path::Path) -> Result<(), Box<dyn Error>> {
    let mut out = std::io::stdout().lock();
    let cluster = LocalCluster::start(&std::env::current_exe()?, dir, 3)?;
    let port = cluster.pmap_port();
    for node in cluster.nodes() {
        writeln!(out, "node {}: portmapper on port {port}, node daemon up", node.address)?;
    }
    writeln!(out, "name server on {}, found through its portmapper", cluster.names_address())?;

    let workers: Vec<Worker> =
        (0..cluster.nodes().len()).map(|i| cluster.spawn_worker(i)).collect::<Result<_, _>>()?;
    for w in &workers {
        writeln!(out, "node {}: worker pid {} registered as pid_d {}", w.node, w.pid(), w.id)?;
    }

    let names = dpc::locate::names(cluster.names_address(), port, STARTUP)?;
    writeln!(out, "the name server's table (dpc ps):")?;
    for entry in crate::ps::entries(&names)? {
        let node = String::from_utf8_lossy(&entry.node);
        writeln!(out, "  pid_d {} -> node {node} pid {}", entry.id, entry.pid)?;
    }

    let from = &cluster.nodes()[0];
    let sender = Node::connect(&from.socket)?;
    writeln!(out, "sending from a process on node {}:", from.address)?;
    for (w, sig) in workers.iter().rev().zip([SIGUSR1, SIGUSR2, SIGUSR1]) {
        let sent = Instant::now();
        sender.kill_d(w.id, sig)?;
        if !w.wait_signal(sig, DELIVERY) {
            return Err(format!("pid_d {} did not report {}", w.id, signals::name(sig)).into());
        }
        writeln!(
            out,
            "  kill_d({}, {}) -> node {} pid {}: delivered and reported in {} us",
            w.id,
            signals::name(sig),
            w.node,
            w.pid(),
            sent.elapsed().as_micros()
        )?;
    }

    match sender.kill_d(dpc::PidD(i64::MAX), SIGUSR1) {
        Err(dpc::Error::Unknown) => {
            writeln!(out, "  kill_d({}, SIGUSR1) -> unknown pid_d", i64::MAX)?
        }
        other => return Err(format!("an unknown pid_d gave {other:?}").into()),
    }

    let target = &workers[1];
    let started = Instant::now();
    for _ in 0..TIMED_SIGNALS {
        sender.kill_d(target.id, SIGUSR1)?;
    }
    let elapsed = started.elapsed();
    if !target.wait_signal(SIGUSR1, DELIVERY) {
        return Err("the timed signals were not reported".into());
    }

    let mut workers = workers;
    let leaving = &mut workers[2];
    sender.kill_d(leaving.id, SIGTERM)?;
    if !leaving.wait_exit(DELIVERY) {
        return Err("the worker sent SIGTERM did not exit".into());
    }
    let gone = leaving.id;
    writeln!(out, "  kill_d({gone}, SIGTERM) -> the worker unregistered and exited")?;
    match sender.kill_d(gone, SIGUSR1) {
        Err(dpc::Error::Unknown) => writeln!(out, "  pid_d {gone} no longer resolves")?,
        other => return Err(format!("an exited worker's pid_d gave {other:?}").into()),
    }

    drop(workers);
    drop(cluster);
    writeln!(out, "cluster shut down")?;
    let ms = elapsed.as_secs_f64() * 1e3;
    writeln!(
        out,
        "{TIMED_SIGNALS} signals from node 127.0.0.1 to node 127.0.0.2 in {ms:.1} ms \
         (the 2005 paper: {} ms per 100 signals; {:.0}x faster)",
        PAPER.as_millis(),
        PAPER.as_secs_f64() / elapsed.as_secs_f64().max(1e-9) * f64::from(TIMED_SIGNALS) / 100.0
    )?;
    Ok(())
}
