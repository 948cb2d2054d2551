//! The local procedures of one node: a worker registers, is signalled
//! through `kill_d`, and its entry goes when it exits; UREGIST of another
//! process's id, bad signals, unknown ids, and calls that do not come over
//! the local socket.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Cluster, Node, Worker, eventually, ip, node_options};
use dpc::proto::names::{DpcRegisterRes, DpcStatus};
use dpc::proto::node::{DpcKillArgs, DpcNodeProgDpcNodeV1Client};
use dpc::{Error, PidD};
use dpc_node::Options;

#[test]
fn a_worker_registers_is_signalled_and_its_entry_goes_when_it_exits() {
    let cluster = Cluster::start("lifecycle", 1);
    let node = cluster.node(0);
    let mut worker = Worker::start(&node.socket);
    assert_eq!(
        cluster.names.table.get(worker.id),
        Some(("127.0.0.1".to_owned(), worker.pid())),
        "the name server has the worker's node and pid"
    );

    let me = node.connect();
    me.kill_d(PidD(worker.id), 10).unwrap();
    assert_eq!(worker.line(), "signal 10");
    me.kill_d(PidD(worker.id), 0).unwrap();
    me.kill_d(PidD(worker.id), 12).unwrap();
    assert_eq!(worker.line(), "signal 12", "signal 0 delivered nothing");

    worker.kill();
    eventually("the exited worker's entry is removed", || {
        cluster.names.table.get(worker.id).is_none()
    });
    assert!(matches!(me.kill_d(PidD(worker.id), 10), Err(Error::Unknown)));
}

#[test]
fn a_worker_that_unregisters_leaves_nothing_behind() {
    let cluster = Cluster::start("uregist", 1);
    let mut worker = Worker::start(&cluster.node(0).socket);
    // SIGTERM: the worker unregisters itself, then exits.
    cluster.node(0).connect().kill_d(PidD(worker.id), 15).unwrap();
    assert_eq!(worker.line(), "signal 15");
    assert_eq!(worker.line(), format!("unregistered {}", worker.id));
    assert!(cluster.names.table.get(worker.id).is_none());
}

#[test]
fn only_the_registered_process_may_unregister_its_id() {
    let cluster = Cluster::start("uregist-other", 1);
    let mut worker = Worker::start(&cluster.node(0).socket);
    let me = cluster.node(0).connect();
    assert!(matches!(me.uregist(PidD(worker.id)), Err(Error::Permission)));
    assert!(cluster.names.table.get(worker.id).is_some(), "nothing changed");
    me.kill_d(PidD(worker.id), 10).unwrap();
    assert_eq!(worker.line(), "signal 10", "still registered here");
    assert!(matches!(me.uregist(PidD(worker.id + 1000)), Err(Error::Unknown)));
}

#[test]
fn bad_signals_and_unknown_ids_are_refused() {
    let cluster = Cluster::start("refusals", 1);
    let mut worker = Worker::start(&cluster.node(0).socket);
    let me = cluster.node(0).connect();
    // 32 and 33 are glibc's own real-time signals.
    for sig in [-1, 65, 1000, i32::MIN, 32, 33] {
        assert!(matches!(me.kill_d(PidD(worker.id), sig), Err(Error::BadSignal)), "{sig}");
    }
    assert!(matches!(me.kill_d(PidD(worker.id + 1000), 10), Err(Error::Unknown)));
    assert!(matches!(me.kill_d(PidD(-1), 10), Err(Error::Unknown)));
    // A real-time signal is delivered: its default action ends the worker.
    me.kill_d(PidD(worker.id), 34).unwrap();
    assert_eq!(worker.line_within(common::WAIT), None, "the worker ended without a word");
    eventually("the worker's entry is removed", || cluster.names.table.get(worker.id).is_none());
}

#[test]
fn local_procedures_over_tcp_are_not_local() {
    let cluster = Cluster::start("not-local", 1);
    let worker = Worker::start(&cluster.node(0).socket);
    let tcp = DpcNodeProgDpcNodeV1Client::connect_tcp(cluster.node(0).tcp_addr()).unwrap();
    let args = DpcKillArgs { target: worker.id, sig: 10 };
    assert_eq!(tcp.kill(&args).unwrap(), DpcStatus::DpcNotLocal);
    assert_eq!(tcp.regist().unwrap(), DpcRegisterRes::Default(DpcStatus::DpcNotLocal));
    assert_eq!(tcp.uregist(&worker.id).unwrap(), DpcStatus::DpcNotLocal);
    assert!(cluster.names.table.get(worker.id).is_some());
}

#[test]
fn a_user_registers_at_most_its_share() {
    let mut cluster = Cluster::start("per-user", 1);
    // Node 1's daemon again, allowing a user two registrations.
    cluster.nodes.clear();
    let opts = Options { max_per_user: 2, ..node_options(&cluster.dir, &cluster.pmap, ip(1)) };
    let node = Node::start(&opts);
    let me = node.connect();
    let first = me.regist().unwrap();
    me.regist().unwrap();
    let refused = me.regist();
    assert!(matches!(refused, Err(Error::Limit)), "{refused:?}");
    assert_eq!(Error::Limit.errno(), rustix::io::Errno::AGAIN.raw_os_error());
    // Room again once one of them is unregistered.
    me.uregist(first).unwrap();
    me.regist().unwrap();
}
