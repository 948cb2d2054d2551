//! The one error type of the server runtime. These are the server owner's
//! problems (configuration, binding, the event loop's own I/O); what a peer
//! does wrong is answered on the wire or ends that peer's connection, never
//! an `Error`.

use std::io;

/// Result alias for the server runtime.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong building or running a server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A listener could not be created or bound.
    #[error("cannot listen on {transport} {addr}: {source}")]
    Bind {
        /// `tcp`, `udp` or `unix`.
        transport: crate::Transport,
        /// The address or path asked for.
        addr: String,
        /// What the system said.
        source: io::Error,
    },
    /// The same program and version were registered twice.
    #[error("program {prog} version {vers} is registered twice")]
    DuplicateRegistration {
        /// Program number.
        prog: u32,
        /// Version number.
        vers: u32,
    },
    /// The server was built without any listener.
    #[error("no listener configured: call listen_tcp, listen_udp or listen_unix")]
    NoListeners,
    /// A limit makes no sense (zero where at least one is needed).
    #[error("invalid limit: {0}")]
    InvalidLimit(&'static str),
    /// The event loop's own I/O failed (creating the poller, polling).
    #[error("event loop I/O error: {0}")]
    Io(#[from] io::Error),
    /// The portmapper did not register a program (see
    /// [`crate::ServerBuilder::portmapper`]).
    #[error(
        "cannot register program {prog} version {vers} on {netid} with the portmapper: {source}"
    )]
    Register {
        /// Program number.
        prog: u32,
        /// Version number.
        vers: u32,
        /// The listener's transport.
        netid: portmapper::Netid,
        /// The portmapper's refusal or the failed call.
        source: portmapper::Error,
    },
    /// The server thread panicked.
    #[error("the server thread panicked")]
    Panicked,
}
