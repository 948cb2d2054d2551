//! Preprocess + parse + resolve of arbitrary bytes, entirely in memory.
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run idl_frontend` (from the repo root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oncrpc_fuzz::{Counting, assert_proportional, measure};

#[global_allocator]
static ALLOC: Counting = Counting;

/// Allocation bound: `PER_BYTE * input + FIXED`, plus `EXPANSION` when
/// the input defines macros.
///
/// Each byte of a `.x` file can be a token (about 64 bytes, in a vector
/// that doubles), then part of an AST node, an IR entry and its dump, or
/// a diagnostic rendered with its source line: a few hundred bytes per
/// byte of input at most (a duplicate `typedef int t;` measured about
/// 1.4 KiB for its 14 bytes); 1 KiB per byte leaves room and still
/// catches anything quadratic. Macro expansion multiplies tokens without
/// input bytes, up to the preprocessor's budget of 200 000 expanded
/// tokens per compilation: at about 360 bytes per expanded token (a
/// 239-byte file expanding 50 000 duplicate typedefs grows memory by
/// 72 MB), 256 MiB covers the budget. `FIXED` covers the predefined
/// macros, the included `inc.x`, and the empty compilation's tables.
const PER_BYTE: usize = 1024;
const FIXED: usize = 1 << 20;
const EXPANSION: usize = 256 << 20;

fuzz_target!(|data: &[u8]| {
    let ((), growth) = measure(|| {
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
    let defines = data.windows(6).any(|w| w == b"define");
    let fixed = if defines { FIXED + EXPANSION } else { FIXED };
    assert_proportional("idl_frontend", growth, data.len(), PER_BYTE, fixed);
});
