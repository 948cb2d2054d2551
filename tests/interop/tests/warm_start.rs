//! Registrations survive a restart with `-w` (warm start), with the
//! system rpcbind and with ours, as the system `rpcinfo` shows them
//! (addresses, owners and order included).
//!
//! After `kill -9` the two differ, by design: the system rpcbind writes
//! its state files only when it shuts down cleanly (SIGTERM, SIGINT), so
//! it comes back empty - asserted as the baseline; ours persists every
//! change before acknowledging it, so everything is back, deletions
//! included. After a clean shutdown both restore everything; started
//! without `-w`, both start empty. A second daemon refuses to start and
//! leaves the first one's sockets and registrations alone.
//!
//! Ours also keeps every SET it acknowledged when it is killed in the
//! middle of a stream of them; and both start empty, and serve, from
//! state files that are not theirs.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::{CPeers, here, register_sample, rpcinfo_ok};
use test_support::netns;
use test_support::portmap::{Portmapper, STATE_DIR, each_portmapper};

#[test]
fn registrations_survive_restart() {
    let Some(proof) = netns::isolate("registrations_survive_restart") else { return };
    let peers = CPeers::build("warm_start");
    each_portmapper(&proof, |pm| {
        let daemon = pm.start(&proof, &["-w"]);
        let fresh = listing();
        let server = register_sample(&peers);
        rpcinfo_ok(&["-d", "300003", "1"]);
        let before = listing();
        assert_ne!(before, fresh, "the sample registered nothing");

        daemon.kill();
        let daemon = pm.start(&proof, &["-w"]);
        let after = listing();
        match pm {
            Portmapper::System => {
                assert_eq!(after, fresh, "the system rpcbind kept state through kill -9")
            }
            Portmapper::Ours => assert_eq!(after, before, "registrations lost by kill -9"),
        }

        peers.tool_answers(
            here,
            ["127.0.0.1", "udp", "2", "set", "300006", "1", "udp", "776"],
            "true",
        );
        let before = listing();
        let status = daemon.terminate();
        drop(server);
        let daemon = pm.start(&proof, &["-w"]);
        assert_eq!(listing(), before, "registrations lost by a clean restart ({status})");

        daemon.terminate();
        let _daemon = pm.start(&proof, &[]);
        assert_eq!(listing(), fresh, "a cold start (no -w) kept registrations");
    });
}

#[test]
fn second_daemon_refuses_to_start() {
    let Some(proof) = netns::isolate("second_daemon_refuses_to_start") else { return };
    each_portmapper(&proof, |pm| {
        let _first = pm.start(&proof, &[]);
        // A listing no fresh daemon has, in case the second took over.
        rpcinfo_ok(&["-d", "100000", "2"]);
        let before = listing();
        let out = common::run(&mut pm.command(&[]));
        assert_ne!(out.code, Some(0), "a second daemon started:\n{out}");
        assert!(out.stderr.contains("rpcbind"), "the second daemon said nothing:\n{out}");
        assert_eq!(listing(), before, "the second daemon disturbed the first");
    });
}

#[test]
fn acknowledged_sets_survive_kill_mid_stream() {
    let Some(proof) = netns::isolate("acknowledged_sets_survive_kill_mid_stream") else { return };
    let peers = CPeers::build("warm_start_stream");
    each_portmapper(&proof, |pm| {
        let daemon = pm.start(&proof, &["-w"]);
        let fresh = listing();
        // SETs one after another (v3 over UDP), counted as acknowledged.
        let acked = Arc::new(AtomicU32::new(0));
        let setter = {
            let (tool, acked) = (peers.tool.clone(), Arc::clone(&acked));
            std::thread::spawn(move || {
                for prog in STREAM {
                    let prog = prog.to_string();
                    let args = ["127.0.0.1", "udp", "3", "set", &prog, "1", "udp", "0.0.0.0.5.1"];
                    let out = common::run(Command::new(&tool).args(args));
                    if out.stdout.trim() != "true" {
                        break;
                    }
                    acked.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while acked.load(Ordering::SeqCst) < 20 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        daemon.kill();
        setter.join().unwrap();
        let acked = acked.load(Ordering::SeqCst);
        assert!(acked >= 20, "only {acked} SETs acknowledged");
        assert!(acked < STREAM.len() as u32, "all SETs done before the kill");

        let _daemon = pm.start(&proof, &["-w"]);
        let present: Vec<u32> = common::dump()
            .iter()
            .filter_map(|e| e.prog.parse().ok())
            .filter(|p| STREAM.contains(p))
            .collect();
        match pm {
            Portmapper::System => assert_eq!(listing(), fresh, "kept state through kill -9"),
            Portmapper::Ours => {
                // Every acknowledged SET, and perhaps the one in flight.
                let expected = STREAM.start..STREAM.start + acked;
                assert!(
                    present.iter().take(acked as usize).copied().eq(expected.clone())
                        && present.len() <= acked as usize + 1,
                    "after kill -9 with {acked} SETs acknowledged ({expected:?}), back: {present:?}"
                );
            }
        }
    });
}

#[test]
fn corrupt_state_starts_empty() {
    let Some(proof) = netns::isolate("corrupt_state_starts_empty") else { return };
    each_portmapper(&proof, |pm| {
        let daemon = pm.start(&proof, &["-w"]);
        let fresh = listing();
        rpcinfo_ok(&["-d", "100000", "2"]);
        daemon.terminate();
        let mut corrupted = 0;
        for file in std::fs::read_dir(STATE_DIR).unwrap() {
            let path = file.unwrap().path();
            if path.is_file() {
                std::fs::write(&path, b"not a state file\n").unwrap();
                corrupted += 1;
            }
        }
        assert!(corrupted > 0, "no state saved in {STATE_DIR} at a clean shutdown");
        let _daemon = pm.start(&proof, &["-w"]);
        assert_eq!(listing(), fresh, "restored from a corrupt state");
    });
}

/// The programs `acknowledged_sets_survive_kill_mid_stream` registers.
const STREAM: std::ops::Range<u32> = 500_001..500_401;

/// `rpcinfo` (rpcbind v4 DUMP) and `rpcinfo -p` (portmap v2 DUMP).
fn listing() -> String {
    rpcinfo_ok(&[]) + &rpcinfo_ok(&["-p"])
}
