//! The startup recovery: the name server's entries for this node are taken
//! back. An entry whose process still runs - its pid alive with the
//! recorded start time - is watched again (and may be signalled and
//! unregistered as if it had registered through this daemon); any other
//! is unregistered. A pid reused while no daemon watched it, by a process
//! that started at another time, is thus never adopted: its stale entry
//! goes. A stop ([`crate::cleanup::Cleanup::stop`]) ends the recovery
//! between two pages.

use std::fmt;
use std::sync::Arc;

use dpc::proto::names::{DPC_LIST_MAX, DpcEntry, DpcListArgs, PidD};
use rustix::io::Errno;

use crate::connections::Unreachable;
use crate::registry::{Registered, open_live};
use crate::state::State;

/// The most pages read (each of up to `DPC_LIST_MAX` entries): a bound
/// against a name server that never ends its table.
const MAX_PAGES: usize = 1 << 16;

/// What a recovery found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Recovered {
    /// Live processes watched again.
    pub(crate) live: usize,
    /// Entries to unregister: their process is gone (its pid free, or
    /// another process's).
    pub(crate) dead: usize,
}

impl fmt::Display for Recovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} live processes watched again, {} dead ones to unregister",
            self.live, self.dead
        )
    }
}

/// Lists the name server's table and takes back this node's entries.
pub(crate) fn recover(state: &State) -> Result<Recovered, Unreachable> {
    let mut found = Recovered::default();
    let mut after: PidD = 0;
    for _ in 0..MAX_PAGES {
        if state.cleanup.stopping() {
            log::info!("recovery cut short: the daemon is stopping");
            return Ok(found);
        }
        let page = state.names.list(&DpcListArgs { after, max: DPC_LIST_MAX })?;
        for entry in page.entries.iter().filter(|e| e.id > after && e.node == state.node) {
            take_back(state, entry, &mut found);
        }
        match page.entries.last() {
            Some(last) if page.more && last.id > after => after = last.id,
            _ => return Ok(found),
        }
    }
    log::warn!("recovery stopped after {MAX_PAGES} pages of the name server's table");
    Ok(found)
}

fn take_back(state: &State, entry: &DpcEntry, found: &mut Recovered) {
    if state.registry.contains(entry.id) {
        return;
    }
    let (id, pid) = (entry.id, entry.pid);
    let mut gone = || {
        found.dead += 1;
        state.cleanup.push(entry.clone());
    };
    let live = match open_live(pid) {
        Ok(live) => live,
        Err(Errno::SRCH) => return gone(),
        Err(e) => return log::warn!("cannot watch pid {pid} of pid_d {id}: {e}"),
    };
    if live.started != entry.started {
        log::warn!(
            "pid_d {id}: pid {pid} is another process now (started at {}, not {}): stale",
            live.started,
            entry.started
        );
        return gone();
    }
    let registered = Registered {
        pid,
        started: live.started,
        uid: live.uids.effective,
        pidfd: Arc::new(live.pidfd),
    };
    match state.registry.insert(entry.id, registered) {
        Ok(()) => found.live += 1,
        Err(_) => log::warn!("registry full: pid_d {id} not watched"),
    }
}
