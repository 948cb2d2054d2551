//! `kill(2)`'s permission rule, applied to the uid a caller claims: the
//! sender is root, or its uid is the target's real or saved uid (read from
//! `/proc/PID/status`).

use std::io::{self, Read};

/// A process's user ids, as the `Uid:` line of `/proc/PID/status` lists
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Uids {
    /// Real uid.
    pub(crate) real: u32,
    /// Effective uid.
    pub(crate) effective: u32,
    /// Saved set-user-id.
    pub(crate) saved: u32,
}

/// The user ids of process `pid`; `NotFound` once it is gone.
pub(crate) fn uids(pid: i32) -> io::Result<Uids> {
    // One read for the whole file (about 1.5 KiB), not a growing buffer's
    // many: the kernel formats the file anew at every read.
    let mut status = String::with_capacity(4096);
    std::fs::File::open(format!("/proc/{pid}/status"))?.read_to_string(&mut status)?;
    parse(&status).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no Uid: line"))
}

/// The `Uid:` line of a status file: real, effective, saved, fs.
fn parse(status: &str) -> Option<Uids> {
    let line = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    let mut ids = line.split_whitespace().map(str::parse::<u32>);
    let mut next = || ids.next()?.ok();
    Some(Uids { real: next()?, effective: next()?, saved: next()? })
}

/// True when a sender with uid `sender` may signal a process with `target`'s
/// ids: `kill(2)`'s rule for unprivileged senders, root allowed everything.
pub(crate) fn may_signal(sender: u32, target: &Uids) -> bool {
    sender == 0 || sender == target.real || sender == target.saved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uid_line_is_read_in_order() {
        let status = "Name:\tsh\nUmask:\t0022\nUid:\t1000\t0\t1001\t0\nGid:\t5\t5\t5\t5\n";
        assert_eq!(parse(status), Some(Uids { real: 1000, effective: 0, saved: 1001 }));
        assert_eq!(parse("Name:\tsh\n"), None);
        assert_eq!(parse("Uid:\t1000\tx\t1\t1\n"), None);
        assert_eq!(parse("Uid:\t1000\n"), None);
    }

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

    #[test]
    fn this_process_is_readable() {
        let me = std::process::id() as i32;
        let ids = uids(me).unwrap();
        assert_eq!(ids.effective, rustix::process::geteuid().as_raw());
    }
}
