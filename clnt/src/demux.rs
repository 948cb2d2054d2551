//! Routing replies to the calls waiting for them, by xid.
//!
//! Each call registers its xid before sending and waits on its own channel;
//! the connection's reader hands every reply to [`Demux::deliver`]. Replies
//! for xids nobody waits for (strays, duplicates, replies to calls that
//! timed out) are dropped. A failed connection fails every waiting call.

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// What a waiting call receives: the reply message, or why none will come.
pub(crate) type ReplyResult = Result<Vec<u8>, io::Error>;

#[derive(Debug, Default)]
struct State {
    waiting: HashMap<u32, SyncSender<ReplyResult>>,
    /// Set once the connection has failed: (kind, message).
    failed: Option<(io::ErrorKind, String)>,
}

/// The table of calls waiting for replies on one connection.
#[derive(Debug, Default)]
pub(crate) struct Demux {
    state: Mutex<State>,
}

impl Demux {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a call; its reply (or the connection's failure) arrives on
    /// the returned channel.
    pub(crate) fn register(&self, xid: u32) -> Result<Receiver<ReplyResult>, io::Error> {
        let mut state = self.lock();
        if let Some((kind, message)) = &state.failed {
            return Err(io::Error::new(*kind, message.clone()));
        }
        let (tx, rx) = sync_channel(1);
        state.waiting.insert(xid, tx);
        Ok(rx)
    }

    /// Forgets a call that stopped waiting (timed out or failed to send).
    pub(crate) fn cancel(&self, xid: u32) {
        self.lock().waiting.remove(&xid);
    }

    /// Hands a reply to its caller; returns false when nobody waits for it.
    pub(crate) fn deliver(&self, reply: Vec<u8>) -> bool {
        let Some(xid) = rpc::msg::peek_xid(&reply) else { return false };
        let waiter = self.lock().waiting.remove(&xid);
        match waiter {
            Some(tx) => tx.try_send(Ok(reply)).is_ok(),
            None => {
                log::debug!("dropping reply for unknown xid {xid:#010x}");
                false
            }
        }
    }

    /// Fails every waiting call and every later registration.
    pub(crate) fn fail_all(&self, error: &io::Error) {
        let mut state = self.lock();
        state.failed.get_or_insert_with(|| (error.kind(), error.to_string()));
        for (_, tx) in state.waiting.drain() {
            let _ = tx.try_send(Err(io::Error::new(error.kind(), error.to_string())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_reach_their_own_caller_and_strays_are_dropped() {
        let demux = Demux::default();
        let a = demux.register(1).unwrap();
        let b = demux.register(2).unwrap();
        assert!(demux.deliver(vec![0, 0, 0, 2, 9]));
        assert!(!demux.deliver(vec![0, 0, 0, 2, 9]), "duplicate must be dropped");
        assert!(!demux.deliver(vec![0, 0, 0, 7]), "stray must be dropped");
        assert!(demux.deliver(vec![0, 0, 0, 1]));
        assert_eq!(a.recv().unwrap().unwrap(), [0, 0, 0, 1]);
        assert_eq!(b.recv().unwrap().unwrap(), [0, 0, 0, 2, 9]);
    }

    #[test]
    fn failure_reaches_every_caller_and_later_ones() {
        let demux = Demux::default();
        let a = demux.register(1).unwrap();
        demux.fail_all(&io::Error::new(io::ErrorKind::ConnectionReset, "reset"));
        assert_eq!(a.recv().unwrap().unwrap_err().kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(demux.register(2).unwrap_err().kind(), io::ErrorKind::ConnectionReset);
    }

    #[test]
    fn cancelled_call_gets_nothing() {
        let demux = Demux::default();
        let a = demux.register(1).unwrap();
        demux.cancel(1);
        assert!(!demux.deliver(vec![0, 0, 0, 1]));
        assert!(a.try_recv().is_err());
    }
}
