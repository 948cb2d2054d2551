//! [`Wake`]: an eventfd that interrupts the exit watcher's `poll` when the
//! set of registered processes changes or the daemon stops.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::event::{EventfdFlags, eventfd};

/// A counter the watcher polls alongside the pidfds.
#[derive(Debug)]
pub(crate) struct Wake(OwnedFd);

impl Wake {
    /// A non-blocking eventfd.
    pub(crate) fn new() -> io::Result<Wake> {
        Ok(Wake(eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?))
    }

    /// Makes the eventfd readable (a full counter is readable already).
    pub(crate) fn notify(&self) {
        if let Err(e) = rustix::io::write(&self.0, &1u64.to_ne_bytes()) {
            if e != rustix::io::Errno::AGAIN {
                log::error!("cannot wake the exit watcher: {e}");
            }
        }
    }

    /// Resets the counter after a wake-up.
    pub(crate) fn drain(&self) {
        let mut buf = [0u8; 8];
        let _ = rustix::io::read(&self.0, &mut buf);
    }
}

impl AsFd for Wake {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}
