//! Broadcast RPC across hosts: four network-namespace hosts on one bridge,
//! each with a portmapper and a server of `pmtest.x` registered with it,
//! and the test's namespace on the bridge too, broadcasting.
//!
//! | host | portmapper | server |
//! |---|---|---|
//! | bc1 10.80.0.1 | ours, `-r` (forwarding on) | ours (svc) |
//! | bc2 10.80.0.2 | ours, `-r` | libtirpc's (C, `pmap_set`) |
//! | bc3 10.80.0.3 | the system rpcbind, `-r` | ours, started late |
//! | bc4 10.80.0.4 | the system rpcbind, no `-r` | ours |
//!
//! Debian's rpcbind 1.2.6 has remote calls built in but forwards them
//! only with `-r`: bc4 counts the CALLITs and stays silent. So the
//! library's broadcast collects exactly three answers, one per
//! forwarding host, with the programs' results; its callback stops it at
//! the first answer; its resends reach bc3, whose server registered only
//! after the first round; and our `rpcinfo -b` lists the three hosts.
//!
//! Our servers are this test binary run again on their host, in the
//! server role (see [`SERVE`]). IPv6 is off in the test's namespace, so
//! the broadcast goes to the bridge's IPv4 broadcast address alone.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::ops::ControlFlow;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{CPeers, PROG, PROG_ARG, TWICE, our_rpcinfo, started};
use oncrpc::portmapper::broadcast::{self, Answer, Broadcast};
use oncrpc::portmapper::{Netid, Rpcbind, uaddr};
use oncrpc::svc::{CallContext, Dispatch, ProcError, Server};
use test_support::Child;
use test_support::bridge::Bridge;
use test_support::netns::{self, Host};
use test_support::portmap::Portmapper;

/// This test's name, to run it again as a server.
const NAME: &str = "broadcast_through_every_portmapper_on_a_bridge";
/// Set (to anything) in a copy of this test that serves `pmtest.x` on its
/// host instead of testing: see [`serve`].
const SERVE: &str = "ONCRPC_BROADCAST_TEST_SERVES";

/// The ports every server listens on (each host is a namespace of its own).
const TCP_PORT: u16 = 40001;
const UDP_PORT: u16 = 40002;
/// The bridge's broadcast address.
const SEGMENT: &str = "10.80.0.255";
/// Bounds the wait for a daemon or a server to come up.
const PATIENCE: Duration = Duration::from_secs(10);

/// The hosts that forward, and the one that does not.
const FORWARDING: [&str; 3] = ["10.80.0.1", "10.80.0.2", "10.80.0.3"];
const SILENT: &str = "10.80.0.4";

#[test]
fn broadcast_through_every_portmapper_on_a_bridge() {
    if std::env::var_os(SERVE).is_some() {
        return serve();
    }
    let Some(proof) = netns::isolate(NAME) else { return };
    for conf in ["all", "default"] {
        std::fs::write(format!("/proc/sys/net/ipv6/conf/{conf}/disable_ipv6"), "1").unwrap();
    }
    let peers = CPeers::build("broadcast");
    let bridge = Bridge::create(&proof, "bcbr", "10.80.0.254");
    let [bc1, bc2, bc3, bc4] =
        [1, 2, 3, 4].map(|n| bridge.attach(&proof, &format!("bc{n}"), &format!("10.80.0.{n}")));
    let _portmappers = [
        portmapper(&bc1, FORWARDING[0], Portmapper::Ours, &["-r"]),
        portmapper(&bc2, FORWARDING[1], Portmapper::Ours, &["-r"]),
        portmapper(&bc3, FORWARDING[2], Portmapper::System, &["-r"]),
        portmapper(&bc4, SILENT, Portmapper::System, &[]),
    ];
    let ports = [TCP_PORT, UDP_PORT].map(|p| p.to_string());
    let _servers = [
        our_server(&bc1),
        started(with_run(&bc2, &peers.server, &["pmap", &ports[0], &ports[1]])),
        our_server(&bc4),
    ];
    // bc4 has the program: its silence is its portmapper's.
    let bc4_pmap = Rpcbind::at(SocketAddr::new(ip(SILENT), 111)).socket(None).udp(true);
    assert_eq!(bc4_pmap.getaddr(PROG, 1, Netid::Udp).unwrap(), "10.80.0.4.156.66");
    let twice = Broadcast::new(PROG, 1, TWICE, &21i32).unwrap();
    let _bc3_server = resends_reach_a_late_server(&twice, &bc3);
    // Now every server runs: rpcinfo -b takes 12 s, meanwhile the library.
    let rpcinfo = std::thread::spawn(|| our_rpcinfo(&["-b", PROG_ARG, "1"]));
    one_answer_per_forwarding_host(&twice);
    the_callback_stops_the_broadcast(&twice);
    rpcinfo_lists_every_answer(rpcinfo.join().unwrap());
}

/// bc3's server starts between the second round (sent at 1 s) and the
/// third (at 3 s): bc3 answers the third; bc1 and bc2 the first, once.
/// Returns bc3's server.
fn resends_reach_a_late_server(twice: &Broadcast, bc3: &Host) -> Child {
    let segment = SocketAddr::new(ip(SEGMENT), 111);
    let rounds = twice.clone().destinations([segment]).waits(secs(1.0), secs(4.0));
    let (answers, server) = std::thread::scope(|s| {
        let broadcast = s.spawn(|| collect(&rounds));
        std::thread::sleep(secs(1.5));
        let server = our_server(bc3);
        (broadcast.join().unwrap(), server)
    });
    let got: Vec<(IpAddr, u32)> = answers.iter().map(|a| (a.responder.ip(), a.round)).collect();
    let [bc1, bc2, bc3] = FORWARDING.map(ip);
    assert_eq!(sorted(got), [(bc1, 0), (bc2, 0), (bc3, 2)]);
    server
}

/// To the default destinations (the bridge's broadcast address alone):
/// one answer per forwarding host, with the program's results and where
/// it listens; nothing from the host that does not forward.
fn one_answer_per_forwarding_host(twice: &Broadcast) {
    let segment = SocketAddr::new(ip(SEGMENT), 111);
    assert_eq!(broadcast::local_destinations().unwrap(), [segment]);
    let answers = collect(&twice.clone().waits(secs(1.0), secs(1.0)));
    let expected: Vec<(IpAddr, SocketAddr, i32)> =
        FORWARDING.map(|h| (ip(h), SocketAddr::new(ip(h), UDP_PORT), 42)).to_vec();
    let got = answers.iter().map(|a| (a.responder.ip(), a.service, a.results));
    assert_eq!(sorted(got.collect()), expected, "exactly one answer per forwarding host");
}

/// The first answer stops the broadcast: no other is delivered, and it
/// returns without waiting out the 4 s round.
fn the_callback_stops_the_broadcast(twice: &Broadcast) {
    let started = Instant::now();
    let mut delivered = 0;
    let first = twice.run(|answer: Answer<i32>| {
        delivered += 1;
        ControlFlow::Break(answer.responder.ip())
    });
    assert!(FORWARDING.map(ip).contains(&first.unwrap().unwrap()));
    assert_eq!(delivered, 1);
    assert!(started.elapsed() < secs(2.0), "stopped at once");
}

/// Our `rpcinfo -b` prints every answer as libtirpc's does: per
/// forwarding host, one per protocol (rpcbind v3, portmap v2) and per
/// round (two).
fn rpcinfo_lists_every_answer(rpcinfo: common::Outcome) {
    assert_eq!((rpcinfo.code, rpcinfo.stderr.as_str()), (Some(0), ""), "{rpcinfo}");
    let mut lines: Vec<&str> = rpcinfo.stdout.lines().collect();
    lines.sort();
    let service = |h| uaddr::from_socket_addr(SocketAddr::new(ip(h), UDP_PORT));
    let hosts = FORWARDING.map(|h| format!("{}\tunknown", service(h)));
    let expected: Vec<&str> = hosts.iter().flat_map(|line| [line.as_str(); 4]).collect();
    assert_eq!(lines, expected, "{rpcinfo}");
}

/// Every answer of `broadcast` (every round ran).
fn collect(broadcast: &Broadcast) -> Vec<Answer<i32>> {
    let mut answers = Vec::new();
    let stopped = broadcast.run(|answer| {
        answers.push(answer);
        ControlFlow::<()>::Continue(())
    });
    assert_eq!(stopped.unwrap(), None);
    answers
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// `program` with `args`, run on `host` with the host's own `/run` (its
/// portmapper's socket).
fn with_run(host: &Host, program: impl Into<std::path::PathBuf>, args: &[&str]) -> Command {
    let mut command = host.own_run_command(program);
    command.args(args);
    command
}

/// Starts `kind` with `flags` on `host`, at `addr`, and waits until it
/// answers over the bridge.
fn portmapper(host: &Host, addr: &str, kind: Portmapper, flags: &[&str]) -> Child {
    let child = Child::spawn(with_run(host, kind.program(), &[&["-f"], flags].concat()));
    let at = ip(addr);
    let rpcbind = Rpcbind::at(SocketAddr::new(at, 111)).socket(None).timeout(secs(1.0));
    let deadline = Instant::now() + PATIENCE;
    while rpcbind.gettime().is_err() {
        assert!(Instant::now() < deadline, "{kind} on {at} did not answer");
        std::thread::sleep(secs(0.02));
    }
    child
}

/// This test binary, run again on `host` as a server of `pmtest.x`,
/// registered with the host's portmapper.
fn our_server(host: &Host) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut command = with_run(host, exe, &[NAME, "--exact", "--nocapture", "--test-threads=1"]);
    command.env(SERVE, "1").stderr(Stdio::inherit());
    let mut child = Child::spawn(command);
    // The test harness speaks first, and "ready" ends its line
    // `test <name> ... `.
    for _ in 0..10 {
        if child.read_line().ends_with("ready") {
            return child;
        }
    }
    panic!("our server did not say it was ready");
}

/// The server role: `pmtest.x`'s program on TCP and UDP, registered with
/// this host's portmapper, until the test closes standard input.
fn serve() {
    let any = |port| SocketAddr::new(ip("0.0.0.0"), port);
    let server = Server::builder()
        .register(PROG, 1, Twice)
        .listen_tcp(any(TCP_PORT))
        .listen_udp(any(UDP_PORT))
        .portmapper(Rpcbind::local())
        .build()
        .unwrap()
        .spawn()
        .unwrap();
    let mut out = std::io::stdout();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(server);
}

/// `pmtest.x`'s TWICE.
struct Twice;

impl Dispatch for Twice {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        match ctx.proc_num {
            0 => Ok(()),
            TWICE => {
                let n: i32 = oncrpc::xdr::from_slice(args)?;
                oncrpc::xdr::append(&n.wrapping_mul(2), results).map_err(|_| ProcError::SystemErr)
            }
            _ => Err(ProcError::ProcUnavail),
        }
    }
}
