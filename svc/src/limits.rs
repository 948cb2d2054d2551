//! Resource limits: every one has a default and can be changed.

use std::time::Duration;

use crate::error::Error;

/// Resource limits of a server. Start from [`Limits::default`] and change
/// what you need: `Limits { max_record: 4 << 20, ..Limits::default() }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest call record accepted on a stream transport, in bytes (all
    /// fragments together). A larger record closes the connection before
    /// its bytes are stored. Default 1 MiB + 64 KiB (a 1 MiB argument and
    /// headers fit).
    pub max_record: usize,
    /// Most stream connections open at once. When a new one arrives at the
    /// limit, an idle connection (no call in progress, nothing left to
    /// write) is closed to make room: of the newcomer's transport first,
    /// then one that never sent a call, then the one idle the longest; when
    /// none is idle, the new one is refused. Default 1024.
    pub max_connections: usize,
    /// A stream connection with nothing in progress and no traffic for this
    /// long is closed; `None` keeps idle connections open until room is
    /// needed. Default 5 minutes.
    pub idle_timeout: Option<Duration>,
    /// Most calls of one connection in progress at once (read but not yet
    /// answered). At the limit the server stops reading that connection
    /// until a reply is sent. While a job of calls that run in order
    /// (one-way calls, [`crate::ServerBuilder::in_order`]) executes, as
    /// many more, up to `max_record` bytes of them, may be read and wait
    /// for their turn. Default 128.
    pub max_in_flight_per_connection: usize,
    /// Reply bytes a connection may have waiting to be written before the
    /// server stops reading its calls (a peer that does not read its
    /// replies cannot grow the server's memory). Default 4 MiB.
    pub max_reply_backlog: usize,
    /// Most calls waiting for a worker thread, all connections together.
    /// When the queue is full, the server stops reading new calls until a
    /// worker takes one. Default 1024.
    pub max_queued_calls: usize,
    /// How long a graceful shutdown waits for calls in progress and unsent
    /// replies before closing anyway. Default 5 s.
    pub shutdown_grace: Duration,
}

/// The default [`Limits::max_record`]: 1 MiB of data plus 64 KiB of headers.
pub const DEFAULT_MAX_RECORD: usize = (1 << 20) + (64 << 10);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record: DEFAULT_MAX_RECORD,
            max_connections: 1024,
            idle_timeout: Some(Duration::from_secs(300)),
            max_in_flight_per_connection: 128,
            max_reply_backlog: 4 << 20,
            max_queued_calls: 1024,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

impl Limits {
    /// Checks that no limit forbids all work.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.max_record < 4 {
            return Err(Error::InvalidLimit("max_record must hold a call header"));
        }
        if self.max_connections == 0 {
            return Err(Error::InvalidLimit("max_connections must be at least 1"));
        }
        if self.max_in_flight_per_connection == 0 {
            return Err(Error::InvalidLimit("max_in_flight_per_connection must be at least 1"));
        }
        if self.max_reply_backlog == 0 {
            return Err(Error::InvalidLimit("max_reply_backlog must be at least 1"));
        }
        if self.max_queued_calls == 0 {
            return Err(Error::InvalidLimit("max_queued_calls must be at least 1"));
        }
        if self.idle_timeout == Some(Duration::ZERO) {
            return Err(Error::InvalidLimit("idle_timeout must be positive (or None)"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_zeros_are_not() {
        assert!(Limits::default().validate().is_ok());
        let zero = Limits { max_in_flight_per_connection: 0, ..Limits::default() };
        assert!(zero.validate().is_err());
    }
}
