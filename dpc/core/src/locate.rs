//! Finding the services of a node through the portmapper of that node.
//! Every node's portmapper listens on the same port: 111, or another
//! port all the cluster agrees on (the demo uses an unprivileged one).
//!
//! Only the port of the portmapper's answer is used: the dpc daemons
//! listen on their node's address, which is what the caller knows, while
//! rpcbind answers GETADDR with its own address on the route back to the
//! caller (its address merging) - the node's address between hosts, but
//! not between loopback addresses of one host (127.0.0.2 asked from
//! 127.0.0.1 answers 127.0.0.1).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use oncrpc::clnt::{Client, ClientBuilder};
use oncrpc::portmapper::{self, Netid, Rpcbind, uaddr};

use crate::proto::names::{DPC_NAMES_PROG, DPC_NAMES_V1, DpcNamesProgDpcNamesV1Client};

/// Connects `builder`'s program on `node` over TCP, at the port the
/// portmapper at `node`, port `pmap_port`, gives; each step (connect,
/// call) waits at most `timeout`.
pub fn program(
    node: IpAddr,
    pmap_port: u16,
    builder: ClientBuilder,
    timeout: Duration,
) -> Result<Client, portmapper::Error> {
    let netid = if node.is_ipv6() { Netid::Tcp6 } else { Netid::Tcp };
    let (prog, vers) = builder.program();
    let rpcbind = Rpcbind::at(SocketAddr::new(node, pmap_port)).socket(None).timeout(timeout);
    let found = uaddr::to_socket_addr(&rpcbind.getaddr(prog, vers, netid)?)?;
    let builder = builder.timeout(timeout).connect_timeout(timeout);
    Ok(builder.tcp(SocketAddr::new(node, found.port()))?)
}

/// A client of the name server running on `node`.
pub fn names(
    node: IpAddr,
    pmap_port: u16,
    timeout: Duration,
) -> Result<DpcNamesProgDpcNamesV1Client, portmapper::Error> {
    let builder = ClientBuilder::new(DPC_NAMES_PROG, DPC_NAMES_V1);
    Ok(DpcNamesProgDpcNamesV1Client::new(program(node, pmap_port, builder, timeout)?))
}
