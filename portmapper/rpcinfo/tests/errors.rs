//! Command lines rpcinfo refuses, operands it cannot read, and
//! portmappers it cannot reach: the same messages and exit statuses as
//! the system rpcinfo.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Daemon, compare, with_each_daemon};
use test_support::netns;
use test_support::netns::Host;

/// Usage errors and unreadable operands, with a portmapper running.
#[test]
fn refusals_match_system_rpcinfo() {
    let Some(_ns) = netns::isolate("refusals_match_system_rpcinfo") else { return };
    with_each_daemon(&[], |daemon| {
        for args in [
            "-x",
            "-T",
            "-n",
            "-a",
            "-px",
            "--foo",
            "-p -s",
            "-p -p",
            "-t -u",
            "-n abc -t localhost 1",
            "-n 12 -p",
            "-a 1.2.3.4.0.1 1",
            "-t localhost",
            "-t a b c d",
            "-u h",
            "-l localhost 1",
            "-l a b c d",
            "-b 1",
            "-b 1 2 3",
            "-d 1",
            "-d 1 2 3",
            "a b c d",
            "localhost 100000",
            "-s a b",
            "-p a b",
            "-t localhost 1a",
            "-t localhost 12-",
            "-t localhost xyz",
            "-t localhost 100000 1x",
            "-t localhost 100000 -1",
            "-T tcp localhost xyz 1x",
            "-T bogus localhost xyz",
            "-l localhost xyz 1x",
            "-l localhost 100000 1x",
            "-d xyz 1x",
            "-d 100000 x",
            "-b xyz 1",
            "-b 1 x",
            "-T bogus localhost",
            "-s -T bogus localhost",
            "-l -T bogus localhost 1 1",
            "-d -T bogus 1 1",
            "-- -s",
            "-m a b c",
        ] {
            let args: Vec<&str> = args.split_whitespace().collect();
            let out = compare(daemon, &args);
            assert_eq!(out.status, Some(1), "rpcinfo {args:?}: {out:?}");
        }
        // Flags rpcinfo accepts and ignores.
        for args in ["-T bogus", "-b -T tcp 100000 2", "-n 65536 -p"] {
            let args: Vec<&str> = args.split_whitespace().collect();
            compare(daemon, &args);
        }
    });
}

/// No portmapper at all: the local socket is missing, TCP is refused,
/// UDP bounces; and a host that does not resolve.
#[test]
fn unreachable_portmapper_matches_system_rpcinfo() {
    let Some(ns) = netns::isolate("unreachable_portmapper_matches_system_rpcinfo") else { return };
    // A neighbour with no portmapper: TCP is reset, UDP is refused. Its
    // link's IPv6 address skips duplicate address detection, so that
    // multicasts can leave at once (and -b behaves the same each run).
    common::no_dad();
    let _host = Host::create(&ns, "rpcnone", "10.77.0.1", "10.77.0.2");
    let nobody = Daemon::System(vec![]);
    for args in [
        "",
        "-p",
        "-s",
        "-m",
        "localhost",
        "-p localhost",
        "-s localhost",
        "-m localhost",
        "10.77.0.2",
        "-p 10.77.0.2",
        "-l 10.77.0.2 100000 2",
        "-T tcp 10.77.0.2 100000",
        "-t localhost 100000",
        "-u localhost 100000 2",
        "-T tcp localhost 100000",
        "-T udp localhost 100000 2",
        "-T local localhost 100000",
        "-l localhost 100000 2",
        "-l -T udp localhost 100000 2",
        "-s -T udp localhost",
        "-d 100000 2",
        "-a 127.0.0.1.0.111 -T tcp 100000 2",
        "-a 127.0.0.1.0.111 -T udp 100000",
        "nosuchhost.invalid",
        "-p nosuchhost.invalid",
        "-l nosuchhost.invalid 1 1",
        "-m nosuchhost.invalid",
        "-s nosuchhost.invalid",
    ] {
        let args: Vec<&str> = args.split_whitespace().collect();
        let out = compare(&nobody, &args);
        assert_eq!(out.status, Some(1), "rpcinfo {args:?}: {out:?}");
    }
    // Broadcasting reaches nobody: no answer is no failure.
    let out = compare(&nobody, &["-b", "100000", "2"]);
    assert_eq!((out.stdout.as_str(), out.status), ("", Some(0)));
}
