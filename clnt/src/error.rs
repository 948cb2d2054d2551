//! Call errors, one variant per libtirpc `clnt_stat` a call can end in.
//!
//! `Display` prints what `clnt_sperror` prints after the program name, so
//! messages read as users of `clnt_perror` expect, e.g.
//! `RPC: Program/version mismatch; low version = 1, high version = 2`.

use std::io;

use rpc::AuthStat;

/// libtirpc's `enum clnt_stat`, with its numbers, for logs and the C API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
#[allow(missing_docs)] // each name is libtirpc's RPC_<NAME>, described on Error
pub enum ClntStat {
    Success = 0,
    CantEncodeArgs = 1,
    CantDecodeRes = 2,
    CantSend = 3,
    CantRecv = 4,
    TimedOut = 5,
    VersMismatch = 6,
    AuthError = 7,
    ProgUnavail = 8,
    ProgVersMismatch = 9,
    ProcUnavail = 10,
    CantDecodeArgs = 11,
    SystemError = 12,
    UnknownHost = 13,
    PmapFailure = 14,
    ProgNotRegistered = 15,
    Failed = 16,
    UnknownProto = 17,
    UnknownAddr = 19,
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The arguments broke their type's bounds (the caller's mistake).
    #[error("RPC: Can't encode arguments; {0}")]
    CantEncodeArgs(#[source] xdr::Error),
    /// The reply's results did not decode as the expected type.
    #[error("RPC: Can't decode result; {0}")]
    CantDecodeRes(#[source] xdr::Error),
    /// The request could not be sent (includes failing to connect).
    #[error("RPC: Unable to send; errno = {0}")]
    CantSend(#[source] io::Error),
    /// The connection failed or closed before the reply arrived.
    #[error("RPC: Unable to receive; errno = {0}")]
    CantRecv(#[source] io::Error),
    /// No reply within the call's timeout.
    #[error("RPC: Timed out")]
    TimedOut,
    /// The server speaks other RPC versions (`RPC_MISMATCH`).
    #[error("RPC: Incompatible versions of RPC; low version = {low}, high version = {high}")]
    VersMismatch {
        /// Lowest RPC version the server supports.
        low: u32,
        /// Highest RPC version the server supports.
        high: u32,
    },
    /// The server refused the credentials or verifier.
    #[error("RPC: Authentication error; why = {0}")]
    AuthError(AuthStat),
    /// The server does not export the program.
    #[error("RPC: Program unavailable")]
    ProgUnavail,
    /// The server exports the program in other versions.
    #[error("RPC: Program/version mismatch; low version = {low}, high version = {high}")]
    ProgVersMismatch {
        /// Lowest version the server supports.
        low: u32,
        /// Highest version the server supports.
        high: u32,
    },
    /// The program has no such procedure.
    #[error("RPC: Procedure unavailable")]
    ProcUnavail,
    /// The server could not decode the arguments (`GARBAGE_ARGS`).
    #[error("RPC: Server can't decode arguments")]
    CantDecodeArgs,
    /// The server failed while handling the call (`SYSTEM_ERR`).
    #[error("RPC: Remote system error")]
    SystemError,
    /// The host name did not resolve.
    #[error("RPC: Unknown host; {0}")]
    UnknownHost(String),
    /// The portmapper has no registration for the program.
    #[error("RPC: Program not registered")]
    ProgNotRegistered,
    /// The reply was not a well-formed RPC reply.
    #[error("RPC: Can't decode result; malformed reply: {0}")]
    MalformedReply(#[source] xdr::Error),
}

impl Error {
    /// The libtirpc status this error corresponds to.
    pub fn stat(&self) -> ClntStat {
        match self {
            Error::CantEncodeArgs(_) => ClntStat::CantEncodeArgs,
            Error::CantDecodeRes(_) | Error::MalformedReply(_) => ClntStat::CantDecodeRes,
            Error::CantSend(_) => ClntStat::CantSend,
            Error::CantRecv(_) => ClntStat::CantRecv,
            Error::TimedOut => ClntStat::TimedOut,
            Error::VersMismatch { .. } => ClntStat::VersMismatch,
            Error::AuthError(_) => ClntStat::AuthError,
            Error::ProgUnavail => ClntStat::ProgUnavail,
            Error::ProgVersMismatch { .. } => ClntStat::ProgVersMismatch,
            Error::ProcUnavail => ClntStat::ProcUnavail,
            Error::CantDecodeArgs => ClntStat::CantDecodeArgs,
            Error::SystemError => ClntStat::SystemError,
            Error::UnknownHost(_) => ClntStat::UnknownHost,
            Error::ProgNotRegistered => ClntStat::ProgNotRegistered,
        }
    }

    /// True when the server answered (the call reached it and was refused
    /// or failed there), false for local and transport failures.
    pub fn is_server_reply(&self) -> bool {
        matches!(
            self,
            Error::VersMismatch { .. }
                | Error::AuthError(_)
                | Error::ProgUnavail
                | Error::ProgVersMismatch { .. }
                | Error::ProcUnavail
                | Error::CantDecodeArgs
                | Error::SystemError
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_like_clnt_sperror() {
        assert_eq!(
            Error::ProgVersMismatch { low: 1, high: 2 }.to_string(),
            "RPC: Program/version mismatch; low version = 1, high version = 2"
        );
        assert_eq!(
            Error::AuthError(AuthStat::TooWeak).to_string(),
            "RPC: Authentication error; why = Client credential too weak"
        );
        assert_eq!(Error::TimedOut.to_string(), "RPC: Timed out");
        assert_eq!(Error::ProcUnavail.stat() as u32, 10);
    }
}
