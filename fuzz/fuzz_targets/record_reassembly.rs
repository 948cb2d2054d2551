//! The record-marking reassembler (`rpc::record`, RFC 5531 section 11)
//! fed a byte stream in chunks the fuzzer chooses, with a record size
//! limit the fuzzer chooses.
//!
//! Input: two bytes of limit (0 to 65535), one byte `n` (0 to 15) and `n`
//! chunk sizes (0 to 255 each, used in turn; 0 is a call with no bytes;
//! none, or only zeros: the whole stream at once), one byte of fragment
//! size for the round trip, then the stream.
//!
//! * The stream fed in those chunks gives the same records, and the same
//!   error at the same place, as a one-shot reference parser of the whole
//!   stream, and as the stream fed in one piece: chunking never matters.
//! * No record is larger than the limit, the reassembler never holds more
//!   than the limit nor returns more bytes than it was fed, and it
//!   consumes its whole input unless a record ends or an error stops it.
//! * The stream taken as one message and framed by `rpc::record`
//!   (`fragments`, `single_fragment`) reassembles to that message when it
//!   fits the limit, and fails with `RecordTooLarge` when it does not.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run record_reassembly` (from the
//! repo root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oncrpc_fuzz::{Bytes, Counting, assert_proportional, measure};
use rpc::record::{LAST_FRAGMENT, Reassembler, RecordTooLarge, fragments, mark, single_fragment};

#[global_allocator]
static ALLOC: Counting = Counting;

/// Allocation bound: `PER_BYTE * input + FIXED`.
///
/// The reassembler stores only fragment bytes that arrived, in one
/// vector growing by doubling (its old and new blocks both live while it
/// grows: 3 times what it holds), and hands each record out without a
/// copy; a mark announcing 2 GiB must reserve nothing. The harness keeps
/// the records: each costs its vector's smallest block (8 bytes) and 24
/// bytes in the list of records, which doubles too (72 at the peak), and
/// takes at least its 4-byte mark of input: 20 per byte (the first run
/// exceeded the 8 per byte first set here with a stream of 4-byte
/// records, 8 bytes of input each). The reference parser and the round
/// trip run outside the measured part.
const PER_BYTE: usize = 32;
const FIXED: usize = 1024;

/// How a stream ends: its records, then the error that stopped it.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    records: Vec<Vec<u8>>,
    error: Option<RecordTooLarge>,
}

/// The reference: the whole stream parsed at once, mark by mark.
fn reference(stream: &[u8], max: usize) -> Outcome {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut rest = stream;
    while let Some((word, after)) = rest.split_first_chunk::<4>() {
        let word = u32::from_be_bytes(*word);
        let len = (word & !LAST_FRAGMENT) as usize;
        let total = record.len() as u64 + len as u64;
        if total > max as u64 {
            return Outcome { records, error: Some(RecordTooLarge { len: total, max }) };
        }
        let take = len.min(after.len());
        record.extend_from_slice(&after[..take]);
        rest = &after[take..];
        if take < len {
            break;
        }
        if word & LAST_FRAGMENT != 0 {
            records.push(std::mem::take(&mut record));
        }
    }
    Outcome { records, error: None }
}

/// The stream fed to a reassembler in chunks of the sizes `cuts` (in
/// turn; an empty chunk is a call with no bytes), checking every call.
/// Without a non-zero size, the stream is fed in one piece.
fn feed(stream: &[u8], max: usize, cuts: &[u8]) -> Outcome {
    let cuts = if cuts.iter().any(|&c| c > 0) { cuts } else { &[] };
    let mut r = Reassembler::new(max);
    let mut records = Vec::new();
    let mut fed = 0usize;
    let mut returned = 0usize;
    let mut rest = stream;
    let mut sizes = cuts.iter().cycle();
    while !rest.is_empty() {
        let n = match sizes.next() {
            Some(&size) => usize::from(size),
            None => rest.len(),
        };
        let (chunk, after) = rest.split_at(n.min(rest.len()));
        rest = after;
        fed += chunk.len();
        let mut input = chunk;
        loop {
            let before = input.len();
            match r.decode(&mut input) {
                Ok(Some(record)) => {
                    assert!(record.len() <= max, "record of {} over {max}", record.len());
                    returned += record.len();
                    assert!(returned <= fed, "returned {returned} bytes of {fed} fed");
                    assert!(input.len() < before || record.is_empty());
                    records.push(record);
                }
                Ok(None) => {
                    assert!(input.is_empty(), "stopped with {} bytes unread", input.len());
                    break;
                }
                Err(e) => {
                    assert!(e.len > e.max as u64 && e.max == max);
                    return Outcome { records, error: Some(e) };
                }
            }
            assert!(r.buffered() <= max, "holds {} over {max}", r.buffered());
        }
        assert!(r.buffered() <= max, "holds {} over {max}", r.buffered());
    }
    Outcome { records, error: None }
}

/// `message` framed in fragments of `size` bytes (and as one fragment)
/// comes back whole, or is refused when over `max`.
fn round_trip(message: &[u8], max: usize, size: usize, cuts: &[u8]) {
    let framed: Vec<u8> = fragments(message, size)
        .flat_map(|(m, chunk)| m.into_iter().chain(chunk.iter().copied()))
        .collect();
    let single = single_fragment(message);
    assert_eq!(single[..4], mark(message.len(), true));
    for wire in [&framed[..], &single[..]] {
        let got = feed(wire, max, cuts);
        if message.len() <= max {
            assert_eq!(got, Outcome { records: vec![message.to_vec()], error: None });
        } else {
            assert!(got.records.is_empty());
            assert!(got.error.is_some_and(|e| e.len > max as u64 && e.max == max));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let max = usize::from(input.u16());
    let n = usize::from(input.u8() % 16);
    let cuts = input.take(n);
    let size = usize::from(input.u8()).max(1);
    let stream = input.rest();

    let (chunked, growth) = measure(|| feed(stream, max, cuts));
    assert_proportional("record_reassembly", growth, data.len(), PER_BYTE, FIXED);
    let expected = reference(stream, max);
    assert_eq!(chunked, expected, "chunks of {cuts:?} changed the outcome");
    assert_eq!(feed(stream, max, &[]), expected, "one piece changed the outcome");
    round_trip(stream, max, size, cuts);
});
