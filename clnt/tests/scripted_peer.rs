//! Client behaviour against a scripted peer: demultiplexing by xid, error
//! replies, timeouts that leave the connection usable, UDP resends and
//! stray replies, AUTH_SHORT, record fragments, limits.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::thread;
use std::time::{Duration, Instant};

use clnt::{Auth, ClientBuilder, ClntStat, Error};
use common::{DatagramPeer, StreamPeer, reply, success};
use rpc::retransmit::RetransmitPolicy;
use rpc::{AcceptStat, AuthFlavor, AuthStat, OpaqueAuth, RejectedReply, ReplyBody};

const PROG: u32 = 0x2000_0301;

#[test]
fn many_threads_in_flight_on_one_connection_get_their_own_replies() {
    const CALLS: u32 = 32;
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let calls: Vec<_> = (0..CALLS).map(|_| peer.read_call()).collect();
        // Every call is in flight at once; answer them in reverse order.
        for call in calls.iter().rev() {
            let n: u32 = xdr::from_slice(&call.args).unwrap();
            peer.send(&success(call.xid, &(n * 2).to_be_bytes()));
        }
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let callers: Vec<_> = (0..CALLS)
        .map(|n| {
            let client = client.clone();
            thread::spawn(move || (n, client.call::<u32, u32>(1, &n).unwrap()))
        })
        .collect();
    for caller in callers {
        let (n, doubled) = caller.join().unwrap();
        assert_eq!(doubled, n * 2);
    }
    peer.join().unwrap();
}

#[test]
fn a_timed_out_call_does_not_poison_the_connection() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let ignored = peer.read_call();
        let answered = peer.read_call();
        peer.send(&success(answered.xid, &7u32.to_be_bytes()));
        // A late reply to the timed-out call is dropped by the client.
        peer.send(&success(ignored.xid, &1u32.to_be_bytes()));
        let again = peer.read_call();
        peer.send(&success(again.xid, &8u32.to_be_bytes()));
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let started = Instant::now();
    let err = client.with_timeout(Duration::from_millis(300)).call::<(), u32>(1, &()).unwrap_err();
    assert!(matches!(err, Error::TimedOut), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(client.call::<(), u32>(2, &()).unwrap(), 7);
    assert_eq!(client.call::<(), u32>(3, &()).unwrap(), 8);
    peer.join().unwrap();
}

#[test]
fn every_error_reply_maps_to_its_clnt_stat() {
    let bodies: Vec<(ReplyBody<'static>, ClntStat)> = vec![
        (
            ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat: AcceptStat::ProgUnavail },
            ClntStat::ProgUnavail,
        ),
        (
            ReplyBody::Accepted {
                verf: OpaqueAuth::NONE,
                stat: AcceptStat::ProgMismatch { low: 2, high: 4 },
            },
            ClntStat::ProgVersMismatch,
        ),
        (
            ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat: AcceptStat::ProcUnavail },
            ClntStat::ProcUnavail,
        ),
        (
            ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat: AcceptStat::GarbageArgs },
            ClntStat::CantDecodeArgs,
        ),
        (
            ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat: AcceptStat::SystemErr },
            ClntStat::SystemError,
        ),
        (ReplyBody::Denied(RejectedReply::RpcMismatch { low: 2, high: 2 }), ClntStat::VersMismatch),
        (ReplyBody::Denied(RejectedReply::AuthError(AuthStat::TooWeak)), ClntStat::AuthError),
    ];
    let expected: Vec<ClntStat> = bodies.iter().map(|(_, stat)| *stat).collect();
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        for (body, _) in bodies {
            let call = peer.read_call();
            peer.send(&reply(call.xid, body, &[]));
        }
        // A reply that is not an RPC reply at all.
        let call = peer.read_call();
        peer.send(&[call.xid.to_be_bytes().as_slice(), &[0, 0, 0, 9]].concat());
        // Results that do not decode as the expected type.
        let call = peer.read_call();
        peer.send(&success(call.xid, &[0, 0]));
    });
    let client = ClientBuilder::new(PROG, 3).tcp(addr).unwrap();
    for stat in expected {
        let err = client.call::<(), ()>(1, &()).unwrap_err();
        assert_eq!(err.stat(), stat, "{err}");
        assert!(err.is_server_reply());
        if let Error::ProgVersMismatch { low, high } = err {
            assert_eq!((low, high), (2, 4));
            assert_eq!(
                err.to_string(),
                "RPC: Program/version mismatch; low version = 2, high version = 4"
            );
        }
    }
    assert!(matches!(client.call::<(), ()>(1, &()).unwrap_err(), Error::MalformedReply(_)));
    assert!(matches!(client.call::<(), u32>(1, &()).unwrap_err(), Error::CantDecodeRes(_)));
    peer.join().unwrap();
}

#[test]
fn udp_resends_until_answered_and_drops_strays_and_duplicates() {
    let peer = DatagramPeer::bind();
    let addr = peer.addr();
    let server = thread::spawn(move || {
        let (first, from) = peer.recv();
        // Ignore the first transmission; answer the resend, preceded by a
        // stray and followed by a duplicate.
        let (second, _) = peer.recv();
        assert_eq!(second.xid, first.xid, "a resend keeps its xid");
        peer.socket.send_to(&success(first.xid ^ 0xffff, &[0, 0, 0, 9]), from).unwrap();
        peer.socket.send_to(&success(first.xid, &[0, 0, 0, 5]), from).unwrap();
        peer.socket.send_to(&success(first.xid, &[0, 0, 0, 6]), from).unwrap();
        let (third, from) = peer.recv();
        peer.socket.send_to(&success(third.xid, &[0, 0, 0, 7]), from).unwrap();
    });
    let policy =
        RetransmitPolicy { initial: Duration::from_millis(100), ceiling: Duration::from_secs(1) };
    let client = ClientBuilder::new(PROG, 1)
        .retransmit(policy)
        .timeout(Duration::from_secs(5))
        .udp(addr)
        .unwrap();
    assert_eq!(client.call::<(), u32>(1, &()).unwrap(), 5);
    assert_eq!(
        client.call::<(), u32>(1, &()).unwrap(),
        7,
        "the duplicate must not answer this call"
    );
    server.join().unwrap();
}

#[test]
fn udp_gives_up_at_the_timeout() {
    let peer = DatagramPeer::bind();
    let policy = RetransmitPolicy {
        initial: Duration::from_millis(50),
        ceiling: Duration::from_millis(200),
    };
    let client = ClientBuilder::new(PROG, 1)
        .retransmit(policy)
        .timeout(Duration::from_millis(700))
        .udp(peer.addr())
        .unwrap();
    let started = Instant::now();
    assert!(matches!(client.call::<(), ()>(1, &()).unwrap_err(), Error::TimedOut));
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(700) && took < Duration::from_secs(2), "{took:?}");
    // 50, 100, 200, 200 ms intervals: at least four transmissions arrived.
    peer.socket.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let mut seen = 0;
    let mut buf = [0u8; 1024];
    while peer.socket.recv(&mut buf).is_ok() {
        seen += 1;
    }
    assert!(seen >= 4, "only {seen} transmissions");
}

#[test]
fn auth_short_handle_is_reused_then_dropped_when_rejected() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let first = peer.read_call();
        assert_eq!(first.cred_flavor, AuthFlavor::SYS.0);
        let short = OpaqueAuth { flavor: AuthFlavor::SHORT, body: b"tok1" };
        peer.send(&reply(
            first.xid,
            ReplyBody::Accepted { verf: short, stat: AcceptStat::Success },
            &[],
        ));
        let second = peer.read_call();
        assert_eq!(
            (second.cred_flavor, second.cred_body.as_slice()),
            (AuthFlavor::SHORT.0, &b"tok1"[..])
        );
        peer.send(&reply(
            second.xid,
            ReplyBody::Denied(RejectedReply::AuthError(AuthStat::RejectedCred)),
            &[],
        ));
        let retry = peer.read_call();
        assert_eq!(retry.cred_flavor, AuthFlavor::SYS.0, "the retry carries the full credential");
        peer.send(&success(retry.xid, &[]));
    });
    let auth = Auth::sys("node1", 1000, 100, &[4, 27]).unwrap();
    let client = ClientBuilder::new(PROG, 1).auth(auth).tcp(addr).unwrap();
    client.call::<(), ()>(1, &()).unwrap();
    client.call::<(), ()>(1, &()).unwrap();
    peer.join().unwrap();
}

#[test]
fn replies_split_into_fragments_and_single_bytes_are_reassembled() {
    use std::io::Write;
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let call = peer.read_call();
        let message = success(
            call.xid,
            &xdr::to_vec(&xdr::Opaque::<{ xdr::UNBOUNDED }>::new(vec![3; 1000]).unwrap()).unwrap(),
        );
        let framed: Vec<u8> = rpc::record::fragments(&message, 7)
            .flat_map(|(mark, chunk)| mark.into_iter().chain(chunk.iter().copied()))
            .collect();
        for byte in framed {
            peer.stream.write_all(&[byte]).unwrap();
        }
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let data: xdr::Opaque = client.call(1, &()).unwrap();
    assert_eq!(data.as_bytes(), &[3; 1000][..]);
    peer.join().unwrap();
}

#[test]
fn calls_longer_than_max_fragment_are_split() {
    use std::io::Read;
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 65536];
        let mut reassembler = rpc::record::Reassembler::new(1 << 20);
        let mut fragments = 0;
        loop {
            let n = stream.read(&mut buf).unwrap();
            raw.extend_from_slice(&buf[..n]);
            let mut input = &buf[..n];
            if let Some(record) = reassembler.decode(&mut input).unwrap() {
                let mut at = 0;
                while at < raw.len() {
                    let word = u32::from_be_bytes(raw[at..at + 4].try_into().unwrap());
                    fragments += 1;
                    at += 4 + (word & 0x7fff_ffff) as usize;
                }
                let call = common::parse_call(&record);
                let mut peer_stream = stream;
                std::io::Write::write_all(
                    &mut peer_stream,
                    &rpc::record::single_fragment(&success(call.xid, &[])),
                )
                .unwrap();
                return (fragments, call.args.len());
            }
        }
    });
    let client = ClientBuilder::new(PROG, 1).max_fragment(1000).tcp(addr).unwrap();
    let args = xdr::Opaque::<{ xdr::UNBOUNDED }>::new(vec![1; 10_000]).unwrap();
    client.call::<_, ()>(1, &args).unwrap();
    let (fragments, args_len) = peer.join().unwrap();
    assert_eq!(args_len, 10_004);
    assert!(fragments >= 10, "{fragments} fragments");
}

#[test]
fn a_reply_over_max_record_fails_the_call_not_the_process() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let call = peer.read_call();
        peer.send(&success(call.xid, &[0; 4096]));
    });
    let client = ClientBuilder::new(PROG, 1).max_record(1024).tcp(addr).unwrap();
    let err = client.call::<(), ()>(1, &()).unwrap_err();
    assert!(matches!(err, Error::CantRecv(_)), "{err}");
    assert!(matches!(client.call::<(), ()>(1, &()).unwrap_err(), Error::CantSend(_)));
    peer.join().unwrap();
}

#[test]
fn server_closing_fails_waiting_calls_promptly() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let _ = peer.read_call();
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let started = Instant::now();
    let err = client.call::<(), ()>(1, &()).unwrap_err();
    assert!(matches!(err, Error::CantRecv(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    peer.join().unwrap();
}

#[test]
fn unix_and_ipv6_transports() {
    let dir = test_support::ScratchDir::new("clnt-test");
    let path = dir.join("sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let peer = thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut stream, _) = listener.accept().unwrap();
        let mut reassembler = rpc::record::Reassembler::new(1 << 20);
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).unwrap();
            let mut input = &buf[..n];
            if let Some(record) = reassembler.decode(&mut input).unwrap() {
                let call = common::parse_call(&record);
                stream
                    .write_all(&rpc::record::single_fragment(&success(call.xid, &[0, 0, 0, 42])))
                    .unwrap();
                return;
            }
        }
    });
    let client = ClientBuilder::new(PROG, 1).unix(&path).unwrap();
    assert_eq!(client.call::<(), u32>(1, &()).unwrap(), 42);
    peer.join().unwrap();

    match std::net::TcpListener::bind("[::1]:0") {
        Ok(listener) => {
            let addr = listener.local_addr().unwrap();
            let peer = thread::spawn(move || {
                let mut peer = StreamPeer::accept(&listener);
                let call = peer.read_call();
                peer.send(&success(call.xid, &[0, 0, 0, 6]));
            });
            let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
            assert_eq!(client.call::<(), u32>(1, &()).unwrap(), 6);
            peer.join().unwrap();
        }
        Err(e) => eprintln!("SKIPPED: IPv6 part, no ::1 on this machine ({e})"),
    }
}

#[test]
fn unknown_host_and_refused_connection_are_told_apart() {
    let err = ClientBuilder::new(PROG, 1).tcp("no-such-host.invalid:111").unwrap_err();
    assert_eq!(err.stat(), ClntStat::UnknownHost);
    let (listener, addr) = StreamPeer::listen();
    drop(listener);
    let err = ClientBuilder::new(PROG, 1).tcp(addr).unwrap_err();
    assert_eq!(err.stat(), ClntStat::CantSend);
    assert!(err.to_string().starts_with("RPC: Unable to send; errno = "), "{err}");
}

#[test]
fn reserved_source_port_when_root() {
    let meta = std::fs::metadata("/proc/self").unwrap();
    if std::os::unix::fs::MetadataExt::uid(&meta) != 0 {
        assert!(std::env::var_os("CI").is_none(), "CI must run this test as root");
        eprintln!("SKIPPED reserved_source_port_when_root: binding ports 600-1023 needs root");
        return;
    }
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let (stream, from) = listener.accept().unwrap();
        drop(stream);
        from.port()
    });
    let client = ClientBuilder::new(PROG, 1).reserved_port(true).tcp(addr);
    let port = peer.join().unwrap();
    assert!(clnt::RESERVED_PORTS.contains(&port), "source port {port}");
    drop(client);
    let udp = DatagramPeer::bind();
    let client = ClientBuilder::new(PROG, 1)
        .reserved_port(true)
        .timeout(Duration::from_millis(200))
        .udp(udp.addr())
        .unwrap();
    let _ = client.call::<(), ()>(1, &());
    let (_, from) = udp.recv();
    assert!(clnt::RESERVED_PORTS.contains(&from.port()), "source port {}", from.port());
}

#[test]
fn started_calls_are_in_flight_together_and_collected_in_any_order() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let calls: Vec<_> = (0..3).map(|_| peer.read_call()).collect();
        for call in calls.iter().rev() {
            let n: u32 = xdr::from_slice(&call.args).unwrap();
            peer.send(&success(call.xid, &(n + 100).to_be_bytes()));
        }
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let a = client.start::<u32, u32>(1, &1).unwrap();
    let b = client.start::<u32, u32>(1, &2).unwrap();
    let c = client.start::<u32, u32>(1, &3).unwrap();
    assert_ne!(a.xid(), b.xid());
    assert_eq!(b.wait().unwrap(), 102);
    assert_eq!(c.wait().unwrap(), 103);
    assert_eq!(a.wait().unwrap(), 101);
    peer.join().unwrap();
}

#[test]
fn deferred_calls_leave_together_on_flush_or_wait() {
    use std::io::Read;
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        let mut buf = [0u8; 4096];
        // Nothing arrives before the flush.
        assert!(stream.read(&mut buf).is_err(), "deferred calls were written early");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut reassembler = rpc::record::Reassembler::new(1 << 20);
        let mut calls = Vec::new();
        while calls.len() < 3 {
            let n = stream.read(&mut buf).unwrap();
            let mut input = &buf[..n];
            while let Some(record) = reassembler.decode(&mut input).unwrap() {
                calls.push(common::parse_call(&record));
            }
        }
        for call in &calls {
            std::io::Write::write_all(
                &mut stream,
                &rpc::record::single_fragment(&success(call.xid, &[])),
            )
            .unwrap();
        }
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let calls: Vec<_> = (0..3).map(|_| client.start_deferred::<(), ()>(1, &()).unwrap()).collect();
    thread::sleep(Duration::from_millis(500));
    client.flush().unwrap();
    for call in calls {
        call.wait().unwrap();
    }
    peer.join().unwrap();
}

#[test]
fn waiting_flushes_a_deferred_call_and_dropping_abandons_one() {
    let (listener, addr) = StreamPeer::listen();
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let abandoned = peer.read_call();
        let waited = peer.read_call();
        peer.send(&success(abandoned.xid, &[0, 0, 0, 1]));
        peer.send(&success(waited.xid, &[0, 0, 0, 2]));
    });
    let client = ClientBuilder::new(PROG, 1).tcp(addr).unwrap();
    let abandoned = client.start_deferred::<(), u32>(1, &()).unwrap();
    let waited = client.start_deferred::<(), u32>(1, &()).unwrap();
    drop(abandoned);
    assert_eq!(waited.wait().unwrap(), 2);
    peer.join().unwrap();
}
