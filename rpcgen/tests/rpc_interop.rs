//! RPC-level interop with C: the client and server code our rpcgen
//! generates from `tests/interop/everything.x` against the client stubs
//! and server dispatchers the system `rpcgen -N` generates from the same
//! file, over TCP and UDP. ECHO carries every construct of the file.
//!
//! Needs gcc, rpcgen and libtirpc-dev (`test_support::INSTALL_HINT`).

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

use common::everything::{
    Everything, EverythingProgEverythingV1, EverythingProgEverythingV1Client,
    EverythingProgEverythingV1Server, EverythingProgEverythingV2, EverythingProgEverythingV2Client,
    EverythingProgEverythingV2Server, IntT, NameT, Pair, Status, StatusT,
};
use common::{SAMPLES, bytes, sample};
use oncrpc::svc::{CallContext, ProcError, Server, ServerHandle};
use oncrpc::xdr::{from_slice, to_vec};
use test_support::{CPeer, Child};

/// The C programs, built once per test run.
struct CPrograms {
    server: PathBuf,
    client: PathBuf,
}

fn c_programs() -> &'static CPrograms {
    static PROGRAMS: OnceLock<CPrograms> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rpcgen_rpc_interop");
        let peer = CPeer::new(src.join("everything.x")).rpcgen_flags(&["-N", "-i", "0"]);
        CPrograms {
            server: peer
                .clone()
                .server_stubs()
                .source(src.join("rpc_server.c"))
                .build(&dir.join("server.build"), "rpc_server"),
            client: peer
                .client_stubs()
                .source(src.join("rpc_client.c"))
                .build(&dir.join("client.build"), "rpc_client"),
        }
    })
}

/// The Rust server: the same procedures as `rpc_server.c`.
struct Service;

/// CONCAT's rule, shared with the C server: repeat `a` then `b` while the
/// result stays within the type's bound.
fn concat(a: &[u8], b: &[u8], times: i32) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..times {
        if out.len() + a.len() + b.len() > NameT::MAX as usize {
            break;
        }
        out.extend_from_slice(a);
        out.extend_from_slice(b);
    }
    out
}

impl EverythingProgEverythingV1 for Service {
    fn echo(&self, _ctx: &CallContext, arg: Everything) -> Result<Everything, ProcError> {
        Ok(arg)
    }

    fn add(&self, _ctx: &CallContext, a: i32, b: i32) -> Result<i32, ProcError> {
        Ok(a.wrapping_add(b))
    }

    fn concat(
        &self,
        _ctx: &CallContext,
        a: NameT,
        b: NameT,
        times: IntT,
    ) -> Result<NameT, ProcError> {
        NameT::new(concat(&a, &b, times)).map_err(|_| ProcError::SystemErr)
    }

    fn ping(&self, _ctx: &CallContext) -> Result<(), ProcError> {
        Ok(())
    }
}

impl EverythingProgEverythingV2 for Service {
    fn check(&self, _ctx: &CallContext, p: Pair) -> Result<StatusT, ProcError> {
        Ok(match p.a.cmp(&p.b) {
            std::cmp::Ordering::Less => Status::Ok,
            std::cmp::Ordering::Equal => Status::NotFound,
            std::cmp::Ordering::Greater => Status::Denied,
        })
    }
}

fn start_rust_server() -> (ServerHandle, SocketAddr, SocketAddr) {
    let service = Arc::new(Service);
    let builder = Server::builder()
        .listen_tcp(([127, 0, 0, 1], 0).into())
        .listen_udp(([127, 0, 0, 1], 0).into());
    let builder = EverythingProgEverythingV1Server(Arc::clone(&service)).register(builder);
    let server = EverythingProgEverythingV2Server(service).register(builder).build().unwrap();
    let (tcp, udp) = (server.tcp_addr().unwrap(), server.udp_addr().unwrap());
    (server.spawn().unwrap(), tcp, udp)
}

/// Runs the C client; returns its stdout, or its stderr on failure.
fn c_client(transport: &str, port: u16, args: &[&str], stdin: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(&c_programs().client)
        .args([transport, &port.to_string()])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn text(out: Result<Vec<u8>, String>) -> String {
    String::from_utf8(out.unwrap()).unwrap().trim_end().to_owned()
}

#[test]
fn libtirpc_client_calls_our_generated_server() {
    let (handle, tcp, udp) = start_rust_server();
    for (transport, port) in [("tcp", tcp.port()), ("udp", udp.port())] {
        for n in 0..SAMPLES {
            let value = to_vec(&sample(n)).unwrap();
            let echoed = c_client(transport, port, &["echo"], &value).unwrap();
            assert_eq!(echoed, value, "{transport}: sample {n} came back different");
        }
        assert_eq!(text(c_client(transport, port, &["add", "40", "2"], &[])), "42");
        assert_eq!(
            text(c_client(transport, port, &["add", "2147483647", "1"], &[])),
            "-2147483648"
        );
        assert_eq!(
            text(c_client(transport, port, &["concat", "ab", "cd", "3"], &[])),
            "abcdabcdabcd"
        );
        assert_eq!(text(c_client(transport, port, &["ping"], &[])), "pong");
        assert_eq!(text(c_client(transport, port, &["check", "1", "2"], &[])), "0");
        assert_eq!(text(c_client(transport, port, &["check", "2", "1"], &[])), "3");
        assert_eq!(text(c_client(transport, port, &["check", "7", "7"], &[])), "2");
    }
    handle.shutdown().unwrap();
}

#[test]
fn our_generated_client_calls_the_libtirpc_server() {
    let mut server = Child::spawn(Command::new(&c_programs().server));
    let line = server.read_line();
    let ports: Vec<u16> = line.split(' ').map(|p| p.parse().unwrap()).collect();
    for (transport, port) in [("tcp", ports[0]), ("udp", ports[1])] {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let (v1, v2) = if transport == "tcp" {
            (
                EverythingProgEverythingV1Client::connect_tcp(addr).unwrap(),
                EverythingProgEverythingV2Client::connect_tcp(addr).unwrap(),
            )
        } else {
            (
                EverythingProgEverythingV1Client::connect_udp(addr).unwrap(),
                EverythingProgEverythingV2Client::connect_udp(addr).unwrap(),
            )
        };
        v1.everything_null().unwrap();
        for n in 0..SAMPLES {
            let value = sample(n);
            let echoed = v1.echo(&value).unwrap();
            assert_eq!(echoed, value, "{transport}: sample {n}");
            assert_eq!(to_vec(&echoed).unwrap(), to_vec(&value).unwrap());
        }
        assert_eq!(v1.add(&40, &2).unwrap(), 42);
        let joined = v1.concat(&bytes(b"ab"), &bytes(b"cd"), &3).unwrap();
        assert_eq!(joined.as_bytes(), concat(b"ab", b"cd", 3).as_slice());
        v1.ping().unwrap();
        v2.null().unwrap();
        assert_eq!(v2.check(&Pair { a: 1, b: 2 }).unwrap(), Status::Ok);
        assert_eq!(v2.check(&Pair { a: 2, b: 1 }).unwrap(), Status::Denied);
        assert_eq!(v2.check(&Pair { a: 7, b: 7 }).unwrap(), Status::NotFound);
        // The C server serves versions 1 and 2: version 3 is refused with that range.
        let v3 = v1.inner().with_program(common::everything::EVERYTHING_PROG, 3);
        match v3.call::<(), ()>(0, &()) {
            Err(oncrpc::clnt::Error::ProgVersMismatch { low: 1, high: 2 }) => {}
            other => panic!("{transport}: expected PROG_MISMATCH 1..2, got {other:?}"),
        }
    }
    // Both clients decoded the samples as C encodes them.
    let value: Everything = from_slice(&to_vec(&sample(1)).unwrap()).unwrap();
    assert_eq!(value, sample(1));
}
