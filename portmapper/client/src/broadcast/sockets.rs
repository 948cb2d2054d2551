//! The sockets of a broadcast: one UDP socket per address family its
//! destinations need, which sends each round's calls and collects the
//! replies until the round ends.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};

use super::{Protocol, Unsent};
use crate::error::Error;

/// The largest UDP payload: every datagram fits the receive buffer.
const MAX_DATAGRAM: usize = 65_535;

/// The longest single wait for replies; a longer round waits again.
const MAX_POLL: Duration = Duration::from_secs(3600);

/// The most datagrams read from one socket before the clock is looked at
/// again, so that a flood cannot hold a round open past its end.
const BURST: usize = 64;

/// A socket and the destinations it sends to.
#[derive(Debug)]
struct Endpoint {
    socket: UdpSocket,
    destinations: Vec<SocketAddr>,
}

/// The sockets of one broadcast.
#[derive(Debug)]
pub(crate) struct Endpoints {
    endpoints: Vec<Endpoint>,
}

impl Endpoints {
    /// A socket for the IPv4 destinations (allowed to broadcast), then one
    /// for the IPv6 ones. A family whose socket cannot be made is left
    /// out; when none can be, the last failure is the error, and
    /// [`Error::NoBroadcastDestination`] when there is no destination.
    pub(crate) fn open(destinations: &[SocketAddr]) -> Result<Endpoints, Error> {
        let mut endpoints = Vec::new();
        let mut failure = None;
        for ipv6 in [false, true] {
            let destinations: Vec<SocketAddr> =
                destinations.iter().copied().filter(|d| d.is_ipv6() == ipv6).collect();
            if destinations.is_empty() {
                continue;
            }
            match bind(ipv6) {
                Ok(socket) => endpoints.push(Endpoint { socket, destinations }),
                Err(e) => failure = Some(e),
            }
        }
        match (endpoints.is_empty(), failure) {
            (true, Some(e)) => Err(Error::Rpc(clnt::Error::CantSend(e))),
            (true, None) => Err(Error::NoBroadcastDestination),
            (false, _) => Ok(Endpoints { endpoints }),
        }
    }

    /// Sends every call of `calls` to each destination in turn (portmap
    /// v2 calls to IPv4 destinations only). A send that fails is reported
    /// to `unsent` and the destination's later calls are skipped this
    /// round, as libtirpc skips them.
    pub(crate) fn send(&self, calls: &[(Protocol, Vec<u8>)], unsent: &mut dyn FnMut(&Unsent)) {
        for endpoint in &self.endpoints {
            for &destination in &endpoint.destinations {
                for (protocol, message) in calls {
                    if protocol.ipv4_only() && destination.is_ipv6() {
                        continue;
                    }
                    if let Err(error) = endpoint.socket.send_to(message, destination) {
                        unsent(&Unsent { destination, protocol: *protocol, error });
                        break;
                    }
                }
            }
        }
    }

    /// Hands each datagram received until `until` to `each` with its
    /// sender; returns early with what `each` stopped with.
    pub(crate) fn receive<B>(
        &self,
        until: Instant,
        mut each: impl FnMut(&[u8], SocketAddr) -> ControlFlow<B>,
    ) -> Result<Option<B>, Error> {
        let mut buf = vec![0; MAX_DATAGRAM];
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let ready = self.poll(left.min(MAX_POLL))?;
            for (endpoint, ready) in self.endpoints.iter().zip(ready) {
                if !ready {
                    continue;
                }
                for _ in 0..BURST {
                    match endpoint.socket.recv_from(&mut buf) {
                        Ok((n, from)) => {
                            if let ControlFlow::Break(stop) = each(&buf[..n], from) {
                                return Ok(Some(stop));
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => {
                            // An ICMP error queued on the socket: clear it.
                            let _ = endpoint.socket.take_error();
                            break;
                        }
                    }
                }
            }
        }
    }

    /// Waits at most `wait` for datagrams; which sockets have some.
    fn poll(&self, wait: Duration) -> Result<Vec<bool>, Error> {
        let failed = |e: io::Error| Error::Rpc(clnt::Error::CantRecv(e));
        let timeout = Timespec::try_from(wait).map_err(|e| failed(io::Error::other(e)))?;
        let mut fds: Vec<PollFd<'_>> =
            self.endpoints.iter().map(|e| PollFd::new(&e.socket, PollFlags::IN)).collect();
        match rustix::event::poll(&mut fds, Some(&timeout)) {
            Ok(_) => Ok(fds.iter().map(|fd| !fd.revents().is_empty()).collect()),
            Err(rustix::io::Errno::INTR) => Ok(vec![false; fds.len()]),
            Err(e) => Err(failed(e.into())),
        }
    }
}

/// A non-blocking UDP socket on any port of the family.
fn bind(ipv6: bool) -> io::Result<UdpSocket> {
    let any: SocketAddr =
        if ipv6 { (Ipv6Addr::UNSPECIFIED, 0).into() } else { (Ipv4Addr::UNSPECIFIED, 0).into() };
    let socket = UdpSocket::bind(any)?;
    socket.set_nonblocking(true)?;
    if !ipv6 {
        socket.set_broadcast(true)?;
    }
    Ok(socket)
}
