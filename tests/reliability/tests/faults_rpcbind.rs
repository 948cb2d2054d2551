//! rpcbind killed with `SIGKILL` in the middle of a registration load and
//! started again with `-w` (issue 9, part 4): no acknowledged
//! registration is lost, no acknowledged removal comes back.
//!
//! Client threads each SET versions of a program of their own over the
//! local socket (as `rpcb_set`) and UNSET some of them again, recording
//! what rpcbind acknowledged. The daemon is killed three times while they
//! run, and started again each time; calls made while it is down fail,
//! which is expected. At the end DUMP must hold every version whose SET
//! was acknowledged and whose UNSET was not attempted, and none whose
//! UNSET was acknowledged (a call whose reply was lost may have taken
//! effect or not: such versions are left out of both checks).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use oncrpc::portmapper::{Netid, Rpcbind, uaddr};
use reliability_tests::load::{Load, RpcbindProcess};
use test_support::ScratchDir;

/// Threads registering at once.
const CLIENTS: usize = 8;
/// The most calls a thread makes (a bound; the test stops them sooner).
const MAX_CALLS: usize = 20_000;
/// Times rpcbind is killed.
const KILLS: usize = 3;
/// Calls made between two kills (and before the first, after the last).
const CALLS_BETWEEN: u64 = 400;
/// How long rpcbind stays down.
const DOWN: Duration = Duration::from_millis(200);
/// Per-call timeout.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

fn own_prog(c: usize) -> u32 {
    0x3b00_0000 + c as u32
}

fn uaddr_of(vers: u32) -> String {
    uaddr::from_socket_addr(([127, 0, 0, 1], 20_000 + (vers % 40_000) as u16).into())
}

/// What one thread saw acknowledged.
#[derive(Default)]
struct Registrar {
    prog: u32,
    next_vers: u32,
    /// SET acknowledged, no UNSET tried.
    present: BTreeSet<u32>,
    /// UNSET acknowledged.
    removed: BTreeSet<u32>,
    /// A SET or UNSET that failed: the outcome is unknown.
    unknown: BTreeSet<u32>,
    acknowledged: u64,
    failed: u64,
}

impl Registrar {
    /// Every fourth call removes the oldest present version; the others
    /// register a new one. A failure (rpcbind down) is no error of the
    /// test: it is noted, and the thread pauses briefly.
    fn call(&mut self, rpcbind: &Rpcbind, i: usize) -> Result<(), String> {
        let (vers, result, set) = match self.present.first() {
            Some(&oldest) if i % 4 == 3 => {
                (oldest, rpcbind.unset(self.prog, oldest, Some(Netid::Tcp)), false)
            }
            _ => {
                self.next_vers += 1;
                let vers = self.next_vers;
                (vers, rpcbind.set(self.prog, vers, Netid::Tcp, &uaddr_of(vers)), true)
            }
        };
        if !set {
            self.present.remove(&vers);
        }
        match result {
            Ok(true) => {
                self.acknowledged += 1;
                if set {
                    self.present.insert(vers)
                } else {
                    self.removed.insert(vers)
                };
            }
            Ok(false) => {
                let what = if set { "SET" } else { "UNSET" };
                return Err(format!("rpcbind refused {what} of {:#x} v{vers}", self.prog));
            }
            Err(_) => {
                self.failed += 1;
                self.unknown.insert(vers);
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        Ok(())
    }
}

#[test]
fn acknowledged_registrations_survive_kill_9_and_warm_restart() {
    let scratch = ScratchDir::new("faults-rpcbind");
    let mut daemon = RpcbindProcess::start(scratch.path());
    let (addr, socket) = (daemon.addr(), daemon.socket());
    let load = Load::start(
        "faults_rpcbind_set",
        CLIENTS,
        MAX_CALLS,
        Duration::from_secs(120),
        move |c| {
            let rpcbind = Rpcbind::at(addr).socket(Some(socket.clone())).timeout(CALL_TIMEOUT);
            Ok((rpcbind, Registrar { prog: own_prog(c), ..Registrar::default() }))
        },
        |(rpcbind, registrar): &mut (Rpcbind, Registrar), _, i| registrar.call(rpcbind, i),
    );
    let mut downtime = Vec::new();
    for kill in 1..=KILLS as u64 {
        assert!(load.wait_calls(kill * CALLS_BETWEEN, Duration::from_secs(60)), "load stalled");
        let pid = daemon.pid();
        let down = Instant::now();
        daemon.kill9();
        std::thread::sleep(DOWN);
        daemon.restart();
        downtime.push(down.elapsed());
        eprintln!("rpcbind (pid {pid:?}) killed and restarted in {:?}", down.elapsed());
    }
    assert!(
        load.wait_calls((KILLS as u64 + 1) * CALLS_BETWEEN, Duration::from_secs(60)),
        "no calls after the last restart"
    );
    let mut outcome = load.stop(Duration::from_secs(60));
    let registrars: Vec<Registrar> =
        outcome.states.iter_mut().map(|s| s.take().unwrap().1).collect();
    let acknowledged: u64 = registrars.iter().map(|r| r.acknowledged).sum();
    let failed: u64 = registrars.iter().map(|r| r.failed).sum();
    let kept: usize = registrars.iter().map(|r| r.present.len()).sum();
    outcome.print_figure(&[
        ("server", "rpcbind".into()),
        ("kills", KILLS.to_string()),
        ("acknowledged", acknowledged.to_string()),
        ("failed_while_down", failed.to_string()),
        ("checked_present", kept.to_string()),
        ("max_restart_ms", downtime.iter().max().unwrap().as_millis().to_string()),
    ]);
    assert_eq!(outcome.errors, 0, "{:?}", outcome.first_errors);
    assert!(failed > 0, "no call failed: rpcbind was never seen down");

    let dump = daemon.binding(CALL_TIMEOUT).dump().unwrap();
    for r in &registrars {
        let listed: BTreeSet<u32> = dump
            .iter()
            .filter(|e| e.r_prog == r.prog && e.r_netid.as_bytes() == b"tcp")
            .map(|e| {
                let vers = e.r_vers;
                assert_eq!(String::from_utf8_lossy(&e.r_addr), uaddr_of(vers), "v{vers}");
                vers
            })
            .collect();
        let lost: Vec<_> = r.present.difference(&listed).collect();
        assert!(lost.is_empty(), "program {:#x}: acknowledged SETs lost: {lost:?}", r.prog);
        let back: Vec<_> = r.removed.intersection(&listed).collect();
        assert!(back.is_empty(), "program {:#x}: acknowledged UNSETs undone: {back:?}", r.prog);
        let strays: Vec<_> =
            listed.iter().filter(|v| !r.present.contains(v) && !r.unknown.contains(v)).collect();
        assert!(strays.is_empty(), "program {:#x}: never acknowledged: {strays:?}", r.prog);
    }
}
