//! [`Server`] (bound, not yet running), [`ServerHandle`] (running on its
//! own thread) and [`ShutdownTrigger`].
//!
//! A server built with [`ServerBuilder::portmapper`] carries its
//! registrations; they are removed when it stops running (or is dropped
//! without running).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use mio::Waker;

use crate::advertise::Advertisement;
use crate::builder::ServerBuilder;
use crate::duplicate_cache::{DuplicateCacheStats, ReplyCache};
use crate::error::{Error, Result};
use crate::event_loop::EventLoop;
use crate::listener::ListenAddr;

/// A server with its sockets bound, ready to run.
pub struct Server {
    event_loop: EventLoop,
    addrs: Vec<ListenAddr>,
    programs: Vec<(u32, u32)>,
    advertisement: Option<Advertisement>,
    trigger: ShutdownTrigger,
    cache: Option<Arc<ReplyCache>>,
}

/// Asks a running server to shut down gracefully; cheap to clone and usable
/// from any thread.
#[derive(Clone)]
pub struct ShutdownTrigger {
    flag: Arc<AtomicBool>,
    waker: Arc<Waker>,
}

impl std::fmt::Debug for ShutdownTrigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShutdownTrigger").field("requested", &self.is_requested()).finish()
    }
}

impl ShutdownTrigger {
    /// Starts a graceful shutdown: stop accepting and reading, finish the
    /// calls in progress, send their replies, close. Returns at once.
    pub fn shutdown(&self) {
        self.flag.store(true, Ordering::Release);
        if let Err(e) = self.waker.wake() {
            log::error!("cannot wake the server to shut it down: {e}");
        }
    }

    /// True once a shutdown has been asked for.
    pub fn is_requested(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addrs", &self.addrs)
            .field("programs", &self.programs)
            .finish()
    }
}

impl Server {
    /// A [`ServerBuilder`].
    pub fn builder() -> ServerBuilder {
        ServerBuilder::new()
    }

    pub(crate) fn new(
        event_loop: EventLoop,
        addrs: Vec<ListenAddr>,
        programs: Vec<(u32, u32)>,
        advertisement: Option<Advertisement>,
        flag: Arc<AtomicBool>,
        cache: Option<Arc<ReplyCache>>,
    ) -> Server {
        let trigger = ShutdownTrigger { flag, waker: event_loop.waker() };
        Server { event_loop, addrs, programs, advertisement, trigger, cache }
    }

    /// The addresses the listeners are bound to, in the order they were
    /// configured (ports chosen by the system filled in).
    pub fn local_addrs(&self) -> &[ListenAddr] {
        &self.addrs
    }

    /// The first TCP listener's address.
    pub fn tcp_addr(&self) -> Option<std::net::SocketAddr> {
        first(&self.addrs, |a| matches!(a, ListenAddr::Tcp(_)))
    }

    /// The first UDP socket's address.
    pub fn udp_addr(&self) -> Option<std::net::SocketAddr> {
        first(&self.addrs, |a| matches!(a, ListenAddr::Udp(_)))
    }

    /// Every exported (program, version) pair.
    pub fn programs(&self) -> &[(u32, u32)] {
        &self.programs
    }

    /// A trigger that shuts the server down from another thread.
    pub fn shutdown_trigger(&self) -> ShutdownTrigger {
        self.trigger.clone()
    }

    /// Serves on this thread until a shutdown (see [`Server::shutdown_trigger`])
    /// completes, then unregisters from the portmapper.
    pub fn run(self) -> Result<()> {
        let Server { event_loop, advertisement, .. } = self;
        let result = event_loop.run();
        drop(advertisement);
        result
    }

    /// Serves on a new thread.
    pub fn spawn(self) -> Result<ServerHandle> {
        let Server { event_loop, addrs, programs, advertisement, trigger, cache } = self;
        let thread = std::thread::Builder::new()
            .name("svc-io".into())
            .spawn(move || {
                let result = event_loop.run();
                drop(advertisement);
                result
            })
            .map_err(Error::Io)?;
        Ok(ServerHandle { thread: Some(thread), addrs, programs, trigger, cache })
    }
}

fn first(addrs: &[ListenAddr], pick: impl Fn(&ListenAddr) -> bool) -> Option<std::net::SocketAddr> {
    addrs.iter().find(|a| pick(a)).and_then(ListenAddr::socket_addr)
}

/// A server running on its own thread. Dropping the handle shuts the server
/// down and waits for it, like [`ServerHandle::shutdown`].
pub struct ServerHandle {
    thread: Option<JoinHandle<Result<()>>>,
    addrs: Vec<ListenAddr>,
    programs: Vec<(u32, u32)>,
    trigger: ShutdownTrigger,
    cache: Option<Arc<ReplyCache>>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addrs", &self.addrs)
            .field("programs", &self.programs)
            .field("trigger", &self.trigger)
            .finish_non_exhaustive()
    }
}

impl ServerHandle {
    /// The addresses the listeners are bound to.
    pub fn local_addrs(&self) -> &[ListenAddr] {
        &self.addrs
    }

    /// The first TCP listener's address.
    pub fn tcp_addr(&self) -> Option<std::net::SocketAddr> {
        first(&self.addrs, |a| matches!(a, ListenAddr::Tcp(_)))
    }

    /// The first UDP socket's address.
    pub fn udp_addr(&self) -> Option<std::net::SocketAddr> {
        first(&self.addrs, |a| matches!(a, ListenAddr::Udp(_)))
    }

    /// Every exported (program, version) pair.
    pub fn programs(&self) -> &[(u32, u32)] {
        &self.programs
    }

    /// A trigger that shuts the server down from another thread.
    pub fn shutdown_trigger(&self) -> ShutdownTrigger {
        self.trigger.clone()
    }

    /// The duplicate request cache's counters; `None` when the server has
    /// none ([`ServerBuilder::duplicate_cache`]).
    pub fn duplicate_cache_stats(&self) -> Option<DuplicateCacheStats> {
        self.cache.as_ref().map(|c| c.stats())
    }

    /// True once the server thread has stopped (after a shutdown or an error).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Shuts down gracefully (stop accepting, finish the calls in progress,
    /// close) and waits for the server thread.
    pub fn shutdown(mut self) -> Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> Result<()> {
        self.trigger.shutdown();
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|_| Error::Panicked)?,
            None => Ok(()),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            log::error!("server stopped with an error: {e}");
        }
    }
}
