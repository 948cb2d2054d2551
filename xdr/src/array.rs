//! Arrays (RFC 4506 sections 4.12 and 4.13): fixed-length `T[N]` as Rust
//! arrays and variable-length `T<MAX>` as [`VarArray`], which carries its bound.

use core::ops::Deref;

use crate::bytes::{UNBOUNDED, check_bound};
use crate::decode::{Decode, Decoder};
use crate::encode::{Encode, Encoder};
use crate::error::{Error, Result};

/// Encoded size of a sequence of items, using the fixed size when the type has one.
#[inline]
fn items_len<T: Encode>(items: &[T]) -> usize {
    match T::FIXED_ENCODED_LEN {
        Some(each) => each * items.len(),
        None => items.iter().map(Encode::encoded_len).sum(),
    }
}

/// Decodes `count` items into a vector; the caller has checked `count`
/// against the remaining input.
///
/// The vector starts with room for one element and grows as elements
/// decode (4 at the second, then doubling), so it holds little more than
/// the elements the input actually carried. Reserving all `count` up
/// front would let every level of a recursive type claim the same
/// remaining bytes (found by fuzzing: 26 nested arrays each claiming 256
/// elements of 3.4 KB of input reserved 480 KB). Numbers decode in bulk
/// and reserve their whole run at once, which cannot nest.
#[inline]
fn decode_items<'de, T: Decode<'de>>(dec: &mut Decoder<'de>, count: usize) -> Result<Vec<T>> {
    let mut items = Vec::with_capacity(count.min(1));
    T::decode_many(dec, count, &mut items)?;
    Ok(items)
}

/// A variable-length array `T<MAX>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarArray<T, const MAX: u32 = UNBOUNDED>(Vec<T>);

impl<T, const MAX: u32> VarArray<T, MAX> {
    /// The type's bound, in elements.
    pub const MAX: u32 = MAX;

    /// Wraps `items`, failing when there are more than `MAX`.
    pub fn new(items: Vec<T>) -> Result<Self> {
        check_bound(items.len(), MAX)?;
        Ok(Self(items))
    }

    /// The elements, mutable in place (the count cannot change).
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.0
    }

    /// Appends an element, failing when the array is full.
    pub fn push(&mut self, item: T) -> Result<()> {
        check_bound(self.0.len() + 1, MAX)?;
        self.0.push(item);
        Ok(())
    }

    /// Unwraps the elements.
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }
}

impl<T, const MAX: u32> Default for VarArray<T, MAX> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T, const MAX: u32> Deref for VarArray<T, MAX> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T, const MAX: u32> TryFrom<Vec<T>> for VarArray<T, MAX> {
    type Error = Error;
    fn try_from(items: Vec<T>) -> Result<Self> {
        Self::new(items)
    }
}

impl<T, const MAX: u32> From<VarArray<T, MAX>> for Vec<T> {
    fn from(value: VarArray<T, MAX>) -> Vec<T> {
        value.0
    }
}

impl<T: Encode, const MAX: u32> Encode for VarArray<T, MAX> {
    #[inline]
    fn encoded_len(&self) -> usize {
        4 + items_len(&self.0)
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        enc.put_len(self.0.len(), MAX)?;
        T::encode_many(&self.0, enc)
    }
}

impl<'de, T: Decode<'de>, const MAX: u32> Decode<'de> for VarArray<T, MAX> {
    const MIN_ENCODED_LEN: usize = 4;

    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        let count = dec.read_count(MAX, T::MIN_ENCODED_LEN)?;
        // Types recurse through variable-length arrays as well as through
        // optional-data (`struct tree { tree children<>; }`): the elements
        // decode one level deeper, under the same depth budget, so that no
        // input can nest them deep enough to overflow the stack.
        dec.nested(|dec| decode_items(dec, count)).map(Self)
    }
}

/// A fixed-length array `T[N]`.
impl<T: Encode, const N: usize> Encode for [T; N] {
    const FIXED_ENCODED_LEN: Option<usize> = match T::FIXED_ENCODED_LEN {
        Some(each) => Some(each * N),
        None => None,
    };

    #[inline]
    fn encoded_len(&self) -> usize {
        items_len(self)
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        T::encode_many(self, enc)
    }
}

impl<'de, T: Decode<'de>, const N: usize> Decode<'de> for [T; N] {
    const MIN_ENCODED_LEN: usize = T::MIN_ENCODED_LEN * N;

    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        let needed = T::MIN_ENCODED_LEN.saturating_mul(N);
        if needed > dec.remaining().len() {
            return Err(Error::Truncated {
                offset: dec.position(),
                needed,
                remaining: dec.remaining().len(),
            });
        }
        let items = decode_items(dec, N)?;
        // `decode_items` returned exactly N items or an error.
        <[T; N]>::try_from(items).map_err(|_| unreachable!("decode_items returns N items"))
    }
}

#[cfg(test)]
mod tests {
    use crate::{from_slice, to_vec};

    use super::*;

    #[test]
    fn var_array_has_count_then_items() {
        let a = VarArray::<u32, 4>::new(vec![1, 2]).unwrap();
        assert_eq!(a.encoded_len(), 12);
        assert_eq!(to_vec(&a).unwrap(), [0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
    }

    #[test]
    fn push_respects_the_bound() {
        let mut a = VarArray::<bool, 1>::default();
        a.push(true).unwrap();
        assert_eq!(a.push(false), Err(Error::ValueOverBound { len: 2, max: 1 }));
    }

    #[test]
    fn element_errors_name_the_index() {
        let wire = [0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 5];
        let err = from_slice::<VarArray<bool>>(&wire).unwrap_err();
        assert_eq!(err.path(), Some("[1]"));
        assert_eq!(err.root(), &Error::InvalidBool { offset: 8, value: 5 });
    }

    #[test]
    fn fixed_array_has_no_count() {
        assert_eq!(to_vec(&[7i32, -1]).unwrap(), [0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(from_slice::<[i32; 2]>(&[0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff]).unwrap(), [7, -1]);
        assert_eq!(<[u64; 3] as Encode>::FIXED_ENCODED_LEN, Some(24));
    }

    #[test]
    fn fixed_array_larger_than_input_fails_before_allocating() {
        let err = from_slice::<[u64; 4096]>(&[0; 16]).unwrap_err();
        assert_eq!(err, Error::Truncated { offset: 0, needed: 8 * 4096, remaining: 16 });
    }
}
