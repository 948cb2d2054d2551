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
//!   from a reserved source port. Large calls leave in full TCP segments
//!   and large replies are read straight into their buffer; loopback TCP
//!   connections use the `reno` congestion control, which does not pace.
//! * Call models: synchronous ([`Client::call`]); asynchronous
//!   ([`Client::start`]), collected by waiting, waiting with a timeout,
//!   polling or a callback ([`PendingCall`]); one-way
//!   ([`Client::send_oneway`]: handed to the transport, no reply expected);
//!   batched ([`Client::batch`]: one-way calls queued and written together
//!   with the next normal call or [`Client::flush`]).
//! * Many calls in flight on one connection, from many threads or from one
//!   thread; replies are matched by xid, and writes of concurrent calls are
//!   combined. There is no reader thread: a waiting caller reads the socket
//!   itself and hands other calls their replies, so a lone caller's reply
//!   costs no thread switch (callbacks have a completion thread while any
//!   is outstanding).
//! * Credentials (`AUTH_NONE`, `AUTH_SYS` and the `AUTH_SHORT` shorthand a
//!   server hands back) belong to the handle: [`Client::with_auth`] sends
//!   calls with other credentials over the same connection.
//! * UDP calls are resent on a doubling schedule until the call's timeout;
//!   stray and duplicate replies are dropped.
//! * Execution semantics: by default a call is sent once (UDP resends
//!   aside), as libtirpc does; [`ClientBuilder::retries`] sends it again
//!   after a timeout or a broken connection, with the same xid and over a
//!   new connection (at-least-once; exactly-once against a server with a
//!   duplicate request cache). Without retries a broken stream fails every
//!   call on it with [`Error::CantSend`] or [`Error::CantRecv`], and a new
//!   client must be built (libtirpc behaves the same way).
//! * Errors mirror libtirpc's `clnt_stat` ([`Error::stat`]) with
//!   `clnt_perror`'s wording.

mod auth;
mod builder;
mod client;
mod completion;
mod datagram;
mod error;
mod in_flight;
mod link;
mod loopback;
mod pending;
mod reply;
mod resvport;
mod stream;
mod transport;
mod waiters;

pub use auth::Auth;
pub use builder::ClientBuilder;
pub use client::Client;
pub use error::{ClntStat, Error};
pub use loopback::tune_loopback;
pub use pending::PendingCall;
pub use reply::{accepted_results, xid_seed};
pub use resvport::RESERVED_PORTS;
