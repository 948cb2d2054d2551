//! [`ServerBuilder`]: programs, listeners, multicast groups, workers,
//! limits, call order and the duplicate request cache, then
//! [`ServerBuilder::build`] binds the sockets.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use mio::Poll;

use crate::advertise::Advertisement;
use crate::dispatch::Dispatch;
use crate::duplicate_cache::{DuplicateCache, ReplyCache};
use crate::error::{Error, Result};
use crate::event_loop::{Config, EventLoop, Listener};
use crate::limits::Limits;
use crate::listener::{self, ListenAddr};
use crate::registry::Registry;
use crate::server::Server;
use crate::udp::UdpEndpoint;

/// Configures a [`Server`].
///
/// ```no_run
/// # use svc::{Server, Dispatch, CallContext, ProcError};
/// # struct MyProgV1;
/// # impl Dispatch for MyProgV1 {
/// #     fn dispatch(&self, _: &CallContext, _: &[u8], _: &mut Vec<u8>) -> Result<(), ProcError> { Ok(()) }
/// # }
/// let server = Server::builder()
///     .register(0x2000_0001, 1, MyProgV1)
///     .listen_tcp("127.0.0.1:0".parse().unwrap())
///     .listen_udp("127.0.0.1:0".parse().unwrap())
///     .build()?;
/// let handle = server.spawn()?;
/// // ...
/// handle.shutdown()?;
/// # Ok::<(), svc::Error>(())
/// ```
pub struct ServerBuilder {
    registry: Registry,
    error: Option<Error>,
    listen: Vec<ListenAddr>,
    /// IPv6 multicast groups and the interfaces to join them on.
    multicast_v6: Vec<(Ipv6Addr, u32)>,
    workers: usize,
    limits: Limits,
    in_order: bool,
    duplicate_cache: Option<DuplicateCache>,
    portmapper: Option<portmapper::Rpcbind>,
}

impl Default for ServerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// The default number of worker threads: twice the processors, at least 4,
/// so that a few slow procedures leave room for the rest.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get).saturating_mul(2).max(4)
}

impl ServerBuilder {
    /// A builder with no programs, no listeners, [`default_workers`] workers,
    /// default [`Limits`], calls of a connection in parallel and no
    /// duplicate request cache.
    pub fn new() -> Self {
        ServerBuilder {
            registry: Registry::default(),
            error: None,
            listen: Vec::new(),
            multicast_v6: Vec::new(),
            workers: default_workers(),
            limits: Limits::default(),
            in_order: false,
            duplicate_cache: None,
            portmapper: None,
        }
    }

    /// Exports version `vers` of program `prog`, served by `dispatcher`.
    /// Register each version of a program (they may share one dispatcher
    /// through an `Arc`); registering a pair twice makes `build` fail.
    pub fn register(self, prog: u32, vers: u32, dispatcher: impl Dispatch) -> Self {
        self.register_arc(prog, vers, Arc::new(dispatcher))
    }

    /// Like [`ServerBuilder::register`], for a dispatcher already shared.
    pub fn register_arc(mut self, prog: u32, vers: u32, dispatcher: Arc<dyn Dispatch>) -> Self {
        if let Err(e) = self.registry.insert(prog, vers, dispatcher) {
            self.error.get_or_insert(e);
        }
        self
    }

    /// Listens for TCP connections on `addr` (port 0 picks a free port; see
    /// [`Server::local_addrs`]).
    pub fn listen_tcp(mut self, addr: SocketAddr) -> Self {
        self.listen.push(ListenAddr::Tcp(addr));
        self
    }

    /// Receives UDP calls on `addr`.
    pub fn listen_udp(mut self, addr: SocketAddr) -> Self {
        self.listen.push(ListenAddr::Udp(addr));
        self
    }

    /// Joins IPv6 multicast `group` on interface `index` (0: the one the
    /// kernel routes the group to) with every UDP listener bound to the
    /// IPv6 wildcard address, so that calls sent to the group reach the
    /// server (rpcbind's ff02::202). A join the kernel refuses is logged
    /// and skipped: the server still serves its unicast addresses.
    pub fn join_multicast_v6(mut self, group: Ipv6Addr, index: u32) -> Self {
        self.multicast_v6.push((group, index));
        self
    }

    /// Listens for Unix stream connections at `path`, which must not exist;
    /// the socket file is removed when the server stops.
    pub fn listen_unix(mut self, path: impl Into<PathBuf>) -> Self {
        self.listen.push(ListenAddr::Unix(path.into()));
        self
    }

    /// Runs procedures on `n` worker threads; 0 runs them on the I/O thread
    /// (single-threaded: lowest latency for quick procedures, but a slow
    /// one stalls every client).
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n;
        self
    }

    /// Sets the resource limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// With `true`, every call of a stream connection starts after the
    /// previous one finished, as in libtirpc's single-threaded server, for
    /// programs that rely on it (other connections still run in parallel).
    /// By default calls of one connection run in parallel on the workers
    /// and their replies leave as they complete; only one-way calls
    /// ([`Dispatch::one_way`]) wait for the calls before them and hold back
    /// the calls after them. UDP calls have no order either way.
    pub fn in_order(mut self, in_order: bool) -> Self {
        self.in_order = in_order;
        self
    }

    /// Runs calls at most once: retransmissions are answered from a
    /// duplicate request cache (see [`DuplicateCache`] for what counts as a
    /// retransmission and what is kept). Off by default.
    pub fn duplicate_cache(mut self, cache: DuplicateCache) -> Self {
        self.duplicate_cache = Some(cache);
        self
    }

    /// Advertises every program on every listener with this portmapper
    /// (e.g. [`portmapper::Rpcbind::local`]): `build` registers them once
    /// the listeners are bound, replacing stale registrations of the same
    /// program, version and transport as rpcgen's servers do, and they are
    /// unregistered when the server stops. Without this call nothing is
    /// registered.
    pub fn portmapper(mut self, rpcbind: portmapper::Rpcbind) -> Self {
        self.portmapper = Some(rpcbind);
        self
    }

    /// Checks the configuration, binds every listener and, when asked,
    /// registers with the portmapper.
    pub fn build(self) -> Result<Server> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.listen.is_empty() {
            return Err(Error::NoListeners);
        }
        self.limits.validate()?;
        if let Some(cache) = &self.duplicate_cache {
            cache.validate()?;
        }
        let poll = Poll::new()?;
        let mut listeners = Vec::with_capacity(self.listen.len());
        let mut bound = Vec::with_capacity(self.listen.len());
        for want in &self.listen {
            match want {
                ListenAddr::Tcp(addr) => {
                    let (l, local) = listener::bind_tcp(*addr)?;
                    listeners.push(Listener::Tcp(l));
                    bound.push(ListenAddr::Tcp(local));
                }
                ListenAddr::Udp(addr) => {
                    let (s, local) = listener::bind_udp(*addr)?;
                    if addr.ip() == IpAddr::V6(Ipv6Addr::UNSPECIFIED) {
                        join_groups(&s, local, &self.multicast_v6);
                    }
                    listeners.push(Listener::Udp(UdpEndpoint::new(s)));
                    bound.push(ListenAddr::Udp(local));
                }
                ListenAddr::Unix(path) => {
                    let (l, guard) = listener::bind_unix(path)?;
                    listeners.push(Listener::Unix { listener: l, _file: guard });
                    bound.push(ListenAddr::Unix(path.clone()));
                }
            }
        }
        let programs = self.registry.pairs();
        let advertisement = match self.portmapper {
            Some(rpcbind) => Some(Advertisement::register(rpcbind, &programs, &bound)?),
            None => None,
        };
        let shutdown = Arc::new(AtomicBool::new(false));
        let cache = self.duplicate_cache.map(|c| Arc::new(ReplyCache::new(c)));
        let config = Config {
            limits: self.limits,
            workers: self.workers,
            in_order: self.in_order,
            cache: cache.clone(),
        };
        let event_loop = EventLoop::new(
            poll,
            listeners,
            Arc::new(self.registry),
            config,
            Arc::clone(&shutdown),
        )?;
        Ok(Server::new(event_loop, bound, programs, advertisement, shutdown, cache))
    }
}

/// Joins each of `groups` with the UDP socket bound at `local`, logging
/// the joins the kernel refuses.
fn join_groups(socket: &mio::net::UdpSocket, local: SocketAddr, groups: &[(Ipv6Addr, u32)]) {
    for (group, index) in groups {
        match socket.join_multicast_v6(group, *index) {
            Ok(()) => log::debug!("udp {local}: joined {group} on interface {index}"),
            Err(e) => log::warn!("udp {local}: cannot join {group} on interface {index}: {e}"),
        }
    }
}
