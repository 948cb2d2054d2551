//! Listening sockets: binding TCP, UDP and Unix stream listeners with the
//! options a server wants, and the addresses they ended up on.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use mio::net::{TcpListener, UdpSocket, UnixListener};
use socket2::{Domain, Protocol, Socket, Type};

use crate::context::Transport;
use crate::error::Error;

/// Where a server listens, as asked for or (after binding) as bound.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListenAddr {
    /// A TCP listener.
    Tcp(SocketAddr),
    /// A UDP socket.
    Udp(SocketAddr),
    /// A Unix stream listener at this path.
    Unix(PathBuf),
}

impl ListenAddr {
    /// The transport of the listener.
    pub fn transport(&self) -> Transport {
        match self {
            ListenAddr::Tcp(_) => Transport::Tcp,
            ListenAddr::Udp(_) => Transport::Udp,
            ListenAddr::Unix(_) => Transport::Unix,
        }
    }

    /// The IP address and port, for TCP and UDP.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        match self {
            ListenAddr::Tcp(a) | ListenAddr::Udp(a) => Some(*a),
            ListenAddr::Unix(_) => None,
        }
    }
}

impl fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenAddr::Tcp(a) => write!(f, "tcp {a}"),
            ListenAddr::Udp(a) => write!(f, "udp {a}"),
            ListenAddr::Unix(p) => write!(f, "unix {}", p.display()),
        }
    }
}

/// Backlog of pending TCP and Unix connections.
const BACKLOG: i32 = 1024;

/// A non-blocking, close-on-exec socket of the right family for `addr`;
/// IPv6 sockets are IPv6 only, so
/// that an IPv4 listener on the same port can coexist.
fn socket_for(addr: SocketAddr, ty: Type, protocol: Protocol) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), ty, Some(protocol))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    Ok(socket)
}

fn bind_error(transport: Transport, addr: impl fmt::Display) -> impl FnOnce(io::Error) -> Error {
    move |source| Error::Bind { transport, addr: addr.to_string(), source }
}

/// Binds a TCP listener (with `SO_REUSEADDR`, so a restarted server can
/// take its port back while old connections linger in TIME_WAIT).
pub(crate) fn bind_tcp(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), Error> {
    let bind = || -> io::Result<(TcpListener, SocketAddr)> {
        let socket = socket_for(addr, Type::STREAM, Protocol::TCP)?;
        socket.set_reuse_address(true)?;
        socket.bind(&addr.into())?;
        socket.listen(BACKLOG)?;
        let listener = TcpListener::from_std(socket.into());
        let local = listener.local_addr()?;
        Ok((listener, local))
    };
    bind().map_err(bind_error(Transport::Tcp, addr))
}

/// Binds a UDP socket.
pub(crate) fn bind_udp(addr: SocketAddr) -> Result<(UdpSocket, SocketAddr), Error> {
    let bind = || -> io::Result<(UdpSocket, SocketAddr)> {
        let socket = socket_for(addr, Type::DGRAM, Protocol::UDP)?;
        socket.bind(&addr.into())?;
        let socket = UdpSocket::from_std(socket.into());
        let local = socket.local_addr()?;
        Ok((socket, local))
    };
    bind().map_err(bind_error(Transport::Udp, addr))
}

/// Binds a Unix stream listener at `path`, which must not exist yet. The
/// returned guard removes the socket file when dropped.
pub(crate) fn bind_unix(path: &Path) -> Result<(UnixListener, UnixPath), Error> {
    let listener = UnixListener::bind(path).map_err(bind_error(Transport::Unix, path.display()))?;
    Ok((listener, UnixPath(path.to_path_buf())))
}

/// The path of a bound Unix listener; dropping it removes the socket file.
#[derive(Debug)]
pub(crate) struct UnixPath(pub(crate) PathBuf);

impl Drop for UnixPath {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.0) {
            log::debug!("cannot remove {}: {e}", self.0.display());
        }
    }
}
