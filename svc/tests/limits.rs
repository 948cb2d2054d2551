//! Limits and misbehaving peers: connection cap with idle eviction, idle
//! timeout, oversized records, garbage on streams and datagrams, and
//! graceful shutdown.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use rpc::OpaqueAuth;
use svc::{Limits, Server};

#[test]
fn at_the_connection_limit_the_idlest_connection_is_evicted() {
    let limits = Limits { max_connections: 2, ..Limits::default() };
    let server = start(2, limits);
    let mut a = StreamClient::tcp(server.tcp);
    assert_eq!(a.call(NULL, &[]), Reply::Success(vec![]));
    thread::sleep(Duration::from_millis(20));
    let mut b = StreamClient::tcp(server.tcp);
    assert_eq!(b.call(NULL, &[]), Reply::Success(vec![]));
    thread::sleep(Duration::from_millis(20));
    // A third connection: A, idle the longest, makes room.
    let mut c = StreamClient::tcp(server.tcp);
    assert_eq!(c.call(NULL, &[]), Reply::Success(vec![]));
    assert!(a.is_closed());
    assert_eq!(b.call(NULL, &[]), Reply::Success(vec![]));
    assert_eq!(c.call(NULL, &[]), Reply::Success(vec![]));
}

#[test]
fn a_newcomer_evicts_its_own_transport_first() {
    let limits = Limits { max_connections: 2, ..Limits::default() };
    let server = start(2, limits);
    // The local connection is idle the longest...
    let mut local = StreamClient::unix(&server.unix);
    assert_eq!(local.call(NULL, &[]), Reply::Success(vec![]));
    thread::sleep(Duration::from_millis(20));
    let mut a = StreamClient::tcp(server.tcp);
    assert_eq!(a.call(NULL, &[]), Reply::Success(vec![]));
    thread::sleep(Duration::from_millis(20));
    // ... but a TCP newcomer makes room by evicting a TCP connection.
    let mut b = StreamClient::tcp(server.tcp);
    assert_eq!(b.call(NULL, &[]), Reply::Success(vec![]));
    assert!(a.is_closed());
    assert_eq!(local.call(NULL, &[]), Reply::Success(vec![]));
    // With no idle connection of its own kind, a newcomer takes another's.
    drop(b);
    thread::sleep(Duration::from_millis(50));
    let mut other_local = StreamClient::unix(&server.unix);
    assert_eq!(other_local.call(NULL, &[]), Reply::Success(vec![]));
    let mut c = StreamClient::tcp(server.tcp);
    assert_eq!(c.call(NULL, &[]), Reply::Success(vec![]));
    assert!(local.is_closed(), "the idlest connection makes room");
}

#[test]
fn connections_that_never_called_make_room_before_a_client_between_calls() {
    // Found by the hostile-client tests (tests/reliability): a burst of
    // new connections past the limit evicted, idlest first, a client
    // between the two calls of its session.
    let limits = Limits { max_connections: 2, ..Limits::default() };
    let server = start(2, limits);
    let mut client = StreamClient::tcp(server.tcp);
    assert_eq!(client.call(NULL, &[]), Reply::Success(vec![]));
    thread::sleep(Duration::from_millis(20));
    // Each silent connection is newer than the client's last call; they
    // evict one another.
    let mut silent = Vec::new();
    for _ in 0..5 {
        silent.push(StreamClient::tcp(server.tcp));
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(client.call(NULL, &[]), Reply::Success(vec![]));
    assert!(silent[..4].iter_mut().all(|s| s.is_closed()), "the older silent ones made room");
}

#[test]
fn busy_connections_are_not_evicted_and_the_newcomer_is_refused() {
    let limits = Limits { max_connections: 1, ..Limits::default() };
    let server = start(2, limits);
    let mut busy = StreamClient::tcp(server.tcp);
    let xid = busy.xid();
    busy.send(&call_message(xid, 2, (PROG, 1, SLEEP), OpaqueAuth::NONE, &u32_arg(300)));
    thread::sleep(Duration::from_millis(50));
    let mut late = StreamClient::tcp(server.tcp);
    assert!(late.is_closed());
    assert_eq!(busy.recv_reply(), (xid, Reply::Success(vec![])));
    // Once the call is answered, the busy one is idle: the next comer evicts it.
    let mut next = StreamClient::tcp(server.tcp);
    assert_eq!(next.call(NULL, &[]), Reply::Success(vec![]));
    assert!(busy.is_closed());
}

#[test]
fn idle_connections_time_out() {
    let limits = Limits { idle_timeout: Some(Duration::from_millis(200)), ..Limits::default() };
    let server = start(2, limits);
    let mut idle = StreamClient::tcp(server.tcp);
    assert_eq!(idle.call(NULL, &[]), Reply::Success(vec![]));
    let t = Instant::now();
    assert!(idle.is_closed());
    let waited = t.elapsed();
    assert!(waited >= Duration::from_millis(150) && waited < Duration::from_secs(3), "{waited:?}");
    // A connection in the middle of a long call is not idle.
    let mut slow = StreamClient::tcp(server.tcp);
    assert_eq!(slow.call(SLEEP, &u32_arg(500)), Reply::Success(vec![]));
}

#[test]
fn an_oversized_record_closes_the_connection_and_others_carry_on() {
    let limits = Limits { max_record: 1024, ..Limits::default() };
    let server = start(2, limits);
    let mut bystander = StreamClient::tcp(server.tcp);
    assert_eq!(bystander.call(NULL, &[]), Reply::Success(vec![]));

    // A mark announcing 2 GiB: refused before anything is stored.
    let mut huge = StreamClient::tcp(server.tcp);
    huge.send_raw(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]).unwrap();
    assert!(huge.is_closed());
    // Fragments adding up past the limit.
    let mut sneaky = StreamClient::tcp(server.tcp);
    let msg = call_message(5, 2, (PROG, 1, ECHO), OpaqueAuth::NONE, &opaque(&[0; 2000]));
    for (mark, chunk) in rpc::record::fragments(&msg, 512) {
        let _ = sneaky.send_raw(&mark);
        let _ = sneaky.send_raw(chunk);
    }
    assert!(sneaky.is_closed());
    // Just under the limit is fine.
    assert_eq!(bystander.call(ECHO, &opaque(&[7; 900])), Reply::Success(opaque(&[7; 900])));
}

#[test]
fn garbage_on_a_stream_closes_it_and_others_carry_on() {
    for workers in [0, 2] {
        let server = start(workers, Limits::default());
        let mut bystander = StreamClient::tcp(server.tcp);
        assert_eq!(bystander.call(NULL, &[]), Reply::Success(vec![]));
        let mut garbage = StreamClient::tcp(server.tcp);
        garbage.send(&[0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7, 1, 2, 3]);
        assert!(garbage.is_closed());
        // A reply message is not a call either.
        let mut confused = StreamClient::unix(&server.unix);
        confused.send(&[0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(confused.is_closed());
        assert_eq!(
            bystander.call(ECHO, &opaque(b"still here")),
            Reply::Success(opaque(b"still here"))
        );
    }
}

#[test]
fn udp_garbage_is_ignored() {
    for workers in [0, 2] {
        let server = start(workers, Limits::default());
        let mut udp = UdpClient::new(server.udp);
        udp.socket.send(&[1, 2, 3]).unwrap();
        udp.socket.send(&[0xff; 100]).unwrap();
        udp.socket.send(&[]).unwrap();
        // The next reply on this socket answers the real call.
        assert_eq!(udp.call(ECHO, &opaque(b"ok")), Reply::Success(opaque(b"ok")));
    }
}

#[test]
fn graceful_shutdown_finishes_calls_in_progress_then_closes() {
    for workers in [0, 2] {
        let server = start(workers, Limits::default());
        let unix = server.unix.clone();
        let mut idle = StreamClient::tcp(server.tcp);
        assert_eq!(idle.call(NULL, &[]), Reply::Success(vec![]));
        let mut busy = StreamClient::tcp(server.tcp);
        let xid = busy.xid();
        if workers > 0 {
            busy.send(&call_message(xid, 2, (PROG, 1, SLEEP), OpaqueAuth::NONE, &u32_arg(300)));
            thread::sleep(Duration::from_millis(50));
        }
        let t = Instant::now();
        let tcp = server.tcp;
        server.handle.shutdown().unwrap();
        assert!(t.elapsed() < Duration::from_secs(3));
        if workers > 0 {
            assert_eq!(busy.recv_reply(), (xid, Reply::Success(vec![])));
        }
        assert!(busy.is_closed());
        assert!(idle.is_closed());
        assert!(TcpStream::connect(tcp).is_err(), "still accepting after shutdown");
        assert!(!unix.exists(), "unix socket file left behind");
    }
}

#[test]
fn shutdown_trigger_stops_a_blocking_run() {
    let server = Server::builder()
        .register(PROG, 1, TestProg { vers: 1, gate: Default::default() })
        .listen_tcp("[::1]:0".parse().unwrap())
        .build()
        .unwrap();
    let addr = server.tcp_addr().unwrap();
    let trigger = server.shutdown_trigger();
    let runner = thread::spawn(move || server.run());
    match TcpStream::connect(addr) {
        Ok(stream) => {
            stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
            let mut client = StreamClient::new(stream);
            assert_eq!(client.call(NULL, &[]), Reply::Success(vec![]));
        }
        Err(e) => eprintln!("no IPv6 loopback here ({e}); only checking shutdown"),
    }
    trigger.shutdown();
    runner.join().unwrap().unwrap();
}

#[test]
fn configuration_errors_are_reported() {
    let no_listener = Server::builder().build();
    assert!(matches!(no_listener, Err(svc::Error::NoListeners)));
    let twice = Server::builder()
        .register(PROG, 1, TestProg { vers: 1, gate: Default::default() })
        .register(PROG, 1, TestProg { vers: 1, gate: Default::default() })
        .listen_udp("127.0.0.1:0".parse().unwrap())
        .build();
    assert!(matches!(twice, Err(svc::Error::DuplicateRegistration { prog: PROG, vers: 1 })));
    let zero = Server::builder()
        .listen_udp("127.0.0.1:0".parse().unwrap())
        .limits(Limits { max_connections: 0, ..Limits::default() })
        .build();
    assert!(matches!(zero, Err(svc::Error::InvalidLimit(_))));
    let path = unix_path("taken");
    std::fs::write(&path, b"").unwrap();
    let taken = Server::builder().listen_unix(&path).build();
    assert!(matches!(taken, Err(svc::Error::Bind { .. })));
    std::fs::remove_file(&path).unwrap();
}
