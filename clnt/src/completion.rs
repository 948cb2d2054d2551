//! Replies delivered to callbacks ([`crate::PendingCall::on_reply`]).
//!
//! A client with callbacks outstanding has one completion thread, started
//! with the first callback and ending when none is left. It reads the
//! connection whenever no waiting caller does, resends datagram calls
//! when due, and runs each callback when its call ends (reply, error or
//! timeout). Callbacks run on that thread, one at a time: they should be
//! quick, and hand long work to threads of their own.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::link::Link;

/// A call whose end a callback awaits.
pub(crate) trait Job: Send {
    /// Runs the callback if the call ended; otherwise says when to look
    /// again.
    fn advance(&mut self, link: &Link) -> Option<Instant>;
}

/// The longest the completion thread reads or sleeps before looking at
/// its calls again; bounds how late a callback added meanwhile learns of
/// its timeout or a datagram resend.
const LONGEST_NAP: Duration = Duration::from_millis(50);

#[derive(Default)]
struct Queue {
    submitted: Vec<Box<dyn Job>>,
    running: bool,
}

/// The callbacks waiting for a completion thread to take them.
#[derive(Default)]
pub(crate) struct Completions {
    queue: Mutex<Queue>,
}

impl std::fmt::Debug for Completions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completions").finish_non_exhaustive()
    }
}

impl Completions {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Hands `job` to the link's completion thread, starting it if needed.
pub(crate) fn submit(link: &Arc<Link>, job: Box<dyn Job>) {
    let mut queue = link.completions.lock();
    queue.submitted.push(job);
    if queue.running {
        drop(queue);
        link.current().transport.waiters().nudge();
        return;
    }
    queue.running = true;
    drop(queue);
    let driven = Arc::clone(link);
    let started =
        std::thread::Builder::new().name("rpc-completions".into()).spawn(move || drive(&driven));
    if let Err(e) = started {
        // Without a thread, the callbacks run here as their calls end.
        log::warn!("cannot start a completion thread ({e}); completing on the caller's thread");
        drive(link);
    }
}

/// The completion thread: runs until no callback is left.
fn drive(link: &Link) {
    let mut jobs: Vec<Box<dyn Job>> = Vec::new();
    loop {
        {
            let mut queue = link.completions.lock();
            jobs.append(&mut queue.submitted);
            if jobs.is_empty() {
                queue.running = false;
                return;
            }
        }
        let mut next = Instant::now() + LONGEST_NAP;
        jobs.retain_mut(|job| match job.advance(link) {
            Some(at) => {
                next = next.min(at);
                true
            }
            None => false,
        });
        if jobs.is_empty() {
            continue;
        }
        let conn = link.current();
        // Calls started deferred are answered only once written.
        if let Err(e) = conn.transport.flush() {
            log::debug!("completion thread: cannot write queued calls: {e}");
        }
        let waiters = conn.transport.waiters();
        if waiters.try_read_turn() {
            waiters.finish_read(conn.transport.receive(next));
        } else {
            waiters.nap(next);
        }
    }
}
