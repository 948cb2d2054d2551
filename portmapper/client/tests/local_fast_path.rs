//! The local fast path: a TCP client of a program on this host that also
//! registered a Unix socket (netid `local`) with the host's portmapper
//! reaches it over that socket; a program on TCP alone, a stale socket
//! registration, a portmapper without a local socket and the exact-netid
//! opt-out all go over TCP. The server says how each call came.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::process::Command;

use clnt::{Client, ClientBuilder};
use common::{Portmapper, TRANSPORT, serve};
use portmapper::{Netid, Rpcbind};
use svc::Server;
use test_support::netns;
use xdr::ByteString;

/// A program served on TCP and a Unix socket, and one on TCP alone.
const BOTH: u32 = 0x2000_0a01;
const TCP_ONLY: u32 = 0x2000_0a02;

/// How the server saw the call come.
fn transport(client: &Client) -> String {
    let name: ByteString = client.call(TRANSPORT, &()).unwrap();
    String::from_utf8(name.into_inner()).unwrap()
}

#[test]
fn a_portmapper_on_this_host_hands_out_the_unix_socket() {
    let pm = Portmapper::private("fast-path", &[]);
    let rpcbind = pm.rpcbind();
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let both = Server::builder()
        .listen_tcp(any)
        .listen_unix(pm.dir.join("both.sock"))
        .portmapper(rpcbind.clone());
    let _both = serve(BOTH, both);
    let _tcp = serve(TCP_ONLY, Server::builder().listen_tcp(any).portmapper(rpcbind.clone()));
    let connect = |prog, exact: bool| {
        let builder = ClientBuilder::new(prog, 1);
        if exact {
            rpcbind.connect_exact(builder, Netid::Tcp)
        } else {
            rpcbind.connect(builder, Netid::Tcp)
        }
    };

    assert_eq!(transport(&connect(BOTH, false).unwrap()), "unix");
    assert_eq!(transport(&connect(BOTH, true).unwrap()), "tcp", "the opt-out");
    assert_eq!(transport(&connect(TCP_ONLY, false).unwrap()), "tcp");
    // Asked without its local socket, the portmapper cannot hand it out.
    let tcp_only = Rpcbind::at(pm.tcp).socket(None);
    let client = tcp_only.connect(ClientBuilder::new(BOTH, 1), Netid::Tcp).unwrap();
    assert_eq!(transport(&client), "tcp");
    // Nothing listens where this registration says: TCP after all.
    let stale = pm.dir.join("gone.sock").display().to_string();
    assert!(rpcbind.set(TCP_ONLY, 1, Netid::Local, &stale).unwrap());
    assert_eq!(transport(&connect(TCP_ONLY, false).unwrap()), "tcp");
}

#[test]
fn connect_reaches_programs_of_this_host_over_their_unix_socket() {
    let Some(_ns) = netns::isolate("connect_reaches_programs_of_this_host_over_their_unix_socket")
    else {
        return;
    };
    // An address of an interface of this host, besides loopback.
    for command in [
        "link add fast0 type veth peer name fast1",
        "addr add 10.82.0.1/24 dev fast0",
        "link set fast0 up",
        "link set fast1 up",
    ] {
        let status = Command::new("ip").args(command.split(' ')).status().unwrap();
        assert!(status.success(), "ip {command}");
    }
    let _pm = Portmapper::standard(&[]);
    let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let both = Server::builder()
        .listen_tcp(any)
        .listen_unix("/run/both.sock")
        .portmapper(Rpcbind::local());
    let _both = serve(BOTH, both);
    let _tcp = serve(TCP_ONLY, Server::builder().listen_tcp(any).portmapper(Rpcbind::local()));

    for host in ["127.0.0.1", "localhost", "10.82.0.1"] {
        let client = portmapper::connect(host, BOTH, 1, Netid::Tcp).unwrap();
        assert_eq!(transport(&client), "unix", "{host}");
        let client = portmapper::connect_exact(host, BOTH, 1, Netid::Tcp).unwrap();
        assert_eq!(transport(&client), "tcp", "{host}, exactly TCP");
        let client = portmapper::connect(host, TCP_ONLY, 1, Netid::Tcp).unwrap();
        assert_eq!(transport(&client), "tcp", "{host}, a program on TCP alone");
    }
}
