//! `dpc worker`: a process that registers itself with its node's daemon,
//! prints its pid_d, then reports every signal it receives, one line each,
//! until SIGTERM or SIGINT, when it unregisters and exits. The demo's and
//! the benchmark's targets, and a quick way to try `dpc kill`.
//!
//! Output, one line per event, flushed at once:
//!
//! ```text
//! registered 7
//! signal 10
//! unregistered 7
//! ```
//!
//! Signals of one kind that arrive while the previous one is still being
//! reported are reported once (the kernel merges pending standard
//! signals too).

use std::io::Write;

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
use signal_hook::iterator::Signals;

/// Runs the worker until SIGTERM or SIGINT.
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut signals = Signals::new([SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH, SIGQUIT, SIGTERM, SIGINT])?;
    let id = dpc::regist()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "registered {id}")?;
    out.flush()?;
    for signal in signals.forever() {
        writeln!(out, "signal {signal}")?;
        out.flush()?;
        if signal == SIGTERM || signal == SIGINT {
            break;
        }
    }
    dpc::uregist(id)?;
    writeln!(out, "unregistered {id}")?;
    out.flush()?;
    Ok(())
}
