//! Test support: the `svctest` program (the hand-written stand-in for
//! generated code, matching `tests/interop/svctest.x`), a raw-socket client
//! built on `rpc::CallHeader` and `rpc::record`, and server set-up helpers.

// Each test binary uses a different part of this test-only module.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use rpc::record::Reassembler;
use rpc::{
    AcceptStat, AuthFlavor, AuthStat, CallHeader, OpaqueAuth, RejectedReply, ReplyBody, ReplyHeader,
};
use svc::{CallContext, Credentials, Dispatch, Limits, ProcError, Server, ServerHandle};
use xdr::{Decoder, Encoder, OpaqueRef};

/// The test program's number (as in svctest.x).
pub const PROG: u32 = 0x2000_0101;
/// Procedures of the test program.
pub const NULL: u32 = 0;
pub const ECHO: u32 = 1;
pub const ADD: u32 = 2;
pub const WHOAMI: u32 = 3;
pub const FAIL: u32 = 4;
pub const SLEEP: u32 = 5;
pub const DENY: u32 = 6;
pub const PANIC: u32 = 7;
pub const GATE: u32 = 8;

/// Bounds every blocking read in the tests.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// A gate procedures can wait at, with counters of what ran.
#[derive(Default)]
pub struct Gate {
    open: Mutex<bool>,
    cv: Condvar,
    /// Calls that reached the GATE procedure.
    pub started: AtomicUsize,
}

impl Gate {
    /// Lets every waiting and future GATE call through.
    pub fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }

    /// Waits until the gate is open (failing the test after [`IO_TIMEOUT`]).
    pub fn pass(&self) {
        self.started.fetch_add(1, Ordering::SeqCst);
        let guard = self.open.lock().unwrap();
        let (_guard, timeout) =
            self.cv.wait_timeout_while(guard, IO_TIMEOUT, |open| !*open).unwrap();
        assert!(!timeout.timed_out(), "gate never opened");
    }
}

/// The test program, one version.
pub struct TestProg {
    pub vers: u32,
    pub gate: Arc<Gate>,
}

/// Transport numbers in WHOAMI results.
fn transport_number(t: svc::Transport) -> u32 {
    match t {
        svc::Transport::Tcp => 0,
        svc::Transport::Udp => 1,
        svc::Transport::Unix => 2,
    }
}

impl Dispatch for TestProg {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        let mut dec = Decoder::new(args);
        let mut enc = Encoder::new(results);
        match ctx.proc_num {
            NULL => {}
            ECHO => {
                let data: OpaqueRef<'_> = dec.read()?;
                dec.finish()?;
                enc.put_var_opaque(data.as_bytes(), u32::MAX).map_err(|_| ProcError::SystemErr)?;
            }
            ADD => {
                let (a, b) = (dec.read_i32()?, dec.read_i32()?);
                dec.finish()?;
                let sum = a.wrapping_add(b);
                enc.put_i32(if self.vers == 2 { sum.wrapping_mul(2) } else { sum });
            }
            WHOAMI => {
                dec.finish()?;
                enc.put_u32(ctx.credentials.flavor().0);
                let parms = ctx.credentials.auth_sys().cloned().unwrap_or_default();
                enc.put_u32(parms.stamp);
                enc.put_var_opaque(&parms.machine_name, 255).map_err(|_| ProcError::SystemErr)?;
                enc.put_u32(parms.uid);
                enc.put_u32(parms.gid);
                enc.put_u32(parms.gids.len() as u32);
                for g in parms.gids.iter() {
                    enc.put_u32(*g);
                }
                enc.put_u32(transport_number(ctx.transport));
                match ctx.peer_cred {
                    Some(c) => {
                        enc.put_i32(c.pid);
                        enc.put_u32(c.uid);
                        enc.put_u32(c.gid);
                    }
                    None => {
                        enc.put_i32(-1);
                        enc.put_u32(0);
                        enc.put_u32(0);
                    }
                }
                if let Credentials::Other { body, .. } = &ctx.credentials {
                    assert!(body.len() <= 400);
                }
            }
            FAIL => return Err(ProcError::SystemErr),
            SLEEP => {
                let ms = dec.read_u32()?;
                dec.finish()?;
                std::thread::sleep(Duration::from_millis(u64::from(ms)));
            }
            DENY => return Err(ProcError::AuthError(AuthStat::TooWeak)),
            PANIC => panic!("the PANIC procedure panics (expected in tests)"),
            GATE => {
                let data: OpaqueRef<'_> = dec.read()?;
                self.gate.pass();
                enc.put_var_opaque(data.as_bytes(), u32::MAX).map_err(|_| ProcError::SystemErr)?;
            }
            _ => return Err(ProcError::ProcUnavail),
        }
        Ok(())
    }

    fn runs_inline(&self, proc_num: u32) -> bool {
        proc_num == NULL
    }
}

/// A unique Unix socket path in the test temp dir.
pub fn unix_path(name: &str) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::SeqCst);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("svc-{}-{name}-{n}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A running test server with TCP, UDP and Unix listeners exporting
/// versions 1 and 2 of the test program.
pub struct TestServer {
    pub handle: ServerHandle,
    pub tcp: SocketAddr,
    pub udp: SocketAddr,
    pub unix: PathBuf,
    pub gate: Arc<Gate>,
}

/// Starts a test server.
pub fn start(workers: usize, limits: Limits) -> TestServer {
    let _ = env_logger::builder().is_test(true).try_init();
    let gate = Arc::new(Gate::default());
    let unix = unix_path("srv");
    let server = Server::builder()
        .register(PROG, 1, TestProg { vers: 1, gate: Arc::clone(&gate) })
        .register(PROG, 2, TestProg { vers: 2, gate: Arc::clone(&gate) })
        .listen_tcp("127.0.0.1:0".parse().unwrap())
        .listen_udp("127.0.0.1:0".parse().unwrap())
        .listen_unix(&unix)
        .workers(workers)
        .limits(limits)
        .build()
        .unwrap();
    let tcp = server.tcp_addr().unwrap();
    let udp = server.udp_addr().unwrap();
    let handle = server.spawn().unwrap();
    TestServer { handle, tcp, udp, unix, gate }
}

/// A reply, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Success(Vec<u8>),
    ProgUnavail,
    ProgMismatch { low: u32, high: u32 },
    ProcUnavail,
    GarbageArgs,
    SystemErr,
    RpcMismatch { low: u32, high: u32 },
    AuthError(AuthStat),
}

/// Encodes a call message.
pub fn call_message(
    xid: u32,
    rpcvers: u32,
    (prog, vers, proc_num): (u32, u32, u32),
    cred: OpaqueAuth<'_>,
    args: &[u8],
) -> Vec<u8> {
    let header = CallHeader { xid, rpcvers, prog, vers, proc_num, cred, verf: OpaqueAuth::NONE };
    let mut msg = xdr::to_vec(&header).unwrap();
    msg.extend_from_slice(args);
    msg
}

/// Decodes a reply message.
pub fn parse_reply(msg: &[u8]) -> (u32, Reply) {
    let (header, results) = ReplyHeader::decode_with_results(msg).unwrap();
    let reply = match header.body {
        ReplyBody::Accepted { stat, .. } => match stat {
            AcceptStat::Success => Reply::Success(results.to_vec()),
            AcceptStat::ProgUnavail => Reply::ProgUnavail,
            AcceptStat::ProgMismatch { low, high } => Reply::ProgMismatch { low, high },
            AcceptStat::ProcUnavail => Reply::ProcUnavail,
            AcceptStat::GarbageArgs => Reply::GarbageArgs,
            AcceptStat::SystemErr => Reply::SystemErr,
        },
        ReplyBody::Denied(RejectedReply::RpcMismatch { low, high }) => {
            Reply::RpcMismatch { low, high }
        }
        ReplyBody::Denied(RejectedReply::AuthError(stat)) => Reply::AuthError(stat),
    };
    (header.xid, reply)
}

/// XDR `opaque<>` of `data`.
pub fn opaque(data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    Encoder::new(&mut v).put_var_opaque(data, u32::MAX).unwrap();
    v
}

/// XDR of a u32.
pub fn u32_arg(v: u32) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

/// Encoded AUTH_SYS parameters.
pub fn auth_sys_body(stamp: u32, machine: &str, uid: u32, gid: u32, gids: &[u32]) -> Vec<u8> {
    let parms = rpc::AuthSysParms {
        stamp,
        machine_name: xdr::ByteString::try_from(machine).unwrap(),
        uid,
        gid,
        gids: xdr::VarArray::new(gids.to_vec()).unwrap(),
    };
    xdr::to_vec(&parms).unwrap()
}

/// An AUTH_SYS credential with body `body`.
pub fn sys(body: &[u8]) -> OpaqueAuth<'_> {
    OpaqueAuth { flavor: AuthFlavor::SYS, body }
}

/// A record-marking client over any stream socket.
pub struct StreamClient<S> {
    pub stream: S,
    reasm: Reassembler,
    buf: Vec<u8>,
    next_xid: u32,
}

impl StreamClient<TcpStream> {
    /// Connects over TCP.
    pub fn tcp(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        StreamClient::new(stream)
    }
}

impl StreamClient<UnixStream> {
    /// Connects over a Unix socket.
    pub fn unix(path: &std::path::Path) -> Self {
        let stream = UnixStream::connect(path).unwrap();
        stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        StreamClient::new(stream)
    }
}

impl<S: Read + Write> StreamClient<S> {
    pub fn new(stream: S) -> Self {
        StreamClient { stream, reasm: Reassembler::new(64 << 20), buf: Vec::new(), next_xid: 1 }
    }

    /// Sends one message as a single-fragment record.
    pub fn send(&mut self, msg: &[u8]) {
        self.stream.write_all(&rpc::record::single_fragment(msg)).unwrap();
    }

    /// Sends raw bytes.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Receives one record; `Ok(None)` at end of stream.
    pub fn recv(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            let mut input = &self.buf[..];
            let record = self.reasm.decode(&mut input).unwrap();
            let used = self.buf.len() - input.len();
            self.buf.drain(..used);
            if let Some(r) = record {
                return Ok(Some(r));
            }
            let mut chunk = [0u8; 65536];
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Ok(None);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Receives one reply.
    pub fn recv_reply(&mut self) -> (u32, Reply) {
        parse_reply(&self.recv().unwrap().expect("connection closed before the reply"))
    }

    /// A fresh xid.
    pub fn xid(&mut self) -> u32 {
        self.next_xid += 1;
        self.next_xid
    }

    /// Calls with full control over the header.
    pub fn call_with(
        &mut self,
        rpcvers: u32,
        target: (u32, u32, u32),
        cred: OpaqueAuth<'_>,
        args: &[u8],
    ) -> Reply {
        let xid = self.xid();
        self.send(&call_message(xid, rpcvers, target, cred, args));
        let (got, reply) = self.recv_reply();
        assert_eq!(got, xid);
        reply
    }

    /// Calls the test program, version 1, with AUTH_NONE.
    pub fn call(&mut self, proc_num: u32, args: &[u8]) -> Reply {
        self.call_with(2, (PROG, 1, proc_num), OpaqueAuth::NONE, args)
    }

    /// True when the server closed the connection (end of stream or reset).
    pub fn is_closed(&mut self) -> bool {
        match self.recv() {
            Ok(None) => true,
            Err(e) => {
                matches!(e.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe)
            }
            Ok(Some(r)) => panic!("unexpected record {r:?}"),
        }
    }
}

/// A UDP client.
pub struct UdpClient {
    pub socket: UdpSocket,
    next_xid: u32,
}

impl UdpClient {
    /// A client socket connected to `server`.
    pub fn new(server: SocketAddr) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.connect(server).unwrap();
        socket.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        UdpClient { socket, next_xid: 1000 }
    }

    /// Calls with full control over the header.
    pub fn call_with(
        &mut self,
        rpcvers: u32,
        target: (u32, u32, u32),
        cred: OpaqueAuth<'_>,
        args: &[u8],
    ) -> Reply {
        self.next_xid += 1;
        let xid = self.next_xid;
        self.socket.send(&call_message(xid, rpcvers, target, cred, args)).unwrap();
        let mut buf = vec![0u8; 65536];
        loop {
            let n = self.socket.recv(&mut buf).unwrap();
            let (got, reply) = parse_reply(&buf[..n]);
            if got == xid {
                return reply;
            }
        }
    }

    /// Calls the test program, version 1, with AUTH_NONE.
    pub fn call(&mut self, proc_num: u32, args: &[u8]) -> Reply {
        self.call_with(2, (PROG, 1, proc_num), OpaqueAuth::NONE, args)
    }
}
