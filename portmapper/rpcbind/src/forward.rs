//! [`Forwarder`]: making a remote call (CALLIT, BCAST, INDIRECT) on a
//! caller's behalf - one UDP datagram to the service's local address,
//! one reply awaited - and the policy of which calls rpcbind refuses to
//! forward.
//!
//! Forwards run on svc's worker threads and block one while they wait, so
//! their number is capped ([`Forwarder::new`]); past the cap, and for a
//! retransmission of a call still being forwarded, nothing is forwarded.
//! The datagram always leaves from an unprivileged port, whoever runs the
//! daemon (rpcbind's `-s` is needed for that).

use std::collections::HashSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use rpc::{AcceptStat, AuthFlavor, CallHeader, OpaqueAuth, RPC_VERSION, ReplyBody, ReplyHeader};
use svc::Credentials;
use xdr::Encoder;

/// Programs and procedures rpcbind never forwards to (besides itself):
/// the ones whose caller check is its source address, which forwarding
/// would make rpcbind's own.
const MOUNTPROG: u32 = 100_005;
const MOUNTPROC_MNT: u32 = 1;
const MOUNTPROC_UMNT: u32 = 3;
const NFS_PROGRAM: u32 = 100_003;
const YPPROG: u32 = 100_004;
const YPPROC_MATCH: u32 = 3;
const YPPROC_FIRST: u32 = 4;
const YPPROC_NEXT: u32 = 5;
const YPPROC_ALL: u32 = 8;
const YPBINDPROG: u32 = 100_007;
const YPBINDPROC_SETDOM: u32 = 2;
const YPPASSWDPROG: u32 = 100_009;
const RQUOTAPROG: u32 = 100_011;
/// The largest reply accepted from a service (rpcbind's `RPC_BUF_MAX`).
const MAX_REPLY: usize = 65536;

/// True when rpcbind refuses to forward a call to procedure `proc_num` of
/// `prog`: the portmapper itself, MOUNT's MNT and UMNT, NFS, RQUOTA,
/// YPPASSWD, YPBIND's SETDOM and YP's MATCH, FIRST, NEXT and ALL. The
/// NULL procedure is always forwarded.
pub fn refused(prog: u32, proc_num: u32) -> bool {
    if proc_num == 0 {
        return false;
    }
    match prog {
        portmapper::proto::PMAP_PROG | NFS_PROGRAM | RQUOTAPROG | YPPASSWDPROG => true,
        MOUNTPROG => matches!(proc_num, MOUNTPROC_MNT | MOUNTPROC_UMNT),
        YPBINDPROG => proc_num == YPBINDPROC_SETDOM,
        YPPROG => matches!(proc_num, YPPROC_MATCH | YPPROC_FIRST | YPPROC_NEXT | YPPROC_ALL),
        _ => false,
    }
}

/// The credential a forwarded call carries: the caller's, when it is
/// `AUTH_NONE` or `AUTH_SYS`; `None` for any other flavor, which rpcbind
/// does not forward.
pub fn forwarded_credential(creds: &Credentials) -> Option<(AuthFlavor, Vec<u8>)> {
    match creds {
        Credentials::None => Some((AuthFlavor::NONE, Vec::new())),
        Credentials::Sys(parms) => xdr::to_vec(parms).ok().map(|body| (AuthFlavor::SYS, body)),
        _ => None,
    }
}

/// Why a call was not forwarded, or its answer not had.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    /// As many forwards as allowed are in progress.
    #[error("too many remote calls in progress")]
    Busy,
    /// The same call (caller, xid) is already being forwarded.
    #[error("retransmission of a call being forwarded")]
    Duplicate,
    /// The datagram could not be sent or the reply read.
    #[error("forwarding: {0}")]
    Io(#[from] io::Error),
    /// No reply in time.
    #[error("no reply from the service")]
    Timeout,
    /// The service answered with an error.
    #[error("the service refused the call")]
    Failed,
}

/// A call to forward.
#[derive(Debug, Clone, Copy)]
pub struct Forward<'a> {
    /// Who asked, and the xid it used: a call is forwarded once at a time.
    pub caller: (SocketAddr, u32),
    /// Where the service listens.
    pub target: SocketAddr,
    /// Program, version and procedure to call.
    pub call: (u32, u32, u32),
    /// The credential to send (see [`forwarded_credential`]).
    pub cred: (AuthFlavor, &'a [u8]),
    /// The encoded arguments.
    pub args: &'a [u8],
}

/// Forwards remote calls, a bounded number at a time.
#[derive(Debug)]
pub struct Forwarder {
    max: usize,
    timeout: Duration,
    in_flight: Mutex<HashSet<(SocketAddr, u32)>>,
    next_xid: Mutex<rpc::xid::XidAllocator>,
}

/// Frees a forwarding slot when dropped.
struct Slot<'a> {
    forwarder: &'a Forwarder,
    key: (SocketAddr, u32),
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.forwarder.slots().remove(&self.key);
    }
}

impl Forwarder {
    /// A forwarder allowing `max` calls at once, each waiting `timeout`
    /// for its reply.
    pub fn new(max: usize, timeout: Duration) -> Forwarder {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as u32 ^ d.subsec_nanos())
            ^ std::process::id().rotate_left(16);
        Forwarder {
            max,
            timeout,
            in_flight: Mutex::new(HashSet::new()),
            next_xid: Mutex::new(rpc::xid::XidAllocator::new(seed)),
        }
    }

    fn slots(&self) -> MutexGuard<'_, HashSet<(SocketAddr, u32)>> {
        self.in_flight.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn take_slot(&self, key: (SocketAddr, u32)) -> Result<Slot<'_>, ForwardError> {
        let mut slots = self.slots();
        if slots.contains(&key) {
            return Err(ForwardError::Duplicate);
        }
        if slots.len() >= self.max {
            return Err(ForwardError::Busy);
        }
        slots.insert(key);
        Ok(Slot { forwarder: self, key })
    }

    /// Sends the call and waits for its reply; returns the service's
    /// results.
    pub fn forward(&self, f: Forward<'_>) -> Result<Vec<u8>, ForwardError> {
        let _slot = self.take_slot(f.caller)?;
        let xid = self.next_xid.lock().unwrap_or_else(PoisonError::into_inner).next();
        let (prog, vers, proc_num) = f.call;
        let header = CallHeader {
            xid,
            rpcvers: RPC_VERSION,
            prog,
            vers,
            proc_num,
            cred: OpaqueAuth { flavor: f.cred.0, body: f.cred.1 },
            verf: OpaqueAuth::NONE,
        };
        let mut datagram = Vec::with_capacity(64 + f.cred.1.len() + f.args.len());
        Encoder::new(&mut datagram).put(&header).map_err(|e| io::Error::other(e.to_string()))?;
        datagram.extend_from_slice(f.args);

        let any = match f.target.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        };
        let socket = UdpSocket::bind(SocketAddr::new(any, 0))?;
        socket.connect(f.target)?;
        socket.send(&datagram)?;
        let deadline = Instant::now() + self.timeout;
        let mut buf = vec![0u8; MAX_REPLY];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ForwardError::Timeout);
            }
            socket.set_read_timeout(Some(left))?;
            let n = match socket.recv(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) =>
                {
                    return Err(ForwardError::Timeout);
                }
                Err(e) => return Err(e.into()),
            };
            let Ok((reply, results)) = ReplyHeader::decode_with_results(&buf[..n]) else {
                continue;
            };
            if reply.xid != xid {
                continue;
            }
            return match reply.body {
                ReplyBody::Accepted { stat: AcceptStat::Success, .. } => Ok(results.to_vec()),
                _ => Err(ForwardError::Failed),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_follow_rpcbind() {
        for (prog, proc_num) in [
            (100_000, 3),
            (NFS_PROGRAM, 1),
            (MOUNTPROG, 1),
            (MOUNTPROG, 3),
            (YPPROG, 8),
            (YPBINDPROG, 2),
            (YPPASSWDPROG, 1),
            (RQUOTAPROG, 1),
        ] {
            assert!(refused(prog, proc_num), "{prog}.{proc_num}");
        }
        for (prog, proc_num) in [
            (100_000, 0),
            (NFS_PROGRAM, 0),
            (MOUNTPROG, 2),
            (YPPROG, 1),
            (YPBINDPROG, 1),
            (0x2000_0000, 7),
        ] {
            assert!(!refused(prog, proc_num), "{prog}.{proc_num}");
        }
    }

    #[test]
    fn slots_are_capped_and_deduplicated() {
        let f = Forwarder::new(2, Duration::from_millis(10));
        let a = "127.0.0.1:1".parse().unwrap();
        let s1 = f.take_slot((a, 1)).unwrap();
        assert!(matches!(f.take_slot((a, 1)), Err(ForwardError::Duplicate)));
        let _s2 = f.take_slot((a, 2)).unwrap();
        assert!(matches!(f.take_slot((a, 3)), Err(ForwardError::Busy)));
        drop(s1);
        f.take_slot((a, 3)).unwrap();
    }

    #[test]
    fn a_silent_service_times_out() {
        let quiet = UdpSocket::bind("127.0.0.1:0").unwrap();
        let f = Forwarder::new(1, Duration::from_millis(50));
        let forward = Forward {
            caller: ("127.0.0.1:9".parse().unwrap(), 5),
            target: quiet.local_addr().unwrap(),
            call: (0x2000_0001, 1, 0),
            cred: (AuthFlavor::NONE, &[]),
            args: &[],
        };
        assert!(matches!(f.forward(forward), Err(ForwardError::Timeout)));
        let mut buf = [0u8; 128];
        let n = quiet.recv(&mut buf).unwrap();
        let (call, args) = CallHeader::decode_with_args(&buf[..n]).unwrap();
        assert_eq!((call.prog, call.vers, call.proc_num, args.len()), (0x2000_0001, 1, 0, 0));
    }
}
