//! Generates the daemon's server traits from the protocol files of the
//! `portmapper` crate; the types they name come from
//! `portmapper::proto` (see `src/proto.rs`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rpcgen::Builder::new()
        .file("../client/proto/pmap_prot.x")
        .file("../client/proto/rpcb_prot.x")
        .emit(rpcgen::Parts::SERVER)
        .runtime_crate("crate::rt")
        .generate()?;
    Ok(())
}
