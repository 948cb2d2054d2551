//! Differential tests against libtirpc: the C XDR routines that the system
//! `rpcgen` generates from `tests/interop/alltypes.x` encode and decode the
//! same values as this crate, byte for byte, in both directions.
//!
//! Needs gcc, rpcgen and libtirpc-dev; the project's test script installs them.
//! The driver runs once per call and exits; no process outlives a test.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::alltypes::{AllTypes, SAMPLES, sample};
use proptest::prelude::*;
use test_support::{CPeer, XdrDriver};
use xdr::{Encode, from_slice, to_vec};

/// The C driver, built once per test run.
fn driver() -> &'static XdrDriver {
    static DRIVER: OnceLock<XdrDriver> = OnceLock::new();
    DRIVER.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("libtirpc_alltypes");
        XdrDriver::new(
            CPeer::new(src.join("alltypes.x")).source(src.join("driver.c")).build(&dir, "driver"),
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
fn libtirpc_encodings_decode_to_the_same_values_and_reencode_identically() {
    for n in 0..SAMPLES {
        let c_bytes = c_encode(n);
        let value: AllTypes = from_slice(&c_bytes).unwrap_or_else(|e| panic!("sample {n}: {e}"));
        assert_eq!(value, sample(n), "sample {n} decoded from libtirpc");
        assert_eq!(value.encoded_len(), c_bytes.len(), "sample {n} size");
        assert_eq!(to_vec(&value).unwrap(), c_bytes, "sample {n} re-encoded");
    }
}

#[test]
fn our_encodings_are_libtirpc_encodings() {
    for n in 0..SAMPLES {
        let ours = to_vec(&sample(n)).unwrap();
        assert_eq!(ours, c_encode(n), "sample {n}: our bytes differ from libtirpc's");
        assert_eq!(c_reencode(&ours).unwrap(), ours, "sample {n}: libtirpc re-encoded differently");
    }
}

#[test]
fn libtirpc_rejects_what_we_reject_at_the_bound() {
    // A name one byte over MAXNAME: libtirpc refuses it, and so do we.
    let mut bytes = to_vec(&sample(1)).unwrap();
    let name_at = 60 + 8 + 4 + 32;
    assert_eq!(&bytes[name_at..name_at + 4], &[0, 0, 0, 32]);
    bytes[name_at + 3] = 33;
    assert!(c_reencode(&bytes).is_err());
    let err = from_slice::<AllTypes>(&bytes).unwrap_err();
    assert_eq!(err.path(), Some("name"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_values_cross_both_ways(value in common::strategies::alltypes()) {
        let ours = to_vec(&value).unwrap();
        let theirs = c_reencode(&ours).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&theirs, &ours);
        let back: AllTypes = from_slice(&theirs).unwrap();
        prop_assert_eq!(back, value);
    }
}
