//! A cluster on loopback for the tests, every part in this process but the
//! workers: portmappers (our rpcbind, one per node address, all on one
//! port), an in-memory name server, node daemons, and `dpc worker`
//! processes (built by `cargo build -p dpc-cli`).

// Each test binary uses a different part of this module.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

pub mod fake_names;

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use clap::Parser;
use dpc_node::{NodeDaemon, NodeHandle, Options};
use oncrpc::svc::ServerHandle;
use test_support::ScratchDir;

pub use fake_names::FakeNames;

/// Bounds every wait of the tests.
pub const WAIT: Duration = Duration::from_secs(10);
/// The daemons' timeout for the name server and other nodes.
pub const TIMEOUT_MS: u64 = 1000;

/// `127.0.0.n`.
pub fn ip(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
}

/// True when the tests run as root (the daemons then require reserved
/// ports for SIGNAL).
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A scratch directory for one test, with logging set up.
pub fn scratch(name: &str) -> ScratchDir {
    let _ = env_logger::builder().is_test(true).try_init();
    ScratchDir::new(&format!("dpc-node-{name}"))
}

/// Our rpcbind listening on `addr` only, at `port` (0: any).
fn rpcbind(dir: &ScratchDir, addr: IpAddr, port: u16) -> Result<ServerHandle, rpcbind::Error> {
    let socket = dir.join(format!("rpcbind-{addr}.sock"));
    let state = dir.join(format!("rpcbind-{addr}-state"));
    let args = [
        "rpcbind".to_owned(),
        "-f".into(),
        "--listen".into(),
        addr.to_string(),
        "--port".into(),
        port.to_string(),
        "--socket".into(),
        socket.display().to_string(),
        "--state-dir".into(),
        state.display().to_string(),
    ];
    rpcbind::Daemon::bind(&rpcbind::Options::parse_from(args))?.spawn()
}

/// Portmappers on `127.0.0.1..=nodes`, all on one port.
pub struct Portmappers {
    pub port: u16,
    handles: Vec<ServerHandle>,
}

impl Portmappers {
    pub fn start(dir: &ScratchDir, nodes: u8) -> Portmappers {
        // The port is free on 127.0.0.1; retry in the rare case another
        // test holds it on another address.
        for _ in 0..20 {
            let first = rpcbind(dir, ip(1), 0).unwrap();
            let port = first.tcp_addr().unwrap().port();
            let mut handles = vec![first];
            for n in 2..=nodes {
                match rpcbind(dir, ip(n), port) {
                    Ok(h) => handles.push(h),
                    Err(_) => break,
                }
            }
            if handles.len() == usize::from(nodes) {
                return Portmappers { port, handles };
            }
        }
        panic!("no port free on every loopback address");
    }

    /// The local socket of the portmapper of `addr`.
    pub fn socket(dir: &ScratchDir, addr: IpAddr) -> PathBuf {
        dir.join(format!("rpcbind-{addr}.sock"))
    }
}

/// A node daemon's options: node `addr`, the name server on 127.0.0.1.
pub fn node_options(dir: &ScratchDir, pmap: &Portmappers, addr: IpAddr) -> Options {
    Options {
        address: addr,
        port: 0,
        names: ip(1),
        pmap_port: pmap.port,
        socket: dir.join(format!("dpc-{addr}.sock")),
        rpcbind_socket: Portmappers::socket(dir, addr),
        timeout_ms: TIMEOUT_MS,
        insecure: false,
        max_per_user: 4096,
    }
}

/// A running node daemon and its local socket.
pub struct Node {
    pub handle: NodeHandle,
    pub socket: PathBuf,
    pub addr: IpAddr,
}

impl Node {
    pub fn start(opts: &Options) -> Node {
        let daemon = NodeDaemon::bind(opts).unwrap();
        Node { handle: daemon.spawn().unwrap(), socket: opts.socket.clone(), addr: opts.address }
    }

    pub fn tcp_addr(&self) -> SocketAddr {
        self.handle.tcp_addr().unwrap()
    }

    /// The test process's connection to the local socket.
    pub fn connect(&self) -> dpc::Node {
        dpc::Node::connect(&self.socket).unwrap()
    }
}

/// A cluster: portmappers on 127.0.0.1..=n, the name server, and a daemon
/// on each node address.
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub names: FakeNames,
    pub pmap: Portmappers,
    pub dir: ScratchDir,
}

impl Cluster {
    pub fn start(name: &str, nodes: u8) -> Cluster {
        let dir = scratch(name);
        let pmap = Portmappers::start(&dir, nodes);
        let names = FakeNames::start(&dir, &pmap);
        let nodes = (1..=nodes).map(|n| Node::start(&node_options(&dir, &pmap, ip(n)))).collect();
        Cluster { nodes, names, pmap, dir }
    }

    pub fn node(&self, n: usize) -> &Node {
        &self.nodes[n]
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // The daemons first, then the name server and portmappers.
        self.nodes.clear();
    }
}

/// A `dpc worker` process, killed (by its pid) when dropped.
pub struct Worker {
    child: std::process::Child,
    lines: Receiver<String>,
    pub id: i64,
}

impl Worker {
    /// Starts a worker registering with the daemon at `socket`, and waits
    /// for its pid_d.
    pub fn start(socket: &Path) -> Worker {
        Worker::start_with(Command::new(test_support::workspace_bin("dpc")), socket)
    }

    /// Starts `command` (which runs `dpc`) as a worker.
    pub fn start_with(mut command: Command, socket: &Path) -> Worker {
        let mut child = command
            .arg("worker")
            .env("DPC_SOCKET", socket)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut worker = Worker { child, lines, id: 0 };
        let line = worker.line();
        let id = line.strip_prefix("registered ").unwrap_or_else(|| panic!("worker: {line:?}"));
        worker.id = id.parse().unwrap();
        worker
    }

    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap()
    }

    /// The next line it prints, within [`WAIT`].
    pub fn line(&mut self) -> String {
        match self.lines.recv_timeout(WAIT) {
            Ok(line) => line,
            Err(e) => panic!("worker printed nothing ({e}): {:?}", self.child.try_wait()),
        }
    }

    /// A line printed within `limit`, if any.
    pub fn line_within(&mut self, limit: Duration) -> Option<String> {
        self.lines.recv_timeout(limit).ok()
    }

    /// Kills it (SIGKILL to its pid) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits up to [`WAIT`] for `done`.
pub fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < until, "not within {WAIT:?}: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
