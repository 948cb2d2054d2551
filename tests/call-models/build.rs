//! Generates `call_models.rs` in `OUT_DIR` from `call_models.x`, with
//! `RECORD` one-way.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rpcgen::Builder::new().file("call_models.x").one_way("RECORD").generate()?;
    Ok(())
}
