//! Who may SET and UNSET, with the system rpcbind and with ours, checked
//! with libtirpc calls (`rpcb_tool`) from another host on a veth pair,
//! from loopback and from the local socket, as root and as `nobody`:
//!
//! * SET and UNSET from another host, or to the daemon's own non-loopback
//!   address, are refused with an authentication error (AUTH_TOOWEAK:
//!   "Client credential too weak") for portmap v2 and rpcbind v3 and v4;
//!   the same SET from 127.0.0.1 is accepted, owned by `superuser` (root
//!   binds a reserved source port);
//! * with `-i` (and `-h`, UDP on the veth address only) the remote SET
//!   and UNSET are accepted, owned by `unknown`, and still cannot remove
//!   `superuser`'s entries; the registrations then listed are the same
//!   from both daemons;
//! * `nobody` registers through the local socket as owner `65534` (over
//!   loopback from an unprivileged port, as `unknown`), removes its own
//!   entries, and cannot remove root's: v3 UNSET answers false and
//!   `rpcinfo -d` says "Could not delete registration".
//!
//! Not asserted: the answer of `nobody`'s portmap v2 UNSET of root's entry.
//! The system rpcbind answers true while deleting nothing (v2 UNSET unsets
//! tcp and udp and ORs the answers, and "nothing to delete" counts as
//! success); only the entry's survival is checked.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{CPeers, Entry, as_nobody, entries_of, here, rpcinfo, rpcinfo_ok};
use test_support::netns::{self, Host};
use test_support::portmap::{SOCKET, each_portmapper};

/// The test's end of the veth pair, where the daemon is reached from the
/// other host.
const HERE: &str = "10.9.0.1";
/// The other host.
const THERE: &str = "10.9.0.2";
/// What libtirpc prints for an AUTH_TOOWEAK rejection.
const TOO_WEAK: &str = "rpcb_tool: RPC: Authentication error; why = Client credential too weak";

#[test]
fn set_and_unset_permissions() {
    let Some(proof) = netns::isolate("set_and_unset_permissions") else { return };
    let peers = CPeers::build("rpcbind_security");
    let host = Host::create(&proof, "peer", HERE, THERE);
    let remote = |program: &Path| host.command(program);
    let listings = each_portmapper(&proof, |pm| {
        let daemon = pm.start(&proof, &[]);
        secure(&peers, &remote);
        daemon.kill();
        let _daemon = pm.start(&proof, &["-i", "-h", HERE]);
        insecure(&peers, &remote);
        rpcinfo_ok(&[])
    });
    assert!(
        listings.system == listings.ours,
        "the registrations differ after the same calls:\n--- system rpcbind:\n{}--- ours:\n{}",
        listings.system,
        listings.ours
    );
}

/// The default rules.
fn secure(peers: &CPeers, remote: &dyn Fn(&Path) -> Command) {
    let refused = [
        [HERE, "tcp", "3", "set", "300001", "1", "tcp", "10.9.0.2.3.1"],
        [HERE, "udp", "4", "set", "300001", "1", "udp", "10.9.0.2.3.1"],
        [HERE, "tcp", "2", "set", "300001", "1", "tcp", "769"],
        [HERE, "udp", "2", "set", "300001", "1", "udp", "769"],
    ];
    for args in refused {
        refuses(remote, peers, args);
    }
    assert_eq!(entries_of("300001", "1"), [], "a refused SET registered something");

    // The same from loopback, as root: accepted, owned by superuser.
    peers.tool_answers(
        here,
        ["127.0.0.1", "tcp", "3", "set", "300001", "1", "tcp", "10.9.0.2.3.1"],
        "true",
    );
    peers.tool_answers(here, ["127.0.0.1", "udp", "2", "set", "300001", "2", "udp", "770"], "true");
    assert_eq!(owners("300001", "1"), ["superuser"]);
    // A taken (prog, vers, netid): the same address again is accepted,
    // another refused.
    peers.tool_answers(
        here,
        ["127.0.0.1", "tcp", "3", "set", "300001", "1", "tcp", "10.9.0.2.3.1"],
        "true",
    );
    peers.tool_answers(
        here,
        ["127.0.0.1", "tcp", "3", "set", "300001", "1", "tcp", "10.9.0.2.3.9"],
        "false",
    );
    // Not from loopback: this host's own veth address.
    refuses(&here, peers, [HERE, "tcp", "3", "set", "300001", "3", "tcp", "10.9.0.1.3.3"]);
    refuses(remote, peers, [HERE, "tcp", "3", "unset", "300001", "1", "tcp", ""]);
    refuses(remote, peers, [HERE, "udp", "2", "unset", "300001", "2", "udp", "0"]);
    assert_eq!(owners("300001", "1"), ["superuser"], "a refused UNSET removed root's entry");

    // nobody through the local socket: its own entries, as uid 65534.
    peers.tool_answers(
        as_nobody,
        [SOCKET, "local", "3", "set", "300002", "1", "udp", "0.0.0.0.3.5"],
        "true",
    );
    peers.tool_answers(
        as_nobody,
        [SOCKET, "local", "4", "set", "300002", "2", "tcp", "0.0.0.0.3.6"],
        "true",
    );
    assert_eq!(owners("300002", "1"), ["65534"]);
    assert_eq!(owners("300002", "2"), ["65534"]);
    // ... not root's.
    peers.tool_answers(as_nobody, [SOCKET, "local", "3", "unset", "300001", "1", "", ""], "false");
    let out = common::run(as_nobody(Path::new("/usr/sbin/rpcinfo")).args(["-d", "300001", "1"]));
    assert_eq!(
        (out.code, out.stderr.trim()),
        (Some(1), "rpcinfo: Could not delete registration for prog 300001 version 1"),
        "nobody's rpcinfo -d of root's entry:\n{out}"
    );
    let _ = common::run(
        as_nobody(&peers.tool).args([SOCKET, "local", "2", "unset", "300001", "2", "udp", "0"]),
    );
    assert_eq!(owners("300001", "1"), ["superuser"], "nobody removed root's v3 entry");
    assert_eq!(owners("300001", "2"), ["superuser"], "nobody removed root's v2 entry");
    // nobody over loopback from an unprivileged port: unknown.
    peers.tool_answers(
        as_nobody,
        ["127.0.0.1", "tcp", "3", "set", "300003", "1", "tcp", "0.0.0.0.3.7"],
        "true",
    );
    assert_eq!(owners("300003", "1"), ["unknown"]);
    // nobody removes its own, by UNSET and by rpcinfo -d.
    peers.tool_answers(as_nobody, [SOCKET, "local", "3", "unset", "300002", "1", "", ""], "true");
    assert_eq!(owners("300002", "1"), Vec::<String>::new());
    let out = common::run(as_nobody(Path::new("/usr/sbin/rpcinfo")).args(["-d", "300002", "2"]));
    assert_eq!(out.code, Some(0), "nobody's rpcinfo -d of its own entry:\n{out}");
    assert_eq!(owners("300002", "2"), Vec::<String>::new());
    // Root removes anyone's.
    assert_eq!(rpcinfo(&["-d", "300003", "1"]).code, Some(0));
    assert_eq!(owners("300003", "1"), Vec::<String>::new());
}

/// With `-i`: remote SET and UNSET accepted, as owner `unknown`.
fn insecure(peers: &CPeers, remote: &dyn Fn(&Path) -> Command) {
    peers.tool_answers(
        here,
        ["127.0.0.1", "tcp", "3", "set", "300001", "1", "tcp", "127.0.0.1.3.1"],
        "true",
    );
    peers.tool_answers(
        remote,
        [HERE, "tcp", "3", "set", "300005", "1", "tcp", "10.9.0.2.3.1"],
        "true",
    );
    peers.tool_answers(
        remote,
        [HERE, "udp", "4", "set", "300005", "2", "udp", "10.9.0.2.3.2"],
        "true",
    );
    peers.tool_answers(remote, [HERE, "udp", "2", "set", "300005", "3", "udp", "771"], "true");
    assert_eq!(
        entries_of("300005", "3"),
        [Entry {
            prog: "300005".into(),
            vers: "3".into(),
            netid: "udp".into(),
            addr: "0.0.0.0.3.3".into(),
            owner: "unknown".into()
        }]
    );
    assert_eq!(owners("300005", "1"), ["unknown"]);
    assert_eq!(owners("300005", "2"), ["unknown"]);
    peers.tool_answers(remote, [HERE, "tcp", "3", "unset", "300005", "1", "", ""], "true");
    assert_eq!(owners("300005", "1"), Vec::<String>::new());
    peers.tool_answers(remote, [HERE, "tcp", "3", "unset", "300001", "1", "", ""], "false");
    assert_eq!(owners("300001", "1"), ["superuser"], "a remote caller removed root's entry");
}

/// Runs `rpcb_tool args` through `wrap` and expects the AUTH_TOOWEAK
/// rejection.
fn refuses(wrap: &dyn Fn(&Path) -> Command, peers: &CPeers, args: [&str; 8]) {
    let out = common::run(wrap(&peers.tool).args(args));
    assert_eq!((out.code, out.stderr.trim()), (Some(1), TOO_WEAK), "rpcb_tool {args:?}:\n{out}");
}

/// The owners of the entries of `prog` version `vers`.
fn owners(prog: &str, vers: &str) -> Vec<String> {
    entries_of(prog, vers).into_iter().map(|e| e.owner).collect()
}
