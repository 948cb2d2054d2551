//! Binding to a reserved source port, as libtirpc's `bindresvport` does,
//! for servers that trust only privileged ports (NFS, rpcbind's owner check).

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use socket2::Socket;

/// The ports `bindresvport` picks from.
pub const RESERVED_PORTS: std::ops::RangeInclusive<u16> = 600..=1023;

/// Binds `socket` to a free port in [`RESERVED_PORTS`] on the unspecified
/// address of the given family. Needs root or `CAP_NET_BIND_SERVICE`.
pub(crate) fn bind_reserved(socket: &Socket, ipv6: bool) -> io::Result<u16> {
    let count = RESERVED_PORTS.len() as u16;
    let start = (std::process::id() % u32::from(count)) as u16;
    for i in 0..count {
        let port = RESERVED_PORTS.start() + (start + i) % count;
        let addr = if ipv6 {
            SocketAddr::from((Ipv6Addr::UNSPECIFIED, port))
        } else {
            SocketAddr::from((Ipv4Addr::UNSPECIFIED, port))
        };
        match socket.bind(&addr.into()) {
            Ok(()) => return Ok(port),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AddrInUse, "every reserved port is in use"))
}
