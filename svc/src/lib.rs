//! The ONC RPC server runtime: TCP, UDP and Unix stream listeners on one
//! mio event loop, several programs and versions per server, dispatch
//! through [`Dispatch`] (which generated code implements), every error
//! reply, a worker pool, limits, and graceful shutdown.
//!
//! * **Threads.** One I/O thread owns every socket. Calls that reach a
//!   dispatcher run on a pool of worker threads ([`ServerBuilder::workers`]),
//!   so a slow procedure never stalls I/O or other clients, and replies on
//!   one connection go out in the order they complete. Error replies, and
//!   procedures a dispatcher marks cheap ([`Dispatch::runs_inline`]), are
//!   answered on the I/O thread. With `workers(0)` every call runs on the
//!   I/O thread (single-threaded, lowest latency, no isolation).
//! * **Throughput.** Each read takes as many records as arrived; all the
//!   replies queued on a connection leave in one vectored write; a record
//!   that arrived whole in one fragment is decoded in place, without a copy,
//!   and the body of a large fragment is read straight into its record.
//!   Writes are 64 KiB slices, sent with `MSG_MORE` while more are queued,
//!   so that TCP sends full segments; loopback TCP connections use the
//!   `reno` congestion control, which does not pace.
//! * **Limits** ([`Limits`]): record size (checked before the bytes are
//!   stored), connections (the idlest, of the newcomer's transport first,
//!   is evicted to make room), idle timeout, calls in flight and reply
//!   bytes queued per connection (past them the server stops reading that
//!   connection: backpressure, never an unbounded queue), and calls
//!   waiting for a worker.
//! * **Call order.** Calls of one connection run in parallel unless they
//!   must not: a one-way procedure's call ([`Dispatch::one_way`]; it never
//!   gets a reply) runs after every earlier call of its connection
//!   finished and before any later one starts, so batched calls execute in
//!   the order they were sent; [`ServerBuilder::in_order`] orders every
//!   call that way. Calls waiting for their turn count as in flight.
//! * **At most once** ([`DuplicateCache`], off by default): retransmitted
//!   calls are answered from a bounded cache of recent replies instead of
//!   running again; a retransmission of a call still running is dropped.
//! * **Peers.** Procedures see a [`CallContext`]: transport, peer address,
//!   decoded credentials, and on Unix sockets the peer's uid, gid and pid
//!   from the kernel (`SO_PEERCRED`).
//! * **Errors on the wire.** Unknown program: `PROG_UNAVAIL`; unknown
//!   version: `PROG_MISMATCH` with the lowest and highest registered;
//!   RPC version other than 2: `RPC_MISMATCH`; malformed `AUTH_SYS`:
//!   `AUTH_ERROR`/`AUTH_BADCRED`; and [`ProcError`] from the dispatcher:
//!   `PROC_UNAVAIL`, `GARBAGE_ARGS`, `SYSTEM_ERR`, `AUTH_ERROR` (a panicking
//!   procedure also gives `SYSTEM_ERR`). A call whose header cannot be
//!   decoded gets no reply; on a stream it also closes the connection.

mod advertise;
mod builder;
mod call;
mod conn_stream;
mod context;
mod credentials;
mod dispatch;
mod duplicate_cache;
mod error;
mod event_loop;
mod inline;
mod limits;
mod listener;
mod out_queue;
mod peercred;
mod registry;
mod sequencer;
mod server;
mod socket_path;
mod stream;
mod udp;
mod workers;

pub use builder::{ServerBuilder, default_workers};
pub use context::{CallContext, PeerAddr, PeerCred, Transport};
pub use credentials::Credentials;
pub use dispatch::{Dispatch, ProcError};
pub use duplicate_cache::{DuplicateCache, DuplicateCacheStats};
pub use error::{Error, Result};
pub use inline::Inline;
pub use limits::{DEFAULT_MAX_RECORD, Limits};
pub use listener::ListenAddr;
pub use server::{Server, ServerHandle, ShutdownTrigger};
pub use socket_path::reclaim_socket_path;
