//! The well-behaved client: a NULL call and a real call (GETADDR, ADD,
//! LOOKUP, ...) on a fresh TCP connection, and over UDP with
//! retransmission where the target serves UDP; and the [`Prober`] that
//! repeats it in the background during an attack and keeps the latencies.

use std::io::Write;
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::wire;

/// How often the good client calls during an attack.
const PERIOD: Duration = Duration::from_millis(50);
/// The UDP retransmission interval (libtirpc's clnt_dg waits as long).
const RETRANSMIT: Duration = Duration::from_millis(100);

/// Every call of this process gets its own xid.
static XID: AtomicU32 = AtomicU32::new(0x600d_0000);

fn next_xid() -> u32 {
    XID.fetch_add(1, Ordering::Relaxed)
}

/// A well-behaved client of one target.
#[derive(Debug, Clone)]
pub struct GoodClient {
    /// Where the target serves TCP.
    pub tcp: SocketAddr,
    /// Where it serves UDP, if it does.
    pub udp: Option<SocketAddr>,
    /// The program and version called.
    pub prog: u32,
    /// The version.
    pub vers: u32,
    /// The real call's procedure.
    pub proc_num: u32,
    /// Its arguments, encoded.
    pub args: Vec<u8>,
    /// The results expected, when they are known exactly; otherwise any
    /// successful reply does.
    pub expect: Option<Vec<u8>>,
}

impl GoodClient {
    /// NULL then the real call on a fresh TCP connection, all within
    /// `limit`: the time taken, or what went wrong. A connection the
    /// daemon closes before its first answer (to make room for others, at
    /// its connection limit) is opened again, as a client would; one
    /// closed in the middle of the session is a failure.
    pub fn over_tcp(&self, limit: Duration) -> Result<Duration, String> {
        self.tcp_probe(limit).0
    }

    /// [`GoodClient::over_tcp`], and how many times it connected again.
    pub fn tcp_probe(&self, limit: Duration) -> (Result<Duration, String>, u32) {
        let started = Instant::now();
        let mut again = 0;
        loop {
            match self.session(started, limit) {
                Ok(()) => return (Ok(started.elapsed()), again),
                Err((true, _)) if started.elapsed() < limit => {
                    again += 1;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err((_, e)) => return (Err(e), again),
            }
        }
    }

    /// One session; on failure, whether no answer had come yet.
    fn session(&self, started: Instant, limit: Duration) -> Result<(), (bool, String)> {
        let left = || limit.saturating_sub(started.elapsed()).max(Duration::from_millis(1));
        let fresh = |e: String| (true, e);
        let mut stream = TcpStream::connect_timeout(&self.tcp, left())
            .map_err(|e| fresh(format!("connect: {e}")))?;
        for (i, (proc_num, args)) in
            [(0, &[][..]), (self.proc_num, &self.args[..])].into_iter().enumerate()
        {
            let failed = |e: String| (i == 0, e);
            let xid = next_xid();
            let call = wire::plain_call(xid, self.prog, self.vers, proc_num, args);
            stream.set_write_timeout(Some(left())).map_err(|e| failed(e.to_string()))?;
            stream.write_all(&wire::record(&call)).map_err(|e| failed(format!("send: {e}")))?;
            stream.set_read_timeout(Some(left())).map_err(|e| failed(e.to_string()))?;
            let reply = wire::read_record(&mut stream, 1 << 20).map_err(|e| {
                let closed = matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::UnexpectedEof
                );
                (i == 0 && closed, format!("reply to procedure {proc_num}: {e}"))
            })?;
            self.check(proc_num, &reply, xid).map_err(|e| (false, e))?;
        }
        Ok(())
    }

    /// NULL then the real call over UDP, retransmitted every 100 ms, within
    /// `limit` in all; `None` when the target has no UDP.
    pub fn over_udp(&self, limit: Duration) -> Option<Result<Duration, String>> {
        let to = self.udp?;
        let started = Instant::now();
        let attempt = || -> Result<Duration, String> {
            let socket = UdpSocket::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
            socket.connect(to).map_err(|e| e.to_string())?;
            for (proc_num, args) in [(0, &[][..]), (self.proc_num, &self.args[..])] {
                let xid = next_xid();
                let call = wire::plain_call(xid, self.prog, self.vers, proc_num, args);
                let reply = udp_call(&socket, &call, xid, started + limit)?;
                self.check(proc_num, &reply, xid)?;
            }
            Ok(started.elapsed())
        };
        Some(attempt())
    }

    fn check(&self, proc_num: u32, reply: &[u8], xid: u32) -> Result<(), String> {
        let results =
            wire::results(reply, xid).map_err(|e| format!("procedure {proc_num}: {e}"))?;
        match &self.expect {
            Some(expected) if proc_num != 0 && results != expected.as_slice() => {
                Err(format!("procedure {proc_num}: results {results:?}, not {expected:?}"))
            }
            _ => Ok(()),
        }
    }
}

/// Sends `call` on the connected `socket`, again every [`RETRANSMIT`],
/// until a reply to `xid` arrives or `deadline` passes.
pub fn udp_call(
    socket: &UdpSocket,
    call: &[u8],
    xid: u32,
    deadline: Instant,
) -> Result<Vec<u8>, String> {
    let mut buf = vec![0; 65_536];
    loop {
        socket.send(call).map_err(|e| format!("send: {e}"))?;
        let resend = Instant::now() + RETRANSMIT;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err("no reply over UDP in time".to_owned());
            }
            if now >= resend {
                break;
            }
            let wait = resend.min(deadline) - now;
            socket.set_read_timeout(Some(wait)).map_err(|e| e.to_string())?;
            match socket.recv(&mut buf) {
                Ok(n) if wire::word(&buf[..n], 0) == Some(xid) => return Ok(buf[..n].to_vec()),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                // An ICMP error from an earlier datagram: the target is not
                // there (yet); keep trying until the deadline.
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }
}

/// Latencies of the good client during an attack.
#[derive(Debug, Clone, Default)]
pub struct Probes {
    /// Times of the TCP probes that succeeded.
    pub tcp: Vec<Duration>,
    /// Times of the UDP probes that succeeded.
    pub udp: Vec<Duration>,
    /// What went wrong with the TCP probes that failed.
    pub tcp_failures: Vec<String>,
    /// What went wrong with the UDP probes that failed.
    pub udp_failures: Vec<String>,
    /// New TCP connections the daemon closed before their first answer,
    /// opened again by the good client.
    pub reconnects: u32,
}

impl Probes {
    /// The slowest successful probe over either transport, in ms.
    pub fn max_ms(&self) -> u64 {
        self.tcp.iter().chain(&self.udp).max().map_or(0, |d| d.as_millis() as u64)
    }

    /// The 99th percentile of the successful probes over either transport,
    /// in ms.
    pub fn p99_ms(&self) -> u64 {
        let mut all: Vec<Duration> = self.tcp.iter().chain(&self.udp).copied().collect();
        all.sort();
        match all.len() {
            0 => 0,
            n => all[(n * 99).div_ceil(100) - 1].as_millis() as u64,
        }
    }

    /// How many probes ran, over both transports.
    pub fn count(&self) -> usize {
        self.tcp.len() + self.udp.len() + self.tcp_failures.len() + self.udp_failures.len()
    }
}

/// The good client calling every [`PERIOD`] on a thread of its own.
#[derive(Debug)]
pub struct Prober {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Probes>,
}

impl Prober {
    /// Starts probing with `client`, each probe allowed `limit`.
    pub fn start(client: GoodClient, limit: Duration) -> Prober {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut probes = Probes::default();
            // At least one probe, however late this thread starts.
            loop {
                let next = Instant::now() + PERIOD;
                let (tcp, again) = client.tcp_probe(limit);
                probes.reconnects += again;
                match tcp {
                    Ok(d) => probes.tcp.push(d),
                    Err(e) => probes.tcp_failures.push(e),
                }
                match client.over_udp(limit) {
                    Some(Ok(d)) => probes.udp.push(d),
                    Some(Err(e)) => probes.udp_failures.push(e),
                    None => {}
                }
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
            probes
        });
        Prober { stop, thread }
    }

    /// Stops probing (after the probe under way) and returns the figures.
    pub fn finish(self) -> Probes {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_else(|_| Probes {
            tcp_failures: vec!["the prober panicked".to_owned()],
            ..Probes::default()
        })
    }
}
