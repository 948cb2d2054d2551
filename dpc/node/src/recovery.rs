//! The startup recovery: the name server's entries for this node are taken
//! back. A live pid is watched again (and may be signalled and
//! unregistered as if it had registered through this daemon); a dead one
//! is unregistered.
//!
//! A pid reused while no daemon ran is taken for the process that
//! registered: it can only be signalled under `kill(2)`'s rule, and its
//! entry goes when it exits.

use std::fmt;
use std::sync::Arc;

use dpc::proto::names::{DPC_LIST_MAX, DpcEntry, DpcListArgs, PidD};
use rustix::io::Errno;

use crate::connections::Unreachable;
use crate::permission;
use crate::registry::{Registered, open_pidfd};
use crate::state::State;

/// The most pages read (each of up to `DPC_LIST_MAX` entries): a bound
/// against a name server that never ends its table.
const MAX_PAGES: usize = 1 << 16;

/// What a recovery found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Recovered {
    /// Live processes watched again.
    pub(crate) live: usize,
    /// Dead processes to unregister.
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
    let mut gone = || {
        found.dead += 1;
        state.cleanup.push(entry.id, entry.pid);
    };
    let pidfd = match open_pidfd(entry.pid) {
        Ok(pidfd) => pidfd,
        Err(Errno::SRCH) => return gone(),
        Err(e) => return log::warn!("cannot watch pid {} of pid_d {}: {e}", entry.pid, entry.id),
    };
    let Ok(uids) = permission::uids(entry.pid) else { return gone() };
    let registered = Registered { pid: entry.pid, uid: uids.effective, pidfd: Arc::new(pidfd) };
    match state.registry.insert(entry.id, registered) {
        Ok(()) => found.live += 1,
        Err(_) => log::warn!("registry full: pid_d {} not watched", entry.id),
    }
}
