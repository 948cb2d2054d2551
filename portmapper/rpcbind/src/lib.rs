//! The rpcbind daemon: maps ONC RPC program numbers to universal
//! addresses, speaking portmap v2 and rpcbind v3 and v4 (RFC 1833) over
//! TCP and UDP (IPv4 and IPv6) and a local socket, the way rpcbind 1.2
//! with libtirpc does - the same listing, the same rules for who may
//! register and unregister, the same answers, errors and silences.
//!
//! * [`Daemon`] binds and serves ([`Options`] is its command line);
//! * [`service::Service`] holds the state every version shares: one
//!   [`table::Table`] of registrations, persisted at every change
//!   ([`persist`]), and the [`stats`] GETSTAT reports;
//! * [`pmap`] and [`rpcb`] implement the generated server traits
//!   ([`proto`]), [`front`] counts and screens calls before them;
//! * [`caller`] (who is calling, owners, loopback), [`merge`] (addresses
//!   as the caller reaches them), [`taddr`] (universal <-> transport
//!   addresses), [`rmtcall`] and [`forward`] (remote calls),
//!   [`privileges`] (`-s`), [`detach`] (background start).

pub mod caller;
pub mod config;
pub mod daemon;
pub mod detach;
pub mod error;
pub mod forward;
pub mod front;
pub mod merge;
pub mod persist;
pub mod pmap;
pub mod privileges;
pub mod proto;
pub mod rmtcall;
pub mod rpcb;
pub mod service;
pub mod stats;
pub mod table;
pub mod taddr;

pub use config::Options;
pub use daemon::Daemon;
pub use error::Error;

/// The runtime paths the generated code names (`crate::rt::svc`, ...).
mod rt {
    pub(crate) use ::svc;
    pub(crate) use ::xdr;
}
