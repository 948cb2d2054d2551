//! Portmappers for the interop tests: the system's rpcbind and ours, each
//! started inside a test's namespaces on the standard addresses (port 111,
//! [`SOCKET`]) and waited for until it answers; and [`each_portmapper`],
//! which runs one scenario against both, the system's first as the
//! baseline, so that a failure says which daemon broke.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::os::unix::net::UnixStream;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::netns::Isolated;
use crate::workspace_bin;

/// The local socket both daemons serve.
pub const SOCKET: &str = "/run/rpcbind.sock";

/// Where the system rpcbind keeps its warm-start files (fixed at build
/// time); ours is given the same directory with `--state-dir`.
pub const STATE_DIR: &str = "/run/rpcbind";

/// The system rpcbind's lock file.
const LOCK: &str = "/run/rpcbind.lock";

/// How long a daemon may take to answer after it starts, or to exit after
/// SIGTERM.
const PATIENCE: Duration = Duration::from_secs(10);

/// Which portmapper daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Portmapper {
    /// `/usr/sbin/rpcbind`, the Debian package: the reference.
    System,
    /// Our `rpcbind` binary, as built in the workspace.
    Ours,
}

/// One value per daemon, as [`each_portmapper`] returns them.
#[derive(Debug)]
pub struct Both<T> {
    /// From the system rpcbind.
    pub system: T,
    /// From ours.
    pub ours: T,
}

impl Portmapper {
    /// Both daemons, the reference first.
    pub const BOTH: [Portmapper; 2] = [Portmapper::System, Portmapper::Ours];

    /// The daemon's executable.
    pub fn program(self) -> PathBuf {
        match self {
            Portmapper::System => {
                let path = PathBuf::from("/usr/sbin/rpcbind");
                assert!(path.is_file(), "no system rpcbind: run `apt-get install -y rpcbind`");
                path
            }
            Portmapper::Ours => workspace_bin("rpcbind"),
        }
    }

    /// Starts the daemon in the foreground (`-f`) with `flags` (e.g. `-w`,
    /// `-i`), its output appended to `/run/<name>.log`, and waits until it
    /// answers a NULL call on [`SOCKET`] and on TCP and UDP port 111 of
    /// 127.0.0.1. Fails the test, with the daemon's output, when it exits
    /// or stays silent instead.
    pub fn start(self, _proof: &Isolated, flags: &[&str]) -> Running {
        let log_path = PathBuf::from(format!("/run/{}.log", self.tag()));
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap_or_else(|e| panic!("open {}: {e}", log_path.display()));
        let mut command = self.command(flags);
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {self} ({command:?}): {e}"));
        let mut running = Running { kind: self, child, log: log_path };
        let deadline = Instant::now() + PATIENCE;
        // One NULL call per transport, each sent once it connects and then
        // waited for: the daemon counts calls (`rpcinfo -m`), so the probe
        // must leave the same count whatever the timing.
        for probe in [Probe::Local, Probe::Tcp, Probe::Udp] {
            loop {
                if let Some(status) = running.child.try_wait().expect("waiting for the daemon") {
                    panic!(
                        "{self} ({command:?}) exited ({status}) instead of serving; its output:\n{}",
                        running.log()
                    );
                }
                if probe.answers(deadline) {
                    break;
                }
                if Instant::now() > deadline {
                    panic!(
                        "{self} ({command:?}) did not answer a NULL call on {probe:?} within \
                         {PATIENCE:?}; its output:\n{}",
                        running.log()
                    );
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        running
    }

    /// The command that runs the daemon in the foreground with `flags`,
    /// and ours with its state in [`STATE_DIR`].
    pub fn command(self, flags: &[&str]) -> Command {
        let mut command = Command::new(self.program());
        command.arg("-f").args(flags);
        if self == Portmapper::Ours {
            command.args(["--state-dir", STATE_DIR]);
        }
        command
    }

    fn tag(self) -> &'static str {
        match self {
            Portmapper::System => "system-rpcbind",
            Portmapper::Ours => "our-rpcbind",
        }
    }
}

impl fmt::Display for Portmapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Portmapper::System => "the system rpcbind",
            Portmapper::Ours => "our rpcbind",
        })
    }
}

/// A running daemon; dropping it kills it (SIGKILL) by its pid.
#[derive(Debug)]
pub struct Running {
    kind: Portmapper,
    child: std::process::Child,
    log: PathBuf,
}

impl Running {
    /// Which daemon this is.
    pub fn kind(&self) -> Portmapper {
        self.kind
    }

    /// The daemon's pid (in the test's pid namespace), to watch its
    /// memory and liveness through `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the daemon printed so far (both its runs, when restarted).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the daemon with SIGKILL (`kill -9`): no chance to save state.
    pub fn kill(self) {
        drop(self);
    }

    /// Sends SIGTERM and waits (bounded) for the daemon to exit cleanly,
    /// which is when the system rpcbind writes its warm-start files.
    pub fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "cannot send SIGTERM to {}", self.kind);
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for the daemon") {
                return status;
            }
            assert!(started.elapsed() < PATIENCE, "{} ignored SIGTERM", self.kind);
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `scenario` against the system rpcbind, then against ours, each
/// from a clean `/run` (no socket, lock or state left by the other). Both
/// always run; then the test fails naming every daemon the scenario failed
/// against, or returns what the scenario returned for each.
pub fn each_portmapper<T>(_proof: &Isolated, scenario: impl Fn(Portmapper) -> T) -> Both<T> {
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for kind in Portmapper::BOTH {
        wipe();
        eprintln!("=== against {kind} ===");
        match catch_unwind(AssertUnwindSafe(|| scenario(kind))) {
            Ok(result) => results.push(result),
            Err(panic) => failures.push(format!("{kind}: {}", message(panic.as_ref()))),
        }
    }
    wipe();
    assert!(failures.is_empty(), "the scenario failed against\n{}", failures.join("\n"));
    let ours = results.pop().expect("two results");
    let system = results.pop().expect("two results");
    Both { system, ours }
}

/// Removes what a daemon leaves in `/run`, so the next starts afresh.
fn wipe() {
    for file in [SOCKET, LOCK] {
        let _ = std::fs::remove_file(file);
    }
    let _ = std::fs::remove_dir_all(STATE_DIR);
}

fn message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(a panic without a message)".to_owned())
}

/// The transports a daemon must answer on before a test uses it: those
/// clients try first.
#[derive(Debug, Clone, Copy)]
enum Probe {
    /// Version 3 on [`SOCKET`].
    Local,
    /// Version 2 on TCP 127.0.0.1 port 111.
    Tcp,
    /// Version 2 on UDP 127.0.0.1 port 111.
    Udp,
}

impl Probe {
    /// True when the daemon answered a NULL call on this transport with
    /// success. Once connected (or sent, for UDP), waits for the answer
    /// until `deadline`, so that a call is never sent twice to a daemon
    /// that has not refused it.
    fn answers(self, deadline: Instant) -> bool {
        let wait =
            Some(deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1)));
        match self {
            Probe::Local => UnixStream::connect(SOCKET)
                .is_ok_and(|s| s.set_read_timeout(wait).is_ok() && null_over_stream(s, 3)),
            Probe::Tcp => TcpStream::connect(("127.0.0.1", 111))
                .is_ok_and(|s| s.set_read_timeout(wait).is_ok() && null_over_stream(s, 2)),
            Probe::Udp => null_over_udp(wait),
        }
    }
}

/// An RPC call of procedure 0 of the portmapper, version `vers`, with
/// AUTH_NONE credentials (RFC 5531).
fn null_call(xid: u32, vers: u32) -> Vec<u8> {
    [xid, 0, 2, 100_000, vers, 0, 0, 0, 0, 0].iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// True for an accepted, successful reply to call `xid` (with an empty
/// verifier, as portmappers send).
fn is_success(reply: &[u8], xid: u32) -> bool {
    let word = |i: usize| {
        reply.get(i * 4..i * 4 + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    // xid, REPLY, MSG_ACCEPTED, verifier flavor and length, SUCCESS
    word(0) == Some(xid)
        && word(1) == Some(1)
        && word(2) == Some(0)
        && word(4) == Some(0)
        && word(5) == Some(0)
}

fn null_over_stream(mut stream: impl Read + Write, vers: u32) -> bool {
    let xid = 0x7e57_0000 | vers;
    let call = null_call(xid, vers);
    let mark = (0x8000_0000u32 | call.len() as u32).to_be_bytes();
    if stream.write_all(&[&mark[..], &call].concat()).is_err() {
        return false;
    }
    let mut header = [0; 4];
    if stream.read_exact(&mut header).is_err() {
        return false;
    }
    let len = (u32::from_be_bytes(header) & 0x7fff_ffff) as usize;
    let mut reply = vec![0; len.min(1024)];
    stream.read_exact(&mut reply).is_ok() && is_success(&reply, xid)
}

fn null_over_udp(limit: Option<Duration>) -> bool {
    let xid = 0x7e57_0002;
    let Ok(socket) = UdpSocket::bind(("127.0.0.1", 0)) else { return false };
    let mut reply = [0; 1024];
    socket.set_read_timeout(limit).is_ok()
        && socket.connect(("127.0.0.1", 111)).is_ok()
        && socket.send(&null_call(xid, 2)).is_ok()
        && socket.recv(&mut reply).is_ok_and(|n| is_success(&reply[..n], xid))
}
