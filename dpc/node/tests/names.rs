//! The daemon and the name server: calls while it is down, exits it is
//! told about once it is back, and the startup recovery of this node's
//! entries.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Cluster, FakeNames, Node, Portmappers, TIMEOUT_MS, Worker, eventually, ip};
use dpc::{Error, PidD};

#[test]
fn calls_that_need_the_name_server_fail_in_time_while_it_is_down() {
    let mut cluster = Cluster::start("names-down", 1);
    let mut worker = Worker::start(&cluster.node(0).socket);
    let me = cluster.node(0).connect();
    cluster.names.stop();

    let start = Instant::now();
    assert!(matches!(me.regist(), Err(Error::NamesUnreachable)));
    assert!(matches!(me.kill_d(PidD(worker.id), 10), Err(Error::NamesUnreachable)));
    assert!(start.elapsed() < Duration::from_millis(TIMEOUT_MS * 8), "{:?}", start.elapsed());
    assert_eq!(worker.line_within(Duration::from_millis(200)), None);

    cluster.names.resume();
    me.kill_d(PidD(worker.id), 10).unwrap();
    assert_eq!(worker.line(), "signal 10");
}

#[test]
fn an_exit_while_the_name_server_is_down_is_unregistered_once_it_is_back() {
    let mut cluster = Cluster::start("exit-retry", 1);
    let mut worker = Worker::start(&cluster.node(0).socket);
    cluster.names.stop();
    worker.kill();
    // Tried and failed at least once meanwhile.
    std::thread::sleep(Duration::from_millis(300));
    assert!(cluster.names.table.get(worker.id).is_some());
    cluster.names.resume();
    eventually("the entry goes once the name server is back", || {
        cluster.names.table.get(worker.id).is_none()
    });
}

/// A process that has exited and been reaped: its pid is free.
fn dead_pid() -> i32 {
    let mut child = Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    i32::try_from(child.id()).unwrap()
}

/// Starts a daemon for 127.0.0.1 after the table has entries of this
/// node: a worker's, registered through a daemon that has since stopped;
/// dead processes'; one naming the test process with a wrong start time
/// (a pid reused since registration); and one of another node. With
/// `names_down`, the name server is down when the daemon starts and comes
/// back after.
fn recovery(name: &str, names_down: bool) {
    let dir = common::scratch(name);
    let pmap = Portmappers::start(&dir, 1);
    let mut names = FakeNames::start(&dir, &pmap);
    let opts = common::node_options(&dir, &pmap, ip(1));
    let mut worker = {
        let first = Node::start(&opts);
        let worker = Worker::start(&first.socket);
        first.handle.shutdown().unwrap();
        worker
    };
    let table = &names.table;
    let started = table.started(worker.id).unwrap();
    // Enough entries for several pages of the fake's LIST.
    let mut dead: Vec<PidD> =
        (0..3).map(|_| PidD(table.insert("127.0.0.1", dead_pid(), started))).collect();
    // Pids no process has.
    dead.extend([0, -1, i32::MIN].map(|pid| PidD(table.insert("127.0.0.1", pid, started))));
    // A live pid, but not the process registered: the test's own.
    let me = std::process::id() as i32;
    let reused = PidD(table.insert("127.0.0.1", me, u64::MAX));
    dead.push(reused);
    let other = table.insert("127.0.0.2", worker.pid(), started);
    if names_down {
        names.stop();
    }
    let node = Node::start(&opts);
    if names_down {
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(names.table.len(), 9, "nothing changed while it was down");
        names.resume();
    }
    eventually("the dead processes' entries are removed", || {
        dead.iter().all(|id| names.table.get(id.0).is_none())
    });
    assert!(names.table.get(other).is_some(), "another node's entry is left alone");
    assert!(names.table.get(worker.id).is_some(), "a live process keeps its entry");
    // The reused pid was not taken for the registered process.
    assert!(matches!(node.connect().kill_d(reused, 0), Err(Error::Unknown)));
    // The worker was taken back: it can be signalled and is watched.
    node.connect().kill_d(PidD(worker.id), 10).unwrap();
    assert_eq!(worker.line(), "signal 10");
    worker.kill();
    eventually("the live process's entry goes when it exits", || {
        names.table.get(worker.id).is_none()
    });
    assert!(names.table.get(other).is_some());
}

#[test]
fn at_start_this_nodes_entries_are_taken_back() {
    recovery("recovery", false);
}

#[test]
fn recovery_waits_for_the_name_server() {
    recovery("recovery-later", true);
}
