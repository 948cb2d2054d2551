//! [`Ctx`]: what every mode writes to and looks names up in.

use std::io::Write;

use crate::errors::{Exit, Outcome};
use crate::etc_rpc::RpcNames;

/// Output streams, `/etc/rpc`, and the program's name for the messages
/// the C library prefixes with it (`errx`, `warnx`).
pub(crate) struct Ctx<'a> {
    pub(crate) names: RpcNames,
    pub(crate) out: &'a mut dyn Write,
    pub(crate) err: &'a mut dyn Write,
    /// `program_invocation_short_name`.
    pub(crate) progname: String,
}

impl Ctx<'_> {
    /// Writes `message` and a newline to stderr, then ends with status 1.
    pub(crate) fn fail(&mut self, message: &str) -> Outcome {
        let _ = writeln!(self.err, "{message}");
        Err(Exit)
    }

    /// Writes `text` to stdout.
    pub(crate) fn print(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
    }
}
