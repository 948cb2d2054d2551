//! The dpc name server: gives each registered process a cluster-wide id
//! (`pid_d`) and answers where it runs, over the `DPC_NAMES_PROG`
//! program of `dpc/proto/dpc_names.x`. The `dpc` CLI runs it as
//! `dpc name-server`.
//!
//! * [`NameServer`] binds and serves ([`Options`] is its command line,
//!   [`Error`] why it could not);
//! * an entry names a process by node, pid and start time (pids are
//!   reused; with its start time a pid names one process for the life of
//!   the node's boot);
//! * the table lives in an embedded redb store: every acknowledged
//!   REGISTER is on disk before the reply, ids start at 1 and are never
//!   reused;
//! * [`proto`] holds the server trait rpcgen generates.
//!
//! # Trust rule
//!
//! An entry claims that a process runs on a node, and node daemons act on
//! it (they signal the pid it names), so only that node may make or
//! withdraw the claim. REGISTER and UNREGISTER are accepted when the
//! caller's TCP source address is the entry's node address, or when both
//! are loopback addresses (127.0.0.0/8, ::1: nodes sharing one machine,
//! as in the demo on 127.0.0.1, .2 and .3). A caller on a Unix socket
//! counts as loopback; UDP callers are never trusted. Anyone else gets
//! `DPC_PERMISSION` and nothing changes. LOOKUP and LIST are open to all.

mod error;
mod options;
pub mod proto;
mod server;
mod service;
mod store;
mod trust;

pub use error::Error;
pub use oncrpc::svc::{ServerHandle, ShutdownTrigger};
pub use options::Options;
pub use server::NameServer;

use std::path::Path;

/// The name service's dispatcher over the store at `db` (opened, or
/// created, and held until the dispatcher is dropped), without any
/// socket: what [`NameServer`] serves, for driving the procedures in
/// process (the fuzz targets in `fuzz/` do). Changes are taken only from
/// reserved ports when `reserved_only`.
pub fn dispatcher(db: &Path, reserved_only: bool) -> Result<impl oncrpc::svc::Dispatch, Error> {
    let store = store::Store::open(db)?;
    Ok(proto::server::DpcNamesProgDpcNamesV1Server(service::Names::new(store, reserved_only)))
}
