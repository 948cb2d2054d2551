//! Encoding: the [`Encode`] trait and the [`Encoder`] that appends to a buffer.

use crate::error::{Error, Result};
use crate::pad::padding;

/// Zero bytes used for padding.
const ZEROS: [u8; 4] = [0; 4];

/// A value with an XDR encoding.
///
/// `encoded_len` is exact, so a whole message can be sized once before any
/// byte is written (see [`to_vec`]).
pub trait Encode {
    /// The encoded size when every value of the type has the same size.
    const FIXED_ENCODED_LEN: Option<usize> = None;

    /// Exact number of bytes [`Encode::encode`] appends.
    fn encoded_len(&self) -> usize;

    /// Appends the encoding of `self`. Fails only when the value breaks its
    /// type's bound (the caller's mistake); nothing is guaranteed about the
    /// buffer's content after an error.
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()>;

    /// Appends `items` one after another. Numeric types override it to
    /// write a whole run at once; errors name the element's index.
    #[inline]
    fn encode_many(items: &[Self], enc: &mut Encoder<'_>) -> Result<()>
    where
        Self: Sized,
    {
        items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| item.encode(enc).map_err(|e| e.in_element(i)))
    }
}

/// Appends XDR items to a byte buffer.
///
/// It borrows the buffer, so a message can follow a header already written
/// (a record mark, say) without a copy.
#[derive(Debug)]
pub struct Encoder<'b> {
    buf: &'b mut Vec<u8>,
}

impl<'b> Encoder<'b> {
    /// An encoder appending to `buf`.
    pub fn new(buf: &'b mut Vec<u8>) -> Self {
        Encoder { buf }
    }

    /// Bytes in the buffer so far (including any written before this encoder).
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Appends a 32-bit unsigned integer, big-endian.
    #[inline]
    pub fn put_u32(&mut self, value: u32) {
        self.buf.extend_from_slice(&value.to_be_bytes());
    }

    /// Appends a 32-bit signed integer, big-endian two's complement.
    #[inline]
    pub fn put_i32(&mut self, value: i32) {
        self.buf.extend_from_slice(&value.to_be_bytes());
    }

    /// Appends a 64-bit unsigned integer (`unsigned hyper`).
    #[inline]
    pub fn put_u64(&mut self, value: u64) {
        self.buf.extend_from_slice(&value.to_be_bytes());
    }

    /// Appends a 64-bit signed integer (`hyper`).
    #[inline]
    pub fn put_i64(&mut self, value: i64) {
        self.buf.extend_from_slice(&value.to_be_bytes());
    }

    /// Appends fixed-length opaque data followed by zero padding to a
    /// multiple of four bytes.
    #[inline]
    pub fn put_fixed_opaque(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(&ZEROS[..padding(data.len())]);
    }

    /// Appends `len` zero bytes and returns them to be filled in place, for
    /// writing a run of items without a capacity check per item.
    #[inline]
    pub fn extend_zeroed(&mut self, len: usize) -> &mut [u8] {
        let start = self.buf.len();
        self.buf.resize(start + len, 0);
        &mut self.buf[start..]
    }

    /// Appends a length (or element count) after checking it against `max`.
    #[inline]
    pub fn put_len(&mut self, len: usize, max: u32) -> Result<()> {
        match u32::try_from(len) {
            Ok(n) if n <= max => {
                self.put_u32(n);
                Ok(())
            }
            _ => Err(Error::ValueOverBound { len, max }),
        }
    }

    /// Appends variable-length opaque data: length, bytes, zero padding.
    #[inline]
    pub fn put_var_opaque(&mut self, data: &[u8], max: u32) -> Result<()> {
        self.put_len(data.len(), max)?;
        self.put_fixed_opaque(data);
        Ok(())
    }

    /// Appends any encodable value.
    #[inline]
    pub fn put<T: Encode + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.encode(self)
    }
}

/// Encodes `value` into a new vector allocated once at its exact size.
pub fn to_vec<T: Encode + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(value.encoded_len());
    value.encode(&mut Encoder::new(&mut buf))?;
    Ok(buf)
}

/// Appends the encoding of `value` to `buf`, reserving its exact size first.
pub fn append<T: Encode + ?Sized>(value: &T, buf: &mut Vec<u8>) -> Result<()> {
    buf.reserve(value.encoded_len());
    value.encode(&mut Encoder::new(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_big_endian() {
        let mut buf = Vec::new();
        let mut enc = Encoder::new(&mut buf);
        enc.put_u32(0x0102_0304);
        enc.put_i32(-2);
        enc.put_u64(0x0102_0304_0506_0708);
        assert_eq!(buf, [1, 2, 3, 4, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn opaque_is_padded_with_zeros() {
        let mut buf = Vec::new();
        Encoder::new(&mut buf).put_var_opaque(b"abcde", 8).unwrap();
        assert_eq!(buf, [0, 0, 0, 5, b'a', b'b', b'c', b'd', b'e', 0, 0, 0]);
    }

    #[test]
    fn length_over_bound_is_refused() {
        let mut buf = Vec::new();
        let err = Encoder::new(&mut buf).put_var_opaque(b"abcde", 4).unwrap_err();
        assert_eq!(err, Error::ValueOverBound { len: 5, max: 4 });
    }
}
