//! Property tests: every type decodes to what was encoded, `encoded_len` is
//! exact, and borrowed decode agrees with owned decode.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use common::alltypes::{AllTypes, Node, Prims, Shape};
use common::strategies;
use proptest::collection::vec;
use proptest::prelude::*;
use xdr::{
    ByteStr, ByteString, Decode, DecodeOwned, Encode, Opaque, OpaqueRef, Quadruple, Utf8Str,
    Utf8String, VarArray, from_slice, to_vec,
};

/// Encodes, checks the size and the alignment, decodes, and compares.
fn round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Encode + DecodeOwned + PartialEq + std::fmt::Debug,
{
    let bytes = to_vec(value).unwrap();
    prop_assert_eq!(bytes.len(), value.encoded_len());
    prop_assert_eq!(bytes.len() % 4, 0);
    prop_assert!(bytes.len() >= T::MIN_ENCODED_LEN);
    if let Some(fixed) = T::FIXED_ENCODED_LEN {
        prop_assert_eq!(bytes.len(), fixed);
    }
    let back: T = from_slice(&bytes).unwrap();
    prop_assert_eq!(&back, value);
    Ok(())
}

/// Floats compare by bits so that NaN and -0.0 count.
fn float_bits_round_trip<T: Encode + DecodeOwned>(value: T, bits: impl Fn(&T) -> u64) {
    let bytes = to_vec(&value).unwrap();
    assert_eq!(bits(&from_slice::<T>(&bytes).unwrap()), bits(&value));
}

proptest! {
    #[test]
    fn int(v in any::<i32>()) { round_trip(&v)?; }

    #[test]
    fn unsigned_int(v in any::<u32>()) { round_trip(&v)?; }

    #[test]
    fn hyper(v in any::<i64>()) { round_trip(&v)?; }

    #[test]
    fn unsigned_hyper(v in any::<u64>()) { round_trip(&v)?; }

    #[test]
    fn boolean(v in any::<bool>()) { round_trip(&v)?; }

    #[test]
    fn float_any_bits(bits in any::<u32>()) {
        float_bits_round_trip(f32::from_bits(bits), |f| u64::from(f.to_bits()));
    }

    #[test]
    fn double_any_bits(bits in any::<u64>()) {
        float_bits_round_trip(f64::from_bits(bits), |f| f.to_bits());
    }

    #[test]
    fn quadruple(v in any::<[u8; 16]>()) { round_trip(&Quadruple(v))?; }

    #[test]
    fn enumeration(v in strategies::color()) { round_trip(&v)?; }

    #[test]
    fn fixed_opaque(v in any::<[u8; 7]>()) { round_trip(&v)?; }

    #[test]
    fn var_opaque(v in vec(any::<u8>(), 0..300)) {
        let owned = Opaque::<300>::new(v.clone()).unwrap();
        round_trip(&owned)?;
        let bytes = to_vec(&owned).unwrap();
        let borrowed: OpaqueRef<'_, 300> = from_slice(&bytes).unwrap();
        prop_assert_eq!(borrowed.as_bytes(), &v[..]);
    }

    #[test]
    fn byte_string(v in vec(any::<u8>(), 0..300)) {
        let owned = ByteString::<{ xdr::UNBOUNDED }>::new(v.clone()).unwrap();
        round_trip(&owned)?;
        let bytes = to_vec(&owned).unwrap();
        prop_assert_eq!(from_slice::<ByteStr<'_>>(&bytes).unwrap().as_bytes(), &v[..]);
    }

    #[test]
    fn utf8_string(v in ".{0,40}") {
        let owned = Utf8String::<200>::try_from(v.as_str()).unwrap();
        round_trip(&owned)?;
        let bytes = to_vec(&owned).unwrap();
        prop_assert_eq!(from_slice::<Utf8Str<'_, 200>>(&bytes).unwrap().as_str(), v.as_str());
    }

    #[test]
    fn fixed_array(v in any::<[i64; 5]>()) { round_trip(&v)?; }

    #[test]
    fn var_array(v in vec(any::<u32>(), 0..100)) {
        round_trip(&VarArray::<u32, 100>::new(v).unwrap())?;
    }

    #[test]
    fn var_array_of_strings(v in vec(strategies::c_string::<8>(), 0..10)) {
        round_trip(&VarArray::<ByteString<8>>::new(v).unwrap())?;
    }

    #[test]
    fn structure(v in strategies::prims()) { round_trip(&v)?; }

    #[test]
    fn union_with_default(v in strategies::shape()) { round_trip(&v)?; }

    #[test]
    fn union_without_default(v in strategies::outcome()) { round_trip(&v)?; }

    #[test]
    fn optional(v in proptest::option::of(any::<i32>())) { round_trip(&v.map(Box::new))?; }

    #[test]
    fn linked_list(v in strategies::list()) { round_trip(&v)?; }

    #[test]
    fn void(_v in Just(())) { round_trip(&())?; }

    #[test]
    fn every_type_together(v in strategies::alltypes()) { round_trip(&v)?; }
}

#[test]
fn union_arm_mismatch_is_the_callers_error() {
    let wrong = Shape::Default(common::alltypes::Color::Red, ByteString::default());
    let err = to_vec(&wrong).unwrap_err();
    assert!(!err.is_decode_error());
    assert_eq!(err, xdr::Error::WrongArm { type_name: "shape", value: 0 });
}

#[test]
fn errors_carry_the_field_path() {
    let mut bytes = to_vec(&common::alltypes::sample(1)).unwrap();
    // Sample 1 ends with list (3 nodes: 28 bytes), maybe (8), opt_prims (64).
    // Make the flag announcing the third node invalid.
    let list_at = bytes.len() - 64 - 8 - 28;
    assert_eq!(&bytes[list_at..list_at + 8], &[0, 0, 0, 1, 0, 0, 0, 10]);
    bytes[list_at + 19] = 9;
    let err = from_slice::<AllTypes>(&bytes).unwrap_err();
    assert_eq!(err.path(), Some("list[2]"));
    assert_eq!(err.root(), &xdr::Error::InvalidBool { offset: list_at + 16, value: 9 });
    assert!(err.to_string().starts_with("in `list[2]`: invalid bool 9"));
}

#[test]
fn borrowed_and_owned_prims_agree_with_min_len() {
    assert_eq!(<Prims as Decode<'_>>::MIN_ENCODED_LEN, 60);
    assert_eq!(<Node as Decode<'_>>::MIN_ENCODED_LEN, 4);
}
