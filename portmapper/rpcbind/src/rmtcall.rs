//! Remote calls: portmap v2 and rpcbind v3 CALLIT, v4 BCAST (the same)
//! and v4 INDIRECT, with rpcbind's checks, answers and silences.
//!
//! As in rpcbind, remote calls are taken over UDP only (other transports
//! get no reply), and CALLIT/BCAST never report a failure: the caller of a
//! broadcast must not hear from every host that lacks the program. INDIRECT
//! reports failures as errors instead. With forwarding off (the default,
//! as rpcbind is built since 1.2.5) every check still runs and the call is
//! then dropped: CALLIT and BCAST answer nothing, INDIRECT `SYSTEM_ERR`,
//! so no answer is ever larger than the request.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use rpc::AuthStat;
use svc::{CallContext, ProcError, Transport};

use crate::caller::Caller;
use crate::forward::{self, Forward, ForwardError};
use crate::merge::merge;
use crate::service::Service;
use crate::stats::{RemoteCall, Version};
use crate::taddr::{self, Family};

/// The remote-call procedure of every version: CALLIT (v2, v3) and BCAST
/// (v4) are number 5, INDIRECT (v4) number 10.
const CALLIT: u32 = 5;
const INDIRECT: u32 = 10;

/// True for the procedures that make remote calls.
pub fn is_remote_call(vers: u32, proc_num: u32) -> bool {
    proc_num == CALLIT || (vers == 4 && proc_num == INDIRECT)
}

/// How a remote call that cannot be made is answered: INDIRECT with
/// `error`, CALLIT and BCAST with silence.
pub fn failure(ctx: &CallContext, error: ProcError) -> ProcError {
    if ctx.vers == 4 && ctx.proc_num == INDIRECT { error } else { ProcError::NoReply }
}

/// What a successful remote call answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The universal address of the program called, as the caller reaches
    /// it.
    pub addr: Vec<u8>,
    /// The program's results.
    pub results: Vec<u8>,
}

/// What a remote call asks for.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Program.
    pub prog: u32,
    /// Version.
    pub vers: u32,
    /// Procedure.
    pub proc_num: u32,
    /// Encoded arguments.
    pub args: &'a [u8],
}

impl Service {
    /// Makes the remote call `req` for the caller of `ctx`, in protocol
    /// version `v`.
    pub fn remote_call(
        &self,
        ctx: &CallContext,
        v: Version,
        req: Request<'_>,
    ) -> Result<Answer, ProcError> {
        let caller = Caller::of(ctx);
        let Some(peer) = caller.addr.filter(|_| ctx.transport == Transport::Udp) else {
            return Err(ProcError::NoReply);
        };
        if forward::refused(req.prog, req.proc_num) {
            log::info!("remote call to {}.{} from {peer} refused", req.prog, req.proc_num);
            return Err(ProcError::AuthError(AuthStat::TooWeak));
        }
        let netid = caller.netid.as_str().as_bytes();
        let (found, versions) = {
            let table = self.table();
            (table.find(req.prog, req.vers, netid).cloned(), table.versions(req.prog, netid))
        };
        let exact = found.as_ref().is_some_and(|e| e.vers == req.vers);
        let indirect = ctx.vers == 4 && ctx.proc_num == INDIRECT;
        let counted = RemoteCall {
            prog: req.prog,
            vers: req.vers,
            proc_num: req.proc_num,
            netid: caller.netid,
            indirect,
            found: exact,
        };
        self.stats().remote_call(v, counted);
        let reg = match (found, versions) {
            (None, _) => return Err(failure(ctx, ProcError::ProgUnavail)),
            (Some(_), Some((low, high))) if !exact => {
                return Err(failure(ctx, ProcError::ProgMismatch { low, high }));
            }
            (Some(reg), _) => reg,
        };
        let merged = merge(&caller, &reg.addr, None);
        if indirect && merged.as_ref().is_none_or(Vec::is_empty) {
            return Err(ProcError::ProgUnavail);
        }
        let Some(forwarder) = &self.policy().forwarder else {
            log::debug!(
                "remote call to {}.{}.{} from {peer}: forwarding is off",
                req.prog,
                req.vers,
                req.proc_num
            );
            return Err(failure(ctx, ProcError::SystemErr));
        };
        let Some(target) = local_target(Family::of(caller.netid), &reg.addr) else {
            return Err(failure(ctx, ProcError::SystemErr));
        };
        let Some((flavor, body)) = forward::forwarded_credential(&ctx.credentials) else {
            return Err(failure(ctx, ProcError::AuthError(AuthStat::TooWeak)));
        };
        let call = Forward {
            caller: (peer, ctx.xid),
            target,
            call: (req.prog, req.vers, req.proc_num),
            cred: (flavor, &body),
            args: req.args,
        };
        match forwarder.forward(call) {
            Ok(results) => Ok(Answer { addr: merged.unwrap_or(reg.addr), results }),
            Err(e) => {
                log::debug!(
                    "remote call to {}.{}.{} from {peer}: {e}",
                    req.prog,
                    req.vers,
                    req.proc_num
                );
                Err(match e {
                    ForwardError::Duplicate | ForwardError::Timeout => ProcError::NoReply,
                    ForwardError::Busy | ForwardError::Io(_) | ForwardError::Failed => {
                        failure(ctx, ProcError::SystemErr)
                    }
                })
            }
        }
    }
}

/// Where to send a call for the service registered at `addr`: its port on
/// this host's loopback address of the family.
fn local_target(family: Family, addr: &[u8]) -> Option<SocketAddr> {
    let registered = taddr::to_socket_addr(family, addr)?;
    let loopback = match registered.ip() {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
    };
    Some(SocketAddr::new(loopback, registered.port()))
}

/// The port of an IPv4 universal address for portmap v2's CALLIT answer
/// (rpcbind reads six numbers); `None` when it has no such form.
pub fn pmap_port_of(uaddr: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(uaddr).ok()?;
    let fields: Vec<u32> = text.split('.').map(str::parse).collect::<Result<_, _>>().ok()?;
    match fields[..] {
        [_, _, _, _, p1, p2] => Some(((p1 & 0xff) << 8) | (p2 & 0xff)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_call_procedures() {
        assert!(is_remote_call(2, 5) && is_remote_call(3, 5) && is_remote_call(4, 5));
        assert!(is_remote_call(4, 10));
        assert!(!is_remote_call(3, 10) && !is_remote_call(4, 3));
    }

    #[test]
    fn targets_and_ports() {
        assert_eq!(
            local_target(Family::Inet, b"0.0.0.0.7.208"),
            Some("127.0.0.1:2000".parse().unwrap())
        );
        assert_eq!(local_target(Family::Inet6, b"::.0.9"), Some("[::1]:9".parse().unwrap()));
        assert_eq!(local_target(Family::Inet, b"abc"), None);
        assert_eq!(pmap_port_of(b"127.0.0.1.7.208"), Some(2000));
        assert_eq!(pmap_port_of(b"::1.7.208"), None);
    }
}
