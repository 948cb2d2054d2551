//! Calls waiting for replies on one connection, and who reads the socket.
//!
//! There is no reader thread. A waiting call that finds nobody reading
//! becomes the reader: it reads the socket itself, files every reply it
//! finds under its xid, and wakes the others. A lone sequential caller thus
//! reads its own reply with no thread hop, and under load one read serves
//! many calls. Replies for xids nobody waits for (strays, duplicates, late
//! replies to calls that timed out) are dropped.

use std::collections::HashMap;
use std::io;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// Where a call stands.
#[derive(Debug)]
enum Slot {
    Waiting,
    Ready(Vec<u8>),
}

#[derive(Debug, Default)]
struct State {
    slots: HashMap<u32, Slot>,
    reader_busy: bool,
    /// Calls blocked on the condition variable (a wake-up is a system call:
    /// skip it when nobody sleeps).
    sleepers: usize,
    /// Set once the connection has failed: (kind, message).
    failed: Option<(io::ErrorKind, String)>,
}

/// What a waiting call may do when nothing has arrived for it.
pub(crate) enum Turn {
    /// Its reply, or the connection's failure.
    Done(io::Result<Vec<u8>>),
    /// Nobody is reading: this call must read, then call [`Waiters::finish_read`].
    Read,
    /// The deadline passed with no reply.
    TimedOut,
}

/// The table of calls waiting for replies on one connection.
#[derive(Debug, Default)]
pub(crate) struct Waiters {
    state: Mutex<State>,
    wake: Condvar,
}

fn failure(failed: &(io::ErrorKind, String)) -> io::Error {
    io::Error::new(failed.0, failed.1.clone())
}

impl Waiters {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a call before it is sent.
    pub(crate) fn register(&self, xid: u32) -> io::Result<()> {
        let mut state = self.lock();
        if let Some(failed) = &state.failed {
            return Err(failure(failed));
        }
        state.slots.insert(xid, Slot::Waiting);
        Ok(())
    }

    /// Forgets a call that stopped waiting.
    pub(crate) fn cancel(&self, xid: u32) {
        self.lock().slots.remove(&xid);
    }

    /// Waits until the call's reply is in, the call must read the socket,
    /// or `until` passes.
    pub(crate) fn next_turn(&self, xid: u32, until: Instant) -> Turn {
        let mut state = self.lock();
        loop {
            if let Some(Slot::Ready(_)) = state.slots.get(&xid) {
                if let Some(Slot::Ready(reply)) = state.slots.remove(&xid) {
                    return Turn::Done(Ok(reply));
                }
            }
            if let Some(failed) = &state.failed {
                let error = failure(failed);
                state.slots.remove(&xid);
                return Turn::Done(Err(error));
            }
            let now = Instant::now();
            if now >= until {
                return Turn::TimedOut;
            }
            if !state.reader_busy {
                state.reader_busy = true;
                return Turn::Read;
            }
            state.sleepers += 1;
            state = self.wake.wait_timeout(state, until - now).unwrap_or_else(|e| e.into_inner()).0;
            state.sleepers -= 1;
        }
    }

    /// Takes the call's reply, or the connection's failure, if either is
    /// in; never waits and never reads.
    pub(crate) fn peek(&self, xid: u32) -> Option<io::Result<Vec<u8>>> {
        let mut state = self.lock();
        if let Some(Slot::Ready(_)) = state.slots.get(&xid) {
            if let Some(Slot::Ready(reply)) = state.slots.remove(&xid) {
                return Some(Ok(reply));
            }
        }
        let error = failure(state.failed.as_ref()?);
        state.slots.remove(&xid);
        Some(Err(error))
    }

    /// Takes the reader's turn if nobody holds it; the caller must then
    /// read and call [`Waiters::finish_read`].
    pub(crate) fn try_read_turn(&self) -> bool {
        let mut state = self.lock();
        !std::mem::replace(&mut state.reader_busy, true)
    }

    /// Sleeps until another caller's read ends, [`Waiters::nudge`] is
    /// called, or `until` passes.
    pub(crate) fn nap(&self, until: Instant) {
        let mut state = self.lock();
        let left = until.saturating_duration_since(Instant::now());
        if state.failed.is_some() || left.is_zero() {
            return;
        }
        state.sleepers += 1;
        state = self.wake.wait_timeout(state, left).unwrap_or_else(|e| e.into_inner()).0;
        state.sleepers -= 1;
    }

    /// Wakes every sleeping caller so that it looks at its calls again.
    pub(crate) fn nudge(&self) {
        if self.lock().sleepers > 0 {
            self.wake.notify_all();
        }
    }

    /// Ends a read: files the replies read (or the connection's failure)
    /// and wakes the other calls, one of which will read next.
    pub(crate) fn finish_read(&self, result: io::Result<Vec<Vec<u8>>>) {
        let mut state = self.lock();
        state.reader_busy = false;
        match result {
            Ok(replies) => {
                for reply in replies {
                    file(&mut state, reply);
                }
            }
            Err(e) => {
                state.failed.get_or_insert_with(|| (e.kind(), e.to_string()));
            }
        }
        let sleepers = state.sleepers > 0;
        drop(state);
        if sleepers {
            self.wake.notify_all();
        }
    }

    /// Fails every call, now and later (a write failed).
    pub(crate) fn fail_all(&self, error: &io::Error) {
        let mut state = self.lock();
        state.failed.get_or_insert_with(|| (error.kind(), error.to_string()));
        let sleepers = state.sleepers > 0;
        drop(state);
        if sleepers {
            self.wake.notify_all();
        }
    }
}

/// Files one reply under its xid if a call waits for it.
fn file(state: &mut State, reply: Vec<u8>) {
    let Some(xid) = rpc::msg::peek_xid(&reply) else { return };
    match state.slots.get_mut(&xid) {
        Some(slot @ Slot::Waiting) => *slot = Slot::Ready(reply),
        _ => log::debug!("dropping reply for xid {xid:#010x}: no call waits for it"),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn soon() -> Instant {
        Instant::now() + Duration::from_millis(50)
    }

    #[test]
    fn the_first_waiter_reads_and_replies_reach_their_own_call() {
        let w = Waiters::default();
        w.register(1).unwrap();
        w.register(2).unwrap();
        assert!(matches!(w.next_turn(1, soon()), Turn::Read));
        // Call 2 finds a reader busy and times out waiting.
        assert!(matches!(w.next_turn(2, soon()), Turn::TimedOut));
        w.finish_read(Ok(vec![vec![0, 0, 0, 2, 9], vec![0, 0, 0, 2, 8], vec![0, 0, 0, 7]]));
        assert!(matches!(w.next_turn(2, soon()), Turn::Done(Ok(r)) if r == [0, 0, 0, 2, 9]));
        // Call 1 must read again; its reply arrives.
        assert!(matches!(w.next_turn(1, soon()), Turn::Read));
        w.finish_read(Ok(vec![vec![0, 0, 0, 1]]));
        assert!(matches!(w.next_turn(1, soon()), Turn::Done(Ok(r)) if r == [0, 0, 0, 1]));
    }

    #[test]
    fn failure_reaches_every_call_and_later_ones() {
        let w = Waiters::default();
        w.register(1).unwrap();
        assert!(matches!(w.next_turn(1, soon()), Turn::Read));
        w.finish_read(Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset")));
        assert!(
            matches!(w.next_turn(1, soon()), Turn::Done(Err(e)) if e.kind() == io::ErrorKind::ConnectionReset)
        );
        assert_eq!(w.register(2).unwrap_err().kind(), io::ErrorKind::ConnectionReset);
    }

    #[test]
    fn peek_never_waits_and_the_read_turn_is_exclusive() {
        let w = Waiters::default();
        w.register(5).unwrap();
        assert!(w.peek(5).is_none());
        assert!(w.try_read_turn());
        assert!(!w.try_read_turn());
        w.finish_read(Ok(vec![vec![0, 0, 0, 5, 1]]));
        assert!(matches!(w.peek(5), Some(Ok(r)) if r == [0, 0, 0, 5, 1]));
        assert!(w.peek(5).is_none());
        assert!(w.try_read_turn());
    }

    #[test]
    fn cancelled_call_gets_nothing() {
        let w = Waiters::default();
        w.register(1).unwrap();
        w.cancel(1);
        w.finish_read(Ok(vec![vec![0, 0, 0, 1]]));
        assert!(w.lock().slots.is_empty());
    }
}
