//! The calculator found through the portmapper, as users deploy it: the
//! server advertises itself (`ServerBuilder::portmapper`) with the
//! machine's portmapper, the generated `create(host, netid)` finds it over
//! TCP, UDP and the local socket, libtirpc's `rpcinfo` finds and pings it,
//! and after shutdown it is gone. Run against the system rpcbind and ours,
//! each on port 111 in the test's own namespaces.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use calculator::{Calculator, proto};
use oncrpc::portmapper::{Error, Netid, Rpcbind};
use oncrpc::svc::Server;
use proto::{CALCULATOR, CalcResult, CalculatorCalculatorV1Client};
use test_support::netns;
use test_support::portmap::each_portmapper;

fn rpcinfo(args: &[&str]) -> String {
    let out = Command::new("/usr/sbin/rpcinfo").args(args).output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn found_through_the_portmapper() {
    let Some(ns) = netns::isolate("found_through_the_portmapper") else { return };
    each_portmapper(&ns, |daemon| {
        let _running = daemon.start(&ns, &[]);
        let any = "127.0.0.1:0".parse().unwrap();
        let builder = Server::builder()
            .listen_tcp(any)
            .listen_udp(any)
            .listen_unix("/run/calculator.sock")
            .portmapper(Rpcbind::local());
        let server = proto::CalculatorCalculatorV1Server(Calculator)
            .register(builder)
            .build()
            .unwrap()
            .spawn()
            .unwrap();
        for netid in [Netid::Tcp, Netid::Udp, Netid::Local] {
            let client = CalculatorCalculatorV1Client::create("localhost", netid)
                .unwrap_or_else(|e| panic!("{netid}: {e}"));
            assert_eq!(client.add(&2, &3).unwrap(), CalcResult::CalcOk(5), "{netid}");
        }
        let prog = CALCULATOR.to_string();
        for netid in ["tcp", "udp"] {
            let ping = rpcinfo(&["-T", netid, "127.0.0.1", &prog, "1"]);
            assert_eq!(ping.trim(), format!("program {prog} version 1 ready and waiting"));
        }
        let listed = rpcinfo(&["-p"]);
        let port = server.tcp_addr().unwrap().port().to_string();
        assert!(
            listed
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == [&prog, "1", "tcp", &port]),
            "{listed}"
        );

        server.shutdown().unwrap();
        for netid in [Netid::Tcp, Netid::Udp, Netid::Local] {
            let gone = CalculatorCalculatorV1Client::create("localhost", netid).unwrap_err();
            assert!(matches!(gone, Error::NotRegistered), "{netid}: {gone:?}");
        }
        assert!(!rpcinfo(&[]).contains(&prog), "unregistered at shutdown");
    });
}
