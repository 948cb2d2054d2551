//! Our server and client on bench.x.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use oncrpc::clnt::{Client, ClientBuilder};
use oncrpc::svc::{Server, ServerHandle};
use oncrpc::xdr::{Opaque, OpaqueRef};

use crate::echo_service::{ECHO, EchoService, PROG, RECORD, VERS};

/// A running server of ours and its addresses.
pub(crate) struct OurServer {
    /// Keeps the server running; dropping it shuts the server down.
    _handle: ServerHandle,
    pub(crate) tcp: SocketAddr,
    pub(crate) udp: SocketAddr,
    /// Its Unix stream socket.
    pub(crate) unix: PathBuf,
}

/// Starts our server on loopback and at the Unix socket `unix`;
/// `workers` 0 runs procedures inline.
pub(crate) fn start_server(workers: usize, unix: PathBuf) -> OurServer {
    let server = Server::builder()
        .register(PROG, VERS, EchoService)
        .listen_tcp(([127, 0, 0, 1], 0).into())
        .listen_udp(([127, 0, 0, 1], 0).into())
        .listen_unix(unix.clone())
        .workers(workers)
        .limits(oncrpc::svc::Limits { max_record: 4 << 20, ..Default::default() })
        .build()
        .unwrap_or_else(|e| panic!("server: {e}"));
    let (tcp, udp) = (server.tcp_addr(), server.udp_addr());
    match (tcp, udp) {
        (Some(tcp), Some(udp)) => OurServer {
            _handle: server.spawn().unwrap_or_else(|e| panic!("server: {e}")),
            tcp,
            udp,
            unix,
        },
        _ => panic!("server has no TCP or UDP address"),
    }
}

/// A client of ours.
pub(crate) fn client(udp: bool, addr: SocketAddr) -> Client {
    let builder = ClientBuilder::new(PROG, VERS);
    let client = if udp { builder.udp(addr) } else { builder.tcp(addr) };
    client.unwrap_or_else(|e| panic!("client: {e}"))
}

/// A client of ours on a Unix stream socket.
pub(crate) fn unix_client(path: &Path) -> Client {
    ClientBuilder::new(PROG, VERS).unix(path).unwrap_or_else(|e| panic!("client: {e}"))
}

/// `count` batched one-way RECORD calls and the NULL call that flushes
/// them, after a warm-up; returns the time per batched call.
pub(crate) fn run_batch(client: &Client, count: u32) -> Duration {
    let batch = |count: u32| {
        for seq in 0..count {
            client.batch(RECORD, &seq).unwrap_or_else(|e| panic!("batch: {e}"));
        }
        client.call::<(), ()>(0, &()).unwrap_or_else(|e| panic!("flush: {e}"));
    };
    batch(count / 10 + 1);
    let start = Instant::now();
    batch(count);
    start.elapsed() / count.max(1)
}

/// `count` null calls from one thread keeping up to `window` in flight,
/// each reply delivered to a callback: as completions come in, as many
/// new calls are queued with [`Client::start_deferred`] and leave in one
/// write. Returns the wall time per call.
pub(crate) fn run_callbacks(client: &Client, window: usize, count: u32) -> Duration {
    let count = count as usize;
    let (done, finished) = mpsc::channel::<()>();
    let start = Instant::now();
    let (mut started, mut completed) = (0, 0);
    while completed < count {
        while started < count && started - completed < window {
            let done = done.clone();
            let call = client.start_deferred::<(), ()>(0, &());
            call.unwrap_or_else(|e| panic!("start: {e}")).on_reply(move |r| {
                r.unwrap_or_else(|e| panic!("reply: {e}"));
                let _ = done.send(());
            });
            started += 1;
        }
        finished.recv().unwrap_or_else(|e| panic!("callback: {e}"));
        completed += 1 + finished.try_iter().count();
    }
    start.elapsed() / count.max(1) as u32
}

/// One call: NULL when `payload` is None, else ECHO.
fn call(client: &Client, payload: Option<&Opaque>) {
    let result = match payload {
        None => client.call::<(), ()>(0, &()),
        Some(data) => client.call_with(ECHO, data, |dec| {
            dec.read::<OpaqueRef<'_>>().map(|echo| assert_eq!(echo.len(), data.len()))
        }),
    };
    result.unwrap_or_else(|e| panic!("call: {e}"));
}

/// `count` null calls from one thread keeping up to `window` calls in
/// flight: it collects the older half of the window, then queues as many
/// new calls with [`Client::start_deferred`], which leave in one write when
/// the next wait flushes them. Returns the wall time per call.
pub(crate) fn run_pipelined(client: &Client, window: usize, count: u32) -> Duration {
    let refill = (window / 2).max(1);
    let start = Instant::now();
    let mut in_flight = std::collections::VecDeque::with_capacity(window);
    for _ in 0..count {
        if in_flight.len() == window {
            for _ in 0..refill {
                wait(in_flight.pop_front());
            }
        }
        let call = client.start_deferred::<(), ()>(0, &());
        in_flight.push_back(call.unwrap_or_else(|e| panic!("start: {e}")));
    }
    for call in in_flight {
        wait(Some(call));
    }
    start.elapsed() / count.max(1)
}

fn wait(call: Option<oncrpc::clnt::PendingCall<()>>) {
    if let Some(call) = call {
        call.wait().unwrap_or_else(|e| panic!("wait: {e}"));
    }
}

/// `count` calls from each of `in_flight` threads sharing one client;
/// returns the wall time per call (the inverse of throughput).
pub(crate) fn run_client(
    client: &Client,
    in_flight: u32,
    count: u32,
    size: Option<usize>,
) -> Duration {
    let payload = size.map(|s| Opaque::new(vec![7; s]).unwrap_or_default());
    let per_thread = count / in_flight;
    for _ in 0..per_thread / 10 + 1 {
        call(client, payload.as_ref());
    }
    let start = Instant::now();
    thread::scope(|scope| {
        for _ in 0..in_flight {
            scope.spawn(|| {
                for _ in 0..per_thread {
                    call(client, payload.as_ref());
                }
            });
        }
    });
    start.elapsed() / (per_thread * in_flight).max(1)
}
