//! Test support: a daemon started in-process or as the built binary on
//! loopback with unprivileged ports, a socket and a state directory in a
//! fresh temporary directory; clients for every version and transport;
//! raw-socket calls for what the generated clients cannot send.

// Each test binary uses a different part of this module.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use clnt::ClientBuilder;
use portmapper::proto::pmap_prot::{Mapping, PmapProgPmapVersClient, PmaplistPtr};
use portmapper::proto::rpcb_prot::{
    Rpcb, RpcblistPtr, RpcbprogRpcbvers4Client, RpcbprogRpcbversClient,
};
use rpc::{CallHeader, OpaqueAuth, ReplyBody, ReplyHeader};
use rpcbind::{Daemon, Options};
use svc::ServerHandle;
use test_support::ScratchDir;
use xdr::ByteString;

/// Bounds every wait in the tests.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A fresh directory for one daemon: its socket and its state (under the
/// system temporary directory, which the security tests' other uids
/// reach).
pub struct Dir(ScratchDir);

impl Dir {
    pub fn new(name: &str) -> Dir {
        Dir(ScratchDir::new(&format!("rpcbind-{name}")))
    }

    pub fn socket(&self) -> PathBuf {
        self.0.join("rpcbind.sock")
    }

    pub fn state(&self) -> PathBuf {
        self.0.join("state")
    }

    /// The daemon options for this directory on `port`, plus `extra`.
    pub fn args(&self, port: u16, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = vec![
            "--port".into(),
            port.to_string(),
            "--socket".into(),
            self.socket().display().to_string(),
            "--state-dir".into(),
            self.state().display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }
}

/// A daemon running in this process.
pub struct Running {
    pub handle: ServerHandle,
    pub tcp: SocketAddr,
    pub udp: SocketAddr,
    pub dir: Dir,
}

/// Starts a daemon in-process on ephemeral ports, with `extra` options.
pub fn start(extra: &[&str]) -> Running {
    start_in(Dir::new("inproc"), extra)
}

/// Starts a daemon in-process in `dir`.
pub fn start_in(dir: Dir, extra: &[&str]) -> Running {
    let _ = env_logger::builder().is_test(true).try_init();
    let args = dir.args(0, &[&["-f"], extra].concat());
    let opts = Options::parse_from(std::iter::once("rpcbind".to_owned()).chain(args));
    let daemon = Daemon::bind(&opts).unwrap();
    let (tcp, udp) = (daemon.tcp_addr().unwrap(), daemon.udp_addr().unwrap());
    let handle = daemon.spawn().unwrap();
    Running { handle, tcp, udp, dir }
}

impl Running {
    pub fn socket(&self) -> PathBuf {
        self.dir.socket()
    }

    pub fn v4_unix(&self) -> RpcbprogRpcbvers4Client {
        RpcbprogRpcbvers4Client::connect_unix(self.socket()).unwrap()
    }

    pub fn v4_tcp(&self) -> RpcbprogRpcbvers4Client {
        RpcbprogRpcbvers4Client::new(client(4).tcp(self.tcp).unwrap())
    }

    pub fn v4_udp(&self) -> RpcbprogRpcbvers4Client {
        RpcbprogRpcbvers4Client::new(client(4).udp(self.udp).unwrap())
    }

    pub fn v3_tcp(&self) -> RpcbprogRpcbversClient {
        RpcbprogRpcbversClient::new(client(3).tcp(self.tcp).unwrap())
    }

    pub fn v3_unix(&self) -> RpcbprogRpcbversClient {
        RpcbprogRpcbversClient::connect_unix(self.socket()).unwrap()
    }

    pub fn v2_udp(&self) -> PmapProgPmapVersClient {
        PmapProgPmapVersClient::new(client(2).udp(self.udp).unwrap())
    }

    pub fn v2_tcp(&self) -> PmapProgPmapVersClient {
        PmapProgPmapVersClient::new(client(2).tcp(self.tcp).unwrap())
    }
}

/// A client builder for rpcbind version `vers` with the test timeout.
pub fn client(vers: u32) -> ClientBuilder {
    ClientBuilder::new(100_000, vers).timeout(TIMEOUT)
}

/// An `rpcb` argument.
pub fn rpcb(prog: u32, vers: u32, netid: &str, addr: &str) -> Rpcb {
    Rpcb {
        r_prog: prog,
        r_vers: vers,
        r_netid: ByteString::try_from(netid).unwrap(),
        r_addr: ByteString::try_from(addr).unwrap(),
        r_owner: ByteString::default(),
    }
}

/// A portmap v2 mapping.
pub fn mapping(prog: u32, vers: u32, prot: u32, port: u32) -> Mapping {
    Mapping { prog, vers, prot, port }
}

pub fn text(b: &ByteString) -> String {
    String::from_utf8_lossy(b.as_bytes()).into_owned()
}

/// A DUMP as (prog, vers, netid, addr, owner).
pub fn entries(list: &RpcblistPtr) -> Vec<(u32, u32, String, String, String)> {
    list.iter()
        .map(|n| &n.rpcb_map)
        .map(|m| (m.r_prog, m.r_vers, text(&m.r_netid), text(&m.r_addr), text(&m.r_owner)))
        .collect()
}

/// The entries of `list` for programs other than rpcbind's.
pub fn others(list: &RpcblistPtr) -> Vec<(u32, u32, String, String, String)> {
    entries(list).into_iter().filter(|e| e.0 != 100_000).collect()
}

/// A portmap v2 DUMP as (prog, vers, prot, port).
pub fn mappings(list: &PmaplistPtr) -> Vec<(u32, u32, u32, u32)> {
    list.iter().map(|n| (n.map.prog, n.map.vers, n.map.prot, n.map.port)).collect()
}

/// The universal address text of `s`.
pub fn s(s: &str) -> String {
    s.to_owned()
}

/// A reply decoded: the accept status or denial, and the results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raw {
    Success(Vec<u8>),
    Error(String),
    Silence,
}

/// An encoded call message.
pub fn call_message(
    xid: u32,
    vers: u32,
    proc_num: u32,
    cred: OpaqueAuth<'_>,
    args: &[u8],
) -> Vec<u8> {
    let header =
        CallHeader { xid, rpcvers: 2, prog: 100_000, vers, proc_num, cred, verf: OpaqueAuth::NONE };
    let mut msg = xdr::to_vec(&header).unwrap();
    msg.extend_from_slice(args);
    msg
}

fn parse(reply: &[u8]) -> Raw {
    let (header, results) = ReplyHeader::decode_with_results(reply).unwrap();
    match header.body {
        ReplyBody::Accepted { stat: rpc::AcceptStat::Success, .. } => {
            Raw::Success(results.to_vec())
        }
        ReplyBody::Accepted { stat, .. } => Raw::Error(format!("{stat:?}")),
        ReplyBody::Denied(d) => Raw::Error(format!("{d:?}")),
    }
}

/// Sends one UDP call from `socket` and waits `wait` for its reply.
pub fn udp_call_from(
    socket: &UdpSocket,
    to: SocketAddr,
    msg: &[u8],
    wait: Duration,
) -> (Raw, usize) {
    socket.set_read_timeout(Some(wait)).unwrap();
    socket.send_to(msg, to).unwrap();
    let mut buf = vec![0u8; 70_000];
    match socket.recv_from(&mut buf) {
        Ok((n, _)) => (parse(&buf[..n]), n),
        Err(_) => (Raw::Silence, 0),
    }
}

/// Sends one UDP call (AUTH_NONE) to procedure `proc_num` of version
/// `vers`; returns the reply and its size.
pub fn udp_call(
    to: SocketAddr,
    vers: u32,
    proc_num: u32,
    args: &[u8],
    wait: Duration,
) -> (Raw, usize) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp_call_from(&socket, to, &call_message(7, vers, proc_num, OpaqueAuth::NONE, args), wait)
}

/// Sends one call over a stream and waits `wait` for its reply.
pub fn stream_call<S: Read + Write>(stream: &mut S, msg: &[u8]) -> Raw {
    stream.write_all(&rpc::record::single_fragment(msg)).unwrap();
    let mut mark = [0u8; 4];
    if stream.read_exact(&mut mark).is_err() {
        return Raw::Silence;
    }
    let len = (u32::from_be_bytes(mark) & 0x7fff_ffff) as usize;
    let mut reply = vec![0u8; len];
    stream.read_exact(&mut reply).unwrap();
    parse(&reply)
}

/// A TCP connection from `from` (an address of this host) to `to`.
pub fn tcp_from(from: SocketAddr, to: SocketAddr) -> TcpStream {
    let socket =
        socket2::Socket::new(socket2::Domain::for_address(from), socket2::Type::STREAM, None)
            .unwrap();
    socket.bind(&from.into()).unwrap();
    socket.connect(&to.into()).unwrap();
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream
}

/// True when this process runs as root.
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// For tests that need root: true to go on. Outside CI (`CI` unset) a
/// non-root run skips loudly; in CI it fails.
pub fn need_root(test: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{test} needs root in CI");
    eprintln!("SKIPPED {test}: needs root");
    false
}

/// A port free for TCP and UDP on IPv4 and IPv6 (IPv6-only sockets, as
/// the daemon binds them) right now.
pub fn free_port() -> u16 {
    use socket2::{Domain, Socket, Type};
    let bind = |domain: Domain, ty: Type, addr: SocketAddr| -> Option<Socket> {
        let socket = Socket::new(domain, ty, None).ok()?;
        if domain == Domain::IPV6 {
            socket.set_only_v6(true).ok()?;
        }
        socket.bind(&addr.into()).ok()?;
        Some(socket)
    };
    for _ in 0..1000 {
        let Some(tcp) = bind(Domain::IPV4, Type::STREAM, "0.0.0.0:0".parse().unwrap()) else {
            continue;
        };
        let port = tcp.local_addr().unwrap().as_socket().unwrap().port();
        let others = [
            (Domain::IPV4, Type::DGRAM, SocketAddr::from(([0, 0, 0, 0], port))),
            (Domain::IPV6, Type::STREAM, SocketAddr::from(([0u16; 8], port))),
            (Domain::IPV6, Type::DGRAM, SocketAddr::from(([0u16; 8], port))),
        ];
        if others.iter().all(|&(d, t, a)| bind(d, t, a).is_some()) {
            return port;
        }
    }
    panic!("no free port")
}

/// The daemon binary run as a child process.
pub struct Process {
    pub child: Option<Child>,
    pub port: u16,
}

impl Process {
    /// Starts `rpcbind -f` with `args` and waits until it answers.
    pub fn start(dir: &Dir, port: u16, extra: &[&str]) -> Process {
        let child = Command::new(env!("CARGO_BIN_EXE_rpcbind"))
            .args(dir.args(port, &[&["-f"], extra].concat()))
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let process = Process { child: Some(child), port };
        wait_until_serving(dir.socket().as_path(), port);
        process
    }

    pub fn tcp(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Kills the process with SIGKILL, by pid, and reaps it.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Waits until a daemon answers NULL on `socket` and on TCP `port`.
pub fn wait_until_serving(socket: &Path, port: u16) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let unix = RpcbprogRpcbvers4Client::connect_unix(socket).and_then(|c| c.null());
        let tcp = client(4)
            .timeout(Duration::from_millis(500))
            .tcp(("127.0.0.1", port))
            .and_then(|c| RpcbprogRpcbvers4Client::new(c).null());
        if unix.is_ok() && tcp.is_ok() {
            return;
        }
        assert!(Instant::now() < deadline, "the daemon did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}
