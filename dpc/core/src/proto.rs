//! The protocol types and client stubs rpcgen generates from the `.x`
//! files in `dpc/proto` (see `build.rs`).

/// The name service: [`names::DpcLocation`], [`names::DpcEntry`], the
/// results, and the client [`names::DpcNamesProgDpcNamesV1Client`].
#[allow(missing_docs)]
pub mod names {
    include!(concat!(env!("OUT_DIR"), "/dpc_names.rs"));
}

/// The node service: [`node::DpcKillArgs`], [`node::DpcSignalArgs`] and
/// the client [`node::DpcNodeProgDpcNodeV1Client`].
#[allow(missing_docs)]
pub mod node {
    use super::names::*;
    include!(concat!(env!("OUT_DIR"), "/dpc_node.rs"));
}
