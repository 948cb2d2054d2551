//! The hostile clients of `hostile_clients.rs` against the system rpcbind
//! (Debian's `/usr/sbin/rpcbind`) and ours side by side, each on port 111
//! in the test's own network, mount and pid namespaces (root; skipped
//! with a message otherwise, failing in CI): every attack that applies to
//! a portmapper, and the remote calls (CALLIT, BCAST, INDIRECT) with
//! forwarding off and on (`-r`).
//!
//! Only our rpcbind is held to the bounds: what the system rpcbind does
//! (grow, slow down, crash) is printed as `FIGURE` lines for the
//! RELIABILITY.md table, never a failure.

#![allow(clippy::unwrap_used)]

use std::net::UdpSocket;
use std::time::Duration;

use reliability_tests::hostile::{self, Attack};
use test_support::netns;
use test_support::portmap::{Portmapper, each_portmapper};

/// The open-files limit the daemons are started with for the
/// fd_exhaustion attack: what they open at start (about 20) and room for
/// some 60 connections.
const FD_LIMIT: u64 = 80;

#[test]
fn rpcbinds_side_by_side() {
    let Some(ns) = netns::isolate("rpcbinds_side_by_side") else { return };
    let calculator = hostile::calculator();
    let calc = calculator.good.udp.unwrap();
    // Bound and never read: forwards to it wait their full timeout.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    each_portmapper(&ns, |pm| {
        let mut problems = Vec::new();
        for attack in Attack::ALL {
            let running = if attack == Attack::FdExhaustion {
                // Started with the low limit: the system rpcbind runs as
                // its own user, whose limit cannot be lowered afterwards.
                hostile::with_open_files_limit(FD_LIMIT, || pm.start(&ns, &[]))
            } else {
                pm.start(&ns, &[])
            };
            let target = hostile::on_port_111(running);
            let figure = hostile::run(&target, attack);
            target.stop();
            problems.extend(figure.problems().into_iter().map(|p| format!("{attack:?}: {p}")));
        }
        for forwarding in [false, true] {
            let target =
                hostile::on_port_111(pm.start(&ns, if forwarding { &["-r"] } else { &[] }));
            let pmap = target.good.udp.unwrap();
            assert!(hostile::register(pmap, hostile::CALCULATOR.0, calc.port()), "SET refused");
            let exchanges = hostile::sizes(pmap, calc);
            for e in &exchanges {
                eprintln!("{}", e.figure(&target.name, forwarding));
            }
            problems.extend(hostile::violations(&exchanges, forwarding));
            if forwarding {
                assert!(hostile::register(pmap, hostile::SILENT_PROG, silent_port), "SET refused");
                let figure = hostile::run_with(&target, "callit_burst", false, |t| {
                    hostile::callit_burst(t.good.udp.unwrap(), 300, Duration::from_secs(1))
                });
                problems.extend(figure.problems());
            }
            target.stop();
        }
        if pm == Portmapper::Ours {
            assert!(problems.is_empty(), "our rpcbind did not hold:\n{}", problems.join("\n"));
        } else {
            eprintln!("the system rpcbind, not held to our bounds: {problems:#?}");
        }
    });
}
