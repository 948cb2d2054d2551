//! [`Error`]: why the name server could not start or stopped. What a
//! client does wrong is answered on the wire, never an `Error`.

use std::io;
use std::path::PathBuf;

/// Why the name server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store's directory could not be created.
    #[error("cannot create the store's directory {path}: {source}")]
    StoreDir {
        /// The directory.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Another process (another name server) has the store open.
    #[error("store {path} is in use by another process (is a name server already running?)")]
    StoreLocked {
        /// The store's file.
        path: PathBuf,
    },
    /// The store could not be opened, created or repaired.
    #[error("cannot open the store {path}: {source}")]
    Store {
        /// The store's file.
        path: PathBuf,
        /// What the database said.
        source: Box<redb::Error>,
    },
    /// Binding the listener, registering with the portmapper, or running
    /// the server failed.
    #[error("{0}")]
    Server(#[from] oncrpc::svc::Error),
}
