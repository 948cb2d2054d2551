//! The ONC RPC client runtime.
//!
//! ```no_run
//! # fn main() -> Result<(), clnt::Error> {
//! // A null call to rpcbind version 4 over TCP.
//! let client = clnt::ClientBuilder::new(100_000, 4).tcp("127.0.0.1:111")?;
//! let () = client.call(0, &())?;
//! # Ok(())
//! # }
//! ```
//!
//! * Transports: TCP, UDP and Unix stream sockets, IPv4 and IPv6, optionally
//!   from a reserved source port.
//! * Many calls in flight on one connection, from many threads or from one
//!   thread through [`Client::start`]; replies are matched by xid, and
//!   writes of concurrent calls are combined. There is no reader thread: a
//!   waiting caller reads the socket itself and hands other calls their
//!   replies, so a lone caller's reply costs no thread switch.
//! * Credentials (`AUTH_NONE`, `AUTH_SYS` and the `AUTH_SHORT` shorthand a
//!   server hands back) belong to the handle: [`Client::with_auth`] sends
//!   calls with other credentials over the same connection.
//! * UDP calls are resent on a doubling schedule until the call's timeout;
//!   stray and duplicate replies are dropped.
//! * Errors mirror libtirpc's `clnt_stat` ([`Error::stat`]) with
//!   `clnt_perror`'s wording.
//! * There is no automatic reconnection: after a stream fails, every call
//!   on it fails with [`Error::CantSend`] or [`Error::CantRecv`] and a new
//!   client must be built (libtirpc behaves the same way).

mod auth;
mod builder;
mod client;
mod datagram;
mod error;
mod resvport;
mod stream;
mod transport;
mod waiters;

pub use auth::Auth;
pub use builder::ClientBuilder;
pub use client::{Client, PendingCall};
pub use error::{ClntStat, Error};
pub use resvport::RESERVED_PORTS;
