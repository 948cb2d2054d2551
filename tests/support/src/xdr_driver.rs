//! Running a C "XDR driver": a program built from a `.x` with rpcgen's XDR
//! routines that answers `encode N` (print sample N's encoding) and
//! `reencode` (decode stdin, encode it again, print it).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A built XDR driver.
#[derive(Debug, Clone)]
pub struct XdrDriver {
    path: PathBuf,
}

impl XdrDriver {
    /// The driver at `path`.
    pub fn new(path: impl AsRef<Path>) -> XdrDriver {
        XdrDriver { path: path.as_ref().to_owned() }
    }

    /// The C encoding of sample `n`.
    pub fn encode(&self, n: u8) -> Vec<u8> {
        let out = Command::new(&self.path)
            .args(["encode", &n.to_string()])
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", self.path.display()));
        assert!(
            out.status.success(),
            "driver encode {n}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// What libtirpc makes of `bytes`: decoded and encoded again, or the
    /// driver's complaint when it cannot decode them.
    pub fn reencode(&self, bytes: &[u8]) -> Result<Vec<u8>, String> {
        let mut child = Command::new(&self.path)
            .arg("reencode")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", self.path.display()));
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(bytes).unwrap_or_else(|e| panic!("driver stdin: {e}"));
        }
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("driver: {e}"));
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}
