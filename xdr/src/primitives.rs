//! Fixed-size items: integers, hyper integers, bool, floating point,
//! quadruple and void (RFC 4506 sections 4.1-4.8 and 4.16).

use crate::decode::{Decode, Decoder};
use crate::encode::{Encode, Encoder};
use crate::error::Result;

/// Implements both traits for a type encoded as a fixed number of bytes.
macro_rules! fixed_item {
    ($ty:ty, $len:expr, |$enc:ident, $v:ident| $put:expr, |$dec:ident| $get:expr) => {
        impl Encode for $ty {
            const FIXED_ENCODED_LEN: Option<usize> = Some($len);

            #[inline]
            fn encoded_len(&self) -> usize {
                $len
            }

            #[inline]
            fn encode(&self, $enc: &mut Encoder<'_>) -> Result<()> {
                let $v = *self;
                $put;
                Ok(())
            }
        }

        impl<'de> Decode<'de> for $ty {
            const MIN_ENCODED_LEN: usize = $len;

            #[inline]
            fn decode($dec: &mut Decoder<'de>) -> Result<Self> {
                $get
            }
        }
    };
}

/// Implements both traits for a number whose encoding is its big-endian
/// bytes, with whole runs (arrays) converted in one pass.
macro_rules! number {
    ($ty:ty, $len:expr) => {
        impl Encode for $ty {
            const FIXED_ENCODED_LEN: Option<usize> = Some($len);

            #[inline]
            fn encoded_len(&self) -> usize {
                $len
            }

            #[inline]
            fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
                enc.extend_zeroed($len).copy_from_slice(&self.to_be_bytes());
                Ok(())
            }

            #[inline]
            fn encode_many(items: &[Self], enc: &mut Encoder<'_>) -> Result<()> {
                let out = enc.extend_zeroed(items.len() * $len);
                for (bytes, item) in out.chunks_exact_mut($len).zip(items) {
                    bytes.copy_from_slice(&item.to_be_bytes());
                }
                Ok(())
            }
        }

        impl<'de> Decode<'de> for $ty {
            const MIN_ENCODED_LEN: usize = $len;

            #[inline]
            fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
                dec.read_opaque_array::<$len>().map(|bytes| <$ty>::from_be_bytes(*bytes))
            }

            #[inline]
            fn decode_many(
                dec: &mut Decoder<'de>,
                count: usize,
                out: &mut Vec<Self>,
            ) -> Result<()> {
                // A saturated length is refused as truncated input.
                let bytes = dec.read_fixed_opaque(count.saturating_mul($len))?;
                out.extend(bytes.chunks_exact($len).map(|chunk| {
                    let mut word = [0; $len];
                    word.copy_from_slice(chunk);
                    <$ty>::from_be_bytes(word)
                }));
                Ok(())
            }
        }
    };
}

number!(i32, 4);
number!(u32, 4);
number!(i64, 8);
number!(u64, 8);
number!(f32, 4);
number!(f64, 8);
fixed_item!(bool, 4, |e, v| e.put_u32(u32::from(v)), |d| d.read_bool());
fixed_item!(Quadruple, 16, |e, v| e.put_fixed_opaque(&v.0), |d| {
    d.read_opaque_array::<16>().map(|raw| Quadruple(*raw))
});

/// `void`: nothing on the wire.
impl Encode for () {
    const FIXED_ENCODED_LEN: Option<usize> = Some(0);

    #[inline]
    fn encoded_len(&self) -> usize {
        0
    }

    #[inline]
    fn encode(&self, _enc: &mut Encoder<'_>) -> Result<()> {
        Ok(())
    }
}

impl<'de> Decode<'de> for () {
    const MIN_ENCODED_LEN: usize = 0;

    #[inline]
    fn decode(_dec: &mut Decoder<'de>) -> Result<Self> {
        Ok(())
    }
}

/// An IEEE 754 binary128 value kept as its 16 big-endian bytes
/// (RFC 4506 section 4.8). Rust has no stable `f128`, so the bytes travel
/// untouched; convert them with a soft-float library if you need arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Quadruple(pub [u8; 16]);

#[cfg(test)]
mod tests {
    use crate::{from_slice, to_vec};

    use super::*;

    #[test]
    fn known_encodings() {
        assert_eq!(to_vec(&-1i32).unwrap(), [0xff; 4]);
        assert_eq!(to_vec(&true).unwrap(), [0, 0, 0, 1]);
        assert_eq!(to_vec(&1.0f32).unwrap(), [0x3f, 0x80, 0, 0]);
        assert_eq!(to_vec(&-2.0f64).unwrap(), [0xc0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            to_vec(&(u64::MAX - 1)).unwrap(),
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]
        );
        assert_eq!(to_vec(&()).unwrap(), []);
    }

    #[test]
    fn quadruple_is_sixteen_raw_bytes() {
        let q = Quadruple(core::array::from_fn(|i| i as u8));
        let bytes = to_vec(&q).unwrap();
        assert_eq!(bytes, q.0);
        assert_eq!(from_slice::<Quadruple>(&bytes).unwrap(), q);
    }
}
