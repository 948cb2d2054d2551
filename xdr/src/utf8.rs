//! XDR strings checked to be UTF-8, owned and borrowed.
//!
//! The wire form is the same as [`crate::ByteString`]'s; decoding fails with
//! [`Error::InvalidUtf8`] on bytes that are not UTF-8. Use these when the
//! protocol promises text; use the byte forms to accept whatever a peer sends.

use core::ops::Deref;

use crate::bytes::{UNBOUNDED, check_bound, var_len};
use crate::decode::{Decode, Decoder};
use crate::encode::{Encode, Encoder};
use crate::error::{Error, Result};

/// An XDR `string<MAX>` holding UTF-8 text, owned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Utf8String<const MAX: u32 = UNBOUNDED>(String);

/// An XDR `string<MAX>` holding UTF-8 text borrowed from the input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Utf8Str<'a, const MAX: u32 = UNBOUNDED>(&'a str);

/// Reads variable-length data and checks it is UTF-8.
fn read_utf8<'de>(dec: &mut Decoder<'de>, max: u32) -> Result<&'de str> {
    let offset = dec.position() + 4;
    let bytes = dec.read_var_opaque(max)?;
    core::str::from_utf8(bytes)
        .map_err(|e| Error::InvalidUtf8 { offset, valid_up_to: e.valid_up_to() })
}

impl<const MAX: u32> Utf8String<MAX> {
    /// The type's bound, in bytes.
    pub const MAX: u32 = MAX;

    /// Wraps `text`, failing when it is longer than `MAX` bytes.
    pub fn new(text: String) -> Result<Self> {
        check_bound(text.len(), MAX)?;
        Ok(Self(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unwraps the text.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<'a, const MAX: u32> Utf8Str<'a, MAX> {
    /// The type's bound, in bytes.
    pub const MAX: u32 = MAX;

    /// Wraps `text`, failing when it is longer than `MAX` bytes.
    pub fn new(text: &'a str) -> Result<Self> {
        check_bound(text.len(), MAX)?;
        Ok(Self(text))
    }

    /// The text, borrowed from the input it was decoded from.
    pub fn as_str(&self) -> &'a str {
        self.0
    }

    /// Copies the text into the owned form.
    pub fn into_owned(self) -> Utf8String<MAX> {
        Utf8String(self.0.to_owned())
    }
}

impl<const MAX: u32> Deref for Utf8String<MAX> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: u32> Deref for Utf8Str<'_, MAX> {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl<const MAX: u32> TryFrom<String> for Utf8String<MAX> {
    type Error = Error;
    fn try_from(text: String) -> Result<Self> {
        Self::new(text)
    }
}

impl<const MAX: u32> TryFrom<&str> for Utf8String<MAX> {
    type Error = Error;
    fn try_from(text: &str) -> Result<Self> {
        check_bound(text.len(), MAX)?;
        Ok(Self(text.to_owned()))
    }
}

impl<'a, const MAX: u32> TryFrom<&'a str> for Utf8Str<'a, MAX> {
    type Error = Error;
    fn try_from(text: &'a str) -> Result<Self> {
        Self::new(text)
    }
}

impl<const MAX: u32> Encode for Utf8String<MAX> {
    #[inline]
    fn encoded_len(&self) -> usize {
        var_len(self.0.len())
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        enc.put_var_opaque(self.0.as_bytes(), MAX)
    }
}

impl<const MAX: u32> Encode for Utf8Str<'_, MAX> {
    #[inline]
    fn encoded_len(&self) -> usize {
        var_len(self.0.len())
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        enc.put_var_opaque(self.0.as_bytes(), MAX)
    }
}

impl<'de, const MAX: u32> Decode<'de> for Utf8String<MAX> {
    const MIN_ENCODED_LEN: usize = 4;

    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        read_utf8(dec, MAX).map(|text| Self(text.to_owned()))
    }
}

impl<'de: 'a, 'a, const MAX: u32> Decode<'de> for Utf8Str<'a, MAX> {
    const MIN_ENCODED_LEN: usize = 4;

    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        read_utf8(dec, MAX).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use crate::{from_slice, to_vec};

    use super::*;

    #[test]
    fn rfc_style_string_round_trips() {
        let s = Utf8String::<255>::try_from("héllo").unwrap();
        let wire = to_vec(&s).unwrap();
        assert_eq!(wire, [0, 0, 0, 6, b'h', 0xc3, 0xa9, b'l', b'l', b'o', 0, 0]);
        assert_eq!(from_slice::<Utf8Str<'_, 255>>(&wire).unwrap().as_str(), "héllo");
    }

    #[test]
    fn invalid_utf8_says_where() {
        let wire = [0, 0, 0, 3, b'a', 0xff, b'b', 0];
        assert_eq!(
            from_slice::<Utf8String>(&wire),
            Err(Error::InvalidUtf8 { offset: 4, valid_up_to: 1 })
        );
    }
}
