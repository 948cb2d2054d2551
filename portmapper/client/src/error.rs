//! [`Error`]: what can go wrong binding or finding a service.

use crate::Netid;

/// Why a portmapper operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The RPC to the portmapper, or to the service, failed.
    #[error("{0}")]
    Rpc(#[from] clnt::Error),
    /// The portmapper refused a registration or unregistration: already
    /// registered, not the owner, or not a local caller.
    #[error("the portmapper refused")]
    Refused,
    /// The portmapper answered but has no such registration.
    #[error("program not registered")]
    NotRegistered,
    /// A universal address could not be parsed.
    #[error("bad universal address {0:?}")]
    BadUaddr(String),
    /// A netid this library does not know.
    #[error("unknown netid {0:?}")]
    UnknownNetid(String),
    /// A broadcast found nowhere to go: no interface that is up and can
    /// broadcast or multicast, or no destination given.
    #[error("no network to broadcast on")]
    NoBroadcastDestination,
    /// The host name could not be resolved for the transport.
    #[error("unknown host {host:?} for {netid}")]
    UnknownHost {
        /// The name given.
        host: String,
        /// The transport it was wanted for.
        netid: Netid,
    },
}
