//! `dpc kill [-s SIG] PID_D`: `kill_d` from the shell, through this
//! node's daemon (`$DPC_SOCKET`), with the caller's own rights.

use dpc::PidD;

use crate::signals;

/// The arguments of `dpc kill`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct KillArgs {
    /// The signal: a name (TERM, SIGUSR1) or a number (0 checks only).
    #[arg(short = 's', long = "signal", default_value = "TERM")]
    signal: String,
    /// The process's cluster-wide id.
    pid_d: PidD,
}

/// Sends the signal.
pub(crate) fn run(args: &KillArgs) -> Result<(), Box<dyn std::error::Error>> {
    let sig = signals::parse(&args.signal)?;
    dpc::kill_d(args.pid_d, sig).map_err(|e| format!("kill {}: {e}", args.pid_d))?;
    Ok(())
}
