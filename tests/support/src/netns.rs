//! Running a test in namespaces of its own, so that it may use port 111,
//! `/run/rpcbind.sock` and other hosts without touching the machine's.
//!
//! A test calls [`isolate`] with its own name first thing. Outside the
//! namespaces, `isolate` runs the same test binary again, that test only,
//! under `unshare` with new network, mount and pid namespaces, waits for
//! it (bounded) and returns `None`: the outer test passes exactly when the
//! inner one did. Inside, it brings loopback up, mounts a fresh tmpfs on
//! `/run` and returns `Some`: the test body runs there. The test process
//! is pid 1 of its pid namespace, so every process it started is killed
//! by the kernel when it ends, whatever happens.
//!
//! Namespaces need root: without it the test is skipped with a message on
//! stderr, and fails when `CI` is set (CI runs as root).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Set in the environment of the test process inside the namespaces.
const INSIDE: &str = "ONCRPC_TEST_IN_NETNS";

/// How long the isolated test may run.
const LIMIT: Duration = Duration::from_secs(180);

/// Proof that the test is running inside its own namespaces.
#[derive(Debug)]
pub struct Isolated(());

/// True when this process runs as root.
pub fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

/// Runs test `name` (its path within the test binary, as `cargo test`
/// prints it) in new namespaces; see the module documentation.
pub fn isolate(name: &str) -> Option<Isolated> {
    if std::env::var_os(INSIDE).is_some() {
        run(Command::new("ip").args(["link", "set", "lo", "up"]));
        run(Command::new("mount").args(["-t", "tmpfs", "tmpfs", "/run"]));
        return Some(Isolated(()));
    }
    if !is_root() {
        assert!(std::env::var_os("CI").is_none(), "CI must run {name} as root");
        eprintln!("SKIPPED {name}: network namespaces need root (CI runs it as root)");
        return None;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = Command::new("unshare");
    command
        .args(["--net", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private"])
        .arg(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1");
    let output = crate::timed::output_within(&mut command, LIMIT);
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    eprint!("--- {name} in its namespaces: stdout ---\n{out}--- stderr ---\n{err}");
    assert!(output.status.success(), "{name} failed in its namespaces ({})", output.status);
    assert!(
        out.contains("1 passed"),
        "{name} did not run in its namespaces: is the name its full test path?"
    );
    None
}

/// A second host: a network namespace joined to the test's by a veth
/// pair, the test's end at `local`, the host's at `remote` (/24).
#[derive(Debug)]
pub struct Host {
    name: String,
}

impl Host {
    /// Creates host `name` with address `remote`, reachable from the
    /// test's namespace, whose end of the link gets address `local`.
    pub fn create(_proof: &Isolated, name: &str, local: &str, remote: &str) -> Host {
        let here = format!("{name}-a");
        let there = format!("{name}-b");
        run(Command::new("ip").args(["netns", "add", name]));
        run(Command::new("ip").args(["link", "add", &here, "type", "veth", "peer", "name", &there]));
        run(Command::new("ip").args(["link", "set", &there, "netns", name]));
        run(Command::new("ip").args(["addr", "add", &format!("{local}/24"), "dev", &here]));
        run(Command::new("ip").args(["link", "set", &here, "up"]));
        let host = Host { name: name.to_owned() };
        run(host.command("ip").args(["addr", "add", &format!("{remote}/24"), "dev", &there]));
        run(host.command("ip").args(["link", "set", &there, "up"]));
        run(host.command("ip").args(["link", "set", "lo", "up"]));
        host
    }

    /// A command that runs `program` on this host.
    pub fn command(&self, program: impl Into<PathBuf>) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name]).arg(program.into());
        c
    }

    /// A command that runs `program` on this host with the host's own
    /// `/run` (a directory of the test's `/run` mounted over it), so that
    /// the daemons of this host keep their sockets, locks and state apart
    /// from the test's: `/run/rpcbind.sock` there is this host's.
    pub fn own_run_command(&self, program: impl Into<PathBuf>) -> Command {
        let dir = self.run_dir();
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        // `ip netns exec` gives the command a mount namespace of its own,
        // so the bind mount is seen by the command alone.
        let mut c = Command::new("ip");
        c.args([
            "netns",
            "exec",
            &self.name,
            "sh",
            "-c",
            r#"mount --bind "$1" /run && shift && exec "$@""#,
            "sh",
        ])
        .arg(dir)
        .arg(program.into());
        c
    }

    /// Where this host's own `/run` lives in the test's.
    pub fn run_dir(&self) -> PathBuf {
        PathBuf::from("/run/hosts").join(&self.name)
    }
}

fn run(command: &mut Command) {
    let status = command.status().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(status.success(), "{command:?} failed: {status}");
}
