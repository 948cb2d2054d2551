//! The event loop: one thread polls every socket with mio, accepts
//! connections (evicting idle ones at the connection limit), services
//! connections and UDP sockets, collects the workers' replies, sweeps idle
//! connections, and shuts down gracefully.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, UnixListener};
use mio::{Events, Interest, Poll, Token, Waker};

use crate::call::Origin;
use crate::conn_stream::Conn;
use crate::context::{PeerAddr, Transport};
use crate::duplicate_cache::ReplyCache;
use crate::error::Result;
use crate::limits::Limits;
use crate::listener::UnixPath;
use crate::peercred;
use crate::registry::Registry;
use crate::stream::Stream;
use crate::udp::UdpEndpoint;
use crate::workers::{Completion, Mailbox, WorkerPool};

/// The waker's token; listeners count down from just below it, connection
/// slots count up from zero.
const WAKER: Token = Token(usize::MAX);
/// Size of the buffer every read goes through (and the largest datagram).
const READ_BUF: usize = 256 << 10;
/// How long to wait before accepting again after running out of descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// How the server runs calls, besides its programs.
pub(crate) struct Config {
    /// The limits.
    pub(crate) limits: Limits,
    /// Worker threads; 0 runs every call on the I/O thread.
    pub(crate) workers: usize,
    /// Every call of a connection runs after the previous one finished.
    pub(crate) in_order: bool,
    /// The duplicate request cache, if enabled.
    pub(crate) cache: Option<Arc<ReplyCache>>,
}

/// What a connection or socket needs from the loop while it is serviced.
pub(crate) struct Cx<'a> {
    /// The exported programs.
    pub(crate) registry: &'a Registry,
    /// The duplicate request cache, if enabled.
    pub(crate) cache: Option<&'a ReplyCache>,
    /// Every call of a connection runs after the previous one finished.
    pub(crate) in_order: bool,
    /// The limits.
    pub(crate) limits: &'a Limits,
    /// The workers; `None` runs every call on the I/O thread.
    pub(crate) pool: Option<&'a WorkerPool>,
    /// The buffer reads go through.
    pub(crate) read_buf: &'a mut [u8],
    /// The time the loop last woke.
    pub(crate) now: Instant,
    /// A graceful shutdown is under way.
    pub(crate) draining: bool,
}

/// What the loop should do with a connection or socket after servicing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Wait for the next event.
    Idle,
    /// Service it again soon: it had more to read than its turn allowed.
    Again,
    /// Service it again when the worker queue has room.
    Stalled,
    /// Close it.
    Close,
}

/// A listening socket.
pub(crate) enum Listener {
    /// TCP.
    Tcp(TcpListener),
    /// Unix stream.
    Unix {
        /// The socket.
        listener: UnixListener,
        /// Removes the socket file when dropped.
        _file: UnixPath,
    },
    /// UDP.
    Udp(UdpEndpoint),
}

/// The server's state, owned by the I/O thread.
pub(crate) struct EventLoop {
    poll: Poll,
    waker: Arc<Waker>,
    shutdown: Arc<AtomicBool>,
    registry: Arc<Registry>,
    config: Config,
    mailbox: Arc<Mailbox>,
    /// Listeners by index (token `usize::MAX - 1 - index`); `None` once closed.
    listeners: Vec<Option<Listener>>,
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    open: usize,
    next_id: u64,
    /// Tokens to service in this turn.
    ready: Vec<Token>,
    /// Tokens waiting for room in the worker queue.
    stalled: Vec<Token>,
    read_buf: Vec<u8>,
    next_sweep: Option<Instant>,
    accept_retry: Option<Instant>,
    drain_deadline: Option<Instant>,
}

fn listener_token(index: usize) -> Token {
    Token(usize::MAX - 1 - index)
}

/// True when an accept failed for want of file descriptors or memory.
fn out_of_resources(e: &io::Error) -> bool {
    matches!(
        rustix::io::Errno::from_io_error(e),
        Some(
            rustix::io::Errno::MFILE
                | rustix::io::Errno::NFILE
                | rustix::io::Errno::NOBUFS
                | rustix::io::Errno::NOMEM
        )
    )
}

impl EventLoop {
    /// A loop over already-bound listeners.
    pub(crate) fn new(
        poll: Poll,
        listeners: Vec<Listener>,
        registry: Arc<Registry>,
        config: Config,
        shutdown: Arc<AtomicBool>,
    ) -> Result<EventLoop> {
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let mut listeners: Vec<Option<Listener>> = listeners.into_iter().map(Some).collect();
        for (index, listener) in listeners.iter_mut().enumerate() {
            let token = listener_token(index);
            let r = poll.registry();
            match listener {
                Some(Listener::Tcp(l)) => r.register(l, token, Interest::READABLE)?,
                Some(Listener::Unix { listener: l, .. }) => {
                    r.register(l, token, Interest::READABLE)?
                }
                Some(Listener::Udp(u)) => match u.socket_mut() {
                    Some(socket) => r.register(socket, token, Interest::READABLE)?,
                    None => return Err(io::Error::other("UDP socket already shared").into()),
                },
                None => {}
            }
        }
        Ok(EventLoop {
            mailbox: Arc::new(Mailbox::new(Arc::clone(&waker))),
            poll,
            waker,
            shutdown,
            registry,
            config,
            listeners,
            conns: Vec::new(),
            free: Vec::new(),
            open: 0,
            next_id: 0,
            ready: Vec::new(),
            stalled: Vec::new(),
            read_buf: vec![0; READ_BUF],
            next_sweep: None,
            accept_retry: None,
            drain_deadline: None,
        })
    }

    /// The waker that interrupts the loop's wait (for shutdown requests).
    pub(crate) fn waker(&self) -> Arc<Waker> {
        Arc::clone(&self.waker)
    }

    /// Runs until a graceful shutdown completes.
    pub(crate) fn run(mut self) -> Result<()> {
        let pool = match self.config.workers {
            0 => None,
            n => Some(WorkerPool::start(
                n,
                self.config.limits.max_queued_calls,
                Arc::clone(&self.registry),
                self.config.cache.clone(),
                Arc::clone(&self.mailbox),
            )?),
        };
        let result = self.serve(pool.as_ref());
        let deadline = self.drain_deadline.unwrap_or_else(Instant::now);
        if let Some(pool) = pool {
            pool.join(deadline);
        }
        self.close_all();
        result
    }

    fn serve(&mut self, pool: Option<&WorkerPool>) -> Result<()> {
        let mut events = Events::with_capacity(1024);
        let mut completions: Vec<Completion> = Vec::new();
        self.next_sweep = self.config.limits.idle_timeout.map(|t| Instant::now() + sweep_period(t));
        loop {
            let timeout = self.timeout(Instant::now());
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e.into());
            }
            let now = Instant::now();
            for event in events.iter() {
                let token = event.token();
                if token == WAKER {
                    continue;
                }
                let index = usize::MAX - 1 - token.0;
                if index < self.listeners.len() {
                    if matches!(self.listeners[index], Some(Listener::Udp(_))) {
                        if let Some(Listener::Udp(u)) = &mut self.listeners[index] {
                            u.on_readable();
                        }
                        self.schedule(token);
                    } else {
                        self.accept(index, now);
                    }
                } else if let Some(Some(conn)) = self.conns.get_mut(token.0) {
                    conn.on_event(event);
                    self.schedule(token);
                }
            }

            self.mailbox.take(&mut completions);
            let room = self.mailbox.take_room() || !completions.is_empty();
            for c in completions.drain(..) {
                if let Some(Some(conn)) = self.conns.get_mut(c.slot) {
                    if conn.id == c.id {
                        conn.complete(c.reply, c.calls);
                        self.schedule(Token(c.slot));
                    }
                }
            }
            if room {
                for token in std::mem::take(&mut self.stalled) {
                    self.schedule(token);
                }
            }

            if self.drain_deadline.is_none() && self.shutdown.load(Ordering::Acquire) {
                self.begin_drain(now, pool);
            }

            let ready = std::mem::take(&mut self.ready);
            for token in ready {
                self.service(token, now, pool);
            }

            if self.next_sweep.is_some_and(|t| now >= t) {
                self.sweep(now);
            }
            if self.accept_retry.is_some_and(|t| now >= t) {
                self.accept_retry = None;
                for index in 0..self.listeners.len() {
                    self.accept(index, now);
                }
            }
            if let Some(deadline) = self.drain_deadline {
                if self.open == 0 {
                    return Ok(());
                }
                if now >= deadline {
                    log::warn!("shutdown: {} connections still busy at the deadline", self.open);
                    return Ok(());
                }
            }
        }
    }

    /// How long the next poll may wait.
    fn timeout(&self, now: Instant) -> Option<Duration> {
        if !self.ready.is_empty() {
            return Some(Duration::ZERO);
        }
        [self.next_sweep, self.accept_retry, self.drain_deadline]
            .into_iter()
            .flatten()
            .min()
            .map(|t| t.saturating_duration_since(now))
    }

    /// Puts a connection or socket on this turn's list, once.
    fn schedule(&mut self, token: Token) {
        let flag = if let Some(Some(conn)) = self.conns.get_mut(token.0) {
            &mut conn.scheduled
        } else {
            let index = usize::MAX - 1 - token.0;
            match self.listeners.get_mut(index) {
                Some(Some(Listener::Udp(u))) => &mut u.scheduled,
                _ => return,
            }
        };
        if !*flag {
            *flag = true;
            self.ready.push(token);
        }
    }

    /// Services one connection or UDP socket and acts on what it says.
    fn service(&mut self, token: Token, now: Instant, pool: Option<&WorkerPool>) {
        let mut cx = Cx {
            registry: &self.registry,
            cache: self.config.cache.as_deref(),
            in_order: self.config.in_order,
            limits: &self.config.limits,
            pool,
            read_buf: &mut self.read_buf,
            now,
            draining: self.drain_deadline.is_some(),
        };
        let next = if let Some(Some(conn)) = self.conns.get_mut(token.0) {
            conn.scheduled = false;
            conn.service(&mut cx)
        } else {
            let index = usize::MAX - 1 - token.0;
            match self.listeners.get_mut(index) {
                Some(Some(Listener::Udp(u))) => {
                    u.scheduled = false;
                    u.service(&mut cx)
                }
                _ => return,
            }
        };
        match next {
            Next::Idle => {}
            Next::Again => self.schedule(token),
            Next::Stalled => self.stalled.push(token),
            Next::Close => self.close(token.0),
        }
    }

    /// Accepts every pending connection on stream listener `index`.
    fn accept(&mut self, index: usize, now: Instant) {
        loop {
            let accepted = match &self.listeners[index] {
                Some(Listener::Tcp(l)) => l.accept().map(|(s, addr)| {
                    if let Err(e) = s.set_nodelay(true) {
                        log::debug!("TCP_NODELAY for {addr}: {e}");
                    }
                    clnt::tune_loopback(&s, addr);
                    let origin = Origin {
                        transport: Transport::Tcp,
                        peer: PeerAddr::Inet(addr),
                        peer_cred: None,
                    };
                    (Stream::Tcp(s), origin)
                }),
                Some(Listener::Unix { listener: l, .. }) => l.accept().map(|(s, addr)| {
                    let peer_cred =
                        peercred::peer_cred(&s).map_err(|e| log::warn!("SO_PEERCRED: {e}")).ok();
                    let peer = PeerAddr::Unix(addr.as_pathname().map(Into::into));
                    (Stream::Unix(s), Origin { transport: Transport::Unix, peer, peer_cred })
                }),
                _ => return,
            };
            match accepted {
                Ok((stream, origin)) => self.admit(stream, origin, now),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(e) if out_of_resources(&e) => {
                    log::warn!("accept: {e}");
                    if !self.evict_one(None) {
                        self.accept_retry = Some(now + ACCEPT_BACKOFF);
                        return;
                    }
                }
                Err(e) => {
                    log::warn!("accept: {e}");
                    self.accept_retry = Some(now + ACCEPT_BACKOFF);
                    return;
                }
            }
        }
    }

    /// Takes a new connection, making room by evicting an idle one at the limit.
    fn admit(&mut self, mut stream: Stream, origin: Origin, now: Instant) {
        if self.open >= self.config.limits.max_connections
            && !self.evict_one(Some(origin.transport))
        {
            log::warn!(
                "refusing {} connection from {}: all {} connections are busy",
                origin.transport,
                origin.peer,
                self.open
            );
            return;
        }
        let slot = self.free.pop().unwrap_or_else(|| {
            self.conns.push(None);
            self.conns.len() - 1
        });
        if let Err(e) = self.poll.registry().register(
            &mut stream,
            Token(slot),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            log::warn!("cannot register connection from {}: {e}", origin.peer);
            self.free.push(slot);
            return;
        }
        log::debug!("{} connection from {}", origin.transport, origin.peer);
        let id = self.next_id;
        self.next_id += 1;
        self.conns[slot] =
            Some(Conn::new(stream, origin, id, slot, self.config.limits.max_record, now));
        self.open += 1;
    }

    /// Closes an idle connection: one of the newcomer's transport first
    /// (`for_transport`), so that a flood of TCP connections evicts its own
    /// before the local processes' Unix connections; then one that never
    /// sent a call, so that a flood of fresh connections (or connections
    /// opened only to fill the table) cycles among itself and spares the
    /// clients between two calls of a session; then the one idle the
    /// longest. False when none is idle.
    fn evict_one(&mut self, for_transport: Option<Transport>) -> bool {
        let victim = self
            .conns
            .iter()
            .enumerate()
            .filter_map(|(slot, c)| {
                let other = |c: &Conn| for_transport.is_some_and(|t| c.origin().transport != t);
                let key = |c: &Conn| (other(c), c.called, c.last_active);
                c.as_ref().filter(|c| c.is_idle()).map(|c| (slot, key(c)))
            })
            .min_by_key(|&(_, key)| key);
        match victim {
            Some((slot, _)) => {
                if let Some(Some(conn)) = self.conns.get(slot) {
                    log::info!(
                        "evicting idle {} connection from {} to make room",
                        conn.origin().transport,
                        conn.origin().peer
                    );
                }
                self.close(slot);
                true
            }
            None => false,
        }
    }

    /// Closes idle connections past the idle timeout.
    fn sweep(&mut self, now: Instant) {
        let Some(timeout) = self.config.limits.idle_timeout else {
            self.next_sweep = None;
            return;
        };
        self.next_sweep = Some(now + sweep_period(timeout));
        for slot in 0..self.conns.len() {
            let expired = self.conns[slot].as_ref().is_some_and(|c| {
                c.is_idle() && now.saturating_duration_since(c.last_active) >= timeout
            });
            if expired {
                log::debug!("closing connection idle for {timeout:?}");
                self.close(slot);
            }
        }
    }

    /// Starts a graceful shutdown: listeners close, the worker queue takes
    /// no more calls, connections read no more and close once answered.
    fn begin_drain(&mut self, now: Instant, pool: Option<&WorkerPool>) {
        log::debug!("shutting down: {} connections open", self.open);
        self.drain_deadline = Some(now + self.config.limits.shutdown_grace);
        for listener in self.listeners.iter_mut() {
            let r = self.poll.registry();
            let result = match listener {
                Some(Listener::Tcp(l)) => r.deregister(l),
                Some(Listener::Unix { listener: l, .. }) => r.deregister(l),
                // Workers may still hold the socket to send replies; it
                // leaves the poller when the last of them drops it.
                Some(Listener::Udp(u)) => u.socket_mut().map_or(Ok(()), |s| r.deregister(s)),
                None => Ok(()),
            };
            if let Err(e) = result {
                log::debug!("deregistering a listener: {e}");
            }
            *listener = None;
        }
        self.stalled.clear();
        if let Some(pool) = pool {
            pool.close();
        }
        for slot in 0..self.conns.len() {
            if let Some(conn) = &mut self.conns[slot] {
                conn.drain();
                self.schedule(Token(slot));
            }
        }
    }

    /// Closes the connection in `slot`.
    fn close(&mut self, slot: usize) {
        if let Some(mut conn) = self.conns.get_mut(slot).and_then(Option::take) {
            if let Err(e) = self.poll.registry().deregister(conn.stream_mut()) {
                log::debug!("deregistering a connection: {e}");
            }
            log::debug!(
                "closing {} connection from {}",
                conn.origin().transport,
                conn.origin().peer
            );
            self.free.push(slot);
            self.open -= 1;
        }
    }

    fn close_all(&mut self) {
        for slot in 0..self.conns.len() {
            self.close(slot);
        }
        self.listeners.clear();
    }
}

/// How often to look for connections past the idle timeout.
fn sweep_period(timeout: Duration) -> Duration {
    (timeout / 4).clamp(Duration::from_millis(5), Duration::from_secs(1))
}
