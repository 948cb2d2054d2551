//! The two daemons under test, each started in the benchmark's own
//! namespaces and ended by its pid.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use oncrpc::portmapper::Rpcbind;

/// Which portmapper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `/usr/sbin/rpcbind`, on port 111 and `/run/rpcbind.sock`.
    System,
    /// Ours, on port 1111 and `/run/ours/rpcbind.sock`.
    Ours,
}

/// A running portmapper.
pub(crate) struct Daemon {
    kind: Kind,
    child: Child,
    /// Where it listens on TCP and UDP.
    pub(crate) addr: SocketAddr,
    /// Its local socket.
    pub(crate) socket: PathBuf,
}

impl Daemon {
    /// Starts the daemon in the foreground and waits until it answers.
    pub(crate) fn start(kind: Kind) -> Daemon {
        let (mut command, port, socket) = match kind {
            Kind::System => {
                let mut c = Command::new("/usr/sbin/rpcbind");
                c.arg("-f");
                (c, 111, PathBuf::from("/run/rpcbind.sock"))
            }
            Kind::Ours => {
                let exe = std::env::current_exe().expect("the benchmark's path");
                let ours = exe.with_file_name("rpcbind");
                assert!(
                    ours.is_file(),
                    "{} missing: cargo build --release -p rpcbind",
                    ours.display()
                );
                std::fs::create_dir_all("/run/ours/state").expect("mkdir /run/ours/state");
                let mut c = Command::new(ours);
                c.args(["-f", "--port", "1111", "--socket", "/run/ours/rpcbind.sock"]);
                c.args(["--state-dir", "/run/ours/state"]);
                (c, 1111, PathBuf::from("/run/ours/rpcbind.sock"))
            }
        };
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let daemon = Daemon { kind, child, addr: SocketAddr::from(([127, 0, 0, 1], port)), socket };
        let deadline = Instant::now() + Duration::from_secs(10);
        while daemon.rpcbind().gettime().is_err() {
            assert!(Instant::now() < deadline, "{} did not answer within 10 s", daemon.name());
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }

    /// A binding client for it, over TCP only.
    pub(crate) fn rpcbind(&self) -> Rpcbind {
        Rpcbind::at(self.addr).timeout(Duration::from_secs(5))
    }

    /// Its name in the tables.
    pub(crate) fn name(&self) -> &'static str {
        match self.kind {
            Kind::System => "system rpcbind",
            Kind::Ours => "ours",
        }
    }

    /// Its resident memory in KiB.
    pub(crate) fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the daemon's /proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc status")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs this benchmark again under `unshare` in new network, mount and
/// pid namespaces, with `marker` set; returns its exit status.
pub(crate) fn rerun_in_namespaces(marker: &str) -> i32 {
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if !root {
        eprintln!(
            "rpcbind-bench needs root: it runs the system rpcbind on port 111 in namespaces of its own"
        );
        return 2;
    }
    let exe = std::env::current_exe().expect("the benchmark's path");
    let status = Command::new("unshare")
        .args(["--net", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private"])
        .arg(exe)
        .args(std::env::args().skip(1))
        .env(marker, "1")
        .status()
        .unwrap_or_else(|e| panic!("cannot run unshare: {e}"));
    status.code().unwrap_or(1)
}

/// Inside the namespaces: loopback up, a private `/run`.
pub(crate) fn prepare_namespace() {
    for args in [&["ip", "link", "set", "lo", "up"][..], &["mount", "-t", "tmpfs", "tmpfs", "/run"]]
    {
        let ok = Command::new(args[0]).args(&args[1..]).status().is_ok_and(|s| s.success());
        assert!(ok, "{args:?} failed");
    }
}
