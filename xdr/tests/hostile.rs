//! Hostile input: every case ends in a clear error, never a panic, a stack
//! overflow or an allocation larger than the input justifies.
//!
//! A counting allocator measures the peak heap use of each decode on the
//! current thread (tests run on several threads at once).

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::alltypes::{AllTypes, Color, Node, Outcome, Shape, sample};
use proptest::prelude::*;
use xdr::{
    ByteStr, ByteString, Decode, DecodeOwned, Decoder, Encode, Encoder, Error, List, Opaque,
    OpaqueRef, Result, Utf8String, VarArray, from_slice, to_vec,
};

struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only adds per-thread counters.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|live| {
            live.set(live.get() + layout.size());
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
        });
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(layout.size())));
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the peak bytes it had allocated at once.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let result = f();
    (result, PEAK.with(Cell::get) - base)
}

/// Heap an error may use to record its field path.
const ERROR_HEAP: usize = 256;

/// Decodes `input` as `T`, which must fail, within `max_heap` bytes of heap
/// besides what the error itself holds.
fn must_fail<T: DecodeOwned + std::fmt::Debug>(input: &[u8], max_heap: usize) -> Error {
    let (result, peak) = peak_heap(|| from_slice::<T>(input));
    assert!(
        peak <= max_heap + ERROR_HEAP,
        "decoding {} bytes peaked at {peak} bytes of heap",
        input.len()
    );
    result.expect_err("hostile input decoded")
}

const CLAIM_MAX: [u8; 4] = [0xff; 4];

#[test]
fn length_of_four_gib_in_four_bytes() {
    let expect = Error::LengthOverInput { offset: 0, len: u32::MAX, needed: 0, remaining: 0 };
    let check = |e: Error| match e {
        Error::LengthOverInput { offset: 0, len: u32::MAX, remaining: 0, .. } => {}
        other => panic!("expected {expect:?}, got {other:?}"),
    };
    check(must_fail::<Opaque>(&CLAIM_MAX, 0));
    check(must_fail::<ByteString>(&CLAIM_MAX, 0));
    check(must_fail::<Utf8String>(&CLAIM_MAX, 0));
    check(must_fail::<VarArray<u32>>(&CLAIM_MAX, 0));
    check(must_fail::<VarArray<ByteString>>(&CLAIM_MAX, 0));
    check(must_fail::<VarArray<()>>(&CLAIM_MAX, 0));
    check(Decoder::new(&CLAIM_MAX).read::<OpaqueRef<'_>>().unwrap_err());
    check(Decoder::new(&CLAIM_MAX).read::<ByteStr<'_>>().unwrap_err());
}

#[test]
fn sixteen_bytes_claiming_a_four_gib_array_allocate_nothing_large() {
    let mut input = vec![0xff, 0xff, 0xff, 0xff];
    input.extend_from_slice(&[0; 12]);
    let err = must_fail::<VarArray<u64>>(&input, 0);
    assert_eq!(
        err,
        Error::LengthOverInput {
            offset: 0,
            len: u32::MAX,
            needed: 8 * u64::from(u32::MAX),
            remaining: 12
        }
    );
    // A claim the input can hold is allocated, and only that much.
    let mut fits = vec![0, 0, 0, 1];
    fits.extend_from_slice(&[0; 12]);
    let (result, peak) = peak_heap(|| from_slice::<VarArray<u64>>(&fits));
    assert!(matches!(result, Err(Error::TrailingBytes { offset: 12, count: 4 })));
    assert!(peak <= 64, "peak {peak}");
}

#[test]
fn bound_is_checked_before_the_input() {
    let err = must_fail::<VarArray<u32, 10>>(&[0, 0, 0, 11], 0);
    assert_eq!(err, Error::LengthOverBound { offset: 0, len: 11, max: 10 });
}

#[test]
fn truncation_at_every_offset_is_an_error() {
    for n in 0..common::alltypes::SAMPLES {
        let bytes = to_vec(&sample(n)).unwrap();
        for cut in 0..bytes.len() {
            let err = must_fail::<AllTypes>(&bytes[..cut], 4096);
            assert!(
                matches!(err.root(), Error::Truncated { .. } | Error::LengthOverInput { .. }),
                "sample {n} cut at {cut}: {err}"
            );
        }
    }
}

#[test]
fn invalid_bool_enum_and_discriminants() {
    assert_eq!(must_fail::<bool>(&[0, 0, 0, 2], 0), Error::InvalidBool { offset: 0, value: 2 });
    assert_eq!(
        must_fail::<Color>(&[0, 0, 0, 3], 0),
        Error::InvalidEnum { offset: 0, type_name: "color", value: 3 }
    );
    assert_eq!(
        must_fail::<Outcome>(&[0xff, 0xff, 0xff, 0xff], 0),
        Error::InvalidDiscriminant { offset: 0, type_name: "outcome", value: -1 }
    );
    let err = must_fail::<Shape>(&[0, 0, 0, 7], 0);
    assert_eq!(err.path(), Some("kind"));
    assert_eq!(err.root(), &Error::InvalidEnum { offset: 0, type_name: "color", value: 7 });
    // Optional-data flag.
    assert_eq!(
        must_fail::<Option<u32>>(&[0, 0, 0, 2, 0, 0, 0, 0], 0),
        Error::InvalidBool { offset: 0, value: 2 }
    );
}

#[test]
fn nonzero_padding_is_refused() {
    assert_eq!(
        must_fail::<[u8; 5]>(&[1, 2, 3, 4, 5, 0, 0, 1], 0),
        Error::NonZeroPadding { offset: 7 }
    );
    assert_eq!(
        must_fail::<Opaque<8>>(&[0, 0, 0, 2, 9, 9, 0x80, 0], 16),
        Error::NonZeroPadding { offset: 6 }
    );
    assert_eq!(
        must_fail::<ByteString>(&[0, 0, 0, 1, b'a', 0, 0, 0xff], 16),
        Error::NonZeroPadding { offset: 7 }
    );
}

/// `struct tree { int value; tree *left; tree *right; };`: recursion that is
/// not a list, so it nests through `Option` and its depth budget.
#[derive(Debug, PartialEq)]
struct Tree {
    value: i32,
    left: Option<Box<Tree>>,
    right: Option<Box<Tree>>,
}

impl Encode for Tree {
    fn encoded_len(&self) -> usize {
        4 + self.left.encoded_len() + self.right.encoded_len()
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        self.value.encode(enc)?;
        self.left.encode(enc)?;
        self.right.encode(enc)
    }
}

impl<'de> Decode<'de> for Tree {
    const MIN_ENCODED_LEN: usize = 12;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        Ok(Tree {
            value: dec.read().map_err(|e| e.in_field("value"))?,
            left: dec.read().map_err(|e| e.in_field("left"))?,
            right: dec.read().map_err(|e| e.in_field("right"))?,
        })
    }
}

#[test]
fn nested_optional_data_a_million_deep_hits_the_depth_budget() {
    // value, left = TRUE, value, left = TRUE, ... : a million levels.
    let mut input = Vec::with_capacity(8 * 1_000_000 + 8);
    for _ in 0..1_000_000 {
        input.extend_from_slice(&[0, 0, 0, 5, 0, 0, 0, 1]);
    }
    input.extend_from_slice(&[0, 0, 0, 5, 0, 0, 0, 0]);
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || from_slice::<Tree>(&input).map(|_| ()))
        .unwrap();
    let err = handle.join().expect("decoder overflowed its stack").unwrap_err();
    assert!(matches!(err.root(), Error::DepthExceeded { limit: 256, .. }), "{err}");
    // A shallow tree decodes.
    let tree = Tree {
        value: 1,
        left: Some(Box::new(Tree { value: 2, left: None, right: None })),
        right: None,
    };
    assert_eq!(from_slice::<Tree>(&to_vec(&tree).unwrap()).unwrap(), tree);
}

/// `struct forest { forest children<>; };`: recursion through a
/// variable-length array, not optional-data.
#[derive(Debug, PartialEq)]
struct Forest {
    children: VarArray<Forest>,
}

impl Encode for Forest {
    fn encoded_len(&self) -> usize {
        self.children.encoded_len()
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        self.children.encode(enc)
    }
}

impl<'de> Decode<'de> for Forest {
    const MIN_ENCODED_LEN: usize = 4;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        Ok(Forest { children: dec.read().map_err(|e| e.in_field("children"))? })
    }
}

/// Found by the `xdr_generated` fuzz target: nested arrays of a recursive
/// type each claiming as many elements as the remaining input could hold
/// reserved them all at every level (memory = depth x input). Each level
/// here claims 200 children and delivers one, then the input ends.
#[test]
fn nested_arrays_claiming_the_same_remaining_bytes_allocate_in_proportion() {
    let mut input = Vec::new();
    for _ in 0..200 {
        input.extend_from_slice(&200u32.to_be_bytes());
    }
    input.resize(input.len() + 800, 0);
    let (result, peak) = peak_heap(|| from_slice::<Forest>(&input).map(|_| ()));
    assert!(result.is_err(), "the claims cannot all be met");
    // 200 levels each reserving 200 children of 24 bytes would be 960 KB.
    assert!(peak < 16 * input.len(), "{peak} bytes for {} of input", input.len());
}

/// Found by the `xdr_generated` fuzz target: a `tree children<>` nested
/// a few thousand deep (12 bytes a level) overflowed the stack, as arrays
/// did not count against the depth budget.
#[test]
fn arrays_nested_a_million_deep_hit_the_depth_budget() {
    // One child, one child, ... : a million levels, then no children.
    let mut input = Vec::with_capacity(4 * 1_000_001);
    for _ in 0..1_000_000 {
        input.extend_from_slice(&[0, 0, 0, 1]);
    }
    input.extend_from_slice(&[0, 0, 0, 0]);
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || from_slice::<Forest>(&input).map(|_| ()))
        .unwrap();
    let err = handle.join().expect("decoder overflowed its stack").unwrap_err();
    assert!(matches!(err.root(), Error::DepthExceeded { limit: 256, .. }), "{err}");
    // Up to the budget, a forest decodes; one level more does not.
    let nested = |levels: usize| {
        let mut wire = [0, 0, 0, 1].repeat(levels);
        wire.extend_from_slice(&[0, 0, 0, 0]);
        wire
    };
    let forest = from_slice::<Forest>(&nested(255)).unwrap();
    assert_eq!(to_vec(&forest).unwrap(), nested(255));
    let shallow = xdr::Limits { max_depth: 3, ..xdr::Limits::DEFAULT };
    assert!(xdr::from_slice_with_limits::<Forest>(&nested(2), shallow).is_ok());
    let err = xdr::from_slice_with_limits::<Forest>(&nested(3), shallow).unwrap_err();
    assert!(matches!(err.root(), Error::DepthExceeded { limit: 3, .. }), "{err}");
}

#[test]
fn a_million_node_list_round_trips_on_a_small_stack_in_bounded_memory() {
    let mut input = Vec::with_capacity(8 * 1_000_000 + 4);
    for i in 0..1_000_000u32 {
        input.extend_from_slice(&[0, 0, 0, 1]);
        input.extend_from_slice(&i.to_be_bytes());
    }
    input.extend_from_slice(&[0, 0, 0, 0]);
    let handle = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || {
            // The vector of nodes grows only as nodes arrive: its peak
            // (while moving to a larger buffer) stays below the input's size.
            let (list, peak) = peak_heap(|| from_slice::<List<Node>>(&input).unwrap());
            assert!(peak <= input.len(), "{peak} bytes of heap for {} of input", input.len());
            assert!(list.iter().zip(0..).all(|(node, i)| node.value == i));
            assert_eq!(to_vec(&list).unwrap(), input);
            list.len()
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), 1_000_000);
}

#[test]
fn a_list_that_never_ends_fails_in_memory_bounded_by_the_input() {
    // TRUE, node 1, TRUE, node 1, ...: every word is 1, and the input ends
    // where the next flag should be.
    let input = [0, 0, 0, 1].repeat(1 << 18);
    let err = must_fail::<List<Node>>(&input, input.len());
    assert!(
        matches!(err.root(), Error::Truncated { offset, .. } if *offset == input.len()),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_and_memory_follows_the_input(
        input in proptest::collection::vec(any::<u8>(), 0..512)
    ) {
        let (_, peak) = peak_heap(|| from_slice::<AllTypes>(&input));
        prop_assert!(peak <= 64 * input.len() + 1024, "{} bytes in, {} peak", input.len(), peak);
    }

    #[test]
    fn mutated_valid_encodings_never_panic(
        n in 0..common::alltypes::SAMPLES,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = to_vec(&sample(n)).unwrap();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let (result, peak) = peak_heap(|| from_slice::<AllTypes>(&bytes));
        prop_assert!(peak <= 64 * bytes.len() + 1024);
        if let Ok(value) = result {
            // Whatever decodes must encode back to the same bytes.
            prop_assert_eq!(to_vec(&value).unwrap(), bytes);
        }
    }
}
