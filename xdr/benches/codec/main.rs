//! Criterion benchmarks of the `xdr` codec side by side with `xdr-codec` 0.4,
//! the crate the original design named (used here only as the baseline).
//!
//! The test types are written by hand the way generated code is: ours field
//! by field with `in_field` error paths and the READDIR entries as an
//! `xdr::List` of nodes (`ours.rs`), xdr-codec's the way its `xdrgen` emits
//! `Pack`/`Unpack` (`theirs.rs`). Before anything is timed, [`Fixtures::new`] checks that
//! both libraries write identical bytes for every value and decode each
//! other's bytes back to equal values.
//!
//! Run with `cargo bench -p xdr --bench codec`; figures go to `BENCHMARKS.md`.
//! Benchmark ids read `operation/value/implementation`, so the competitors
//! of one value print next to each other.

// A benchmark: a panic in setup is how a broken fixture is reported.
#![allow(clippy::unwrap_used)]

mod ours;
mod theirs;

use std::fmt::Debug;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use xdr::{ByteString, Decode, Encode, Opaque, Quadruple, VarArray};
use xdr_codec::Pack;

/// Entries in the READDIR-like reply.
const ENTRIES: usize = 100;
/// Elements of the int array.
const INTS: usize = 1000;
/// The small and the large opaque.
const SMALL: usize = 64;
const LARGE: usize = 64 * 1024;

/// File name `i`: 2 to 20 bytes of lowercase letters.
fn file_name(i: usize) -> String {
    (0..2 + (i * 7) % 19).map(|k| char::from(b'a' + ((i + k) % 26) as u8)).collect()
}

fn dirlists() -> (ours::DirList, theirs::DirList) {
    let ours_entries = (0..ENTRIES)
        .map(|i| ours::Entry {
            cookie: 1000 + i as u64,
            name: ByteString::try_from(file_name(i).as_str()).unwrap(),
        })
        .collect();
    let mut theirs_entries = None;
    for i in (0..ENTRIES).rev() {
        theirs_entries = Some(Box::new(theirs::Entry {
            cookie: 1000 + i as u64,
            name: file_name(i),
            nextentry: theirs_entries,
        }));
    }
    (
        ours::DirList { entries: ours_entries, eof: true },
        theirs::DirList { entries: theirs_entries, eof: true },
    )
}

fn primitives() -> (ours::Primitives, theirs::Primitives) {
    let label = "thirty-one bytes of label text!";
    let data: Vec<u8> = (0..37).collect();
    let q: [u8; 16] = std::array::from_fn(|i| i as u8 * 3);
    let fixed: [u8; 12] = std::array::from_fn(|i| 0xa0 + i as u8);
    (
        ours::Primitives {
            i: -123_456,
            u: 0xdead_beef,
            h: -9_876_543_210,
            uh: 0x0123_4567_89ab_cdef,
            b: true,
            f: 1.5,
            d: -2.25e100,
            kind: ours::FileType::Nflnk,
            q: Quadruple(q),
            fixed,
            label: ByteString::try_from(label).unwrap(),
            data: Opaque::new(data.clone()).unwrap(),
            maybe: Some(42),
        },
        theirs::Primitives {
            i: -123_456,
            u: 0xdead_beef,
            h: -9_876_543_210,
            uh: 0x0123_4567_89ab_cdef,
            b: true,
            f: 1.5,
            d: -2.25e100,
            kind: theirs::FileType::Nflnk,
            q,
            fixed,
            label: label.to_owned(),
            data,
            maybe: Some(42),
        },
    )
}

fn ints() -> Vec<i32> {
    (0..INTS as i32).map(|i| i.wrapping_mul(2_654_435_761_u32 as i32)).collect()
}

fn blob(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// Decodes with xdr-codec from a byte slice, its fastest reader.
fn theirs_decode<T: for<'a> xdr_codec::Unpack<&'a [u8]>>(bytes: &[u8]) -> xdr_codec::Result<T> {
    let mut input = bytes;
    T::unpack(&mut input).map(|(value, _)| value)
}

/// Encodes with xdr-codec into a fresh vector (it cannot size a value first).
fn theirs_to_vec<T: xdr_codec::Pack<Vec<u8>>>(value: &T) -> xdr_codec::Result<Vec<u8>> {
    let mut out = Vec::new();
    value.pack(&mut out)?;
    Ok(out)
}

/// Checks that both libraries agree on a value and returns its encoding.
fn agree<O, T>(what: &str, ours: &O, theirs: &T) -> Vec<u8>
where
    O: Encode + for<'de> Decode<'de> + PartialEq + Debug,
    T: xdr_codec::Pack<Vec<u8>> + for<'a> xdr_codec::Unpack<&'a [u8]> + PartialEq + Debug,
{
    let wire = xdr::to_vec(ours).unwrap();
    assert_eq!(wire, theirs_to_vec(theirs).unwrap(), "{what}: the libraries write different bytes");
    assert_eq!(ours.encoded_len(), wire.len(), "{what}: encoded_len is not exact");
    let mut appended = vec![0xee; 3];
    xdr::append(ours, &mut appended).unwrap();
    assert_eq!(&appended[3..], wire, "{what}: append differs from to_vec");
    assert_eq!(&xdr::from_slice::<O>(&wire).unwrap(), ours, "{what}: we misread our bytes");
    assert_eq!(&theirs_decode::<T>(&wire).unwrap(), theirs, "{what}: xdr-codec misreads them");
    wire
}

/// Checks that a borrowed form decodes `wire` and writes it back unchanged.
fn borrowed_agrees<'de, B: Decode<'de> + Encode>(what: &str, wire: &'de [u8]) {
    let value: B = xdr::from_slice(wire).unwrap();
    assert_eq!(
        xdr::to_vec(&value).unwrap(),
        wire,
        "{what}: the borrowed form re-encodes differently"
    );
}

/// Every value, on both sides, with its encoding.
struct Fixtures {
    dirlist: (ours::DirList, theirs::DirList, Vec<u8>),
    prims: (ours::Primitives, theirs::Primitives, Vec<u8>),
    ints: (ours::IntArray, theirs::IntArray, Vec<u8>),
    int_list: (ours::IntList, theirs::IntList, Vec<u8>),
    small: (ours::Blob, theirs::Blob, Vec<u8>),
    large: (ours::Blob, theirs::Blob, Vec<u8>),
}

impl Fixtures {
    fn new() -> Fixtures {
        let (o, t) = dirlists();
        let wire = agree("readdir", &o, &t);
        borrowed_agrees::<ours::DirListRef<'_>>("readdir", &wire);
        let dirlist = (o, t, wire);

        let (o, t) = primitives();
        let wire = agree("primitives", &o, &t);
        borrowed_agrees::<ours::PrimitivesRef<'_>>("primitives", &wire);
        let prims = (o, t, wire);

        let (o, t) = (VarArray::new(ints()).unwrap(), theirs::IntArray(ints()));
        let wire = agree("int<1000>", &o, &t);
        let ints = (o, t, wire);
        let (o, t) = (VarArray::new(ints.0.to_vec()).unwrap(), theirs::IntList(ints.0.to_vec()));
        let wire = agree("int<>", &o, &t);
        let int_list = (o, t, wire);

        let blob_pair = |len| {
            let (o, t) = (Opaque::new(blob(len)).unwrap(), theirs::Blob(blob(len)));
            let wire = agree("opaque", &o, &t);
            let view: ours::BlobRef<'_> = xdr::from_slice(&wire).unwrap();
            assert!(std::ptr::eq(view.as_ptr(), wire[4..].as_ptr()), "borrowed opaque copied");
            (o, t, wire)
        };
        Fixtures {
            dirlist,
            prims,
            ints,
            int_list,
            small: blob_pair(SMALL),
            large: blob_pair(LARGE),
        }
    }

    /// Bytes of one message of each kind: what the mix handles per iteration.
    fn mix_bytes(&self) -> usize {
        self.dirlist.2.len() + self.prims.2.len() + self.ints.2.len() + self.large.2.len()
    }
}

fn throughput(group: &mut BenchmarkGroup<'_, WallTime>, bytes: usize) {
    group.throughput(Throughput::Bytes(bytes as u64));
}

/// Decodes `wire` with a borrowed form, dropping the result.
type Borrowed = fn(&[u8]);

/// The borrowed decoders benchmarked: each points into its input.
fn dirlist_ref(wire: &[u8]) {
    black_box(xdr::from_slice::<ours::DirListRef<'_>>(wire).unwrap());
}
fn primitives_ref(wire: &[u8]) {
    black_box(xdr::from_slice::<ours::PrimitivesRef<'_>>(wire).unwrap());
}
fn blob_ref(wire: &[u8]) {
    black_box(xdr::from_slice::<ours::BlobRef<'_>>(wire).unwrap());
}

/// Benchmarks decoding `wire` as ours owned (`O`), ours borrowed (when
/// there is such a form) and xdr-codec's (`T`).
fn decode_value<O, T>(c: &mut Criterion, name: &str, wire: &[u8], borrowed: Option<Borrowed>)
where
    O: for<'de> Decode<'de>,
    T: for<'a> xdr_codec::Unpack<&'a [u8]>,
{
    let mut group = c.benchmark_group(format!("decode/{name}"));
    throughput(&mut group, wire.len());
    group.bench_function("ours_owned", |b| {
        b.iter(|| xdr::from_slice::<O>(black_box(wire)).unwrap())
    });
    if let Some(borrowed) = borrowed {
        group.bench_function("ours_borrowed", |b| b.iter(|| borrowed(black_box(wire))));
    }
    group.bench_function("xdr_codec", |b| b.iter(|| theirs_decode::<T>(black_box(wire)).unwrap()));
    group.finish();
}

fn decode(c: &mut Criterion) {
    let f = Fixtures::new();
    decode_value::<ours::DirList, theirs::DirList>(
        c,
        "readdir_100",
        &f.dirlist.2,
        Some(dirlist_ref),
    );
    decode_value::<ours::Primitives, theirs::Primitives>(
        c,
        "primitives",
        &f.prims.2,
        Some(primitives_ref),
    );
    decode_value::<ours::IntArray, theirs::IntArray>(c, "int_array_1000", &f.ints.2, None);
    decode_value::<ours::IntList, theirs::IntList>(c, "int_list_1000", &f.int_list.2, None);
    decode_value::<ours::Blob, theirs::Blob>(c, "opaque_64B", &f.small.2, Some(blob_ref));
    decode_value::<ours::Blob, theirs::Blob>(c, "opaque_64KiB", &f.large.2, Some(blob_ref));

    let mut group = c.benchmark_group("decode/mix");
    throughput(&mut group, f.mix_bytes());
    group.bench_function("ours_owned", |b| {
        b.iter(|| {
            black_box(xdr::from_slice::<ours::DirList>(black_box(&f.dirlist.2)).unwrap());
            black_box(xdr::from_slice::<ours::Primitives>(black_box(&f.prims.2)).unwrap());
            black_box(xdr::from_slice::<ours::IntArray>(black_box(&f.ints.2)).unwrap());
            black_box(xdr::from_slice::<ours::Blob>(black_box(&f.large.2)).unwrap());
        })
    });
    group.bench_function("ours_borrowed", |b| {
        b.iter(|| {
            dirlist_ref(black_box(&f.dirlist.2));
            primitives_ref(black_box(&f.prims.2));
            // An int array has no borrowed form.
            black_box(xdr::from_slice::<ours::IntArray>(black_box(&f.ints.2)).unwrap());
            blob_ref(black_box(&f.large.2));
        })
    });
    group.bench_function("xdr_codec", |b| {
        b.iter(|| {
            black_box(theirs_decode::<theirs::DirList>(black_box(&f.dirlist.2)).unwrap());
            black_box(theirs_decode::<theirs::Primitives>(black_box(&f.prims.2)).unwrap());
            black_box(theirs_decode::<theirs::IntArray>(black_box(&f.ints.2)).unwrap());
            black_box(theirs_decode::<theirs::Blob>(black_box(&f.large.2)).unwrap());
        })
    });
    group.finish();
}

/// Benchmarks encoding one value both ways: into a fresh buffer and into a
/// reused one, as a server does.
fn encode_value<O, T>(c: &mut Criterion, name: &str, ours: &O, theirs: &T, len: usize)
where
    O: Encode,
    T: xdr_codec::Pack<Vec<u8>>,
{
    let mut group = c.benchmark_group(format!("encode/{name}"));
    throughput(&mut group, len);
    group.bench_function("ours_fresh", |b| b.iter(|| xdr::to_vec(black_box(ours)).unwrap()));
    group.bench_function("xdr_codec_fresh", |b| {
        b.iter(|| theirs_to_vec(black_box(theirs)).unwrap())
    });
    let mut buf = Vec::with_capacity(len);
    group.bench_function("ours_reused", |b| {
        b.iter(|| {
            buf.clear();
            xdr::append(black_box(ours), &mut buf).unwrap();
        })
    });
    group.bench_function("xdr_codec_reused", |b| {
        b.iter(|| {
            buf.clear();
            black_box(theirs).pack(&mut buf).unwrap();
        })
    });
    group.finish();
}

fn encode(c: &mut Criterion) {
    let f = Fixtures::new();
    encode_value(c, "readdir_100", &f.dirlist.0, &f.dirlist.1, f.dirlist.2.len());
    encode_value(c, "primitives", &f.prims.0, &f.prims.1, f.prims.2.len());
    encode_value(c, "int_array_1000", &f.ints.0, &f.ints.1, f.ints.2.len());
    encode_value(c, "int_list_1000", &f.int_list.0, &f.int_list.1, f.int_list.2.len());
    encode_value(c, "opaque_64B", &f.small.0, &f.small.1, f.small.2.len());
    encode_value(c, "opaque_64KiB", &f.large.0, &f.large.1, f.large.2.len());

    let mut group = c.benchmark_group("encode/mix");
    throughput(&mut group, f.mix_bytes());
    let mut buf = Vec::with_capacity(f.mix_bytes());
    group.bench_function("ours_fresh", |b| {
        b.iter(|| {
            black_box(xdr::to_vec(black_box(&f.dirlist.0)).unwrap());
            black_box(xdr::to_vec(black_box(&f.prims.0)).unwrap());
            black_box(xdr::to_vec(black_box(&f.ints.0)).unwrap());
            black_box(xdr::to_vec(black_box(&f.large.0)).unwrap());
        })
    });
    group.bench_function("xdr_codec_fresh", |b| {
        b.iter(|| {
            black_box(theirs_to_vec(black_box(&f.dirlist.1)).unwrap());
            black_box(theirs_to_vec(black_box(&f.prims.1)).unwrap());
            black_box(theirs_to_vec(black_box(&f.ints.1)).unwrap());
            black_box(theirs_to_vec(black_box(&f.large.1)).unwrap());
        })
    });
    group.bench_function("ours_reused", |b| {
        b.iter(|| {
            buf.clear();
            xdr::append(black_box(&f.dirlist.0), &mut buf).unwrap();
            xdr::append(black_box(&f.prims.0), &mut buf).unwrap();
            xdr::append(black_box(&f.ints.0), &mut buf).unwrap();
            xdr::append(black_box(&f.large.0), &mut buf).unwrap();
        })
    });
    group.bench_function("xdr_codec_reused", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&f.dirlist.1).pack(&mut buf).unwrap();
            black_box(&f.prims.1).pack(&mut buf).unwrap();
            black_box(&f.ints.1).pack(&mut buf).unwrap();
            black_box(&f.large.1).pack(&mut buf).unwrap();
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = decode, encode
}
criterion_main!(benches);
