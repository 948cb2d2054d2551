//! The dpc services under faults (issue 9, part 4), on a local cluster
//! (`dpc_cli::cluster::LocalCluster`: in-process portmappers, the name
//! server and the node daemons as `dpc` processes):
//!
//! * the name server killed with `SIGKILL` in the middle of a REGIST
//!   load and started again: every id a REGIST acknowledged still
//!   resolves through NAMES_LOOKUP to this process, and no id was handed
//!   out twice;
//! * kill_d calls while the target's node daemon is killed, then hung
//!   (`SIGSTOP`), and while the callers' own node daemon is killed: every
//!   call ends - in success, `NodeUnreachable` or an error of the local
//!   daemon - within the bound of the daemon's per-step timeout times its
//!   steps, never hangs, and calls succeed again once the daemons are
//!   back.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dpc::proto::names::DpcLookupRes;
use dpc::{Node, PidD};
use dpc_cli::cluster::LocalCluster;
use reliability_tests::load::{Load, Outcome, exclusive, freeze};
use test_support::ScratchDir;
use test_support::workspace_bin;

/// The node daemons' per-step timeout (`dpc node --timeout-ms`, whose
/// default the local cluster uses).
const STEP: Duration = Duration::from_millis(2000);
/// The steps a kill_d takes at worst, each bounded by [`STEP`]: the name
/// server, then the target's node, each found through a portmapper
/// (connect, call) then connected and called.
const STEPS: u32 = 8;
/// The bound on one kill_d: every step at its timeout, and a margin for a
/// loaded machine.
fn kill_d_bound() -> Duration {
    STEP * STEPS + Duration::from_secs(4)
}

/// Times the name server is killed.
const NAMES_KILLS: u64 = 3;
/// REGISTs acknowledged before the first kill, between two, and after the
/// last.
const ACKED_BETWEEN: u64 = 250;

/// Registrations acknowledged to one thread.
#[derive(Default)]
struct Registered {
    ids: Vec<PidD>,
    names_unreachable: u64,
}

#[test]
fn acknowledged_registrations_survive_a_name_server_kill_9() {
    let _machine = exclusive();
    let scratch = ScratchDir::new("faults-names");
    let mut cluster = LocalCluster::start(&workspace_bin("dpc"), scratch.path(), 1).unwrap();
    let socket = cluster.nodes()[0].socket.clone();
    let acknowledged = Arc::new(AtomicU64::new(0));
    let acked = acknowledged.clone();
    // At most 8 x 480 calls: below a user's share of a node (4096).
    let load = Load::start(
        "faults_names_regist",
        8,
        480,
        Duration::from_secs(120),
        move |_| {
            Node::connect(&socket).map(|n| (n, Registered::default())).map_err(|e| e.to_string())
        },
        move |(node, registered): &mut (Node, Registered), _, _| match node.regist() {
            Ok(id) => {
                registered.ids.push(id);
                acked.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(dpc::Error::NamesUnreachable) => {
                registered.names_unreachable += 1;
                std::thread::sleep(Duration::from_millis(20));
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        },
    );
    let acked_at_least = |n: u64| {
        let end = Instant::now() + Duration::from_secs(60);
        while acknowledged.load(Ordering::Relaxed) < n {
            assert!(Instant::now() < end, "REGIST load stalled below {n} acknowledged");
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    for kill in 1..=NAMES_KILLS {
        acked_at_least(kill * ACKED_BETWEEN);
        cluster.kill_names();
        std::thread::sleep(Duration::from_millis(200));
        cluster.start_names().unwrap();
    }
    acked_at_least((NAMES_KILLS + 1) * ACKED_BETWEEN);
    let mut outcome = load.stop(Duration::from_secs(60));
    assert_eq!(outcome.errors, 0, "{:?}", outcome.first_errors);
    let all: Vec<Registered> = outcome.states.iter_mut().map(|s| s.take().unwrap().1).collect();
    let ids: Vec<PidD> = all.iter().flat_map(|r| r.ids.iter().copied()).collect();
    let unreachable: u64 = all.iter().map(|r| r.names_unreachable).sum();
    outcome.print_figure(&[
        ("server", "dpc_name_server".into()),
        ("kills", NAMES_KILLS.to_string()),
        ("acknowledged", ids.len().to_string()),
        ("names_unreachable", unreachable.to_string()),
    ]);
    assert!(unreachable > 0, "no REGIST failed: the name server was never seen down");
    let distinct: BTreeSet<i64> = ids.iter().map(|id| id.0).collect();
    assert_eq!(distinct.len(), ids.len(), "an id was handed out twice");

    let names =
        dpc::locate::names(cluster.names_address(), cluster.pmap_port(), Duration::from_secs(5))
            .unwrap();
    let me = std::process::id() as i32;
    for id in &ids {
        match names.lookup(&id.0).unwrap() {
            DpcLookupRes::DpcOk(location) => {
                assert_eq!(location.pid, me, "pid_d {id}");
                assert_eq!(location.node.as_bytes(), b"127.0.0.1", "pid_d {id}");
            }
            other => panic!("acknowledged pid_d {id} lost: LOOKUP answers {other:?}"),
        }
    }
}

/// kill_d outcomes, all clients together.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    node_unreachable: AtomicU64,
    local_daemon: AtomicU64,
}

impl Tally {
    fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Waits until `done` holds, polling; fails when `limit` passes or when a
/// call of `load` has been in progress longer than the kill_d bound.
fn wait_until<S: Send + 'static>(
    what: &str,
    load: &Load<S>,
    limit: Duration,
    done: impl Fn() -> bool,
) -> Duration {
    let start = Instant::now();
    while !done() {
        let longest = load.longest_in_call();
        assert!(longest <= kill_d_bound(), "{what}: a kill_d has hung for {longest:?}");
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
    start.elapsed()
}

#[test]
fn kill_d_ends_within_its_bound_while_node_daemons_die_and_hang() {
    let _machine = exclusive();
    let scratch = ScratchDir::new("faults-node");
    let mut cluster = LocalCluster::start(&workspace_bin("dpc"), scratch.path(), 2).unwrap();
    let worker = cluster.spawn_worker(1).unwrap();
    let target = worker.id;
    let own_socket = cluster.nodes()[0].socket.clone();
    let tally = Arc::new(Tally::default());
    let counts = tally.clone();
    let load = Load::start(
        "faults_node_kill_d",
        16,
        100_000,
        Duration::from_secs(150),
        |_| Ok(None),
        move |node: &mut Option<Node>, _, _| {
            let result = match node {
                Some(node) => node.kill_d(target, 0),
                None => Node::connect(&own_socket).and_then(|n| node.insert(n).kill_d(target, 0)),
            };
            match result {
                Ok(()) => counts.ok.fetch_add(1, Ordering::Relaxed),
                Err(dpc::Error::NodeUnreachable) => {
                    counts.node_unreachable.fetch_add(1, Ordering::Relaxed)
                }
                Err(dpc::Error::Daemon { .. }) => {
                    // This node's daemon is gone: connect again next time.
                    *node = None;
                    std::thread::sleep(Duration::from_millis(5));
                    counts.local_daemon.fetch_add(1, Ordering::Relaxed)
                }
                Err(e) => return Err(e.to_string()),
            };
            Ok(())
        },
    );
    let t = &tally;
    let ok_after = |n: u64| {
        let from = Tally::get(&t.ok);
        move || Tally::get(&t.ok) >= from + n
    };
    let limit = Duration::from_secs(60);
    wait_until("first kill_d calls", &load, limit, ok_after(200));

    // The target's node daemon killed: NodeUnreachable, then success once
    // it is back (it takes its process back from the name server).
    let from = Tally::get(&t.node_unreachable);
    cluster.kill_node(1);
    let dead = wait_until("NodeUnreachable from a dead node", &load, limit, || {
        Tally::get(&t.node_unreachable) >= from + 32
    });
    cluster.start_node(1).unwrap();
    wait_until("kill_d after the node's restart", &load, limit, ok_after(200));

    // The target's node daemon hung: its sockets accept, nothing answers.
    let pid = cluster.nodes()[1].daemon_pid().expect("the node daemon's pid");
    let from = Tally::get(&t.node_unreachable);
    freeze(pid, true);
    let hung = wait_until("NodeUnreachable from a hung node", &load, limit, || {
        Tally::get(&t.node_unreachable) >= from + 32
    });
    freeze(pid, false);
    wait_until("kill_d after the node woke", &load, limit, ok_after(200));

    // The callers' own node daemon killed: an error of the local daemon at
    // once, then success on a new connection once it is back.
    let from = Tally::get(&t.local_daemon);
    cluster.kill_node(0);
    wait_until("errors from a dead local daemon", &load, limit, || {
        Tally::get(&t.local_daemon) >= from + 16
    });
    cluster.start_node(0).unwrap();
    wait_until("kill_d after the local daemon's restart", &load, limit, ok_after(200));

    let mut outcome: Outcome<Option<Node>> = load.stop(kill_d_bound() * 2);
    let max = Duration::from_micros(outcome.latencies.percentiles().max.into());
    outcome.print_figure(&[
        ("server", "dpc_node".into()),
        ("ok", Tally::get(&t.ok).to_string()),
        ("node_unreachable", Tally::get(&t.node_unreachable).to_string()),
        ("local_daemon_errors", Tally::get(&t.local_daemon).to_string()),
        ("bound_ms", kill_d_bound().as_millis().to_string()),
        ("dead_node_secs", format!("{:.2}", dead.as_secs_f64())),
        ("hung_node_secs", format!("{:.2}", hung.as_secs_f64())),
    ]);
    assert_eq!(outcome.errors, 0, "unexpected kill_d outcomes: {:?}", outcome.first_errors);
    assert!(max <= kill_d_bound(), "a kill_d took {max:?}, above {:?}", kill_d_bound());
    drop(worker);
}
