//! Golden tests: `tests/fixtures/*.x` must resolve and dump to the IR in
//! the `.ir` file next to it; `tests/errors/*.x` must fail with exactly the
//! diagnostics in the `.stderr` file next to it.
//!
//! Run `BLESS=1 cargo test -p idl --test golden` to rewrite the expected
//! files after an intended change, then review the diff.

use test_support::golden::{check, x_files};

fn options() -> idl::Options {
    idl::Options::new().rpcgen_defines().include_dir("tests/fixtures/include")
}

#[test]
fn fixtures_resolve_to_golden_ir() {
    let mut failures = Vec::new();
    let files = x_files("tests/fixtures");
    assert!(!files.is_empty());
    for f in files {
        let c = idl::compile_file(&f, &options()).unwrap_or_else(|e| panic!("{e}"));
        let Some(ir) = &c.ir else {
            failures.push(format!("{} failed:\n{}", f.display(), c.render_diagnostics()));
            continue;
        };
        let mut text = ir.dump(&c.sources);
        if !c.diagnostics.is_empty() {
            text.push_str("\n--- diagnostics\n");
            text.push_str(&c.render_diagnostics());
        }
        check(&f.with_extension("ir"), &text, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn errors_match_golden_diagnostics() {
    let mut failures = Vec::new();
    let files = x_files("tests/errors");
    assert!(!files.is_empty());
    for f in files {
        let c = idl::compile_file(&f, &options()).unwrap_or_else(|e| panic!("{e}"));
        if !c.has_errors() || c.ir.is_some() {
            failures.push(format!("{} was accepted", f.display()));
            continue;
        }
        check(&f.with_extension("stderr"), &c.render_diagnostics(), &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
