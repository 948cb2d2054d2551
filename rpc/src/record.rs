//! Record marking for stream transports (RFC 5531 section 11).
//!
//! A record is one or more fragments; each fragment starts with a four-byte
//! mark whose top bit says "last fragment" and whose other 31 bits give the
//! fragment's length. [`fragments`] splits an outgoing message; the
//! [`Reassembler`] rebuilds incoming records from bytes however they are
//! chunked, refusing a record larger than its limit before storing it, and
//! lets a transport read the body of a large fragment straight into the
//! record ([`Reassembler::direct_buffer`]).

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

/// Fragment bodies with at least this many bytes still to come may be read
/// straight into the record ([`Reassembler::direct_buffer`]).
pub const DIRECT_MIN: usize = 64 << 10;

/// A direct read may make room for the record to grow to this many times
/// the bytes it holds (or [`DIRECT_MIN`], if more).
const DIRECT_GROWTH: usize = 4;

/// Rebuilds records from a byte stream.
///
/// Memory held is at most the limit, and grows only as fragment bytes
/// actually arrive: a mark announcing 2 GiB reserves nothing, and room
/// made for direct reads is at most four times the bytes received (or
/// [`DIRECT_MIN`]).
#[derive(Debug)]
pub struct Reassembler {
    max_record: usize,
    record: Vec<u8>,
    /// Bytes of `record` accounted for (a direct read appends beyond it).
    stored: usize,
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
            stored: 0,
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
            *input = &input[take..];
            if let Some(record) = self.stored(take) {
                return Ok(Some(record));
            }
            if self.in_fragment {
                return Ok(None);
            }
        }
    }

    /// The record, for reading the current fragment's next bytes straight
    /// into it (no copy through a read buffer), when at least
    /// [`DIRECT_MIN`] bytes of a fragment body are still to come. Its
    /// spare capacity is not zero and holds no more than the bytes still
    /// to come: append into it only (as `rustix::buffer::spare_capacity`
    /// does), then call [`Reassembler::appended`].
    pub fn direct_buffer(&mut self) -> Option<&mut Vec<u8>> {
        if !self.in_fragment || self.fragment_left < DIRECT_MIN {
            return None;
        }
        let len = self.record.len();
        if self.record.capacity() == len {
            let room = len.saturating_mul(DIRECT_GROWTH).max(DIRECT_MIN) - len;
            self.record.reserve_exact(room.min(self.fragment_left));
        }
        let spare = self.record.capacity() - len;
        (spare > 0 && spare <= self.fragment_left).then_some(&mut self.record)
    }

    /// Takes into account what was appended to the
    /// [`Reassembler::direct_buffer`]; returns the record if it is complete.
    pub fn appended(&mut self) -> Option<Vec<u8>> {
        let n = self.record.len().saturating_sub(self.stored).min(self.fragment_left);
        self.record.truncate(self.stored + n);
        self.stored(n)
    }

    /// Counts `n` bytes of the current fragment as stored; returns the
    /// record when they complete it.
    fn stored(&mut self, n: usize) -> Option<Vec<u8>> {
        self.stored += n;
        self.fragment_left -= n;
        if self.fragment_left > 0 {
            return None;
        }
        self.in_fragment = false;
        if !self.last {
            return None;
        }
        self.stored = 0;
        Some(std::mem::take(&mut self.record))
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

    /// Feeds `wire` to `r` as a socket would, at most `cut` bytes a read:
    /// straight into the record whenever the reassembler offers it,
    /// through [`Reassembler::decode`] otherwise. Checks that the room made
    /// is at most four times the bytes stored, or [`DIRECT_MIN`].
    fn read_like_a_socket(r: &mut Reassembler, wire: &[u8], cut: usize) -> Vec<Vec<u8>> {
        let (mut records, mut rest) = (Vec::new(), wire);
        while !rest.is_empty() {
            if let Some(buf) = r.direct_buffer() {
                let stored = buf.len();
                assert!(buf.capacity() <= (stored * DIRECT_GROWTH).max(DIRECT_MIN));
                let n = (buf.capacity() - stored).min(cut).min(rest.len());
                buf.extend_from_slice(&rest[..n]);
                rest = &rest[n..];
                records.extend(r.appended());
            } else {
                let mut chunk = &rest[..cut.min(rest.len())];
                rest = &rest[chunk.len()..];
                while let Some(record) = r.decode(&mut chunk).unwrap() {
                    records.push(record);
                }
            }
        }
        records
    }

    #[test]
    fn large_fragments_are_read_in_place() {
        let sizes = [300_000, 5, 70_000, 1 << 20];
        let messages: Vec<Vec<u8>> =
            sizes.iter().map(|&n| (0..n).map(|i| i as u8).collect()).collect();
        let wire: Vec<u8> = messages.iter().flat_map(|m| framed(m, 400_000)).collect();
        for cut in [1000, 65_536, 200_000, usize::MAX] {
            let mut r = Reassembler::new(2 << 20);
            assert_eq!(read_like_a_socket(&mut r, &wire, cut), messages, "cut {cut}");
            assert!(r.is_idle());
        }
        // Nor do direct reads take the bytes after the fragment.
        let wire = [framed(&[1; 100_000], 70_000), framed(&[2; 3], 10)].concat();
        let mut r = Reassembler::new(1 << 20);
        assert_eq!(read_like_a_socket(&mut r, &wire, usize::MAX), [vec![1; 100_000], vec![2; 3]]);
    }

    #[test]
    fn a_mark_announcing_a_mebibyte_makes_room_for_what_arrived_only() {
        let wire = framed(&[9; 1 << 20], MAX_FRAGMENT);
        let mut r = Reassembler::new(2 << 20);
        let mut input = &wire[..14];
        assert_eq!(r.decode(&mut input), Ok(None));
        let buf = r.direct_buffer().unwrap();
        assert_eq!((buf.len(), buf.capacity()), (10, DIRECT_MIN));
    }

    #[test]
    fn bytes_appended_past_the_fragment_are_dropped() {
        let wire = framed(&[9; 100_000], MAX_FRAGMENT);
        let mut r = Reassembler::new(1 << 20);
        let mut input = &wire[..14];
        assert_eq!(r.decode(&mut input), Ok(None));
        r.direct_buffer().unwrap().extend_from_slice(&[9; 200_000]);
        assert_eq!(r.appended(), Some(vec![9; 100_000]));
        assert!(r.is_idle());
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
