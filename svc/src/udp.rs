//! A UDP endpoint: one call per datagram, read into the event loop's fixed
//! buffer; replies go straight back to the sender. Undecodable datagrams
//! are dropped. Datagrams have no order: calls of one-way procedures are
//! run like any other (and get no reply). When the worker queue is full the endpoint stops reading
//! and leaves datagrams to the kernel's buffer (which drops the excess,
//! as UDP may).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use mio::net::UdpSocket;

use crate::call::{self, Origin, Outcome};
use crate::context::{PeerAddr, Transport};
use crate::event_loop::{Cx, Next};
use crate::workers::Job;

/// Datagrams read per service before other sockets get their turn.
const READ_BUDGET: usize = 64;

/// A bound UDP socket and its state.
pub(crate) struct UdpEndpoint {
    socket: Arc<UdpSocket>,
    readable: bool,
    /// A call the full worker queue refused.
    stalled: Option<Job>,
    /// Reply buffer for calls handled on the I/O thread.
    reply: Vec<u8>,
    /// Already on the event loop's list to service.
    pub(crate) scheduled: bool,
}

impl UdpEndpoint {
    /// Wraps a bound socket.
    pub(crate) fn new(socket: UdpSocket) -> Self {
        UdpEndpoint {
            socket: Arc::new(socket),
            readable: true,
            stalled: None,
            reply: Vec::new(),
            scheduled: false,
        }
    }

    /// Registers or deregisters the socket with the poller (possible only
    /// while no worker holds it, which is the case before the loop runs).
    pub(crate) fn socket_mut(&mut self) -> Option<&mut UdpSocket> {
        Arc::get_mut(&mut self.socket)
    }

    /// Records that the socket became readable.
    pub(crate) fn on_readable(&mut self) {
        self.readable = true;
    }

    /// Reads and starts calls until the socket is empty, the budget is
    /// spent or the worker queue is full.
    pub(crate) fn service(&mut self, cx: &mut Cx<'_>) -> Next {
        if let (Some(job), Some(pool)) = (self.stalled.take(), cx.pool) {
            if let Err(job) = pool.try_submit(job) {
                self.stalled = Some(job);
                return Next::Stalled;
            }
        }
        if cx.draining {
            return Next::Idle;
        }
        let buf = std::mem::take(&mut cx.read_buf);
        let mut reads = 0;
        let next = loop {
            if !self.readable {
                break Next::Idle;
            }
            if reads == READ_BUDGET {
                break Next::Again;
            }
            reads += 1;
            match self.socket.recv_from(buf) {
                Ok((len, peer)) => {
                    self.on_datagram(&buf[..len], peer, cx);
                    if self.stalled.is_some() {
                        break Next::Stalled;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.readable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // ICMP errors from earlier sends surface here; carry on.
                Err(e) => log::debug!("udp receive: {e}"),
            }
        };
        cx.read_buf = buf;
        next
    }

    /// Starts the call in one datagram.
    fn on_datagram(&mut self, datagram: &[u8], peer: SocketAddr, cx: &Cx<'_>) {
        let origin =
            Origin { transport: Transport::Udp, peer: PeerAddr::Inet(peer), peer_cred: None };
        // The pool, if the call should run there.
        let worker = match cx.pool {
            Some(pool) => match call::route(cx.registry, datagram) {
                Some(route) => route.on_worker.then_some(pool),
                None => {
                    log::debug!("udp datagram from {peer}: undecodable call");
                    return;
                }
            },
            None => None,
        };
        match worker {
            Some(pool) => {
                let job = Job::Datagram {
                    socket: Arc::clone(&self.socket),
                    origin,
                    record: datagram.to_vec(),
                };
                if let Err(job) = pool.try_submit(job) {
                    self.stalled = Some(job);
                }
            }
            None => {
                self.reply.clear();
                let outcome =
                    call::handle(cx.registry, cx.cache, &origin, datagram, &mut self.reply, false);
                if outcome == Outcome::Replied {
                    if let Err(e) = self.socket.send_to(&self.reply, peer) {
                        log::debug!("udp reply to {peer}: {e}");
                    }
                }
                if self.reply.capacity() > 64 << 10 {
                    self.reply = Vec::new();
                }
            }
        }
    }
}
