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
}

/// Starts the C server.
pub(crate) fn start_server(programs: &CPrograms) -> CServer {
    let mut child = Child::spawn(Command::new(&programs.server));
    let line = child.read_line();
    let mut ports = line.split(' ').filter_map(|p| p.parse::<u16>().ok());
    match (ports.next(), ports.next()) {
        (Some(tcp), Some(udp)) => CServer { _child: child, tcp, udp },
        _ => panic!("C server printed {line:?}"),
    }
}

/// Runs the C client: `count` sequential calls (NULL when `size` is None,
/// else ECHO of `size` bytes); returns the time per call.
pub(crate) fn run_client(
    programs: &CPrograms,
    udp: bool,
    port: u16,
    count: u32,
    size: Option<usize>,
) -> Duration {
    let size = size.map_or(-1, |s| s as i64);
    let out = Command::new(&programs.client)
        .args([
            if udp { "udp" } else { "tcp" },
            &port.to_string(),
            &count.to_string(),
            &size.to_string(),
        ])
        .output()
        .unwrap_or_else(|e| panic!("C client: {e}"));
    assert!(out.status.success(), "C client failed: {}", String::from_utf8_lossy(&out.stderr));
    let nanos: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("C client output: {e}"));
    Duration::from_nanos(nanos / u64::from(count.max(1)))
}
