//! [`Error`]: why the daemon could not start. Whatever a client does wrong
//! is answered on the wire, never an `Error`.

use std::io;
use std::path::PathBuf;

/// Why the daemon could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The state directory could not be created, locked or written.
    #[error("state directory {path}: {source}")]
    StateDir {
        /// The directory.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// The local socket's path is taken by a live server, or cannot be
    /// prepared.
    #[error("local socket {path}: {source}")]
    Socket {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// A `-h` address is neither an address nor a resolvable name.
    #[error("cannot use -h {0}: not an address of this host")]
    Host(String),
    /// Binding or running the server failed.
    #[error("{0}")]
    Server(#[from] svc::Error),
    /// Privileges could not be dropped (`-s`).
    #[error("cannot drop privileges: {0}")]
    Privileges(io::Error),
}
