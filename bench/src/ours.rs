//! Our server and client on bench.x.

use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use oncrpc::clnt::{Client, ClientBuilder};
use oncrpc::svc::{Server, ServerHandle};
use oncrpc::xdr::{Opaque, OpaqueRef};

use crate::echo_service::{ECHO, EchoService, PROG, VERS};

/// A running server of ours and its addresses.
pub(crate) struct OurServer {
    /// Keeps the server running; dropping it shuts the server down.
    _handle: ServerHandle,
    pub(crate) tcp: SocketAddr,
    pub(crate) udp: SocketAddr,
}

/// Starts our server on loopback; `workers` 0 runs procedures inline.
pub(crate) fn start_server(workers: usize) -> OurServer {
    let server = Server::builder()
        .register(PROG, VERS, EchoService)
        .listen_tcp(([127, 0, 0, 1], 0).into())
        .listen_udp(([127, 0, 0, 1], 0).into())
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
