//! Signals across nodes: KILL at one node's daemon, SIGNAL at the
//! target's; the trust rule and `kill(2)`'s rule on SIGNAL; targets whose
//! node cannot be reached.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Cluster, TIMEOUT_MS, Worker, eventually, ip, is_root};
use dpc::proto::names::DpcStatus;
use dpc::proto::node::{DPC_NODE_PROG, DPC_NODE_V1, DpcNodeProgDpcNodeV1Client, DpcSignalArgs};
use dpc::{Error, PidD};
use oncrpc::clnt::{Auth, ClientBuilder};

/// A SIGNAL client of `node`'s daemon with `auth`, from a reserved port
/// when `reserved`.
fn signal_client(node: &common::Node, auth: Auth, reserved: bool) -> DpcNodeProgDpcNodeV1Client {
    let builder = ClientBuilder::new(DPC_NODE_PROG, DPC_NODE_V1).auth(auth).reserved_port(reserved);
    DpcNodeProgDpcNodeV1Client::new(builder.tcp(node.tcp_addr()).unwrap())
}

fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

#[test]
fn kill_d_reaches_a_worker_on_another_node() {
    let cluster = Cluster::start("across", 2);
    let mut worker = Worker::start(&cluster.node(1).socket);
    assert_eq!(cluster.names.table.get(worker.id), Some(("127.0.0.2".to_owned(), worker.pid())));
    let me = cluster.node(0).connect();
    me.kill_d(PidD(worker.id), 12).unwrap();
    assert_eq!(worker.line(), "signal 12");
    me.kill_d(PidD(worker.id), 0).unwrap();
    // Again, over the kept connection.
    me.kill_d(PidD(worker.id), 10).unwrap();
    assert_eq!(worker.line(), "signal 10");
    worker.kill();
    eventually("the entry goes", || cluster.names.table.get(worker.id).is_none());
    assert!(matches!(me.kill_d(PidD(worker.id), 10), Err(Error::Unknown)));
}

/// Runs `dpc kill -s SIG ID` as `nobody` at the daemon behind `socket`;
/// its stderr if it failed.
fn kill_as_nobody(socket: &std::path::Path, sig: &str, id: i64) -> Result<(), String> {
    let dpc = test_support::shared_copy(&test_support::workspace_bin("dpc"));
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(dpc)
        .args(["kill", "-s", sig, &id.to_string()])
        .env("DPC_SOCKET", socket)
        .output()
        .unwrap();
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
}

#[test]
fn the_senders_uid_travels_to_the_other_node() {
    if !is_root() {
        eprintln!("skipped: needs root to run processes as another user");
        return;
    }
    let cluster = Cluster::start("uid-travels", 2);
    let (a, b) = (cluster.node(0), cluster.node(1));
    let mut roots = Worker::start(&b.socket);
    let dpc = test_support::shared_copy(&test_support::workspace_bin("dpc"));
    let mut as_nobody = Command::new("setpriv");
    as_nobody.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(dpc);
    let mut nobodys = Worker::start_with(as_nobody, &b.socket);

    // nobody may signal nobody's worker on the other node, not root's.
    kill_as_nobody(&a.socket, "USR1", nobodys.id).unwrap();
    assert_eq!(nobodys.line(), "signal 10");
    let refused = kill_as_nobody(&a.socket, "USR1", roots.id).unwrap_err();
    assert!(refused.contains("permission denied"), "{refused}");
    assert_eq!(roots.line_within(Duration::from_millis(300)), None);
    // Root may signal both.
    let me = a.connect();
    me.kill_d(PidD(nobodys.id), 12).unwrap();
    assert_eq!(nobodys.line(), "signal 12");
    me.kill_d(PidD(roots.id), 12).unwrap();
    assert_eq!(roots.line(), "signal 12");
}

#[test]
fn signal_believes_claims_only_under_the_trust_rule_and_kills_rule() {
    let cluster = Cluster::start("signal-rules", 1);
    let node = cluster.node(0);
    let mut worker = Worker::start(&node.socket);
    let root = is_root();
    let started = cluster.names.table.started(worker.id).unwrap();
    let args = DpcSignalArgs { target: worker.id, pid: worker.pid(), started, sig: 10 };

    // Another uid than the worker's (the test's own): kill(2) says no.
    let nobody = signal_client(node, Auth::sys("test", 65534, 65534, &[]).unwrap(), root);
    assert_eq!(nobody.signal(&args).unwrap(), DpcStatus::DpcPermission);
    // No credentials at all.
    let anonymous = signal_client(node, Auth::None, root);
    assert_eq!(anonymous.signal(&args).unwrap(), DpcStatus::DpcPermission);
    // The right uid, but not the registered pid or start time, or not a
    // registered id.
    let owner = signal_client(node, Auth::sys("test", my_uid(), 0, &[]).unwrap(), root);
    let wrong_pid = DpcSignalArgs { pid: std::process::id() as i32, ..args };
    assert_eq!(owner.signal(&wrong_pid).unwrap(), DpcStatus::DpcUnknown);
    for pid in [-1, 0, i32::MIN] {
        assert_eq!(owner.signal(&DpcSignalArgs { pid, ..args }).unwrap(), DpcStatus::DpcUnknown);
    }
    for started in [0, started - 1, started + 1, u64::MAX] {
        // The registered pid, but another process (a reused pid).
        let reused = DpcSignalArgs { started, ..args };
        assert_eq!(owner.signal(&reused).unwrap(), DpcStatus::DpcUnknown, "started {started}");
    }
    let unknown = DpcSignalArgs { target: worker.id + 1000, ..args };
    assert_eq!(owner.signal(&unknown).unwrap(), DpcStatus::DpcUnknown);
    assert_eq!(owner.signal(&DpcSignalArgs { sig: 65, ..args }).unwrap(), DpcStatus::DpcBadSignal);
    assert_eq!(worker.line_within(Duration::from_millis(200)), None, "nothing delivered");
    // The owner's claim, from a reserved port when the daemon is root.
    assert_eq!(owner.signal(&args).unwrap(), DpcStatus::DpcOk);
    assert_eq!(worker.line(), "signal 10");

    if root {
        // Root's claim from an unprivileged port is not believed.
        let claim = signal_client(node, Auth::sys("test", 0, 0, &[]).unwrap(), false);
        assert_eq!(claim.signal(&args).unwrap(), DpcStatus::DpcPermission);
        assert_eq!(worker.line_within(Duration::from_millis(200)), None);
    }
}

#[test]
fn insecure_daemons_believe_any_port() {
    let dir = common::scratch("insecure");
    let pmap = common::Portmappers::start(&dir, 1);
    let names = common::FakeNames::start(&dir, &pmap);
    let mut opts = common::node_options(&dir, &pmap, ip(1));
    opts.insecure = true;
    let node = common::Node::start(&opts);
    let mut worker = Worker::start(&node.socket);
    let started = names.table.started(worker.id).unwrap();
    let args = DpcSignalArgs { target: worker.id, pid: worker.pid(), started, sig: 10 };
    let claim = signal_client(&node, Auth::sys("test", my_uid(), 0, &[]).unwrap(), false);
    assert_eq!(claim.signal(&args).unwrap(), DpcStatus::DpcOk);
    assert_eq!(worker.line(), "signal 10");
    drop((node, names));
}

/// Asserts that `kill_d(id)` fails with NodeUnreachable within a bound of
/// the daemon's timeout.
fn assert_unreachable(me: &dpc::Node, id: i64) {
    let start = Instant::now();
    let result = me.kill_d(PidD(id), 10);
    let took = start.elapsed();
    assert!(matches!(result, Err(Error::NodeUnreachable)), "{id}: {result:?}");
    // Finding the daemon (portmapper connect and call) and calling it,
    // each bounded by the timeout, at most once more on a new connection.
    let bound = Duration::from_millis(TIMEOUT_MS * 4 + 500);
    assert!(took < bound, "{took:?}");
}

#[test]
fn targets_on_unreachable_nodes() {
    let mut cluster = Cluster::start("unreachable", 3);
    let me = cluster.node(0).connect();
    let table = &cluster.names.table;
    // No portmapper there at all.
    assert_unreachable(&me, table.insert("127.0.0.9", 1, 1));
    // A portmapper that does not know the program (no daemon on node 3).
    let daemonless = cluster.nodes.pop().unwrap();
    drop(daemonless);
    assert_unreachable(&me, table.insert("127.0.0.3", 1, 1));
    // Not an address.
    assert_unreachable(&me, table.insert("node-7", 1, 1));
    // A daemon that stopped after its worker registered.
    let worker = Worker::start(&cluster.node(1).socket);
    me.kill_d(PidD(worker.id), 0).unwrap();
    let stopped = cluster.nodes.pop().unwrap();
    stopped.handle.shutdown().unwrap();
    assert_unreachable(&me, worker.id);
}

#[test]
fn a_portmapper_that_never_answers_is_unreachable_within_the_timeout() {
    let cluster = Cluster::start("silent", 1);
    // Accepts connections (the kernel does) and never answers.
    let silent = TcpListener::bind((ip(4), cluster.pmap.port));
    let Ok(_silent) = silent else {
        eprintln!("skipped: port {} taken on 127.0.0.4", cluster.pmap.port);
        return;
    };
    let me = cluster.node(0).connect();
    assert_unreachable(&me, cluster.names.table.insert("127.0.0.4", 1, 1));
}
