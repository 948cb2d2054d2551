//! The server traits and dispatchers rpcgen generates from the protocol
//! files (see `build.rs`), over the types of [`portmapper::proto`].

/// Portmap version 2: the [`pmap::PmapProgPmapVers`] trait and its
/// dispatcher [`pmap::PmapProgPmapVersServer`].
#[allow(missing_docs)]
pub mod pmap {
    use portmapper::proto::pmap_prot::*;
    include!(concat!(env!("OUT_DIR"), "/pmap_prot.rs"));
}

/// Rpcbind versions 3 and 4: the [`rpcb::RpcbprogRpcbvers`] and
/// [`rpcb::RpcbprogRpcbvers4`] traits and their dispatchers.
#[allow(missing_docs)]
pub mod rpcb {
    use portmapper::proto::rpcb_prot::*;
    include!(concat!(env!("OUT_DIR"), "/rpcb_prot.rs"));
}
