//! The registration dumps (`rpcinfo`, `-s`, `-p`, `-l`, `-T`) and the
//! statistics (`-m`) of our rpcinfo against the system's, both run
//! against the system rpcbind and against ours.
#![allow(clippy::unwrap_used)]

mod common;

use common::{
    Daemon, NullServer, OUR_RPCINFO, SYSTEM_RPCINFO, compare, register, run, with_each_daemon,
};
use portmapper::Netid;
use test_support::netns;

/// Registers programs of every kind of line the tables print: named and
/// unnamed programs, several versions and netids, an IPv6 one, and
/// versions that pass the columns.
fn populate() {
    NullServer::start(0x2000_0001, 2..=3);
    register(100003, 3, Netid::Tcp, "0.0.0.0.8.1");
    register(100005, 1, Netid::Udp, "0.0.0.0.3.1");
    register(100005, 3, Netid::Udp, "0.0.0.0.3.1");
    register(300001, 7, Netid::Tcp6, "::.4.1");
    register(0x2000_0002, 4_000_000_000, Netid::Udp, "0.0.0.0.9.9");
}

#[test]
fn dumps_match_system_rpcinfo() {
    let Some(_ns) = netns::isolate("dumps_match_system_rpcinfo") else { return };
    with_each_daemon(&[], |daemon| {
        let empty = ["", "-s", "-p"];
        for args in empty {
            compare(daemon, &split(args));
        }
        populate();
        for args in [
            "",
            "-s",
            "-p",
            "localhost",
            "127.0.0.1",
            "-s localhost",
            "-p localhost",
            "-p 127.0.0.1",
            "-T tcp localhost",
            "-T udp 127.0.0.1",
            "-s -T udp localhost",
            "-T bogus",
            "localhost -s",
        ] {
            let out = compare(daemon, &split(args));
            assert_eq!(out.status, Some(0), "rpcinfo {args}: {out:?}");
        }
        // The populated table really lists what was registered.
        let out = run(OUR_RPCINFO, &[]);
        assert!(
            out.stdout.contains("    100003    3    tcp       0.0.0.0.8.1            nfs"),
            "{}",
            out.stdout
        );
    });
}

#[test]
fn addrlist_matches_system_rpcinfo() {
    let Some(_ns) = netns::isolate("addrlist_matches_system_rpcinfo") else { return };
    // Through a non-loopback address, the portmapper merges its wildcard
    // registrations with the address it was asked at.
    common::veth_pair("al", "10.79.0");
    with_each_daemon(&[], |daemon| {
        populate();
        for args in [
            "-l localhost 100000 2",
            "-l localhost 100000 4",
            "-l 127.0.0.1 536870913 3",
            "-l -T udp localhost 536870913 2",
            "-l -T tcp localhost mountd 3",
            "-l localhost 99 1",
            "-l localhost 300001 7",
            "-l 10.79.0.1 100000 2",
            "-l -T udp 10.79.0.2 536870913 3",
            "10.79.0.1",
            "-s 10.79.0.2",
            "-p 10.79.0.1",
        ] {
            let out = compare(daemon, &split(args));
            assert_eq!(out.status, Some(0), "rpcinfo {args}: {out:?}");
        }
    });
}

/// `-m` prints call counts, and each rpcinfo's own GETSTAT call is
/// counted before the answer is made. So the system rpcinfo runs first,
/// ours right after and must print exactly the system's output with the
/// version 4 GETSTAT count one higher; then the system rpcinfo again,
/// one higher still than ours. Nothing else calls the portmapper in
/// between, so every other count must be equal.
#[test]
fn statistics_match_system_rpcinfo() {
    let Some(_ns) = netns::isolate("statistics_match_system_rpcinfo") else { return };
    with_each_daemon(&[], |daemon| {
        stats_step(daemon, &["-m"]);
        populate();
        // Lookups and pings fill the GETADDR and GETPORT lists.
        for args in [
            "-t localhost 536870913",
            "-u localhost 536870913 3",
            "-t localhost 99",
            "-p localhost",
        ] {
            run(SYSTEM_RPCINFO, &split(args));
        }
        stats_step(daemon, &["-m"]);
        stats_step(daemon, &["-m", "localhost"]);
        stats_step(daemon, &["-m", "127.0.0.1", "ignored", "operands"]);
    });
}

fn stats_step(daemon: &Daemon, args: &[&str]) {
    let first = run(SYSTEM_RPCINFO, args);
    let ours = run(OUR_RPCINFO, args);
    let last = run(SYSTEM_RPCINFO, args);
    assert_eq!(first.status, Some(0), "{first:?}");
    assert_eq!((&ours.stderr, ours.status), (&first.stderr, first.status));
    assert_eq!(
        ours.stdout,
        bump_getstat(&first.stdout),
        "rpcinfo {args:?} against {}",
        daemon.label()
    );
    assert_eq!(
        last.stdout,
        bump_getstat(&ours.stdout),
        "rpcinfo {args:?} against {}",
        daemon.label()
    );
}

/// The `-m` output with the version 4 GETSTAT count (the last field of
/// the line after the `VERADDR INDRECT GETLIST GETSTAT` header) plus one,
/// its column padded as rpcinfo pads it.
fn bump_getstat(text: &str) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let header =
        lines.iter().position(|l| l.starts_with("VERADDR INDRECT GETLIST GETSTAT")).unwrap();
    let counts = lines[header + 1].trim_end();
    let start = counts.rfind(' ').map_or(0, |i| i + 1);
    let count: u64 = counts[start..].parse().unwrap();
    let field = (count + 1).to_string();
    let width = 8 * (1 + field.len() / 8);
    lines[header + 1] = format!("{}{field:<width$}\n", &counts[..start]);
    lines.concat()
}

fn split(args: &str) -> Vec<&str> {
    args.split_whitespace().collect()
}

#[test]
fn bump_getstat_keeps_columns() {
    let text = "VERADDR INDRECT GETLIST GETSTAT \n0       0       0       9       \n";
    assert_eq!(
        bump_getstat(text),
        "VERADDR INDRECT GETLIST GETSTAT \n0       0       0       10      \n"
    );
}
