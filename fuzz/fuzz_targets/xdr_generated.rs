//! XDR decode and round trip of the types rpcgen generates from
//! `fuzz/fuzz.x` (see `build.rs`), with strings as bytes and as checked
//! UTF-8, and of the runtime's borrowed forms against its owned ones.
//!
//! Input: byte 0 picks the type, byte 1 the decoder's depth budget (high
//! bit clear: the default, 256; set: 0 to 127), the rest is XDR. When a
//! value decodes from a prefix of it, the value re-encodes to exactly
//! that prefix (decoding accepts only canonical XDR: zero padding, 0 or 1
//! for bools, declared enum values), its encoding decodes again to an
//! equal value, and that value encodes the same.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run xdr_generated` (from the repo root).
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use oncrpc_fuzz::{Bytes, Counting, assert_proportional, measure};
use xdr::{
    ByteStr, ByteString, Decode, DecodeOwned, Decoder, Encode, Limits, Opaque, OpaqueRef, Utf8Str,
    Utf8String, VarArray,
};

#[global_allocator]
static ALLOC: Counting = Counting;

/// `fuzz.x` with strings as `ByteString`.
#[allow(dead_code, missing_docs, unreachable_pub, clippy::all)]
mod bytes {
    include!(concat!(env!("OUT_DIR"), "/bytes/fuzz.rs"));
}

/// `fuzz.x` with strings as `Utf8String`.
#[allow(dead_code, missing_docs, unreachable_pub, clippy::all)]
mod utf8 {
    include!(concat!(env!("OUT_DIR"), "/utf8/fuzz.rs"));
}

/// Allocation bound: `PER_BYTE * input + FIXED`.
///
/// A decoded value holds at most 8 bytes of memory per byte of its
/// encoding: the most any element of `fuzz.x` takes in memory next to its
/// smallest encoding is a union with a `name` (a 24-byte `Vec`) in 32
/// bytes against a 4-byte void arm, or an empty `name` in a 24-byte `Vec`
/// against 4 bytes (an `Option<Box<T>>` is 8 against 4, a list node about
/// 4, its vector reserving no more nodes than the remaining input could
/// hold). A round trip holds two decoded values and two encodings (no
/// longer than the input), a vector growing to its final size may hold
/// its old and new blocks at once, and the borrowed forms copy nothing:
/// 2 * 8 + 2 + slack = 32 per byte. `FIXED` covers the fixed-size parts
/// of small values (a `message` is a few hundred bytes with every
/// optional part absent) and error paths.
const PER_BYTE: usize = 32;
const FIXED: usize = 4096;

fn round_trip<T>(data: &[u8], limits: Limits, compare: bool)
where
    T: DecodeOwned + Encode + PartialEq + Debug,
{
    let mut dec = Decoder::with_limits(data, limits);
    let Ok(first) = T::decode(&mut dec) else { return };
    let used = &data[..dec.position()];
    let wire = xdr::to_vec(&first).expect("a decoded value encodes");
    assert_eq!(wire.len(), first.encoded_len(), "encoded_len is exact");
    assert!(wire == used, "re-encoding differs from the {} bytes decoded", used.len());
    let second: T = xdr::from_slice_with_limits(&wire, limits).expect("an encoding decodes");
    if compare {
        assert_eq!(first, second, "decode -> encode -> decode changed the value");
    }
    assert!(xdr::to_vec(&second).expect("encodes") == wire, "second encoding differs");
}

/// The same bytes through borrowed and owned forms: the same outcome,
/// the same contents.
fn borrowed_vs_owned(data: &[u8], limits: Limits) {
    type Borrowed<'a> =
        (ByteStr<'a, 16>, OpaqueRef<'a>, Utf8Str<'a, 64>, &'a [u8; 5], VarArray<ByteStr<'a, 8>, 4>);
    type Owned = (ByteString<16>, Opaque, Utf8String<64>, [u8; 5], VarArray<ByteString<8>, 4>);
    let mut b = Decoder::with_limits(data, limits);
    let mut o = Decoder::with_limits(data, limits);
    let borrowed = Borrowed::decode(&mut b);
    let owned = Owned::decode(&mut o);
    let used = &data[..b.position()];
    assert_eq!(b.position(), o.position());
    match (borrowed, owned) {
        (Ok(b), Ok(o)) => {
            assert_eq!(b.0.as_bytes(), o.0.as_bytes());
            assert_eq!(b.1.as_bytes(), o.1.as_bytes());
            assert_eq!(b.2.as_str(), o.2.as_str());
            assert_eq!(b.3, &o.3);
            let b4: Vec<&[u8]> = b.4.iter().map(|s| s.as_bytes()).collect();
            let o4: Vec<&[u8]> = o.4.iter().map(|s| s.as_bytes()).collect();
            assert_eq!(b4, o4);
            let wire = xdr::to_vec(&b).expect("encodes");
            assert_eq!(wire, xdr::to_vec(&o).expect("encodes"));
            assert!(wire == used, "borrowed re-encoding differs");
        }
        (Err(b), Err(o)) => assert_eq!(b, o, "borrowed and owned fail differently"),
        (b, o) => panic!("borrowed {:?} but owned {:?}", b.map(|_| ()), o.map(|_| ())),
    }
}

/// Round trips of every type of `fuzz.x`, in both string modes. The
/// second argument says whether values compare with `==` (types holding
/// floats do not: NaN is not equal to itself).
macro_rules! types {
    ($pick:expr, $data:expr, $limits:expr; $($t:ident $cmp:literal),+ $(,)?) => {{
        let table: &[fn(&[u8], Limits)] = &[
            $(
                |d, l| round_trip::<bytes::$t>(d, l, $cmp),
                |d, l| round_trip::<utf8::$t>(d, l, $cmp),
            )+
            borrowed_vs_owned,
        ];
        table[usize::from($pick) % table.len()]($data, $limits)
    }};
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let pick = input.u8();
    let depth = input.u8();
    let limits = if depth & 0x80 == 0 {
        Limits::DEFAULT
    } else {
        Limits { max_depth: u32::from(depth & 0x7f), ..Limits::DEFAULT }
    };
    let xdr = input.rest();
    let ((), growth) = measure(|| {
        types!(pick, xdr, limits;
            Scalars false, Blobs true, Arrays false, OnInt true, OnUnsigned true, OnEnum true,
            OnBool true, ItemChain true, ItemList true, Tree true, Expr true, ExprPair true,
            Message false, Color true, Name true, Cookie true, Stamp true,
        )
    });
    assert_proportional("xdr_generated", growth, data.len(), PER_BYTE, FIXED);
});
