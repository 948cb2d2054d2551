//! The portmapper seen from a server and a client, against a recording
//! fake portmapper served by svc itself (the real rpcbind and ours are
//! exercised in the namespace tests):
//! * `ServerBuilder::portmapper`: the server registers every program on
//!   every listener when built, and unregisters them when it stops;
//! * `portmapper::Rpcbind::getaddr` falls back from rpcbind v4 to v3 to
//!   portmap v2 as libtirpc does, and `Rpcbind::connect` follows the
//!   answer.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use portmapper::proto::pmap_prot::{Mapping, PMAPPROC_GETPORT};
use portmapper::proto::rpcb_prot::{
    RPCBPROC_GETADDR, RPCBPROC_SET, RPCBPROC_UNSET, RPCBVERS, Rpcb,
};
use portmapper::{Netid, Rpcbind, uaddr};
use svc::{CallContext, Dispatch, ListenAddr, ProcError, Server};
use xdr::Decoder;

/// One recorded call: (verb, prog, vers, netid, uaddr).
type Call = (&'static str, u32, u32, String, String);

/// A portmapper that records SET and UNSET as ("set"|"unset", prog, vers,
/// netid, uaddr) and accepts them unless told to refuse SET; it answers
/// v3/v4 GETADDR with `address` and v2 GETPORT with `port`, recording
/// ("getaddr"|"getport", prog, version of the portmapper asked, ...).
#[derive(Default)]
struct FakeRpcbind {
    calls: Mutex<Vec<Call>>,
    refuse_sets: bool,
    address: String,
    port: u32,
}

impl Dispatch for FakeRpcbind {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        let verb = match ctx.proc_num {
            0 => return Ok(()),
            PMAPPROC_GETPORT if ctx.vers == 2 => {
                let m: Mapping = Decoder::new(args).read()?;
                self.calls.lock().unwrap().push((
                    "getport",
                    m.prog,
                    2,
                    String::new(),
                    String::new(),
                ));
                return xdr::append(&self.port, results).map_err(|_| ProcError::SystemErr);
            }
            RPCBPROC_GETADDR => {
                let q: Rpcb = Decoder::new(args).read()?;
                self.calls.lock().unwrap().push((
                    "getaddr",
                    q.r_prog,
                    ctx.vers,
                    String::new(),
                    String::new(),
                ));
                let answer: xdr::ByteString =
                    xdr::ByteString::try_from(self.address.as_str()).unwrap();
                return xdr::append(&answer, results).map_err(|_| ProcError::SystemErr);
            }
            RPCBPROC_SET => "set",
            RPCBPROC_UNSET => "unset",
            _ => return Err(ProcError::ProcUnavail),
        };
        let rpcb: Rpcb = Decoder::new(args).read()?;
        let text = |s: &xdr::ByteString| String::from_utf8(s.to_vec()).unwrap();
        self.calls.lock().unwrap().push((
            verb,
            rpcb.r_prog,
            rpcb.r_vers,
            text(&rpcb.r_netid),
            text(&rpcb.r_addr),
        ));
        let accept = verb == "unset" || !self.refuse_sets;
        xdr::append(&accept, results).map_err(|_| ProcError::SystemErr)
    }
}

fn fake(refuse_sets: bool) -> (Arc<FakeRpcbind>, svc::ServerHandle) {
    serve(FakeRpcbind { refuse_sets, ..FakeRpcbind::default() }, &[RPCBVERS])
}

/// Serves `fake` as the given versions of the portmapper program.
fn serve(fake: FakeRpcbind, versions: &[u32]) -> (Arc<FakeRpcbind>, svc::ServerHandle) {
    let fake = Arc::new(fake);
    let mut builder = Server::builder();
    for &vers in versions {
        builder = builder.register(portmapper::proto::PMAP_PROG, vers, Arc::clone(&fake));
    }
    let handle = builder
        .listen_tcp("127.0.0.1:0".parse().unwrap())
        .workers(0)
        .build()
        .unwrap()
        .spawn()
        .unwrap();
    (fake, handle)
}

struct Nothing;

impl Dispatch for Nothing {
    fn dispatch(&self, _: &CallContext, _: &[u8], _: &mut Vec<u8>) -> Result<(), ProcError> {
        Ok(())
    }
}

#[test]
fn registers_each_program_on_each_listener_and_unregisters_at_shutdown() {
    let (fake, pmap) = fake(false);
    let dir = test_support::ScratchDir::new("svc-advertise");
    let socket = dir.join("server.sock");
    let server = Server::builder()
        .register(0x2000_0101, 1, Nothing)
        .register(0x2000_0101, 2, Nothing)
        .listen_tcp("127.0.0.1:0".parse().unwrap())
        .listen_udp("[::1]:0".parse().unwrap())
        .listen_unix(&socket)
        .portmapper(Rpcbind::at(pmap.tcp_addr().unwrap()))
        .build()
        .unwrap();
    let mut expected = Vec::new();
    for addr in server.local_addrs() {
        let (netid, uaddr) = match addr {
            ListenAddr::Tcp(a) => (Netid::Tcp, uaddr::from_socket_addr(*a)),
            ListenAddr::Udp(a) => (Netid::Udp6, uaddr::from_socket_addr(*a)),
            ListenAddr::Unix(p) => (Netid::Local, p.to_str().unwrap().to_owned()),
        };
        for vers in [1, 2] {
            expected.push(("unset", 0x2000_0101, vers, netid.to_string(), String::new()));
            expected.push(("set", 0x2000_0101, vers, netid.to_string(), uaddr.clone()));
        }
    }
    assert_eq!(*fake.calls.lock().unwrap(), expected, "registered once built");
    fake.calls.lock().unwrap().clear();
    server.spawn().unwrap().shutdown().unwrap();
    let unsets: Vec<_> = expected
        .iter()
        .filter(|c| c.0 == "set")
        .map(|(_, p, v, n, _)| ("unset", *p, *v, n.clone(), String::new()))
        .collect();
    assert_eq!(*fake.calls.lock().unwrap(), unsets, "unregistered at shutdown");
}

#[test]
fn a_refused_registration_fails_the_build() {
    let (fake, pmap) = fake(true);
    let err = Server::builder()
        .register(0x2000_0102, 1, Nothing)
        .listen_tcp("127.0.0.1:0".parse().unwrap())
        .portmapper(Rpcbind::at(pmap.tcp_addr().unwrap()))
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            svc::Error::Register {
                prog: 0x2000_0102,
                vers: 1,
                netid: Netid::Tcp,
                source: portmapper::Error::Refused
            }
        ),
        "{err:?}"
    );
    assert_eq!(fake.calls.lock().unwrap().len(), 2, "one unset, one refused set");
}

#[test]
fn an_unreachable_portmapper_fails_the_build() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let err = Server::builder()
        .register(0x2000_0103, 1, Nothing)
        .listen_tcp("127.0.0.1:0".parse().unwrap())
        .portmapper(Rpcbind::at(closed))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, svc::Error::Register { source: portmapper::Error::Rpc(_), .. }),
        "{err:?}"
    );
}

#[test]
fn getaddr_falls_back_from_v4_to_v3_to_portmap_v2() {
    let prog = 0x2000_0104;
    for (versions, asked) in [(&[2, 3, 4][..], 4), (&[2, 3], 3), (&[2], 2)] {
        let fake =
            FakeRpcbind { address: "127.0.0.1.3.4".into(), port: 0x304, ..FakeRpcbind::default() };
        let (fake, pmap) = serve(fake, versions);
        let found = Rpcbind::at(pmap.tcp_addr().unwrap()).getaddr(prog, 1, Netid::Tcp).unwrap();
        assert_eq!(found, "127.0.0.1.3.4", "portmapper speaking {versions:?}");
        let last = fake.calls.lock().unwrap().last().cloned().unwrap();
        assert_eq!((last.1, last.2), (prog, asked), "portmapper speaking {versions:?}");
    }
}

#[test]
fn getaddr_reports_an_unregistered_program() {
    for versions in [&[4][..], &[2]] {
        let (_fake, pmap) = serve(FakeRpcbind::default(), versions);
        let err =
            Rpcbind::at(pmap.tcp_addr().unwrap()).getaddr(0x2000_0105, 1, Netid::Tcp).unwrap_err();
        assert!(matches!(err, portmapper::Error::NotRegistered), "{versions:?}: {err:?}");
    }
}

#[test]
fn connect_follows_a_wildcard_address_to_the_portmappers_host() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    // The fake says the program is at 0.0.0.0:<its own port>: the client
    // must connect to the portmapper's host at that port - itself.
    let fake = FakeRpcbind { address: uaddr::wildcard(port, false), ..FakeRpcbind::default() };
    let fake = Arc::new(fake);
    let pmap = Server::builder()
        .register(portmapper::proto::PMAP_PROG, 4, Arc::clone(&fake))
        .listen_tcp(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .workers(0)
        .build()
        .unwrap()
        .spawn()
        .unwrap();
    let builder = clnt::ClientBuilder::new(portmapper::proto::PMAP_PROG, 4);
    let client = Rpcbind::at(pmap.tcp_addr().unwrap()).connect(builder, Netid::Tcp).unwrap();
    client.call::<(), ()>(0, &()).unwrap();
}
