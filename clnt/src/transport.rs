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

/// The socket read timeout for a read that must end by `until` (a zero
/// timeout would mean "block forever" to the socket API).
pub(crate) fn read_timeout(until: Instant) -> Duration {
    until.saturating_duration_since(Instant::now()).max(Duration::from_micros(100))
}

/// True for the errors a read that timed out returns.
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}
