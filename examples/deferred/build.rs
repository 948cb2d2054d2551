//! Generates `deferred.rs` in `OUT_DIR` from `deferred.x`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rpcgen::Builder::new().file("deferred.x").generate()?;
    Ok(())
}
