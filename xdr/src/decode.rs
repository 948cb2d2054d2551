//! Decoding: the [`Decode`] trait and the [`Decoder`] that reads a byte slice.
//!
//! Memory is proportional to the input whatever the lengths claim: before a
//! decoder allocates for a length or count it checks the value against the
//! type's bound and against the bytes that remain (see [`Decoder::read_count`]).

use crate::error::{Error, Result};
use crate::pad::{UNIT, padding};

/// A value that can be decoded from bytes living for `'de`.
///
/// Borrowed types (for example [`crate::OpaqueRef`]) point into the input;
/// owned types copy. [`DecodeOwned`] names the types that borrow nothing.
pub trait Decode<'de>: Sized {
    /// Fewest bytes any value of the type encodes to. Decoders use it to
    /// refuse counts the remaining input cannot hold before allocating.
    const MIN_ENCODED_LEN: usize;

    /// Reads one value.
    fn decode(dec: &mut Decoder<'de>) -> Result<Self>;

    /// Reads `count` values one after another into `out`, whose capacity
    /// the caller has reserved. Numeric types override it to convert a
    /// whole run at once; errors name the element's index.
    #[inline]
    fn decode_many(dec: &mut Decoder<'de>, count: usize, out: &mut Vec<Self>) -> Result<()> {
        for i in 0..count {
            out.push(Self::decode(dec).map_err(|e| e.in_element(i))?);
        }
        Ok(())
    }
}

/// A type decodable from input of any lifetime (it borrows nothing).
pub trait DecodeOwned: for<'de> Decode<'de> {}
impl<T> DecodeOwned for T where T: for<'de> Decode<'de> {}

/// Limits applied while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How deeply optional-data and variable-length arrays may nest
    /// (the nodes of a [`crate::List`] count as one level, whatever its
    /// length).
    pub max_depth: u32,
    /// Accept non-zero padding bytes. RFC 4506 says padding is zero; every
    /// encoder we know writes zeros, so strict is the default.
    pub allow_nonzero_padding: bool,
}

impl Limits {
    /// The defaults: depth 256, padding must be zero.
    pub const DEFAULT: Limits = Limits { max_depth: 256, allow_nonzero_padding: false };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Reads XDR items from a byte slice, tracking the offset for error messages.
#[derive(Debug, Clone)]
pub struct Decoder<'de> {
    rest: &'de [u8],
    total: usize,
    depth: u32,
    limits: Limits,
}

impl<'de> Decoder<'de> {
    /// A decoder over `input` with the default [`Limits`].
    pub fn new(input: &'de [u8]) -> Self {
        Self::with_limits(input, Limits::DEFAULT)
    }

    /// A decoder over `input` with the given limits.
    pub fn with_limits(input: &'de [u8], limits: Limits) -> Self {
        Decoder { rest: input, total: input.len(), depth: 0, limits }
    }

    /// Offset of the next byte to read, from the start of the input.
    #[inline]
    pub fn position(&self) -> usize {
        self.total - self.rest.len()
    }

    /// Bytes not read yet.
    #[inline]
    pub fn remaining(&self) -> &'de [u8] {
        self.rest
    }

    /// Fails unless every byte has been read.
    pub fn finish(&self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::TrailingBytes { offset: self.position(), count: self.rest.len() })
        }
    }

    #[cold]
    fn truncated(&self, needed: usize) -> Error {
        Error::Truncated { offset: self.position(), needed, remaining: self.rest.len() }
    }

    /// Reads one four-byte word.
    #[inline]
    pub fn read_word(&mut self) -> Result<[u8; 4]> {
        match self.rest.split_first_chunk::<4>() {
            Some((word, tail)) => {
                self.rest = tail;
                Ok(*word)
            }
            None => Err(self.truncated(UNIT)),
        }
    }

    /// Reads a 32-bit unsigned integer.
    #[inline]
    pub fn read_u32(&mut self) -> Result<u32> {
        self.read_word().map(u32::from_be_bytes)
    }

    /// Reads a 32-bit signed integer.
    #[inline]
    pub fn read_i32(&mut self) -> Result<i32> {
        self.read_word().map(i32::from_be_bytes)
    }

    /// Reads a 64-bit unsigned integer.
    #[inline]
    pub fn read_u64(&mut self) -> Result<u64> {
        match self.rest.split_first_chunk::<8>() {
            Some((bytes, tail)) => {
                self.rest = tail;
                Ok(u64::from_be_bytes(*bytes))
            }
            None => Err(self.truncated(8)),
        }
    }

    /// Reads a 64-bit signed integer.
    #[inline]
    pub fn read_i64(&mut self) -> Result<i64> {
        self.read_u64().map(|v| v as i64)
    }

    /// Reads a boolean: 0 is false, 1 is true, anything else an error.
    #[inline]
    pub fn read_bool(&mut self) -> Result<bool> {
        match self.read_u32()? {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(Error::InvalidBool { offset: self.position() - UNIT, value }),
        }
    }

    /// Reads `len` bytes of opaque data and their padding, returning the
    /// data as a slice of the input (no copy).
    #[inline]
    pub fn read_fixed_opaque(&mut self, len: usize) -> Result<&'de [u8]> {
        let pad = padding(len);
        let Some(total) = len.checked_add(pad).filter(|&t| t <= self.rest.len()) else {
            return Err(self.truncated(len.saturating_add(pad)));
        };
        let (item, tail) = self.rest.split_at(total);
        let (data, padding_bytes) = item.split_at(len);
        if !self.limits.allow_nonzero_padding {
            if let Some(i) = padding_bytes.iter().position(|&b| b != 0) {
                return Err(Error::NonZeroPadding { offset: self.position() + len + i });
            }
        }
        self.rest = tail;
        Ok(data)
    }

    /// Reads `N` bytes of opaque data and their padding as an array
    /// reference into the input (no copy).
    #[inline]
    pub fn read_opaque_array<const N: usize>(&mut self) -> Result<&'de [u8; N]> {
        let data = self.read_fixed_opaque(N)?;
        data.first_chunk::<N>().ok_or_else(|| self.truncated(N))
    }

    /// Reads a length prefix and that many bytes of opaque data (with padding)
    /// as a slice of the input.
    #[inline]
    pub fn read_var_opaque(&mut self, max: u32) -> Result<&'de [u8]> {
        let len = self.read_count(max, 1)?;
        self.read_fixed_opaque(len)
    }

    /// Reads a length or element count and checks it, before anything is
    /// allocated, against the type's bound `max` and against the input: the
    /// remaining bytes must hold `count * min_element_len` (an element of
    /// size zero counts as one byte, so a count never exceeds the bytes left).
    #[inline]
    pub fn read_count(&mut self, max: u32, min_element_len: usize) -> Result<usize> {
        let offset = self.position();
        let len = self.read_u32()?;
        if len > max {
            return Err(Error::LengthOverBound { offset, len, max });
        }
        let needed = u64::from(len) * min_element_len.max(1) as u64;
        if needed > self.rest.len() as u64 {
            return Err(Error::LengthOverInput { offset, len, needed, remaining: self.rest.len() });
        }
        Ok(len as usize)
    }

    /// Decodes one value of any decodable type.
    #[inline]
    pub fn read<T: Decode<'de>>(&mut self) -> Result<T> {
        T::decode(self)
    }

    /// Runs `f` one level deeper, failing when that passes the depth
    /// budget. Recursive types nest only through optional-data and
    /// variable-length arrays, whose decoders go through here, so this
    /// bounds the decoder's stack use.
    #[inline]
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= self.limits.max_depth {
            return Err(Error::DepthExceeded {
                offset: self.position(),
                limit: self.limits.max_depth,
            });
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// The error for an enum value that names no member; call it right
    /// after reading the value.
    #[cold]
    pub fn invalid_enum(&self, type_name: &'static str, value: i32) -> Error {
        Error::InvalidEnum { offset: self.position().saturating_sub(UNIT), type_name, value }
    }

    /// The error for a union discriminant that selects no arm; call it right
    /// after reading the discriminant.
    #[cold]
    pub fn invalid_discriminant(&self, type_name: &'static str, value: i64) -> Error {
        Error::InvalidDiscriminant {
            offset: self.position().saturating_sub(UNIT),
            type_name,
            value,
        }
    }
}

/// Decodes a value that must use every byte of `input`.
pub fn from_slice<'de, T: Decode<'de>>(input: &'de [u8]) -> Result<T> {
    from_slice_with_limits(input, Limits::DEFAULT)
}

/// Like [`from_slice`], with explicit limits.
pub fn from_slice_with_limits<'de, T: Decode<'de>>(input: &'de [u8], limits: Limits) -> Result<T> {
    let mut dec = Decoder::with_limits(input, limits);
    let value = T::decode(&mut dec)?;
    dec.finish()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_advance_and_truncation_says_where() {
        let mut dec = Decoder::new(&[0, 0, 0, 7, 0, 0]);
        assert_eq!(dec.read_u32().unwrap(), 7);
        assert_eq!(dec.position(), 4);
        assert_eq!(dec.read_u32(), Err(Error::Truncated { offset: 4, needed: 4, remaining: 2 }));
    }

    #[test]
    fn count_is_checked_against_bound_then_input() {
        let input = [0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            Decoder::new(&input).read_count(100, 4),
            Err(Error::LengthOverBound { offset: 0, len: u32::MAX, max: 100 })
        );
        assert_eq!(
            Decoder::new(&input).read_count(u32::MAX, 4),
            Err(Error::LengthOverInput {
                offset: 0,
                len: u32::MAX,
                needed: 4 * u64::from(u32::MAX),
                remaining: 0
            })
        );
    }

    #[test]
    fn nonzero_padding_is_refused_unless_allowed() {
        let input = [0, 0, 0, 1, b'x', 0, 9, 0];
        assert_eq!(
            Decoder::new(&input).read_var_opaque(10),
            Err(Error::NonZeroPadding { offset: 6 })
        );
        let lenient = Limits { allow_nonzero_padding: true, ..Limits::DEFAULT };
        assert_eq!(Decoder::with_limits(&input, lenient).read_var_opaque(10).unwrap(), b"x");
    }

    #[test]
    fn bool_accepts_only_zero_and_one() {
        assert_eq!(Decoder::new(&[0, 0, 0, 1]).read_bool(), Ok(true));
        assert_eq!(
            Decoder::new(&[0, 0, 0, 2]).read_bool(),
            Err(Error::InvalidBool { offset: 0, value: 2 })
        );
    }

    #[test]
    fn depth_budget_is_enforced_and_restored() {
        let limits = Limits { max_depth: 2, ..Limits::DEFAULT };
        let mut dec = Decoder::with_limits(&[], limits);
        let inner = dec.nested(|d| d.nested(|d| d.nested(|_| Ok(()))));
        assert_eq!(inner, Err(Error::DepthExceeded { offset: 0, limit: 2 }));
        assert_eq!(dec.nested(|d| d.nested(|_| Ok(()))), Ok(()));
    }

    #[test]
    fn trailing_bytes_are_reported() {
        assert_eq!(
            from_slice::<u32>(&[0, 0, 0, 1, 0, 0, 0, 0]),
            Err(Error::TrailingBytes { offset: 4, count: 4 })
        );
    }
}
