//! Worker pool behaviour: a slow procedure stalls nobody else (the
//! acceptance test), replies on one connection complete out of order
//! (large ones arrive whole among small ones, even when the socket
//! fills), and a client pipelining past the limits is throttled by
//! backpressure.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use rpc::OpaqueAuth;
use svc::Limits;

#[test]
fn a_procedure_sleeping_one_second_does_not_delay_other_clients() {
    let server = start(svc::default_workers(), Limits::default());
    // Client A: a call that sleeps 1 s, over TCP and over UDP.
    let mut slow_tcp = StreamClient::tcp(server.tcp);
    let xid = slow_tcp.xid();
    slow_tcp.send(&call_message(xid, 2, (PROG, 1, SLEEP), OpaqueAuth::NONE, &u32_arg(1000)));
    let slow_udp = thread::spawn({
        let addr = server.udp;
        move || UdpClient::new(addr).call(SLEEP, &u32_arg(1000))
    });
    let started = Instant::now();
    thread::sleep(Duration::from_millis(50));

    // Client B, C, D: null calls (and a worker-run ECHO) answered at once.
    let mut tcp = StreamClient::tcp(server.tcp);
    let mut udp = UdpClient::new(server.udp);
    let mut unix = StreamClient::unix(&server.unix);
    for _ in 0..20 {
        for transport in ["tcp", "udp", "unix"] {
            for (proc_num, args) in [(NULL, vec![]), (ECHO, opaque(b"x"))] {
                let t = Instant::now();
                let reply = match transport {
                    "tcp" => tcp.call(proc_num, &args),
                    "udp" => udp.call(proc_num, &args),
                    _ => unix.call(proc_num, &args),
                };
                let took = t.elapsed();
                assert!(matches!(reply, Reply::Success(_)));
                assert!(
                    took < Duration::from_millis(100),
                    "{transport} proc {proc_num} took {took:?}"
                );
            }
        }
    }
    assert!(started.elapsed() < Duration::from_millis(1000), "the fast calls were not fast");

    assert_eq!(slow_tcp.recv_reply(), (xid, Reply::Success(vec![])));
    assert_eq!(slow_udp.join().unwrap(), Reply::Success(vec![]));
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[test]
fn replies_on_one_connection_complete_out_of_order() {
    let server = start(4, Limits::default());
    let mut tcp = StreamClient::tcp(server.tcp);
    tcp.send(&call_message(1, 2, (PROG, 1, SLEEP), OpaqueAuth::NONE, &u32_arg(300)));
    tcp.send(&call_message(2, 2, (PROG, 1, ECHO), OpaqueAuth::NONE, &opaque(b"quick")));
    tcp.send(&call_message(3, 2, (PROG, 1, NULL), OpaqueAuth::NONE, &[]));
    let mut order = Vec::new();
    for _ in 0..3 {
        order.push(tcp.recv_reply().0);
    }
    assert_eq!(order.last(), Some(&1), "the slow call finished last: {order:?}");
}

/// Sends ECHO calls of 300 KiB to 700 KiB (each filled with its xid),
/// worker-run, between NULL calls the I/O thread answers at once, all from
/// another thread; reads nothing for a while, then checks that every
/// reply arrives whole.
fn large_replies_race<S: Read + Write + Send + 'static>(mut client: StreamClient<S>, writer: S) {
    let count = 40u32;
    let size = |xid: u32| (xid % 4 == 0).then(|| 300_000 + xid as usize * 10_000);
    let writer = thread::spawn(move || {
        let mut writer = writer;
        for xid in 0..count {
            let msg = match size(xid) {
                Some(n) => {
                    let payload = opaque(&vec![xid as u8; n]);
                    call_message(xid, 2, (PROG, 1, ECHO), OpaqueAuth::NONE, &payload)
                }
                None => call_message(xid, 2, (PROG, 1, NULL), OpaqueAuth::NONE, &[]),
            };
            writer.write_all(&rpc::record::single_fragment(&msg)).unwrap();
        }
    });
    thread::sleep(Duration::from_millis(300));
    let mut seen = vec![false; count as usize];
    for _ in 0..count {
        let (xid, reply) = client.recv_reply();
        let payload = size(xid).map_or_else(Vec::new, |n| opaque(&vec![xid as u8; n]));
        assert_eq!(reply, Reply::Success(payload), "xid {xid}");
        assert!(!std::mem::replace(&mut seen[xid as usize], true));
    }
    writer.join().unwrap();
}

#[test]
fn large_replies_from_workers_arrive_whole_to_a_client_reading_late() {
    let server = start(4, Limits::default());
    let tcp = StreamClient::tcp(server.tcp);
    socket2::SockRef::from(&tcp.stream).set_recv_buffer_size(64 << 10).unwrap();
    let writer = tcp.stream.try_clone().unwrap();
    large_replies_race(tcp, writer);
    let unix = StreamClient::unix(&server.unix);
    let writer = unix.stream.try_clone().unwrap();
    large_replies_race(unix, writer);
}

/// Pipelines `count` GATE calls of `size` bytes each from a writer thread;
/// returns the thread, which reports how long the writes took.
fn pipeline(
    stream: std::net::TcpStream,
    count: u32,
    size: usize,
) -> thread::JoinHandle<std::net::TcpStream> {
    thread::spawn(move || {
        let mut stream = stream;
        let payload = opaque(&vec![0x5a; size]);
        for xid in 0..count {
            let msg = call_message(xid, 2, (PROG, 1, GATE), OpaqueAuth::NONE, &payload);
            stream.write_all(&rpc::record::single_fragment(&msg)).unwrap();
        }
        stream
    })
}

#[test]
fn pipelining_past_the_in_flight_limit_stops_reading_until_replies_go_out() {
    let limits = Limits { max_in_flight_per_connection: 4, ..Limits::default() };
    let server = start(8, limits);
    let client = StreamClient::tcp(server.tcp);
    // 2000 calls of 4 KiB: 8 MiB, far more than the socket buffers hold.
    let count = 2000;
    let writer = pipeline(client.stream.try_clone().unwrap(), count, 4096);
    thread::sleep(Duration::from_millis(500));
    // Only four calls were started: the server stopped reading.
    assert_eq!(server.gate.started.load(Ordering::SeqCst), 4);
    assert!(!writer.is_finished(), "the server read everything without answering");

    server.gate.open();
    let mut client = client;
    let mut seen = vec![false; count as usize];
    for _ in 0..count {
        let (xid, reply) = client.recv_reply();
        assert!(matches!(reply, Reply::Success(r) if r.len() == 4100));
        assert!(!std::mem::replace(&mut seen[xid as usize], true));
    }
    writer.join().unwrap();
}

#[test]
fn a_client_that_never_reads_its_replies_is_throttled() {
    // Inline mode: calls are answered at once, but the replies pile up
    // unless the client reads them; past the backlog the server stops.
    let limits = Limits { max_reply_backlog: 64 << 10, ..Limits::default() };
    let server = start(0, limits);
    server.gate.open();
    let client = StreamClient::tcp(server.tcp);
    // Small client buffers; the server's own may still grow to tens of MiB.
    let sock = socket2::SockRef::from(&client.stream);
    sock.set_recv_buffer_size(64 << 10).unwrap();
    sock.set_send_buffer_size(64 << 10).unwrap();
    // 16000 calls of 4 KiB: 64 MiB each way.
    let count = 16_000;
    let writer = pipeline(client.stream.try_clone().unwrap(), count, 4096);
    thread::sleep(Duration::from_millis(500));
    assert!(!writer.is_finished(), "the server buffered 64 MiB of replies");
    // What was answered fits in the kernel's buffers plus the backlog.
    let answered = server.gate.started.load(Ordering::SeqCst);
    assert!(answered < 2500, "{answered} calls answered while the client read nothing");
    let mut client = client;
    for xid in 0..count {
        // Inline replies come in order.
        let (got, reply) = client.recv_reply();
        assert_eq!(got, xid);
        assert!(matches!(reply, Reply::Success(r) if r.len() == 4100));
    }
    writer.join().unwrap();
}
