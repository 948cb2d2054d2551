//! What the call logic needs from a connection.

use std::io;

use crate::demux::Demux;

/// A connection carrying calls: streams frame them with record marks,
/// datagrams send each call as one datagram and may need resending.
pub(crate) trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends one call. `message` starts with four bytes reserved for a
    /// record mark, followed by the call itself.
    fn send(&self, message: &mut [u8]) -> io::Result<()>;

    /// True when lost calls must be resent (datagrams).
    fn resends(&self) -> bool;

    /// The table replies are routed through.
    fn demux(&self) -> &Demux;
}
