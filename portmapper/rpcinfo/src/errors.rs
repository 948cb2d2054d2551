//! Failures as libtirpc reports them: a call's `struct rpc_err`
//! ([`RpcErr`]), a handle creation's `rpc_createerr` ([`CreateErr`]), and
//! their messages exactly as `clnt_sperror`, `clnt_spcreateerror` and
//! `clnt_sperrno` word them; and [`Exit`], how rpcinfo ends.

use std::io;

use rpc::AuthStat;

/// `ECONNRESET`: libtirpc's errno for a stream closed before the reply.
const ECONNRESET: i32 = 104;
/// `EPIPE`: the errno given to a send failure that carries none.
const EPIPE: i32 = 32;

/// libtirpc's `enum clnt_stat`, with its numbers (the failures rpcinfo
/// can meet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stat {
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
    /// Also `RPC_RPCBFAILURE`.
    PmapFailure = 14,
    ProgNotRegistered = 15,
    Failed = 16,
    UnknownProto = 17,
    /// Name to address translation failed: past libtirpc's message table.
    N2AxlateFailure = 22,
}

impl Stat {
    /// `clnt_sperrno`.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Stat::CantEncodeArgs => "RPC: Can't encode arguments",
            Stat::CantDecodeRes => "RPC: Can't decode result",
            Stat::CantSend => "RPC: Unable to send",
            Stat::CantRecv => "RPC: Unable to receive",
            Stat::TimedOut => "RPC: Timed out",
            Stat::VersMismatch => "RPC: Incompatible versions of RPC",
            Stat::AuthError => "RPC: Authentication error",
            Stat::ProgUnavail => "RPC: Program unavailable",
            Stat::ProgVersMismatch => "RPC: Program/version mismatch",
            Stat::ProcUnavail => "RPC: Procedure unavailable",
            Stat::CantDecodeArgs => "RPC: Server can't decode arguments",
            Stat::SystemError => "RPC: Remote system error",
            Stat::UnknownHost => "RPC: Unknown host",
            Stat::PmapFailure => "RPC: Port mapper failure",
            Stat::ProgNotRegistered => "RPC: Program not registered",
            Stat::Failed => "RPC: Failed (unspecified error)",
            Stat::UnknownProto => "RPC: Unknown protocol",
            Stat::N2AxlateFailure => "RPC: (unknown error code)",
        }
    }
}

/// What a failed call leaves in `struct rpc_err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RpcErr {
    pub(crate) stat: Stat,
    pub(crate) detail: Detail,
}

/// The union part of `struct rpc_err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    None,
    Errno(i32),
    /// Version range of an RPC or program version mismatch.
    Vers {
        low: u32,
        high: u32,
    },
    Auth(AuthStat),
}

impl RpcErr {
    /// An error with nothing but a status.
    pub(crate) fn new(stat: Stat) -> RpcErr {
        RpcErr { stat, detail: Detail::None }
    }

    /// An error with an errno.
    pub(crate) fn errno(stat: Stat, errno: i32) -> RpcErr {
        RpcErr { stat, detail: Detail::Errno(errno) }
    }

    /// The version range of a mismatch; zeros otherwise, as the
    /// untouched union of a fresh handle reads.
    pub(crate) fn vers(&self) -> (u32, u32) {
        match self.detail {
            Detail::Vers { low, high } => (low, high),
            _ => (0, 0),
        }
    }

    /// `clnt_sperror(client, prefix)` without its newline.
    pub(crate) fn sperror(&self, prefix: &str) -> String {
        let mut s = format!("{prefix}: {}", self.stat.message());
        match (self.stat, self.detail) {
            (Stat::CantSend | Stat::CantRecv, Detail::Errno(e)) => {
                s += &format!("; errno = {}", strerror(e));
            }
            (Stat::VersMismatch | Stat::ProgVersMismatch, Detail::Vers { low, high }) => {
                s += &format!("; low version = {low}, high version = {high}");
            }
            (Stat::AuthError, Detail::Auth(why)) => s += &format!("; why = {why}"),
            _ => {}
        }
        s
    }
}

impl From<clnt::Error> for RpcErr {
    fn from(e: clnt::Error) -> RpcErr {
        use clnt::Error as E;
        match e {
            E::CantEncodeArgs(_) => RpcErr::new(Stat::CantEncodeArgs),
            E::CantDecodeRes(_) | E::MalformedReply(_) => RpcErr::new(Stat::CantDecodeRes),
            E::CantSend(io) => RpcErr::errno(Stat::CantSend, io.raw_os_error().unwrap_or(EPIPE)),
            E::CantRecv(io) => {
                RpcErr::errno(Stat::CantRecv, io.raw_os_error().unwrap_or(ECONNRESET))
            }
            E::TimedOut => RpcErr::new(Stat::TimedOut),
            E::VersMismatch { low, high } => {
                RpcErr { stat: Stat::VersMismatch, detail: Detail::Vers { low, high } }
            }
            E::AuthError(why) => RpcErr { stat: Stat::AuthError, detail: Detail::Auth(why) },
            E::ProgUnavail => RpcErr::new(Stat::ProgUnavail),
            E::ProgVersMismatch { low, high } => {
                RpcErr { stat: Stat::ProgVersMismatch, detail: Detail::Vers { low, high } }
            }
            E::ProcUnavail => RpcErr::new(Stat::ProcUnavail),
            E::CantDecodeArgs => RpcErr::new(Stat::CantDecodeArgs),
            E::SystemError => RpcErr::new(Stat::SystemError),
            E::UnknownHost(_) => RpcErr::new(Stat::UnknownHost),
            E::ProgNotRegistered => RpcErr::new(Stat::ProgNotRegistered),
            _ => RpcErr::new(Stat::Failed),
        }
    }
}

/// Why a client handle could not be made: `rpc_createerr`, a status and
/// the call error behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CreateErr {
    pub(crate) stat: Stat,
    pub(crate) cause: RpcErr,
}

impl CreateErr {
    /// A creation error with no further cause.
    pub(crate) fn new(stat: Stat) -> CreateErr {
        CreateErr { stat, cause: RpcErr::new(stat) }
    }

    /// `RPC_SYSTEMERROR` from a socket operation that failed.
    pub(crate) fn system(e: &io::Error) -> CreateErr {
        CreateErr::errno(e.raw_os_error().unwrap_or(EPIPE))
    }

    /// `RPC_SYSTEMERROR` with `errno`.
    pub(crate) fn errno(errno: i32) -> CreateErr {
        CreateErr { stat: Stat::SystemError, cause: RpcErr::errno(Stat::SystemError, errno) }
    }

    /// The status of a call that failed while making the handle.
    pub(crate) fn call(cause: RpcErr) -> CreateErr {
        CreateErr { stat: cause.stat, cause }
    }

    /// `clnt_spcreateerror(prefix)` without its newline.
    pub(crate) fn spcreateerror(&self, prefix: &str) -> String {
        let mut s = format!("{prefix}: {}", self.stat.message());
        match self.stat {
            Stat::PmapFailure => {
                let inner = self.cause.stat.message();
                s += " - ";
                s += inner.strip_prefix("RPC: ").unwrap_or(inner);
                if let (Stat::CantSend | Stat::CantRecv, Detail::Errno(e)) =
                    (self.cause.stat, self.cause.detail)
                {
                    s += &format!(": errno {e} ({})", strerror(e));
                }
            }
            Stat::SystemError => {
                if let Detail::Errno(e) = self.cause.detail {
                    s += &format!(" - {}", strerror(e));
                }
            }
            _ => {}
        }
        s
    }
}

/// The C library's text for `errno`.
pub(crate) fn strerror(errno: i32) -> String {
    let text = io::Error::from_raw_os_error(errno).to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// rpcinfo ends early with exit status 1; what it had to say is already
/// written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exit;

/// What every mode returns.
pub(crate) type Outcome = Result<(), Exit>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_errors_read_like_clnt_sperror() {
        let e = RpcErr::errno(Stat::CantRecv, 111);
        assert_eq!(
            e.sperror("rpcinfo"),
            "rpcinfo: RPC: Unable to receive; errno = Connection refused"
        );
        let e = RpcErr { stat: Stat::ProgVersMismatch, detail: Detail::Vers { low: 2, high: 4 } };
        assert_eq!(
            e.sperror("rpcinfo"),
            "rpcinfo: RPC: Program/version mismatch; low version = 2, high version = 4"
        );
        assert_eq!(RpcErr::new(Stat::TimedOut).sperror("x"), "x: RPC: Timed out");
    }

    #[test]
    fn creation_errors_read_like_clnt_spcreateerror() {
        assert_eq!(
            CreateErr::errno(2).spcreateerror("rpcinfo"),
            "rpcinfo: RPC: Remote system error - No such file or directory"
        );
        assert_eq!(
            CreateErr::call(RpcErr::errno(Stat::CantRecv, 111)).spcreateerror("h"),
            "h: RPC: Unable to receive"
        );
        let pmap = CreateErr { stat: Stat::PmapFailure, cause: RpcErr::errno(Stat::CantRecv, 111) };
        assert_eq!(
            pmap.spcreateerror("h"),
            "h: RPC: Port mapper failure - Unable to receive: errno 111 (Connection refused)"
        );
        assert_eq!(
            CreateErr::new(Stat::N2AxlateFailure).spcreateerror("p"),
            "p: RPC: (unknown error code)"
        );
    }
}
