//! Record marking for stream transports (RFC 5531 section 11).
//!
//! A record is one or more fragments; each fragment starts with a four-byte
//! mark whose top bit says "last fragment" and whose other 31 bits give the
//! fragment's length. [`fragments`] splits an outgoing message; the
//! [`Reassembler`] rebuilds incoming records from bytes however they are
//! chunked, refusing a record larger than its limit before storing it.

/// The "last fragment" bit of a record mark.
pub const LAST_FRAGMENT: u32 = 0x8000_0000;
/// Largest fragment a mark can describe.
pub const MAX_FRAGMENT: usize = 0x7fff_ffff;

/// The mark for a fragment of `len` bytes (`len` at most [`MAX_FRAGMENT`]).
pub fn mark(len: usize, last: bool) -> [u8; 4] {
    let len = len.min(MAX_FRAGMENT) as u32;
    (len | if last { LAST_FRAGMENT } else { 0 }).to_be_bytes()
}

/// Splits `message` into fragments of at most `max_fragment` bytes, each
/// with its mark, ready for a vectored write. An empty message is one empty
/// last fragment.
pub fn fragments(message: &[u8], max_fragment: usize) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let size = max_fragment.clamp(1, MAX_FRAGMENT);
    let count = message.len().div_ceil(size).max(1);
    (0..count).map(move |i| {
        let start = i * size;
        let chunk = &message[start..message.len().min(start + size)];
        (mark(chunk.len(), i + 1 == count), chunk)
    })
}

/// Writes `message` as a single-fragment record into a new buffer.
pub fn single_fragment(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + message.len());
    out.extend_from_slice(&mark(message.len(), true));
    out.extend_from_slice(message);
    out
}

/// Error from the reassembler: the record is larger than allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("record of at least {len} bytes exceeds the maximum of {max}")]
pub struct RecordTooLarge {
    /// The size the record has reached with the fragment just announced.
    pub len: u64,
    /// The limit.
    pub max: usize,
}

/// Rebuilds records from a byte stream.
///
/// Memory held is at most the limit, and grows only as fragment bytes
/// actually arrive: a mark announcing 2 GiB reserves nothing.
#[derive(Debug)]
pub struct Reassembler {
    max_record: usize,
    record: Vec<u8>,
    header: [u8; 4],
    header_len: usize,
    /// Bytes of the current fragment still to come, once its mark is read.
    fragment_left: usize,
    in_fragment: bool,
    last: bool,
}

impl Reassembler {
    /// A reassembler refusing records larger than `max_record` bytes.
    pub fn new(max_record: usize) -> Self {
        Reassembler {
            max_record,
            record: Vec::new(),
            header: [0; 4],
            header_len: 0,
            fragment_left: 0,
            in_fragment: false,
            last: false,
        }
    }

    /// Bytes of an unfinished record held so far.
    pub fn buffered(&self) -> usize {
        self.record.len()
    }

    /// True between records (nothing partial is held).
    pub fn is_idle(&self) -> bool {
        self.record.is_empty() && self.header_len == 0 && !self.in_fragment
    }

    /// Consumes bytes from the front of `input` until a record completes,
    /// and returns it; returns `Ok(None)` when `input` ran out first (what
    /// was read is kept for the next call). Call again with the rest of
    /// `input` for further records. After an error the stream is out of
    /// sync and must be dropped.
    pub fn decode(&mut self, input: &mut &[u8]) -> Result<Option<Vec<u8>>, RecordTooLarge> {
        loop {
            if !self.in_fragment {
                let take = (4 - self.header_len).min(input.len());
                self.header[self.header_len..self.header_len + take]
                    .copy_from_slice(&input[..take]);
                self.header_len += take;
                *input = &input[take..];
                if self.header_len < 4 {
                    return Ok(None);
                }
                self.header_len = 0;
                let word = u32::from_be_bytes(self.header);
                self.last = word & LAST_FRAGMENT != 0;
                self.fragment_left = (word & !LAST_FRAGMENT) as usize;
                let total = self.record.len() as u64 + self.fragment_left as u64;
                if total > self.max_record as u64 {
                    return Err(RecordTooLarge { len: total, max: self.max_record });
                }
                self.in_fragment = true;
            }
            let take = self.fragment_left.min(input.len());
            self.record.extend_from_slice(&input[..take]);
            self.fragment_left -= take;
            *input = &input[take..];
            if self.fragment_left > 0 {
                return Ok(None);
            }
            self.in_fragment = false;
            if self.last {
                return Ok(Some(std::mem::take(&mut self.record)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn framed(message: &[u8], max_fragment: usize) -> Vec<u8> {
        fragments(message, max_fragment)
            .flat_map(|(m, chunk)| m.into_iter().chain(chunk.iter().copied()))
            .collect()
    }

    #[test]
    fn marks_carry_the_last_bit() {
        assert_eq!(mark(5, true), [0x80, 0, 0, 5]);
        assert_eq!(mark(5, false), [0, 0, 0, 5]);
        let frags: Vec<_> = fragments(b"abcdefg", 3).collect();
        assert_eq!(frags.len(), 3);
        assert_eq!(frags[0], ([0, 0, 0, 3], &b"abc"[..]));
        assert_eq!(frags[2], ([0x80, 0, 0, 1], &b"g"[..]));
        assert_eq!(fragments(b"", 3).collect::<Vec<_>>(), [([0x80, 0, 0, 0], &b""[..])]);
    }

    #[test]
    fn huge_announced_fragment_is_refused_before_storing() {
        let mut r = Reassembler::new(1 << 20);
        let mut input: &[u8] = &[0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        assert_eq!(r.decode(&mut input), Err(RecordTooLarge { len: 0x7fff_ffff, max: 1 << 20 }));
        assert_eq!(r.buffered(), 0);
    }

    #[test]
    fn limit_counts_all_fragments_of_a_record() {
        let mut r = Reassembler::new(10);
        let wire = framed(&[7; 12], 6);
        let mut input = &wire[..];
        assert_eq!(r.decode(&mut input), Err(RecordTooLarge { len: 12, max: 10 }));
    }

    #[test]
    fn endless_empty_fragments_hold_no_memory() {
        let mut r = Reassembler::new(100);
        let wire = [0u8; 4 * 10_000];
        let mut input = &wire[..];
        assert_eq!(r.decode(&mut input), Ok(None));
        assert_eq!(r.buffered(), 0);
        assert!(input.is_empty());
    }

    proptest! {
        #[test]
        fn any_chunking_rebuilds_the_records(
            messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 1..5),
            max_fragment in 1usize..64,
            cuts in proptest::collection::vec(1usize..50, 0..40),
        ) {
            let wire: Vec<u8> = messages.iter().flat_map(|m| framed(m, max_fragment)).collect();
            let mut r = Reassembler::new(1000);
            let mut out = Vec::new();
            let mut rest = &wire[..];
            let mut cuts = cuts.into_iter();
            while !rest.is_empty() {
                let n = cuts.next().unwrap_or(rest.len()).min(rest.len());
                let mut chunk = &rest[..n];
                rest = &rest[n..];
                while let Some(record) = r.decode(&mut chunk).unwrap() {
                    out.push(record);
                }
                prop_assert!(chunk.is_empty());
            }
            prop_assert_eq!(out, messages);
            prop_assert!(r.is_idle());
        }
    }
}
