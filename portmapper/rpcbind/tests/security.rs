//! rpcbind's security rules: SET and UNSET only from loopback or the
//! local socket (unless `-i`), owners from the kernel's word (peer
//! credentials, reserved ports), UNSET only by the owner or the superuser.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::os::unix::process::CommandExt;
use std::process::Command;

use common::*;
use portmapper::proto::rpcb_prot::RpcbprogRpcbvers4Client;
use rpc::{AuthFlavor, AuthStat, OpaqueAuth};

const PROG: u32 = 0x2000_0100;

/// The encoded arguments of SET/UNSET.
fn set_args(prog: u32, netid: &str, addr: &str) -> Vec<u8> {
    xdr::to_vec(&rpcb(prog, 1, netid, addr)).unwrap()
}

/// 127.0.0.2 is on the loopback interface but is not the loopback
/// address rpcbind trusts: a caller there stands for a remote host.
fn not_loopback() -> SocketAddr {
    "127.0.0.2:0".parse().unwrap()
}

#[test]
fn set_and_unset_only_from_loopback() {
    let d = start(&[]);
    let refused = Raw::Error(format!("{:?}", rpc::RejectedReply::AuthError(AuthStat::TooWeak)));
    let mut tcp = tcp_from(not_loopback(), d.tcp);
    let set = call_message(1, 4, 1, OpaqueAuth::NONE, &set_args(PROG, "tcp", "0.0.0.0.1.1"));
    assert_eq!(stream_call(&mut tcp, &set), refused);
    let unset = call_message(2, 3, 2, OpaqueAuth::NONE, &set_args(100_000, "", ""));
    assert_eq!(stream_call(&mut tcp, &unset), refused);
    // Lookups are for everybody.
    let getaddr = call_message(3, 4, 3, OpaqueAuth::NONE, &set_args(100_000, "", ""));
    assert!(matches!(stream_call(&mut tcp, &getaddr), Raw::Success(_)));
    let udp = UdpSocket::bind(not_loopback()).unwrap();
    let v2set =
        call_message(4, 2, 1, OpaqueAuth::NONE, &xdr::to_vec(&mapping(PROG, 1, 17, 9)).unwrap());
    assert_eq!(udp_call_from(&udp, d.udp, &v2set, TIMEOUT).0, refused);
    // AUTH_SYS claiming root changes nothing.
    let body = xdr::to_vec(&rpc::AuthSysParms::default()).unwrap();
    let root = OpaqueAuth { flavor: AuthFlavor::SYS, body: &body };
    let set = call_message(5, 4, 1, root, &set_args(PROG, "tcp", "0.0.0.0.1.1"));
    assert_eq!(stream_call(&mut tcp, &set), refused);
    assert!(others(&d.v4_unix().dump().unwrap()).is_empty());
    // Loopback (127.0.0.1) may.
    assert!(d.v4_tcp().set(&rpcb(PROG, 1, "tcp", "0.0.0.0.1.1")).unwrap());
}

#[test]
fn insecure_mode_takes_set_from_anywhere() {
    let d = start(&["-i"]);
    let mut tcp = tcp_from(not_loopback(), d.tcp);
    let set = call_message(1, 4, 1, OpaqueAuth::NONE, &set_args(PROG, "tcp", "0.0.0.0.1.1"));
    assert_eq!(stream_call(&mut tcp, &set), Raw::Success(vec![0, 0, 0, 1]));
    assert_eq!(others(&d.v4_unix().dump().unwrap())[0].4, "unknown");
}

#[test]
fn owners_and_unset_rights() {
    let d = start(&[]);
    let me =
        if is_root() { s("superuser") } else { rustix::process::geteuid().as_raw().to_string() };
    // Local socket: the kernel's uid.
    let unix = d.v4_unix();
    assert!(unix.set(&rpcb(PROG, 1, "tcp", "0.0.0.0.1.1")).unwrap());
    // TCP from an unprivileged port: unknown.
    let tcp = d.v4_tcp();
    assert!(tcp.set(&rpcb(PROG, 2, "tcp", "0.0.0.0.1.2")).unwrap());
    let owners: Vec<_> = others(&unix.dump().unwrap()).into_iter().map(|e| (e.1, e.4)).collect();
    assert_eq!(owners, [(1, me.clone()), (2, s("unknown"))]);

    // "unknown" cannot remove somebody else's entry; it may remove the
    // unknown ones, as with rpcbind.
    assert!(!tcp.unset(&rpcb(PROG, 1, "", "")).unwrap());
    assert!(d.v3_tcp().unset(&rpcb(PROG, 2, "", "")).unwrap());
    assert_eq!(others(&unix.dump().unwrap()).len(), 1);
    assert!(unix.unset(&rpcb(PROG, 1, "", "")).unwrap());
    assert!(others(&unix.dump().unwrap()).is_empty());
}

#[test]
fn a_reserved_port_on_loopback_is_the_superuser() {
    if !need_root("a_reserved_port_on_loopback_is_the_superuser") {
        return;
    }
    let d = start(&[]);
    let unknown = d.v4_tcp();
    assert!(unknown.set(&rpcb(PROG, 1, "udp", "0.0.0.0.1.1")).unwrap());
    let root = RpcbprogRpcbvers4Client::new(client(4).reserved_port(true).tcp(d.tcp).unwrap());
    assert!(root.set(&rpcb(PROG, 2, "udp", "0.0.0.0.1.2")).unwrap());
    let owners: Vec<_> = others(&root.dump().unwrap()).into_iter().map(|e| e.4).collect();
    assert_eq!(owners, ["unknown", "superuser"]);
    // The superuser may remove anything, and from UDP too.
    assert!(root.unset(&rpcb(PROG, 1, "", "")).unwrap());
    let root_udp = RpcbprogRpcbvers4Client::new(client(4).reserved_port(true).udp(d.udp).unwrap());
    assert!(root_udp.unset(&rpcb(PROG, 2, "", "")).unwrap());
    assert!(others(&root.dump().unwrap()).is_empty());
}

/// Environment variable that turns this test binary into a helper client
/// (run under another uid by `other_users_on_the_local_socket`):
/// `set|unset,<socket>,<prog>`.
const HELPER: &str = "RPCBIND_TEST_HELPER";

#[test]
fn helper_client() {
    let Ok(job) = std::env::var(HELPER) else { return };
    let mut parts = job.split(',');
    let (op, socket, prog) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    let c = RpcbprogRpcbvers4Client::connect_unix(socket).unwrap();
    let r = rpcb(prog.parse().unwrap(), 1, "udp", "0.0.0.0.2.2");
    let answer = if op == "set" { c.set(&r) } else { c.unset(&r) };
    println!("HELPER-ANSWER {}", answer.unwrap());
}

/// Runs `helper_client` as `uid` and returns its answer.
fn as_user(uid: u32, op: &str, socket: &std::path::Path, prog: u32) -> bool {
    let helper = test_support::shared_copy(&std::env::current_exe().unwrap());
    let out = Command::new(helper)
        .args(["--exact", "helper_client", "--nocapture", "--test-threads=1"])
        .env(HELPER, format!("{op},{},{prog}", socket.display()))
        .uid(uid)
        .gid(uid)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line =
        stdout.lines().find_map(|l| l.split_once("HELPER-ANSWER ").map(|(_, a)| a)).unwrap_or_else(
            || panic!("helper failed: {stdout}{}", String::from_utf8_lossy(&out.stderr)),
        );
    line == "true"
}

#[test]
fn other_users_on_the_local_socket() {
    if !need_root("other_users_on_the_local_socket") {
        return;
    }
    let d = start(&[]);
    assert!(as_user(4242, "set", &d.socket(), PROG));
    assert_eq!(others(&d.v4_unix().dump().unwrap())[0].4, "4242");
    assert!(!as_user(4243, "unset", &d.socket(), PROG), "not the owner");
    assert_eq!(others(&d.v4_unix().dump().unwrap()).len(), 1);
    assert!(as_user(4242, "unset", &d.socket(), PROG), "the owner");
    assert!(as_user(4242, "set", &d.socket(), PROG));
    assert!(d.v4_unix().unset(&rpcb(PROG, 1, "", "")).unwrap(), "root (superuser) may");
    assert!(others(&d.v4_unix().dump().unwrap()).is_empty());
}
