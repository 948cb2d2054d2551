//! Linked lists (RFC 4506 section 4.19): a structure whose last field is
//! optional-data of its own type, such as NFS `entry` or rpcbind's
//! `rpcblist`, held as a flat vector of nodes.
//!
//! [`List<T>`] is `node *` (TRUE and a node for each element, then FALSE),
//! [`NonEmptyList<T>`] the node used by value (a node, then `node *` for
//! the rest). `T` is the node's fields without the link. Encoding, decoding,
//! sizing and dropping walk the vector in a loop, so a list of a million
//! nodes uses no more stack than a list of one, and decoding allocates one
//! vector instead of a box per node.

use core::ops::{Deref, DerefMut};

use crate::decode::{Decode, Decoder};
use crate::encode::{Encode, Encoder};
use crate::error::Result;
use crate::pad::UNIT;

/// The wire form `T *` of a self-referential `T`: for each element TRUE
/// then the element, then FALSE. Empty is the null pointer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct List<T>(Vec<T>);

impl<T> List<T> {
    /// An empty list (the null pointer).
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    /// Appends a node.
    pub fn push(&mut self, item: T) {
        self.0.push(item);
    }

    /// Unwraps the nodes.
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> DerefMut for List<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(items: Vec<T>) -> Self {
        Self(items)
    }
}

impl<T> From<List<T>> for Vec<T> {
    fn from(list: List<T>) -> Vec<T> {
        list.0
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<T> Extend<T> for List<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut List<T> {
    type Item = &'a mut T;
    type IntoIter = core::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

impl<T: Encode> Encode for List<T> {
    #[inline]
    fn encoded_len(&self) -> usize {
        let nodes = match T::FIXED_ENCODED_LEN {
            Some(each) => each * self.0.len(),
            None => self.0.iter().map(Encode::encoded_len).sum(),
        };
        UNIT * (self.0.len() + 1) + nodes
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        for (i, item) in self.0.iter().enumerate() {
            enc.put_u32(1);
            item.encode(enc).map_err(|e| e.in_element(i))?;
        }
        enc.put_u32(0);
        Ok(())
    }
}

impl<'de, T: Decode<'de>> Decode<'de> for List<T> {
    const MIN_ENCODED_LEN: usize = UNIT;

    /// Reads nodes in a loop while TRUE precedes them. The nodes decode one
    /// level deeper (as optional-data does), however many there are; the
    /// vector grows only as nodes arrive, never past what the remaining
    /// input can hold.
    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        dec.nested(|dec| {
            let mut items = Vec::new();
            while dec.read_bool().map_err(|e| e.in_element(items.len()))? {
                if items.len() == items.capacity() {
                    // Doubling from one node (a short list costs no more
                    // than its nodes), never past the nodes the remaining
                    // bytes could still hold: this one and the TRUE or
                    // FALSE after it, and so for every further node.
                    let fits = dec.remaining().len() / T::MIN_ENCODED_LEN.saturating_add(UNIT);
                    items.reserve_exact(items.len().max(1).min(fits.max(1)));
                }
                let item = T::decode(dec).map_err(|e| e.in_element(items.len()))?;
                items.push(item);
            }
            Ok(Self(items))
        })
    }
}

/// A self-referential `T` used by value: the first node, then `T *` for
/// the rest of the chain. On the wire: the first node's fields, then for
/// each further node TRUE and its fields, then FALSE.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NonEmptyList<T> {
    /// The first node.
    pub first: T,
    /// The nodes after it.
    pub rest: List<T>,
}

impl<T> NonEmptyList<T> {
    /// A list of one node.
    pub fn new(first: T) -> Self {
        Self { first, rest: List::new() }
    }

    /// Every node, the first included.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        core::iter::once(&self.first).chain(self.rest.iter())
    }

    /// How many nodes (at least one).
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// Always false; for symmetry with [`Self::len`].
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl<T: Encode> Encode for NonEmptyList<T> {
    #[inline]
    fn encoded_len(&self) -> usize {
        self.first.encoded_len() + self.rest.encoded_len()
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        self.first.encode(enc).map_err(|e| e.in_field("first"))?;
        self.rest.encode(enc).map_err(|e| e.in_field("rest"))
    }
}

impl<'de, T: Decode<'de>> Decode<'de> for NonEmptyList<T> {
    const MIN_ENCODED_LEN: usize = T::MIN_ENCODED_LEN + UNIT;

    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        let first = T::decode(dec).map_err(|e| e.in_field("first"))?;
        let rest = dec.read().map_err(|e| e.in_field("rest"))?;
        Ok(Self { first, rest })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, Limits, from_slice, from_slice_with_limits, to_vec};

    const TWO: [u8; 20] = [0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0];

    #[test]
    fn wire_form_is_a_flag_before_each_node_then_false() {
        let list: List<u32> = [7, 8].into_iter().collect();
        assert_eq!(list.encoded_len(), TWO.len());
        assert_eq!(to_vec(&list).unwrap(), TWO);
        assert_eq!(from_slice::<List<u32>>(&TWO).unwrap(), list);
        assert_eq!(to_vec(&List::<u32>::new()).unwrap(), [0, 0, 0, 0]);
        // Same bytes as the optional-data chain `Option<(u32, Option<(u32, ...)>)>`.
        assert_eq!(to_vec(&Some((7u32, Some((8u32, None::<()>))))).unwrap(), TWO);
    }

    #[test]
    fn by_value_is_the_first_node_then_the_rest() {
        let list = NonEmptyList { first: 7u32, rest: List::from(vec![8]) };
        assert_eq!(to_vec(&list).unwrap(), TWO[4..]);
        assert_eq!(list.encoded_len(), 16);
        assert_eq!(from_slice::<NonEmptyList<u32>>(&TWO[4..]).unwrap(), list);
        assert_eq!(list.iter().copied().collect::<Vec<_>>(), [7, 8]);
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn errors_name_the_node() {
        let err = from_slice::<List<bool>>(&[0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 3])
            .unwrap_err();
        assert_eq!(err.path(), Some("[1]"));
        assert_eq!(err.root(), &Error::InvalidBool { offset: 12, value: 3 });
        let err = from_slice::<NonEmptyList<u32>>(&TWO[4..18]).unwrap_err();
        assert_eq!(err.path(), Some("rest[1]"));
        assert!(matches!(err.root(), Error::Truncated { offset: 12, .. }));
    }

    #[test]
    fn a_list_is_one_level_of_nesting_whatever_its_length() {
        let flat = Limits { max_depth: 1, ..Limits::DEFAULT };
        let long: List<u32> = (0..1000).collect();
        let wire = to_vec(&long).unwrap();
        assert_eq!(from_slice_with_limits::<List<u32>>(&wire, flat).unwrap(), long);
        let nested = to_vec(&List::from(vec![long])).unwrap();
        let err = from_slice_with_limits::<List<List<u32>>>(&nested, flat).unwrap_err();
        assert!(matches!(err.root(), Error::DepthExceeded { limit: 1, .. }), "{err}");
    }
}
