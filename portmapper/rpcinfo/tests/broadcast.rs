//! `rpcinfo -b`: broadcasting over a veth network whose two ends are
//! both this namespace's (so the portmapper answers on each address).
//! Answers arrive in any order and repeat (once per CALLIT version and
//! per send), so the sets of lines are compared, as rpcinfo's own
//! source advises (`sort | uniq`), along with stderr and exit status.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::{NullServer, OUR_RPCINFO, Run, SYSTEM_RPCINFO, with_each_daemon};
use test_support::netns;

#[test]
fn broadcasts_match_system_rpcinfo() {
    let Some(_ns) = netns::isolate("broadcasts_match_system_rpcinfo") else { return };
    common::veth_pair("bc", "10.78.0");
    // -r: the system rpcbind forwards CALLIT only when asked to.
    with_each_daemon(&["-r"], |daemon| {
        NullServer::start(0x2000_0001, 2..=3);
        for (args, answered) in [("100000 2", true), ("536870913 3", true), ("536870913 9", false)]
        {
            let mut args: Vec<&str> = args.split(' ').collect();
            args.insert(0, "-b");
            // Both at once: each takes 12 s.
            let theirs = std::thread::spawn({
                let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                move || {
                    common::run(
                        SYSTEM_RPCINFO,
                        &args.iter().map(String::as_str).collect::<Vec<_>>(),
                    )
                }
            });
            let ours = common::run(OUR_RPCINFO, &args);
            let theirs = theirs.join().unwrap();
            let lines = |r: &Run| r.stdout.lines().map(str::to_owned).collect::<BTreeSet<_>>();
            assert_eq!(lines(&ours), lines(&theirs), "rpcinfo {args:?} against {}", daemon.label());
            assert_eq!((&ours.stderr, ours.status), (&theirs.stderr, theirs.status));
            if answered && matches!(daemon, common::Daemon::System(_)) {
                assert!(lines(&theirs).iter().any(|l| l.starts_with("10.78.0.")), "{theirs:?}");
            }
        }
    });
}
