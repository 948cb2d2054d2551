//! The dpc node daemon, one per node: it registers the processes of its
//! node with the cluster's name server, watches them until they exit, and
//! delivers the signals sent to them from any node with `kill(2)`'s rule.
//!
//! * Local procedures, over the local socket only (`--socket`, mode
//!   0666): REGIST, UREGIST and KILL. The kernel says which process and
//!   user calls (`SO_PEERCRED`), so a process registers and unregisters
//!   only itself; over TCP they answer `DPC_NOT_LOCAL`.
//! * A process is named by its pid and its start time (`starttime` of
//!   `/proc/PID/stat`), which the name server records with it: a pid is
//!   reused, the pair is not before the node reboots.
//! * SIGNAL, over TCP from other nodes' daemons: the target must be
//!   registered here with the pid and start time the name server gave,
//!   and the sender's claimed uid must be allowed to signal it.
//! * Processes are watched through pidfds: an exit unregisters the
//!   process (retried while the name server is away), and signals go
//!   through the pidfd, so a pid reused by another process is never hit.
//! * At start, the name server's entries for this node are taken back:
//!   a process still running with the recorded start time is watched
//!   again; other entries (process gone, or its pid reused) are
//!   unregistered.
//!
//! # Trust model
//!
//! A node's daemon believes three things:
//!
//! * **The kernel**, for local callers: the uid, gid and pid of a process
//!   on the local socket come from `SO_PEERCRED` and cannot be forged.
//! * **The name server**, for where a pid_d runs. A name server that lies
//!   can send SIGNALs to the wrong node, but a daemon signals only a
//!   process registered with it under that very id, pid and start time.
//! * **Other nodes' daemons**, for who sent a SIGNAL. The uid travels in
//!   `AUTH_SYS` credentials, which are an unauthenticated claim: anyone
//!   who can open a TCP connection to the daemon can write any uid in
//!   them, root's included. What makes a claim worth believing is the
//!   reserved-port rule, as NFS's `secure` export option: a daemon running
//!   as root takes SIGNAL only from source ports below 1024, which only
//!   root can bind, so the claim comes from a program root runs on the
//!   sending host - normally that node's daemon, which writes the uid the
//!   kernel told it. The rule trusts every host that can reach the
//!   daemon to be administered by the cluster's root (as NFS does); it
//!   does not protect against a hostile host on the network, nor against
//!   spoofed addresses. `--insecure` drops the rule.
//!
//! A daemon that is not root (the demo's) cannot tell another daemon's
//! call from anyone else's: it believes the claim of whoever reaches its
//! TCP port. Any user of any host that reaches the port can then signal
//! every process registered with that daemon, by claiming uid 0 - within
//! what the kernel lets the daemon itself signal, which for an
//! unprivileged daemon is its own user's processes. Run such a cluster on
//! loopback or a trusted network only.
//!
//! Whatever the claim, delivery follows `kill(2)`: a claimed uid of 0, or
//! one equal to the target's real or saved uid (`/proc/PID/status`). The
//! uid a daemon claims for its local caller is the caller's effective uid
//! (`SO_PEERCRED`). SIGNAL is refused on the local socket: local
//! processes call KILL. The pid of a local caller is that of the process
//! that opened the connection (`dpc`'s client reconnects after a fork).
//!
//! # Limits
//!
//! Every connect and call to the name server, a portmapper or another
//! daemon is bounded by `--timeout-ms`; at most 65 536 processes are
//! registered through one node (REGIST then answers `DPC_STORE_FAILED`),
//! 4096 exits wait to be unregistered, 64 connections to other nodes are
//! kept, and one client connection has at most 4 calls in progress.
//!
//! `SO_PEERCRED` is recorded at `connect()`: a process that inherited the
//! connection from a parent that has exited speaks with the parent's pid,
//! which may by now be another process's. REGIST registers the process
//! that holds the pid at the time of the call, and refuses
//! (`DPC_PERMISSION`) when neither its real nor its effective uid is the
//! connection's uid: another user's process is never registered through a
//! stale pid, but one of the same user still can be. `SO_PEERPIDFD`
//! (Linux 6.5+), a pidfd of the connecting process itself, would close
//! this entirely.
//!
//! # Modules
//!
//! [`Options`] is the command line (`dpc node`), [`NodeDaemon`] binds and
//! serves, [`NodeHandle`] is a daemon running on its own thread, [`Error`]
//! why it could not start; [`proto`] is the generated server trait.

mod background;
mod cleanup;
mod connections;
mod daemon;
mod deliver;
mod error;
mod local;
mod names;
mod options;
mod peers;
mod permission;
mod procfs;
pub mod proto;
mod recovery;
mod registry;
mod service;
mod signal;
mod state;
mod wake;
mod watcher;

pub use daemon::{NodeDaemon, NodeHandle, dispatcher};
pub use error::Error;
pub use options::Options;
