//! Starting in the background, as rpcbind does without `-f`, but without
//! `fork(2)` (the crate forbids unsafe code): the daemon starts itself
//! again with `--detached`, in its own process group, standard input and
//! error on `/dev/null` and standard output a pipe on which the child
//! says `ready` once its sockets are bound, or why it could not start.
//! The parent exits with that verdict, so `rpcbind && rpcinfo` works.
//! The working directory is kept (relative paths in the options stay
//! valid).

use std::fmt::Display;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

/// What the child writes when it serves.
const READY: &str = "ready";

/// Starts the daemon in the background with this process's arguments and
/// waits until it serves; `Err` says why it did not.
pub fn start_in_background() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find my executable: {e}"))?;
    let mut child = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .arg("--detached")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start in the background: {e}"))?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        BufReader::new(out).read_line(&mut line).map_err(|e| e.to_string())?;
    }
    match line.trim_end() {
        READY => Ok(()),
        "" => {
            let status = child.wait().map_err(|e| e.to_string())?;
            Err(format!("the daemon stopped before it was ready ({status})"))
        }
        why => Err(why.to_owned()),
    }
}

/// In the background child: tells the parent it serves.
pub fn report_ready() {
    report(READY);
}

/// In the background child: tells the parent why it cannot start.
pub fn report_failure(why: &dyn Display) {
    report(&why.to_string());
}

fn report(line: &str) {
    let mut out = io::stdout().lock();
    // The parent may be gone (killed); nothing else to tell it then.
    let _ = writeln!(out, "{}", line.replace('\n', " ")).and_then(|()| out.flush());
}
