//! Generates the types of `fuzz.x` for the `xdr_generated` target twice:
//! strings as bytes (`OUT_DIR/bytes/fuzz.rs`, rpcgen's default) and as
//! checked UTF-8 (`OUT_DIR/utf8/fuzz.rs`).

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    for (dir, utf8) in [("bytes", false), ("utf8", true)] {
        rpcgen::Builder::new()
            .file("fuzz.x")
            .emit(rpcgen::Parts::TYPES)
            .utf8_strings(utf8)
            .out_dir(out.join(dir))
            .emit_rerun_if_changed(true)
            .generate()?;
    }
    Ok(())
}
