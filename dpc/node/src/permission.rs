//! `kill(2)`'s permission rule, applied to the uid a caller claims: the
//! sender is root, or its uid is the target's real or saved uid (read from
//! `/proc/PID/status`, [`crate::procfs::uids`]).

use crate::procfs::Uids;

/// True when a sender with uid `sender` may signal a process with `target`'s
/// ids: `kill(2)`'s rule for unprivileged senders, root allowed everything.
pub(crate) fn may_signal(sender: u32, target: &Uids) -> bool {
    sender == 0 || sender == target.real || sender == target.saved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kill_rule_real_or_saved_uid_or_root() {
        let target = Uids { real: 1000, effective: 0, saved: 1001 };
        assert!(may_signal(0, &target));
        assert!(may_signal(1000, &target));
        assert!(may_signal(1001, &target));
        assert!(!may_signal(65534, &target));
        // The effective uid does not count: a process that dropped its
        // effective uid to 2000 is not 2000's to signal.
        assert!(!may_signal(2000, &Uids { real: 1000, effective: 2000, saved: 1000 }));
    }
}
