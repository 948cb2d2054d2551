//! The crate's fatal errors: problems that stop a compilation before any
//! diagnostic can be reported. Problems in the `.x` text itself are
//! [`Diagnostic`](crate::Diagnostic) values, never errors.

use std::path::PathBuf;

/// A fatal front-end error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The root `.x` file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
}
