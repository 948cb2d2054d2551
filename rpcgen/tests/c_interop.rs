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

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::everything::{ByEnum, ByInt, Color, Everything, NameT, Node};
use common::{SAMPLES, sample};
use oncrpc::xdr::{ByteString, Encode, from_slice, to_vec};
use test_support::{CPeer, XdrDriver};

/// Builds the C driver once per test run. `rpcgen -N` (several arguments
/// per procedure) is needed for the `.x`, and `-i 0` because rpcgen's
/// inline code for `bool flags[2]` names a C type `bool` that does not exist.
fn driver() -> &'static XdrDriver {
    static DRIVER: OnceLock<XdrDriver> = OnceLock::new();
    DRIVER.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rpcgen_c_interop");
        XdrDriver::new(
            CPeer::new(src.join("everything.x"))
                .rpcgen_flags(&["-N", "-i", "0"])
                .source(src.join("driver.c"))
                .build(&dir, "driver"),
        )
    })
}

fn c_encode(n: u8) -> Vec<u8> {
    driver().encode(n)
}

fn c_reencode(bytes: &[u8]) -> Result<Vec<u8>, String> {
    driver().reencode(bytes)
}

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
    let mut a = sample(0);
    a.list = (0..n).map(|k| Node { value: k, tag: NameT::default() }).collect();
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let wire = to_vec(&a).unwrap();
            let back: Everything = from_slice(&wire).unwrap();
            assert_eq!(back.list.len(), n as usize);
        })
        .unwrap()
        .join()
        .unwrap();
}
