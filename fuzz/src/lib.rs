//! What the fuzz targets share: a counting global allocator, so that each
//! target can assert that the memory a call allocates stays proportional
//! to its input (house rule 2 of `DESIGN.md`), and a small reader that
//! takes the targets' choices from the front of the fuzzer's bytes.
//!
//! Every target declares the allocator itself:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: oncrpc_fuzz::Counting = oncrpc_fuzz::Counting;
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};

use svc::{PeerAddr, Transport};

/// Bytes allocated through [`Counting`] and not yet freed.
static CURRENT: AtomicUsize = AtomicUsize::new(0);
/// The highest [`CURRENT`] has been since the last [`measure`] began.
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting the bytes live and their peak.
///
/// A `realloc` counts the new block before the old one is released (the
/// allocator may copy), so growing a vector shows the brief moment when
/// both blocks are live.
#[derive(Debug, Clone, Copy)]
pub struct Counting;

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(by: usize) {
    CURRENT.fetch_sub(by, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` with the caller's arguments;
// the counting touches only atomics and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            grew(new_size);
            shrank(layout.size());
        }
        p
    }
}

/// Runs `f` and returns its result with the peak of the bytes allocated
/// during it, above what was allocated when it began. Measurements do not
/// nest, and count every thread's allocations (the targets run one
/// thread).
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let result = f();
    let peak = PEAK.load(Ordering::Relaxed);
    (result, peak.saturating_sub(base))
}

/// Bytes allocated and not yet freed, through [`Counting`].
pub fn allocated() -> usize {
    CURRENT.load(Ordering::Relaxed)
}

/// Asserts that `growth` bytes are at most `per_byte * input + fixed`,
/// naming `what` when they are not.
#[track_caller]
pub fn assert_proportional(what: &str, growth: usize, input: usize, per_byte: usize, fixed: usize) {
    let bound = per_byte * input + fixed;
    assert!(
        growth <= bound,
        "{what}: allocated {growth} bytes for {input} bytes of input \
         (bound {per_byte} * {input} + {fixed} = {bound})"
    );
}

/// Takes the targets' choices from the front of the fuzzer's bytes.
/// Past the end every read gives zeros (or an empty slice), so any input
/// is a valid script.
#[derive(Debug, Clone)]
pub struct Bytes<'a> {
    rest: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { rest: data }
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// One byte (0 past the end).
    pub fn u8(&mut self) -> u8 {
        match self.rest.split_first() {
            Some((&b, tail)) => {
                self.rest = tail;
                b
            }
            None => 0,
        }
    }

    /// Two bytes, big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// Four bytes, big-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// Up to `n` bytes (fewer at the end).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.rest.split_at(n.min(self.rest.len()));
        self.rest = tail;
        head
    }

    /// A length-prefixed slice: two bytes of length, then up to that many
    /// bytes.
    pub fn chunk(&mut self) -> &'a [u8] {
        let n = usize::from(self.u16());
        self.take(n)
    }
}

/// The transport and peer one byte of a call context chooses: the
/// transport from its two low bits (TCP, UDP, Unix, TCP), and for TCP and
/// UDP one of `addrs` (from bit 3 up) at a reserved port or an ordinary
/// one (bit 2); Unix-socket peers are unnamed.
pub fn transport_and_peer(a: u8, addrs: &[IpAddr]) -> (Transport, PeerAddr) {
    let transport = match a & 3 {
        0 | 3 => Transport::Tcp,
        1 => Transport::Udp,
        _ => Transport::Unix,
    };
    if transport == Transport::Unix {
        return (transport, PeerAddr::Unix(None));
    }
    let port = if a & 4 == 0 { 700 } else { 40_000 };
    let ip = addrs[usize::from(a >> 3) % addrs.len()];
    (transport, PeerAddr::Inet(SocketAddr::new(ip, port)))
}
