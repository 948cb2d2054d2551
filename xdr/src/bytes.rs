//! Variable-length byte data carrying its bound in the type: opaque data
//! and byte strings (RFC 4506 sections 4.10 and 4.11), owned and borrowed.
//!
//! `opaque<MAX>` and `string<MAX>` share one encoding (length, bytes, zero
//! padding), so one macro defines both pairs; they differ in meaning and in
//! how `Debug` shows them. For strings that must be UTF-8 see [`crate::Utf8String`].

use core::fmt;
use core::ops::Deref;

use crate::decode::{Decode, Decoder};
use crate::encode::{Encode, Encoder};
use crate::error::{Error, Result};
use crate::pad::padding;

/// The bound of `opaque<>`, `string<>` and `T<>`: the largest length XDR can express.
pub const UNBOUNDED: u32 = u32::MAX;

/// Checks a length against a type's bound.
#[inline]
pub(crate) fn check_bound(len: usize, max: u32) -> Result<()> {
    match u32::try_from(len) {
        Ok(n) if n <= max => Ok(()),
        _ => Err(Error::ValueOverBound { len, max }),
    }
}

/// Encoded size of variable-length data of `len` bytes.
#[inline]
pub(crate) fn var_len(len: usize) -> usize {
    4 + len + padding(len)
}

macro_rules! bounded_bytes {
    ($(#[$owned_doc:meta])* $owned:ident, $(#[$borrowed_doc:meta])* $borrowed:ident, $debug:expr) => {
        $(#[$owned_doc])*
        #[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $owned<const MAX: u32 = UNBOUNDED>(Vec<u8>);

        impl<const MAX: u32> $owned<MAX> {
            /// The type's bound.
            pub const MAX: u32 = MAX;

            /// Wraps `bytes`, failing when they are longer than `MAX`.
            pub fn new(bytes: Vec<u8>) -> Result<Self> {
                check_bound(bytes.len(), MAX)?;
                Ok(Self(bytes))
            }

            /// The bytes.
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            /// The bytes, mutable in place (the length cannot change).
            pub fn as_mut_bytes(&mut self) -> &mut [u8] {
                &mut self.0
            }

            /// Unwraps the bytes.
            pub fn into_inner(self) -> Vec<u8> {
                self.0
            }

            /// A borrowed view of the same bytes.
            pub fn as_borrowed(&self) -> $borrowed<'_, MAX> {
                $borrowed(&self.0)
            }
        }

        impl<const MAX: u32> Deref for $owned<MAX> {
            type Target = [u8];
            fn deref(&self) -> &[u8] {
                &self.0
            }
        }

        impl<const MAX: u32> AsRef<[u8]> for $owned<MAX> {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }

        impl<const MAX: u32> TryFrom<Vec<u8>> for $owned<MAX> {
            type Error = Error;
            fn try_from(bytes: Vec<u8>) -> Result<Self> {
                Self::new(bytes)
            }
        }

        impl<const MAX: u32> TryFrom<&[u8]> for $owned<MAX> {
            type Error = Error;
            fn try_from(bytes: &[u8]) -> Result<Self> {
                check_bound(bytes.len(), MAX)?;
                Ok(Self(bytes.to_vec()))
            }
        }

        impl<const MAX: u32> From<$owned<MAX>> for Vec<u8> {
            fn from(value: $owned<MAX>) -> Vec<u8> {
                value.0
            }
        }

        impl<const MAX: u32> fmt::Debug for $owned<MAX> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                ($debug)(&self.0[..], f)
            }
        }

        impl<const MAX: u32> Encode for $owned<MAX> {
            #[inline]
            fn encoded_len(&self) -> usize {
                var_len(self.0.len())
            }

            #[inline]
            fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
                enc.put_var_opaque(&self.0, MAX)
            }
        }

        impl<'de, const MAX: u32> Decode<'de> for $owned<MAX> {
            const MIN_ENCODED_LEN: usize = 4;

            #[inline]
            fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
                dec.read_var_opaque(MAX).map(|bytes| Self(bytes.to_vec()))
            }
        }

        $(#[$borrowed_doc])*
        #[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $borrowed<'a, const MAX: u32 = UNBOUNDED>(&'a [u8]);

        impl<'a, const MAX: u32> $borrowed<'a, MAX> {
            /// The type's bound.
            pub const MAX: u32 = MAX;

            /// Wraps `bytes`, failing when they are longer than `MAX`.
            pub fn new(bytes: &'a [u8]) -> Result<Self> {
                check_bound(bytes.len(), MAX)?;
                Ok(Self(bytes))
            }

            /// The bytes, borrowed from the input they were decoded from.
            pub fn as_bytes(&self) -> &'a [u8] {
                self.0
            }

            /// Copies the bytes into the owned form.
            pub fn into_owned(self) -> $owned<MAX> {
                $owned(self.0.to_vec())
            }
        }

        impl<const MAX: u32> Deref for $borrowed<'_, MAX> {
            type Target = [u8];
            fn deref(&self) -> &[u8] {
                self.0
            }
        }

        impl<const MAX: u32> AsRef<[u8]> for $borrowed<'_, MAX> {
            fn as_ref(&self) -> &[u8] {
                self.0
            }
        }

        impl<'a, const MAX: u32> TryFrom<&'a [u8]> for $borrowed<'a, MAX> {
            type Error = Error;
            fn try_from(bytes: &'a [u8]) -> Result<Self> {
                Self::new(bytes)
            }
        }

        impl<const MAX: u32> fmt::Debug for $borrowed<'_, MAX> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                ($debug)(self.0, f)
            }
        }

        impl<const MAX: u32> Encode for $borrowed<'_, MAX> {
            #[inline]
            fn encoded_len(&self) -> usize {
                var_len(self.0.len())
            }

            #[inline]
            fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
                enc.put_var_opaque(self.0, MAX)
            }
        }

        impl<'de: 'a, 'a, const MAX: u32> Decode<'de> for $borrowed<'a, MAX> {
            const MIN_ENCODED_LEN: usize = 4;

            #[inline]
            fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
                dec.read_var_opaque(MAX).map(Self)
            }
        }
    };
}

/// Shows opaque data as hex.
fn debug_hex(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("0x")?;
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

/// Shows a byte string as text, escaping what is not printable ASCII.
fn debug_text(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "\"{}\"", bytes.escape_ascii())
}

bounded_bytes!(
    /// Variable-length opaque data `opaque<MAX>`, owned.
    Opaque,
    /// Variable-length opaque data `opaque<MAX>` borrowed from the input:
    /// decoding copies nothing, whatever the length.
    OpaqueRef,
    debug_hex
);

bounded_bytes!(
    /// An XDR `string<MAX>` as bytes, owned. XDR strings are bytes (C
    /// peers send whatever their `char *` held), so this form accepts any
    /// byte; generated code uses it unless asked for UTF-8.
    ByteString,
    /// An XDR `string<MAX>` as bytes borrowed from the input.
    ByteStr,
    debug_text
);

impl<const MAX: u32> TryFrom<&str> for ByteString<MAX> {
    type Error = Error;
    fn try_from(text: &str) -> Result<Self> {
        Self::try_from(text.as_bytes())
    }
}

impl<'a, const MAX: u32> TryFrom<&'a str> for ByteStr<'a, MAX> {
    type Error = Error;
    fn try_from(text: &'a str) -> Result<Self> {
        Self::new(text.as_bytes())
    }
}

/// Fixed-length opaque data `opaque[N]`, owned.
impl<const N: usize> Encode for [u8; N] {
    const FIXED_ENCODED_LEN: Option<usize> = Some(N + padding(N));

    #[inline]
    fn encoded_len(&self) -> usize {
        N + padding(N)
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        enc.put_fixed_opaque(self);
        Ok(())
    }
}

impl<'de, const N: usize> Decode<'de> for [u8; N] {
    const MIN_ENCODED_LEN: usize = N + padding(N);

    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        dec.read_opaque_array::<N>().copied()
    }
}

/// Fixed-length opaque data `opaque[N]` borrowed from the input (it
/// encodes through the blanket impl for references).
impl<'de: 'a, 'a, const N: usize> Decode<'de> for &'a [u8; N] {
    const MIN_ENCODED_LEN: usize = N + padding(N);

    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        dec.read_opaque_array::<N>()
    }
}

#[cfg(test)]
mod tests {
    use crate::{from_slice, to_vec};

    use super::*;

    #[test]
    fn bound_is_enforced_on_construction() {
        assert!(Opaque::<3>::new(vec![1, 2, 3]).is_ok());
        assert_eq!(
            Opaque::<3>::new(vec![1, 2, 3, 4]),
            Err(Error::ValueOverBound { len: 4, max: 3 })
        );
        assert_eq!(ByteStr::<2>::try_from("abc"), Err(Error::ValueOverBound { len: 3, max: 2 }));
    }

    #[test]
    fn bound_is_enforced_on_decode() {
        let wire = to_vec(&ByteString::<UNBOUNDED>::try_from("sillyprog").unwrap()).unwrap();
        assert_eq!(
            from_slice::<ByteString<8>>(&wire),
            Err(Error::LengthOverBound { offset: 0, len: 9, max: 8 })
        );
    }

    #[test]
    fn borrowed_decode_points_into_the_input() {
        let wire = to_vec(&Opaque::<UNBOUNDED>::new(vec![7; 100]).unwrap()).unwrap();
        let view: OpaqueRef<'_> = from_slice(&wire).unwrap();
        assert!(core::ptr::eq(view.as_bytes().as_ptr(), wire[4..].as_ptr()));
        assert_eq!(view.into_owned().into_inner(), vec![7; 100]);
    }

    #[test]
    fn fixed_opaque_is_padded_without_length() {
        assert_eq!(to_vec(&[1u8, 2, 3, 4, 5]).unwrap(), [1, 2, 3, 4, 5, 0, 0, 0]);
        let view: &[u8; 5] = from_slice(&[1, 2, 3, 4, 5, 0, 0, 0]).unwrap();
        assert_eq!(view, &[1, 2, 3, 4, 5]);
    }

    #[test]
    fn debug_shows_hex_for_opaque_and_text_for_strings() {
        assert_eq!(format!("{:?}", Opaque::<9>::new(vec![0xde, 0xad]).unwrap()), "0xdead");
        assert_eq!(format!("{:?}", ByteStr::<9>::try_from("a\n").unwrap()), "\"a\\n\"");
    }
}
