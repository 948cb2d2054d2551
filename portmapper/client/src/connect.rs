//! [`connect`]: a client for a program found through the portmapper of
//! its host, as libtirpc's `clnt_create` makes one.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use clnt::{Client, ClientBuilder};

use crate::binding::{PMAP_PORT, Rpcbind};
use crate::error::Error;
use crate::netid::Netid;
use crate::uaddr;

/// Connects to `prog` version `vers` on `host` over `netid`, asking the
/// host's portmapper where the program listens (`clnt_create`).
///
/// For [`Netid::Local`] the host is ignored and this host's portmapper is
/// asked for the local socket's path. Use [`Rpcbind::connect`] to set the
/// client's timeouts or credentials, or to ask another portmapper.
pub fn connect(host: &str, prog: u32, vers: u32, netid: Netid) -> Result<Client, Error> {
    let rpcbind = match netid {
        Netid::Local => Rpcbind::local(),
        _ => Rpcbind::for_host(host, netid)?,
    };
    rpcbind.connect(ClientBuilder::new(prog, vers), netid)
}

impl Rpcbind {
    /// The portmapper of `host`, at an address of `netid`'s protocol
    /// family, reached over UDP for the UDP netids; with the local socket
    /// too when `host` is a loopback address.
    pub fn for_host(host: &str, netid: Netid) -> Result<Rpcbind, Error> {
        let unknown = || Error::UnknownHost { host: host.to_owned(), netid };
        let ip = (host, PMAP_PORT)
            .to_socket_addrs()
            .map_err(|_| unknown())?
            .map(|a| a.ip())
            .find(|ip| ip.is_ipv6() == netid.is_ipv6())
            .ok_or_else(unknown)?;
        let rpcbind = Rpcbind::at(SocketAddr::new(ip, PMAP_PORT)).udp(netid.is_datagram());
        Ok(if ip.is_loopback() {
            rpcbind.socket(Rpcbind::local().socket_path().map(Into::into))
        } else {
            rpcbind
        })
    }

    /// Finds the program `builder` is for on `netid` and connects to it
    /// with `builder`'s settings. A wildcard address (`0.0.0.0`, `::`) in
    /// the answer means the portmapper's own host.
    pub fn connect(&self, builder: ClientBuilder, netid: Netid) -> Result<Client, Error> {
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
