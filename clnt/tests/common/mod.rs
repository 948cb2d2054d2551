//! A scripted RPC peer for the client tests: it reads calls and answers
//! exactly as each test tells it to, byte for byte.

// Each test binary uses a different part of this test-only module.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};

use rpc::record::{self, Reassembler};
use rpc::{AcceptStat, CallHeader, OpaqueAuth, ReplyBody, ReplyHeader};

/// A call as the peer saw it.
#[derive(Debug, Clone)]
pub struct SeenCall {
    pub xid: u32,
    pub prog: u32,
    pub vers: u32,
    pub proc_num: u32,
    pub cred_flavor: u32,
    pub cred_body: Vec<u8>,
    pub args: Vec<u8>,
}

pub fn parse_call(message: &[u8]) -> SeenCall {
    let (call, args) = CallHeader::decode_with_args(message).unwrap();
    SeenCall {
        xid: call.xid,
        prog: call.prog,
        vers: call.vers,
        proc_num: call.proc_num,
        cred_flavor: call.cred.flavor.0,
        cred_body: call.cred.body.to_vec(),
        args: args.to_vec(),
    }
}

/// A reply message: the header for `body` followed by `results`.
pub fn reply(xid: u32, body: ReplyBody<'_>, results: &[u8]) -> Vec<u8> {
    let mut message = xdr::to_vec(&ReplyHeader { xid, body }).unwrap();
    message.extend_from_slice(results);
    message
}

/// An accepted SUCCESS reply carrying `results`.
pub fn success(xid: u32, results: &[u8]) -> Vec<u8> {
    reply(xid, ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat: AcceptStat::Success }, results)
}

/// One accepted TCP connection of the scripted peer.
pub struct StreamPeer {
    pub stream: TcpStream,
    reassembler: Reassembler,
    buffered: Vec<Vec<u8>>,
}

impl StreamPeer {
    pub fn listen() -> (TcpListener, std::net::SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        (listener, addr)
    }

    pub fn accept(listener: &TcpListener) -> StreamPeer {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        StreamPeer { stream, reassembler: Reassembler::new(64 << 20), buffered: Vec::new() }
    }

    /// Reads the next whole record, and counts the fragments it came in.
    pub fn read_record(&mut self) -> Vec<u8> {
        if let Some(record) = self.buffered.pop() {
            return record;
        }
        let mut buf = [0u8; 65536];
        loop {
            let n = self.stream.read(&mut buf).unwrap();
            assert!(n > 0, "client closed the connection");
            let mut input = &buf[..n];
            let mut got = Vec::new();
            while let Some(record) = self.reassembler.decode(&mut input).unwrap() {
                got.push(record);
            }
            if !got.is_empty() {
                got.reverse();
                let first = got.pop().unwrap();
                self.buffered = got;
                return first;
            }
        }
    }

    pub fn read_call(&mut self) -> SeenCall {
        parse_call(&self.read_record())
    }

    /// Sends `message` as one record.
    pub fn send(&mut self, message: &[u8]) {
        self.stream.write_all(&record::single_fragment(message)).unwrap();
    }
}

/// A UDP peer.
pub struct DatagramPeer {
    pub socket: UdpSocket,
}

impl DatagramPeer {
    pub fn bind() -> DatagramPeer {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        DatagramPeer { socket }
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.socket.local_addr().unwrap()
    }

    pub fn recv(&self) -> (SeenCall, std::net::SocketAddr) {
        let mut buf = [0u8; 65536];
        let (n, from) = self.socket.recv_from(&mut buf).unwrap();
        (parse_call(&buf[..n]), from)
    }
}
