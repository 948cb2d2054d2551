//! `ServerBuilder::portmapper`: the server registers every program on
//! every listener with the portmapper when built, and unregisters them
//! when it stops. The portmapper here is a recording fake served by svc
//! itself; the real rpcbind and ours are exercised in the interop tests.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use portmapper::proto::rpcb_prot::{RPCBPROC_SET, RPCBPROC_UNSET, RPCBVERS, Rpcb};
use portmapper::{Netid, Rpcbind, uaddr};
use svc::{CallContext, Dispatch, ListenAddr, ProcError, Server};
use xdr::Decoder;

/// A portmapper that answers SET and UNSET with `accept` and records them
/// as ("set"|"unset", prog, vers, netid, uaddr).
#[derive(Default)]
struct FakeRpcbind {
    calls: Mutex<Vec<(&'static str, u32, u32, String, String)>>,
    refuse_sets: bool,
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
    let fake = Arc::new(FakeRpcbind { refuse_sets, ..FakeRpcbind::default() });
    let handle = Server::builder()
        .register(portmapper::proto::PMAP_PROG, RPCBVERS, Arc::clone(&fake))
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
    let dir = std::env::temp_dir().join(format!("svc-advertise-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("server.sock");
    let _ = std::fs::remove_file(&socket);
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
    let _ = std::fs::remove_dir_all(&dir);
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
