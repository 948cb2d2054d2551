//! The UDP transport: one datagram per call; resending is the call logic's
//! job (see `client.rs`), reading is done by the waiting calls themselves.

use std::io;
use std::net::UdpSocket;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use crate::transport::{ReadTimeout, Transport, is_timeout};
use crate::waiters::Waiters;

/// Largest UDP payload.
const MAX_DATAGRAM: usize = 65_535;

/// A connected UDP socket carrying calls.
#[derive(Debug)]
pub(crate) struct DatagramTransport {
    socket: UdpSocket,
    buf: Mutex<(Vec<u8>, ReadTimeout)>,
    waiters: Waiters,
}

impl DatagramTransport {
    /// Takes over a connected UDP socket.
    pub(crate) fn new(socket: UdpSocket) -> DatagramTransport {
        DatagramTransport {
            socket,
            buf: Mutex::new((vec![0; MAX_DATAGRAM], ReadTimeout::default())),
            waiters: Waiters::default(),
        }
    }

    fn lock_buf(&self) -> MutexGuard<'_, (Vec<u8>, ReadTimeout)> {
        self.buf.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Transport for DatagramTransport {
    fn send(&self, message: &mut [u8]) -> io::Result<()> {
        let sent = self.socket.send(&message[4..])?;
        if sent == message.len() - 4 {
            Ok(())
        } else {
            Err(io::Error::new(io::ErrorKind::WriteZero, "datagram truncated"))
        }
    }

    fn receive(&self, until: Instant) -> io::Result<Vec<Vec<u8>>> {
        let mut inbox = self.lock_buf();
        let (buf, timeout) = &mut *inbox;
        if let Some(timeout) = timeout.update(until) {
            self.socket.set_read_timeout(Some(timeout))?;
        }
        match self.socket.recv(buf) {
            Ok(n) => Ok(vec![buf[..n].to_vec()]),
            Err(e) if is_timeout(&e) => Ok(Vec::new()),
            // ECONNREFUSED after an ICMP port unreachable, or a signal: the
            // call is resent or times out on its own schedule.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionRefused | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(Vec::new())
            }
            Err(e) => Err(e),
        }
    }

    fn resends(&self) -> bool {
        true
    }

    fn waiters(&self) -> &Waiters {
        &self.waiters
    }
}
