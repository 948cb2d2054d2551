//! The three calls of the 2005 design, [`regist`], [`uregist`] and
//! [`kill_d`], made through this node's daemon on its local socket: the
//! kernel tells the daemon which process and user is calling, so a
//! process registers and unregisters only itself and signals only whom
//! `kill(2)` would let it signal.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use oncrpc::clnt::ClientBuilder;

use crate::error::Error;
use crate::pid_d::PidD;
use crate::proto::names::DpcRegisterRes;
use crate::proto::node::{DPC_NODE_PROG, DPC_NODE_V1, DpcKillArgs, DpcNodeProgDpcNodeV1Client};

/// The environment variable naming the node daemon's local socket.
pub const SOCKET_ENV: &str = "DPC_SOCKET";

/// The node daemon's local socket when [`SOCKET_ENV`] is not set.
pub const DEFAULT_SOCKET: &str = "/run/dpc.sock";

/// The longest a node daemon may wait for one step (a connect or a call)
/// towards the name server or another node (`dpc node --timeout-ms`).
pub const MAX_STEP_TIMEOUT_MS: u64 = 5000;

/// How long a call to this node's daemon may take: more than the daemon
/// itself waits at worst - for the name server and then the target's
/// node, each found through a portmapper (connect and call) and then
/// connected and called: eight steps.
const CALL_TIMEOUT: Duration = Duration::from_millis(8 * MAX_STEP_TIMEOUT_MS + 5000);

/// A connection to this node's daemon; clones share it, and calls from
/// many threads go out on it together.
#[derive(Debug, Clone)]
pub struct Node {
    client: DpcNodeProgDpcNodeV1Client,
    path: PathBuf,
}

impl Node {
    /// The daemon's socket: [`SOCKET_ENV`] if set, else [`DEFAULT_SOCKET`].
    pub fn socket_path() -> PathBuf {
        std::env::var_os(SOCKET_ENV).map_or_else(|| DEFAULT_SOCKET.into(), PathBuf::from)
    }

    /// Connects to the daemon listening on `path`.
    pub fn connect(path: impl AsRef<Path>) -> Result<Node, Error> {
        let path = path.as_ref().to_path_buf();
        let builder = ClientBuilder::new(DPC_NODE_PROG, DPC_NODE_V1).timeout(CALL_TIMEOUT);
        match builder.unix(&path) {
            Ok(client) => Ok(Node { client: DpcNodeProgDpcNodeV1Client::new(client), path }),
            Err(source) => Err(Error::Daemon { path, source }),
        }
    }

    /// Registers the calling process: its new cluster-wide id.
    pub fn regist(&self) -> Result<PidD, Error> {
        match self.client.regist().map_err(|e| self.daemon_error(e))? {
            DpcRegisterRes::DpcOk(id) => Ok(PidD(id)),
            DpcRegisterRes::Default(status) => Err(Error::failure(status)),
        }
    }

    /// Unregisters `id`, which must be the calling process's own.
    pub fn uregist(&self, id: PidD) -> Result<(), Error> {
        Error::check(self.client.uregist(&id.0).map_err(|e| self.daemon_error(e))?)
    }

    /// Sends signal `sig` to the process `id`, on whatever node it runs
    /// (`sig` 0 checks that it exists and may be signalled, as `kill(2)`).
    pub fn kill_d(&self, id: PidD, sig: i32) -> Result<(), Error> {
        let args = DpcKillArgs { target: id.0, sig };
        Error::check(self.client.kill(&args).map_err(|e| self.daemon_error(e))?)
    }

    fn daemon_error(&self, source: oncrpc::clnt::Error) -> Error {
        Error::Daemon { path: self.path.clone(), source }
    }
}

/// This process's connection, made on first use and again after a fork
/// (the daemon knows a connection by the process that opened it) or a
/// failure.
static CONNECTION: Mutex<Option<(rustix::process::Pid, Node)>> = Mutex::new(None);

/// Makes `call` on this process's connection, which is locked only to be
/// taken and put back, never during a call (other threads call at the
/// same time; a fork during a call leaves no lock held). A kept
/// connection the daemon has closed (it restarted) is replaced and the
/// call made once more; a new connection's failure is the caller's.
fn with_node<R>(call: impl Fn(&Node) -> Result<R, Error>) -> Result<R, Error> {
    let lock = || CONNECTION.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let me = rustix::process::getpid();
    let kept = lock().as_ref().filter(|(pid, _)| *pid == me).map(|(_, node)| node.clone());
    let (node, result) = match kept {
        Some(node) => match call(&node) {
            Err(e) if is_broken(&e) => fresh(&call)?,
            result => (node, result),
        },
        None => fresh(&call)?,
    };
    *lock() = (!matches!(result, Err(Error::Daemon { .. }))).then_some((me, node));
    result
}

/// A new connection and `call`'s result on it.
fn fresh<R>(call: &impl Fn(&Node) -> Result<R, Error>) -> Result<(Node, Result<R, Error>), Error> {
    let node = Node::connect(Node::socket_path())?;
    let result = call(&node);
    Ok((node, result))
}

/// True when the connection failed as one closed by the daemon does.
fn is_broken(error: &Error) -> bool {
    use oncrpc::clnt::Error::{CantRecv, CantSend};
    matches!(error, Error::Daemon { source: CantSend(_) | CantRecv(_), .. })
}

/// Registers the calling process with this node's daemon
/// ([`Node::socket_path`]): its new cluster-wide id.
pub fn regist() -> Result<PidD, Error> {
    with_node(Node::regist)
}

/// Unregisters `id`, the calling process's own id.
pub fn uregist(id: PidD) -> Result<(), Error> {
    with_node(|node| node.uregist(id))
}

/// Sends signal `sig` to process `id` on any node of the cluster.
pub fn kill_d(id: PidD, sig: i32) -> Result<(), Error> {
    with_node(|node| node.kill_d(id, sig))
}
