//! Generates the node daemon's server trait from `../proto/dpc_node.x`
//! (its types come from `dpc::proto`, see `src/proto.rs`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rpcgen::Builder::new()
        .file("../proto/dpc_node.x")
        .include_dir("../proto")
        .emit(rpcgen::Parts::SERVER)
        .generate()?;
    Ok(())
}
