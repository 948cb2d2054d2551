//! Golden files: expected output kept next to its input and rewritten on
//! request (`BLESS=1`) after an intended change, then reviewed as a diff.

use std::path::{Path, PathBuf};

/// The `.x` files of `dir`, sorted.
pub fn x_files(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    let dir = dir.as_ref();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "x"))
        .collect();
    files.sort();
    files
}

/// Compares `actual` with the file `expected` and records a failure when
/// they differ; with `BLESS` set in the environment, rewrites the file.
/// A short difference is shown whole, a long one only named.
pub fn check(expected: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(expected, actual).unwrap_or_else(|e| panic!("{}: {e}", expected.display()));
        return;
    }
    const SHOWN: usize = 4000;
    match std::fs::read_to_string(expected) {
        Ok(want) if want == actual => {}
        Ok(want) if want.len() + actual.len() <= SHOWN => failures.push(format!(
            "{} differs (run with BLESS=1 to accept):\n--- expected\n{want}\n--- actual\n{actual}",
            expected.display()
        )),
        Ok(_) => failures.push(format!(
            "{} differs (run with BLESS=1 to accept, then review the diff)",
            expected.display()
        )),
        Err(e) => {
            failures.push(format!("{}: {e} (run with BLESS=1 to create it)", expected.display()))
        }
    }
}
