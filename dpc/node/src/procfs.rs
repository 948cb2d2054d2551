//! What `/proc` says of a process: its user ids (`/proc/PID/status`) and
//! its start time (`/proc/PID/stat`). Both name the process that has the
//! pid at the moment of the read: a caller that holds a pidfd checks that
//! it is still running afterwards to know the read was of its process.

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
    parsed(pid, "status", parse_uids)
}

/// The start time of process `pid` (clock ticks after boot): with the
/// pid, it names one process until the node reboots. `NotFound` once it
/// is gone.
pub(crate) fn started(pid: i32) -> io::Result<u64> {
    parsed(pid, "stat", parse_started)
}

/// `/proc/PID/FILE` read and parsed by `parse`; `InvalidData` when it
/// does not parse.
fn parsed<T>(pid: i32, file: &str, parse: fn(&str) -> Option<T>) -> io::Result<T> {
    // One read for the whole file (at most a few KiB), not a growing
    // buffer's many: the kernel formats the file anew at every read.
    let mut text = String::with_capacity(4096);
    std::fs::File::open(format!("/proc/{pid}/{file}"))?.read_to_string(&mut text)?;
    parse(&text).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("bad {file}")))
}

/// The `Uid:` line of a status file: real, effective, saved, fs.
fn parse_uids(status: &str) -> Option<Uids> {
    let line = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    let mut ids = line.split_whitespace().map(str::parse::<u32>);
    let mut next = || ids.next()?.ok();
    Some(Uids { real: next()?, effective: next()?, saved: next()? })
}

/// Field 22 of a stat line, `starttime`. The command name (field 2, in
/// parentheses) may hold spaces and parentheses itself, so the fields
/// are counted after the last `)`, where field 3 starts.
fn parse_started(stat: &str) -> Option<u64> {
    let (_, fields) = stat.rsplit_once(')')?;
    fields.split_whitespace().nth(22 - 3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uid_line_is_read_in_order() {
        let status = "Name:\tsh\nUmask:\t0022\nUid:\t1000\t0\t1001\t0\nGid:\t5\t5\t5\t5\n";
        assert_eq!(parse_uids(status), Some(Uids { real: 1000, effective: 0, saved: 1001 }));
        assert_eq!(parse_uids("Name:\tsh\n"), None);
        assert_eq!(parse_uids("Uid:\t1000\tx\t1\t1\n"), None);
        assert_eq!(parse_uids("Uid:\t1000\n"), None);
    }

    /// A stat line of a process called `comm`, started at tick 4242.
    fn stat(comm: &str) -> String {
        format!(
            "77 ({comm}) S 1 77 77 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 4242 \
             2240512 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        )
    }

    #[test]
    fn the_start_time_is_counted_after_the_last_parenthesis() {
        for comm in ["sleep", "a) b (c", ") 1 2 3 4 5 (", "x)", "", "((()))"] {
            assert_eq!(parse_started(&stat(comm)), Some(4242), "{comm:?}");
        }
        assert_eq!(parse_started("77 (sleep S 1 2 3"), None, "no closing parenthesis");
        assert_eq!(parse_started("77 (sleep) S 1 77"), None, "too short");
        assert_eq!(parse_started(&stat("x").replace(" 4242 ", " -1 ")), None);
    }

    #[test]
    fn this_process_is_readable() {
        let me = std::process::id() as i32;
        let ids = uids(me).unwrap();
        assert_eq!(ids.effective, rustix::process::geteuid().as_raw());
        let mine = started(me).unwrap();
        assert_eq!(started(me).unwrap(), mine, "the same process, the same time");
        let mut child = std::process::Command::new("sleep").arg("10").spawn().unwrap();
        let theirs = started(child.id() as i32).unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(theirs >= mine, "a child starts later");
    }
}
