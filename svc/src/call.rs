//! Handling one call message, free of I/O: header checks, credentials,
//! lookup, the duplicate request cache, dispatch, and the reply (success
//! or any error; none for a one-way procedure) appended to an output
//! buffer, with its record mark on stream transports.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rpc::record::{LAST_FRAGMENT, MAX_FRAGMENT};
use rpc::{AcceptStat, CallHeader, RPC_VERSION, RejectedReply, ReplyHeader};
use xdr::{Encode, Encoder};

use crate::context::{CallContext, PeerAddr, PeerCred, Transport};
use crate::credentials::Credentials;
use crate::dispatch::ProcError;
use crate::duplicate_cache::{Begin, ReplyCache};
use crate::registry::{Lookup, Registry};

/// Where calls come from: one per connection (or per datagram), shared by
/// its calls.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    /// The transport.
    pub(crate) transport: Transport,
    /// The peer's address.
    pub(crate) peer: PeerAddr,
    /// The kernel's word on a Unix-socket peer.
    pub(crate) peer_cred: Option<PeerCred>,
}

/// What became of a call message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A reply was appended.
    Replied,
    /// The header could not be decoded: no reply (libtirpc sends none either).
    Garbage,
    /// Nothing was appended: the procedure asked for no reply
    /// ([`ProcError::NoReply`]), is one-way, or the call duplicates one
    /// that is running or sent no reply.
    Silent,
}

/// How a call should run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Route {
    /// On a worker thread; otherwise on the I/O thread (an error reply, or
    /// a procedure its dispatcher calls cheap).
    pub(crate) on_worker: bool,
    /// The procedure is one-way ([`crate::Dispatch::one_way`]).
    pub(crate) one_way: bool,
}

/// Decides how `message` should be handled, decoding only its header (no
/// allocation); `None` when the header cannot be decoded.
pub(crate) fn route(registry: &Registry, message: &[u8]) -> Option<Route> {
    let (call, _) = CallHeader::decode_with_args(message).ok()?;
    let found = match registry.lookup(call.prog, call.vers) {
        Lookup::Found(d) if call.rpcvers == RPC_VERSION => Some(d),
        _ => None,
    };
    Some(found.map_or(Route { on_worker: false, one_way: false }, |d| Route {
        on_worker: !d.runs_inline(call.proc_num),
        one_way: d.one_way(call.proc_num),
    }))
}

/// Handles the call in `message` from `origin`, appending the reply to
/// `out`; on stream transports (`framed`) the reply is preceded by its
/// record mark. Whatever was in `out` before is left alone. With a `cache`,
/// a call that reaches a dispatcher runs at most once.
pub(crate) fn handle(
    registry: &Registry,
    cache: Option<&ReplyCache>,
    origin: &Origin,
    message: &[u8],
    out: &mut Vec<u8>,
    framed: bool,
) -> Outcome {
    let (call, args) = match CallHeader::decode_with_args(message) {
        Ok(decoded) => decoded,
        Err(e) => {
            log::debug!("{} call from {}: undecodable header: {e}", origin.transport, origin.peer);
            return Outcome::Garbage;
        }
    };
    let mark_at = out.len();
    if framed {
        out.extend_from_slice(&[0; 4]);
    }
    let reply_at = out.len();
    let xid = call.xid;

    if call.rpcvers != RPC_VERSION {
        log::debug!("call {xid:#x} from {}: RPC version {}", origin.peer, call.rpcvers);
        let reason = RejectedReply::RpcMismatch { low: RPC_VERSION, high: RPC_VERSION };
        put_header(out, ReplyHeader::denied(xid, reason));
        finish(out, mark_at, reply_at, framed, xid);
        return Outcome::Replied;
    }
    let found = registry.lookup(call.prog, call.vers);
    let one_way = matches!(found, Lookup::Found(d) if d.one_way(call.proc_num));
    let credentials = match Credentials::from_opaque_auth(&call.cred) {
        Ok(c) => c,
        Err(_) if one_way => {
            log::debug!("one-way call {xid:#x} from {}: bad credentials", origin.peer);
            out.truncate(mark_at);
            return Outcome::Silent;
        }
        Err(stat) => {
            put_header(out, ReplyHeader::denied(xid, RejectedReply::AuthError(stat)));
            finish(out, mark_at, reply_at, framed, xid);
            return Outcome::Replied;
        }
    };
    let dispatcher = match found {
        Lookup::Found(d) => d,
        Lookup::ProgMismatch { low, high } => {
            let stat = AcceptStat::ProgMismatch { low, high };
            put_header(out, ReplyHeader::accepted(xid, stat));
            finish(out, mark_at, reply_at, framed, xid);
            return Outcome::Replied;
        }
        Lookup::ProgUnavail => {
            put_header(out, ReplyHeader::accepted(xid, AcceptStat::ProgUnavail));
            finish(out, mark_at, reply_at, framed, xid);
            return Outcome::Replied;
        }
    };

    let cached = cache.and_then(|c| c.key(origin, &call, args).map(|key| (c, key)));
    if let Some((c, key)) = cached {
        match c.begin(key) {
            Begin::Run => {}
            Begin::Replay(reply) => {
                log::debug!("call {xid:#x} from {}: duplicate; cached reply sent", origin.peer);
                out.extend_from_slice(&reply);
                finish(out, mark_at, reply_at, framed, xid);
                return Outcome::Replied;
            }
            Begin::Drop => {
                log::debug!("call {xid:#x} from {}: duplicate; dropped", origin.peer);
                out.truncate(mark_at);
                return Outcome::Silent;
            }
        }
    }

    let ctx = CallContext {
        xid,
        prog: call.prog,
        vers: call.vers,
        proc_num: call.proc_num,
        transport: origin.transport,
        peer: origin.peer.clone(),
        credentials,
        peer_cred: origin.peer_cred,
    };
    put_header(out, ReplyHeader::accepted(xid, AcceptStat::Success));
    let results_at = out.len();
    let mut result = catch_unwind(AssertUnwindSafe(|| dispatcher.dispatch(&ctx, args, out)))
        .unwrap_or_else(|_| {
            log::error!(
                "procedure {}.{}.{} panicked (call {xid:#x} from {})",
                ctx.prog,
                ctx.vers,
                ctx.proc_num,
                ctx.peer
            );
            Err(ProcError::SystemErr)
        });
    if out.len() < results_at {
        // The dispatcher broke "append only"; keep the buffer's shape.
        log::error!(
            "procedure {}.{}.{} removed bytes it did not write",
            call.prog,
            call.vers,
            call.proc_num
        );
        out.resize(results_at, 0);
        result = Err(ProcError::SystemErr);
    }
    let replied = match result {
        Ok(()) => !one_way,
        Err(e) if one_way || matches!(e, ProcError::NoReply) => {
            log::debug!(
                "call {xid:#x} to {}.{}.{} from {}: {e}{}",
                ctx.prog,
                ctx.vers,
                ctx.proc_num,
                ctx.peer,
                if one_way { " (one-way: not sent)" } else { "" }
            );
            false
        }
        Err(e) => {
            out.truncate(reply_at);
            put_header(out, error_reply(xid, &e, &ctx));
            true
        }
    };
    if replied {
        finish(out, mark_at, reply_at, framed, xid);
    } else {
        out.truncate(mark_at);
    }
    if let Some((c, key)) = cached {
        c.complete(key, replied.then(|| &out[reply_at..]));
    }
    if replied { Outcome::Replied } else { Outcome::Silent }
}

/// The reply header for a procedure's error.
fn error_reply(xid: u32, e: &ProcError, ctx: &CallContext) -> ReplyHeader<'static> {
    log::debug!(
        "call {xid:#x} to {}.{}.{} from {}: {e}",
        ctx.prog,
        ctx.vers,
        ctx.proc_num,
        ctx.peer
    );
    match e {
        ProcError::ProcUnavail => ReplyHeader::accepted(xid, AcceptStat::ProcUnavail),
        ProcError::ProgUnavail => ReplyHeader::accepted(xid, AcceptStat::ProgUnavail),
        ProcError::ProgMismatch { low, high } => {
            ReplyHeader::accepted(xid, AcceptStat::ProgMismatch { low: *low, high: *high })
        }
        ProcError::GarbageArgs(_) => ReplyHeader::accepted(xid, AcceptStat::GarbageArgs),
        ProcError::SystemErr => ReplyHeader::accepted(xid, AcceptStat::SystemErr),
        ProcError::AuthError(stat) => ReplyHeader::denied(xid, RejectedReply::AuthError(*stat)),
        // Handled before a header is written; should one get here, the
        // caller gets SYSTEM_ERR rather than nothing.
        ProcError::NoReply => ReplyHeader::accepted(xid, AcceptStat::SystemErr),
    }
}

/// Appends a reply header (which cannot fail to encode: its verifier is empty).
fn put_header(out: &mut Vec<u8>, header: ReplyHeader<'_>) {
    out.reserve(header.encoded_len());
    if let Err(e) = header.encode(&mut Encoder::new(out)) {
        log::error!("cannot encode reply header: {e}");
    }
}

/// Writes the record mark of a framed reply. A reply too large for one
/// fragment (2 GiB) becomes `SYSTEM_ERR`.
fn finish(out: &mut Vec<u8>, mark_at: usize, reply_at: usize, framed: bool, xid: u32) {
    if !framed {
        return;
    }
    if out.len() - reply_at > MAX_FRAGMENT {
        log::error!("reply to call {xid:#x} is larger than a record fragment");
        out.truncate(reply_at);
        put_header(out, ReplyHeader::accepted(xid, AcceptStat::SystemErr));
    }
    let len = (out.len() - reply_at) as u32;
    out[mark_at..reply_at].copy_from_slice(&(len | LAST_FRAGMENT).to_be_bytes());
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rpc::{AuthFlavor, AuthStat, OpaqueAuth, ReplyBody};

    use super::*;
    use crate::dispatch::Dispatch;

    struct Echo;
    impl Dispatch for Echo {
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
                2 => Err(ProcError::SystemErr),
                3 => Err(ProcError::AuthError(AuthStat::TooWeak)),
                4 => panic!("procedure 4 always panics"),
                5 => {
                    results.extend_from_slice(b"partial");
                    Err(ProcError::NoReply)
                }
                6 => Err(ProcError::ProgUnavail),
                7 => Err(ProcError::ProgMismatch { low: 3, high: 9 }),
                10 => {
                    results.extend_from_slice(args);
                    Ok(())
                }
                11 => Err(ProcError::GarbageArgs(xdr::Error::Truncated {
                    offset: 0,
                    needed: 4,
                    remaining: 0,
                })),
                _ => Err(ProcError::ProcUnavail),
            }
        }

        fn one_way(&self, proc_num: u32) -> bool {
            matches!(proc_num, 4 | 10 | 11)
        }
    }

    fn registry() -> Registry {
        let mut r = Registry::default();
        r.insert(7, 2, Arc::new(Echo)).unwrap();
        r.insert(7, 5, Arc::new(Echo)).unwrap();
        r
    }

    fn origin() -> Origin {
        Origin {
            transport: Transport::Tcp,
            peer: PeerAddr::Inet("127.0.0.1:9".parse().unwrap()),
            peer_cred: None,
        }
    }

    fn call(rpcvers: u32, prog: u32, vers: u32, proc_num: u32, cred: OpaqueAuth<'_>) -> Vec<u8> {
        let header =
            CallHeader { xid: 42, rpcvers, prog, vers, proc_num, cred, verf: OpaqueAuth::NONE };
        let mut msg = xdr::to_vec(&header).unwrap();
        msg.extend_from_slice(&[0, 0, 0, 9]);
        msg
    }

    /// Handles `msg` framed and returns the reply body and results.
    fn reply_of(msg: &[u8]) -> (ReplyBody<'static>, Vec<u8>) {
        let mut out = vec![0xee];
        assert_eq!(handle(&registry(), None, &origin(), msg, &mut out, true), Outcome::Replied);
        assert_eq!(out[0], 0xee, "earlier bytes untouched");
        let mark = u32::from_be_bytes(out[1..5].try_into().unwrap());
        assert_eq!(mark, LAST_FRAGMENT | (out.len() - 5) as u32);
        let (reply, results) = ReplyHeader::decode_with_results(&out[5..]).unwrap();
        assert_eq!(reply.xid, 42);
        let body = match reply.body {
            ReplyBody::Accepted { stat, .. } => {
                ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat }
            }
            ReplyBody::Denied(r) => ReplyBody::Denied(r),
        };
        (body, results.to_vec())
    }

    fn accepted(stat: AcceptStat) -> ReplyBody<'static> {
        ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat }
    }

    #[test]
    fn every_reply_status() {
        let none = OpaqueAuth::NONE;
        assert_eq!(
            reply_of(&call(2, 7, 2, 1, none)),
            (accepted(AcceptStat::Success), vec![0, 0, 0, 9])
        );
        assert_eq!(reply_of(&call(2, 8, 2, 1, none)).0, accepted(AcceptStat::ProgUnavail));
        assert_eq!(
            reply_of(&call(2, 7, 3, 1, none)).0,
            accepted(AcceptStat::ProgMismatch { low: 2, high: 5 })
        );
        assert_eq!(reply_of(&call(2, 7, 2, 9, none)).0, accepted(AcceptStat::ProcUnavail));
        assert_eq!(reply_of(&call(2, 7, 2, 2, none)).0, accepted(AcceptStat::SystemErr));
        assert_eq!(reply_of(&call(2, 7, 2, 6, none)), (accepted(AcceptStat::ProgUnavail), vec![]));
        assert_eq!(
            reply_of(&call(2, 7, 2, 7, none)),
            (accepted(AcceptStat::ProgMismatch { low: 3, high: 9 }), vec![])
        );
        assert_eq!(
            reply_of(&call(2, 7, 2, 3, none)).0,
            ReplyBody::Denied(RejectedReply::AuthError(AuthStat::TooWeak))
        );
        assert_eq!(
            reply_of(&call(3, 7, 2, 1, none)).0,
            ReplyBody::Denied(RejectedReply::RpcMismatch { low: 2, high: 2 })
        );
        let bad_sys = OpaqueAuth { flavor: AuthFlavor::SYS, body: &[0, 0, 0, 1] };
        assert_eq!(
            reply_of(&call(2, 7, 2, 1, bad_sys)).0,
            ReplyBody::Denied(RejectedReply::AuthError(AuthStat::BadCred))
        );
    }

    #[test]
    fn garbage_gets_no_reply_and_routes_follow_the_registry() {
        let mut out = Vec::new();
        let r = registry();
        assert_eq!(handle(&r, None, &origin(), &[1, 2, 3], &mut out, true), Outcome::Garbage);
        assert!(out.is_empty());
        assert_eq!(route(&r, &[0; 8]), None);
        let route_of = |rpcvers, vers, proc_num| {
            let r = route(&r, &call(rpcvers, 7, vers, proc_num, OpaqueAuth::NONE)).unwrap();
            (r.on_worker, r.one_way)
        };
        assert_eq!(route_of(2, 2, 1), (true, false));
        assert_eq!(route_of(2, 2, 10), (true, true));
        assert_eq!(route_of(2, 4, 10), (false, false), "no such version");
        assert_eq!(route_of(3, 2, 10), (false, false), "no such RPC version");
    }

    #[test]
    fn one_way_procedures_get_no_reply_whatever_they_return() {
        let bad_sys = OpaqueAuth { flavor: AuthFlavor::SYS, body: &[0, 0, 0, 1] };
        for msg in [
            call(2, 7, 2, 10, OpaqueAuth::NONE),
            call(2, 7, 2, 11, OpaqueAuth::NONE),
            call(2, 7, 2, 4, OpaqueAuth::NONE),
            call(2, 7, 2, 10, bad_sys),
        ] {
            let mut out = vec![0xee];
            assert_eq!(handle(&registry(), None, &origin(), &msg, &mut out, true), Outcome::Silent);
            assert_eq!(out, [0xee]);
        }
        // The dispatcher's other procedures still reply.
        assert_eq!(reply_of(&call(2, 7, 2, 1, OpaqueAuth::NONE)).1, vec![0, 0, 0, 9]);
    }

    #[test]
    fn with_a_cache_a_retransmission_gets_the_same_bytes_without_running_again() {
        use crate::duplicate_cache::DuplicateCache;
        let cache = ReplyCache::new(DuplicateCache::new());
        let (r, o) = (registry(), origin());
        let handle_framed = |msg: &[u8]| {
            let mut out = Vec::new();
            let outcome = handle(&r, Some(&cache), &o, msg, &mut out, true);
            (outcome, out)
        };
        let first = handle_framed(&call(2, 7, 2, 1, OpaqueAuth::NONE));
        assert_eq!(first.0, Outcome::Replied);
        assert_eq!(handle_framed(&call(2, 7, 2, 1, OpaqueAuth::NONE)), first);
        assert_eq!(cache.stats().hits, 1);
        // Silent calls are remembered without a reply; errors before
        // dispatch are not remembered at all.
        assert_eq!(handle_framed(&call(2, 7, 2, 10, OpaqueAuth::NONE)).0, Outcome::Silent);
        assert_eq!(handle_framed(&call(2, 7, 2, 10, OpaqueAuth::NONE)).0, Outcome::Silent);
        assert_eq!(handle_framed(&call(2, 8, 2, 1, OpaqueAuth::NONE)).0, Outcome::Replied);
        assert_eq!(handle_framed(&call(2, 8, 2, 1, OpaqueAuth::NONE)).0, Outcome::Replied);
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.dropped, stats.entries), (1, 1, 2));
    }

    #[test]
    fn no_reply_appends_nothing_framed_or_not() {
        let msg = call(2, 7, 2, 5, OpaqueAuth::NONE);
        for framed in [true, false] {
            let mut out = vec![0xee];
            let outcome = handle(&registry(), None, &origin(), &msg, &mut out, framed);
            assert_eq!(outcome, Outcome::Silent);
            assert_eq!(out, [0xee], "framed: {framed}");
        }
    }

    #[test]
    fn unframed_replies_have_no_mark() {
        let mut out = Vec::new();
        let msg = call(2, 7, 2, 0, OpaqueAuth::NONE);
        assert_eq!(handle(&registry(), None, &origin(), &msg, &mut out, false), Outcome::Replied);
        assert_eq!(out, xdr::to_vec(&ReplyHeader::accepted(42, AcceptStat::Success)).unwrap());
    }
}
