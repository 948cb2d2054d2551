//! Call models against a scripted peer: asynchronous calls collected by
//! waiting with a timeout, polling and callbacks; one-way and batched
//! calls; at-least-once retries with the same xid over a new connection.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{ErrorKind, Read};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use clnt::{ClientBuilder, Error};
use common::{DatagramPeer, StreamPeer, success};
use rpc::retransmit::RetransmitPolicy;

const PROG: u32 = 0x2000_0302;

/// Reads calls until one with procedure `proc_num` arrives; returns them all.
fn read_through(peer: &mut StreamPeer, proc_num: u32) -> Vec<common::SeenCall> {
    let mut calls = Vec::new();
    loop {
        let call = peer.read_call();
        let last = call.proc_num == proc_num;
        calls.push(call);
        if last {
            return calls;
        }
    }
}

#[test]
fn wait_timeout_leaves_the_call_pending_until_its_reply_is_in() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let call = peer.read_call();
        thread::sleep(Duration::from_millis(300));
        peer.send(&success(call.xid, &41u32.to_be_bytes()));
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let mut pending = client.start::<(), u32>(1, &()).unwrap();
    let started = Instant::now();
    assert!(pending.wait_timeout(Duration::from_millis(50)).is_none());
    assert!(started.elapsed() < Duration::from_millis(250));
    assert_eq!(pending.wait_timeout(Duration::from_secs(5)).unwrap().unwrap(), 41);
    // Collected once only.
    assert!(matches!(pending.poll(), Some(Err(Error::CantRecv(_)))));
    peer.join().unwrap();
}

#[test]
fn poll_never_blocks_and_sees_the_reply_once_it_arrived() {
    let (listener, addr) = StreamPeer::listen();
    let (go, answer) = mpsc::channel::<()>();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let call = peer.read_call();
        answer.recv().unwrap();
        peer.send(&success(call.xid, &7u32.to_be_bytes()));
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let mut pending = client.start::<(), u32>(1, &()).unwrap();
    for _ in 0..20 {
        let started = Instant::now();
        assert!(pending.poll().is_none());
        assert!(started.elapsed() < Duration::from_millis(50), "poll waited");
    }
    go.send(()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let outcome = loop {
        if let Some(outcome) = pending.poll() {
            break outcome;
        }
        assert!(Instant::now() < deadline, "the reply never showed up");
        thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(outcome.unwrap(), 7);
    peer.join().unwrap();
}

#[test]
fn callbacks_get_every_reply_and_the_timeouts() {
    const CALLS: u32 = 16;
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let calls: Vec<_> = (0..=CALLS).map(|_| peer.read_call()).collect();
        // Answer in reverse order, all but the call to procedure 2.
        for call in calls.iter().rev().filter(|c| c.proc_num == 1) {
            let n: u32 = xdr::from_slice(&call.args).unwrap();
            peer.send(&success(call.xid, &(n + 100).to_be_bytes()));
        }
        // Keep the connection open past the unanswered call's timeout.
        thread::sleep(Duration::from_millis(800));
    });
    let client = ClientBuilder::new(PROG, 1).timeout(Duration::from_millis(500)).tcp(addr).unwrap();
    let (tx, rx) = mpsc::channel();
    for n in 0..CALLS {
        let tx = tx.clone();
        client.start::<u32, u32>(1, &n).unwrap().on_reply(move |r| tx.send((n, r)).unwrap());
    }
    let tx2 = tx.clone();
    client.start::<(), u32>(2, &()).unwrap().on_reply(move |r| tx2.send((u32::MAX, r)).unwrap());
    let mut seen = Vec::new();
    for _ in 0..=CALLS {
        let (n, outcome) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        match outcome {
            Ok(value) => assert_eq!(value, n + 100),
            Err(e) => assert!(n == u32::MAX && matches!(e, Error::TimedOut), "{n}: {e}"),
        }
        seen.push(n);
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..CALLS).chain([u32::MAX]).collect::<Vec<_>>());
    peer.join().unwrap();
}

#[test]
fn one_way_calls_return_at_once_and_expect_no_reply() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let calls = read_through(&mut peer, 9);
        let normal = calls.last().unwrap();
        peer.send(&success(normal.xid, &[]));
        calls.iter().map(|c| xdr::from_slice::<u32>(&c.args).unwrap_or(0)).collect::<Vec<_>>()
    });
    let client = ClientBuilder::new(PROG, 1).timeout(Duration::from_secs(5)).tcp(addr).unwrap();
    let started = Instant::now();
    for n in 1..=3u32 {
        client.send_oneway(1, &n).unwrap();
    }
    assert!(started.elapsed() < Duration::from_millis(500));
    client.call::<(), ()>(9, &()).unwrap();
    assert_eq!(peer.join().unwrap(), [1, 2, 3, 0]);
}

#[test]
fn batched_calls_wait_for_the_next_call_and_arrive_in_order() {
    let (listener, addr) = StreamPeer::listen();
    let (tx, batched) = mpsc::channel();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        // Nothing is written while the calls are only batched.
        batched.recv().unwrap();
        peer.stream.set_nonblocking(true).unwrap();
        let early = peer.stream.read(&mut [0; 16]);
        assert!(matches!(&early, Err(e) if e.kind() == ErrorKind::WouldBlock), "{early:?}");
        peer.stream.set_nonblocking(false).unwrap();
        let calls = read_through(&mut peer, 9);
        peer.send(&success(calls.last().unwrap().xid, &[]));
        calls[..calls.len() - 1]
            .iter()
            .map(|c| xdr::from_slice::<u32>(&c.args).unwrap())
            .collect::<Vec<_>>()
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    for n in 0..100u32 {
        client.batch(1, &n).unwrap();
    }
    thread::sleep(Duration::from_millis(100));
    tx.send(()).unwrap();
    thread::sleep(Duration::from_millis(100));
    client.call::<(), ()>(9, &()).unwrap();
    assert_eq!(peer.join().unwrap(), (0..100).collect::<Vec<_>>());
}

#[test]
fn a_long_batch_is_written_as_it_grows() {
    let (listener, addr) = StreamPeer::listen();
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let mut peer = StreamPeer::accept(&listener);
    // 200 calls of ~1 KiB: past the 64 KiB batch limit, with no flush.
    let payload = xdr::Opaque::<1000>::new(vec![7u8; 1000]).unwrap();
    let (done, finished) = mpsc::channel::<()>();
    let peer_reads = thread::spawn(move || {
        let read = (0..60).map(|_| peer.read_call().xid).count();
        finished.recv().unwrap();
        read
    });
    for _ in 0..200 {
        client.batch(1, &payload).unwrap();
    }
    done.send(()).unwrap();
    assert_eq!(peer_reads.join().unwrap(), 60);
}

#[test]
fn retries_send_the_same_xid_again_over_a_new_connection() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let first = StreamPeer::accept(&listener).read_call();
        // The first connection closes with the call unanswered.
        let mut second = StreamPeer::accept(&listener);
        let again = second.read_call();
        second.send(&success(again.xid, &5u32.to_be_bytes()));
        (first.xid, again.xid)
    });
    let client = ClientBuilder::new(PROG, 1).retries(2).tcp(addr).unwrap();
    assert_eq!(client.call::<(), u32>(1, &()).unwrap(), 5);
    let (first, again) = peer.join().unwrap();
    assert_eq!(first, again);
}

#[test]
fn without_retries_a_broken_connection_fails_the_call() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        StreamPeer::accept(&listener).read_call();
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let err = client.call::<(), u32>(1, &()).unwrap_err();
    assert!(matches!(err, Error::CantRecv(_)), "{err}");
    peer.join().unwrap();
}

#[test]
fn retries_after_a_timeout_resend_on_the_same_connection() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let ignored = peer.read_call();
        let again = peer.read_call();
        peer.send(&success(again.xid, &6u32.to_be_bytes()));
        (ignored.xid, again.xid)
    });
    let client = ClientBuilder::new(PROG, 1)
        .timeout(Duration::from_millis(200))
        .retries(1)
        .tcp(addr)
        .unwrap();
    assert_eq!(client.call::<(), u32>(1, &()).unwrap(), 6);
    let (ignored, again) = peer.join().unwrap();
    assert_eq!(ignored, again);
}

#[test]
fn datagram_retries_keep_the_xid_after_the_schedule_gave_up() {
    let peer = DatagramPeer::bind();
    let addr = peer.addr();
    let answer = thread::spawn(move || {
        let policy_sends = (0..3).map(|_| peer.recv().0.xid).collect::<Vec<_>>();
        let (call, from) = peer.recv();
        peer.socket.send_to(&success(call.xid, &3u32.to_be_bytes()), from).unwrap();
        (policy_sends, call.xid)
    });
    let client = ClientBuilder::new(PROG, 1)
        .timeout(Duration::from_millis(250))
        .retransmit(RetransmitPolicy {
            initial: Duration::from_millis(100),
            ceiling: Duration::from_millis(100),
        })
        .retries(1)
        .udp(addr)
        .unwrap();
    assert_eq!(client.call::<(), u32>(1, &()).unwrap(), 3);
    let (sends, retried) = answer.join().unwrap();
    assert!(sends.iter().all(|&x| x == retried), "{sends:?} then {retried}");
}
