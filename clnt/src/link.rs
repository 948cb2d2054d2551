//! What every handle made from one [`crate::ClientBuilder`] shares: the
//! current connection, the xid counter, the resend and retry policies,
//! and the means to connect again after the connection failed.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock};

use rpc::retransmit::RetransmitPolicy;

use crate::completion::Completions;
use crate::error::Error;
use crate::transport::Transport;

/// One connection (or connected datagram socket).
#[derive(Debug)]
pub(crate) struct Connection {
    pub(crate) transport: Box<dyn Transport>,
}

/// Opens a new connection to the same server.
pub(crate) type Dial = Box<dyn Fn() -> Result<Box<dyn Transport>, Error> + Send + Sync>;

/// The shared state behind every clone of a client.
pub(crate) struct Link {
    current: RwLock<Arc<Connection>>,
    xids: AtomicU32,
    pub(crate) retransmit: RetransmitPolicy,
    /// How many times a call is sent again after an attempt failed.
    pub(crate) retries: u32,
    dial: Option<Dial>,
    pub(crate) completions: Completions,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("current", &self.current)
            .field("retries", &self.retries)
            .field("redials", &self.dial.is_some())
            .finish_non_exhaustive()
    }
}

impl Link {
    /// A link over `transport`; `dial` (when given) replaces a failed one.
    pub(crate) fn new(
        transport: Box<dyn Transport>,
        first_xid: u32,
        retransmit: RetransmitPolicy,
        retries: u32,
        dial: Option<Dial>,
    ) -> Link {
        Link {
            current: RwLock::new(Arc::new(Connection { transport })),
            xids: AtomicU32::new(first_xid),
            retransmit,
            retries,
            dial,
            completions: Completions::default(),
        }
    }

    /// A fresh transaction id.
    pub(crate) fn next_xid(&self) -> u32 {
        self.xids.fetch_add(1, Ordering::Relaxed)
    }

    /// The connection calls go out on now.
    pub(crate) fn current(&self) -> Arc<Connection> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// True when a failed connection can be replaced.
    pub(crate) fn redials(&self) -> bool {
        self.dial.is_some()
    }

    /// Replaces `failed` with a new connection, unless another call did
    /// already; returns the connection to use from now on.
    pub(crate) fn redial(&self, failed: &Arc<Connection>) -> Result<Arc<Connection>, Error> {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if Arc::ptr_eq(&current, failed) {
            let Some(dial) = &self.dial else {
                return Err(Error::CantSend(std::io::Error::other("the connection failed")));
            };
            log::debug!("connection failed; connecting again");
            *current = Arc::new(Connection { transport: dial()? });
        }
        Ok(Arc::clone(&current))
    }
}
