//! Shared by the comparison tests: the two portmappers (the system's
//! rpcbind and ours), a tiny RPC server answering NULL calls, and
//! running the system rpcinfo and ours side by side.

#![allow(dead_code, unreachable_pub)] // each test binary uses a part

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::ops::RangeInclusive;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use portmapper::{Netid, Rpcbind, uaddr};
use rpc::{AcceptStat, CallHeader, ReplyHeader};
use test_support::Child;

/// The reference rpcinfo.
pub const SYSTEM_RPCINFO: &str = "/usr/sbin/rpcinfo";
/// The reference rpcbind.
pub const SYSTEM_RPCBIND: &str = "/usr/sbin/rpcbind";
/// Ours.
pub const OUR_RPCINFO: &str = env!("CARGO_BIN_EXE_rpcinfo");

/// A portmapper to run the comparisons against.
#[derive(Debug, Clone)]
pub enum Daemon {
    /// `/usr/sbin/rpcbind`, with these extra flags.
    System(Vec<&'static str>),
    /// Our `portmapper/rpcbind`.
    Ours(PathBuf),
}

impl Daemon {
    /// A name for messages.
    pub fn label(&self) -> &'static str {
        match self {
            Daemon::System(_) => "the system rpcbind",
            Daemon::Ours(_) => "our rpcbind",
        }
    }

    /// Starts the daemon in the foreground and waits until it answers on
    /// the local socket and on TCP port 111; `Err` with the reason when
    /// it does not come up.
    pub fn start(&self) -> Result<Child, String> {
        for stale in ["/run/rpcbind.sock", "/run/rpcbind.lock", "/run/rpcbind"] {
            let _ = std::fs::remove_file(stale);
        }
        let mut command = match self {
            Daemon::System(extra) => {
                let mut c = Command::new(SYSTEM_RPCBIND);
                c.args(["-f", "-w"]).args(extra);
                c
            }
            Daemon::Ours(path) => {
                let mut c = Command::new(path);
                c.args(["-f", "-w"]);
                c
            }
        };
        command.stderr(Stdio::inherit());
        let child = Child::spawn(command);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            let up = UnixStream::connect("/run/rpcbind.sock").is_ok()
                && TcpStream::connect((Ipv4Addr::LOCALHOST, 111)).is_ok();
            if up {
                return Ok(child);
            }
            if !Path::new(&format!("/proc/{}", child.id())).exists() || zombie(child.id()) {
                return Err(format!("{} exited without listening", self.label()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!("{} did not listen within 10 s", self.label()))
    }
}

fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')))
        .unwrap_or(true)
}

/// Runs `body` against the system rpcbind (started with `extra` flags),
/// then against ours. Ours is not run when its binary is missing or
/// does not come up: that is reported loudly, and fails the test when
/// `CI` is set, where it must be built and working.
pub fn with_each_daemon(extra: &[&'static str], mut body: impl FnMut(&Daemon)) {
    let mut daemons = vec![Daemon::System(extra.to_vec())];
    match std::panic::catch_unwind(|| test_support::workspace_bin("rpcbind")) {
        Ok(path) => daemons.push(Daemon::Ours(path)),
        Err(_) => not_tested("its binary is not built (cargo build --workspace --bins)"),
    }
    for daemon in &daemons {
        let child = match daemon.start() {
            Ok(child) => child,
            Err(why) if matches!(daemon, Daemon::Ours(_)) => {
                not_tested(&why);
                continue;
            }
            Err(why) => panic!("{why}"),
        };
        eprintln!("=== comparing the rpcinfos against {}", daemon.label());
        body(daemon);
        drop(child);
    }
}

fn not_tested(why: &str) {
    let message = format!("NOT TESTED against our rpcbind: {why}");
    eprintln!("\n*** {message} ***\n");
    assert!(std::env::var_os("CI").is_none(), "{message}");
}

/// What one rpcinfo run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub status: Option<i32>,
}

/// Runs `program` with `args`, stdin from /dev/null.
pub fn run(program: &str, args: &[&str]) -> Run {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        // getopt's messages start with argv[0], the path each was run by.
        stderr: String::from_utf8_lossy(&out.stderr).replace(OUR_RPCINFO, SYSTEM_RPCINFO),
        status: out.status.code(),
    }
}

/// Runs the system rpcinfo, then ours, with `args`; asserts the same
/// stdout, stderr and exit status; returns the system's run.
pub fn compare(daemon: &Daemon, args: &[&str]) -> Run {
    let theirs = run(SYSTEM_RPCINFO, args);
    let ours = run(OUR_RPCINFO, args);
    assert_eq!(ours, theirs, "rpcinfo {} against {}", args.join(" "), daemon.label());
    theirs
}

/// A program answering NULL for some versions, over TCP and UDP, with
/// `PROG_MISMATCH` for the others, registered with the local portmapper.
#[derive(Debug)]
pub struct NullServer {
    pub tcp_port: u16,
    pub udp_port: u16,
}

impl NullServer {
    /// Starts serving `prog` `versions` and registers every version on
    /// `tcp` and `udp` with wildcard addresses.
    pub fn start(prog: u32, versions: RangeInclusive<u32>) -> NullServer {
        let tcp = TcpListener::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();
        let udp = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();
        let server = NullServer {
            tcp_port: tcp.local_addr().unwrap().port(),
            udp_port: udp.local_addr().unwrap().port(),
        };
        let range = versions.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0; 65_536];
            while let Ok((n, from)) = udp.recv_from(&mut buf) {
                if let Some(reply) = answer(&buf[..n], prog, &range) {
                    let _ = udp.send_to(&reply, from);
                }
            }
        });
        let range = versions.clone();
        std::thread::spawn(move || {
            for stream in tcp.incoming().flatten() {
                let range = range.clone();
                std::thread::spawn(move || serve_stream(stream, prog, &range));
            }
        });
        let rpcbind = Rpcbind::local();
        for vers in versions {
            for (netid, port) in [(Netid::Tcp, server.tcp_port), (Netid::Udp, server.udp_port)] {
                let done = rpcbind.set(prog, vers, netid, &uaddr::wildcard(port, false));
                assert!(done.unwrap(), "registering {prog} v{vers} on {netid}");
            }
        }
        server
    }
}

fn serve_stream(mut stream: TcpStream, prog: u32, versions: &RangeInclusive<u32>) {
    let mut mark = [0; 4];
    while stream.read_exact(&mut mark).is_ok() {
        let len = (u32::from_be_bytes(mark) & 0x7fff_ffff) as usize;
        let mut call = vec![0; len];
        if stream.read_exact(&mut call).is_err() {
            return;
        }
        if let Some(reply) = answer(&call, prog, versions) {
            let mut record = (reply.len() as u32 | 0x8000_0000).to_be_bytes().to_vec();
            record.extend_from_slice(&reply);
            if stream.write_all(&record).is_err() {
                return;
            }
        }
    }
}

/// The reply to a call: success for NULL of a served version.
fn answer(call: &[u8], prog: u32, versions: &RangeInclusive<u32>) -> Option<Vec<u8>> {
    let (header, _) = CallHeader::decode_with_args(call).ok()?;
    let stat = if header.prog != prog {
        AcceptStat::ProgUnavail
    } else if !versions.contains(&header.vers) {
        AcceptStat::ProgMismatch { low: *versions.start(), high: *versions.end() }
    } else if header.proc_num != 0 {
        AcceptStat::ProcUnavail
    } else {
        AcceptStat::Success
    };
    let mut reply = Vec::new();
    xdr::append(&ReplyHeader::accepted(header.xid, stat), &mut reply).ok()?;
    Some(reply)
}

/// Registers `prog` `vers` on `netid` at `uaddr` (nobody serves it).
pub fn register(prog: u32, vers: u32, netid: Netid, uaddr: &str) {
    assert!(Rpcbind::local().set(prog, vers, netid, uaddr).unwrap(), "registering {prog} v{vers}");
}

/// Makes interfaces created from now on skip IPv6 duplicate address
/// detection: their link-local addresses are usable at once, so
/// multicasts do not fail for a while after the link comes up.
pub fn no_dad() {
    for conf in ["all", "default"] {
        std::fs::write(format!("/proc/sys/net/ipv6/conf/{conf}/accept_dad"), "0").unwrap();
    }
}

/// Joins two new veth interfaces of this namespace, `<name>0` at
/// `<net>.1` (with a broadcast address) and `<name>1` at `<net>.2`
/// (without), both up: a network whose every address is this host's.
pub fn veth_pair(name: &str, net: &str) {
    no_dad();
    let (a, b) = (format!("{name}0"), format!("{name}1"));
    for command in [
        format!("link add {a} type veth peer name {b}"),
        format!("addr add {net}.1/24 brd + dev {a}"),
        format!("addr add {net}.2/24 dev {b}"),
        format!("link set {a} up"),
        format!("link set {b} up"),
    ] {
        let status = Command::new("ip").args(command.split(' ')).status().unwrap();
        assert!(status.success(), "ip {command}");
    }
}
