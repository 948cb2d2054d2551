//! The server trait and dispatcher rpcgen generates from
//! `dpc/proto/dpc_names.x` (see `build.rs`), over the types of
//! [`dpc::proto::names`].

/// Version 1 of the name service: the [`server::DpcNamesProgDpcNamesV1`]
/// trait and its dispatcher [`server::DpcNamesProgDpcNamesV1Server`].
#[allow(missing_docs)]
pub mod server {
    use dpc::proto::names::*;
    include!(concat!(env!("OUT_DIR"), "/dpc_names.rs"));
}
