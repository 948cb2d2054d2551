//! What the call logic needs from a connection.

use std::io;
use std::time::{Duration, Instant};

use crate::waiters::Waiters;

/// A connection carrying calls: streams frame them with record marks,
/// datagrams send each call as one datagram and may need resending.
pub(crate) trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends one call. `message` starts with four bytes reserved for a
    /// record mark, followed by the call itself.
    fn send(&self, message: &mut [u8]) -> io::Result<()>;

    /// Queues one call to leave with the next send or [`Transport::flush`],
    /// so that many calls share one write. Datagram transports send at once.
    fn send_deferred(&self, message: &mut [u8]) -> io::Result<()> {
        self.send(message)
    }

    /// Writes every queued call.
    fn flush(&self) -> io::Result<()> {
        Ok(())
    }

    /// Reads once, waiting at most until `until`, and returns the complete
    /// replies that arrived (none when the time ran out). Only the call
    /// holding the reader's turn (see [`Waiters`]) calls this.
    fn receive(&self, until: Instant) -> io::Result<Vec<Vec<u8>>>;

    /// True when lost calls must be resent (datagrams).
    fn resends(&self) -> bool;

    /// The calls waiting for replies.
    fn waiters(&self) -> &Waiters;
}

/// The socket read timeout last set, so that a read sets it again only
/// when it must: a system call per read is measurable on large replies.
#[derive(Debug, Default)]
pub(crate) struct ReadTimeout {
    current: Option<Duration>,
}

impl ReadTimeout {
    /// The timeout to set for a read that must end by `until`, or `None`
    /// when the current one serves: it is not longer than the time left
    /// (plus an eighth of it, or a millisecond, as slack), nor shorter than
    /// half of it (a read that ends early is only read again).
    pub(crate) fn update(&mut self, until: Instant) -> Option<Duration> {
        // A zero timeout would mean "block forever" to the socket API.
        let left = until.saturating_duration_since(Instant::now()).max(Duration::from_micros(100));
        let slack = (left / 8).max(Duration::from_millis(1));
        match self.current {
            Some(current) if current <= left + slack && current >= left / 2 => None,
            _ => {
                self.current = Some(left);
                Some(left)
            }
        }
    }
}

/// True for the errors a read that timed out returns.
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}
