//! Remote calls (CALLIT, BCAST, INDIRECT): off by default, answered as by
//! an rpcbind built without them (silence or a small error, never more
//! than the request); with `-r`, forwarded to a registered UDP service,
//! except to the programs rpcbind protects; never over streams.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use portmapper::proto::pmap_prot::{CallArgs, CallResult};
use portmapper::proto::rpcb_prot::{RpcbRmtcallargs, RpcbRmtcallres};
use rpc::{AuthFlavor, AuthStat, OpaqueAuth};
use svc::{CallContext, Dispatch, ProcError, Server, ServerHandle};
use xdr::Opaque;

const PROG: u32 = 0x2000_0300;
/// How long to wait for an answer that should not come.
const QUIET: Duration = Duration::from_millis(300);

/// The service calls are forwarded to: NULL, ECHO (1), FAIL (2,
/// PROC_UNAVAIL), SILENT (3, never answers), WHOAMI (4, the AUTH_SYS uid).
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
            1 => {
                results.extend_from_slice(args);
                Ok(())
            }
            3 => Err(ProcError::NoReply),
            4 => {
                let uid = ctx.credentials.auth_sys().map_or(u32::MAX, |p| p.uid);
                results.extend_from_slice(&uid.to_be_bytes());
                Ok(())
            }
            _ => Err(ProcError::ProcUnavail),
        }
    }
}

/// Starts the service on UDP and registers it with the daemon.
fn service(d: &Running) -> (ServerHandle, u16) {
    let server = Server::builder()
        .register(PROG, 1, Service)
        .listen_udp("0.0.0.0:0".parse().unwrap())
        .workers(1)
        .build()
        .unwrap();
    let port = server.udp_addr().unwrap().port();
    let addr = format!("0.0.0.0.{}.{}", port >> 8, port & 0xff);
    assert!(d.v4_unix().set(&rpcb(PROG, 1, "udp", &addr)).unwrap());
    (server.spawn().unwrap(), port)
}

fn rmt(prog: u32, vers: u32, proc_num: u32, args: &[u8]) -> Vec<u8> {
    let a =
        RpcbRmtcallargs { prog, vers, proc: proc_num, args: Opaque::new(args.to_vec()).unwrap() };
    xdr::to_vec(&a).unwrap()
}

fn error(e: impl std::fmt::Debug) -> Raw {
    Raw::Error(format!("{e:?}"))
}

/// Calls `proc_num` of version `vers` over UDP with `args`.
fn udp(d: &Running, vers: u32, proc_num: u32, args: &[u8], wait: Duration) -> (Raw, usize) {
    udp_call(d.udp, vers, proc_num, args, wait)
}

#[test]
fn off_by_default_and_never_amplifying() {
    let d = start(&[]);
    let (_svc, _port) = service(&d);
    let args = rmt(PROG, 1, 1, &[0, 0, 0, 7]);
    let request = call_message(7, 4, 10, OpaqueAuth::NONE, &args).len();
    for (vers, proc_num) in [(2, 5), (3, 5), (4, 5)] {
        let args = if vers == 2 {
            let a = CallArgs {
                prog: PROG,
                vers: 1,
                proc: 1,
                args: Opaque::new(vec![0, 0, 0, 7]).unwrap(),
            };
            xdr::to_vec(&a).unwrap()
        } else {
            args.clone()
        };
        assert_eq!(udp(&d, vers, proc_num, &args, QUIET).0, Raw::Silence, "v{vers} CALLIT/BCAST");
    }
    let (reply, size) = udp(&d, 4, 10, &args, TIMEOUT);
    assert_eq!(reply, error(rpc::AcceptStat::SystemErr));
    assert!(size <= request, "{size} > {request}");
    // The checks before forwarding still run.
    assert_eq!(
        udp(&d, 4, 10, &rmt(PROG + 1, 1, 0, &[]), TIMEOUT).0,
        error(rpc::AcceptStat::ProgUnavail)
    );
    assert_eq!(
        udp(&d, 4, 10, &rmt(PROG, 2, 0, &[]), TIMEOUT).0,
        error(rpc::AcceptStat::ProgMismatch { low: 1, high: 1 })
    );
    assert_eq!(
        udp(&d, 4, 10, &rmt(100_003, 3, 1, &[]), TIMEOUT).0,
        error(rpc::RejectedReply::AuthError(AuthStat::TooWeak))
    );
}

#[test]
fn forwarded_with_remote_calls_on() {
    let d = start(&["-r"]);
    let (_svc, port) = service(&d);
    let merged = format!("127.0.0.1.{}.{}", port >> 8, port & 0xff);

    // Portmap v2 CALLIT answers the port and the results.
    let a = CallArgs { prog: PROG, vers: 1, proc: 1, args: Opaque::new(vec![0, 0, 0, 7]).unwrap() };
    let Raw::Success(r) = udp(&d, 2, 5, &xdr::to_vec(&a).unwrap(), TIMEOUT).0 else {
        panic!("no v2 answer")
    };
    let r: CallResult = xdr::from_slice(&r).unwrap();
    assert_eq!((r.port, r.res.as_bytes()), (u32::from(port), &[0, 0, 0, 7][..]));

    // v3 CALLIT, v4 BCAST and INDIRECT answer the address as the caller
    // reaches it.
    for (vers, proc_num) in [(3, 5), (4, 5), (4, 10)] {
        let Raw::Success(r) = udp(&d, vers, proc_num, &rmt(PROG, 1, 1, &[1, 2, 3, 4]), TIMEOUT).0
        else {
            panic!("no answer from v{vers}.{proc_num}")
        };
        let r: RpcbRmtcallres = xdr::from_slice(&r).unwrap();
        assert_eq!((text(&r.addr), r.results.as_bytes()), (merged.clone(), &[1, 2, 3, 4][..]));
    }

    // The caller's AUTH_SYS credential goes along.
    let parms = rpc::AuthSysParms { uid: 4321, ..Default::default() };
    let body = xdr::to_vec(&parms).unwrap();
    let cred = OpaqueAuth { flavor: AuthFlavor::SYS, body: &body };
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let msg = call_message(9, 4, 10, cred, &rmt(PROG, 1, 4, &[]));
    let Raw::Success(r) = udp_call_from(&socket, d.udp, &msg, TIMEOUT).0 else { panic!() };
    let r: RpcbRmtcallres = xdr::from_slice(&r).unwrap();
    assert_eq!(r.results.as_bytes(), 4321u32.to_be_bytes());

    // Failures: INDIRECT reports them, CALLIT stays silent.
    assert_eq!(udp(&d, 4, 10, &rmt(PROG, 1, 2, &[]), TIMEOUT).0, error(rpc::AcceptStat::SystemErr));
    assert_eq!(udp(&d, 3, 5, &rmt(PROG, 1, 2, &[]), QUIET).0, Raw::Silence);
    assert_eq!(udp(&d, 3, 5, &rmt(PROG + 1, 1, 0, &[]), QUIET).0, Raw::Silence);
    assert_eq!(udp(&d, 4, 5, &[0, 0, 0, 1], QUIET).0, Raw::Silence, "garbage: silence");
    assert_eq!(udp(&d, 4, 10, &[0, 0, 0, 1], TIMEOUT).0, error(rpc::AcceptStat::GarbageArgs));

    // Protected programs are never called, nor rpcbind itself; NULL is.
    for (prog, proc_num) in [(100_003, 1), (100_005, 1), (100_000, 1), (100_009, 1), (100_011, 1)] {
        assert_eq!(
            udp(&d, 3, 5, &rmt(prog, 1, proc_num, &[]), TIMEOUT).0,
            error(rpc::RejectedReply::AuthError(AuthStat::TooWeak)),
            "{prog}.{proc_num}"
        );
    }
    let Raw::Success(r) = udp(&d, 3, 5, &rmt(100_000, 3, 0, &[]), TIMEOUT).0 else { panic!() };
    let r: RpcbRmtcallres = xdr::from_slice(&r).unwrap();
    assert!(r.results.as_bytes().is_empty());

    // Never over a stream.
    let mut tcp = tcp_from("127.0.0.1:0".parse::<SocketAddr>().unwrap(), d.tcp);
    tcp.set_read_timeout(Some(QUIET)).unwrap();
    let msg = call_message(10, 4, 10, OpaqueAuth::NONE, &rmt(PROG, 1, 1, &[]));
    assert_eq!(stream_call(&mut tcp, &msg), Raw::Silence);
}

#[test]
fn a_silent_service_gets_no_answer_through_and_frees_its_slot() {
    let d = start(&["-r", "--max-forwards", "1"]);
    let (_svc, _port) = service(&d);
    // SILENT never answers: the forward times out (5 s) without an answer
    // to the caller; meanwhile the one slot is taken and INDIRECT says so.
    let silent = std::thread::spawn({
        let to = d.udp;
        move || udp_call(to, 4, 10, &rmt(PROG, 1, 3, &[]), Duration::from_secs(7)).0
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(udp(&d, 4, 10, &rmt(PROG, 1, 0, &[]), TIMEOUT).0, error(rpc::AcceptStat::SystemErr));
    assert_eq!(silent.join().unwrap(), Raw::Silence);
    assert!(matches!(udp(&d, 4, 10, &rmt(PROG, 1, 0, &[]), TIMEOUT).0, Raw::Success(_)));
}
