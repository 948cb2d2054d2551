//! What a procedure sees besides its arguments: the [`CallContext`], with
//! the transport, the peer's address, its credentials and, on Unix sockets,
//! its kernel-verified identity.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::credentials::Credentials;

/// Which transport a call arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// TCP, with record marking.
    Tcp,
    /// UDP, one call per datagram.
    Udp,
    /// A Unix stream socket, with record marking.
    Unix,
}

impl Transport {
    /// True for the record-marked stream transports (TCP and Unix).
    pub fn is_stream(self) -> bool {
        !matches!(self, Transport::Udp)
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Unix => "unix",
        })
    }
}

/// Who sent the call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PeerAddr {
    /// An IPv4 or IPv6 peer.
    Inet(SocketAddr),
    /// A Unix-socket peer: its path if it bound one (clients usually do not).
    Unix(Option<PathBuf>),
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerAddr::Inet(addr) => addr.fmt(f),
            PeerAddr::Unix(Some(path)) => path.display().fmt(f),
            PeerAddr::Unix(None) => f.write_str("(unnamed unix socket)"),
        }
    }
}

/// Kernel-verified identity of a Unix-socket peer (`SO_PEERCRED`), taken
/// when the connection was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerCred {
    /// The peer's effective user id.
    pub uid: u32,
    /// The peer's effective group id.
    pub gid: u32,
    /// The peer's process id.
    pub pid: i32,
}

/// What a procedure sees besides its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallContext {
    /// The call's transaction id.
    pub xid: u32,
    /// Program number.
    pub prog: u32,
    /// Program version.
    pub vers: u32,
    /// Procedure number.
    pub proc_num: u32,
    /// The transport the call arrived on.
    pub transport: Transport,
    /// Who sent it.
    pub peer: PeerAddr,
    /// The caller's credentials, as decoded from the call (unverified
    /// except for flavors a dispatcher checks itself).
    pub credentials: Credentials,
    /// The kernel's word on a Unix-socket peer's uid, gid and pid; `None` on
    /// TCP and UDP.
    pub peer_cred: Option<PeerCred>,
}
