//! A connected stream socket (TCP or Unix) and the system calls the
//! server makes on it: reads into a buffer or straight into a record's
//! spare capacity, writes that say whether more bytes follow, and the
//! congestion control of loopback TCP connections.

use std::io::{self, IoSlice};
use std::os::fd::{AsFd, BorrowedFd};

use mio::net::{TcpStream, UnixStream};
use mio::{Interest, Registry as MioRegistry, Token, event::Source};
use rustix::buffer::spare_capacity;
use rustix::net::{RecvFlags, SendAncillaryBuffer, SendFlags};

use crate::out_queue::Sink;

/// A connected stream socket.
pub(crate) enum Stream {
    /// TCP.
    Tcp(TcpStream),
    /// Unix.
    Unix(UnixStream),
}

impl AsFd for Stream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Stream::Tcp(s) => s.as_fd(),
            Stream::Unix(s) => s.as_fd(),
        }
    }
}

impl Stream {
    /// Reads into `buf`.
    pub(crate) fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(rustix::net::recv(self, buf, RecvFlags::empty())?.0)
    }

    /// Reads into the spare capacity of `buf`, appending what arrives.
    pub(crate) fn recv_into(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        Ok(rustix::net::recv(self, spare_capacity(buf), RecvFlags::empty())?.1)
    }
}

/// Writes with `sendmsg`: `MSG_NOSIGNAL` (a peer gone is `EPIPE`, not a
/// signal), and `MSG_MORE` on TCP when asked (a Unix socket has no
/// segments to fill).
impl Sink for Stream {
    fn send(&mut self, slices: &[IoSlice<'_>], more: bool) -> io::Result<usize> {
        let more = match self {
            Stream::Tcp(_) if more => SendFlags::MORE,
            _ => SendFlags::empty(),
        };
        let control = &mut SendAncillaryBuffer::default();
        Ok(rustix::net::sendmsg(&*self, slices, control, more | SendFlags::NOSIGNAL)?)
    }
}

impl Source for Stream {
    fn register(&mut self, r: &MioRegistry, token: Token, interests: Interest) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.register(r, token, interests),
            Stream::Unix(s) => s.register(r, token, interests),
        }
    }

    fn reregister(&mut self, r: &MioRegistry, token: Token, interests: Interest) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.reregister(r, token, interests),
            Stream::Unix(s) => s.reregister(r, token, interests),
        }
    }

    fn deregister(&mut self, r: &MioRegistry) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.deregister(r),
            Stream::Unix(s) => s.deregister(r),
        }
    }
}
