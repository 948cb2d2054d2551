//! Bad input never stops the daemon: garbage datagrams and records,
//! lengths that claim gigabytes (the "rpcbomb"), oversized and stalled
//! records, idle connections - and the next caller is served.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::net::{TcpStream, UdpSocket};
use std::time::Duration;

use common::*;
use rpc::OpaqueAuth;

/// A small deterministic generator for garbage.
struct Lcg(u64);

impl Lcg {
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.0 = self
                    .0
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (self.0 >> 56) as u8
            })
            .collect()
    }
}

/// This process's resident memory, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn still_serving(d: &Running) {
    d.v4_udp().null().unwrap();
    d.v4_tcp().null().unwrap();
    d.v4_unix().null().unwrap();
}

#[test]
fn garbage_datagrams_and_records() {
    let d = start(&[]);
    let mut rng = Lcg(42);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    for n in [0, 1, 3, 4, 12, 40, 100, 1000, 9000, 65_000] {
        socket.send_to(&rng.bytes(n), d.udp).unwrap();
    }
    // Valid headers with garbage arguments for every procedure.
    for vers in [2, 3, 4] {
        for proc_num in 0..14 {
            let msg = call_message(
                proc_num,
                vers,
                proc_num,
                OpaqueAuth::NONE,
                &rng.bytes(proc_num as usize * 7),
            );
            socket.send_to(&msg, d.udp).unwrap();
        }
    }
    for _ in 0..20 {
        let mut tcp = TcpStream::connect(d.tcp).unwrap();
        let mut junk = rng.bytes(64);
        junk[0] = 0x80; // a last fragment of some length
        let _ = tcp.write_all(&junk);
    }
    still_serving(&d);
}

#[test]
fn lengths_claiming_gigabytes_allocate_nothing() {
    let d = start(&[]);
    let before = rss_kib();
    // SET whose netid claims 1 GiB (CVE-2017-8779), many times over.
    let mut args = vec![0x20, 0, 0, 1, 0, 0, 0, 1];
    args.extend_from_slice(&(1u32 << 30).to_be_bytes());
    args.extend_from_slice(b"tcp\0");
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..200 {
        let msg = call_message(i, 4, 1, OpaqueAuth::NONE, &args);
        let (reply, _) = udp_call_from(&socket, d.udp, &msg, TIMEOUT);
        assert_eq!(reply, Raw::Error(format!("{:?}", rpc::AcceptStat::GarbageArgs)));
    }
    let grown = rss_kib().saturating_sub(before);
    assert!(grown < 64 << 10, "memory grew by {grown} KiB");
    still_serving(&d);
}

#[test]
fn oversized_stalled_and_idle_connections_do_not_stop_others() {
    let d = start(&[]);
    // A record larger than rpcbind takes (9000 bytes) closes that
    // connection only.
    let mut big = TcpStream::connect(d.tcp).unwrap();
    big.set_read_timeout(Some(TIMEOUT)).unwrap();
    big.write_all(&(0x8000_0000u32 | 100_000).to_be_bytes()).unwrap();
    let _ = big.write_all(&[0; 10_000]);
    let mut buf = [0u8; 16];
    assert!(matches!(std::io::Read::read(&mut big, &mut buf), Ok(0) | Err(_)), "closed");
    // Half a record, then silence; and many idle connections.
    let mut stalled = TcpStream::connect(d.tcp).unwrap();
    stalled.write_all(&(0x8000_0000u32 | 100).to_be_bytes()).unwrap();
    stalled.write_all(&[0; 10]).unwrap();
    let idle: Vec<_> = (0..200).map(|_| TcpStream::connect(d.tcp).unwrap()).collect();
    let idle_unix: Vec<_> =
        (0..50).map(|_| std::os::unix::net::UnixStream::connect(d.socket()).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(50));
    still_serving(&d);
    drop((idle, idle_unix, stalled));
    still_serving(&d);
}
