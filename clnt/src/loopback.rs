//! [`tune_loopback`]: loopback TCP without congestion-control pacing.

use std::net::SocketAddr;
use std::os::fd::AsFd;

/// Gives a TCP socket whose peer is a loopback address the `reno`
/// congestion control, which every Linux lets any process choose. On a
/// host whose default is BBR, BBR paces each transfer at its bandwidth
/// estimate with a timer; on loopback there is no network to pace for,
/// and sequential 1 MiB echoes swung between 0.45 and 1.5 ms per call as
/// the estimate fell and recovered (0.39-0.46 ms with reno). Elsewhere,
/// and when the kernel refuses, the system's choice stands. The client
/// calls it before connecting; servers (`svc`) on accepting.
pub fn tune_loopback(socket: impl AsFd, peer: SocketAddr) {
    if peer.ip().to_canonical().is_loopback() {
        if let Err(e) = rustix::net::sockopt::set_tcp_congestion(socket, "reno") {
            log::debug!("TCP_CONGESTION reno for {peer}: {e}");
        }
    }
}
