//! Delivering a signal to a process registered here, for SIGNAL (from
//! another node) and for KILL aimed at this node: the checks both share,
//! then `pidfd_send_signal(2)`, which reaches the registered process and
//! never another that reused its pid.

use dpc::proto::names::DpcStatus;
use dpc::proto::node::DpcSignalArgs;
use rustix::io::Errno;
use rustix::process::{Pid, Signal};
use rustix_libc_wrappers::process::SignalExt;

use crate::registry::{Registry, has_exited};
use crate::{permission, procfs};

/// The highest signal number accepted (Linux's `_NSIG`).
pub(crate) const MAX_SIGNAL: i32 = 64;

/// What signal number `sig` means: `None` for 0 (check only), else the
/// signal. Numbers outside 0..=64, and the two real-time signals the C
/// library keeps for itself (32 and 33 with glibc), are refused.
pub(crate) fn signal_number(sig: i32) -> Result<Option<Signal>, DpcStatus> {
    match sig {
        0 => Ok(None),
        1..=MAX_SIGNAL => Signal::from_raw(sig).map(Some).ok_or(DpcStatus::DpcBadSignal),
        _ => Err(DpcStatus::DpcBadSignal),
    }
}

/// Sends `args.sig` to the process registered here as `args.target`, with
/// pid `args.pid` and start time `args.started`, on behalf of a sender
/// whose uid is `uid`.
pub(crate) fn deliver(registry: &Registry, args: &DpcSignalArgs, uid: u32) -> DpcStatus {
    let &DpcSignalArgs { target, pid, started, sig } = args;
    let signal = match signal_number(sig) {
        Ok(signal) => signal,
        Err(status) => return status,
    };
    // Never signal a process that is not the registered one.
    let Some(entry) = registry.get(target).filter(|e| e.pid == pid && e.started == started) else {
        return DpcStatus::DpcUnknown;
    };
    let Ok(uids) = procfs::uids(pid) else { return DpcStatus::DpcGone };
    // Still running after /proc was read: those were its ids.
    if has_exited(&entry.pidfd) {
        return DpcStatus::DpcGone;
    }
    if !permission::may_signal(uid, &uids) {
        log::info!("uid {uid} may not signal pid_d {target} (pid {pid}, uid {})", uids.real);
        return DpcStatus::DpcPermission;
    }
    let sent = match signal {
        Some(signal) => rustix::process::pidfd_send_signal(&*entry.pidfd, signal),
        // `pid` is the registered process's: positive.
        None => Pid::from_raw(entry.pid.max(0))
            .map_or(Err(Errno::SRCH), rustix::process::test_kill_process),
    };
    match sent {
        Ok(()) => DpcStatus::DpcOk,
        Err(Errno::SRCH) => DpcStatus::DpcGone,
        Err(Errno::PERM) => DpcStatus::DpcPermission,
        Err(e) => {
            log::warn!("cannot send signal {sig} to pid {pid}: {e}");
            DpcStatus::DpcPermission
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_numbers() {
        assert_eq!(signal_number(0), Ok(None));
        assert_eq!(signal_number(10), Ok(Some(Signal::USR1)));
        assert_eq!(signal_number(9), Ok(Some(Signal::KILL)));
        assert!(matches!(signal_number(64), Ok(Some(s)) if s.as_raw() == 64));
        assert!(matches!(signal_number(40), Ok(Some(s)) if s.as_raw() == 40));
        for bad in [-1, 65, i32::MIN, i32::MAX] {
            assert_eq!(signal_number(bad), Err(DpcStatus::DpcBadSignal));
        }
    }
}
