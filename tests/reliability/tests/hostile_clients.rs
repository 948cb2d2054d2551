//! Hostile clients against the example calculator server, our rpcbind and
//! the dpc name server and node daemon, each a process of its own started
//! fresh for every attack (see `reliability_tests::hostile`): the
//! CVE-2017-8779 replay (lengths claiming a gigabyte), garbage, truncated
//! and huge records, endless fragments, slow clients, idle connections
//! past the connection limit and past the open-files limit, UDP garbage
//! floods; and our rpcbind's remote calls (CALLIT, BCAST, INDIRECT) with
//! forwarding off and on, measured for amplification.
//!
//! Each attack asserts that the daemon stays up, that a well-behaved
//! client is answered within a second during and after it, and that the
//! daemon's memory stays within a few MiB; each prints a `FIGURE` line
//! (run with `--nocapture` to see them) for RELIABILITY.md.

#![allow(clippy::unwrap_used)]

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use reliability_tests::hostile::{self, Attack, Dpc, Target};

fn held(problems: &[String]) {
    assert!(problems.is_empty(), "the daemon did not hold:\n{}", problems.join("\n"));
}

#[test]
fn calculator_server_holds() {
    held(&hostile::each_attack(hostile::calculator, &Attack::ALL).1);
}

#[test]
fn our_rpcbind_holds() {
    held(&hostile::each_attack(|| hostile::our_rpcbind(&[]), &Attack::ALL).1);
}

#[test]
fn dpc_name_server_holds() {
    held(&hostile::each_attack(|| hostile::dpc(Dpc::Names), &Attack::ALL).1);
}

#[test]
fn dpc_node_daemon_holds() {
    held(&hostile::each_attack(|| hostile::dpc(Dpc::Node), &Attack::ALL).1);
}

/// The remote-call sizes against `rpcbind`, the calculator registered
/// with it; with forwarding on, also a burst of CALLITs to a service that
/// never answers. Returns the problems.
fn remote_calls(rpcbind: &Target, calculator: &Target, forwarding: bool) -> Vec<String> {
    let pmap = rpcbind.good.udp.unwrap();
    let calc = calculator.good.udp.unwrap();
    assert!(hostile::register(pmap, hostile::CALCULATOR.0, calc.port()), "SET refused");
    let exchanges = hostile::sizes(pmap, calc);
    for e in &exchanges {
        eprintln!("{}", e.figure(&rpcbind.name, forwarding));
    }
    let mut problems = hostile::violations(&exchanges, forwarding);
    if forwarding {
        // Bound and never read: forwards to it wait their full timeout.
        let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        assert!(hostile::register(pmap, hostile::SILENT_PROG, port), "SET refused");
        let figure = hostile::run_with(rpcbind, "callit_burst", false, |t| {
            let to: SocketAddr = t.good.udp.unwrap();
            hostile::callit_burst(to, 300, Duration::from_secs(1))
        });
        problems.extend(figure.problems());
    }
    problems
}

#[test]
fn our_rpcbind_remote_calls_never_amplify() {
    let calculator = hostile::calculator();
    let mut problems = Vec::new();
    for forwarding in [false, true] {
        let rpcbind = hostile::our_rpcbind(if forwarding { &["-r"] } else { &[] });
        problems.extend(remote_calls(&rpcbind, &calculator, forwarding));
    }
    held(&problems);
}
