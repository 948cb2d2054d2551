//! Generates the name server's trait and dispatcher from
//! `../proto/dpc_names.x`; the types it names come from
//! `dpc::proto::names` (see `src/proto.rs`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rpcgen::Builder::new().file("../proto/dpc_names.x").emit(rpcgen::Parts::SERVER).generate()?;
    Ok(())
}
