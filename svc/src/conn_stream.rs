//! One stream connection (TCP or Unix): reassembling call records, handing
//! calls to the worker pool or running them inline in the order the
//! [`Sequencer`] allows, queueing replies, and backpressure. The event loop
//! owns the connections and calls [`Conn::service`] when something happened
//! to one.

use std::borrow::Cow;
use std::io;
use std::sync::Arc;
use std::time::Instant;

use rpc::record::{LAST_FRAGMENT, Reassembler};

use crate::call::{self, Origin, Outcome};
use crate::event_loop::{Cx, Next};
use crate::out_queue::OutQueue;
use crate::sequencer::{Sequencer, Start};
use crate::stream::Stream;
use crate::workers::{Job, WorkerPool};

/// Reads per service before other connections get their turn.
const READ_BUDGET: usize = 16;

/// Runs `read` again while it is interrupted.
fn retrying(mut read: impl FnMut() -> io::Result<usize>) -> io::Result<usize> {
    loop {
        match read() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// The connection must be closed (the peer broke the protocol or the
/// socket failed); the reason has been logged.
struct Fatal;

/// One stream connection.
pub(crate) struct Conn {
    stream: Stream,
    origin: Arc<Origin>,
    /// Unique id: completions for an earlier connection in the same slot are dropped.
    pub(crate) id: u64,
    slot: usize,
    reasm: Reassembler,
    /// Bytes read but not decoded yet, held while the connection is paused
    /// (never more than one read's worth).
    pending: Vec<u8>,
    out: OutQueue,
    /// Calls read whose replies are not queued yet, and their order.
    seq: Sequencer,
    /// A call the full worker queue refused; retried when there is room.
    stalled: Option<Job>,
    readable: bool,
    writable: bool,
    eof: bool,
    draining: bool,
    /// Last time bytes moved either way.
    pub(crate) last_active: Instant,
    /// A call has been read from it: when room must be made, connections
    /// that never sent a call are evicted before this one.
    pub(crate) called: bool,
    /// Already on the event loop's list of connections to service.
    pub(crate) scheduled: bool,
}

impl Conn {
    /// A new connection in `slot`, idle since `now`.
    pub(crate) fn new(
        stream: Stream,
        origin: Origin,
        id: u64,
        slot: usize,
        max_record: usize,
        now: Instant,
    ) -> Conn {
        Conn {
            stream,
            origin: Arc::new(origin),
            id,
            slot,
            reasm: Reassembler::new(max_record),
            pending: Vec::new(),
            out: OutQueue::default(),
            seq: Sequencer::default(),
            stalled: None,
            readable: false,
            writable: true,
            eof: false,
            draining: false,
            last_active: now,
            called: false,
            scheduled: false,
        }
    }

    /// The socket, for (de)registration.
    pub(crate) fn stream_mut(&mut self) -> &mut Stream {
        &mut self.stream
    }

    /// Who is connected.
    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Records readiness reported by the poller.
    pub(crate) fn on_event(&mut self, event: &mio::event::Event) {
        if event.is_readable() || event.is_read_closed() || event.is_error() {
            self.readable = true;
        }
        if event.is_writable() || event.is_write_closed() || event.is_error() {
            self.writable = true;
        }
    }

    /// A worker finished a job of `calls` of this connection's calls.
    pub(crate) fn complete(&mut self, reply: Vec<u8>, calls: usize) {
        self.seq.completed(calls);
        self.out.push(reply);
    }

    /// Nothing in progress and nothing to write: may be closed to make room.
    pub(crate) fn is_idle(&self) -> bool {
        self.seq.in_flight() == 0 && self.out.is_empty()
    }

    /// Graceful shutdown: read no more calls (dropping those read but not
    /// started), finish the rest, then close.
    pub(crate) fn drain(&mut self) {
        self.draining = true;
        if let Some(job) = self.stalled.take() {
            self.seq.completed(job.calls());
        }
        self.seq.clear_held();
        self.pending = Vec::new();
    }

    /// Stop reading: too many calls in progress or waiting for their turn,
    /// too many reply bytes waiting, or a call waiting for room in the
    /// worker queue.
    fn paused(&self, cx: &Cx<'_>) -> bool {
        self.stalled.is_some()
            || self.seq.full(cx.limits.max_in_flight_per_connection, cx.limits.max_record)
            || self.out.len() >= cx.limits.max_reply_backlog
    }

    /// Does what can be done now: retries a stalled call, starts held
    /// calls whose turn came, decodes held bytes, writes replies, reads
    /// calls; says what the loop should do next.
    pub(crate) fn service(&mut self, cx: &mut Cx<'_>) -> Next {
        let mut reads = 0;
        loop {
            let mut progress = self.retry_stalled(cx);
            match self.start_held(cx) {
                Ok(p) => progress |= p,
                Err(Fatal) => return Next::Close,
            }
            match self.consume_pending(cx) {
                Ok(p) => progress |= p,
                Err(Fatal) => return Next::Close,
            }
            match self.flush(cx.now) {
                Ok(p) => progress |= p,
                Err(Fatal) => return Next::Close,
            }
            // Held bytes come before anything read now.
            let caught_up = self.pending.is_empty();
            if caught_up && self.readable && !self.eof && !self.draining && !self.paused(cx) {
                if reads == READ_BUDGET {
                    return Next::Again;
                }
                reads += 1;
                match self.read_some(cx) {
                    Ok(p) => progress |= p,
                    Err(Fatal) => return Next::Close,
                }
            }
            if !progress {
                break;
            }
        }
        let done = self.eof || self.draining;
        if done && self.seq.in_flight() == 0 && self.out.is_empty() && self.pending.is_empty() {
            return Next::Close;
        }
        if self.stalled.is_some() { Next::Stalled } else { Next::Idle }
    }

    fn retry_stalled(&mut self, cx: &Cx<'_>) -> bool {
        let (Some(job), Some(pool)) = (self.stalled.take(), cx.pool) else {
            return false;
        };
        match pool.try_submit(job) {
            Ok(()) => true,
            Err(job) => {
                self.stalled = Some(job);
                false
            }
        }
    }

    /// Decodes bytes held while paused, if no longer paused.
    fn consume_pending(&mut self, cx: &Cx<'_>) -> Result<bool, Fatal> {
        if self.pending.is_empty() || self.draining || self.paused(cx) {
            return Ok(false);
        }
        let pending = std::mem::take(&mut self.pending);
        self.consume(&pending, cx)?;
        Ok(true)
    }

    /// Reads once; true when something happened (bytes or end of stream).
    /// The rest of a large fragment is read straight into its record; other
    /// bytes go through the loop's read buffer.
    fn read_some(&mut self, cx: &mut Cx<'_>) -> Result<bool, Fatal> {
        if let Some(record) = self.reasm.direct_buffer() {
            let read = retrying(|| self.stream.recv_into(record));
            if self.bytes_read(read, cx.now)?.is_some() {
                if let Some(record) = self.reasm.appended() {
                    self.on_record(Cow::Owned(record), cx)?;
                }
                return Ok(true);
            }
            return Ok(self.eof);
        }
        let buf = std::mem::take(&mut cx.read_buf);
        let read = retrying(|| self.stream.recv(buf));
        let outcome = match self.bytes_read(read, cx.now) {
            Ok(Some(n)) => self.consume(&buf[..n], cx).map(|()| true),
            Ok(None) => Ok(self.eof),
            Err(Fatal) => Err(Fatal),
        };
        cx.read_buf = buf;
        outcome
    }

    /// What a read returned: `Some(n)` bytes, or `None` at the end of the
    /// stream (`eof` is set) or when there was nothing to read.
    fn bytes_read(
        &mut self,
        read: io::Result<usize>,
        now: Instant,
    ) -> Result<Option<usize>, Fatal> {
        match read {
            Ok(0) => {
                self.eof = true;
                Ok(None)
            }
            Ok(n) => {
                self.last_active = now;
                Ok(Some(n))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.readable = false;
                Ok(None)
            }
            Err(e) => {
                log::debug!(
                    "{} connection from {}: read: {e}",
                    self.origin.transport,
                    self.origin.peer
                );
                Err(Fatal)
            }
        }
    }

    /// Decodes records from `input` and starts their calls; what arrives
    /// while paused is held in `pending`.
    fn consume(&mut self, mut input: &[u8], cx: &Cx<'_>) -> Result<(), Fatal> {
        while !input.is_empty() {
            if self.paused(cx) {
                self.pending.extend_from_slice(input);
                return Ok(());
            }
            // A whole single-fragment record in the input: use it in place.
            if self.reasm.is_idle() {
                if let Some(len) = whole_record(input, cx.limits.max_record) {
                    let (record, rest) = input[4..].split_at(len);
                    input = rest;
                    self.on_record(Cow::Borrowed(record), cx)?;
                    continue;
                }
            }
            match self.reasm.decode(&mut input) {
                Ok(Some(record)) => self.on_record(Cow::Owned(record), cx)?,
                Ok(None) => {}
                Err(e) => {
                    log::debug!(
                        "{} connection from {}: {e}; closing",
                        self.origin.transport,
                        self.origin.peer
                    );
                    return Err(Fatal);
                }
            }
        }
        Ok(())
    }

    /// Starts the call in one record, or holds it until its turn.
    fn on_record(&mut self, record: Cow<'_, [u8]>, cx: &Cx<'_>) -> Result<(), Fatal> {
        self.called = true;
        // Without workers every call runs here, in order.
        let Some(pool) = cx.pool else {
            return self.run_inline(&record, cx);
        };
        let Some(route) = call::route(cx.registry, &record) else {
            return self.garbage();
        };
        let ordered = cx.in_order || route.one_way;
        if !self.seq.may_start(ordered) {
            self.seq.hold(record.into_owned(), route, ordered);
            Ok(())
        } else if route.on_worker {
            self.submit(record.into_owned(), Vec::new(), ordered, pool);
            Ok(())
        } else {
            self.run_inline(&record, cx)
        }
    }

    /// Starts held calls whose turn has come.
    fn start_held(&mut self, cx: &Cx<'_>) -> Result<bool, Fatal> {
        let Some(pool) = cx.pool else {
            return Ok(false);
        };
        let mut progress = false;
        while self.stalled.is_none() {
            match self.seq.next() {
                None => break,
                Some(Start::Inline(record)) => self.run_inline(&record, cx)?,
                Some(Start::Worker { record, more, ordered }) => {
                    self.submit(record, more, ordered, pool);
                }
            }
            progress = true;
        }
        Ok(progress)
    }

    /// Hands calls to a worker as one job (or holds the job while the
    /// worker queue is full).
    fn submit(&mut self, record: Vec<u8>, more: Vec<Vec<u8>>, ordered: bool, pool: &WorkerPool) {
        self.seq.started(1 + more.len(), ordered);
        let origin = Arc::clone(&self.origin);
        let job = Job::Stream { slot: self.slot, id: self.id, origin, record, more };
        if let Err(job) = pool.try_submit(job) {
            self.stalled = Some(job);
        }
    }

    /// Runs a call on the I/O thread, queueing its reply.
    fn run_inline(&mut self, record: &[u8], cx: &Cx<'_>) -> Result<(), Fatal> {
        let origin = &self.origin;
        let outcome = self
            .out
            .append_with(|buf| call::handle(cx.registry, cx.cache, origin, record, buf, true));
        match outcome {
            Outcome::Replied | Outcome::Silent => Ok(()),
            Outcome::Garbage => self.garbage(),
        }
    }

    fn garbage(&self) -> Result<(), Fatal> {
        log::debug!(
            "{} connection from {}: undecodable call; closing",
            self.origin.transport,
            self.origin.peer
        );
        Err(Fatal)
    }

    /// Writes queued replies until done or the socket is full.
    fn flush(&mut self, now: Instant) -> Result<bool, Fatal> {
        let mut progress = false;
        while self.writable && !self.out.is_empty() {
            match self.out.write_to(&mut self.stream) {
                Ok(0) => {
                    log::debug!(
                        "{} connection from {}: peer takes no bytes",
                        self.origin.transport,
                        self.origin.peer
                    );
                    return Err(Fatal);
                }
                Ok(_) => {
                    progress = true;
                    self.last_active = now;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.writable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    log::debug!(
                        "{} connection from {}: write: {e}",
                        self.origin.transport,
                        self.origin.peer
                    );
                    return Err(Fatal);
                }
            }
        }
        Ok(progress)
    }
}

/// The length of the record at the start of `input` when it is a single
/// last fragment within `max_record` whose bytes have all arrived.
fn whole_record(input: &[u8], max_record: usize) -> Option<usize> {
    let mark = u32::from_be_bytes(*input.first_chunk::<4>()?);
    let len = (mark & !LAST_FRAGMENT) as usize;
    (mark & LAST_FRAGMENT != 0 && len <= max_record && input.len() - 4 >= len).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_record_needs_the_last_bit_all_bytes_and_the_limit() {
        assert_eq!(whole_record(&[0x80, 0, 0, 2, 7, 7, 9], 10), Some(2));
        assert_eq!(whole_record(&[0x80, 0, 0, 2, 7], 10), None);
        assert_eq!(whole_record(&[0, 0, 0, 2, 7, 7], 10), None);
        assert_eq!(whole_record(&[0x80, 0, 0, 2, 7, 7], 1), None);
        assert_eq!(whole_record(&[0x80, 0, 0], 10), None);
    }
}
