//! The reserved-port rule both daemons apply when they run as root: a
//! caller bound to a port below 1024 (`IPPORT_RESERVED`) had root on its
//! host to bind it, as NFS's `secure` export option assumes; and a root
//! daemon calls from such a port.

use std::net::SocketAddr;

/// Ports below this only root may bind (`IPPORT_RESERVED`).
pub const RESERVED_PORTS: u16 = 1024;

/// True when `peer` is bound to a reserved port.
pub fn from_reserved_port(peer: SocketAddr) -> bool {
    peer.port() < RESERVED_PORTS
}

/// True when this process runs as root: it then calls from reserved ports
/// and, unless told otherwise, believes only callers that do.
pub fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}
