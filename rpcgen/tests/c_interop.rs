//! Byte-level interop with C: `tests/interop/everything.x` (every construct
//! libtirpc can encode) goes through the system `rpcgen -N` and gcc into a
//! driver (`tests/interop/driver.c`); the Rust side is the code our rpcgen
//! generates from the same file (`tests/interop/everything.rs`, kept in
//! sync with the generator by the golden test). For every sample, C
//! encodes and Rust decodes, compares the value, re-encodes and compares
//! the bytes; Rust encodes and C decodes and re-encodes the same bytes.
//!
//! Needs gcc, rpcgen and libtirpc-dev (`test_support::INSTALL_HINT`).

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

/// The generated module.
#[allow(dead_code)]
pub mod everything {
    include!("interop/everything.rs");
}

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use everything::{
    ByBool, ByEnum, ByInt, ByUnsigned, Color, Everything, IntsT, NameT, Node, Pair, Prims, Status,
    Tree, Trees,
};
use oncrpc::xdr::{ByteString, Encode, Opaque, VarArray, from_slice, linked, to_vec};
use test_support::CPeer;

/// Builds the C driver once per test run. `rpcgen -N` (several arguments
/// per procedure) is needed for the `.x`, and `-i 0` because rpcgen's
/// inline code for `bool flags[2]` names a C type `bool` that does not exist.
fn driver() -> &'static Path {
    static DRIVER: OnceLock<PathBuf> = OnceLock::new();
    DRIVER.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rpcgen_c_interop");
        CPeer::new(src.join("everything.x"))
            .rpcgen_flags(&["-N", "-i", "0"])
            .source(src.join("driver.c"))
            .build(&dir, "driver")
    })
}

fn c_encode(n: u8) -> Vec<u8> {
    let out = Command::new(driver()).args(["encode", &n.to_string()]).output().unwrap();
    assert!(out.status.success(), "driver encode {n}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn c_reencode(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(driver())
        .arg("reencode")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn bytes<const N: u32>(b: &[u8]) -> ByteString<N> {
    ByteString::try_from(b).unwrap()
}

/// The driver's `fill_prims(which)`.
fn prims(which: u8) -> Prims {
    if which == 0 {
        return Prims::default();
    }
    let one = which == 1;
    Prims {
        i: if one { i32::MIN } else { 123_456 },
        u: if one { u32::MAX } else { 7 },
        h: if one { i64::MIN } else { -99 },
        uh: if one { u64::MAX } else { 0x0123_4567_89ab_cdef },
        b: true,
        f: if one { -1.5 } else { 0.25 },
        d: if one { 1e300 } else { -2.5 },
        c: if one { Color::Negative } else { Color::Blue },
    }
}

fn first<T: Clone, const N: u32>(items: &[T], n: usize) -> VarArray<T, N> {
    VarArray::new(items[..n].to_vec()).unwrap()
}

/// The driver's `fill_sample(which)`.
fn sample(which: u8) -> Everything {
    let mut a = Everything {
        p: prims(which),
        hash: [0; 6],
        blob: Opaque::default(),
        small: Opaque::default(),
        name: NameT::default(),
        any: ByteString::default(),
        fixed_ints: [0; 3],
        var_ints: IntsT::default(),
        pairs: [Pair::default(); 2],
        more_pairs: VarArray::default(),
        names: VarArray::default(),
        e1: VarArray::default(),
        e2: VarArray::default(),
        e3: VarArray::default(),
        e4: VarArray::default(),
        e5: VarArray::default(),
        list: None,
        t: Tree { label: ByteString::default(), children: Trees::default() },
        maybe_pair: None,
        maybe_int: None,
        colors: VarArray::default(),
        flags: [false; 2],
    };
    if which == 0 {
        return a;
    }
    let one = which == 1;
    a.hash = if one { [1, 2, 3, 4, 5, 6] } else { *b"abcdef" };
    a.blob = Opaque::new(vec![9, 8, 7, 6, 5][..if one { 5 } else { 1 }].to_vec()).unwrap();
    a.small = Opaque::new(vec![0xff, 0, 0xff, 0][..if one { 4 } else { 3 }].to_vec()).unwrap();
    a.name = bytes(if one { b"sixteen chars!!!" } else { b"caf\xc3\xa9" });
    a.any = bytes(if one { b"" } else { b"a longer string, unbounded\n\t" });
    a.fixed_ints = if one { [-1, 0, i32::MAX] } else { [1, 2, 3] };
    a.var_ints = first(&[5, 6, 7, 8], if one { 4 } else { 0 });
    a.pairs = if one {
        [Pair { a: 1, b: 2 }, Pair { a: -3, b: -4 }]
    } else {
        [Pair { a: 7, b: 8 }, Pair { a: 9, b: 10 }]
    };
    let more = [Pair { a: 1, b: 1 }, Pair { a: 2, b: 2 }, Pair { a: 3, b: 3 }];
    a.more_pairs = first(&more, if one { 3 } else { 1 });
    a.names = first(&[bytes(b"a"), bytes(b""), bytes(b"xyz")], if one { 3 } else { 2 });
    let e1 = [
        ByEnum::Red(-7),
        ByEnum::Green,
        ByEnum::Default(Color::Blue, bytes(b"blue")),
        ByEnum::Default(Color::Negative, bytes(b"")),
    ];
    a.e1 = first(&e1, if one { 4 } else { 2 });
    let e2 = [
        ByInt::Two(1, i64::MAX),
        ByInt::Two(2, -1),
        ByInt::CaseMinus3,
        ByInt::Case10(10),
        ByInt::Case10(11),
        ByInt::Default(42, bytes(b"forty-two")),
    ];
    a.e2 = first(&e2, if one { 6 } else { 3 });
    a.e3 = first(&[ByUnsigned::Max(u64::MAX), ByUnsigned::Case0], if one { 2 } else { 1 });
    a.e4 = first(&[ByBool::True(prims(3 - which)), ByBool::False], if one { 2 } else { 1 });
    let e5 = [
        everything::Result::Ok(*b"hashed"),
        everything::Result::Default(Status::NotFound),
        everything::Result::Default(Status::Denied),
    ];
    a.e5 = first(&e5, if one { 3 } else { 1 });
    let tags: [&[u8]; 3] = [b"odd", b"even", b"odd"];
    let nodes = (1..=if one { 3 } else { 1 })
        .map(|k| Node { value: k * 10, tag: bytes(tags[k as usize - 1]), next: None })
        .collect();
    a.list = linked::from_nodes(nodes).map(Box::new);
    let leaf = |label: &[u8]| Tree { label: bytes(label), children: Trees::default() };
    a.t = Tree {
        label: bytes(b"root"),
        children: if one {
            VarArray::new(vec![
                Tree { label: bytes(b"a"), children: VarArray::new(vec![leaf(b"a1")]).unwrap() },
                leaf(b"b"),
            ])
            .unwrap()
        } else {
            Trees::default()
        },
    };
    a.maybe_pair = one.then(|| Box::new(Pair { a: 5, b: 6 }));
    a.maybe_int = Some(Box::new(if one { 42 } else { -1 }));
    let colors = [Color::Red, Color::Green, Color::Blue, Color::Negative];
    a.colors = first(&colors, if one { 4 } else { 1 });
    a.flags = [one, !one];
    a
}

const SAMPLES: u8 = 3;

#[test]
fn c_encodings_decode_to_the_same_values_and_reencode_identically() {
    for n in 0..SAMPLES {
        let c_bytes = c_encode(n);
        let value: Everything = from_slice(&c_bytes).unwrap_or_else(|e| panic!("sample {n}: {e}"));
        assert_eq!(value, sample(n), "sample {n} decoded from C");
        assert_eq!(value.encoded_len(), c_bytes.len(), "sample {n}: encoded_len");
        assert_eq!(to_vec(&value).unwrap(), c_bytes, "sample {n} re-encoded");
    }
}

#[test]
fn rust_encodings_are_c_encodings() {
    for n in 0..SAMPLES {
        let ours = to_vec(&sample(n)).unwrap();
        assert_eq!(ours, c_encode(n), "sample {n}: our bytes differ from C's");
        assert_eq!(c_reencode(&ours).unwrap(), ours, "sample {n}: C re-encoded differently");
    }
}

#[test]
fn both_sides_refuse_a_string_over_its_bound() {
    let mut a = sample(1);
    a.name = NameT::default();
    let mut wire = to_vec(&a).unwrap();
    // Patch the name's length (after p: 44 bytes, hash: 8, blob: 4+8, small: 4+4).
    let at = 44 + 8 + 12 + 8;
    assert_eq!(&wire[at..at + 4], &[0, 0, 0, 0]);
    wire.splice(at..at + 4, [0, 0, 0, 17].into_iter().chain([b'x'; 20]));
    assert!(from_slice::<Everything>(&wire).is_err());
    assert!(c_reencode(&wire).is_err());
}

#[test]
fn an_unknown_enum_value_is_refused() {
    let mut wire = to_vec(&sample(0)).unwrap();
    // prims.c is the last word of prims (offset 40).
    wire[40..44].copy_from_slice(&3i32.to_be_bytes());
    let err = from_slice::<Everything>(&wire).unwrap_err();
    assert_eq!(err.path(), Some("p.c"), "{err}");
}

#[test]
fn a_variant_given_a_discriminant_of_another_arm_is_a_wrong_arm_error() {
    let e = to_vec(&ByEnum::Default(Color::Red, NameT::default())).unwrap_err();
    assert!(matches!(e, oncrpc::xdr::Error::WrongArm { type_name: "by_enum", value: 0 }), "{e}");
    let e = to_vec(&ByInt::Two(3, 0)).unwrap_err();
    assert!(matches!(e, oncrpc::xdr::Error::WrongArm { type_name: "by_int", value: 3 }), "{e}");
    let e = to_vec(&ByInt::Default(10, ByteString::default())).unwrap_err();
    assert!(matches!(e, oncrpc::xdr::Error::WrongArm { .. }), "{e}");
}

#[test]
fn a_long_list_decodes_without_deep_recursion() {
    let n = 200_000;
    let nodes = (0..n).map(|k| Node { value: k, tag: NameT::default(), next: None }).collect();
    let mut a = sample(0);
    a.list = linked::from_nodes(nodes).map(Box::new);
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let wire = to_vec(&a).unwrap();
            let back: Everything = from_slice(&wire).unwrap();
            let count = linked::iter(back.list.as_deref().unwrap()).count();
            assert_eq!(count, n as usize);
        })
        .unwrap()
        .join()
        .unwrap();
}
