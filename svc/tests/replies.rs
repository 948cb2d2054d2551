//! Every reply the server sends, over TCP, UDP and Unix sockets, with
//! procedures inline on the I/O thread and on workers: success, each
//! error reply, and the credentials procedures see.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rpc::{AuthFlavor, AuthStat, OpaqueAuth};
use svc::Limits;

/// The whole matrix through one transport's call function.
fn check_all(
    transport: u32,
    mut call: impl FnMut(u32, (u32, u32, u32), OpaqueAuth<'_>, &[u8]) -> Reply,
) {
    let none = OpaqueAuth::NONE;
    let mut v1 = |p: u32, args: &[u8]| call(2, (PROG, 1, p), none, args);
    assert_eq!(v1(NULL, &[]), Reply::Success(vec![]));
    assert_eq!(v1(ECHO, &opaque(b"hello")), Reply::Success(opaque(b"hello")));
    let add = [5i32.to_be_bytes(), 7i32.to_be_bytes()].concat();
    assert_eq!(v1(ADD, &add), Reply::Success(12i32.to_be_bytes().to_vec()));
    assert_eq!(v1(ADD, &add[..4]), Reply::GarbageArgs);
    assert_eq!(v1(99, &[]), Reply::ProcUnavail);
    assert_eq!(v1(FAIL, &[]), Reply::SystemErr);
    assert_eq!(v1(PANIC, &[]), Reply::SystemErr);
    assert_eq!(v1(DENY, &[]), Reply::AuthError(AuthStat::TooWeak));
    // Version 2 is a different dispatcher.
    assert_eq!(call(2, (PROG, 2, ADD), none, &add), Reply::Success(24i32.to_be_bytes().to_vec()));
    assert_eq!(call(2, (PROG, 7, NULL), none, &[]), Reply::ProgMismatch { low: 1, high: 2 });
    assert_eq!(call(2, (PROG + 1, 1, NULL), none, &[]), Reply::ProgUnavail);
    assert_eq!(call(3, (PROG, 1, NULL), none, &[]), Reply::RpcMismatch { low: 2, high: 2 });
    // Malformed AUTH_SYS: the body ends in the middle of the machine name.
    let bad = [0, 0, 0, 1, 0, 0, 0, 9, b'h', b'o', 0, 0];
    assert_eq!(call(2, (PROG, 1, NULL), sys(&bad), &[]), Reply::AuthError(AuthStat::BadCred));

    // AUTH_SYS arrives intact.
    let body = auth_sys_body(0x1234, "client-host", 1000, 100, &[4, 24, 27]);
    let Reply::Success(r) = call(2, (PROG, 1, WHOAMI), sys(&body), &[]) else { panic!() };
    let mut expected = vec![1u32, 0x1234];
    let mut bytes: Vec<u8> = expected.iter().flat_map(|w| w.to_be_bytes()).collect();
    bytes.extend_from_slice(&opaque(b"client-host"));
    expected = vec![1000, 100, 3, 4, 24, 27, transport];
    bytes.extend(expected.iter().flat_map(|w| w.to_be_bytes()));
    assert_eq!(&r[..bytes.len()], &bytes[..]);

    // Unknown flavors pass through to the dispatcher.
    let other = OpaqueAuth { flavor: AuthFlavor(390_004), body: b"opaque!!" };
    let Reply::Success(r) = call(2, (PROG, 1, WHOAMI), other, &[]) else { panic!() };
    assert_eq!(&r[..4], &390_004u32.to_be_bytes());
}

fn every_transport(workers: usize) {
    let server = start(workers, Limits::default());
    let mut tcp = StreamClient::tcp(server.tcp);
    check_all(0, |v, t, c, a| tcp.call_with(v, t, c, a));
    let mut udp = UdpClient::new(server.udp);
    check_all(1, |v, t, c, a| udp.call_with(v, t, c, a));
    let mut unix = StreamClient::unix(&server.unix);
    check_all(2, |v, t, c, a| unix.call_with(v, t, c, a));
    server.handle.shutdown().unwrap();
}

#[test]
fn every_reply_with_workers() {
    every_transport(3);
}

#[test]
fn every_reply_inline() {
    every_transport(0);
}

#[test]
fn unix_peers_get_their_kernel_credentials() {
    let server = start(2, Limits::default());
    let mut unix = StreamClient::unix(&server.unix);
    let Reply::Success(r) = unix.call(WHOAMI, &[]) else { panic!() };
    let tail: Vec<u32> =
        r[r.len() - 12..].chunks(4).map(|c| u32::from_be_bytes(c.try_into().unwrap())).collect();
    use std::os::unix::fs::MetadataExt;
    let me = std::fs::metadata("/proc/self").unwrap();
    assert_eq!(tail, [std::process::id(), me.uid(), me.gid()]);
    // TCP peers have none.
    let mut tcp = StreamClient::tcp(server.tcp);
    let Reply::Success(r) = tcp.call(WHOAMI, &[]) else { panic!() };
    assert_eq!(&r[r.len() - 12..r.len() - 8], &(-1i32).to_be_bytes());
}

#[test]
fn a_record_in_many_fragments_is_reassembled() {
    let server = start(2, Limits::default());
    let mut tcp = StreamClient::tcp(server.tcp);
    let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
    let msg = call_message(77, 2, (PROG, 1, ECHO), OpaqueAuth::NONE, &opaque(&data));
    let mut wire = Vec::new();
    for (mark, chunk) in rpc::record::fragments(&msg, 1000) {
        wire.extend_from_slice(&mark);
        wire.extend_from_slice(chunk);
    }
    // Sent in odd-sized pieces.
    for piece in wire.chunks(3333) {
        tcp.send_raw(piece).unwrap();
    }
    assert_eq!(tcp.recv_reply(), (77, Reply::Success(opaque(&data))));
}

#[test]
fn many_calls_in_one_write_get_all_their_replies() {
    for workers in [0, 2] {
        let server = start(workers, Limits::default());
        let mut tcp = StreamClient::tcp(server.tcp);
        let mut wire = Vec::new();
        for xid in 0..500u32 {
            let msg = call_message(
                xid,
                2,
                (PROG, 1, ECHO),
                OpaqueAuth::NONE,
                &opaque(&xid.to_be_bytes()),
            );
            wire.extend_from_slice(&rpc::record::single_fragment(&msg));
        }
        tcp.send_raw(&wire).unwrap();
        let mut seen = vec![false; 500];
        for _ in 0..500 {
            let (xid, reply) = tcp.recv_reply();
            assert_eq!(reply, Reply::Success(opaque(&xid.to_be_bytes())));
            assert!(!std::mem::replace(&mut seen[xid as usize], true));
        }
    }
}
