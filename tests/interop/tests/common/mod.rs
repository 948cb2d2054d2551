//! Shared by the portmapper interop tests: the libtirpc C peers of
//! `tests/portmap/` (a server and a client of `pmtest.x`, and `rpcb_tool`
//! for raw SET and UNSET calls), rpcinfo runs (the system's and ours), and
//! the sample registrations several tests make.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::ffi::OsStr;
use std::fmt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use test_support::{CPeer, Child, output_within, workspace_bin};

/// `pmtest.x`'s program and version.
pub const PROG: u32 = 0x2000_0777;
/// [`PROG`] as rpcinfo wants it (decimal).
pub const PROG_ARG: &str = "536872823";
/// `pmtest.x`'s TWICE procedure.
pub const TWICE: u32 = 1;

/// The fixed ports `register_sample` gives the legacy C server: fixed so
/// that every listing is the same from run to run and daemon to daemon.
pub const SERVER_TCP_PORT: u16 = 40001;
/// See [`SERVER_TCP_PORT`].
pub const SERVER_UDP_PORT: u16 = 40002;

/// How long any one command may take.
const COMMAND_LIMIT: Duration = Duration::from_secs(30);

/// The C programs, built from `tests/portmap/`.
#[derive(Debug)]
pub struct CPeers {
    /// `server svc_create` or `server pmap [TCPPORT UDPPORT]`.
    pub server: PathBuf,
    /// `client HOST NETTYPE N`.
    pub client: PathBuf,
    /// `rpcb_tool SERVER NETID VERS set|unset PROG PVERS RNETID RADDR`.
    pub tool: PathBuf,
}

impl CPeers {
    /// Builds the C peers in a directory of `test`'s own (each isolated
    /// test is a process of its own, and they run in parallel).
    pub fn build(test: &str) -> CPeers {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/portmap");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("portmap").join(test);
        let x = CPeer::new(src.join("pmtest.x"));
        CPeers {
            server: x
                .clone()
                .server_stubs()
                .source(src.join("server.c"))
                .build(&dir.join("server"), "server"),
            client: x
                .clone()
                .client_stubs()
                .source(src.join("client.c"))
                .build(&dir.join("client"), "client"),
            tool: x.source(src.join("rpcb_tool.c")).build(&dir.join("tool"), "rpcb_tool"),
        }
    }

    /// Starts the legacy server (`pmap_set`) on the fixed ports and waits
    /// until it is registered.
    pub fn legacy_server(&self) -> Child {
        let mut server = Command::new(&self.server);
        server.args(["pmap", &SERVER_TCP_PORT.to_string(), &SERVER_UDP_PORT.to_string()]);
        started(server)
    }

    /// Runs `rpcb_tool` with `args` through `wrap` (e.g. [`as_nobody`], or
    /// a remote host's `command`), expecting it to print `answer`.
    pub fn tool_answers(&self, wrap: impl Fn(&Path) -> Command, args: [&str; 8], answer: &str) {
        let out = run(wrap(&self.tool).args(args));
        assert_eq!(
            (out.code, out.stdout.trim()),
            (Some(0), answer),
            "rpcb_tool {args:?} should answer {answer}; it did:\n{out}"
        );
    }

    /// A libtirpc client call through `clnt_create(host, PROG, 1, nettype)`,
    /// run through `wrap` (e.g. [`here`], or a remote host's `command`).
    pub fn client(&self, wrap: impl Fn(&Path) -> Command, host: &str, nettype: &str) -> Outcome {
        run(wrap(&self.client).args([host, nettype, "21"]))
    }
}

/// Starts a C server and waits for its "ready" line.
pub fn started(command: Command) -> Child {
    let mut child = Child::spawn(command);
    assert_eq!(child.read_line(), "ready", "the C server did not register");
    child
}

/// Runs `program` directly (for [`CPeers::tool_answers`]).
pub fn here(program: &Path) -> Command {
    Command::new(program)
}

/// Runs `program` (a copy nobody can reach) as user and group `nobody`
/// (65534), without groups.
pub fn as_nobody(program: &Path) -> Command {
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
    c.arg(test_support::shared_copy(program));
    c
}

/// What a command did: exit code (None when killed by a signal) and its
/// output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The exit code.
    pub code: Option<i32>,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl From<Output> for Outcome {
    fn from(out: Output) -> Outcome {
        Outcome {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {:?}\n[stdout]\n{}[stderr]\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Runs `command` (bounded in time) and returns what it did.
pub fn run(command: &mut Command) -> Outcome {
    output_within(command, COMMAND_LIMIT).into()
}

/// The system rpcinfo with `args`.
pub fn rpcinfo<S: AsRef<OsStr>>(args: &[S]) -> Outcome {
    run(Command::new("/usr/sbin/rpcinfo").arg0("rpcinfo").args(args))
}

/// Our rpcinfo with `args`, named `rpcinfo` in its `argv[0]` as the
/// system's is (getopt's messages start with it).
pub fn our_rpcinfo<S: AsRef<OsStr>>(args: &[S]) -> Outcome {
    run(Command::new(workspace_bin("rpcinfo")).arg0("rpcinfo").args(args))
}

/// The system rpcinfo with `args`, which must succeed; its stdout.
pub fn rpcinfo_ok(args: &[&str]) -> String {
    let out = rpcinfo(args);
    assert_eq!(out.code, Some(0), "rpcinfo {args:?} failed:\n{out}");
    out.stdout
}

/// Registers the sample entries - every way a registration arrives:
/// rpcbind v3 SET over TCP from loopback, portmap v2 SET over UDP from
/// loopback, v4 SET over the local socket (local, tcp and tcp6 addresses),
/// v3 SET by `nobody` over the local socket (owner 65534) and v2 SET by
/// `nobody` over UDP from an unprivileged port (owner `unknown`) - and
/// starts the legacy C server (`pmap_set` of [`PROG`] on the fixed ports),
/// returned so that it lives as long as the caller wants.
pub fn register_sample(peers: &CPeers) -> Child {
    let sock = test_support::portmap::SOCKET;
    for (wrap, args) in [
        (
            here as fn(&Path) -> Command,
            ["127.0.0.1", "tcp", "3", "set", "300001", "1", "tcp", "127.0.0.1.3.1"],
        ),
        (here, ["127.0.0.1", "udp", "2", "set", "300001", "2", "udp", "770"]),
        (here, [sock, "local", "4", "set", "300001", "3", "local", "/run/pm300001.sock"]),
        (here, [sock, "local", "4", "set", "100003", "3", "tcp", "0.0.0.0.8.1"]),
        (here, [sock, "local", "4", "set", "300004", "1", "tcp6", "::1.3.8"]),
        (as_nobody, [sock, "local", "3", "set", "300002", "1", "udp", "0.0.0.0.3.5"]),
        (as_nobody, ["127.0.0.1", "udp", "2", "set", "300003", "1", "udp", "775"]),
    ] {
        peers.tool_answers(wrap, args, "true");
    }
    peers.legacy_server()
}

/// One line of `rpcinfo`'s listing (rpcbind v4 DUMP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Program number, in decimal.
    pub prog: String,
    /// Version.
    pub vers: String,
    /// Netid.
    pub netid: String,
    /// Universal address.
    pub addr: String,
    /// Owner: `superuser`, a uid, or `unknown`.
    pub owner: String,
}

/// Every registration, as the system `rpcinfo` lists them.
pub fn dump() -> Vec<Entry> {
    rpcinfo_ok(&[])
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [prog, vers, netid, addr, _service, owner] = f[..] else { return None };
            let s = |x: &str| x.to_owned();
            Some(Entry {
                prog: s(prog),
                vers: s(vers),
                netid: s(netid),
                addr: s(addr),
                owner: s(owner),
            })
        })
        .collect()
}

/// The registrations of `prog` version `vers`.
pub fn entries_of(prog: &str, vers: &str) -> Vec<Entry> {
    dump().into_iter().filter(|e| e.prog == prog && e.vers == vers).collect()
}
