//! The libtirpc C client and server, built from bench.x by the system rpcgen.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use test_support::{CPeer, Child};

/// Paths of the built C programs.
pub(crate) struct CPrograms {
    pub(crate) server: PathBuf,
    pub(crate) client: PathBuf,
}

/// Builds both programs under `dir`.
pub(crate) fn build(dir: &Path) -> CPrograms {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let x = src.join("bench.x");
    let server = CPeer::new(&x)
        .server_stubs()
        .source(src.join("c/server.c"))
        .build(&dir.join("server.build"), "server");
    let client = CPeer::new(&x)
        .client_stubs()
        .source(src.join("c/client.c"))
        .build(&dir.join("client.build"), "client");
    CPrograms { server, client }
}

/// A running C server and its TCP and UDP ports.
pub(crate) struct CServer {
    _child: Child,
    pub(crate) tcp: u16,
    pub(crate) udp: u16,
    /// Its Unix stream socket.
    pub(crate) unix: PathBuf,
}

/// Starts the C server, with its Unix socket at `unix`.
pub(crate) fn start_server(programs: &CPrograms, unix: PathBuf) -> CServer {
    let mut command = Command::new(&programs.server);
    command.arg(&unix);
    let mut child = Child::spawn(command);
    let line = child.read_line();
    let mut ports = line.split(' ').filter_map(|p| p.parse::<u16>().ok());
    match (ports.next(), ports.next()) {
        (Some(tcp), Some(udp)) => CServer { _child: child, tcp, udp, unix },
        _ => panic!("C server printed {line:?}"),
    }
}

/// Where the C client sends its calls.
pub(crate) enum Target<'a> {
    /// A loopback TCP port.
    Tcp(u16),
    /// A loopback UDP port.
    Udp(u16),
    /// A Unix stream socket.
    Unix(&'a Path),
}

impl Target<'_> {
    /// TCP or UDP to `port`.
    pub(crate) fn inet(udp: bool, port: u16) -> Target<'static> {
        if udp { Target::Udp(port) } else { Target::Tcp(port) }
    }
}

/// What the C client calls.
#[derive(Clone, Copy)]
pub(crate) enum Calls {
    /// Sequential NULL calls.
    Null,
    /// Sequential ECHO calls of this many bytes.
    Echo(usize),
    /// Batched one-way RECORD calls, then one NULL call.
    Batch,
}

/// Runs the C client: `count` calls; returns the time per call.
pub(crate) fn run_client(
    programs: &CPrograms,
    target: Target<'_>,
    count: u32,
    calls: Calls,
) -> Duration {
    let (transport, at) = match target {
        Target::Tcp(port) => ("tcp", port.to_string()),
        Target::Udp(port) => ("udp", port.to_string()),
        Target::Unix(path) => ("unix", path.display().to_string()),
    };
    let size = match calls {
        Calls::Echo(size) => size as i64,
        Calls::Null | Calls::Batch => -1,
    };
    let mut command = Command::new(&programs.client);
    command.args([transport, &at, &count.to_string(), &size.to_string()]);
    if let Calls::Batch = calls {
        command.arg("batch");
    }
    let out = command.output().unwrap_or_else(|e| panic!("C client: {e}"));
    assert!(out.status.success(), "C client failed: {}", String::from_utf8_lossy(&out.stderr));
    let nanos: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("C client output: {e}"));
    Duration::from_nanos(nanos / u64::from(count.max(1)))
}
