//! [`Breaker`]: a TCP proxy that forwards calls to a server and drops
//! every n-th reply by closing the client's connection instead, so that a
//! client sees its connection break after the server ran the call.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use oncrpc::rpc::record::{self, Reassembler};

/// The proxy; dropping it stops accepting.
#[derive(Debug)]
pub struct Breaker {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    broken: Arc<AtomicUsize>,
}

impl Breaker {
    /// Proxies to `server` on a loopback port, closing the connection in
    /// place of every `every`-th reply (counted over all connections).
    pub fn start(server: SocketAddr, every: usize) -> std::io::Result<Breaker> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let broken = Arc::new(AtomicUsize::new(0));
        let replies = Arc::new(AtomicUsize::new(0));
        let (stop2, broken2) = (Arc::clone(&stop), Arc::clone(&broken));
        thread::spawn(move || {
            for client in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let (Ok(client), Ok(upstream)) = (client, TcpStream::connect(server)) else {
                    continue;
                };
                let counters = (Arc::clone(&replies), Arc::clone(&broken2));
                thread::spawn(move || proxy(client, upstream, every.max(1), counters));
            }
        });
        Ok(Breaker { addr, stop, broken })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections it broke.
    pub fn broken(&self) -> usize {
        self.broken.load(Ordering::SeqCst)
    }
}

impl Drop for Breaker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Copies calls up and replies down until a reply is due to be dropped.
fn proxy(
    client: TcpStream,
    upstream: TcpStream,
    every: usize,
    (replies, broken): (Arc<AtomicUsize>, Arc<AtomicUsize>),
) {
    let (Ok(mut calls_in), Ok(mut calls_out)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    thread::spawn(move || {
        let _ = std::io::copy(&mut calls_in, &mut calls_out);
        let _ = calls_out.shutdown(Shutdown::Write);
    });
    let (mut down, mut up) = (client, upstream);
    let mut reassembler = Reassembler::new(1 << 20);
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match up.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut input = &buf[..n];
        while let Ok(Some(reply)) = reassembler.decode(&mut input) {
            if (replies.fetch_add(1, Ordering::SeqCst) + 1) % every == 0 {
                broken.fetch_add(1, Ordering::SeqCst);
                let _ = down.shutdown(Shutdown::Both);
                let _ = up.shutdown(Shutdown::Both);
                return;
            }
            if down.write_all(&record::single_fragment(&reply)).is_err() {
                return;
            }
        }
    }
    let _ = down.shutdown(Shutdown::Both);
}
