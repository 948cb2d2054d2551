//! [`Front`]: the dispatcher each protocol version is registered with. It
//! counts the call for GETSTAT (every call, as rpcbind counts them before
//! looking at the arguments), logs it with `-l`, applies rpcbind's rules
//! for remote calls that arrive in the wrong shape (over a stream, or with
//! arguments that do not decode: silence, except INDIRECT's
//! `GARBAGE_ARGS`), then hands the call to the generated dispatcher.

use std::sync::Arc;

use rpc::AuthStat;
use svc::{CallContext, Credentials, Dispatch, ProcError};

use crate::rmtcall;
use crate::service::Service;
use crate::stats::Version;

/// SET and UNSET: the same numbers in every version.
const SET: u32 = 1;
const UNSET: u32 = 2;

/// Procedure names as rpcbind logs them.
const PROC_NAMES: [&str; 13] = [
    "null",
    "set",
    "unset",
    "getport/addr",
    "dump",
    "callit",
    "gettime",
    "uaddr2taddr",
    "taddr2uaddr",
    "getversaddr",
    "indirect",
    "getaddrlist",
    "getstat",
];

/// Counts, logs and screens calls for the generated dispatcher `inner`.
pub struct Front<D> {
    service: Arc<Service>,
    version: Version,
    inner: D,
}

impl<D> Front<D> {
    /// Puts `inner`, the dispatcher of protocol version `version`, behind
    /// the front.
    pub fn new(service: Arc<Service>, version: Version, inner: D) -> Front<D> {
        Front { service, version, inner }
    }
}

impl<D: Dispatch> Dispatch for Front<D> {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        if !matches!(ctx.credentials, Credentials::None | Credentials::Sys(_)) {
            return Err(ProcError::AuthError(AuthStat::RejectedCred));
        }
        self.service.stats().call(self.version, ctx.proc_num);
        if self.service.policy().log_calls {
            let name = PROC_NAMES.get(ctx.proc_num as usize).copied().unwrap_or("unknown");
            log::info!("connect from {} to {name} (version {})", ctx.peer, ctx.vers);
        }
        let remote = rmtcall::is_remote_call(ctx.vers, ctx.proc_num);
        if remote && ctx.transport.is_stream() {
            return Err(ProcError::NoReply);
        }
        match self.inner.dispatch(ctx, args, results) {
            Err(ProcError::GarbageArgs(e)) if remote => {
                Err(rmtcall::failure(ctx, ProcError::GarbageArgs(e)))
            }
            other => other,
        }
    }

    /// Lookups, listings and conversions touch only memory: the I/O
    /// thread runs them, saving a hand-off to a worker per call. SET and
    /// UNSET (which write the state file and sync it) and remote calls
    /// (which wait for another server) go to the workers.
    fn runs_inline(&self, proc_num: u32) -> bool {
        let protocol_version = match self.version {
            Version::Pmap2 => 2,
            Version::Rpcb3 => 3,
            Version::Rpcb4 => 4,
        };
        !matches!(proc_num, SET | UNSET) && !rmtcall::is_remote_call(protocol_version, proc_num)
    }

    fn one_way(&self, proc_num: u32) -> bool {
        self.inner.one_way(proc_num)
    }
}
