//! [`State`]: what the procedures and the background threads share.

use std::net::IpAddr;

use dpc::proto::names::{DpcEntry, DpcNode, PidD};

use crate::cleanup::Cleanup;
use crate::names::Names;
use crate::peers::Peers;
use crate::registry::{Registered, Registry};

/// The daemon's shared state.
#[derive(Debug)]
pub(crate) struct State {
    /// This node's address.
    pub(crate) address: IpAddr,
    /// The same, as the name server records it.
    pub(crate) node: DpcNode,
    /// The name server.
    pub(crate) names: Names,
    /// The other nodes' daemons.
    pub(crate) peers: Peers,
    /// The processes registered here.
    pub(crate) registry: Registry,
    /// Unregistrations (and the startup recovery) the name server is owed.
    pub(crate) cleanup: Cleanup,
    /// SIGNAL is taken only from reserved source ports (root daemon,
    /// without `--insecure`).
    pub(crate) reserved_only: bool,
}

impl State {
    /// The name server's entry for `process`, registered here as `id`.
    pub(crate) fn entry(&self, id: PidD, process: &Registered) -> DpcEntry {
        DpcEntry { id, node: self.node.clone(), pid: process.pid, started: process.started }
    }
}
