//! The protocol types and client stubs, generated from the `.x` files in
//! `proto/` by our rpcgen (see `build.rs`).

/// Portmap version 2: [`pmap_prot::Mapping`], [`pmap_prot::Pmaplist`],
/// CALLIT's arguments and results, and the client
/// [`pmap_prot::PmapProgPmapVersClient`].
#[allow(missing_docs)]
pub mod pmap_prot {
    include!(concat!(env!("OUT_DIR"), "/pmap_prot.rs"));
}

/// Rpcbind versions 3 and 4: [`rpcb_prot::Rpcb`], the lists, the remote
/// call arguments and results, the statistics, and the clients
/// [`rpcb_prot::RpcbprogRpcbversClient`] (v3) and
/// [`rpcb_prot::RpcbprogRpcbvers4Client`] (v4).
#[allow(missing_docs)]
pub mod rpcb_prot {
    include!(concat!(env!("OUT_DIR"), "/rpcb_prot.rs"));
}

/// The program number of the portmapper and rpcbind: 100000.
pub const PMAP_PROG: u32 = 100_000;
