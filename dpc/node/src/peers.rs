//! [`Peers`]: the daemons of the other nodes, found through each node's
//! portmapper ([`dpc::locate`]) and called over kept connections, one per node, at most
//! [`MAX_PEERS`].

use std::net::IpAddr;
use std::time::Duration;

use dpc::proto::names::DpcStatus;
use dpc::proto::node::{DPC_NODE_PROG, DPC_NODE_V1, DpcNodeProgDpcNodeV1Client, DpcSignalArgs};
use oncrpc::clnt::{Auth, Client, ClientBuilder};

use crate::connections::{Connections, Unreachable};
use dpc::locate;

/// The most connections kept to other nodes' daemons.
pub(crate) const MAX_PEERS: usize = 64;

/// The other nodes' daemons.
#[derive(Debug)]
pub(crate) struct Peers {
    pmap_port: u16,
    timeout: Duration,
    reserved_port: bool,
    conns: Connections<Client>,
}

impl Peers {
    /// Daemons found through the portmapper on `pmap_port` of their node,
    /// each connect and call bounded by `timeout`, connecting from a
    /// reserved port when `reserved_port` (the daemon runs as root).
    pub(crate) fn new(pmap_port: u16, timeout: Duration, reserved_port: bool) -> Peers {
        Peers { pmap_port, timeout, reserved_port, conns: Connections::new("node", MAX_PEERS) }
    }

    /// Calls SIGNAL at `node`'s daemon with the credentials `auth`.
    pub(crate) fn signal(
        &self,
        node: IpAddr,
        args: &DpcSignalArgs,
        auth: &Auth,
    ) -> Result<DpcStatus, Unreachable> {
        let connect = || {
            let builder =
                ClientBuilder::new(DPC_NODE_PROG, DPC_NODE_V1).reserved_port(self.reserved_port);
            locate::program(node, self.pmap_port, builder, self.timeout).map_err(|e| {
                log::warn!("cannot reach the dpc daemon of {node}: {e}");
                Unreachable
            })
        };
        let call = |client: &Client| {
            DpcNodeProgDpcNodeV1Client::new(client.with_auth(auth.clone())?).signal(args)
        };
        self.conns.call(node, connect, call)
    }
}
