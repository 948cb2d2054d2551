//! Deferred-synchronous RPC from two asynchronous calls (`deferred.x`).
//!
//! The client serves the `JOB_CALLBACK` program on a TCP port of its own
//! ([`serve_callbacks`]), submits jobs with `SUBMIT` naming that port, and
//! goes on with its work. The server ([`JobServer`]) accepts each job at
//! once, computes it on a worker thread, and calls the client back with
//! `DONE`; the results reach the client through a channel.
//!
//! * `cargo run -p deferred --bin deferred-server` serves on 127.0.0.1:4752;
//! * `cargo run -p deferred --bin deferred-client` submits three jobs to it.
//!
//! The server calls back only the host a job came from, at the port the
//! job names: a call cannot aim the server at a third party.

/// The code rpcgen generates from `deferred.x`.
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/deferred.rs"));
}

use std::net::{IpAddr, SocketAddr};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::time::Duration;

use oncrpc::clnt::ClientBuilder;
use oncrpc::svc::{CallContext, PeerAddr, ProcError, Server, ServerHandle};
use proto::{CallbackAddr, Job, JobCallbackJobCallbackV1Client, JobResult};

/// The address the example server listens on by default.
pub const DEFAULT_ADDR: &str = "127.0.0.1:4752";

/// Jobs waiting for the worker at most; `SUBMIT` answers FALSE beyond.
const QUEUE: usize = 64;

/// The job server: a bounded queue and one worker thread that computes
/// each job and calls its client back.
#[derive(Debug)]
pub struct JobServer {
    queue: SyncSender<(IpAddr, Job)>,
}

impl JobServer {
    /// Starts the worker; each job takes `work` (simulated) plus the sum.
    pub fn start(work: Duration) -> JobServer {
        let (queue, jobs) = mpsc::sync_channel(QUEUE);
        std::thread::spawn(move || {
            for (host, job) in jobs {
                std::thread::sleep(work);
                call_back(host, &job);
            }
        });
        JobServer { queue }
    }
}

impl proto::JobsJobsV1 for JobServer {
    fn submit(&self, ctx: &CallContext, job: Job) -> Result<bool, ProcError> {
        let PeerAddr::Inet(peer) = ctx.peer else { return Ok(false) };
        match self.queue.try_send((peer.ip(), job)) {
            Ok(()) => Ok(true),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Ok(false),
        }
    }
}

/// The sum of the squares of 1..=n (wrapping, as unsigned hyper does in C).
pub fn sum_of_squares(n: u32) -> u64 {
    (1..=u64::from(n)).fold(0u64, |sum, k| sum.wrapping_add(k * k))
}

/// Reports `job`'s result to the callback program on `host`.
fn call_back(host: IpAddr, job: &Job) {
    let CallbackAddr { port, prog, vers } = job.reply_to;
    let Ok(port) = u16::try_from(port) else { return };
    let result = JobResult { id: job.id, value: sum_of_squares(job.n) };
    let sent = ClientBuilder::new(prog, vers)
        .timeout(Duration::from_secs(5))
        .tcp(SocketAddr::new(host, port))
        .and_then(|client| JobCallbackJobCallbackV1Client::new(client).done(&result));
    if let Err(e) = sent {
        eprintln!("job {}: cannot call {host}:{port} back: {e}", job.id);
    }
}

/// The client's side of the callback: every `DONE` goes to a channel.
#[derive(Debug)]
pub struct Callbacks {
    results: Sender<JobResult>,
}

impl proto::JobCallbackJobCallbackV1 for Callbacks {
    fn done(&self, _ctx: &CallContext, result: JobResult) -> Result<(), ProcError> {
        // The receiver gone means the client stopped waiting: nothing to do.
        let _ = self.results.send(result);
        Ok(())
    }
}

/// Serves `JOB_CALLBACK` on a free loopback TCP port; returns the server,
/// where the results arrive, and the address to put in each job.
pub fn serve_callbacks()
-> Result<(ServerHandle, Receiver<JobResult>, CallbackAddr), oncrpc::svc::Error> {
    let (results, received) = mpsc::channel();
    let server = proto::JobCallbackJobCallbackV1Server(Callbacks { results })
        .register(Server::builder())
        .listen_tcp(SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()?
        .spawn()?;
    let port = server.tcp_addr().map_or(0, |a| u32::from(a.port()));
    let reply_to = CallbackAddr { port, prog: proto::JOB_CALLBACK, vers: proto::JOB_CALLBACK_V1 };
    Ok((server, received, reply_to))
}
