//! REGIST over a connection whose `SO_PEERCRED` pid is stale: a process
//! connects as root, then `exec`s (same pid) into this test binary as
//! another user, which calls REGIST over the inherited connection. The
//! daemon finds the pid's process no longer of the connection's uid and
//! refuses it, as it would a pid reused by another user's process.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};

use common::{Cluster, eventually, is_root};
use dpc::proto::names::DpcStatus;
use dpc::proto::node::{DPC_NODE_PROG, DPC_NODE_V1, NODE_REGIST};

/// This test's name, for the helper processes to run it.
const TEST: &str = "regist_over_a_connection_now_held_by_another_user_is_refused";
/// The helper's part: `connect UID SOCKET EXE` or `regist`.
const PART: &str = "DPC_NODE_STALE_PEER";

#[test]
fn regist_over_a_connection_now_held_by_another_user_is_refused() {
    match std::env::var(PART) {
        Ok(part) if part == "regist" => regist_on_stdin(),
        Ok(part) => connect_and_become(&part),
        Err(_) => {}
    }
    if !is_root() {
        eprintln!("skipped: needs root to run processes as another user");
        return;
    }
    let cluster = Cluster::start("stale-peer", 1);
    let exe = test_support::shared_copy(&std::env::current_exe().unwrap());
    let stale_regist = |uid: u32| {
        let part = format!("connect {uid} {} {}", cluster.node(0).socket.display(), exe.display());
        let status = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--test-threads", "1"])
            .env(PART, part)
            .current_dir("/")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        status.code().unwrap_or_else(|| panic!("the helper died: {:?}", status.signal()))
    };
    // The same pid, still root's: registered (and unregistered at exit).
    assert_eq!(stale_regist(0), DpcStatus::DpcOk as i32);
    // The same pid, now nobody's: refused.
    assert_eq!(stale_regist(65534), DpcStatus::DpcPermission as i32);
    eventually("nothing stays registered", || cluster.names.table.len() == 0);
}

/// Connects to the daemon's socket, then becomes (same pid) this test
/// binary running as `uid`, the connection on its stdin.
fn connect_and_become(part: &str) -> ! {
    let args: Vec<&str> = part.split(' ').collect();
    let [_, uid, socket, exe] = args[..] else { panic!("{PART}={part:?}") };
    let connection = OwnedFd::from(UnixStream::connect(socket).unwrap());
    let uid = format!("--reuid={uid}");
    let gid = uid.replace("uid", "gid");
    let e = Command::new("setpriv")
        .args([uid.as_str(), gid.as_str(), "--clear-groups", exe, "--exact", TEST])
        .args(["--test-threads", "1"])
        .env(PART, "regist")
        .stdin(Stdio::from(connection))
        .exec();
    panic!("cannot run setpriv: {e}");
}

/// Calls NODE_REGIST over stdin and exits with the status of the reply.
fn regist_on_stdin() -> ! {
    let mut stream = UnixStream::from(std::io::stdin().as_fd().try_clone_to_owned().unwrap());
    // A record of 10 words: xid, CALL, RPC version 2, program, version,
    // procedure, AUTH_NONE credentials and verifier.
    let words = [1, 0, 2, DPC_NODE_PROG, DPC_NODE_V1, NODE_REGIST, 0, 0, 0, 0];
    let mut call = (0x8000_0000_u32 | 40).to_be_bytes().to_vec();
    words.iter().for_each(|w| call.extend(w.to_be_bytes()));
    stream.write_all(&call).unwrap();
    let mut mark = [0; 4];
    stream.read_exact(&mut mark).unwrap();
    let mut reply = vec![0; (u32::from_be_bytes(mark) & 0x7fff_ffff) as usize];
    stream.read_exact(&mut reply).unwrap();
    // xid, REPLY, MSG_ACCEPTED, verifier (flavor, empty body), SUCCESS:
    // the result's status follows.
    assert_eq!(&reply[4..24], &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    std::process::exit(i32::from_be_bytes(reply[24..28].try_into().unwrap()));
}
