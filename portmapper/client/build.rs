//! Generates the protocol types and client stubs of `proto/pmap_prot.x`
//! and `proto/rpcb_prot.x` in `OUT_DIR`. The daemon generates its server
//! traits from the same files.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rpcgen::Builder::new()
        .file("proto/pmap_prot.x")
        .file("proto/rpcb_prot.x")
        .emit(rpcgen::Parts::TYPES | rpcgen::Parts::CLIENT)
        .runtime_crate("crate::rt")
        .generate()?;
    Ok(())
}
