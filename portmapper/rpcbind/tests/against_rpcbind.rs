//! Side by side with the real rpcbind, each in private network, mount and
//! pid namespaces (its own loopback, a tmpfs on /run, port 111 and
//! /run/rpcbind.sock; the kernel ends whatever is left when the
//! namespace's first process exits): the same registrations made, then
//! `rpcinfo`'s listings, probes and statistics must print the same.
//! Needs root, `unshare`, `/usr/sbin/rpcbind` and `rpcinfo`.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use portmapper::proto::rpcb_prot::RpcbprogRpcbvers4Client;

const REAL: &str = "/usr/sbin/rpcbind";
/// Set in the namespace to make this binary the registering client.
const HELPER: &str = "RPCBIND_TEST_REGISTER";

/// The registrations both daemons get, over each transport and version.
#[test]
fn register_helper() {
    if std::env::var_os(HELPER).is_none() {
        return;
    }
    let unix = RpcbprogRpcbvers4Client::connect_unix("/run/rpcbind.sock").unwrap();
    assert!(unix.set(&rpcb(0x2000_0500, 1, "tcp", "0.0.0.0.4.1")).unwrap());
    assert!(unix.set(&rpcb(0x2000_0500, 1, "udp6", "::.4.2")).unwrap());
    assert!(unix.set(&rpcb(0x2000_0500, 2, "local", "/run/svc.sock")).unwrap());
    let tcp = RpcbprogRpcbvers4Client::new(client(4).tcp("127.0.0.1:111").unwrap());
    assert!(tcp.set(&rpcb(0x2000_0501, 3, "tcp", "0.0.0.0.8.1")).unwrap());
    let v2 = portmapper::proto::pmap_prot::PmapProgPmapVersClient::new(
        client(2).udp("127.0.0.1:111").unwrap(),
    );
    assert!(v2.set(&mapping(100_005, 1, 17, 635)).unwrap());
    assert!(v2.set(&mapping(100_005, 3, 6, 635)).unwrap());
}

/// What `rpcinfo` prints about the daemon at `daemon`, run in a fresh
/// namespace.
fn rpcinfo_session(daemon: &str) -> String {
    let me = std::env::current_exe().unwrap();
    let script = format!(
        r#"
set -u
ip link set lo up
mount -t tmpfs tmpfs /run
{daemon} -f &
PID=$!
trap 'kill -9 $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
i=0
while [ ! -S /run/rpcbind.sock ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
sleep 0.2
{HELPER}=1 {me} --exact register_helper --nocapture --test-threads=1 >/dev/null 2>&1 || echo REGISTER FAILED
echo '# rpcinfo'; rpcinfo
echo '# rpcinfo -p'; rpcinfo -p
echo '# rpcinfo -s'; rpcinfo -s
echo '# probes'
rpcinfo -t 127.0.0.1 100000; rpcinfo -u 127.0.0.1 100000
rpcinfo -T tcp6 ::1 100000 4; rpcinfo -T udp6 ::1 100000 3
rpcinfo -T local /run/rpcbind.sock 100000 4
rpcinfo -t 127.0.0.1 100005 3; rpcinfo -u 127.0.0.1 536872192 2 2>&1
rpcinfo -l 127.0.0.1 536872192 1
rpcinfo -a 127.0.0.1.0.111 -T udp 100000 2
echo '# delete'; rpcinfo -d 536872193 3; rpcinfo -d -T udp6 536872192 1; rpcinfo -p
echo '# rpcinfo -m'; rpcinfo -m
"#,
        me = me.display()
    );
    let out = Command::new("unshare")
        .args([
            "-n",
            "-m",
            "-p",
            "-f",
            "--mount-proc",
            "--propagation",
            "private",
            "sh",
            "-c",
            &script,
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn rpcinfo_sees_the_same_as_with_rpcbind() {
    if !need_root("rpcinfo_sees_the_same_as_with_rpcbind") {
        return;
    }
    let tools = [REAL, "/usr/bin/unshare", "/usr/bin/rpcinfo"];
    if let Some(missing) = tools.iter().find(|t| !Path::new(t).exists()) {
        assert!(std::env::var_os("CI").is_none(), "{missing} is needed in CI");
        eprintln!("SKIPPED rpcinfo_sees_the_same_as_with_rpcbind: no {missing}");
        return;
    }
    let real = rpcinfo_session(REAL);
    let ours = rpcinfo_session(env!("CARGO_BIN_EXE_rpcbind"));
    assert!(!real.contains("REGISTER FAILED"), "{real}");
    assert!(real.contains("536872193"), "the registrations were made: {real}");
    assert_eq!(ours, real);
}
