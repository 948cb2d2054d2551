//! A call sent and not yet answered: resending datagrams on schedule,
//! taking the reader's turn, and sending the call again (same xid) after
//! a failed attempt when the client's retry policy allows.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rpc::retransmit::{Retransmission, Step};

use crate::error::Error;
use crate::link::{Connection, Link};
use crate::transport::Transport;
use crate::waiters::Turn;

/// How a call is handed to the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handoff {
    /// Written now (with anything queued before it).
    Now,
    /// Queued until the next call sent now, a flush, or a wait.
    Deferred,
}

impl Handoff {
    /// Hands `message` (record mark room, then the call) to `transport`.
    pub(crate) fn give(self, transport: &dyn Transport, message: &mut [u8]) -> std::io::Result<()> {
        match self {
            Handoff::Now => transport.send(message),
            Handoff::Deferred => transport.send_deferred(message),
        }
    }
}

/// How long one look at a call may take.
#[derive(Debug, Clone, Copy)]
enum Look {
    /// Wait for the reply until the given time, reading when it is our turn.
    Until(Instant),
    /// Read once if nobody else is reading, never wait.
    ReadOnce,
    /// Only look at what other callers' reads filed.
    Peek,
}

/// A call in flight.
#[derive(Debug)]
pub(crate) struct InFlight {
    conn: Arc<Connection>,
    pub(crate) xid: u32,
    /// The message, kept while it may have to be sent again.
    message: Vec<u8>,
    timeout: Duration,
    deadline: Instant,
    /// The resend schedule of a datagram call.
    schedule: Option<Retransmission>,
    retries_left: u32,
}

impl InFlight {
    /// Registers and sends (or queues) `message` (four bytes reserved in
    /// front for a record mark, then the call).
    pub(crate) fn send(
        link: &Link,
        xid: u32,
        mut message: Vec<u8>,
        timeout: Duration,
        how: Handoff,
    ) -> Result<InFlight, Error> {
        let conn = link.current();
        let transport = &*conn.transport;
        transport.waiters().register(xid).map_err(Error::CantSend)?;
        if let Err(e) = how.give(transport, &mut message) {
            transport.waiters().cancel(xid);
            return Err(Error::CantSend(e));
        }
        let now = Instant::now();
        let schedule = new_schedule(link, transport, now, timeout);
        if schedule.is_none() && link.retries == 0 {
            message = Vec::new();
        }
        Ok(InFlight {
            conn,
            xid,
            message,
            timeout,
            deadline: now + timeout,
            schedule,
            retries_left: link.retries,
        })
    }

    /// Waits for the reply until `until` (bounded by the call's own
    /// deadline); `None` when `until` came first.
    pub(crate) fn wait(&mut self, link: &Link, until: Instant) -> Option<Result<Vec<u8>, Error>> {
        self.look(link, Look::Until(until))
    }

    /// Waits until the call ends: its reply, or its last attempt's failure.
    pub(crate) fn wait_out(&mut self, link: &Link) -> Result<Vec<u8>, Error> {
        self.wait(link, far_future()).unwrap_or(Err(Error::TimedOut))
    }

    /// The reply if it is in after reading what has arrived, never waiting.
    pub(crate) fn poll(&mut self, link: &Link) -> Option<Result<Vec<u8>, Error>> {
        self.look(link, Look::ReadOnce)
    }

    /// The reply if another caller's read filed it, resending datagrams
    /// that are due; never reads. `Err` holds when to look again.
    pub(crate) fn check(&mut self, link: &Link) -> Result<Result<Vec<u8>, Error>, Instant> {
        match self.look(link, Look::Peek) {
            Some(done) => Ok(done),
            None => Err(self.next_step()),
        }
    }

    /// Stops waiting: a late reply is dropped.
    pub(crate) fn abandon(&self) {
        self.conn.transport.waiters().cancel(self.xid);
    }

    /// When the call next needs attention: its next resend or its deadline.
    fn next_step(&self) -> Instant {
        match &self.schedule {
            Some(schedule) => schedule.next_send(),
            None => self.deadline,
        }
    }

    fn look(&mut self, link: &Link, look: Look) -> Option<Result<Vec<u8>, Error>> {
        loop {
            let result = match self.attempt(look)? {
                Err(e) if self.retries_left > 0 && retriable(&e, link) => {
                    self.retries_left -= 1;
                    match self.again(link, &e) {
                        Ok(()) => continue,
                        Err(e) => Err(e),
                    }
                }
                other => other,
            };
            if result.is_err() {
                self.abandon();
            }
            return Some(result);
        }
    }

    /// One attempt's progress: `None` while it is still pending.
    fn attempt(&mut self, look: Look) -> Option<Result<Vec<u8>, Error>> {
        let transport = &*self.conn.transport;
        // A call still queued by a deferred send would never be answered.
        if !matches!(look, Look::Peek) {
            if let Err(e) = transport.flush() {
                return Some(Err(Error::CantSend(e)));
            }
        }
        loop {
            let now = Instant::now();
            let step_until = match &mut self.schedule {
                None if now >= self.deadline => return Some(Err(Error::TimedOut)),
                None => self.deadline,
                Some(schedule) => match schedule.poll(now) {
                    Step::GiveUp => return Some(Err(Error::TimedOut)),
                    Step::Wait { until } => until,
                    Step::Send { until } => match transport.send(&mut self.message) {
                        Ok(()) => until,
                        Err(e) => return Some(Err(Error::CantSend(e))),
                    },
                },
            };
            let found = match look {
                Look::Until(until) if now >= until => return None,
                Look::Until(until) => wait_until(transport, self.xid, step_until.min(until)),
                Look::ReadOnce => return read_once(transport, self.xid),
                Look::Peek => return peek(transport, self.xid),
            };
            if found.is_some() {
                return found;
            }
        }
    }

    /// Sends the call again after `failed`, on a new connection if the old
    /// one broke, with the same xid and a fresh timeout.
    fn again(&mut self, link: &Link, failed: &Error) -> Result<(), Error> {
        if !matches!(failed, Error::TimedOut) {
            self.conn = link.redial(&self.conn)?;
        }
        log::debug!("sending call {:#010x} again after: {failed}", self.xid);
        let transport = &*self.conn.transport;
        transport.waiters().register(self.xid).map_err(Error::CantSend)?;
        let now = Instant::now();
        self.deadline = now + self.timeout;
        self.schedule = new_schedule(link, transport, now, self.timeout);
        transport.send(&mut self.message).map_err(Error::CantSend)
    }
}

/// A datagram call's resend schedule, its first step (send now) taken.
fn new_schedule(
    link: &Link,
    transport: &dyn Transport,
    now: Instant,
    timeout: Duration,
) -> Option<Retransmission> {
    let mut schedule =
        transport.resends().then(|| Retransmission::new(link.retransmit, now, timeout))?;
    let _ = schedule.poll(now);
    Some(schedule)
}

/// A time no wait reaches (`Instant` has no maximum).
pub(crate) fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

/// True when the retry policy covers `e`: a timeout, or a broken
/// connection the client can replace.
fn retriable(e: &Error, link: &Link) -> bool {
    match e {
        Error::TimedOut => true,
        Error::CantSend(_) | Error::CantRecv(_) => link.redials(),
        _ => false,
    }
}

/// Waits for the call's reply until `until`, taking the reader's turn when
/// it comes; `None` when the time ran out.
fn wait_until(
    transport: &dyn Transport,
    xid: u32,
    until: Instant,
) -> Option<Result<Vec<u8>, Error>> {
    let waiters = transport.waiters();
    loop {
        match waiters.next_turn(xid, until) {
            Turn::Done(reply) => return Some(reply.map_err(Error::CantRecv)),
            Turn::TimedOut => return None,
            Turn::Read => waiters.finish_read(transport.receive(until)),
        }
    }
}

/// Reads what has arrived if nobody else is reading, then looks for the
/// call's reply.
fn read_once(transport: &dyn Transport, xid: u32) -> Option<Result<Vec<u8>, Error>> {
    let waiters = transport.waiters();
    if let found @ Some(_) = peek(transport, xid) {
        return found;
    }
    if waiters.try_read_turn() {
        waiters.finish_read(transport.receive(Instant::now()));
    }
    peek(transport, xid)
}

/// The call's reply if another read filed it.
fn peek(transport: &dyn Transport, xid: u32) -> Option<Result<Vec<u8>, Error>> {
    transport.waiters().peek(xid).map(|reply| reply.map_err(Error::CantRecv))
}
