//! [`LocalCluster`]: a dpc cluster on one host, each node on its own
//! loopback address (127.0.0.1, 127.0.0.2, ...) with its own portmapper,
//! all on one unprivileged port; the name server on the first node. No
//! root and no configuration: every file lives in a directory the caller
//! gives.
//!
//! The portmappers are our rpcbind, served by threads of this process;
//! the name server and the node daemons are `dpc name-server` and `dpc
//! node` child processes, so that a test can kill one with `SIGKILL` and
//! start it again.

use std::io::{self, BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use dpc::PidD;
use dpc::proto::names::{DPC_NAMES_PROG, DPC_NAMES_V1};
use dpc::proto::node::{DPC_NODE_PROG, DPC_NODE_V1};
use oncrpc::clnt::ClientBuilder;
use oncrpc::svc::ServerHandle;

/// How long a daemon may take to come up, or a worker to register.
const STARTUP: Duration = Duration::from_secs(20);

/// One node of a [`LocalCluster`].
#[derive(Debug)]
pub struct Node {
    /// Its address.
    pub address: IpAddr,
    /// Its daemon's local socket (what `DPC_SOCKET` names on this node).
    pub socket: PathBuf,
    /// Its portmapper's local socket.
    pub rpcbind_socket: PathBuf,
    daemon: Option<Child>,
}

impl Node {
    /// Its daemon's pid while the daemon runs (tests watch its memory and
    /// liveness through `/proc`).
    pub fn daemon_pid(&self) -> Option<u32> {
        self.daemon.as_ref().map(Child::id)
    }
}

/// A running cluster; dropping it stops every process and portmapper it
/// started.
#[derive(Debug)]
pub struct LocalCluster {
    dpc: PathBuf,
    dir: PathBuf,
    pmap_port: u16,
    portmappers: Vec<ServerHandle>,
    names: Option<Child>,
    nodes: Vec<Node>,
}

impl LocalCluster {
    /// Brings up `nodes` nodes (at most 254) with the `dpc` executable
    /// `dpc`, keeping their files in `dir`, and waits until every daemon
    /// is registered with its portmapper.
    pub fn start(dpc: &Path, dir: &Path, nodes: u8) -> io::Result<LocalCluster> {
        if nodes == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a cluster needs a node"));
        }
        std::fs::create_dir_all(dir)?;
        let addresses: Vec<IpAddr> =
            (1..=nodes.min(254)).map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, i))).collect();
        let (pmap_port, portmappers) = start_portmappers(dir, &addresses)?;
        let mut cluster = LocalCluster {
            dpc: dpc.to_path_buf(),
            dir: dir.to_path_buf(),
            pmap_port,
            portmappers,
            names: None,
            nodes: addresses
                .iter()
                .enumerate()
                .map(|(i, &address)| Node {
                    address,
                    socket: dir.join(format!("node{}", i + 1)).join("dpc.sock"),
                    rpcbind_socket: dir.join(format!("node{}", i + 1)).join("rpcbind.sock"),
                    daemon: None,
                })
                .collect(),
        };
        cluster.start_names()?;
        for i in 0..cluster.nodes.len() {
            cluster.start_node(i)?;
        }
        Ok(cluster)
    }

    /// The portmappers' port, the same on every node.
    pub fn pmap_port(&self) -> u16 {
        self.pmap_port
    }

    /// The nodes, the name server's first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The name server's node address.
    pub fn names_address(&self) -> IpAddr {
        self.nodes[0].address
    }

    /// The name server's pid while it runs (tests watch its memory and
    /// liveness through `/proc`).
    pub fn names_pid(&self) -> Option<u32> {
        self.names.as_ref().map(Child::id)
    }

    /// Starts the name server (again, after [`LocalCluster::kill_names`]),
    /// on the store it used before.
    pub fn start_names(&mut self) -> io::Result<()> {
        let first = &self.nodes[0];
        let mut command = Command::new(&self.dpc);
        command
            .arg("name-server")
            .arg("--listen")
            .arg(first.address.to_string())
            .arg("--db")
            .arg(self.dir.join("names.redb"))
            .arg("--pmap-port")
            .arg(self.pmap_port.to_string())
            .arg("--rpcbind-socket")
            .arg(&first.rpcbind_socket);
        let child = spawn_quiet(&mut command)?;
        self.names = Some(child);
        let (node, port) = (first.address, self.pmap_port);
        wait_serving(node, port, DPC_NAMES_PROG, DPC_NAMES_V1, self.names.as_mut())
    }

    /// Kills the name server with `SIGKILL`.
    pub fn kill_names(&mut self) {
        stop(self.names.take());
    }

    /// Starts node `i`'s daemon (again, after [`LocalCluster::kill_node`]).
    pub fn start_node(&mut self, i: usize) -> io::Result<()> {
        let names = self.names_address();
        let node = &mut self.nodes[i];
        let mut command = Command::new(&self.dpc);
        command
            .arg("node")
            .arg("--address")
            .arg(node.address.to_string())
            .arg("--names")
            .arg(names.to_string())
            .arg("--pmap-port")
            .arg(self.pmap_port.to_string())
            .arg("--socket")
            .arg(&node.socket)
            .arg("--rpcbind-socket")
            .arg(&node.rpcbind_socket);
        node.daemon = Some(spawn_quiet(&mut command)?);
        let (address, port) = (node.address, self.pmap_port);
        wait_serving(address, port, DPC_NODE_PROG, DPC_NODE_V1, node.daemon.as_mut())
    }

    /// Kills node `i`'s daemon with `SIGKILL`.
    pub fn kill_node(&mut self, i: usize) {
        stop(self.nodes[i].daemon.take());
    }

    /// Starts a `dpc worker` on node `i` and waits until it has
    /// registered.
    pub fn spawn_worker(&self, i: usize) -> io::Result<Worker> {
        let mut command = Command::new(&self.dpc);
        command.arg("worker").env(dpc::SOCKET_ENV, &self.nodes[i].socket);
        Worker::spawn(&mut command, self.nodes[i].address)
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            stop(node.daemon.take());
        }
        stop(self.names.take());
        self.portmappers.clear();
    }
}

/// A `dpc worker` process: registered, reporting its signals.
#[derive(Debug)]
pub struct Worker {
    /// Its cluster-wide id.
    pub id: PidD,
    /// Its node.
    pub node: IpAddr,
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Worker {
    /// Runs `command` (a `dpc worker` with its `DPC_SOCKET`) and waits for
    /// its `registered ID` line.
    pub fn spawn(command: &mut Command, node: IpAddr) -> io::Result<Worker> {
        let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| io::Error::other("no worker stdout"))?;
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut worker = Worker { id: PidD(0), node, child, lines };
        let line = worker.next_line(STARTUP);
        match line.as_deref().and_then(|l| l.strip_prefix("registered ")).map(str::parse) {
            Some(Ok(id)) => worker.id = id,
            _ => {
                worker.stop();
                return Err(io::Error::other(format!("worker did not register: {line:?}")));
            }
        }
        Ok(worker)
    }

    /// Its pid on its node.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line it printed, waiting at most `timeout`.
    pub fn next_line(&self, timeout: Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// Waits at most `timeout` for a `signal SIG` line, skipping others.
    pub fn wait_signal(&self, sig: i32, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let wanted = format!("signal {sig}");
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.next_line(left) {
                Some(line) if line == wanted => return true,
                Some(_) => {}
                None => return false,
            }
        }
        false
    }

    /// Kills it with `SIGKILL` and reaps it.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for it to exit by itself (after `SIGTERM`), at most `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A new directory of this user's alone (mode 0700) under the system's
/// temporary directory, named `prefix-PID-N`: never one that existed
/// before, which someone else could have prepared.
pub fn private_dir(prefix: &str) -> io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let mut last_error = None;
    for n in 0..100 {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no private directory")))
}

/// Serves a portmapper on each address, all on one free port: picks a
/// port free on the first address and tries again with another when a
/// later address has it taken.
fn start_portmappers(dir: &Path, addresses: &[IpAddr]) -> io::Result<(u16, Vec<ServerHandle>)> {
    let mut last_error = None;
    for _ in 0..10 {
        let port = free_port(addresses[0])?;
        let mut handles = Vec::new();
        for (i, address) in addresses.iter().enumerate() {
            let node_dir = dir.join(format!("node{}", i + 1));
            std::fs::create_dir_all(&node_dir)?;
            match start_portmapper(&node_dir, *address, port) {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    last_error = Some(e);
                    break;
                }
            }
        }
        if handles.len() == addresses.len() {
            return Ok((port, handles));
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no free port for the portmappers")))
}

fn start_portmapper(node_dir: &Path, address: IpAddr, port: u16) -> io::Result<ServerHandle> {
    let args = [
        "rpcbind".into(),
        "-f".into(),
        "--listen".into(),
        address.to_string(),
        "--port".into(),
        port.to_string(),
        "--socket".into(),
        node_dir.join("rpcbind.sock").display().to_string(),
        "--state-dir".into(),
        node_dir.join("rpcbind").display().to_string(),
    ];
    let opts =
        <rpcbind::Options as clap::Parser>::try_parse_from(args).map_err(io::Error::other)?;
    let daemon = rpcbind::Daemon::bind(&opts).map_err(io::Error::other)?;
    daemon.spawn().map_err(io::Error::other)
}

/// A port free for both TCP and UDP on `address` at the time of asking.
fn free_port(address: IpAddr) -> io::Result<u16> {
    for _ in 0..100 {
        let tcp = TcpListener::bind(SocketAddr::new(address, 0))?;
        let port = tcp.local_addr()?.port();
        if UdpSocket::bind(SocketAddr::new(address, port)).is_ok() {
            return Ok(port);
        }
    }
    Err(io::Error::new(io::ErrorKind::AddrInUse, "no port free for both TCP and UDP"))
}

/// Starts `command` with its output discarded unless `RUST_LOG` asks for
/// logs (then they go to this process's standard error).
fn spawn_quiet(command: &mut Command) -> io::Result<Child> {
    let logs = std::env::var_os("RUST_LOG").is_some();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(if logs { Stdio::inherit() } else { Stdio::null() })
        .spawn()
}

/// Waits until `prog` answers a NULL call where the portmapper of `node`
/// says it listens (a daemon killed before leaves its registration
/// behind), or fails when the daemon exits first or takes too long.
fn wait_serving(
    node: IpAddr,
    pmap_port: u16,
    prog: u32,
    vers: u32,
    mut daemon: Option<&mut Child>,
) -> io::Result<()> {
    let deadline = Instant::now() + STARTUP;
    loop {
        let builder = ClientBuilder::new(prog, vers);
        let found = dpc::locate::program(node, pmap_port, builder, Duration::from_secs(1));
        if found.is_ok_and(|client| client.call::<(), ()>(0, &()).is_ok()) {
            return Ok(());
        }
        if let Some(Some(status)) = daemon.as_mut().map(|c| c.try_wait()).transpose()? {
            return Err(io::Error::other(format!("program {prog:#x} exited at start: {status}")));
        }
        if Instant::now() > deadline {
            return Err(io::Error::other(format!("program {prog:#x} did not register")));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Kills a child with `SIGKILL` and reaps it.
fn stop(child: Option<Child>) {
    if let Some(mut child) = child {
        let _ = child.kill();
        let _ = child.wait();
    }
}
