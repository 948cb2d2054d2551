//! A daemon's memory and liveness, read from `/proc/<pid>/status`.

/// Memory figures of a process, in KiB, as `/proc/<pid>/status` gives them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size now (`VmRSS`).
    pub rss_kib: u64,
    /// Peak resident set size (`VmHWM`) since start or the last
    /// [`reset_peak`].
    pub hwm_kib: u64,
    /// Virtual size now (`VmSize`): a gigabyte reserved but never touched
    /// shows here and not in the resident size.
    pub size_kib: u64,
    /// Peak virtual size (`VmPeak`).
    pub peak_kib: u64,
}

/// The memory of process `pid`; `None` when it is gone (or a zombie).
pub fn memory(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].split_whitespace().next()?.parse().ok()
    };
    Some(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
        size_kib: field("VmSize:")?,
        peak_kib: field("VmPeak:")?,
    })
}

/// True while process `pid` exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // pid (comm) STATE ...: the state follows the last parenthesis.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

/// Resets the peak resident size (`VmHWM`) of process `pid` to its
/// current resident size (`clear_refs` 5, Linux 4.0), so that the peak
/// read afterwards is the attack's. False when the kernel refused.
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_has_memory() {
        let me = std::process::id();
        assert!(alive(me));
        let m = memory(me).unwrap_or_default();
        assert!(m.rss_kib > 0 && m.hwm_kib >= m.rss_kib && m.peak_kib >= m.size_kib, "{m:?}");
        assert!(!alive(u32::MAX));
    }
}
