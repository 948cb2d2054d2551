//! [`NodeDaemon`]: the listeners bound (TCP on this node's address, the
//! local socket at mode 0666), the program registered with this node's
//! portmapper, the background threads started and this node's entries
//! taken back from the name server; then served on this thread
//! ([`NodeDaemon::run`]) or another ([`NodeDaemon::spawn`]).

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use dpc::proto::names::DpcNode;
use dpc::proto::node::{DPC_NODE_PROG, DPC_NODE_V1, NODE_SIGNAL};
use oncrpc::portmapper::Rpcbind;
use oncrpc::svc::{Inline, Limits, Server, ServerHandle, ShutdownTrigger};
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

use crate::background::Background;
use crate::cleanup::Cleanup;
use crate::error::Error;
use crate::names::Names;
use crate::options::Options;
use crate::peers::Peers;
use crate::proto::server::DpcNodeProgDpcNodeV1Server;
use crate::recovery;
use crate::registry::{MAX_REGISTERED, Registry};
use crate::service::Service;
use crate::state::State;
use crate::wake::Wake;

/// The largest call record taken: every call of the protocol fits many
/// times over (as rpcbind's `RPC_MAXDATASIZE`).
const MAX_RECORD: usize = 9000;
/// Calls of one connection in progress at once: a client waiting on
/// unreachable nodes holds at most this many workers.
const MAX_IN_FLIGHT: usize = 4;
/// The fewest worker threads: KILL waits on the name server and the
/// target's node.
const MIN_WORKERS: usize = 16;

/// The node daemon, bound and ready to serve.
#[derive(Debug)]
pub struct NodeDaemon {
    server: Server,
    background: Background,
}

impl NodeDaemon {
    /// Binds the listeners, registers with this node's portmapper, starts
    /// the exit watcher and takes back this node's entries from the name
    /// server (if it cannot be reached, that is retried in the
    /// background).
    pub fn bind(opts: &Options) -> Result<NodeDaemon, Error> {
        let timeout = opts.timeout();
        let state = state(opts)?;
        raise_fd_limit();

        oncrpc::svc::reclaim_socket_path(&opts.socket)
            .map_err(|source| Error::Socket { path: opts.socket.clone(), source })?;
        let rpcbind = Rpcbind::at(SocketAddr::new(opts.address, opts.pmap_port))
            .socket(Some(opts.rpcbind_socket.clone()))
            .timeout(timeout);
        let server = Server::builder()
            .register(
                DPC_NODE_PROG,
                DPC_NODE_V1,
                // SIGNAL reads /proc and calls kill(2): nothing that blocks.
                Inline::new(
                    DpcNodeProgDpcNodeV1Server(Service(Arc::clone(&state))),
                    &[NODE_SIGNAL],
                ),
            )
            .listen_tcp(SocketAddr::new(opts.address, opts.port))
            .listen_unix(opts.socket.clone())
            .workers(oncrpc::svc::default_workers().max(MIN_WORKERS))
            .limits(Limits {
                max_record: MAX_RECORD,
                max_in_flight_per_connection: MAX_IN_FLIGHT,
                // Processes keep their connection for as long as they
                // run; at the connection limit the idlest is closed.
                idle_timeout: None,
                ..Limits::default()
            })
            .portmapper(rpcbind)
            .build()?;
        std::fs::set_permissions(&opts.socket, std::fs::Permissions::from_mode(0o666))
            .map_err(|source| Error::Socket { path: opts.socket.clone(), source })?;

        let background = Background::start(&state)?;
        match recovery::recover(&state) {
            Ok(found) => log::info!("recovered from the name server: {found}"),
            Err(_) => {
                log::warn!("name server unreachable: recovery retried in the background");
                state.cleanup.recover_later();
            }
        }
        Ok(NodeDaemon { server, background })
    }

    /// The TCP listener's address (other nodes' daemons call SIGNAL there).
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.server.tcp_addr()
    }

    /// A trigger that stops [`NodeDaemon::run`] from another thread (or a
    /// signal handler's thread).
    pub fn shutdown_trigger(&self) -> ShutdownTrigger {
        self.server.shutdown_trigger()
    }

    /// Serves on this thread until a shutdown, then stops the background
    /// threads and unregisters from the portmapper.
    pub fn run(self) -> Result<(), Error> {
        let NodeDaemon { server, mut background } = self;
        let served = server.run();
        let stopped = background.stop();
        served?;
        stopped
    }

    /// Serves on a new thread.
    pub fn spawn(self) -> Result<NodeHandle, Error> {
        let NodeDaemon { server, background } = self;
        Ok(NodeHandle { server: server.spawn()?, background })
    }
}

/// A daemon serving on its own thread. Dropping it stops the server and
/// the background threads and waits for them, as
/// [`NodeHandle::shutdown`].
#[derive(Debug)]
pub struct NodeHandle {
    // Dropped in this order: the server first.
    server: ServerHandle,
    background: Background,
}

impl NodeHandle {
    /// The TCP listener's address.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.server.tcp_addr()
    }

    /// A trigger that shuts the server down from another thread.
    pub fn shutdown_trigger(&self) -> ShutdownTrigger {
        self.server.shutdown_trigger()
    }

    /// Stops serving (finishing the calls in progress), stops the
    /// background threads, and waits for all of them.
    pub fn shutdown(self) -> Result<(), Error> {
        let NodeHandle { server, mut background } = self;
        let served = server.shutdown();
        let stopped = background.stop();
        served?;
        stopped
    }
}

/// The daemon's state for `opts`: an empty registry, the name server
/// and the other nodes reached through the portmapper port of `opts`
/// (nothing is connected yet).
fn state(opts: &Options) -> Result<Arc<State>, Error> {
    if opts.address.is_unspecified() || opts.address.is_multicast() {
        return Err(Error::Address(opts.address));
    }
    // The name server keeps addresses canonical (an IPv4-mapped IPv6
    // address as IPv4): so does the daemon, or it would not know its
    // own entries. An address literal is at most 45 bytes: it fits.
    let node = DpcNode::try_from(opts.address.to_canonical().to_string().as_str())
        .map_err(|_| Error::Address(opts.address))?;
    let wake = Wake::new().map_err(|source| Error::Setup { what: "eventfd", source })?;
    let timeout = opts.timeout();
    let root = dpc::reserved::running_as_root();
    Ok(Arc::new(State {
        address: opts.address.to_canonical(),
        node,
        names: Names::new(opts.names, opts.pmap_port, timeout, root),
        peers: Peers::new(opts.pmap_port, timeout, root),
        registry: Registry::new(wake, MAX_REGISTERED, opts.max_per_user as usize),
        cleanup: Cleanup::default(),
        reserved_only: root && !opts.insecure,
    }))
}

/// The node service's dispatcher for `opts`, with an empty registry and
/// without any socket, listener or background thread of its own: what
/// [`NodeDaemon`] serves, for driving the procedures in process (the fuzz
/// targets in `fuzz/` do). Nothing is registered through it except by
/// REGIST, and the procedures that need the name server or another node
/// (REGIST and UREGIST of a registered process, KILL) connect to them as
/// the daemon does.
pub fn dispatcher(opts: &Options) -> Result<impl oncrpc::svc::Dispatch, Error> {
    Ok(DpcNodeProgDpcNodeV1Server(Service(state(opts)?)))
}

/// Raises the soft limit on open files to the hard limit: each registered
/// process holds a pidfd open. Best effort.
fn raise_fd_limit() {
    let limit = getrlimit(Resource::Nofile);
    if let (Some(current), Some(maximum)) = (limit.current, limit.maximum) {
        if current < maximum {
            let raised = Rlimit { current: Some(maximum), maximum: Some(maximum) };
            if let Err(e) = setrlimit(Resource::Nofile, raised) {
                log::warn!("cannot raise the open files limit to {maximum}: {e}");
            }
        }
    }
}
