//! rpcbind's request handling, in process and without sockets: the
//! dispatchers the daemon registers (`rpcbind::front::Front` over the
//! generated portmap v2, rpcbind v3 and v4 servers, as
//! `portmapper/rpcbind/src/daemon.rs` builds them), over a fresh
//! `Service` per input with rpcbind's own registrations, no state
//! directory, and remote calls off (no forwarder: nothing is ever sent).
//!
//! Input: one byte of policy (bit 0: `-i`, bit 1: `-l`), then calls, each
//! six bytes of header - version (2, 3 or 4), procedure (0 to 15), two
//! bytes choosing the transport, the peer, its port, its credentials and
//! its `SO_PEERCRED`, and two bytes of argument length - then the
//! arguments. The calls share the service, so a SET is seen by the
//! GETADDR, DUMP or UNSET after it.
//!
//! Every reply a dispatcher produces decodes as the procedure's result
//! type, whole; remote calls (CALLIT, BCAST, INDIRECT) never succeed.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run portmapper_requests` (from the
//! repo root).
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use oncrpc_fuzz::{Bytes, Counting, assert_proportional, measure};
use portmapper::proto::PMAP_PROG;
use portmapper::proto::pmap_prot::{CallResult, PmaplistPtr};
use portmapper::proto::rpcb_prot::{
    Netbuf, RpcbEntryListPtr, RpcbRmtcallres, RpcbStatByvers, RpcblistPtr,
};
use rpc::{AuthFlavor, AuthSysParms};
use rpcbind::caller::SUPERUSER;
use rpcbind::front::Front;
use rpcbind::pmap::PortmapV2;
use rpcbind::proto::pmap::PmapProgPmapVersServer;
use rpcbind::proto::rpcb::{RpcbprogRpcbvers4Server, RpcbprogRpcbversServer};
use rpcbind::rpcb::{RpcbindV3, RpcbindV4};
use rpcbind::service::{Policy, Service};
use rpcbind::stats::Version;
use rpcbind::table::Registration;
use svc::{CallContext, Credentials, Dispatch, PeerAddr, PeerCred, ProcError, Transport};
use xdr::{ByteString, DecodeOwned, VarArray};

#[global_allocator]
static ALLOC: Counting = Counting;

/// Allocation bound over a whole input: `PER_BYTE * input + FIXED`.
///
/// The state grows only by SET: one registration per call of at least 26
/// bytes (6 of header, 20 of the smallest `rpcb`), holding its strings
/// (copied from the arguments) and an owner of at most 9 bytes, in a
/// vector that doubles (old and new blocks briefly both live): about 300
/// bytes. A DUMP or GETADDRLIST copies the table into a list (about 120
/// bytes per entry with its strings) and encodes it (no more than the
/// registrations' wire size): about 250. The arguments are decoded into
/// owned values no larger than 8 per byte. So 26 bytes of input grow
/// memory by at most about 600 bytes: 24 per byte, 32 with slack.
/// `FIXED` covers rpcbind's 12 own registrations and their DUMP, and the
/// statistics, whose lists hold at most 128 entries per version (three
/// versions, two lists) of a few dozen bytes each.
const PER_BYTE: usize = 32;
const FIXED: usize = 64 << 10;

/// rpcbind's own registrations, as the daemon makes them (its listing
/// order), at port 111.
fn own() -> Vec<Registration> {
    let mut own = Vec::new();
    for (netid, addr, versions) in [
        ("tcp6", "::.0.111", &[4, 3][..]),
        ("udp6", "::.0.111", &[4, 3]),
        ("tcp", "0.0.0.0.0.111", &[4, 3, 2]),
        ("udp", "0.0.0.0.0.111", &[4, 3, 2]),
        ("local", "/run/rpcbind.sock", &[4, 3]),
    ] {
        for &vers in versions {
            own.push(Registration::new(PMAP_PROG, vers, netid, addr, SUPERUSER));
        }
    }
    own
}

/// The three dispatchers of the daemon over one service.
struct Daemon {
    v2: Box<dyn Dispatch>,
    v3: Box<dyn Dispatch>,
    v4: Box<dyn Dispatch>,
}

impl Daemon {
    fn new(policy: u8) -> Daemon {
        let policy =
            Policy { insecure: policy & 1 != 0, log_calls: policy & 2 != 0, forwarder: None };
        let service = Arc::new(Service::new(Vec::new(), None, policy));
        service.start(own()).expect("no state directory: nothing to write");
        let s = || Arc::clone(&service);
        Daemon {
            v2: Box::new(Front::new(s(), Version::Pmap2, PmapProgPmapVersServer(PortmapV2(s())))),
            v3: Box::new(Front::new(s(), Version::Rpcb3, RpcbprogRpcbversServer(RpcbindV3(s())))),
            v4: Box::new(Front::new(s(), Version::Rpcb4, RpcbprogRpcbvers4Server(RpcbindV4(s())))),
        }
    }
}

/// A call context from two bytes: transport, peer, port, credentials
/// and (on the local socket) the kernel's word on the peer.
fn context(vers: u32, proc_num: u32, a: u8, b: u8) -> CallContext {
    let transport = match a & 3 {
        0 => Transport::Tcp,
        1 | 3 => Transport::Udp,
        _ => Transport::Unix,
    };
    let port = match (a >> 2) & 3 {
        0 => 111,
        1 => 700,
        2 => 1023,
        _ => 40_000,
    };
    let ip: IpAddr = match (a >> 4) & 7 {
        0 => Ipv4Addr::LOCALHOST.into(),
        1 => Ipv6Addr::LOCALHOST.into(),
        2 => Ipv4Addr::LOCALHOST.to_ipv6_mapped().into(),
        3 => Ipv4Addr::new(127, 0, 0, 2).into(),
        4 => Ipv4Addr::new(10, 1, 2, 3).into(),
        5 => "2001:db8::1".parse::<Ipv6Addr>().expect("literal").into(),
        6 => Ipv4Addr::new(192, 168, 0, 1).to_ipv6_mapped().into(),
        _ => "fe80::1".parse::<Ipv6Addr>().expect("literal").into(),
    };
    let (peer, peer_cred) = if transport == Transport::Unix {
        let path = (a & 0x80 != 0).then(|| PathBuf::from("/tmp/client.sock"));
        let cred = match b & 3 {
            0 => None,
            1 => Some(0),
            2 => Some(1000),
            _ => Some(u32::from(b >> 2)),
        };
        (PeerAddr::Unix(path), cred.map(|uid| PeerCred { uid, gid: uid, pid: 4242 }))
    } else {
        (PeerAddr::Inet(SocketAddr::new(ip, port)), None)
    };
    let sys = |uid| {
        Credentials::Sys(AuthSysParms {
            stamp: 1,
            machine_name: ByteString::try_from("client").expect("short"),
            uid,
            gid: uid,
            gids: VarArray::default(),
        })
    };
    let credentials = match (b >> 2) & 7 {
        0 | 1 => Credentials::None,
        2 => sys(0),
        3 => sys(1000),
        4 => Credentials::Short(vec![1, 2, 3, 4]),
        5 => Credentials::Other { flavor: AuthFlavor::DH, body: vec![0; 8] },
        _ => Credentials::Other { flavor: AuthFlavor::RPCSEC_GSS, body: Vec::new() },
    };
    CallContext { xid: 7, prog: PMAP_PROG, vers, proc_num, transport, peer, credentials, peer_cred }
}

/// The results must be exactly one `T`.
fn decodes_as<T: DecodeOwned>(what: &str, results: &[u8]) {
    if let Err(e) = xdr::from_slice::<T>(results) {
        panic!("{what}: the reply does not decode: {e}");
    }
}

/// Checks a reply against the procedure's result type.
fn check(vers: u32, proc_num: u32, outcome: &Result<(), ProcError>, results: &[u8]) {
    let remote = proc_num == 5 || (vers == 4 && proc_num == 10);
    if remote {
        assert!(outcome.is_err(), "a remote call succeeded with forwarding off");
    }
    if outcome.is_err() {
        return;
    }
    let what = format!("version {vers} procedure {proc_num}");
    match (vers, proc_num) {
        (_, 0) => assert!(results.is_empty(), "{what}: NULL answers nothing"),
        (_, 1 | 2) => decodes_as::<bool>(&what, results),
        (2, 3) => decodes_as::<u32>(&what, results),
        (2, 4) => decodes_as::<PmaplistPtr>(&what, results),
        (2, 5) => decodes_as::<CallResult>(&what, results),
        (_, 3 | 8 | 9) => decodes_as::<ByteString>(&what, results),
        (_, 4) => decodes_as::<RpcblistPtr>(&what, results),
        (_, 5 | 10) => decodes_as::<RpcbRmtcallres>(&what, results),
        (_, 6) => decodes_as::<u32>(&what, results),
        (_, 7) => decodes_as::<Netbuf>(&what, results),
        (4, 11) => decodes_as::<RpcbEntryListPtr>(&what, results),
        (4, 12) => decodes_as::<RpcbStatByvers>(&what, results),
        _ => panic!("{what}: an unknown procedure succeeded"),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let daemon = Daemon::new(input.u8());
    let ((), growth) = measure(|| {
        while !input.is_empty() {
            let (vers, dispatcher) = match input.u8() % 3 {
                0 => (2, &daemon.v2),
                1 => (3, &daemon.v3),
                _ => (4, &daemon.v4),
            };
            let proc_num = u32::from(input.u8() % 16);
            let ctx = context(vers, proc_num, input.u8(), input.u8());
            let args = input.chunk();
            let mut results = Vec::new();
            let outcome = dispatcher.dispatch(&ctx, args, &mut results);
            check(vers, proc_num, &outcome, &results);
        }
    });
    assert_proportional("portmapper_requests", growth, data.len(), PER_BYTE, FIXED);
});
