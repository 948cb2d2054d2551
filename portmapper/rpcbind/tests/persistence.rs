//! Registrations survive a crash: the built daemon is killed with SIGKILL
//! right after its replies and restarted with `-w`. Also: starting cold,
//! a damaged state file, the state directory's lock, and starting in the
//! background.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use portmapper::proto::pmap_prot::PmapProgPmapVersClient;
use portmapper::proto::rpcb_prot::RpcbprogRpcbvers4Client;
use rpcbind::persist::{CORRUPT_FILE, LOCK_FILE, STATE_FILE};

fn unix(dir: &Dir) -> RpcbprogRpcbvers4Client {
    RpcbprogRpcbvers4Client::connect_unix(dir.socket()).unwrap()
}

#[test]
fn registrations_survive_kill_9() {
    let dir = Dir::new("kill9");
    let port = free_port();
    let mut p = Process::start(&dir, port, &[]);
    let me =
        if is_root() { s("superuser") } else { rustix::process::geteuid().as_raw().to_string() };
    assert!(unix(&dir).set(&rpcb(0x2000_0200, 1, "tcp", "0.0.0.0.4.1")).unwrap());
    let tcp = RpcbprogRpcbvers4Client::new(client(4).tcp(p.tcp()).unwrap());
    assert!(tcp.set(&rpcb(0x2000_0200, 2, "udp6", "::.4.2")).unwrap());
    let v2 = PmapProgPmapVersClient::new(client(2).udp(p.tcp()).unwrap());
    assert!(v2.set(&mapping(0x2000_0201, 1, 17, 2000)).unwrap());
    assert!(unix(&dir).set(&rpcb(0x2000_0202, 1, "local", "/run/gone.sock")).unwrap());
    assert!(unix(&dir).unset(&rpcb(0x2000_0202, 1, "", "")).unwrap());
    let before = entries(&unix(&dir).dump().unwrap());
    p.kill9();

    let _p = Process::start(&dir, port, &["-w"]);
    let after = entries(&unix(&dir).dump().unwrap());
    assert_eq!(after, before);
    assert_eq!(
        others(&unix(&dir).dump().unwrap()),
        [
            (0x2000_0200, 1, s("tcp"), s("0.0.0.0.4.1"), me),
            (0x2000_0200, 2, s("udp6"), s("::.4.2"), s("unknown")),
            (0x2000_0201, 1, s("udp"), s("0.0.0.0.7.208"), s("unknown")),
        ]
    );
}

#[test]
fn a_cold_start_is_empty_and_forgets() {
    let dir = Dir::new("cold");
    let port = free_port();
    let mut p = Process::start(&dir, port, &[]);
    assert!(unix(&dir).set(&rpcb(0x2000_0210, 1, "tcp", "0.0.0.0.4.1")).unwrap());
    p.kill9();
    let mut p = Process::start(&dir, port, &[]);
    assert!(others(&unix(&dir).dump().unwrap()).is_empty());
    p.kill9();
    let _p = Process::start(&dir, port, &["-w"]);
    assert!(others(&unix(&dir).dump().unwrap()).is_empty(), "the cold start replaced the file");
}

#[test]
fn a_damaged_state_file_is_set_aside() {
    let dir = Dir::new("damaged");
    std::fs::create_dir_all(dir.state()).unwrap();
    std::fs::write(dir.state().join(STATE_FILE), b"rpcbst01 not what it should be").unwrap();
    let port = free_port();
    let _p = Process::start(&dir, port, &["-w"]);
    assert!(others(&unix(&dir).dump().unwrap()).is_empty());
    let kept = std::fs::read(dir.state().join(CORRUPT_FILE)).unwrap();
    assert_eq!(kept, b"rpcbst01 not what it should be");
    assert!(unix(&dir).set(&rpcb(0x2000_0220, 1, "tcp", "0.0.0.0.4.1")).unwrap());
}

#[test]
fn one_daemon_per_state_directory() {
    let dir = Dir::new("locked");
    let _p = Process::start(&dir, free_port(), &[]);
    let out = Command::new(env!("CARGO_BIN_EXE_rpcbind"))
        .args(dir.args(free_port(), &["-f"]))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another rpcbind"), "{err}");
    // The first one still serves.
    unix(&dir).null().unwrap();
}

#[test]
fn starts_in_the_background() {
    let dir = Dir::new("background");
    let port = free_port();
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_rpcbind"))
        .args(dir.args(port, &[]))
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(started.elapsed() < TIMEOUT);
    // The parent waited until the daemon served: no retry needed.
    unix(&dir).null().unwrap();
    let pid: i32 =
        std::fs::read_to_string(dir.state().join(LOCK_FILE)).unwrap().trim().parse().unwrap();
    let pid = rustix::process::Pid::from_raw(pid).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::KILL).unwrap();
    let deadline = Instant::now() + TIMEOUT;
    while rustix::process::test_kill_process(pid).is_ok() {
        assert!(Instant::now() < deadline, "the background daemon survived SIGKILL");
        std::thread::sleep(Duration::from_millis(10));
    }

    // A daemon that cannot start says why, and the parent fails.
    let blocker = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let taken = blocker.local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_rpcbind"))
        .args(dir.args(taken, &[]))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"), "{out:?}");
}
