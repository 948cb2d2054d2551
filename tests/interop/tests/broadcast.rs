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
//! server role (see [`SERVE`]). IPv6 is off in that test's namespace, so
//! the broadcast goes to the bridge's IPv4 broadcast address alone.
//!
//! A second test broadcasts over IPv6, to the rpcbind multicast group
//! ff02::202, on a bridge of two hosts: our rpcbind (`-r`), which joins
//! the group, and Debian's (`-r`), which does not and so never hears it;
//! each with our server on udp6. The library's broadcast and libtirpc's
//! `rpcinfo -b` both get exactly our host's answer.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, SocketAddrV6};
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
/// The IPv6 test's name.
const NAME6: &str = "ipv6_broadcast_reaches_the_rpcbind_multicast_group";
/// Set in a copy of this test that serves `pmtest.x` on its host instead
/// of testing (see [`serve`]): `4` on the IPv4 wildcard address, `6` on
/// the IPv6 one.
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
        our_server(&bc1, Family::V4),
        started(with_run(&bc2, &peers.server, &["pmap", &ports[0], &ports[1]])),
        our_server(&bc4, Family::V4),
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

#[test]
fn ipv6_broadcast_reaches_the_rpcbind_multicast_group() {
    let Some(proof) = netns::isolate(NAME6) else { return };
    let bridge = Bridge::create(&proof, "b6br", "10.81.0.254");
    let [ours, debians] =
        [1, 2].map(|n| bridge.attach(&proof, &format!("b6h{n}"), &format!("10.81.0.{n}")));
    add_ipv6(&mut Command::new("ip"), "fd81::254", "b6br");
    add_ipv6(&mut ours.command("ip"), "fd81::1", "b6h1-b");
    add_ipv6(&mut debians.command("ip"), "fd81::2", "b6h2-b");
    let _portmappers = [
        portmapper(&ours, "10.81.0.1", Portmapper::Ours, &["-r"]),
        portmapper(&debians, "10.81.0.2", Portmapper::System, &["-r"]),
    ];
    let _servers = [our_server(&ours, Family::V6), our_server(&debians, Family::V6)];
    // Debian's rpcbind has the program on udp6: its silence is its own.
    let debians_pmap = Rpcbind::at("[fd81::2]:111".parse().unwrap()).socket(None).udp(true);
    assert_eq!(debians_pmap.getaddr(PROG, 1, Netid::Udp6).unwrap(), "fd81::2.156.66");

    let group = SocketAddrV6::new(broadcast::RPCB_MULTICAST, 111, 0, interface_index("b6br"));
    let twice = Broadcast::new(PROG, 1, TWICE, &21i32).unwrap();
    let answers = collect(&twice.destinations([SocketAddr::V6(group)]).waits(secs(1.0), secs(1.0)));
    let [answer] = answers.as_slice() else { panic!("one answer expected: {answers:?}") };
    assert!(ipv6_addresses(&ours).contains(&answer.responder.ip()), "{answer:?}");
    assert_eq!((answer.service.port(), answer.results), (UDP_PORT, 42), "{answer:?}");

    // libtirpc's rpc_broadcast (its rpcinfo -b) reaches our host over
    // udp6 too: one answer per round (v3 CALLIT; portmap v2 is IPv4's).
    let rpcinfo = common::rpcinfo(&["-b", PROG_ARG, "1"]);
    assert_eq!(rpcinfo.code, Some(0), "{rpcinfo}");
    let services: Vec<&str> =
        rpcinfo.stdout.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(!services.is_empty(), "{rpcinfo}");
    for service in services {
        let at = uaddr::to_socket_addr(service).unwrap_or_else(|e| panic!("{e}: {rpcinfo}"));
        assert!(ipv6_addresses(&ours).contains(&at.ip()), "not our host's: {rpcinfo}");
        assert_eq!(at.port(), UDP_PORT, "{rpcinfo}");
    }
}

/// Adds IPv6 address `addr` (/64, usable at once: no duplicate address
/// detection) to `dev`, with `ip` the command for the right host.
fn add_ipv6(ip: &mut Command, addr: &str, dev: &str) {
    let status = ip.args(["-6", "addr", "add", &format!("{addr}/64"), "dev", dev, "nodad"]);
    assert!(status.status().unwrap().success(), "{ip:?} failed");
}

/// The index of interface `name` in the test's namespace.
fn interface_index(name: &str) -> u32 {
    let out = Command::new("ip").args(["-o", "link", "show", name]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.split(':').next().and_then(|n| n.trim().parse().ok()).unwrap_or_else(|| panic!("{text}"))
}

/// Every IPv6 address of `host` (global and link-local).
fn ipv6_addresses(host: &Host) -> Vec<IpAddr> {
    let out = host.command("ip").args(["-o", "-6", "addr", "show"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .filter_map(|l| l.split_whitespace().skip_while(|w| *w != "inet6").nth(1))
        .filter_map(|a| a.split('/').next()?.parse().ok())
        .collect()
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
        let server = our_server(bc3, Family::V4);
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

/// The address family our servers listen on.
#[derive(Clone, Copy)]
enum Family {
    V4,
    V6,
}

/// This test binary, run again on `host` as a server of `pmtest.x` on
/// the wildcard address of `family`, registered with the host's
/// portmapper.
fn our_server(host: &Host, family: Family) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut command = with_run(host, exe, &[NAME, "--exact", "--nocapture", "--test-threads=1"]);
    let role = match family {
        Family::V4 => "4",
        Family::V6 => "6",
    };
    command.env(SERVE, role).stderr(Stdio::inherit());
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
    let wildcard = if std::env::var(SERVE).is_ok_and(|v| v == "6") { "::" } else { "0.0.0.0" };
    let any = |port| SocketAddr::new(ip(wildcard), port);
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
