//! libtirpc programs find each other through the portmapper, with the
//! system rpcbind and with ours: a C server registers `pmtest.x`'s program
//! through `svc_create` (rpcbind v3 SET on the local socket, every visible
//! transport) or through `pmap_set` (sockets from `svctcp_create` and
//! `svcudp_create`); a C client (`clnt_create` over "tcp" and "udp", on
//! this host and from another host on a veth pair, which gets the wildcard
//! address merged with the one it asked) and our `portmapper::connect`
//! find it and call it. Once the server has
//! unregistered (`svc_unreg`, `pmap_unset`) - or was killed and its entry
//! deleted with `rpcinfo -d` - lookups fail with "Program not registered".

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{CPeers, PROG, PROG_ARG, TWICE, entries_of, here, rpcinfo, rpcinfo_ok, started};
use portmapper::{Error, Netid};
use test_support::netns::{self, Host};
use test_support::portmap::each_portmapper;

/// This host's address on the veth pair, as the other host sees it.
const HERE: &str = "10.9.0.1";

/// What the server is told to do before it goes.
#[derive(Debug, Clone, Copy)]
enum Exit {
    /// SIGTERM: it unregisters itself.
    Unregisters,
    /// SIGKILL: its entries stay until `rpcinfo -d` deletes them.
    Killed,
}

#[test]
fn c_servers_found_by_c_and_rust_clients() {
    let Some(proof) = netns::isolate("c_servers_found_by_c_and_rust_clients") else { return };
    let peers = CPeers::build("libtirpc_peers");
    let host = Host::create(&proof, "peer", HERE, "10.9.0.2");
    let remote = |program: &Path| host.command(program);
    each_portmapper(&proof, |pm| {
        let _daemon = pm.start(&proof, &[]);
        // svc_create on "netpath": udp, tcp, udp6 and tcp6.
        let everywhere = [Netid::Udp, Netid::Tcp, Netid::Udp6, Netid::Tcp6];
        serve(&peers, &remote, &["svc_create"], &everywhere, Exit::Unregisters);
        serve(&peers, &remote, &["pmap"], &[Netid::Tcp, Netid::Udp], Exit::Unregisters);
        serve(&peers, &remote, &["pmap"], &[Netid::Tcp, Netid::Udp], Exit::Killed);
    });
}

/// Starts the C server with `args`, checks it is registered on exactly
/// `netids` and reachable by both clients over each, ends it as `exit`
/// says, and checks that every lookup then fails.
fn serve(
    peers: &CPeers,
    remote: &dyn Fn(&Path) -> Command,
    args: &[&str],
    netids: &[Netid],
    exit: Exit,
) {
    let mut command = Command::new(&peers.server);
    command.args(args);
    let mut server = started(command);
    let context = format!("server {args:?}");
    let mut registered = registered_netids();
    registered.sort();
    let mut expected: Vec<String> = netids.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(registered, expected, "{context}: the transports registered");

    for (wrap, host) in [(&here as &dyn Fn(&Path) -> Command, "127.0.0.1"), (remote, HERE)] {
        for nettype in ["tcp", "udp"] {
            let out = peers.client(wrap, host, nettype);
            assert_eq!(
                (out.code, out.stdout.trim()),
                (Some(0), "42"),
                "{context}: C client of {host} over {nettype}:\n{out}"
            );
        }
    }
    for &netid in netids {
        let host = if netid.is_ipv6() { "::1" } else { "127.0.0.1" };
        let client = portmapper::connect(host, PROG, 1, netid)
            .unwrap_or_else(|e| panic!("{context}: portmapper::connect over {netid}: {e}"));
        let twice: i32 = client
            .call(TWICE, &21i32)
            .unwrap_or_else(|e| panic!("{context}: calling the server over {netid}: {e}"));
        assert_eq!(twice, 42, "{context}: over {netid}");
    }

    match exit {
        Exit::Unregisters => {
            let pid = server.id().to_string();
            assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
            assert_eq!(server.read_line(), "unregistered", "{context}: on SIGTERM");
        }
        Exit::Killed => {
            drop(server);
            assert_eq!(
                registered_netids().len(),
                netids.len(),
                "{context}: a killed server's entries stay"
            );
            rpcinfo_ok(&["-d", PROG_ARG, "1"]);
        }
    }

    assert_eq!(registered_netids(), Vec::<String>::new(), "{context}: entries left after {exit:?}");
    for (wrap, host) in [(&here as &dyn Fn(&Path) -> Command, "127.0.0.1"), (remote, HERE)] {
        for nettype in ["tcp", "udp"] {
            let out = peers.client(wrap, host, nettype);
            assert_eq!(
                (out.code, out.stderr.trim()),
                (Some(1), format!("{host}: RPC: Program not registered").as_str()),
                "{context}: C client of {host} over {nettype} after {exit:?}:\n{out}"
            );
        }
    }
    for &netid in netids {
        let host = if netid.is_ipv6() { "::1" } else { "127.0.0.1" };
        match portmapper::connect(host, PROG, 1, netid) {
            Err(Error::NotRegistered) => {}
            other => {
                panic!("{context}: portmapper::connect over {netid} after {exit:?}: {other:?}")
            }
        }
    }
    let out = rpcinfo(&["-t", "127.0.0.1", PROG_ARG]);
    assert_eq!(
        (out.code, out.stderr.trim()),
        (Some(1), "127.0.0.1: RPC: Program not registered"),
        "{context}: rpcinfo -t after {exit:?}:\n{out}"
    );
}

/// The netids `PROG` version 1 is registered on.
fn registered_netids() -> Vec<String> {
    entries_of(PROG_ARG, "1").into_iter().map(|e| e.netid).collect()
}
