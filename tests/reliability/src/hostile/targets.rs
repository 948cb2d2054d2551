//! The daemons attacked, each started fresh as a process of its own (so
//! that its memory can be read): the example calculator server, our
//! rpcbind, the dpc name server and node daemon of a one-node local
//! cluster, and in a namespace test either portmapper on port 111.

use std::any::Any;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::process::Command;
use std::time::{Duration, Instant};

use dpc_cli::cluster::LocalCluster;
use oncrpc::portmapper::{Netid, Rpcbind, uaddr};
use test_support::portmap::{Portmapper, Running};
use test_support::{Child, ScratchDir, workspace_bin};

use super::good::GoodClient;
use super::wire::{GIGABYTE, Xdr};
use super::{Claim, Target};

/// The calculator's program and version (calculator.x).
pub const CALCULATOR: (u32, u32) = (0x2000_0042, 1);
/// The portmapper's program.
pub const PMAP_PROG: u32 = 100_000;
/// The dpc name server's program and version (dpc_names.x).
pub const DPC_NAMES: (u32, u32) = (0x2000_0d01, 1);
/// The dpc node daemon's program and version (dpc_node.x).
pub const DPC_NODE: (u32, u32) = (0x2000_0d02, 1);
/// The servers' default connection limit (`svc::Limits::default`).
pub const MAX_CONNECTIONS: usize = 1024;
/// How long a daemon may take to answer after it starts.
const STARTUP: Duration = Duration::from_secs(20);

/// A port of 127.0.0.1 free for both TCP and UDP at the time of asking.
pub fn free_port() -> u16 {
    for _ in 0..100 {
        let Ok(tcp) = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)) else { continue };
        let Ok(port) = tcp.local_addr().map(|a| a.port()) else { continue };
        if UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return port;
        }
    }
    panic!("no port of 127.0.0.1 free for both TCP and UDP")
}

/// Waits until `good` answers over TCP (and UDP), or fails the test.
fn wait_ready(name: &str, pid: u32, good: &GoodClient) {
    let deadline = Instant::now() + STARTUP;
    loop {
        let tcp = good.over_tcp(Duration::from_secs(1));
        let udp = good.over_udp(Duration::from_secs(1)).unwrap_or(Ok(Duration::ZERO));
        match (tcp, udp) {
            (Ok(_), Ok(_)) => return,
            (Err(e), _) | (_, Err(e)) => {
                assert!(super::memory::alive(pid), "{name} exited at start");
                assert!(Instant::now() < deadline, "{name} did not answer in {STARTUP:?}: {e}");
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// rpcbind v3 GETADDR of rpcbind itself over TCP: the real call of a
/// portmapper's good client.
fn getaddr_client(tcp: SocketAddr, udp: SocketAddr) -> GoodClient {
    let args = Xdr::new().u32(PMAP_PROG).u32(3).opaque(b"tcp").opaque(b"").opaque(b"").bytes();
    GoodClient { tcp, udp: Some(udp), prog: PMAP_PROG, vers: 3, proc_num: 3, args, expect: None }
}

/// The calls claiming a gigabyte that a portmapper decodes: every string
/// of an `rpcb` (GETADDR, SET, GETVERSADDR, GETADDRLIST), UADDR2TADDR's
/// string, TADDR2UADDR's netbuf, and the arguments of CALLIT, BCAST and
/// INDIRECT.
fn portmapper_claims() -> Vec<Claim> {
    let rpcb = |field: usize| {
        let mut x = Xdr::new().u32(PMAP_PROG).u32(3);
        for f in 0..3 {
            x = if f == field { x.claim(GIGABYTE, b"tcp") } else { x.opaque(b"tcp") };
            if f == field {
                break;
            }
        }
        x.bytes()
    };
    let rmt = Xdr::new().u32(PMAP_PROG).u32(2).u32(0).claim(GIGABYTE, &[0; 32]).bytes();
    let mut claims = Vec::new();
    for (vers, proc_num) in [(3, 3), (4, 3), (3, 1), (4, 9), (4, 11)] {
        for field in 0..3 {
            claims.push(Claim { vers, proc_num, args: rpcb(field) });
        }
    }
    claims.push(Claim { vers: 3, proc_num: 7, args: Xdr::new().claim(GIGABYTE, b"x").bytes() });
    claims.push(Claim {
        vers: 3,
        proc_num: 8,
        args: Xdr::new().u32(GIGABYTE).claim(GIGABYTE, &[0; 16]).bytes(),
    });
    for (vers, proc_num) in [(2, 5), (3, 5), (4, 5), (4, 10)] {
        claims.push(Claim { vers, proc_num, args: rmt.clone() });
    }
    claims
}

/// The example calculator server on a free port, TCP and UDP.
pub fn calculator() -> Target {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
    let mut command = Command::new(workspace_bin("calculator-server"));
    command.arg(addr.to_string());
    let child = Child::spawn(command);
    let (prog, vers) = CALCULATOR;
    let good = GoodClient {
        tcp: addr,
        udp: Some(addr),
        prog,
        vers,
        // ADD(2, 3) = CALC_OK 5.
        proc_num: 1,
        args: Xdr::new().u64(2).u64(3).bytes(),
        expect: Some(Xdr::new().u32(0).u64(5).bytes()),
    };
    wait_ready("calculator-server", child.id(), &good);
    // HELLO's name<64> claiming a gigabyte, and one byte past its bound;
    // SUMMARIZE's list cut after 500 entries.
    let mut list = Xdr::new();
    for i in 0..500 {
        list = list.u32(1).u64(i);
    }
    let claims = vec![
        Claim { vers, proc_num: 6, args: Xdr::new().claim(GIGABYTE, b"name").bytes() },
        Claim { vers, proc_num: 6, args: Xdr::new().opaque(&[b'a'; 65]).bytes() },
        Claim { vers, proc_num: 5, args: list.bytes() },
    ];
    Target {
        name: "calculator".to_owned(),
        pid: child.id(),
        good,
        claims,
        max_connections: MAX_CONNECTIONS,
        // svc's default: 1 MiB + 64 KiB.
        max_record: (1 << 20) + (64 << 10),
        keep: Box::new(child),
    }
}

/// Our rpcbind on a free port of 127.0.0.1, with `flags` (`-r`).
pub fn our_rpcbind(flags: &[&str]) -> Target {
    let dir = ScratchDir::new("hostile-rpcbind");
    let port = free_port();
    let mut command = Command::new(workspace_bin("rpcbind"));
    command
        .args(["-f", "--listen", "127.0.0.1", "--port", &port.to_string(), "--socket"])
        .arg(dir.path().join("rpcbind.sock"))
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .args(flags)
        // Every accept refused for want of descriptors is a warning: the
        // fd_exhaustion attack makes hundreds.
        .env("RUST_LOG", "error");
    let child = Child::spawn(command);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let good = getaddr_client(addr, addr);
    wait_ready("rpcbind", child.id(), &good);
    Target {
        name: "our-rpcbind".to_owned(),
        pid: child.id(),
        good,
        claims: portmapper_claims(),
        max_connections: MAX_CONNECTIONS,
        // portmapper/rpcbind/src/daemon.rs: MAX_RECORD, rpcbind's own.
        max_record: 9000,
        // The child is killed before its directory goes.
        keep: Box::new((child, dir)),
    }
}

/// A portmapper started by `test_support::portmap` on port 111 in the
/// test's namespaces: the system rpcbind or ours, with the same limits
/// assumed (rpcbind's record limit is RPC_MAXDATASIZE, 9000; it has no
/// connection limit of its own, so it is given ours).
pub fn on_port_111(running: Running) -> Target {
    let name = match running.kind() {
        Portmapper::System => "system-rpcbind",
        Portmapper::Ours => "our-rpcbind",
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 111));
    let good = getaddr_client(addr, addr);
    wait_ready(name, running.pid(), &good);
    Target {
        name: name.to_owned(),
        pid: running.pid(),
        good,
        claims: portmapper_claims(),
        max_connections: MAX_CONNECTIONS,
        max_record: 9000,
        keep: Box::new(running),
    }
}

/// Which dpc daemon of a local cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dpc {
    /// `dpc name-server`.
    Names,
    /// `dpc node`.
    Node,
}

/// A one-node local dpc cluster (its portmapper in this process), and
/// one of its daemons as the target.
pub fn dpc(which: Dpc) -> Target {
    let dir = ScratchDir::new("hostile-dpc");
    let cluster = LocalCluster::start(&workspace_bin("dpc"), dir.path(), 1)
        .unwrap_or_else(|e| panic!("the local dpc cluster did not start: {e}"));
    let node = cluster.nodes()[0].address;
    let ((prog, vers), pid) = match which {
        Dpc::Names => (DPC_NAMES, cluster.names_pid()),
        Dpc::Node => (DPC_NODE, cluster.nodes()[0].daemon_pid()),
    };
    let pid = pid.unwrap_or_else(|| panic!("{which:?} is not running"));
    let rpcbind = Rpcbind::at(SocketAddr::new(node, cluster.pmap_port()))
        .socket(None)
        .timeout(Duration::from_secs(2));
    let found = rpcbind
        .getaddr(prog, vers, Netid::Tcp)
        .map_err(|e| e.to_string())
        .and_then(|a| uaddr::to_socket_addr(&a).map_err(|e| e.to_string()))
        .unwrap_or_else(|e| panic!("{which:?} is not registered: {e}"));
    let tcp = SocketAddr::new(node, found.port());
    let (name, good, claims) = match which {
        // LOOKUP(1): DPC_UNKNOWN, nobody registered. REGISTER's and
        // UNREGISTER's node<64> claiming a gigabyte; LIST asking for 2^30.
        Dpc::Names => (
            "dpc-names",
            GoodClient {
                tcp,
                udp: None,
                prog,
                vers,
                proc_num: 3,
                args: Xdr::new().u64(1).bytes(),
                expect: Some(Xdr::new().u32(1).bytes()),
            },
            vec![
                Claim { vers, proc_num: 1, args: Xdr::new().claim(GIGABYTE, b"node").bytes() },
                Claim {
                    vers,
                    proc_num: 2,
                    args: Xdr::new().u64(1).claim(GIGABYTE, b"node").bytes(),
                },
                Claim { vers, proc_num: 4, args: Xdr::new().u64(0).u32(GIGABYTE).bytes() },
            ],
        ),
        // SIGNAL without AUTH_SYS: DPC_PERMISSION, nothing delivered. Its
        // arguments hold no string or array: only the credentials lie.
        Dpc::Node => (
            "dpc-node",
            GoodClient {
                tcp,
                udp: None,
                prog,
                vers,
                proc_num: 4,
                args: Xdr::new().u64(1).u32(1).u64(0).u32(0).bytes(),
                expect: Some(Xdr::new().u32(3).bytes()),
            },
            Vec::new(),
        ),
    };
    wait_ready(name, pid, &good);
    Target {
        name: name.to_owned(),
        pid,
        good,
        claims,
        max_connections: MAX_CONNECTIONS,
        // dpc/names/src/server.rs and dpc/node/src/daemon.rs.
        max_record: if which == Dpc::Names { 8 << 10 } else { 9000 },
        keep: Box::new((cluster, dir)) as Box<dyn Any>,
    }
}
