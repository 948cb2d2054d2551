//! The broadcast API against our rpcbind with forwarding on (`-r`), asked
//! at its own address (a unicast "broadcast", so no root is needed), and
//! against a scripted portmapper whose replies are mostly hostile. The
//! three-host broadcast over a bridge is in tests/interop/tests/broadcast.rs.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use clnt::Auth;
use common::{FLAVOR, Portmapper, TWICE, serve};
use portmapper::Error;
use portmapper::broadcast::{Answer, Broadcast, Protocol, Unsent};
use portmapper::proto::rpcb_prot::RpcbRmtcallres;
use rpc::{AcceptStat, CallHeader, ReplyHeader};
use svc::Server;
use xdr::{ByteString, Opaque};

const PROG: u32 = 0x2000_0b01;
const SHORT: Duration = Duration::from_millis(300);

/// Every answer of `broadcast`, in order of arrival.
fn collect<R: xdr::DecodeOwned>(broadcast: &Broadcast) -> Vec<Answer<R>> {
    let mut answers = Vec::new();
    let stopped = broadcast
        .run(|answer| {
            answers.push(answer);
            ControlFlow::<()>::Continue(())
        })
        .unwrap();
    assert_eq!(stopped, None, "ran every round");
    answers
}

/// Our rpcbind with forwarding on, and the test program on UDP.
fn forwarding() -> (Portmapper, svc::ServerHandle) {
    let pm = Portmapper::private("broadcast", &["-r"]);
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = serve(PROG, Server::builder().listen_udp(any).portmapper(pm.rpcbind()));
    (pm, server)
}

#[test]
fn each_responder_answers_once_with_the_programs_results() {
    let (pm, server) = forwarding();
    let twice = Broadcast::new(PROG, 1, TWICE, &21u32).unwrap().destinations([pm.udp]);
    let answers: Vec<Answer<u32>> = collect(&twice.clone().waits(SHORT, 2 * SHORT));
    assert_eq!(answers.len(), 1, "{answers:?}");
    let answer = &answers[0];
    assert_eq!((answer.results, answer.responder, answer.round), (42, pm.udp, 0));
    assert_eq!(answer.service, server.udp_addr().unwrap());

    // As libtirpc delivers them: one per protocol and per round.
    let every: Vec<Answer<u32>> = collect(&twice.clone().waits(SHORT, 2 * SHORT).every_reply(true));
    let mut seen: Vec<(Protocol, u32)> = every.iter().map(|a| (a.protocol, a.round)).collect();
    seen.sort_by_key(|&(p, round)| (round, p == Protocol::Portmap2));
    let expected = [(Protocol::Rpcbind3, 0), (Protocol::Portmap2, 0)];
    assert_eq!(seen, [expected, expected.map(|(p, _)| (p, 1))].concat());
    assert!(every.iter().all(|a| a.results == 42 && a.service == answer.service));

    // rpcbind v4 BCAST alone.
    let v4 = twice.waits(SHORT, SHORT).protocols(&[Protocol::Rpcbind4]);
    let answers: Vec<Answer<u32>> = collect(&v4);
    assert_eq!(answers.iter().map(|a| a.protocol).collect::<Vec<_>>(), [Protocol::Rpcbind4]);
}

#[test]
fn the_callback_stops_the_broadcast() {
    let (pm, _server) = forwarding();
    let started = Instant::now();
    let stopped = Broadcast::new(PROG, 1, TWICE, &5u32)
        .unwrap()
        .destinations([pm.udp])
        .run(|answer: Answer<u32>| ControlFlow::Break(answer.results))
        .unwrap();
    assert_eq!(stopped, Some(10));
    assert!(started.elapsed() < Duration::from_secs(2), "stopped at the first answer");
}

#[test]
fn credentials_reach_the_program() {
    let (pm, _server) = forwarding();
    let flavor = |auth: Option<Auth>| {
        let mut b = Broadcast::new(PROG, 1, FLAVOR, &()).unwrap().destinations([pm.udp]);
        if let Some(auth) = auth {
            b = b.auth(auth);
        }
        b.run(|answer: Answer<u32>| ControlFlow::Break(answer.results)).unwrap()
    };
    assert_eq!(flavor(None), Some(1), "AUTH_SYS by default");
    assert_eq!(flavor(Some(Auth::None)), Some(0));
}

#[test]
fn silence_when_nobody_serves_the_program() {
    let (pm, _server) = forwarding();
    let nobody = Broadcast::new(PROG + 1, 1, 0, &()).unwrap().destinations([pm.udp]);
    let answers: Vec<Answer<()>> = collect(&nobody.waits(SHORT, SHORT));
    assert!(answers.is_empty());
}

#[test]
fn nowhere_to_send() {
    let none = Broadcast::new(PROG, 1, 0, &()).unwrap().destinations([]);
    let outcome = none.run(|_: Answer<()>| ControlFlow::<()>::Continue(()));
    assert!(matches!(outcome, Err(Error::NoBroadcastDestination)), "{outcome:?}");

    // A multicast on an interface that does not exist cannot be sent.
    let nowhere: SocketAddr = "[ff02::202%4000000]:111".parse().unwrap();
    let mut unsent = Vec::new();
    let quick = Broadcast::new(PROG, 1, 0, &()).unwrap().destinations([nowhere]);
    let outcome = quick.waits(Duration::ZERO, Duration::ZERO).run_with(
        |_: Answer<()>| ControlFlow::<()>::Continue(()),
        |u: &Unsent| unsent.push((u.destination, u.protocol)),
    );
    assert_eq!(outcome.unwrap(), None);
    // portmap v2 never goes to IPv6.
    assert_eq!(unsent, [(nowhere, Protocol::Rpcbind3)]);
}

/// A portmapper that answers each call with a string of bad replies, then
/// a good one (twice).
fn scripted() -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let at = socket.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = vec![0; 65_536];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let Ok((call, _)) = CallHeader::decode_with_args(&buf[..n]) else { continue };
            for reply in replies(call.xid, call.vers) {
                let _ = socket.send_to(&reply, from);
            }
        }
    });
    at
}

fn replies(xid: u32, vers: u32) -> Vec<Vec<u8>> {
    let success = xdr::to_vec(&ReplyHeader::accepted(xid, AcceptStat::Success)).unwrap();
    let with = |body: &[u8]| [&success[..], body].concat();
    let answer = |addr: &str, results: &[u8]| {
        let res = RpcbRmtcallres {
            addr: ByteString::try_from(addr).unwrap(),
            results: Opaque::try_from(results).unwrap(),
        };
        with(&xdr::to_vec(&res).unwrap())
    };
    if vers != 3 {
        return Vec::new();
    }
    vec![
        vec![1, 2, 3],
        xdr::to_vec(&ReplyHeader::accepted(xid ^ 1, AcceptStat::Success)).unwrap(),
        xdr::to_vec(&ReplyHeader::accepted(xid, AcceptStat::GarbageArgs)).unwrap(),
        // Lengths that claim far more than the datagram holds.
        with(&[0xff, 0xff, 0xff, 0xff]),
        with(&[0, 0, 0, 1, b'x', 0, 0, 0, 0x7f, 0xff, 0xff, 0xff]),
        answer("not an address", &7u32.to_be_bytes()),
        answer("10.0.0.9.0.9", &[0, 0]),
        answer("10.0.0.9.0.9", &7u32.to_be_bytes()),
        answer("10.0.0.8.0.8", &8u32.to_be_bytes()),
    ]
}

#[test]
fn hostile_replies_are_dropped() {
    let fake = scripted();
    let b = Broadcast::new(PROG, 1, 0, &()).unwrap().destinations([fake]).waits(SHORT, SHORT);
    let answers: Vec<Answer<u32>> = collect(&b);
    let got: Vec<(u32, String)> =
        answers.iter().map(|a| (a.results, a.service.to_string())).collect();
    assert_eq!(got, [(7, "10.0.0.9:9".to_owned())], "the first good answer only");
    let every: Vec<Answer<u32>> = collect(&b.every_reply(true));
    assert_eq!(every.iter().map(|a| a.results).collect::<Vec<_>>(), [7, 8]);
}
