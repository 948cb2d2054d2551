//! Generates the node daemon's server trait from `../proto/dpc_node.x`
//! (its types come from `dpc::proto`, see `src/proto.rs`), and the name
//! service's server trait, which only the tests use (their in-memory
//! name server implements it).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rpcgen::Builder::new()
        .file("../proto/dpc_node.x")
        .file("../proto/dpc_names.x")
        .include_dir("../proto")
        .emit(rpcgen::Parts::SERVER)
        .generate()?;
    Ok(())
}
