//! [`Registry`]: the processes registered through this node, by pid_d,
//! each with the pidfd that names exactly that process (a pid may be
//! reused once the process is gone; the pidfd never is), and
//! [`open_live`], which holds a process by its pidfd and reads `/proc`
//! of it.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex, MutexGuard};

use dpc::proto::names::PidD;
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags, pidfd_open};

use crate::procfs::{self, Uids};
use crate::wake::Wake;

/// The most processes registered through one node at once.
pub(crate) const MAX_REGISTERED: usize = 65536;

/// A process registered here.
#[derive(Debug, Clone)]
pub(crate) struct Registered {
    /// Its pid.
    pub(crate) pid: i32,
    /// Its start time ([`procfs::started`]), recorded with the pid.
    pub(crate) started: u64,
    /// Its effective uid when it registered.
    pub(crate) uid: u32,
    /// Its pidfd: readable once it exits; signals sent through it reach
    /// this process and no other.
    pub(crate) pidfd: Arc<OwnedFd>,
}

/// A pidfd for process `pid`: `SRCH` when there is no such process (or
/// `pid` is not positive: it may come from the network).
pub(crate) fn open_pidfd(pid: i32) -> Result<OwnedFd, Errno> {
    let pid = if pid > 0 { Pid::from_raw(pid) } else { None };
    pid.ok_or(Errno::SRCH).and_then(|pid| pidfd_open(pid, PidfdFlags::empty()))
}

/// A running process, held by its pidfd, and what `/proc` said of it.
#[derive(Debug)]
pub(crate) struct Live {
    /// Names this process and no other from now on.
    pub(crate) pidfd: OwnedFd,
    /// Its user ids.
    pub(crate) uids: Uids,
    /// Its start time.
    pub(crate) started: u64,
}

/// Process `pid`, held by a pidfd, with its ids and start time: `SRCH`
/// when there is no such process, when `/proc` cannot be read of it, or
/// when it exits meanwhile (the pid's next process may have been read).
pub(crate) fn open_live(pid: i32) -> Result<Live, Errno> {
    let pidfd = open_pidfd(pid)?;
    let read = procfs::uids(pid).and_then(|uids| Ok((uids, procfs::started(pid)?)));
    match read {
        // Still running after /proc was read: what it said was of this process.
        Ok((uids, started)) if !has_exited(&pidfd) => Ok(Live { pidfd, uids, started }),
        Ok(_) => Err(Errno::SRCH),
        Err(e) => {
            log::debug!("pid {pid} is taken for gone: /proc: {e}");
            Err(Errno::SRCH)
        }
    }
}

/// True once the process behind `pidfd` has exited.
pub(crate) fn has_exited(pidfd: &OwnedFd) -> bool {
    let mut fds = [PollFd::new(pidfd, PollFlags::IN)];
    let now = Timespec { tv_sec: 0, tv_nsec: 0 };
    matches!(poll(&mut fds, Some(&now)), Ok(n) if n > 0)
}

/// The registry is full ([`MAX_REGISTERED`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// The processes registered here; every change wakes the exit watcher.
#[derive(Debug)]
pub(crate) struct Registry {
    table: Mutex<HashMap<PidD, Registered>>,
    wake: Wake,
    cap: usize,
    per_user: usize,
}

impl Registry {
    /// An empty registry of at most `cap` processes, `per_user` of them
    /// registered by one uid, that notifies `wake`.
    pub(crate) fn new(wake: Wake, cap: usize, per_user: usize) -> Registry {
        Registry { table: Mutex::new(HashMap::new()), wake, cap, per_user }
    }

    /// True when `uid` may register one more process: neither the
    /// registry nor the user's share of it is full. (A scan: registering
    /// also waits for the name server's fsync, which costs far more.)
    pub(crate) fn has_room_for(&self, uid: u32) -> bool {
        let table = self.table();
        table.len() < self.cap && table.values().filter(|e| e.uid == uid).count() < self.per_user
    }

    fn table(&self) -> MutexGuard<'_, HashMap<PidD, Registered>> {
        self.table.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The exit watcher's wake-up.
    pub(crate) fn wake(&self) -> &Wake {
        &self.wake
    }

    /// Records `id` (replacing nothing: an id already present is kept).
    pub(crate) fn insert(&self, id: PidD, entry: Registered) -> Result<(), Full> {
        {
            let mut table = self.table();
            if table.contains_key(&id) {
                return Ok(());
            }
            if table.len() >= self.cap {
                return Err(Full);
            }
            table.insert(id, entry);
        }
        self.wake.notify();
        Ok(())
    }

    /// True when `id` is registered here.
    pub(crate) fn contains(&self, id: PidD) -> bool {
        self.table().contains_key(&id)
    }

    /// The process registered as `id`.
    pub(crate) fn get(&self, id: PidD) -> Option<Registered> {
        self.table().get(&id).cloned()
    }

    /// Forgets `id` if it is still the process behind `pidfd` (the one
    /// that exited, or that asked to be unregistered).
    pub(crate) fn remove_same(&self, id: PidD, pidfd: &Arc<OwnedFd>) -> Option<Registered> {
        let removed = {
            let mut table = self.table();
            match table.get(&id) {
                Some(entry) if Arc::ptr_eq(&entry.pidfd, pidfd) => table.remove(&id),
                _ => None,
            }
        };
        if removed.is_some() {
            self.wake.notify();
        }
        removed
    }

    /// Every registered process's pidfd, for the watcher to poll.
    pub(crate) fn watched(&self) -> Vec<(PidD, Arc<OwnedFd>)> {
        self.table().iter().map(|(id, e)| (*id, Arc::clone(&e.pidfd))).collect()
    }

    /// How many processes are registered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.table().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Registered {
        let me = std::process::id() as i32;
        Registered { pid: me, started: 1, uid: 0, pidfd: Arc::new(open_pidfd(me).unwrap()) }
    }

    #[test]
    fn bounded_and_exits_remove_only_the_same_process() {
        let registry = Registry::new(Wake::new().unwrap(), 2, 2);
        let (a, b) = (entry(), entry());
        registry.insert(1, a.clone()).unwrap();
        registry.insert(2, b.clone()).unwrap();
        assert!(!registry.has_room_for(0) && !registry.has_room_for(7));
        assert_eq!(registry.insert(3, entry()), Err(Full));
        assert_eq!(registry.insert(1, entry()), Ok(()), "an id already present is kept");
        assert!(registry.remove_same(1, &b.pidfd).is_none(), "another process's pidfd");
        assert!(registry.remove_same(1, &a.pidfd).is_some());
        assert_eq!(registry.watched().len(), 1);
        assert!(registry.remove_same(2, &b.pidfd).is_some());
        assert_eq!(registry.len(), 0);
        assert_eq!(open_pidfd(0).err(), Some(Errno::SRCH));
        assert_eq!(open_pidfd(-5).err(), Some(Errno::SRCH));
    }

    #[test]
    fn a_live_process_is_read_a_dead_one_is_gone() {
        let me = std::process::id() as i32;
        let live = open_live(me).unwrap();
        assert_eq!(live.started, procfs::started(me).unwrap());
        assert_eq!(live.uids, procfs::uids(me).unwrap());
        assert!(!has_exited(&live.pidfd));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id() as i32;
        let pidfd = open_pidfd(pid).unwrap();
        while !has_exited(&pidfd) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        // Not reaped yet: /proc still reads it, but it has exited.
        assert!(procfs::started(pid).is_ok());
        assert_eq!(open_live(pid).err(), Some(Errno::SRCH));
        child.wait().unwrap();
    }
}
