//! Our `rpcinfo` prints exactly what the system `rpcinfo` prints - stdout,
//! stderr and exit status, byte for byte - for a compact matrix of flags,
//! against the system rpcbind and against ours, with the sample
//! registrations of `common::register_sample`. (The rpcinfo crate's own
//! tests go through every flag; this is the cross-check from outside.)
//!
//! `-m` reports the daemon's call counters, which every rpcinfo run
//! changes; so each rpcinfo asks a freshly started daemon that has seen
//! the same calls, and the outputs must again be identical.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use common::{CPeers, Outcome, PROG_ARG, our_rpcinfo, register_sample, rpcinfo};
use test_support::netns;
use test_support::portmap::each_portmapper;

/// Commands that change nothing the next one sees (`-m` aside).
const MATRIX: &[&[&str]] = &[
    &[],
    &["127.0.0.1"],
    &["-p"],
    &["-p", "127.0.0.1"],
    &["-s"],
    &["-T", "tcp", "127.0.0.1", PROG_ARG],
    &["-T", "udp", "127.0.0.1", PROG_ARG, "1"],
    &["-T", "local", "127.0.0.1", "100000", "4"],
    &["-t", "127.0.0.1", PROG_ARG],
    &["-u", "127.0.0.1", PROG_ARG, "1"],
    &["-n", "40001", "-t", "127.0.0.1", PROG_ARG, "1"],
    &["-a", "127.0.0.1.156.66", "-T", "udp", PROG_ARG, "1"],
    &["-l", "127.0.0.1", PROG_ARG, "1"],
    &["-t", "127.0.0.1", "300009"],
    &["-u", "127.0.0.1", PROG_ARG, "7"],
    &["-T", "tcp", "127.0.0.1", "300001", "9"],
    &["-T", "local", "127.0.0.1", "300001", "3"],
    &["-u", "127.0.0.1", "300003", "1"],
    &["-t", "127.0.0.1", "portmapper"],
    &["-p", "::1"],
    &["-l", "::1", "100000", "4"],
    &["-T", "bogus", "127.0.0.1", "100000"],
    &["-a", "bad", "-T", "tcp", "100000", "2"],
    // Only loopback here, which cannot broadcast: an immediate error.
    &["-b", "100000", "2"],
    &["-x"],
];

#[test]
fn our_rpcinfo_prints_what_rpcinfo_prints() {
    let Some(proof) = netns::isolate("our_rpcinfo_prints_what_rpcinfo_prints") else { return };
    let peers = CPeers::build("rpcinfo_crosscheck");
    each_portmapper(&proof, |pm| {
        let mut differences = Vec::new();
        let mut compare = |args: &[&str], system: Outcome, ours: Outcome| {
            if system != ours {
                differences.push(format!("rpcinfo {args:?}\n--- system: {system}--- ours: {ours}"));
            }
        };
        {
            let _daemon = pm.start(&proof, &[]);
            let _server = register_sample(&peers);
            for args in MATRIX {
                compare(args, rpcinfo(args), our_rpcinfo(args));
            }
            // nobody's delete of root's entry: refused, so it changes nothing.
            let delete = ["-d", "300001", "1"];
            let as_nobody =
                |program: &str| common::run(common::as_nobody(program.as_ref()).args(delete));
            let ours = test_support::workspace_bin("rpcinfo");
            compare(&delete, as_nobody("/usr/sbin/rpcinfo"), as_nobody(ours.to_str().unwrap()));
        }
        let on_fresh_daemon = |rpcinfo: &dyn Fn(&[&str]) -> Outcome| {
            let _daemon = pm.start(&proof, &[]);
            let _server = register_sample(&peers);
            rpcinfo(&["-m"])
        };
        compare(&["-m"], on_fresh_daemon(&|a| rpcinfo(a)), on_fresh_daemon(&|a| our_rpcinfo(a)));
        assert!(
            differences.is_empty(),
            "our rpcinfo differs from the system rpcinfo:\n{}",
            differences.join("\n")
        );
    });
}
