//! Preprocess + parse + resolve of arbitrary bytes, entirely in memory.
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run idl_frontend` (from the repo root).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // `#include "inc.x"` finds this file; anything else is "not found".
    let mut loader = idl::MemoryLoader::new();
    loader.insert("inc.x", "const INC = 1;\nstruct inc_s { int a; inc_s *next; };\n");
    let opts = idl::Options::new().rpcgen_defines().define("FUZZ", Some("2"));
    let c = idl::compile_str("fuzz.x", &text, &opts, &loader);
    // Rendering walks every span: it must not panic either.
    let _ = c.render_diagnostics();
    if let Some(ir) = &c.ir {
        let _ = ir.dump(&c.sources);
        assert!(!c.has_errors());
    }
});
