//! Generates the types and client stubs of the name service
//! (`../proto/dpc_names.x`) and the node service (`../proto/dpc_node.x`)
//! in `OUT_DIR`. The daemons generate their server traits from the same
//! files.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rpcgen::Builder::new()
        .file("../proto/dpc_names.x")
        .file("../proto/dpc_node.x")
        .emit(rpcgen::Parts::TYPES | rpcgen::Parts::CLIENT)
        .generate()?;
    Ok(())
}
