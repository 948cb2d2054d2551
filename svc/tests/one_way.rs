//! One-way procedures and call order: a batch of one-way calls and the
//! call that flushes it run in arrival order with no reply for the batch,
//! a one-way call runs alone on its connection while other connections go
//! on, the calls it holds back count against the in-flight limit, UDP
//! one-way calls get no reply, and `in_order(true)` runs every call of a
//! connection after the previous one.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{Gate, IO_TIMEOUT, Reply, StreamClient, call_message, parse_reply};
use rpc::OpaqueAuth;
use svc::{CallContext, Dispatch, Limits, ProcError, Server, ServerHandle};
use xdr::Decoder;

const PROG: u32 = 0x2000_0104;
/// One-way: runs and answers its results, which are never sent.
const ONE_WAY: u32 = 1;
/// An ordinary call.
const NORMAL: u32 = 2;
/// One-way, and fails with GARBAGE_ARGS (which is not sent either).
const REJECT: u32 = 3;
/// One-way, and waits at the gate first.
const GATED: u32 = 4;
/// An ordinary call the I/O thread runs itself (like NULL).
const PING: u32 = 5;

/// A call's start or end, by the id in its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Start(u32),
    End(u32),
}

/// Every procedure takes `(id, sleep_ms, padding...)`, logs its start and
/// end, and answers how many calls had ended before it.
struct Recorder {
    log: Arc<Mutex<Vec<Event>>>,
    ended: AtomicUsize,
    gate: Arc<Gate>,
}

impl Dispatch for Recorder {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        let mut dec = Decoder::new(args);
        let (id, ms) = (dec.read_u32()?, dec.read_u32()?);
        if ctx.proc_num == GATED {
            self.gate.pass();
        }
        self.log.lock().unwrap().push(Event::Start(id));
        thread::sleep(Duration::from_millis(u64::from(ms)));
        let before = self.ended.fetch_add(1, Ordering::SeqCst) as u32;
        self.log.lock().unwrap().push(Event::End(id));
        results.extend_from_slice(&before.to_be_bytes());
        match ctx.proc_num {
            REJECT => Err(ProcError::GarbageArgs(xdr::Error::Truncated {
                offset: 0,
                needed: 4,
                remaining: 0,
            })),
            _ => Ok(()),
        }
    }

    fn runs_inline(&self, proc_num: u32) -> bool {
        proc_num == PING
    }

    fn one_way(&self, proc_num: u32) -> bool {
        matches!(proc_num, ONE_WAY | REJECT | GATED)
    }
}

struct Fixture {
    handle: ServerHandle,
    log: Arc<Mutex<Vec<Event>>>,
    gate: Arc<Gate>,
}

impl Fixture {
    fn start(in_order: bool, limits: Limits) -> Fixture {
        let _ = env_logger::builder().is_test(true).try_init();
        let log = Arc::new(Mutex::new(Vec::new()));
        let gate = Arc::new(Gate::default());
        let recorder =
            Recorder { log: Arc::clone(&log), ended: AtomicUsize::new(0), gate: Arc::clone(&gate) };
        let handle = Server::builder()
            .register(PROG, 1, recorder)
            .listen_tcp("127.0.0.1:0".parse().unwrap())
            .listen_udp("127.0.0.1:0".parse().unwrap())
            .workers(4)
            .in_order(in_order)
            .limits(limits)
            .build()
            .unwrap()
            .spawn()
            .unwrap();
        Fixture { handle, log, gate }
    }

    fn tcp(&self) -> StreamClient<TcpStream> {
        StreamClient::tcp(self.handle.tcp_addr().unwrap())
    }

    /// The log without the calls of ids at or above `from`.
    fn log_below(&self, from: u32) -> Vec<Event> {
        let below = |e: &&Event| matches!(e, Event::Start(id) | Event::End(id) if *id < from);
        self.log.lock().unwrap().iter().filter(below).copied().collect()
    }
}

/// A call message with arguments `(id, ms)` and `padding` zero bytes.
fn message(xid: u32, proc_num: u32, id: u32, ms: u32, padding: usize) -> Vec<u8> {
    let mut args = [id.to_be_bytes(), ms.to_be_bytes()].concat();
    args.resize(8 + padding, 0);
    call_message(xid, 2, (PROG, 1, proc_num), OpaqueAuth::NONE, &args)
}

/// The log of calls `0..n` run one after the other, in order.
fn sequential(ids: std::ops::Range<u32>) -> Vec<Event> {
    ids.flat_map(|id| [Event::Start(id), Event::End(id)]).collect()
}

/// Asserts that no byte arrives on `client` for a while.
fn assert_silent(client: &mut StreamClient<TcpStream>) {
    client.stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut buf = [0; 64];
    match client.stream.read(&mut buf) {
        Err(e) => assert!(matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut), "{e}"),
        Ok(n) => panic!("unexpected {n} bytes: {:?}", &buf[..n]),
    }
}

#[test]
fn a_batch_of_ten_thousand_one_way_calls_runs_in_order_and_only_the_flush_is_answered() {
    const BATCH: u32 = 10_000;
    let server = Fixture::start(false, Limits::default());
    let mut client = server.tcp();
    // The first call is slow: run in parallel, the next ones would overtake it.
    let mut batch = Vec::new();
    for id in 0..BATCH {
        let (proc_num, ms) = match id {
            0 => (ONE_WAY, 50),
            _ if id % 100 == 0 => (REJECT, 0),
            _ => (ONE_WAY, 0),
        };
        batch.extend(rpc::record::single_fragment(&message(id, proc_num, id, ms, 0)));
    }
    let started = Instant::now();
    client.send_raw(&batch).unwrap();
    // The flush: a call run inline, which must still wait for the batch.
    client.send(&message(BATCH, PING, BATCH, 0, 0));
    let (xid, reply) = client.recv_reply();
    let took = started.elapsed();
    assert_eq!((xid, reply), (BATCH, Reply::Success(BATCH.to_be_bytes().to_vec())));
    eprintln!("{BATCH} one-way calls and a flush on one connection: {took:?}");
    assert_eq!(server.log_below(u32::MAX), sequential(0..BATCH + 1));
    assert_silent(&mut client);
}

#[test]
fn a_one_way_call_runs_alone_on_its_connection_while_others_go_on() {
    let server = Fixture::start(false, Limits::default());
    let mut client = server.tcp();
    client.send(&message(1, NORMAL, 1, 200, 0));
    client.send(&message(2, ONE_WAY, 2, 200, 0));
    client.send(&message(3, NORMAL, 3, 0, 0));
    client.send(&message(4, PING, 4, 0, 0));
    // Another connection is served meanwhile.
    thread::sleep(Duration::from_millis(250));
    let mut other = server.tcp();
    let t = Instant::now();
    other.send(&message(100, NORMAL, 100, 0, 0));
    assert_eq!(other.recv_reply().0, 100);
    assert!(t.elapsed() < Duration::from_millis(100), "other connection waited {:?}", t.elapsed());

    let mut xids: Vec<u32> = (0..3).map(|_| client.recv_reply().0).collect();
    assert_eq!(xids[0], 1);
    xids.sort_unstable();
    assert_eq!(xids, [1, 3, 4], "no reply to the one-way call");
    let log = server.log_below(100);
    assert_eq!(log[..4], sequential(1..3), "{log:?}");
    assert_eq!(log.len(), 8);
    assert_silent(&mut client);
}

#[test]
fn calls_held_behind_a_one_way_call_count_against_the_in_flight_limit() {
    let limits = Limits { max_in_flight_per_connection: 4, ..Limits::default() };
    let server = Fixture::start(false, limits);
    let client = server.tcp();
    // A one-way call that waits at the gate, then 2000 calls of 4 KiB
    // (8 MiB, more than the socket buffers hold) behind it.
    let mut stream = client.stream.try_clone().unwrap();
    let writer = thread::spawn(move || {
        stream.write_all(&rpc::record::single_fragment(&message(0, GATED, 0, 0, 0))).unwrap();
        for id in 1..2000 {
            let proc_num = if id % 2 == 0 { ONE_WAY } else { NORMAL };
            let msg = message(id, proc_num, id, 0, 4096);
            stream.write_all(&rpc::record::single_fragment(&msg)).unwrap();
        }
        stream.write_all(&rpc::record::single_fragment(&message(2000, PING, 2000, 0, 0))).unwrap();
    });
    thread::sleep(Duration::from_millis(500));
    assert!(!writer.is_finished(), "the server read everything behind the barrier");
    assert!(server.log.lock().unwrap().is_empty());

    server.gate.open();
    let mut client = client;
    // Replies to the 1000 calls with an odd id and to the last one.
    let mut xids: Vec<u32> = (0..1001).map(|_| client.recv_reply().0).collect();
    xids.sort_unstable();
    assert!(xids.iter().copied().eq((1..2000).step_by(2).chain([2000])), "{xids:?}");
    assert_silent(&mut client);
    writer.join().unwrap();
    // Each one-way call ran after every call before it and before any after it.
    let log = server.log_below(u32::MAX);
    for id in (0..2000).step_by(2) {
        let start = log.iter().position(|e| *e == Event::Start(id)).unwrap();
        assert_eq!(log[start + 1], Event::End(id), "call {id} ran alone");
        assert_eq!(start, 2 * id as usize, "every earlier call ended before call {id}");
        let earlier = |e: &Event| matches!(e, Event::Start(i) | Event::End(i) if *i < id);
        assert!(log[..start].iter().all(earlier), "no later call started before call {id}");
    }
}

#[test]
fn one_way_calls_over_udp_get_no_reply() {
    let server = Fixture::start(false, Limits::default());
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(server.handle.udp_addr().unwrap()).unwrap();
    socket.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    socket.send(&message(1, ONE_WAY, 1, 0, 0)).unwrap();
    socket.send(&message(2, REJECT, 2, 0, 0)).unwrap();
    thread::sleep(Duration::from_millis(100));
    socket.send(&message(3, NORMAL, 3, 0, 0)).unwrap();
    let mut buf = [0; 512];
    let n = socket.recv(&mut buf).unwrap();
    assert_eq!(parse_reply(&buf[..n]).0, 3);
    socket.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let err = socket.recv(&mut buf).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut), "{err}");
    assert_eq!(server.log_below(u32::MAX).len(), 6, "all three ran");
}

/// Pipelines a slow call and two quick ones (one run inline) on one
/// connection; returns the order of the replies.
fn pipeline(server: &Fixture) -> Vec<u32> {
    let mut client = server.tcp();
    client.send(&message(1, NORMAL, 1, 300, 0));
    client.send(&message(2, NORMAL, 2, 0, 0));
    client.send(&message(3, PING, 3, 0, 0));
    // Another connection is not held up.
    thread::sleep(Duration::from_millis(50));
    let mut other = server.tcp();
    let t = Instant::now();
    other.send(&message(100, NORMAL, 100, 0, 0));
    assert_eq!(other.recv_reply().0, 100);
    assert!(t.elapsed() < Duration::from_millis(100), "other connection waited {:?}", t.elapsed());
    (0..3).map(|_| client.recv_reply().0).collect()
}

#[test]
fn in_order_runs_each_call_of_a_connection_after_the_previous_one() {
    let ordered = Fixture::start(true, Limits::default());
    assert_eq!(pipeline(&ordered), [1, 2, 3]);
    assert_eq!(ordered.log_below(100), sequential(1..4));
    // By default the quick calls overtake the slow one.
    let parallel = Fixture::start(false, Limits::default());
    assert_eq!(pipeline(&parallel).last(), Some(&1));
}
