//! [`Cleanup`]: what the name server is owed, and the thread that pays it.
//!
//! Processes that exited are unregistered from a bounded set
//! ([`MAX_PENDING`]); while the name server cannot be reached they stay
//! in it and are tried again every [`RETRY_INTERVAL`], so their entries go
//! once it is back. The startup recovery, when the name server could not
//! be reached at start, is retried the same way. A stop ends the work
//! after the name-server call in progress; pending unregistrations are
//! then lost, and the recovery at the daemon's next start removes those
//! entries.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use dpc::proto::names::{DpcEntry, DpcStatus, PidD};

use crate::recovery;
use crate::state::State;

/// The most exited processes waiting to be unregistered; past it the
/// newest are dropped (their entries stay until the next recovery).
pub(crate) const MAX_PENDING: usize = 4096;

/// How long to wait before trying an unreachable name server again.
pub(crate) const RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// The work owed to the name server.
#[derive(Debug, Default)]
pub(crate) struct Cleanup {
    owed: Mutex<Owed>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Owed {
    /// The entries of exited processes to unregister, by id.
    exited: BTreeMap<PidD, DpcEntry>,
    /// The startup recovery is still to be done.
    recover: bool,
    stop: bool,
}

impl Cleanup {
    fn owed(&self) -> MutexGuard<'_, Owed> {
        self.owed.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Owes the name server the removal of `entry`, whose process is gone.
    pub(crate) fn push(&self, entry: DpcEntry) {
        let mut owed = self.owed();
        let id = entry.id;
        if owed.exited.len() >= MAX_PENDING && !owed.exited.contains_key(&id) {
            log::error!("{MAX_PENDING} unregistrations pending: pid_d {id} stays until restart");
            return;
        }
        owed.exited.insert(id, entry);
        self.changed.notify_all();
    }

    /// Owes the name server the startup recovery.
    pub(crate) fn recover_later(&self) {
        self.owed().recover = true;
        self.changed.notify_all();
    }

    /// Ends [`run`] (after the call in progress, if any).
    pub(crate) fn stop(&self) {
        self.owed().stop = true;
        self.changed.notify_all();
    }

    /// True once [`Cleanup::stop`] was called: checked between calls.
    pub(crate) fn stopping(&self) -> bool {
        self.owed().stop
    }

    /// How many unregistrations are pending.
    #[cfg(test)]
    fn pending(&self) -> usize {
        self.owed().exited.len()
    }

    /// The work to do now, after a pause if the last round `failed`;
    /// `None` once stopped.
    fn next(&self, failed: bool) -> Option<(Vec<DpcEntry>, bool)> {
        let mut owed = self.owed();
        if failed {
            let until = Instant::now() + RETRY_INTERVAL;
            loop {
                let now = Instant::now();
                if owed.stop || now >= until {
                    break;
                }
                owed = self.wait(owed, Some(until - now));
            }
        }
        loop {
            if owed.stop {
                return None;
            }
            if owed.recover || !owed.exited.is_empty() {
                let exited = owed.exited.values().cloned().collect();
                return Some((exited, owed.recover));
            }
            owed = self.wait(owed, None);
        }
    }

    fn wait<'a>(
        &self,
        owed: MutexGuard<'a, Owed>,
        limit: Option<Duration>,
    ) -> MutexGuard<'a, Owed> {
        match limit {
            Some(limit) => {
                let waited = self.changed.wait_timeout(owed, limit);
                waited.unwrap_or_else(std::sync::PoisonError::into_inner).0
            }
            None => self.changed.wait(owed).unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    fn paid(&self, id: PidD) {
        self.owed().exited.remove(&id);
    }

    fn recovered(&self) {
        self.owed().recover = false;
    }
}

/// The cleanup thread: pays what is owed until [`Cleanup::stop`].
pub(crate) fn run(state: &State) {
    let cleanup = &state.cleanup;
    let mut failed = false;
    while let Some((exited, recover)) = cleanup.next(failed) {
        failed = false;
        if recover {
            match recovery::recover(state) {
                Ok(found) => {
                    log::info!("recovered: {found}");
                    cleanup.recovered();
                }
                Err(_) => failed = true,
            }
        }
        for entry in exited {
            if failed || cleanup.stopping() {
                break;
            }
            failed = !unregister(state, &entry);
        }
    }
}

/// Unregisters `entry`, whose process exited; false when it is to be
/// tried again.
fn unregister(state: &State, entry: &DpcEntry) -> bool {
    let (id, pid) = (entry.id, entry.pid);
    match state.names.unregister(entry) {
        Ok(DpcStatus::DpcStoreFailed) | Err(_) => return false,
        Ok(DpcStatus::DpcOk) => log::info!("pid_d {id} (pid {pid}) exited: unregistered"),
        Ok(DpcStatus::DpcUnknown) => log::info!("pid_d {id} (pid {pid}) exited: already unknown"),
        // Refused (DPC_PERMISSION, DPC_MISMATCH): the entry stays, and the
        // recovery at the next start, which finds no process of that pid
        // and start time, removes it.
        Ok(status) => log::warn!("pid_d {id} (pid {pid}) exited, stays registered: {status:?}"),
    }
    state.cleanup.paid(id);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use dpc::proto::names::DpcNode;
    use std::sync::Arc;

    #[test]
    fn bounded_and_stoppable() {
        let cleanup = Cleanup::default();
        let node = DpcNode::try_from("127.0.0.1").unwrap();
        for id in 0..(MAX_PENDING as PidD + 10) {
            cleanup.push(DpcEntry { id, node: node.clone(), pid: 1, started: 1 });
        }
        assert_eq!(cleanup.pending(), MAX_PENDING);
        let (work, recover) = cleanup.next(false).unwrap();
        assert_eq!((work.len(), recover), (MAX_PENDING, false));
        cleanup.paid(0);
        assert_eq!(cleanup.pending(), MAX_PENDING - 1);

        let cleanup = Arc::new(Cleanup::default());
        let waiter = {
            let cleanup = Arc::clone(&cleanup);
            std::thread::spawn(move || cleanup.next(true))
        };
        assert!(!cleanup.stopping());
        cleanup.stop();
        assert!(cleanup.stopping());
        assert!(waiter.join().unwrap().is_none(), "a stop ends the pause after a failure");
    }
}
