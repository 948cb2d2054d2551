//! [`Names`]: the name server, found through the portmapper of its node
//! ([`dpc::locate`]) and called over one kept connection.
//!
//! A call whose kept connection broke is sent again on a new one. For
//! NAMES_REGISTER that may, rarely, register twice (the first call
//! executed, its reply lost): the extra id names a live process of this
//! node that this daemon does not know, and is taken back by the
//! recovery at the daemon's next start.

use std::net::IpAddr;
use std::time::Duration;

use dpc::proto::names::{
    DPC_NAMES_PROG, DPC_NAMES_V1, DpcEntry, DpcListArgs, DpcListRes, DpcLocation, DpcLookupRes,
    DpcNamesProgDpcNamesV1Client, DpcRegisterRes, DpcStatus, PidD,
};

use oncrpc::clnt::ClientBuilder;

use crate::connections::{Connections, Unreachable};
use dpc::locate;

/// The name server's client.
#[derive(Debug)]
pub(crate) struct Names {
    node: IpAddr,
    pmap_port: u16,
    timeout: Duration,
    reserved_port: bool,
    conns: Connections<DpcNamesProgDpcNamesV1Client>,
}

impl Names {
    /// The name server known to the portmapper at `node`, port
    /// `pmap_port`; every connect and call bounded by `timeout`. Calls
    /// from a reserved port when `reserved_port` (the daemon runs as
    /// root), which a root name server requires of changes.
    pub(crate) fn new(
        node: IpAddr,
        pmap_port: u16,
        timeout: Duration,
        reserved_port: bool,
    ) -> Names {
        let conns = Connections::new("name server at", 1);
        Names { node, pmap_port, timeout, reserved_port, conns }
    }

    fn call<R>(
        &self,
        call: impl Fn(&DpcNamesProgDpcNamesV1Client) -> Result<R, oncrpc::clnt::Error>,
    ) -> Result<R, Unreachable> {
        let connect = || {
            let builder =
                ClientBuilder::new(DPC_NAMES_PROG, DPC_NAMES_V1).reserved_port(self.reserved_port);
            match locate::program(self.node, self.pmap_port, builder, self.timeout) {
                Ok(client) => Ok(DpcNamesProgDpcNamesV1Client::new(client)),
                Err(e) => {
                    log::warn!("cannot reach the name server on {}: {e}", self.node);
                    Err(Unreachable)
                }
            }
        };
        self.conns.call(self.node, connect, call)
    }

    /// NAMES_REGISTER: a new id for `location`.
    pub(crate) fn register(&self, location: &DpcLocation) -> Result<DpcRegisterRes, Unreachable> {
        self.call(|c| c.register(location))
    }

    /// NAMES_UNREGISTER: removes `entry` if id, node, pid and start time
    /// all match.
    pub(crate) fn unregister(&self, entry: &DpcEntry) -> Result<DpcStatus, Unreachable> {
        self.call(|c| c.unregister(entry))
    }

    /// NAMES_LOOKUP: where `id` runs.
    pub(crate) fn lookup(&self, id: PidD) -> Result<DpcLookupRes, Unreachable> {
        self.call(|c| c.lookup(&id))
    }

    /// NAMES_LIST: one page of the table.
    pub(crate) fn list(&self, args: &DpcListArgs) -> Result<DpcListRes, Unreachable> {
        self.call(|c| c.list(args))
    }
}
