//! Optional-data `T *name` (RFC 4506 section 4.19) as `Option<T>`, and
//! `Box<T>` encoded as the `T` it holds.
//!
//! Each optional level decoded counts against the decoder's depth budget, so
//! hostile nesting ends in [`crate::Error::DepthExceeded`], never in a stack
//! overflow. Linked lists should be a [`crate::List`], which decodes them in
//! a loop at constant depth.

use crate::decode::{Decode, Decoder};
use crate::encode::{Encode, Encoder};
use crate::error::Result;

impl<T: Encode> Encode for Option<T> {
    #[inline]
    fn encoded_len(&self) -> usize {
        4 + self.as_ref().map_or(0, Encode::encoded_len)
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        match self {
            None => {
                enc.put_u32(0);
                Ok(())
            }
            Some(value) => {
                enc.put_u32(1);
                value.encode(enc)
            }
        }
    }
}

impl<'de, T: Decode<'de>> Decode<'de> for Option<T> {
    const MIN_ENCODED_LEN: usize = 4;

    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        if dec.read_bool()? { dec.nested(T::decode).map(Some) } else { Ok(None) }
    }
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    const FIXED_ENCODED_LEN: Option<usize> = T::FIXED_ENCODED_LEN;

    #[inline]
    fn encoded_len(&self) -> usize {
        (**self).encoded_len()
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        (**self).encode(enc)
    }
}

impl<'de, T: Decode<'de>> Decode<'de> for Box<T> {
    const MIN_ENCODED_LEN: usize = T::MIN_ENCODED_LEN;

    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        T::decode(dec).map(Box::new)
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    const FIXED_ENCODED_LEN: Option<usize> = T::FIXED_ENCODED_LEN;

    #[inline]
    fn encoded_len(&self) -> usize {
        (**self).encoded_len()
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        (**self).encode(enc)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Limits, from_slice, from_slice_with_limits, to_vec};

    #[test]
    fn optional_is_a_bool_then_the_value() {
        assert_eq!(to_vec(&None::<u32>).unwrap(), [0, 0, 0, 0]);
        assert_eq!(to_vec(&Some(5u32)).unwrap(), [0, 0, 0, 1, 0, 0, 0, 5]);
        assert_eq!(from_slice::<Option<u32>>(&[0, 0, 0, 1, 0, 0, 0, 5]).unwrap(), Some(5));
    }

    #[test]
    fn nesting_past_the_budget_is_an_error() {
        type Deep = Option<Box<Option<Box<Option<u32>>>>>;
        let wire = to_vec(&Some(Box::new(Some(Box::new(Some(1u32)))))).unwrap();
        assert!(from_slice::<Deep>(&wire).is_ok());
        let shallow = Limits { max_depth: 2, ..Limits::DEFAULT };
        assert_eq!(
            from_slice_with_limits::<Deep>(&wire, shallow),
            Err(Error::DepthExceeded { offset: 12, limit: 2 })
        );
    }
}
