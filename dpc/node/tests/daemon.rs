//! The daemon's own life: its local socket (a live one refused, a stale
//! one replaced, mode 0666), addresses that cannot name a node, and a
//! shutdown that leaves nothing behind.

#![allow(clippy::unwrap_used)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;

use common::{Cluster, Worker, ip};
use dpc::proto::node::DPC_NODE_PROG;
use dpc_node::{Error, NodeDaemon};
use oncrpc::portmapper::Rpcbind;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_local_socket_is_taken_only_when_free() {
    let cluster = Cluster::start("socket", 1);
    let node = cluster.node(0);
    assert_eq!(mode(&node.socket), 0o666);
    let mut opts = common::node_options(&cluster.dir, &cluster.pmap, ip(1));
    assert!(matches!(NodeDaemon::bind(&opts), Err(Error::Socket { .. })), "a live socket");

    let stale = cluster.dir.join("stale.sock");
    drop(UnixListener::bind(&stale).unwrap());
    opts.socket = stale.clone();
    let daemon = NodeDaemon::bind(&opts).unwrap();
    assert_eq!(mode(&stale), 0o666);
    drop(daemon);

    let file = cluster.dir.join("file");
    std::fs::write(&file, b"not a socket").unwrap();
    opts.socket = file.clone();
    assert!(matches!(NodeDaemon::bind(&opts), Err(Error::Socket { .. })));
    assert_eq!(std::fs::read(&file).unwrap(), b"not a socket", "left alone");
}

#[test]
fn a_node_address_must_reach_the_node() {
    let cluster = Cluster::start("address", 1);
    let mut opts = common::node_options(&cluster.dir, &cluster.pmap, ip(1));
    opts.socket = cluster.dir.join("other.sock");
    for bad in ["0.0.0.0", "::", "224.0.0.1"] {
        opts.address = bad.parse().unwrap();
        assert!(matches!(NodeDaemon::bind(&opts), Err(Error::Address(_))), "{bad}");
    }
}

#[test]
fn shutdown_unregisters_from_the_portmapper_and_removes_the_socket() {
    let mut cluster = Cluster::start("shutdown", 1);
    let worker = Worker::start(&cluster.node(0).socket);
    let rpcbind = Rpcbind::at(std::net::SocketAddr::new(ip(1), cluster.pmap.port)).socket(None);
    let registered = || rpcbind.dump().unwrap().iter().any(|r| r.r_prog == DPC_NODE_PROG);
    assert!(registered());
    let node = cluster.nodes.pop().unwrap();
    node.handle.shutdown().unwrap();
    assert!(!registered());
    assert!(!node.socket.exists());
    // The entry stays for the recovery of the daemon's next start.
    assert!(cluster.names.table.get(worker.id).is_some());
}
