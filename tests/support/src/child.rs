//! A child process that is ended by its pid when dropped, and that can
//! end itself when the test process goes away.

use std::io::{BufRead, BufReader};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};

/// A running child process; dropping it kills and reaps it.
///
/// Its stdin is a pipe the test holds open: a peer that exits when its
/// stdin reaches end of file (the C peers do) also ends when the test
/// process exits without dropping it, as with a peer kept in a `static`.
#[derive(Debug)]
pub struct Child {
    inner: std::process::Child,
    stdout: Option<BufReader<ChildStdout>>,
    _stdin: Option<ChildStdin>,
}

impl Child {
    /// Starts `command` with its stdin and stdout piped.
    pub fn spawn(mut command: Command) -> Child {
        let mut inner = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let stdout = inner.stdout.take().map(BufReader::new);
        let stdin = inner.stdin.take();
        Child { inner, stdout, _stdin: stdin }
    }

    /// Reads one line the child printed (without its newline).
    pub fn read_line(&mut self) -> String {
        let mut line = String::new();
        if let Some(out) = self.stdout.as_mut() {
            out.read_line(&mut line).unwrap_or_else(|e| panic!("reading child output: {e}"));
        }
        assert!(!line.is_empty(), "child exited before printing: {:?}", self.inner.try_wait());
        line.trim_end().to_owned()
    }

    /// The child's pid.
    pub fn id(&self) -> u32 {
        self.inner.id()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.inner.kill();
        let _ = self.inner.wait();
    }
}
