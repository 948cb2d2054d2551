//! The C interface on one host, no root needed: a local cluster (nodes on
//! 127.0.0.1 and 127.0.0.2), C programs built against libdpc.so and
//! libdpc.a, and the errno of each failure.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{c_dir, c_example, text};
use dpc_cli::cluster::LocalCluster;
use test_support::workspace_bin;

#[test]
fn c_programs_register_signal_and_get_errno() {
    let dir = c_dir();
    let (shared, static_) = (c_example(dir.path(), true), c_example(dir.path(), false));
    let mut cluster = LocalCluster::start(&workspace_bin("dpc"), &dir.join("cluster"), 2).unwrap();
    let two_socket = cluster.nodes()[1].socket.clone();

    // A static C program registers on node 2; then node 2's daemon
    // restarts, closing the program's connection (which must not kill it
    // with SIGPIPE), and takes the program back from the name server.
    let mut waiter = Command::new(&static_)
        .arg("wait")
        .env(dpc::SOCKET_ENV, &two_socket)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(waiter.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let id = first.strip_prefix("registered ").unwrap_or_else(|| panic!("{first}")).to_owned();
    cluster.kill_node(1);
    cluster.start_node(1).unwrap();

    // A shared C program on node 1 signals it by its pid_d; it reports
    // the signal and unregisters over a new connection.
    let one = &cluster.nodes()[0];
    let on_one = |args: &[&str]| {
        text(&Command::new(&shared).args(args).env(dpc::SOCKET_ENV, &one.socket).output().unwrap())
    };
    assert_eq!(on_one(&["kill", &id, "0"]).trim(), "sent");
    assert_eq!(on_one(&["kill", &id, "10"]).trim(), "sent");
    assert_eq!(lines.next().unwrap().unwrap(), "got SIGUSR1");
    assert_eq!(lines.next().unwrap().unwrap(), "unregistered");
    assert!(waiter.wait().unwrap().success());

    // Each failure has its errno.
    assert!(on_one(&["kill", &id, "10"]).starts_with("error 3:"), "gone: ESRCH");
    assert!(on_one(&["kill", "999999", "10"]).starts_with("error 3:"), "unknown: ESRCH");
    assert!(on_one(&["kill", &id, "99"]).starts_with("error 22:"), "bad signal: EINVAL");
    let worker = cluster.spawn_worker(0).unwrap();
    let out = on_one(&["uregist", &worker.id.to_string()]);
    assert!(out.starts_with("error 1:"), "another's id: EPERM, got {out}");
    let no_daemon = Command::new(&shared)
        .args(["kill", &worker.id.to_string(), "10"])
        .env(dpc::SOCKET_ENV, dir.join("no-such.sock"))
        .output()
        .unwrap();
    assert!(text(&no_daemon).starts_with("error 111:"), "no daemon: ECONNREFUSED");
    drop((worker, cluster));
}
