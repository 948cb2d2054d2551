//! Remote calls through a portmapper (portmap v2 CALLIT, rpcbind v3
//! CALLIT, v4 BCAST and INDIRECT) with forwarding off and on: the size of
//! every reply against the request and against what the answer needs
//! (amplification), DUMP's amplification for comparison, and a burst of
//! CALLITs to a registered service that never answers (each forward then
//! waits its full timeout).

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use super::attacks::Outcome;
use super::good::udp_call;
use super::targets::{CALCULATOR, PMAP_PROG};
use super::wire::{self, Xdr};

/// How long to wait for a reply that may never come.
const QUIET: Duration = Duration::from_millis(400);
/// A reply header (24 bytes) plus one word: the largest error answer.
pub const ERROR_REPLY: usize = 28;
/// The padded length of the longest IPv4 universal address
/// (`255.255.255.255.255.255`, 23 bytes), with its length word.
const UADDR: usize = 4 + 24;
/// The program registered at a UDP port that never answers.
pub const SILENT_PROG: u32 = 0x2000_0043;

/// Registers `prog` version 1 at UDP `port` with the portmapper at
/// `pmap` (portmap v2 SET, from loopback): true when it says so.
pub fn register(pmap: SocketAddr, prog: u32, port: u16) -> bool {
    let args = Xdr::new().u32(prog).u32(1).u32(17).u32(u32::from(port)).bytes();
    let call = wire::plain_call(0x5e7, PMAP_PROG, 2, 1, &args);
    let Ok(socket) = UdpSocket::bind(("127.0.0.1", 0)) else { return false };
    if socket.connect(pmap).is_err() {
        return false;
    }
    let reply = udp_call(&socket, &call, 0x5e7, Instant::now() + Duration::from_secs(2));
    reply.is_ok_and(|r| wire::results(&r, 0x5e7) == Ok(&[0, 0, 0, 1]))
}

/// One measured exchange.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Which call (`callit_v2`, `bcast_v4`, `dump_v2`, ...).
    pub call: &'static str,
    /// Where it was to be forwarded (`hello`, `rpcbind`, `unregistered`,
    /// or `-` for DUMP).
    pub dest: &'static str,
    /// The request's size, in bytes.
    pub request: usize,
    /// The reply's size; 0 for none.
    pub reply: usize,
    /// What the reply said (`none` for silence).
    pub kind: &'static str,
    /// The most the reply may need: the forwarded answer with its address
    /// (or an error header when there is nothing to forward).
    pub needed: usize,
}

impl Exchange {
    /// Reply bytes per request byte.
    pub fn amplification(&self) -> f64 {
        self.reply as f64 / self.request as f64
    }

    /// The FIGURE line.
    pub fn figure(&self, target: &str, forwarding: bool) -> String {
        format!(
            "FIGURE attack=remote_call_size target={target} forwarding={} call={} dest={} \
             request_bytes={} reply_bytes={} needed_bytes={} amplification={:.2} reply={}",
            if forwarding { "on" } else { "off" },
            self.call,
            self.dest,
            self.request,
            self.reply,
            self.needed,
            self.amplification(),
            self.kind
        )
    }
}

/// One UDP exchange: the reply, if one came within [`QUIET`]. The socket
/// is not connected: the system rpcbind sends the answer to a forwarded
/// call from its forwarding socket, not from port 111 (broadcast clients
/// take answers from any address).
fn once(to: SocketAddr, call: &[u8]) -> Option<Vec<u8>> {
    let socket = UdpSocket::bind(("127.0.0.1", 0)).ok()?;
    socket.send_to(call, to).ok()?;
    socket.set_read_timeout(Some(QUIET)).ok()?;
    let mut buf = vec![0; 65_536];
    let (n, _) = socket.recv_from(&mut buf).ok()?;
    Some(buf[..n].to_vec())
}

/// Every remote-call procedure to three destinations (the calculator's
/// HELLO with a 64-byte name, rpcbind itself, a program not registered),
/// and the three DUMPs, against the portmapper at `pmap`; the calculator
/// must be registered there and answer at `calculator` (UDP).
pub fn sizes(pmap: SocketAddr, calculator: SocketAddr) -> Vec<Exchange> {
    let (prog, vers) = CALCULATOR;
    let hello = Xdr::new().opaque(&[b'n'; 64]).bytes();
    // What HELLO answers when called directly: the results forwarding adds
    // its address and a length to.
    let direct = wire::plain_call(0xd1, prog, vers, 6, &hello);
    let results = once(calculator, &direct)
        .and_then(|r| wire::results(&r, 0xd1).ok().map(<[u8]>::len))
        .unwrap_or_else(|| panic!("the calculator does not answer HELLO at {calculator}"));
    let dests: [(&str, u32, u32, u32, &[u8]); 3] = [
        ("hello", prog, vers, 6, &hello),
        ("rpcbind", PMAP_PROG, 2, 4, &[]),
        ("unregistered", 0x2000_0099, 1, 0, &[]),
    ];
    let mut out = Vec::new();
    let mut xid = 0xca11_0000;
    for (call, pvers, proc_num) in
        [("callit_v2", 2, 5), ("callit_v3", 3, 5), ("bcast_v4", 4, 5), ("indirect_v4", 4, 10)]
    {
        for (dest, dprog, dvers, dproc, args) in dests {
            xid += 1;
            let body = Xdr::new().u32(dprog).u32(dvers).u32(dproc).opaque(args).bytes();
            let request = wire::plain_call(xid, PMAP_PROG, pvers, proc_num, &body);
            let reply = once(pmap, &request);
            let address = if pvers == 2 { 4 } else { UADDR };
            let needed = if dest == "hello" { 24 + address + 4 + results } else { ERROR_REPLY };
            out.push(Exchange {
                call,
                dest,
                request: request.len(),
                reply: reply.as_ref().map_or(0, Vec::len),
                kind: reply.as_deref().map_or("none", wire::reply_kind),
                needed,
            });
        }
    }
    for (call, pvers) in [("dump_v2", 2), ("dump_v3", 3), ("dump_v4", 4)] {
        xid += 1;
        let request = wire::plain_call(xid, PMAP_PROG, pvers, 4, &[]);
        let reply = once(pmap, &request);
        out.push(Exchange {
            call,
            dest: "-",
            request: request.len(),
            reply: reply.as_ref().map_or(0, Vec::len),
            kind: reply.as_deref().map_or("none", wire::reply_kind),
            needed: reply.as_ref().map_or(0, Vec::len),
        });
    }
    out
}

/// What our rpcbind's remote-call replies must respect: never larger than
/// the request's useful answer; with forwarding off, silence or an error
/// header, never more than the request.
pub fn violations(exchanges: &[Exchange], forwarding: bool) -> Vec<String> {
    let mut bad = Vec::new();
    for e in exchanges.iter().filter(|e| e.dest != "-") {
        let limit = if forwarding { e.needed } else { ERROR_REPLY.min(e.request) };
        if e.reply > limit {
            bad.push(format!(
                "{} to {} (forwarding {}): {} reply bytes, more than {limit}",
                e.call,
                e.dest,
                if forwarding { "on" } else { "off" },
                e.reply
            ));
        }
    }
    if forwarding && !exchanges.iter().any(|e| e.dest == "hello" && e.kind == "success") {
        bad.push("forwarding on, no remote call reached the calculator".to_owned());
    }
    bad
}

/// A burst of `count` portmap v2 CALLITs (within `limit`) to
/// [`SILENT_PROG`], registered at a UDP port that never answers: with
/// forwarding on, each forward holds its slot for the whole forwarding
/// timeout.
pub fn callit_burst(pmap: SocketAddr, count: usize, limit: Duration) -> Outcome {
    let mut out = Outcome::default();
    let Ok(socket) = UdpSocket::bind(("127.0.0.1", 0)) else { return out };
    let started = Instant::now();
    for i in 0..count {
        if started.elapsed() > limit {
            break;
        }
        let body = Xdr::new().u32(SILENT_PROG).u32(1).u32(0).opaque(&[]).bytes();
        let call = wire::plain_call(0xb0_0000 + i as u32, PMAP_PROG, 2, 5, &body);
        if socket.send_to(&call, pmap).is_ok() {
            out.sent += 1;
        }
    }
    let _ = socket.set_read_timeout(Some(QUIET));
    let mut replies = 0;
    let mut buf = vec![0; 65_536];
    while socket.recv_from(&mut buf).is_ok() {
        replies += 1;
    }
    out.notes.push(("replies", replies.to_string()));
    out
}
