//! [`Error`]: why a call failed, each with the `errno` the C interface
//! reports.

use std::path::PathBuf;

use oncrpc::clnt;
use rustix::io::Errno;

use crate::proto::names::DpcStatus;

/// Why `regist`, `uregist` or `kill_d` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No registered process has this pid_d.
    #[error("no registered process has this pid_d")]
    Unknown,
    /// The pid_d belongs to another node or process.
    #[error("the pid_d is registered to another node or process")]
    Mismatch,
    /// The caller may not do this: `kill(2)`'s rule, or not its own pid_d.
    #[error("permission denied")]
    Permission,
    /// The process has exited.
    #[error("the process has exited")]
    Gone,
    /// Not a signal number (0 to 31, 34 to 64: glibc keeps 32 and 33).
    #[error("invalid signal number")]
    BadSignal,
    /// The target's node daemon did not answer in time.
    #[error("the target's node daemon is unreachable")]
    NodeUnreachable,
    /// The name server did not answer in time.
    #[error("the name server is unreachable")]
    NamesUnreachable,
    /// The name server could not store the change; nothing changed.
    #[error("the name server could not store the change")]
    StoreFailed,
    /// The call came over the network where only the local socket is
    /// accepted.
    #[error("the call must come over the node daemon's local socket")]
    NotLocal,
    /// A limit of this node's daemon was reached (registrations in all or
    /// of this user, open files); nothing changed.
    #[error("a limit of this node's daemon was reached")]
    Limit,
    /// A result union's default arm carried `DPC_OK` (only a local
    /// program can build one: the wire form of `DPC_OK` is the result).
    #[error("a status of DPC_OK where a failure was expected")]
    NotAFailure,
    /// This node's daemon could not be reached or did not answer.
    #[error("cannot reach this node's dpc daemon at {}: {source}", path.display())]
    Daemon {
        /// The daemon's local socket.
        path: PathBuf,
        /// What the call ended in.
        source: clnt::Error,
    },
}

impl Error {
    /// The error of a status other than `DPC_OK`; `None` for `DPC_OK`.
    pub fn from_status(status: DpcStatus) -> Option<Error> {
        Some(match status {
            DpcStatus::DpcOk => return None,
            DpcStatus::DpcUnknown => Error::Unknown,
            DpcStatus::DpcMismatch => Error::Mismatch,
            DpcStatus::DpcPermission => Error::Permission,
            DpcStatus::DpcGone => Error::Gone,
            DpcStatus::DpcBadSignal => Error::BadSignal,
            DpcStatus::DpcNodeUnreachable => Error::NodeUnreachable,
            DpcStatus::DpcNamesUnreachable => Error::NamesUnreachable,
            DpcStatus::DpcStoreFailed => Error::StoreFailed,
            DpcStatus::DpcNotLocal => Error::NotLocal,
            DpcStatus::DpcLimit => Error::Limit,
        })
    }

    /// The error of the status in a result union's default arm.
    pub fn failure(status: DpcStatus) -> Error {
        Error::from_status(status).unwrap_or(Error::NotAFailure)
    }

    /// `Ok` for `DPC_OK`, else the status's error.
    pub fn check(status: DpcStatus) -> Result<(), Error> {
        Error::from_status(status).map_or(Ok(()), Err)
    }

    /// The `errno` the C interface sets for this error: `ESRCH` for an
    /// unknown pid_d or a process that exited (as `kill(2)`), `EPERM`
    /// (including another process's pid_d given to `uregist`), `EINVAL` for
    /// a bad signal or an entry the name server holds otherwise,
    /// `EHOSTUNREACH` for the target's node, `EHOSTDOWN` for the name
    /// server, `ECONNREFUSED` when this node's daemon is not running,
    /// `ETIMEDOUT` when it did not answer in time, `ECONNRESET` when it
    /// closed the connection before answering, `EAGAIN` when a limit of
    /// the daemon was reached, `EIO` when the name
    /// server could not store a change, `EPROTO` otherwise.
    pub fn errno(&self) -> i32 {
        let errno = match self {
            Error::Unknown | Error::Gone => Errno::SRCH,
            Error::Permission => Errno::PERM,
            Error::Mismatch | Error::BadSignal => Errno::INVAL,
            Error::NodeUnreachable => Errno::HOSTUNREACH,
            Error::NamesUnreachable => Errno::HOSTDOWN,
            Error::StoreFailed => Errno::IO,
            Error::Limit => Errno::AGAIN,
            Error::NotLocal | Error::NotAFailure => Errno::PROTO,
            Error::Daemon { source, .. } => match source {
                clnt::Error::CantSend(_) => Errno::CONNREFUSED,
                clnt::Error::TimedOut => Errno::TIMEDOUT,
                clnt::Error::CantRecv(_) => Errno::CONNRESET,
                _ => Errno::PROTO,
            },
        };
        errno.raw_os_error()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_status_has_its_own_error_and_ok_has_none() {
        assert!(Error::from_status(DpcStatus::DpcOk).is_none());
        assert!(matches!(Error::check(DpcStatus::DpcPermission), Err(Error::Permission)));
        assert_eq!(Error::Unknown.errno(), Errno::SRCH.raw_os_error());
        assert_eq!(Error::NodeUnreachable.errno(), Errno::HOSTUNREACH.raw_os_error());
        assert_ne!(Error::NamesUnreachable.errno(), Error::NodeUnreachable.errno());
    }
}
