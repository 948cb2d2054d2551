//! The exit watcher: a thread polling the pidfd of every registered
//! process, and the registry's wake-up eventfd (a change to the set, or
//! the daemon stopping). A process that exits is forgotten and owed to
//! the name server's cleanup.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, poll};
use rustix::io::Errno;

use crate::state::State;

/// The pause after `poll` itself fails, so that a persistent error does
/// not spin.
const ERROR_PAUSE: Duration = Duration::from_secs(1);

/// Watches until `stop` is set (and the registry's wake-up notified).
pub(crate) fn run(state: &State, stop: &AtomicBool) {
    while !stop.load(Ordering::Acquire) {
        let watched = state.registry.watched();
        let wake = state.registry.wake();
        let mut fds = Vec::with_capacity(watched.len() + 1);
        fds.push(PollFd::new(wake, PollFlags::IN));
        fds.extend(watched.iter().map(|(_, pidfd)| PollFd::new(&**pidfd, PollFlags::IN)));
        match poll(&mut fds, None) {
            Ok(_) => {}
            Err(Errno::INTR) => continue,
            Err(e) => {
                log::error!("exit watcher: poll failed: {e}");
                std::thread::sleep(ERROR_PAUSE);
                continue;
            }
        }
        let woken = !fds[0].revents().is_empty();
        let exited: Vec<usize> = fds[1..]
            .iter()
            .enumerate()
            .filter(|(_, fd)| !fd.revents().is_empty())
            .map(|(i, _)| i)
            .collect();
        drop(fds);
        if woken {
            wake.drain();
        }
        for (id, pidfd) in exited.into_iter().filter_map(|i| watched.get(i)) {
            if let Some(gone) = state.registry.remove_same(*id, pidfd) {
                log::info!("pid_d {id}: pid {} (uid {}) exited", gone.pid, gone.uid);
                state.cleanup.push(state.entry(*id, &gone));
            }
        }
    }
}
