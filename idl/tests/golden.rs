//! Golden tests: `tests/fixtures/*.x` must resolve and dump to the IR in
//! the `.ir` file next to it; `tests/errors/*.x` must fail with exactly the
//! diagnostics in the `.stderr` file next to it.
//!
//! Run `BLESS=1 cargo test -p idl --test golden` to rewrite the expected
//! files after an intended change, then review the diff.

use std::path::{Path, PathBuf};

fn x_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "x"))
        .collect();
    files.sort();
    files
}

/// Compares `actual` with the file `expected`, or rewrites it under BLESS.
fn check(expected: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(expected, actual).unwrap_or_else(|e| panic!("{}: {e}", expected.display()));
        return;
    }
    match std::fs::read_to_string(expected) {
        Ok(want) if want == actual => {}
        Ok(want) => failures.push(format!(
            "{} differs (run with BLESS=1 to accept):\n--- expected\n{want}\n--- actual\n{actual}",
            expected.display()
        )),
        Err(e) => failures.push(format!(
            "{}: {e} (run with BLESS=1 to create it); actual:\n{actual}",
            expected.display()
        )),
    }
}

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
