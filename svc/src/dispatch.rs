//! The interface between the server and one version of one program:
//! [`Dispatch`], which generated code implements, and [`ProcError`].

use std::fmt;
use std::sync::Arc;

use rpc::AuthStat;

use crate::context::CallContext;

/// Why a dispatcher produced no results; each maps to an error reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcError {
    /// The version has no such procedure: `PROC_UNAVAIL`.
    ProcUnavail,
    /// `PROG_UNAVAIL`, for a dispatcher that answers for other programs
    /// (rpcbind's INDIRECT reports so when the program it should call is
    /// not registered).
    ProgUnavail,
    /// `PROG_MISMATCH` with the versions supported, for a dispatcher that
    /// answers for other programs (rpcbind's INDIRECT).
    ProgMismatch {
        /// Lowest version.
        low: u32,
        /// Highest version.
        high: u32,
    },
    /// The arguments could not be decoded: `GARBAGE_ARGS`.
    GarbageArgs(xdr::Error),
    /// The procedure failed: `SYSTEM_ERR`.
    SystemErr,
    /// The caller's credentials are refused: `AUTH_ERROR` with this reason.
    AuthError(AuthStat),
    /// Send no reply at all: the caller times out (or retransmits), as
    /// rpcbind does for remote calls it cannot forward. A stream
    /// connection stays open and its later calls are answered.
    NoReply,
}

impl fmt::Display for ProcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProcError::ProcUnavail => f.write_str("procedure unavailable"),
            ProcError::ProgUnavail => f.write_str("program unavailable"),
            ProcError::ProgMismatch { low, high } => {
                write!(f, "program version mismatch (versions {low} to {high})")
            }
            ProcError::GarbageArgs(e) => write!(f, "cannot decode arguments: {e}"),
            ProcError::SystemErr => f.write_str("system error"),
            ProcError::AuthError(stat) => write!(f, "authentication error: {stat}"),
            ProcError::NoReply => f.write_str("no reply"),
        }
    }
}

impl std::error::Error for ProcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProcError::GarbageArgs(e) => Some(e),
            _ => None,
        }
    }
}

/// Argument decoding errors are the caller's fault: `GARBAGE_ARGS`, so
/// generated code can use `?` on its decoder.
impl From<xdr::Error> for ProcError {
    fn from(e: xdr::Error) -> Self {
        ProcError::GarbageArgs(e)
    }
}

/// One version of one program: generated code implements this for every
/// version of every program, wrapping the user's trait impl.
pub trait Dispatch: Send + Sync + 'static {
    /// Decodes `args` for `ctx.proc_num`, runs the procedure, appends the
    /// encoded results to `results` (which already holds the reply header:
    /// append only).
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError>;

    /// True when procedure `proc_num` is so cheap that the I/O thread should
    /// run it itself rather than hand it to a worker thread (generated code
    /// says so for procedure 0, `NULL`). Never true for anything that may
    /// block. Defaults to false.
    fn runs_inline(&self, proc_num: u32) -> bool {
        let _ = proc_num;
        false
    }

    /// True when procedure `proc_num` is one-way (generated code says so
    /// for procedures declared one-way): its callers expect no reply, so
    /// the server sends none, whatever [`Dispatch::dispatch`] returns
    /// (results, [`ProcError::GarbageArgs`] or any other error). On a
    /// stream connection a one-way call also runs alone: after every
    /// earlier call of the connection finished and before any later one
    /// starts, so batched calls execute in the order they were sent.
    /// Defaults to false.
    fn one_way(&self, proc_num: u32) -> bool {
        let _ = proc_num;
        false
    }
}

impl<T: Dispatch + ?Sized> Dispatch for Arc<T> {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        (**self).dispatch(ctx, args, results)
    }

    fn runs_inline(&self, proc_num: u32) -> bool {
        (**self).runs_inline(proc_num)
    }

    fn one_way(&self, proc_num: u32) -> bool {
        (**self).one_way(proc_num)
    }
}

impl<T: Dispatch + ?Sized> Dispatch for Box<T> {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        (**self).dispatch(ctx, args, results)
    }

    fn runs_inline(&self, proc_num: u32) -> bool {
        (**self).runs_inline(proc_num)
    }

    fn one_way(&self, proc_num: u32) -> bool {
        (**self).one_way(proc_num)
    }
}
