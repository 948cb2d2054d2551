//! `rpcinfo -d`: deleting registrations, as their owner and as someone
//! else (refused by the portmapper), against both portmappers.
#![allow(clippy::unwrap_used)]

mod common;

use common::{OUR_RPCINFO, Run, SYSTEM_RPCINFO, compare, register, with_each_daemon};
use portmapper::Netid;
use test_support::netns;

#[test]
fn deletes_match_system_rpcinfo() {
    let Some(_ns) = netns::isolate("deletes_match_system_rpcinfo") else { return };
    with_each_daemon(&[], |daemon| {
        // Refused: registered by root, deleted by nobody.
        register(100003, 3, Netid::Tcp, "0.0.0.0.8.1");
        let as_nobody = |rpcinfo: &str| {
            // A copy nobody can reach, wherever the build directory is.
            let copy = test_support::shared_copy(std::path::Path::new(rpcinfo));
            let copy = copy.to_str().unwrap();
            common::run(
                "/usr/bin/setpriv",
                &["--reuid=65534", "--regid=65534", "--clear-groups", copy, "-d", "100003", "3"],
            )
        };
        let theirs = as_nobody(SYSTEM_RPCINFO);
        let ours = as_nobody(OUR_RPCINFO);
        assert_eq!(ours, theirs, "-d as nobody against {}", daemon.label());
        assert_eq!(
            theirs,
            Run {
                stdout: String::new(),
                stderr: "rpcinfo: Could not delete registration for prog 100003 version 3\n".into(),
                status: Some(1)
            }
        );
        // Deleted by root, each rpcinfo its own registration; then the
        // same again, which the portmapper answers as it will.
        for (prog, netid) in [(400001, Netid::Tcp), (400002, Netid::Udp)] {
            register(prog, 1, netid, "0.0.0.0.9.1");
        }
        for args in ["-d 400001 1", "-d -T udp 400002 1", "-d 400001 1", "-d nfs 3", "-p"] {
            let args: Vec<&str> = args.split_whitespace().collect();
            let theirs = common::run(SYSTEM_RPCINFO, &args);
            // Put back what the system rpcinfo deleted, for ours to delete.
            register(400001, 1, Netid::Tcp, "0.0.0.0.9.1");
            register(400002, 1, Netid::Udp, "0.0.0.0.9.1");
            let ours = common::run(OUR_RPCINFO, &args);
            assert_eq!(ours, theirs, "rpcinfo {args:?} against {}", daemon.label());
        }
        compare(daemon, &["-s"]);
    });
}
