//! `ProcError::NoReply`: the caller gets nothing, and a stream connection
//! stays open for its next calls, with procedures inline and on workers.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::UdpSocket;
use std::time::Duration;

use common::{Reply, StreamClient, call_message, parse_reply, unix_path};
use rpc::OpaqueAuth;
use svc::{CallContext, Dispatch, ProcError, Server};

const PROG: u32 = 0x2000_0102;
/// Answers nothing.
const SILENT: u32 = 1;
/// Answers its u32 argument.
const ECHO: u32 = 2;

struct Quiet;

impl Dispatch for Quiet {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        match ctx.proc_num {
            SILENT => {
                // Whatever was appended before is dropped too.
                results.extend_from_slice(&[1, 2, 3, 4]);
                Err(ProcError::NoReply)
            }
            ECHO => {
                results.extend_from_slice(args);
                Ok(())
            }
            _ => Err(ProcError::ProcUnavail),
        }
    }

    fn runs_inline(&self, proc_num: u32) -> bool {
        proc_num == SILENT
    }
}

fn message(xid: u32, proc_num: u32) -> Vec<u8> {
    call_message(xid, 2, (PROG, 1, proc_num), OpaqueAuth::NONE, &xid.to_be_bytes())
}

fn silent_then_echo<S: std::io::Read + std::io::Write>(client: &mut StreamClient<S>) {
    client.send(&message(10, SILENT));
    client.send(&message(11, ECHO));
    assert_eq!(client.recv_reply(), (11, Reply::Success(11u32.to_be_bytes().to_vec())));
}

fn check(workers: usize) {
    let path = unix_path("quiet");
    let server = Server::builder()
        .register(PROG, 1, Quiet)
        .listen_tcp("127.0.0.1:0".parse().unwrap())
        .listen_udp("127.0.0.1:0".parse().unwrap())
        .listen_unix(&path)
        .workers(workers)
        .build()
        .unwrap();
    let (tcp, udp) = (server.tcp_addr().unwrap(), server.udp_addr().unwrap());
    let handle = server.spawn().unwrap();

    // Streams: the silent call's reply never comes, the next call's does.
    silent_then_echo(&mut StreamClient::tcp(tcp));
    silent_then_echo(&mut StreamClient::unix(&path));

    // UDP: no datagram for the silent call.
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(udp).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    socket.send(&message(20, SILENT)).unwrap();
    let mut buf = [0u8; 512];
    let err = socket.recv(&mut buf).unwrap_err();
    assert!(matches!(err.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut));
    socket.send(&message(21, ECHO)).unwrap();
    let n = socket.recv(&mut buf).unwrap();
    assert_eq!(parse_reply(&buf[..n]), (21, Reply::Success(21u32.to_be_bytes().to_vec())));

    handle.shutdown().unwrap();
}

#[test]
fn no_reply_inline() {
    check(0);
}

#[test]
fn no_reply_on_workers() {
    check(2);
}
