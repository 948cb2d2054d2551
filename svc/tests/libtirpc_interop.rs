//! Interoperability with libtirpc: a C client built from
//! `tests/interop/svctest.x` by the system rpcgen calls our server over TCP
//! and UDP and sees the right `clnt_stat` for every reply; AUTH_SYS
//! credentials from `authunix_create` arrive intact; a 1 MiB argument that
//! libtirpc sends as many record fragments is echoed back.
//!
//! Needs gcc, rpcgen and libtirpc-dev; the project's test script installs them.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use svc::Limits;
use test_support::CPeer;

// clnt_stat values (rpc/clnt_stat.h).
const RPC_SUCCESS: i64 = 0;
const RPC_AUTHERROR: i64 = 7;
const RPC_PROGUNAVAIL: i64 = 8;
const RPC_PROGVERSMISMATCH: i64 = 9;
const RPC_PROCUNAVAIL: i64 = 10;
const RPC_CANTDECODEARGS: i64 = 11;
const RPC_SYSTEMERROR: i64 = 12;
/// `AUTH_TOOWEAK` in `auth_stat`.
const AUTH_TOOWEAK: i64 = 5;

/// Builds the C driver once per test run; returns its build directory.
fn c_programs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("libtirpc_svctest");
        CPeer::new(src.join("svctest.x"))
            .source(src.join("driver.c"))
            .build(&dir.join("driver.build"), "driver");
        dir
    })
}

/// One line of driver output: its name and its key=value fields.
type Line = (String, HashMap<String, String>);

/// Runs the libtirpc driver against `port` and parses its lines.
fn driver(proto: &str, port: u16, commands: &[&str]) -> Vec<Line> {
    let out = Command::new(c_programs().join("driver.build/driver"))
        .arg(proto)
        .arg(port.to_string())
        .args(commands)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "driver failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Line> = stdout
        .lines()
        .map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next().unwrap().to_owned();
            let fields = words
                .filter_map(|w| w.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            (name, fields)
        })
        .collect();
    assert_eq!(lines.len(), commands.len(), "driver output:\n{stdout}");
    lines
}

fn num(line: &Line, key: &str) -> i64 {
    line.1
        .get(key)
        .unwrap_or_else(|| panic!("{} has no {key}: {:?}", line.0, line.1))
        .parse()
        .unwrap()
}

/// Runs every command over `proto` and checks what libtirpc saw.
fn check(proto: &str, port: u16, echo_size: usize) {
    let echo = format!("echo:{echo_size}");
    let commands = [
        "null",
        &echo,
        "add:40:2",
        "add2:40:2",
        "garbage",
        "procunavail",
        "versmismatch",
        "progunavail",
        "fail",
        "deny",
        "whoami",
    ];
    let lines = driver(proto, port, &commands);
    let by_name: HashMap<&str, &Line> = lines.iter().map(|l| (l.0.as_str(), l)).collect();
    let stat = |name: &str| num(by_name[name], "stat");

    assert_eq!(stat("null"), RPC_SUCCESS);
    assert_eq!(stat("echo"), RPC_SUCCESS);
    assert_eq!(num(by_name["echo"], "len"), echo_size as i64);
    assert_eq!(num(by_name["echo"], "same"), 1, "echoed bytes differ");
    assert_eq!((stat("add"), num(by_name["add"], "result")), (RPC_SUCCESS, 42));
    assert_eq!((stat("add2"), num(by_name["add2"], "result")), (RPC_SUCCESS, 84));
    assert_eq!(stat("garbage"), RPC_CANTDECODEARGS);
    assert_eq!(stat("procunavail"), RPC_PROCUNAVAIL);
    assert_eq!(stat("versmismatch"), RPC_PROGVERSMISMATCH);
    assert_eq!((num(by_name["versmismatch"], "low"), num(by_name["versmismatch"], "high")), (1, 2));
    assert_eq!(stat("progunavail"), RPC_PROGUNAVAIL);
    assert_eq!(stat("fail"), RPC_SYSTEMERROR);
    assert_eq!((stat("deny"), num(by_name["deny"], "why")), (RPC_AUTHERROR, AUTH_TOOWEAK));

    let who = by_name["whoami"];
    assert_eq!(stat("whoami"), RPC_SUCCESS);
    assert_eq!(num(who, "flavor"), 1, "AUTH_SYS");
    assert!(num(who, "stamp") != 0, "libtirpc stamps with the time");
    assert_eq!(who.1["machine"], "interop-host");
    assert_eq!((num(who, "uid"), num(who, "gid")), (4242, 4343));
    assert_eq!(who.1["gids"], "7,8,9");
    assert_eq!(num(who, "transport"), if proto == "tcp" { 0 } else { 1 });
    assert_eq!(num(who, "peer_pid"), -1);
}

fn interop(workers: usize) {
    // Room for the 1 MiB argument and its headers.
    let limits = Limits { max_record: 2 << 20, ..Limits::default() };
    let server = common::start(workers, limits);
    check("tcp", server.tcp.port(), 1 << 20);
    // A UDP datagram cannot carry 1 MiB; 60000 bytes fit.
    check("udp", server.udp.port(), 60_000);
    server.handle.shutdown().unwrap();
}

#[test]
fn libtirpc_client_sees_every_reply_with_workers() {
    interop(4);
}

#[test]
fn libtirpc_client_sees_every_reply_inline() {
    interop(0);
}
