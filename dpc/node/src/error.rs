//! [`Error`]: why the daemon could not start or stopped. What a caller
//! does wrong is answered with a `dpc_status`, never an `Error`.

use std::io;
use std::net::IpAddr;
use std::path::PathBuf;

/// Why the node daemon could not start, or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The local socket's path cannot be used: a server listens on it, it
    /// is not a socket, or the file system refused.
    #[error("local socket {}: {source}", path.display())]
    Socket {
        /// The path of the local socket.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// This node's address cannot name it: the unspecified address (or
    /// a multicast one), which other nodes cannot reach.
    #[error("{0} cannot be a node's address")]
    Address(IpAddr),
    /// Binding the listeners, registering with this node's portmapper, or
    /// serving failed.
    #[error("{0}")]
    Server(#[from] oncrpc::svc::Error),
    /// A resource of the exit watcher or a background thread could not be
    /// created.
    #[error("cannot create the {what}: {source}")]
    Setup {
        /// What was being created.
        what: &'static str,
        /// What the system said.
        source: io::Error,
    },
    /// A background thread panicked.
    #[error("the {0} thread panicked")]
    Panicked(&'static str),
}
