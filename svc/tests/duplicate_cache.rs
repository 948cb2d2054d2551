//! The duplicate request cache: retransmissions over UDP, a TCP or Unix
//! client reconnecting with the same xid, a duplicate of a running call,
//! arguments in the key, eviction and the byte budget.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{IO_TIMEOUT, Reply, StreamClient, call_message, parse_reply, unix_path};
use rpc::OpaqueAuth;
use svc::{CallContext, Dispatch, DuplicateCache, ProcError, Server, ServerHandle};
use xdr::Decoder;

const PROG: u32 = 0x2000_0103;
/// Counts, and answers the count so far.
const COUNT: u32 = 1;
/// Counts, sleeps its u32 argument in milliseconds, answers the count.
const SLOW: u32 = 2;
/// Counts, answers its u32 argument's number of bytes.
const BIG: u32 = 3;
/// Counts, answers nothing.
const SILENT: u32 = 4;

/// Counts the calls it runs.
struct Counter(Arc<AtomicU32>);

impl Dispatch for Counter {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        let count = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        match ctx.proc_num {
            COUNT => results.extend_from_slice(&count.to_be_bytes()),
            SLOW => {
                let ms = Decoder::new(args).read_u32()?;
                thread::sleep(Duration::from_millis(u64::from(ms)));
                results.extend_from_slice(&count.to_be_bytes());
            }
            BIG => {
                let len = Decoder::new(args).read_u32()?;
                results.resize(results.len() + len as usize, 0x5a);
            }
            SILENT => return Err(ProcError::NoReply),
            _ => return Err(ProcError::ProcUnavail),
        }
        Ok(())
    }
}

struct Fixture {
    handle: ServerHandle,
    runs: Arc<AtomicU32>,
    tcp: SocketAddr,
    udp: SocketAddr,
    unix: PathBuf,
}

impl Fixture {
    fn start(cache: Option<DuplicateCache>, workers: usize) -> Fixture {
        let _ = env_logger::builder().is_test(true).try_init();
        let runs = Arc::new(AtomicU32::new(0));
        let unix = unix_path("drc");
        let mut builder = Server::builder()
            .register(PROG, 1, Counter(Arc::clone(&runs)))
            .listen_tcp("127.0.0.1:0".parse().unwrap())
            .listen_udp("127.0.0.1:0".parse().unwrap())
            .listen_unix(&unix)
            .workers(workers);
        if let Some(cache) = cache {
            builder = builder.duplicate_cache(cache);
        }
        let server = builder.build().unwrap();
        let (tcp, udp) = (server.tcp_addr().unwrap(), server.udp_addr().unwrap());
        Fixture { handle: server.spawn().unwrap(), runs, tcp, udp, unix }
    }

    fn runs(&self) -> u32 {
        self.runs.load(Ordering::SeqCst)
    }

    fn udp_client(&self) -> UdpSocket {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.connect(self.udp).unwrap();
        socket.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        socket
    }

    /// Waits until `done` finished calls are remembered.
    fn wait_for_entries(&self, done: usize) {
        let deadline = Instant::now() + IO_TIMEOUT;
        while self.handle.duplicate_cache_stats().unwrap().entries < done {
            assert!(Instant::now() < deadline, "the call never finished");
            thread::sleep(Duration::from_millis(2));
        }
    }
}

fn message(xid: u32, proc_num: u32, arg: u32) -> Vec<u8> {
    call_message(xid, 2, (PROG, 1, proc_num), OpaqueAuth::NONE, &arg.to_be_bytes())
}

/// Sends `msg` and returns the reply datagram.
fn exchange(socket: &UdpSocket, msg: &[u8]) -> Vec<u8> {
    socket.send(msg).unwrap();
    let mut buf = vec![0; 65536];
    let n = socket.recv(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// Asserts that nothing arrives on `socket` for a while.
fn assert_silent(mut recv: impl FnMut(&mut [u8]) -> std::io::Result<usize>) {
    let mut buf = [0; 512];
    match recv(&mut buf) {
        Err(e) => assert!(matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut), "{e}"),
        Ok(n) => panic!("unexpected {n} bytes: {:?}", &buf[..n.min(64)]),
    }
}

fn udp_retransmissions(workers: usize) {
    let msg = message(7, COUNT, 0);
    // With the cache: one run, three identical replies.
    let cached = Fixture::start(Some(DuplicateCache::new()), workers);
    let socket = cached.udp_client();
    let replies: Vec<Vec<u8>> = (0..3).map(|_| exchange(&socket, &msg)).collect();
    assert_eq!(parse_reply(&replies[0]), (7, Reply::Success(1u32.to_be_bytes().to_vec())));
    assert_eq!(replies[1], replies[0]);
    assert_eq!(replies[2], replies[0]);
    assert_eq!(cached.runs(), 1);
    assert_eq!(cached.handle.duplicate_cache_stats().unwrap().hits, 2);

    // Without: three runs, three different counts.
    let plain = Fixture::start(None, workers);
    let socket = plain.udp_client();
    let replies: Vec<Vec<u8>> = (0..3).map(|_| exchange(&socket, &msg)).collect();
    assert_ne!(replies[1], replies[0]);
    assert_eq!(parse_reply(&replies[2]), (7, Reply::Success(3u32.to_be_bytes().to_vec())));
    assert_eq!(plain.runs(), 3);
    assert_eq!(plain.handle.duplicate_cache_stats(), None);
}

#[test]
fn a_udp_retransmission_gets_the_same_reply_without_running_again_on_workers() {
    udp_retransmissions(2);
}

#[test]
fn a_udp_retransmission_gets_the_same_reply_without_running_again_inline() {
    udp_retransmissions(0);
}

/// Sends a slow call on a first connection, closes it before the reply,
/// and resends the call on a second one once the procedure finished.
fn reconnect<S: Read + Write>(server: &Fixture, connect: impl Fn() -> S) {
    let msg = message(41, SLOW, 100);
    let mut first = connect();
    first.write_all(&rpc::record::single_fragment(&msg)).unwrap();
    drop(first);
    server.wait_for_entries(1);

    let mut second = StreamClient::new(connect());
    second.send(&msg);
    assert_eq!(second.recv_reply(), (41, Reply::Success(1u32.to_be_bytes().to_vec())));
    assert_eq!(server.runs(), 1);
    assert_eq!(server.handle.duplicate_cache_stats().unwrap().hits, 1);
}

#[test]
fn a_tcp_client_reconnecting_from_another_port_gets_the_cached_reply() {
    let server = Fixture::start(Some(DuplicateCache::new()), 2);
    reconnect(&server, || {
        let s = TcpStream::connect(server.tcp).unwrap();
        s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        s
    });
}

#[test]
fn a_unix_client_reconnecting_from_the_same_process_gets_the_cached_reply() {
    let server = Fixture::start(Some(DuplicateCache::new()), 2);
    reconnect(&server, || {
        let s = UnixStream::connect(&server.unix).unwrap();
        s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        s
    });
}

#[test]
fn a_duplicate_of_a_running_call_is_dropped() {
    let server = Fixture::start(Some(DuplicateCache::new()), 2);
    let msg = message(9, SLOW, 300);

    // UDP: the retransmission during the run gets nothing.
    let socket = server.udp_client();
    socket.send(&msg).unwrap();
    thread::sleep(Duration::from_millis(50));
    let first = exchange(&socket, &msg);
    assert_eq!(parse_reply(&first), (9, Reply::Success(1u32.to_be_bytes().to_vec())));
    socket.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    assert_silent(|buf| socket.recv(buf));
    assert_eq!(server.runs(), 1);
    assert_eq!(server.handle.duplicate_cache_stats().unwrap().dropped, 1);
    // Once finished, it is answered from the cache.
    assert_eq!(exchange(&socket, &msg), first);

    // TCP: the same call on a second connection while the first runs.
    let mut a = StreamClient::tcp(server.tcp);
    let mut b = StreamClient::tcp(server.tcp);
    a.send(&msg);
    thread::sleep(Duration::from_millis(50));
    b.send(&msg);
    assert_eq!(a.recv_reply(), (9, Reply::Success(2u32.to_be_bytes().to_vec())));
    b.stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    assert_silent(|buf| b.stream.read(buf));
    assert_eq!(server.runs(), 2);
    assert_eq!(server.handle.duplicate_cache_stats().unwrap().dropped, 2);
}

#[test]
fn the_same_xid_with_other_arguments_runs_again() {
    let server = Fixture::start(Some(DuplicateCache::new()), 2);
    let socket = server.udp_client();
    let a = exchange(&socket, &message(5, COUNT, 1));
    let b = exchange(&socket, &message(5, COUNT, 2));
    assert_eq!(parse_reply(&b), (5, Reply::Success(2u32.to_be_bytes().to_vec())));
    assert_eq!(server.runs(), 2);
    assert_eq!(exchange(&socket, &message(5, COUNT, 1)), a);
    assert_eq!(exchange(&socket, &message(5, COUNT, 2)), b);
    assert_eq!(server.runs(), 2);
}

#[test]
fn the_oldest_calls_are_forgotten_past_max_entries() {
    let server = Fixture::start(Some(DuplicateCache::new().max_entries(8)), 2);
    let socket = server.udp_client();
    let first: Vec<Vec<u8>> =
        (1..=20).map(|xid| exchange(&socket, &message(xid, COUNT, 0))).collect();
    let stats = server.handle.duplicate_cache_stats().unwrap();
    assert_eq!((stats.entries, stats.in_progress), (8, 0));
    // The newest is still known; the oldest runs again.
    assert_eq!(exchange(&socket, &message(20, COUNT, 0)), first[19]);
    assert_eq!(server.runs(), 20);
    let again = exchange(&socket, &message(1, COUNT, 0));
    assert_eq!(parse_reply(&again), (1, Reply::Success(21u32.to_be_bytes().to_vec())));
    assert_eq!(server.handle.duplicate_cache_stats().unwrap().entries, 8);
}

#[test]
fn stored_replies_stay_within_max_bytes() {
    // Replies of 24 header bytes and 300 result bytes: three fit in 1000.
    let server = Fixture::start(Some(DuplicateCache::new().max_bytes(1000)), 2);
    let socket = server.udp_client();
    for xid in 1..=10 {
        assert_eq!(exchange(&socket, &message(xid, BIG, 300)).len(), 324);
    }
    let stats = server.handle.duplicate_cache_stats().unwrap();
    assert_eq!((stats.entries, stats.bytes), (3, 972));
    exchange(&socket, &message(10, BIG, 300));
    assert_eq!(server.runs(), 10, "the newest is answered from the cache");
    exchange(&socket, &message(1, BIG, 300));
    assert_eq!(server.runs(), 11, "the oldest was forgotten");
}

#[test]
fn calls_without_a_stored_reply_never_run_twice() {
    let server = Fixture::start(Some(DuplicateCache::new().max_bytes(100)), 2);
    let socket = server.udp_client();
    socket.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    // A reply over the byte budget is sent once, not stored.
    let big = message(3, BIG, 200);
    assert_eq!(exchange(&socket, &big).len(), 224);
    socket.send(&big).unwrap();
    assert_silent(|buf| socket.recv(buf));
    // A call that sent no reply is remembered without one.
    for _ in 0..2 {
        socket.send(&message(4, SILENT, 0)).unwrap();
        assert_silent(|buf| socket.recv(buf));
    }
    assert_eq!(server.runs(), 2);
    let stats = server.handle.duplicate_cache_stats().unwrap();
    assert_eq!((stats.entries, stats.bytes, stats.dropped), (2, 0, 2));
}
