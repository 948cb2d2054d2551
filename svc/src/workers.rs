//! The worker pool: threads that run procedures off the I/O thread, fed by
//! a bounded queue. Stream replies go back to the I/O thread (which owns
//! the sockets' write side); datagram replies are sent by the worker. A
//! stream job may hold several calls of one connection, run one after the
//! other (a batch of one-way calls).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mio::Waker;
use mio::net::UdpSocket;

use crate::call::{self, Origin};
use crate::duplicate_cache::ReplyCache;
use crate::registry::Registry;

/// A call for a worker.
pub(crate) enum Job {
    /// A call read from a stream connection.
    Stream {
        /// The connection's slot in the event loop.
        slot: usize,
        /// The connection's unique id (slots are reused).
        id: u64,
        /// Who sent it.
        origin: Arc<Origin>,
        /// The call message.
        record: Vec<u8>,
        /// Calls of the same connection to run after it, in order (empty,
        /// hence not allocated, for a single call).
        more: Vec<Vec<u8>>,
    },
    /// A call read from a datagram socket.
    Datagram {
        /// The socket to answer on.
        socket: Arc<UdpSocket>,
        /// Who sent it.
        origin: Origin,
        /// The call message.
        record: Vec<u8>,
    },
}

impl Job {
    /// How many calls the job holds.
    pub(crate) fn calls(&self) -> usize {
        match self {
            Job::Stream { more, .. } => 1 + more.len(),
            Job::Datagram { .. } => 1,
        }
    }
}

/// A stream job's replies for the I/O thread to write.
pub(crate) struct Completion {
    /// The connection's slot.
    pub(crate) slot: usize,
    /// The connection's unique id.
    pub(crate) id: u64,
    /// The framed replies (empty when the calls got none).
    pub(crate) reply: Vec<u8>,
    /// How many calls the job held.
    pub(crate) calls: usize,
}

/// Locks a mutex, carrying on with the data if a thread panicked holding it
/// (the data are kept consistent between operations).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the workers tell the I/O thread, and how they wake it.
pub(crate) struct Mailbox {
    completions: Mutex<Vec<Completion>>,
    /// Set when a worker took a job from a full queue: stalled readers may go on.
    room: AtomicBool,
    waker: Arc<Waker>,
}

impl Mailbox {
    /// A mailbox waking the event loop through `waker`.
    pub(crate) fn new(waker: Arc<Waker>) -> Self {
        Mailbox { completions: Mutex::new(Vec::new()), room: AtomicBool::new(false), waker }
    }

    fn wake(&self) {
        if let Err(e) = self.waker.wake() {
            log::error!("cannot wake the event loop: {e}");
        }
    }

    /// Posts a stream reply; wakes the I/O thread if it had nothing pending.
    fn post(&self, completion: Completion) {
        let was_empty = {
            let mut list = lock(&self.completions);
            let was_empty = list.is_empty();
            list.push(completion);
            was_empty
        };
        if was_empty {
            self.wake();
        }
    }

    /// Moves every posted reply into `into` (which should be empty).
    pub(crate) fn take(&self, into: &mut Vec<Completion>) {
        std::mem::swap(&mut *lock(&self.completions), into);
    }

    /// True (once) after a worker made room in a full queue.
    pub(crate) fn take_room(&self) -> bool {
        self.room.swap(false, Ordering::AcqRel)
    }
}

struct QueueState {
    jobs: VecDeque<Job>,
    closed: bool,
    /// Workers blocked waiting for a job (only they need a notification).
    waiting: usize,
}

/// A bounded multi-consumer job queue.
struct JobQueue {
    state: Mutex<QueueState>,
    ready: Condvar,
    capacity: usize,
}

/// Threads running calls, fed through a bounded queue.
pub(crate) struct WorkerPool {
    queue: Arc<JobQueue>,
    threads: Vec<JoinHandle<()>>,
}

impl WorkerPool {
    /// Starts `count` workers (at least one) with room for `capacity`
    /// waiting jobs, answering duplicates from `cache` if there is one.
    pub(crate) fn start(
        count: usize,
        capacity: usize,
        registry: Arc<Registry>,
        cache: Option<Arc<ReplyCache>>,
        mailbox: Arc<Mailbox>,
    ) -> std::io::Result<Self> {
        let queue = Arc::new(JobQueue {
            state: Mutex::new(QueueState { jobs: VecDeque::new(), closed: false, waiting: 0 }),
            ready: Condvar::new(),
            capacity: capacity.max(1),
        });
        let mut pool = WorkerPool { queue, threads: Vec::new() };
        for i in 0..count.max(1) {
            let (queue, registry, cache, mailbox) = (
                Arc::clone(&pool.queue),
                Arc::clone(&registry),
                cache.clone(),
                Arc::clone(&mailbox),
            );
            let thread = std::thread::Builder::new()
                .name(format!("svc-worker-{i}"))
                .spawn(move || work(&queue, &registry, cache.as_deref(), &mailbox));
            match thread {
                Ok(t) => pool.threads.push(t),
                Err(e) => {
                    pool.close();
                    return Err(e);
                }
            }
        }
        Ok(pool)
    }

    /// Queues a job, or hands it back when the queue is full or closed.
    pub(crate) fn try_submit(&self, job: Job) -> Result<(), Job> {
        let wake = {
            let mut state = lock(&self.queue.state);
            if state.closed || state.jobs.len() >= self.queue.capacity {
                return Err(job);
            }
            state.jobs.push_back(job);
            // Busy workers come back for more on their own: waking costs a
            // system call, so only when one is asleep and no earlier job is
            // still waiting for the one already woken.
            state.waiting > 0 && state.jobs.len() <= state.waiting
        };
        if wake {
            self.queue.ready.notify_one();
        }
        Ok(())
    }

    /// Refuses further jobs; workers finish the queued ones and exit.
    pub(crate) fn close(&self) {
        lock(&self.queue.state).closed = true;
        self.queue.ready.notify_all();
    }

    /// Closes the queue and waits until `deadline` for the workers to
    /// finish; returns false if some were still busy (they are left to
    /// finish on their own).
    pub(crate) fn join(mut self, deadline: Instant) -> bool {
        self.close();
        while self.threads.iter().any(|t| !t.is_finished()) {
            if Instant::now() >= deadline {
                log::warn!("shutdown: worker threads still busy at the deadline; leaving them");
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        for t in self.threads.drain(..) {
            if t.join().is_err() {
                log::error!("a worker thread panicked");
            }
        }
        true
    }
}

/// A worker's loop: take a job, run it, deliver the reply.
fn work(queue: &JobQueue, registry: &Registry, cache: Option<&ReplyCache>, mailbox: &Mailbox) {
    loop {
        let (job, was_full) = {
            let mut state = lock(&queue.state);
            loop {
                if let Some(job) = state.jobs.pop_front() {
                    break (job, state.jobs.len() + 1 == queue.capacity);
                }
                if state.closed {
                    return;
                }
                state.waiting += 1;
                state = queue.ready.wait(state).unwrap_or_else(PoisonError::into_inner);
                state.waiting -= 1;
            }
        };
        if was_full {
            mailbox.room.store(true, Ordering::Release);
            mailbox.wake();
        }
        run(job, registry, cache, mailbox);
    }
}

/// Runs one job.
fn run(job: Job, registry: &Registry, cache: Option<&ReplyCache>, mailbox: &Mailbox) {
    match job {
        Job::Stream { slot, id, origin, record, more } => {
            let calls = 1 + more.len();
            let mut reply = Vec::with_capacity(128);
            for record in std::iter::once(record).chain(more) {
                // A garbage header was screened out on the I/O thread;
                // should one slip through, it just gets no reply.
                let _ = call::handle(registry, cache, &origin, &record, &mut reply, true);
            }
            mailbox.post(Completion { slot, id, reply, calls });
        }
        Job::Datagram { socket, origin, record } => {
            let mut reply = Vec::with_capacity(128);
            let outcome = call::handle(registry, cache, &origin, &record, &mut reply, false);
            if outcome == call::Outcome::Replied {
                if let crate::PeerAddr::Inet(peer) = origin.peer {
                    if let Err(e) = socket.send_to(&reply, peer) {
                        log::debug!("udp reply to {peer}: {e}");
                    }
                }
            }
        }
    }
}
