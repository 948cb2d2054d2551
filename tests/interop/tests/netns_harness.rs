//! The namespace harness itself: inside, the network is the test's own
//! (only loopback, nothing listening on port 111) and `/run` is private.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

use std::net::{TcpListener, TcpStream};

use test_support::netns::{self, Host};

#[test]
fn port_111_and_run_are_the_tests_own() {
    let Some(ns) = netns::isolate("port_111_and_run_are_the_tests_own") else { return };
    let listener = TcpListener::bind("127.0.0.1:111").unwrap();
    assert!(TcpStream::connect(listener.local_addr().unwrap()).is_ok());
    assert_eq!(std::fs::read_dir("/run").unwrap().count(), 0, "a fresh /run");
    let links = std::process::Command::new("ip").args(["-o", "link"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&links.stdout).lines().count(), 1, "loopback only");
    let host = Host::create(&ns, "peer", "10.9.0.1", "10.9.0.2");
    let ping = host.command("ip").args(["-o", "addr", "show"]).output().unwrap();
    assert!(String::from_utf8_lossy(&ping.stdout).contains("10.9.0.2/24"));
    let from_peer = TcpListener::bind("10.9.0.1:0").unwrap();
    let port = from_peer.local_addr().unwrap().port();
    let nc = host
        .command("bash")
        .args(["-c", &format!("exec 3<>/dev/tcp/10.9.0.1/{port} && echo connected")])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&nc.stdout).trim(), "connected");
}
