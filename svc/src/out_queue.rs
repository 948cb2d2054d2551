//! A connection's replies waiting to be written, sent with as few system
//! calls as possible: small replies are packed into one buffer, large ones
//! keep their own, and everything queued goes out in one vectored write.

use std::collections::VecDeque;
use std::io::{self, IoSlice};

/// Replies are packed into one buffer until it holds this many bytes.
const PACK_LIMIT: usize = 64 << 10;
/// A reply this small is copied into the packing buffer instead of queued.
const COPY_LIMIT: usize = 4 << 10;
/// Most buffers handed to one vectored write.
const MAX_SLICES: usize = 64;
/// Most bytes handed to one write. On loopback one large write runs the
/// whole transmission in the writer before the reader starts; 64 KiB slices
/// let the peer read while the rest is written (a 1 MiB reply written at
/// once took 406 us of `sendto` under strace).
const MAX_WRITE: usize = 64 << 10;
/// Written-out buffers up to this capacity are kept for reuse.
const RECYCLE_LIMIT: usize = 256 << 10;

/// Where queued bytes are written: a connection's socket.
pub(crate) trait Sink {
    /// Writes a prefix of `slices` and returns its length. `more` says that
    /// more bytes follow at once: a TCP socket then holds back a partly
    /// filled segment to complete it with them (`MSG_MORE`).
    fn send(&mut self, slices: &[IoSlice<'_>], more: bool) -> io::Result<usize>;
}

/// Reply bytes waiting for the socket.
#[derive(Debug, Default)]
pub(crate) struct OutQueue {
    bufs: VecDeque<Vec<u8>>,
    /// Bytes of `bufs[0]` already written.
    head: usize,
    /// Bytes not yet written.
    queued: usize,
    /// An empty buffer kept for the next reply.
    spare: Option<Vec<u8>>,
}

impl OutQueue {
    /// True when nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// Bytes waiting.
    pub(crate) fn len(&self) -> usize {
        self.queued
    }

    /// Lets `f` append one or more replies to the queue's tail buffer and
    /// returns what `f` returns.
    pub(crate) fn append_with<R>(&mut self, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let mut tail = match self.bufs.pop_back() {
            Some(buf) if buf.len() < PACK_LIMIT => buf,
            Some(full) => {
                self.bufs.push_back(full);
                self.spare.take().unwrap_or_default()
            }
            None => self.spare.take().unwrap_or_default(),
        };
        let before = tail.len();
        let result = f(&mut tail);
        // `f` only appends; should it truncate, count what is there.
        self.queued = (self.queued + tail.len()).saturating_sub(before);
        self.bufs.push_back(tail);
        result
    }

    /// Queues a complete reply buffer.
    pub(crate) fn push(&mut self, reply: Vec<u8>) {
        if reply.is_empty() {
            return;
        }
        if reply.len() <= COPY_LIMIT {
            if let Some(tail) = self.bufs.back_mut() {
                if tail.len() + reply.len() <= PACK_LIMIT {
                    tail.extend_from_slice(&reply);
                    self.queued += reply.len();
                    return;
                }
            }
        }
        self.queued += reply.len();
        self.bufs.push_back(reply);
    }

    /// Writes as much as one vectored write takes; returns the bytes
    /// written (0 only when nothing was queued or the peer takes nothing).
    /// A write that leaves bytes queued says so to the sink (`more`): with
    /// `TCP_NODELAY` every 64 KiB write would otherwise end in a tiny
    /// segment of its own (the loopback MSS is 65483 bytes), each waking
    /// the reader.
    pub(crate) fn write_to<S: Sink>(&mut self, sink: &mut S) -> io::Result<usize> {
        if self.queued == 0 {
            return Ok(0);
        }
        let written = {
            let mut slices = [IoSlice::new(&[]); MAX_SLICES];
            let mut count = 0;
            let mut budget = MAX_WRITE;
            for (i, buf) in self.bufs.iter().take(MAX_SLICES).enumerate() {
                let start = if i == 0 { self.head } else { 0 };
                let rest = buf.get(start..).unwrap_or_default();
                let take = rest.len().min(budget);
                slices[i] = IoSlice::new(&rest[..take]);
                count = i + 1;
                budget -= take;
                if budget == 0 {
                    break;
                }
            }
            let offered = MAX_WRITE - budget;
            sink.send(&slices[..count], self.queued > offered)?
        };
        self.consume(written);
        Ok(written)
    }

    /// Drops `n` written bytes from the front.
    fn consume(&mut self, mut n: usize) {
        self.queued -= n.min(self.queued);
        while n > 0 {
            let Some(front) = self.bufs.front() else { break };
            let left = front.len().saturating_sub(self.head);
            if n < left {
                self.head += n;
                return;
            }
            n -= left;
            self.head = 0;
            if let Some(mut done) = self.bufs.pop_front() {
                if done.capacity() <= RECYCLE_LIMIT && self.spare.is_none() {
                    done.clear();
                    self.spare = Some(done);
                }
            }
        }
        // Skip buffers left empty.
        while self.bufs.front().is_some_and(|b| b.len() <= self.head) {
            self.head = 0;
            self.bufs.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink taking at most `chunk` bytes per call, noting each call's
    /// `more` flag.
    struct Trickle {
        got: Vec<u8>,
        chunk: usize,
        calls: usize,
        more: Vec<bool>,
    }

    impl Trickle {
        fn new(chunk: usize) -> Trickle {
            Trickle { got: Vec::new(), chunk, calls: 0, more: Vec::new() }
        }
    }

    impl Sink for Trickle {
        fn send(&mut self, slices: &[IoSlice<'_>], more: bool) -> io::Result<usize> {
            self.calls += 1;
            self.more.push(more);
            let mut left = self.chunk;
            for slice in slices {
                let n = slice.len().min(left);
                self.got.extend_from_slice(&slice[..n]);
                left -= n;
            }
            Ok(self.chunk - left)
        }
    }

    #[test]
    fn bytes_come_out_in_order_whatever_the_chunking() {
        let mut q = OutQueue::default();
        let mut expected = Vec::new();
        for i in 0..50u8 {
            let reply: Vec<u8> = vec![i; 1 + usize::from(i) * 300];
            expected.extend_from_slice(&reply);
            if i % 3 == 0 {
                q.append_with(|b| b.extend_from_slice(&reply));
            } else {
                q.push(reply);
            }
        }
        assert_eq!(q.len(), expected.len());
        let mut w = Trickle::new(777);
        while !q.is_empty() {
            q.write_to(&mut w).unwrap();
        }
        assert_eq!(w.got, expected);
        assert_eq!(w.more.last(), Some(&false), "the last write pushes");
        assert_eq!(q.write_to(&mut w).unwrap(), 0);
    }

    #[test]
    fn small_replies_are_packed_into_one_write() {
        let mut q = OutQueue::default();
        for _ in 0..64 {
            q.push(vec![1; 28]);
        }
        let mut w = Trickle::new(usize::MAX);
        q.append_with(|b| b.extend_from_slice(&[2; 28]));
        q.write_to(&mut w).unwrap();
        assert_eq!((w.calls, w.got.len()), (1, 65 * 28));
        assert!(q.is_empty());
    }

    #[test]
    fn a_large_reply_leaves_in_slices_of_at_most_max_write_flagged_more_but_the_last() {
        let mut q = OutQueue::default();
        let reply: Vec<u8> = (0..(1 << 20) + 5).map(|i| i as u8).collect();
        q.push(reply.clone());
        let mut w = Trickle::new(usize::MAX);
        while !q.is_empty() {
            let n = q.write_to(&mut w).unwrap();
            assert!(n <= MAX_WRITE, "one write took {n} bytes");
        }
        assert_eq!(w.got, reply);
        assert_eq!(w.calls, reply.len().div_ceil(MAX_WRITE));
        assert_eq!(w.more.iter().filter(|&&more| !more).count(), 1);
        assert_eq!(w.more.last(), Some(&false));
    }
}
