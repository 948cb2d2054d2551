//! Pinging programs (`-t`, `-u`, `-T netid`, `-a uaddr`), with and
//! without a version, and every failure rpcinfo reports on the way:
//! our rpcinfo against the system's, against both portmappers.
#![allow(clippy::unwrap_used)]

mod common;

use common::{NullServer, compare, register, with_each_daemon};
use portmapper::Netid;
use test_support::netns;

#[test]
fn pings_match_system_rpcinfo() {
    let Some(_ns) = netns::isolate("pings_match_system_rpcinfo") else { return };
    common::veth_pair("pg", "10.80.0");
    with_each_daemon(&[], |daemon| {
        let server = NullServer::start(0x2000_0001, 2..=4);
        // Registered where nothing listens.
        register(100003, 3, Netid::Tcp, "0.0.0.0.8.1");
        register(100003, 3, Netid::Udp, "0.0.0.0.8.1");
        let tcp = format!("127.0.0.1.{}.{}", server.tcp_port >> 8, server.tcp_port & 0xff);
        let udp = format!("127.0.0.1.{}.{}", server.udp_port >> 8, server.udp_port & 0xff);
        let cases: Vec<(String, i32)> = [
            // Found and answering.
            ("-t localhost 536870913", 0),
            ("-u localhost 536870913", 0),
            ("-t 127.0.0.1 536870913 2", 0),
            ("-u localhost 536870913 4", 0),
            ("-t localhost portmapper 2", 0),
            ("-u localhost sunrpc", 0),
            ("-T tcp localhost 536870913", 0),
            ("-T udp localhost 536870913 3", 0),
            ("-T local localhost 100000", 0),
            ("-T unix localhost 100000 4", 0),
            ("localhost 536870913 -T tcp", 0),
            ("-t 10.80.0.1 536870913", 0),
            ("-u 10.80.0.2 536870913 2", 0),
            ("-T udp 10.80.0.1 536870913", 0),
            ("-n 7 -t localhost 536870913 2", 0),
            // Wrong version: the range in the error.
            ("-t localhost 536870913 9", 1),
            ("-u localhost 536870913 1", 1),
            ("-T udp localhost 536870913 5", 1),
            ("-u localhost 100000 4294967295", 1),
            ("-T udp localhost 100000 4294967295", 1),
            // Not registered, or registered where nothing listens.
            ("-t localhost 99", 1),
            ("-u localhost 99 1", 1),
            ("-T tcp localhost 99", 1),
            ("-T udp localhost 99 1", 1),
            ("-t localhost nfs", 1),
            ("-u localhost 100003 3", 1),
            ("-T tcp localhost 100003 3", 1),
            // Transports that cannot reach the host.
            ("-T tcp6 localhost 536870913", 1),
            ("-T rawip localhost 1", 1),
            ("-T bogus localhost 1", 1),
            ("-t nosuchhost.invalid 1", 1),
            ("-T tcp nosuchhost.invalid 1 1", 1),
        ]
        .into_iter()
        .map(|(a, s)| (a.to_owned(), s))
        .chain([
            // Straight at an address.
            (format!("-a {tcp} -T tcp 536870913"), 0),
            (format!("-a {udp} -T udp 536870913 3"), 0),
            (format!("-a {tcp} -T tcp 536870913 7"), 1),
            (format!("-a {tcp} -T tcp 99 1"), 1),
            (format!("-a {udp} -T udp6 536870913"), 1),
            ("-a 127.0.0.1.0.111 -T tcp 100000".to_owned(), 0),
            ("-a /run/rpcbind.sock -T local 100000".to_owned(), 0),
            ("-a 127.0.0.1.0.9 -T tcp 100000 2".to_owned(), 1),
            ("-a 127.0.0.1.0.9 -T udp 100000".to_owned(), 1),
            ("-a 127.0.0.1.0.111 -T local 100000 2".to_owned(), 1),
            ("-a bad -T udp 100000 2".to_owned(), 1),
            ("-a 127.0.0.1.0.111 -T rawip 1 1".to_owned(), 1),
            ("-a 127.0.0.1.0.111 -T bogus 1".to_owned(), 1),
        ])
        .collect();
        for (args, status) in &cases {
            let args: Vec<&str> = args.split_whitespace().collect();
            let out = compare(daemon, &args);
            assert_eq!(out.status, Some(*status), "rpcinfo {args:?}: {out:?}");
        }
    });
}
