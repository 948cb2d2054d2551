//! The UDP transport: one datagram per call, replies routed by xid from a
//! reader thread; resending is the call logic's job (see `client.rs`).

use std::io;
use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use socket2::SockRef;

use crate::demux::Demux;
use crate::transport::Transport;

/// Largest UDP payload.
const MAX_DATAGRAM: usize = 65_535;

/// A connected UDP socket carrying calls.
#[derive(Debug)]
pub(crate) struct DatagramTransport {
    socket: UdpSocket,
    demux: Arc<Demux>,
    closed: Arc<AtomicBool>,
}

impl DatagramTransport {
    /// Takes over a connected UDP socket and starts its reader thread.
    pub(crate) fn start(socket: UdpSocket) -> io::Result<DatagramTransport> {
        let demux = Arc::new(Demux::default());
        let closed = Arc::new(AtomicBool::new(false));
        let reader = socket.try_clone()?;
        let (reader_demux, reader_closed) = (Arc::clone(&demux), Arc::clone(&closed));
        thread::Builder::new()
            .name("rpc-clnt-udp".into())
            .spawn(move || read_datagrams(&reader, &reader_demux, &reader_closed))?;
        Ok(DatagramTransport { socket, demux, closed })
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

    fn resends(&self) -> bool {
        true
    }

    fn demux(&self) -> &Demux {
        &self.demux
    }
}

impl Drop for DatagramTransport {
    fn drop(&mut self) {
        self.closed.store(true, Ordering::Release);
        // On Linux, shutting down a UDP socket's read side wakes a blocked recv.
        let _ = SockRef::from(&self.socket).shutdown(std::net::Shutdown::Read);
    }
}

fn read_datagrams(socket: &UdpSocket, demux: &Demux, closed: &AtomicBool) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let result = socket.recv(&mut buf);
        if closed.load(Ordering::Acquire) {
            return;
        }
        match result {
            Ok(n) => {
                demux.deliver(buf[..n].to_vec());
            }
            // ECONNREFUSED after an ICMP port unreachable: the call will time
            // out or be resent; keep listening.
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                demux.fail_all(&e);
                return;
            }
        }
    }
}
