//! Credentials belong to the handle: [`Client::with_auth`] handles share
//! the connection but send their own credentials, and each keeps its own
//! `AUTH_SHORT` shorthand.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::thread;

use clnt::{Auth, Client, ClientBuilder};
use common::{SeenCall, StreamPeer, reply, success};
use rpc::{AcceptStat, AuthFlavor, AuthSysParms, OpaqueAuth, ReplyBody};

const PROG: u32 = 0x2000_0302;

/// What a call's credential said.
#[derive(Debug, PartialEq, Eq)]
enum Sent {
    None,
    /// `AUTH_SYS` with this uid.
    Sys(u32),
    /// `AUTH_SHORT` with this shorthand.
    Short(Vec<u8>),
}

fn sent(call: &SeenCall) -> Sent {
    match AuthFlavor(call.cred_flavor) {
        AuthFlavor::NONE => Sent::None,
        AuthFlavor::SYS => Sent::Sys(xdr::from_slice::<AuthSysParms>(&call.cred_body).unwrap().uid),
        AuthFlavor::SHORT => Sent::Short(call.cred_body.clone()),
        other => panic!("unexpected flavor {other:?}"),
    }
}

fn with_short(xid: u32, handle: &[u8]) -> Vec<u8> {
    let verf = OpaqueAuth { flavor: AuthFlavor::SHORT, body: handle };
    reply(xid, ReplyBody::Accepted { verf, stat: AcceptStat::Success }, &[])
}

#[test]
fn handles_on_one_connection_send_their_own_credentials_and_shorthands() {
    let (listener, addr) = StreamPeer::listen();
    // One connection only: every call below must arrive on it.
    let peer = thread::spawn(move || {
        let mut peer = StreamPeer::accept(&listener);
        let mut seen = Vec::new();
        for step in 0..6 {
            let call = peer.read_call();
            seen.push(sent(&call));
            match step {
                // The first calls of each credential get a shorthand.
                0 => peer.send(&with_short(call.xid, b"tokA")),
                1 => peer.send(&with_short(call.xid, b"tokB")),
                _ => peer.send(&success(call.xid, &[])),
            }
        }
        seen
    });
    let a = ClientBuilder::new(PROG, 1)
        .auth(Auth::sys("node1", 1000, 100, &[]).unwrap())
        .tcp(addr)
        .unwrap();
    let b = a.with_auth(Auth::sys("node1", 65534, 65534, &[]).unwrap()).unwrap();
    let a_clone = a.clone();
    let none = a.with_auth(Auth::None).unwrap();
    let call = |c: &Client| c.call::<(), ()>(1, &()).unwrap();
    call(&a); // SYS 1000 -> tokA
    call(&b); // SYS 65534 (not tokA) -> tokB
    call(&a_clone); // tokA: clones share the handle's state
    call(&b); // tokB
    call(&a); // tokA
    call(&none); // AUTH_NONE: neither shorthand
    let seen = peer.join().unwrap();
    assert_eq!(
        seen,
        [
            Sent::Sys(1000),
            Sent::Sys(65534),
            Sent::Short(b"tokA".to_vec()),
            Sent::Short(b"tokB".to_vec()),
            Sent::Short(b"tokA".to_vec()),
            Sent::None,
        ]
    );
}
