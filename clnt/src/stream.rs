//! Stream transports (TCP and Unix sockets): record marking, many calls in
//! flight, writes combined under load.
//!
//! Callers append their framed calls to a shared outbox; whichever caller
//! finds no write in progress becomes the writer and drains the outbox,
//! so calls that arrive during a write leave in the next single write. A
//! reader thread reassembles records and routes each reply by its xid.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;

use rpc::record::{self, Reassembler};
use socket2::Socket;

use crate::demux::Demux;
use crate::transport::Transport;

/// Size of the reader's buffer.
const READ_BUFFER: usize = 64 * 1024;

#[derive(Debug, Default)]
struct Outbox {
    pending: Vec<u8>,
    writing: bool,
}

/// A connected stream socket carrying calls.
#[derive(Debug)]
pub(crate) struct StreamTransport {
    socket: Socket,
    outbox: Mutex<Outbox>,
    demux: Arc<Demux>,
    max_fragment: usize,
}

impl StreamTransport {
    /// Takes over a connected socket and starts its reader thread.
    pub(crate) fn start(
        socket: Socket,
        max_record: usize,
        max_fragment: usize,
    ) -> io::Result<StreamTransport> {
        let demux = Arc::new(Demux::default());
        let reader = socket.try_clone()?;
        let reader_demux = Arc::clone(&demux);
        thread::Builder::new()
            .name("rpc-clnt-reader".into())
            .spawn(move || read_replies(reader, max_record, &reader_demux))?;
        Ok(StreamTransport { socket, outbox: Mutex::new(Outbox::default()), demux, max_fragment })
    }

    fn lock_outbox(&self) -> std::sync::MutexGuard<'_, Outbox> {
        self.outbox.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `bytes`, then whatever other callers queued meanwhile.
    fn write_and_drain(&self, bytes: &[u8]) -> io::Result<()> {
        let mut result = (&self.socket).write_all(bytes);
        let mut batch = Vec::new();
        loop {
            let mut outbox = self.lock_outbox();
            if result.is_err() || outbox.pending.is_empty() {
                outbox.writing = false;
                outbox.pending.clear();
                break;
            }
            std::mem::swap(&mut batch, &mut outbox.pending);
            drop(outbox);
            result = (&self.socket).write_all(&batch);
            batch.clear();
        }
        if let Err(e) = &result {
            // Calls queued behind this write will never be sent: fail them.
            self.demux.fail_all(e);
            let _ = self.socket.shutdown(std::net::Shutdown::Both);
        }
        result
    }
}

impl Transport for StreamTransport {
    fn send(&self, message: &mut [u8]) -> io::Result<()> {
        let call_len = message.len() - 4;
        let fragmented: Vec<u8>;
        let bytes: &[u8] = if call_len <= self.max_fragment {
            message[..4].copy_from_slice(&record::mark(call_len, true));
            message
        } else {
            fragmented = record::fragments(&message[4..], self.max_fragment)
                .flat_map(|(mark, chunk)| mark.into_iter().chain(chunk.iter().copied()))
                .collect();
            &fragmented
        };
        let mut outbox = self.lock_outbox();
        if outbox.writing {
            outbox.pending.extend_from_slice(bytes);
            return Ok(());
        }
        outbox.writing = true;
        drop(outbox);
        self.write_and_drain(bytes)
    }

    fn resends(&self) -> bool {
        false
    }

    fn demux(&self) -> &Demux {
        &self.demux
    }
}

impl Drop for StreamTransport {
    fn drop(&mut self) {
        // Wakes the reader thread, which then exits.
        let _ = self.socket.shutdown(std::net::Shutdown::Both);
    }
}

/// The reader thread: reassembles replies and routes them until the stream ends.
fn read_replies(mut socket: Socket, max_record: usize, demux: &Demux) {
    let mut reassembler = Reassembler::new(max_record);
    let mut buf = vec![0u8; READ_BUFFER];
    let error = loop {
        let n = match socket.read(&mut buf) {
            Ok(0) => {
                break io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed by server");
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break e,
        };
        let mut input = &buf[..n];
        loop {
            match reassembler.decode(&mut input) {
                Ok(Some(reply)) => {
                    demux.deliver(reply);
                }
                Ok(None) => break,
                Err(too_large) => {
                    let _ = socket.shutdown(std::net::Shutdown::Both);
                    demux.fail_all(&io::Error::new(io::ErrorKind::InvalidData, too_large));
                    return;
                }
            }
        }
    };
    demux.fail_all(&error);
}
