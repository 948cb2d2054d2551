//! Advertising through a portmapper: a name server bound without
//! `--no-advertise` registers with an in-process rpcbind on 127.0.0.1
//! (through its local socket), clients find it with
//! `dpc::locate::names`, and the registration goes when the server stops.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use clap::Parser;
use dpc::proto::names::{DpcLocation, DpcNode, DpcRegisterRes};
use dpc_names::{NameServer, Options};

const TIMEOUT: Duration = Duration::from_secs(5);
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

#[test]
fn clients_find_the_name_server_through_the_portmapper() {
    let dir = test_support::ScratchDir::new("dpc-names-advertise");
    let socket = dir.join("rpcbind.sock");

    let args = ["rpcbind", "-f", "--listen", "127.0.0.1", "--port", "0", "--socket"];
    let state = dir.join("state");
    let rpcbind_opts = rpcbind::Options::parse_from(args.iter().map(|s| s.to_string()).chain([
        socket.display().to_string(),
        "--state-dir".to_owned(),
        state.display().to_string(),
    ]));
    let pmap = rpcbind::Daemon::bind(&rpcbind_opts).unwrap();
    let pmap_port = pmap.tcp_addr().unwrap().port();
    let pmap = pmap.spawn().unwrap();

    // Not registered yet.
    assert!(dpc::locate::names(LOOPBACK, pmap_port, TIMEOUT).is_err());

    let opts = Options {
        listen: LOOPBACK,
        port: 0,
        db: dir.join("names.redb"),
        pmap_port,
        rpcbind_socket: socket,
        no_advertise: false,
        insecure: true,
    };
    let names = NameServer::bind(&opts).unwrap();
    let port = names.tcp_addr().port();
    let names = names.spawn().unwrap();

    let c = dpc::locate::names(LOOPBACK, pmap_port, TIMEOUT).unwrap();
    c.null().unwrap();
    let node = DpcNode::try_from("127.0.0.1").unwrap();
    assert_eq!(
        c.register(&DpcLocation { node, pid: 7, started: 1 }).unwrap(),
        DpcRegisterRes::DpcOk(1)
    );
    drop(c);
    assert_ne!(port, 0);

    names.shutdown().unwrap();
    assert!(
        dpc::locate::names(LOOPBACK, pmap_port, TIMEOUT).is_err(),
        "the registration is removed when the server stops"
    );
    pmap.shutdown().unwrap();
}
