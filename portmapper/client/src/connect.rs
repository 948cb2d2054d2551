//! [`connect`]: a client for a program found through the portmapper of
//! its host, as libtirpc's `clnt_create` makes one - with the local fast
//! path (see `local.rs`): asked for TCP to a program on this host that
//! also listens on a registered Unix socket, it connects to that socket.
//! [`connect_exact`] and [`Rpcbind::connect_exact`] use the transport
//! asked for and nothing else, for those who must test or measure TCP
//! itself.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use clnt::{Client, ClientBuilder};

use crate::binding::{PMAP_PORT, Rpcbind};
use crate::error::Error;
use crate::local::is_this_host;
use crate::netid::Netid;
use crate::uaddr;

/// Connects to `prog` version `vers` on `host` over `netid`, asking the
/// host's portmapper where the program listens (`clnt_create`). For TCP
/// (and TCP6) to this host, a Unix socket the program registered for the
/// same version is used instead (see [`Rpcbind::connect`]).
///
/// For [`Netid::Local`] the host is ignored and this host's portmapper is
/// asked for the local socket's path. Use [`Rpcbind::connect`] to set the
/// client's timeouts or credentials, or to ask another portmapper.
pub fn connect(host: &str, prog: u32, vers: u32, netid: Netid) -> Result<Client, Error> {
    portmapper_of(host, netid)?.connect(ClientBuilder::new(prog, vers), netid)
}

/// Like [`connect`], over exactly `netid`: never the local fast path.
pub fn connect_exact(host: &str, prog: u32, vers: u32, netid: Netid) -> Result<Client, Error> {
    portmapper_of(host, netid)?.connect_exact(ClientBuilder::new(prog, vers), netid)
}

/// The portmapper to ask for a program on `host` over `netid`.
fn portmapper_of(host: &str, netid: Netid) -> Result<Rpcbind, Error> {
    match netid {
        Netid::Local => Ok(Rpcbind::local()),
        _ => Rpcbind::for_host(host, netid),
    }
}

impl Rpcbind {
    /// The portmapper of `host`, at an address of `netid`'s protocol
    /// family, reached over UDP for the UDP netids; with the local socket
    /// too when `host` is this host (a loopback address or an address of
    /// one of its interfaces).
    pub fn for_host(host: &str, netid: Netid) -> Result<Rpcbind, Error> {
        let unknown = || Error::UnknownHost { host: host.to_owned(), netid };
        let ip = (host, PMAP_PORT)
            .to_socket_addrs()
            .map_err(|_| unknown())?
            .map(|a| a.ip())
            .find(|ip| ip.is_ipv6() == netid.is_ipv6())
            .ok_or_else(unknown)?;
        let rpcbind = Rpcbind::at(SocketAddr::new(ip, PMAP_PORT)).udp(netid.is_datagram());
        Ok(if is_this_host(ip) {
            rpcbind.socket(Rpcbind::local().socket_path().map(Into::into))
        } else {
            rpcbind
        })
    }

    /// Finds the program `builder` is for on `netid` and connects to it
    /// with `builder`'s settings. For TCP and TCP6, when this portmapper
    /// runs on this host and has a local socket, and the program
    /// registered a Unix socket (netid `local`) for the same version,
    /// the client connects to that socket instead: the local fast path.
    /// Otherwise, and whenever that fails, as [`Rpcbind::connect_exact`].
    pub fn connect(&self, builder: ClientBuilder, netid: Netid) -> Result<Client, Error> {
        if matches!(netid, Netid::Tcp | Netid::Tcp6) {
            if let Some(client) = self.local_route(&builder) {
                return Ok(client);
            }
        }
        self.connect_exact(builder, netid)
    }

    /// Finds the program `builder` is for on `netid` and connects to it
    /// over `netid`, with `builder`'s settings. A wildcard address
    /// (`0.0.0.0`, `::`) in the answer means the portmapper's own host.
    pub fn connect_exact(&self, builder: ClientBuilder, netid: Netid) -> Result<Client, Error> {
        let (prog, vers) = builder.program();
        let found = self.getaddr(prog, vers, netid)?;
        if netid == Netid::Local {
            return Ok(builder.unix(found)?);
        }
        let mut addr = uaddr::to_socket_addr(&found)?;
        if addr.ip().is_unspecified() {
            let host: IpAddr = self.inet_addr().map_or(addr.ip(), |a| a.ip());
            addr.set_ip(host);
        }
        Ok(if netid.is_datagram() { builder.udp(addr)? } else { builder.tcp(addr)? })
    }
}
