//! dpc across real hosts: the test's network namespace (host A,
//! 10.21.0.1) runs the system rpcbind, the name server and a node daemon;
//! a second namespace joined by a veth pair (host B, 10.21.0.2) runs our
//! rpcbind and another node daemon, with its own `/run`. Signals cross
//! from Rust and from the C interface; daemons are killed and restarted;
//! a non-root user tries to signal root's process.
//!
//! Needs root (namespaces): CI runs it; elsewhere it is skipped loudly.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::{IpAddr, SocketAddr};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{c_dir, c_example, text};
use dpc::proto::names::{
    DPC_NAMES_PROG, DPC_NAMES_V1, DpcEntry, DpcLookupRes, DpcNamesProgDpcNamesV1Client, DpcStatus,
};
use dpc::proto::node::{DPC_NODE_PROG, DPC_NODE_V1};
use dpc::{Node, PidD};
use dpc_cli::cluster::Worker;
use oncrpc::clnt::ClientBuilder;
use oncrpc::portmapper::Rpcbind;
use test_support::netns::{Host, Isolated, isolate};
use test_support::portmap::{Portmapper, Running};
use test_support::shared_copy;
use test_support::workspace_bin;

const A: &str = "10.21.0.1";
const B: &str = "10.21.0.2";
/// The node daemons' bound on each step.
const TIMEOUT_MS: u64 = 1000;
const SIGUSR1: i32 = 10;
const PATIENCE: Duration = Duration::from_secs(10);
/// The unprivileged user of the permission test.
const NOBODY: u32 = 65534;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// The two hosts and their daemons.
struct Cluster {
    host: Host,
    dpc: PathBuf,
    _rpcbind_a: Running,
    rpcbind_b: Child,
    names: Option<Child>,
    node_a: Option<Child>,
    node_b: Option<Child>,
}

impl Cluster {
    fn start(proof: &Isolated) -> Cluster {
        let host = Host::create(proof, "dpcb", A, B);
        let rpcbind_a = Portmapper::System.start(proof, &[]);
        let rpcbind_b = host
            .own_run_command(workspace_bin("rpcbind"))
            .arg("-f")
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_until("B's portmapper answers", || rpcbind_at(B).dump().is_ok());
        let mut cluster = Cluster {
            host,
            dpc: workspace_bin("dpc"),
            _rpcbind_a: rpcbind_a,
            rpcbind_b,
            names: None,
            node_a: None,
            node_b: None,
        };
        cluster.start_names();
        cluster.start_node_a();
        cluster.start_node_b();
        cluster
    }

    fn start_names(&mut self) {
        let mut command = Command::new(&self.dpc);
        command.args(["name-server", "--db", "/run/dpc/names.redb"]);
        self.names = Some(daemon(&mut command));
        wait_registered(A, DPC_NAMES_PROG, DPC_NAMES_V1);
    }

    fn node_args(address: &str) -> Vec<String> {
        let timeout = TIMEOUT_MS.to_string();
        ["node", "--address", address, "--names", A, "--timeout-ms", &timeout]
            .map(str::to_owned)
            .to_vec()
    }

    fn start_node_a(&mut self) {
        self.node_a = Some(daemon(Command::new(&self.dpc).args(Cluster::node_args(A))));
        wait_registered(A, DPC_NODE_PROG, DPC_NODE_V1);
    }

    fn start_node_b(&mut self) {
        let mut command = self.host.own_run_command(&self.dpc);
        self.node_b = Some(daemon(command.args(Cluster::node_args(B))));
        wait_registered(B, DPC_NODE_PROG, DPC_NODE_V1);
    }

    /// A `dpc worker` on host A.
    fn worker_a(&self) -> Worker {
        Worker::spawn(Command::new(&self.dpc).arg("worker"), ip(A)).unwrap()
    }

    /// A `dpc worker` on host B, run by `uid` when given.
    fn worker_b(&self, uid: Option<u32>) -> Worker {
        let mut command = match uid {
            None => self.host.own_run_command(&self.dpc),
            Some(uid) => {
                let mut c = self.host.own_run_command("setpriv");
                c.args([
                    format!("--reuid={uid}"),
                    format!("--regid={uid}"),
                    "--clear-groups".into(),
                ])
                .arg(shared_copy(&self.dpc));
                c
            }
        };
        Worker::spawn(command.arg("worker"), ip(B)).unwrap()
    }

    /// A process on host A talking to A's node daemon.
    fn sender(&self) -> Node {
        Node::connect(dpc::DEFAULT_SOCKET).unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in
            [self.node_b.take(), self.node_a.take(), self.names.take()].into_iter().flatten()
        {
            stop(child);
        }
        let _ = self.rpcbind_b.kill();
        let _ = self.rpcbind_b.wait();
    }
}

fn rpcbind_at(host: &str) -> Rpcbind {
    Rpcbind::at(SocketAddr::new(ip(host), 111)).socket(None)
}

/// Waits until `prog` answers a NULL call where `host`'s portmapper says
/// it listens (a daemon killed before leaves its registration behind).
fn wait_registered(host: &str, prog: u32, vers: u32) {
    wait_until(&format!("program {prog:#x} serves on {host}"), || {
        let builder = ClientBuilder::new(prog, vers);
        dpc::locate::program(ip(host), 111, builder, Duration::from_secs(1))
            .is_ok_and(|client| client.call::<(), ()>(0, &()).is_ok())
    });
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn daemon(command: &mut Command) -> Child {
    command.stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap()
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn names() -> DpcNamesProgDpcNamesV1Client {
    dpc::locate::names(ip(A), 111, Duration::from_secs(2)).unwrap()
}

fn lookup(id: PidD) -> DpcLookupRes {
    names().lookup(&id.0).unwrap()
}

#[test]
fn signals_cross_hosts_from_rust_and_c() {
    let Some(proof) = isolate("signals_cross_hosts_from_rust_and_c") else { return };
    let cluster = Cluster::start(&proof);
    let dir = c_dir();
    let (shared, static_) = (c_example(dir.path(), true), c_example(dir.path(), false));

    // Rust: a process on A signals a worker on B.
    let on_b = cluster.worker_b(None);
    match lookup(on_b.id) {
        DpcLookupRes::DpcOk(at) => {
            assert_eq!(&*at.node, B.as_bytes());
            assert_eq!(at.pid as u32, on_b.pid());
        }
        other => panic!("worker on B does not resolve: {other:?}"),
    }
    cluster.sender().kill_d(on_b.id, SIGUSR1).unwrap();
    assert!(on_b.wait_signal(SIGUSR1, PATIENCE), "the worker on B got no SIGUSR1");

    // C, shared library, on B: signal a worker on A.
    let on_a = cluster.worker_a();
    let sent = cluster
        .host
        .own_run_command(&shared)
        .args(["kill", &on_a.id.to_string(), "10"])
        .output()
        .unwrap();
    assert_eq!(text(&sent).trim(), "sent");
    assert!(on_a.wait_signal(SIGUSR1, PATIENCE), "the worker on A got no SIGUSR1 from C");

    // C, static library: a C process on B registers and waits; a C process
    // on A signals it by its pid_d.
    let mut waiter =
        cluster.host.own_run_command(&static_).arg("wait").stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(waiter.stdout.take().unwrap()));
    let first = lines.next().unwrap().unwrap();
    let id = first.strip_prefix("registered ").expect("the C waiter registers").to_owned();
    let sent = Command::new(&shared).args(["kill", &id, "10"]).output().unwrap();
    assert_eq!(text(&sent).trim(), "sent");
    assert_eq!(lines.next().unwrap().unwrap(), "got SIGUSR1");
    assert_eq!(lines.next().unwrap().unwrap(), "unregistered");
    assert!(waiter.wait().unwrap().success());

    // The operator's view lists the processes with their nodes.
    let ps = Command::new(&cluster.dpc).args(["ps", "--names", A]).output().unwrap();
    let listing = text(&ps);
    assert!(ps.status.success(), "{listing}");
    for (worker, node) in [(&on_b, B), (&on_a, A)] {
        let row = format!("{} {node} {}", worker.id, worker.pid());
        let squeezed: Vec<String> =
            listing.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        assert!(squeezed.contains(&row), "dpc ps lacks {row:?}:\n{listing}");
    }
    assert!(!listing.contains(&format!(" {id} ")), "the C waiter is still listed:\n{listing}");
}

#[test]
fn faults_are_reported_and_survived() {
    let Some(proof) = isolate("faults_are_reported_and_survived") else { return };
    let mut cluster = Cluster::start(&proof);
    let on_a = cluster.worker_a();
    let mut on_b = cluster.worker_b(None);
    let sender = cluster.sender();

    // UNREGISTER of a wrong entry changes nothing: at the name server, as
    // a root node daemon calls it (from a reserved port)...
    let builder = ClientBuilder::new(DPC_NAMES_PROG, DPC_NAMES_V1).reserved_port(true);
    let client = dpc::locate::program(ip(A), 111, builder, Duration::from_secs(2)).unwrap();
    let as_daemon = DpcNamesProgDpcNamesV1Client::new(client);
    let DpcLookupRes::DpcOk(at) = lookup(on_a.id) else { panic!("worker on A does not resolve") };
    assert_eq!(at.pid as u32, on_a.pid());
    let entry =
        |pid, started| DpcEntry { id: on_a.id.0, node: A.try_into().unwrap(), pid, started };
    let wrong_pid = entry(at.pid + 1, at.started);
    assert_eq!(as_daemon.unregister(&wrong_pid).unwrap(), DpcStatus::DpcMismatch);
    // (its pid, but another process's start time)
    let reused_pid = entry(at.pid, at.started + 1);
    assert_eq!(as_daemon.unregister(&reused_pid).unwrap(), DpcStatus::DpcMismatch);
    // ... while a user of host A (an ordinary port) may not even try.
    let exact = entry(at.pid, at.started);
    assert_eq!(names().unregister(&exact).unwrap(), DpcStatus::DpcPermission);
    assert!(matches!(lookup(on_a.id), DpcLookupRes::DpcOk(_)));
    // ... and through the C interface, for another process's id: EPERM.
    let dir = c_dir();
    let shared = c_example(dir.path(), true);
    let out = Command::new(&shared).args(["uregist", &on_a.id.to_string()]).output().unwrap();
    assert!(text(&out).starts_with("error 1:"), "uregist of another's id: {}", text(&out));
    assert!(matches!(lookup(on_a.id), DpcLookupRes::DpcOk(_)));

    // The name server killed: kill_d says so; restarted: every registration
    // still resolves, and new ids are larger.
    stop(cluster.names.take().unwrap());
    let started = Instant::now();
    assert!(matches!(sender.kill_d(on_b.id, SIGUSR1), Err(dpc::Error::NamesUnreachable)));
    assert!(started.elapsed() < PATIENCE);
    cluster.start_names();
    for w in [&on_a, &on_b] {
        assert!(matches!(lookup(w.id), DpcLookupRes::DpcOk(_)), "{} lost", w.id);
    }
    sender.kill_d(on_b.id, SIGUSR1).unwrap();
    assert!(on_b.wait_signal(SIGUSR1, PATIENCE));
    let later = cluster.worker_a();
    assert!(later.id > on_a.id && later.id > on_b.id, "ids went back: {}", later.id);

    // B's node daemon killed: kill_d fails within the bound, naming the node.
    stop(cluster.node_b.take().unwrap());
    let started = Instant::now();
    let result = sender.kill_d(on_b.id, SIGUSR1);
    assert!(matches!(result, Err(dpc::Error::NodeUnreachable)), "{result:?}");
    assert!(started.elapsed() < Duration::from_millis(4 * TIMEOUT_MS + 2000));
    // Restarted, it takes its processes back.
    cluster.start_node_b();
    sender.kill_d(on_b.id, SIGUSR1).unwrap();
    assert!(on_b.wait_signal(SIGUSR1, PATIENCE));

    // A registered process exits: its pid_d stops resolving.
    let gone = on_b.id;
    on_b.stop();
    wait_until("the exited worker's pid_d is removed", || {
        matches!(lookup(gone), DpcLookupRes::Default(DpcStatus::DpcUnknown))
    });
    assert!(matches!(sender.kill_d(gone, SIGUSR1), Err(dpc::Error::Unknown)));
}

#[test]
fn non_root_cannot_signal_another_users_process() {
    let Some(proof) = isolate("non_root_cannot_signal_another_users_process") else { return };
    let cluster = Cluster::start(&proof);
    let dpc_for_all = shared_copy(&cluster.dpc);
    let kill_as_nobody = |id: PidD| {
        Command::new(&dpc_for_all)
            .args(["kill", "-s", "USR1", &id.to_string()])
            .uid(NOBODY)
            .gid(NOBODY)
            .output()
            .unwrap()
    };

    let roots = cluster.worker_b(None);
    let out = kill_as_nobody(roots.id);
    assert!(!out.status.success(), "nobody signalled root's process");
    assert!(text(&out).contains("permission denied"), "{}", text(&out));
    assert!(!roots.wait_signal(SIGUSR1, Duration::from_millis(500)), "the signal was delivered");

    let nobodys = cluster.worker_b(Some(NOBODY));
    let out = kill_as_nobody(nobodys.id);
    assert!(out.status.success(), "nobody cannot signal its own process: {}", text(&out));
    assert!(nobodys.wait_signal(SIGUSR1, PATIENCE));
}
