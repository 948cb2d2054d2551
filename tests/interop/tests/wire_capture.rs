//! A capture of real traffic — our client and server with each other and
//! with libtirpc's client and server (built from `bench/bench.x` by the
//! system rpcgen) — decoded by tshark: every RPC message dissects, none is
//! malformed. Covers TCP and UDP, record fragments, a 1 MiB echo, AUTH_SYS
//! and every error reply.
//!
//! Capturing needs root (CI runs as root); elsewhere the test says so and
//! skips.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use oncrpc::clnt::{Auth, Client, ClientBuilder};
use oncrpc::svc::{CallContext, Dispatch, ProcError, Server};
use oncrpc::xdr::{self, Decoder, Opaque, OpaqueRef};
use test_support::{CPeer, Child};

const PROG: u32 = 0x2000_0401;
const ECHO: u32 = 1;

/// bench.x's program, plus a procedure that fails and one that refuses
/// AUTH_NONE, so that every reply kind crosses the wire.
struct Service;

impl Dispatch for Service {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        match ctx.proc_num {
            0 => Ok(()),
            ECHO => {
                let payload: OpaqueRef<'_> = Decoder::new(args).read()?;
                xdr::append(&payload, results).map_err(|_| ProcError::SystemErr)
            }
            2 => Err(ProcError::SystemErr),
            3 if ctx.credentials.flavor() == oncrpc::rpc::AuthFlavor::NONE => {
                Err(ProcError::AuthError(oncrpc::rpc::AuthStat::TooWeak))
            }
            3 => Ok(()),
            _ => Err(ProcError::ProcUnavail),
        }
    }
}

fn is_root() -> bool {
    let meta = std::fs::metadata("/proc/self").unwrap();
    std::os::unix::fs::MetadataExt::uid(&meta) == 0
}

/// A running tshark capture on loopback, stopped by its pid.
struct Capture {
    child: std::process::Child,
    file: PathBuf,
}

impl Capture {
    fn start(file: &Path, ports: &[u16]) -> Capture {
        let filter = ports.iter().map(|p| format!("port {p}")).collect::<Vec<_>>().join(" or ");
        let mut child = Command::new("tshark")
            .args(["-i", "lo", "-f", &filter, "-w"])
            .arg(file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run tshark ({e}): apt-get install -y tshark"));
        // tshark says "Capturing on 'Loopback: lo'" once it is ready.
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while !line.contains("Capturing on") {
            line.clear();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "tshark stopped before capturing");
        }
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        // The capture socket may still be starting when the line appears.
        std::thread::sleep(Duration::from_millis(1000));
        Capture { child, file: file.to_owned() }
    }

    fn stop(mut self) -> PathBuf {
        // Let the last packets reach the capture, then stop it cleanly.
        std::thread::sleep(Duration::from_millis(500));
        Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        self.child.wait().unwrap();
        self.file.clone()
    }
}

/// Counts the frames of `file` matching a display filter, with RPC decoded
/// on the given ports.
fn count(file: &Path, tcp: &[u16], udp: &[u16], filter: &str) -> usize {
    let mut cmd = Command::new("tshark");
    // Our program number is not in Wireshark's table: dissect it anyway.
    cmd.arg("-r").arg(file).args(["-o", "rpc.dissect_unknown_programs:TRUE", "-Y", filter]);
    for port in tcp {
        cmd.args(["-d", &format!("tcp.port=={port},rpc")]);
    }
    for port in udp {
        cmd.args(["-d", &format!("udp.port=={port},rpc")]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "tshark -r: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().count()
}

fn exercise(client: &Client) {
    client.call::<(), ()>(0, &()).unwrap();
    let small = Opaque::<{ xdr::UNBOUNDED }>::new(vec![5; 100]).unwrap();
    assert_eq!(client.call::<_, Opaque>(ECHO, &small).unwrap(), small);
    let _ = client.call::<(), ()>(2, &()).unwrap_err();
    let _ = client.call::<(), ()>(77, &()).unwrap_err();
    let _ = client.with_program(PROG, 9).call::<(), ()>(0, &()).unwrap_err();
    let _ = client.call::<(u32, u32), ()>(ECHO, &(9_000_000, 0)).unwrap_err();
}

#[test]
fn captured_traffic_has_no_malformed_packet() {
    if !is_root() {
        assert!(std::env::var_os("CI").is_none(), "CI must run this test as root");
        eprintln!("SKIPPED captured_traffic_has_no_malformed_packet: capturing on lo needs root");
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wire_capture");
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench");
    let c_server = CPeer::new(bench.join("bench.x"))
        .server_stubs()
        .source(bench.join("c/server.c"))
        .build(&dir.join("server.build"), "server");
    let c_client = CPeer::new(bench.join("bench.x"))
        .client_stubs()
        .source(bench.join("c/client.c"))
        .build(&dir.join("client.build"), "client");
    let mut c_server = Child::spawn(Command::new(c_server));
    let line = c_server.read_line();
    let c_ports: Vec<u16> = line.split(' ').map(|p| p.parse().unwrap()).collect();

    let server = Server::builder()
        .register(PROG, 1, Service)
        .listen_tcp(([127, 0, 0, 1], 0).into())
        .listen_udp(([127, 0, 0, 1], 0).into())
        .limits(oncrpc::svc::Limits { max_record: 4 << 20, ..Default::default() })
        .build()
        .unwrap();
    let (tcp, udp) = (server.tcp_addr().unwrap(), server.udp_addr().unwrap());
    let handle = server.spawn().unwrap();

    let tcp_ports = [tcp.port(), c_ports[0]];
    let udp_ports = [udp.port(), c_ports[1]];
    let capture = Capture::start(&dir.join("rpc.pcap"), &[tcp_ports, udp_ports].concat());

    let auth = Auth::sys("capture-host", 1000, 100, &[4, 24]).unwrap();
    for (transport, addr) in [("tcp", tcp), ("udp", udp)] {
        let builder =
            ClientBuilder::new(PROG, 1).auth(auth.clone()).timeout(Duration::from_secs(5));
        let client =
            if transport == "tcp" { builder.tcp(addr) } else { builder.udp(addr) }.unwrap();
        exercise(&client);
        client.call::<(), ()>(3, &()).unwrap();
        let anonymous = ClientBuilder::new(PROG, 1).timeout(Duration::from_secs(5));
        let anonymous =
            if transport == "tcp" { anonymous.tcp(addr) } else { anonymous.udp(addr) }.unwrap();
        let _ = anonymous.call::<(), ()>(3, &()).unwrap_err();
    }
    let fragmented = ClientBuilder::new(PROG, 1).max_fragment(16 * 1024).tcp(tcp).unwrap();
    let big = Opaque::<{ xdr::UNBOUNDED }>::new(vec![9; 1 << 20]).unwrap();
    assert_eq!(fragmented.call::<_, Opaque>(ECHO, &big).unwrap().len(), 1 << 20);
    for (transport, port) in [("tcp", c_ports[0]), ("udp", c_ports[1])] {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let builder = ClientBuilder::new(PROG, 1).timeout(Duration::from_secs(5));
        let client =
            if transport == "tcp" { builder.tcp(addr) } else { builder.udp(addr) }.unwrap();
        client.call::<(), ()>(0, &()).unwrap();
        assert_eq!(
            client
                .call::<_, Opaque>(ECHO, &Opaque::<{ xdr::UNBOUNDED }>::new(vec![1; 64]).unwrap())
                .unwrap()
                .len(),
            64
        );
    }
    for (transport, port) in [("tcp", tcp.port()), ("udp", udp.port())] {
        let out = Command::new(&c_client)
            .args([transport, &port.to_string(), "20", "1000"])
            .output()
            .unwrap();
        assert!(out.status.success(), "C client: {}", String::from_utf8_lossy(&out.stderr));
    }
    let file = capture.stop();
    handle.shutdown().unwrap();
    drop(c_server);

    let rpc = count(&file, &tcp_ports, &udp_ports, "rpc");
    let replies = count(&file, &tcp_ports, &udp_ports, "rpc.msgtyp == 1");
    let malformed = count(&file, &tcp_ports, &udp_ports, "_ws.malformed");
    eprintln!("capture: {rpc} RPC frames, {replies} replies, {malformed} malformed");
    assert!(rpc >= 100, "only {rpc} RPC frames dissected");
    assert!(replies >= 40, "only {replies} replies dissected");
    assert_eq!(malformed, 0, "tshark found malformed packets in {}", file.display());
}
