//! [`NameServer`]: the store opened and locked, the TCP listener bound,
//! the program registered with this node's portmapper (unless
//! `--no-advertise`), ready to serve on this thread ([`NameServer::run`])
//! or another ([`NameServer::spawn`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use dpc::proto::names::{DPC_NAMES_PROG, DPC_NAMES_V1, NAMES_LOOKUP};
use oncrpc::portmapper::Rpcbind;
use oncrpc::svc::{Inline, Limits, Server, ServerHandle, ShutdownTrigger};

use crate::error::Error;
use crate::options::Options;

/// The largest call record taken: the largest call (UNREGISTER with a
/// 64-byte node) is about 200 bytes with its header and credentials.
const MAX_RECORD: usize = 8 << 10;
/// Time allowed for each call to the portmapper.
const PMAP_TIMEOUT: Duration = Duration::from_secs(5);

/// The name server, bound and ready to serve.
#[derive(Debug)]
pub struct NameServer {
    server: Server,
    tcp_addr: SocketAddr,
}

impl NameServer {
    /// Opens the store (creating it and its directories), binds the TCP
    /// listener and, unless `no_advertise`, registers with the portmapper.
    pub fn bind(opts: &Options) -> Result<NameServer, Error> {
        let reserved_only = dpc::reserved::running_as_root() && !opts.insecure;
        let asked = SocketAddr::new(opts.listen, opts.port);
        // A LOOKUP is one read of the table: the I/O thread answers it, as
        // it answers NULL. REGISTER and UNREGISTER wait for an fsync.
        let names = Inline::new(crate::dispatcher(&opts.db, reserved_only)?, &[NAMES_LOOKUP]);
        let mut builder = Server::builder()
            .register(DPC_NAMES_PROG, DPC_NAMES_V1, names)
            .listen_tcp(asked)
            .limits(Limits { max_record: MAX_RECORD, ..Limits::default() });
        if !opts.no_advertise {
            builder = builder.portmapper(portmapper(opts));
        }
        let server = builder.build()?;
        let tcp_addr = server.tcp_addr().unwrap_or(asked);
        log::info!("name server on {tcp_addr}, store {}", opts.db.display());
        Ok(NameServer { server, tcp_addr })
    }

    /// The address the TCP listener is bound to (the port filled in).
    pub fn tcp_addr(&self) -> SocketAddr {
        self.tcp_addr
    }

    /// A trigger that stops [`NameServer::run`] from another thread (a
    /// signal handler's, say): calls in progress finish, the portmapper
    /// registration is removed, the store is closed.
    pub fn shutdown_trigger(&self) -> ShutdownTrigger {
        self.server.shutdown_trigger()
    }

    /// Serves on this thread until a shutdown (see
    /// [`NameServer::shutdown_trigger`]) or a failure.
    pub fn run(self) -> Result<(), Error> {
        Ok(self.server.run()?)
    }

    /// Serves on a new thread; dropping the handle (or
    /// [`ServerHandle::shutdown`]) stops the server, unregisters it from
    /// the portmapper and closes the store.
    pub fn spawn(self) -> Result<ServerHandle, Error> {
        Ok(self.server.spawn()?)
    }
}

/// This node's portmapper: its local socket first, then TCP at the
/// listening address (127.0.0.1 when listening on every address).
fn portmapper(opts: &Options) -> Rpcbind {
    let ip =
        if opts.listen.is_unspecified() { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { opts.listen };
    Rpcbind::at(SocketAddr::new(ip, opts.pmap_port))
        .socket(Some(opts.rpcbind_socket.clone()))
        .timeout(PMAP_TIMEOUT)
}
