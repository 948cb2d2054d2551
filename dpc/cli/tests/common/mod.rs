//! What the dpc tests share: the C example program, built with the
//! system's C compiler against our libraries.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use test_support::{ScratchDir, workspace_bin};

/// A directory for the C programs that both hosts see (each has its own
/// `/run`), removed when dropped.
pub(crate) fn c_dir() -> ScratchDir {
    ScratchDir::new("dpc-c")
}

/// The C example built against the shared library (`shared`) or the
/// static one, in `dir`.
pub(crate) fn c_example(dir: &Path, shared: bool) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../capi");
    let lib_dir = workspace_bin("libdpc.so").parent().unwrap().to_path_buf();
    let out = dir.join(if shared { "example-shared" } else { "example-static" });
    let mut cc = Command::new("cc");
    cc.arg(root.join("c/example.c")).arg("-I").arg(root.join("include")).arg("-o").arg(&out);
    if shared {
        cc.arg("-L").arg(&lib_dir).arg("-ldpc").arg(format!("-Wl,-rpath,{}", lib_dir.display()));
    } else {
        cc.arg(workspace_bin("libdpc.a")).args(["-lpthread", "-ldl", "-lm"]);
    }
    let output = cc.output().unwrap();
    assert!(output.status.success(), "cc failed: {}", String::from_utf8_lossy(&output.stderr));
    out
}

pub(crate) fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
