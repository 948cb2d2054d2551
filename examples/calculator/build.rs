//! Generates `calculator.rs` in `OUT_DIR` from `calculator.x`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rpcgen::Builder::new().file("calculator.x").generate()?;
    Ok(())
}
