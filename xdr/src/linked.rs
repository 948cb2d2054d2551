//! Linked lists: structures whose last field is optional-data pointing to
//! their own type (RFC 4506 section 4.19), such as NFS `entry` or rpcbind's
//! `rpcblist`.
//!
//! Encoding, decoding, sizing and dropping walk the list in a loop, so a
//! list of a million nodes uses no more stack than a list of one. A type
//! opts in by implementing [`Linked`] (and [`LinkedDecode`]); its
//! [`crate::Encode`] and [`crate::Decode`] impls then call [`encode`],
//! [`encoded_len`] and [`decode`], and its `Drop` calls [`unlink_all`] so
//! that dropping a long list does not recurse either.

use crate::decode::Decoder;
use crate::encode::Encoder;
use crate::error::Result;

/// A node of an XDR linked list: its fields, then `next` as its last field.
pub trait Linked: Sized {
    /// The next node, if any.
    fn next(&self) -> Option<&Self>;

    /// The link field itself.
    fn next_mut(&mut self) -> &mut Option<Box<Self>>;

    /// Encoded size of the node's fields, the link excluded.
    fn node_encoded_len(&self) -> usize;

    /// Encodes the node's fields, the link excluded.
    fn encode_node(&self, enc: &mut Encoder<'_>) -> Result<()>;
}

/// A linked-list node that can be decoded from input living for `'de`.
pub trait LinkedDecode<'de>: Linked {
    /// Decodes the node's fields, the link excluded, leaving the link `None`.
    fn decode_node(dec: &mut Decoder<'de>) -> Result<Self>;
}

/// Iterates over `first` and every node after it.
pub fn iter<T: Linked>(first: &T) -> impl Iterator<Item = &T> {
    core::iter::successors(Some(first), |node| node.next())
}

/// Encoded size of the list starting at `first`.
pub fn encoded_len<T: Linked>(first: &T) -> usize {
    iter(first).map(|node| node.node_encoded_len() + 4).sum()
}

/// Encodes the list starting at `first`: each node's fields followed by
/// TRUE when another node follows, FALSE after the last.
pub fn encode<T: Linked>(first: &T, enc: &mut Encoder<'_>) -> Result<()> {
    for (i, node) in iter(first).enumerate() {
        node.encode_node(enc).map_err(|e| e.in_element(i))?;
        enc.put_u32(u32::from(node.next().is_some()));
    }
    Ok(())
}

/// Decodes a whole list, however long, at constant stack depth, linking
/// each node as it is read. Memory grows only as nodes are actually read
/// from the input; on an error the nodes read so far are dropped (through
/// the node type's `Drop`, which unlinks them one at a time).
pub fn decode<'de, T: LinkedDecode<'de>>(dec: &mut Decoder<'de>) -> Result<T> {
    let mut head = T::decode_node(dec).map_err(|e| e.in_element(0))?;
    let mut tail = head.next_mut();
    let mut index = 0;
    while dec.read_bool().map_err(|e| e.in_element(index))? {
        index += 1;
        let node = T::decode_node(dec).map_err(|e| e.in_element(index))?;
        tail = tail.insert(Box::new(node)).next_mut();
    }
    Ok(head)
}

/// Chains `nodes` in order and returns the first, or `None` for no nodes.
/// Any link the nodes already had is replaced.
pub fn from_nodes<T: Linked>(nodes: Vec<T>) -> Option<T> {
    let mut rest: Option<Box<T>> = None;
    let mut reversed = nodes.into_iter().rev();
    let mut head = reversed.next()?;
    for mut node in reversed {
        *head.next_mut() = rest.take();
        rest = Some(Box::new(head));
        *node.next_mut() = None;
        head = node;
    }
    *head.next_mut() = rest;
    Some(head)
}

/// Detaches every node after `first` one at a time, so that dropping a long
/// list does not recurse. Call it from the node type's `Drop`.
pub fn unlink_all<T: Linked>(first: &mut T) {
    let mut next = first.next_mut().take();
    while let Some(mut node) = next {
        next = node.next_mut().take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Decode, Encode, Error, from_slice, to_vec};

    /// `struct item { int value; item *next; };`, written as generated code will be.
    #[derive(Debug)]
    struct Item {
        value: i32,
        next: Option<Box<Item>>,
    }

    impl Linked for Item {
        fn next(&self) -> Option<&Self> {
            self.next.as_deref()
        }
        fn next_mut(&mut self) -> &mut Option<Box<Self>> {
            &mut self.next
        }
        fn node_encoded_len(&self) -> usize {
            4
        }
        fn encode_node(&self, enc: &mut Encoder<'_>) -> Result<()> {
            self.value.encode(enc)
        }
    }

    impl<'de> LinkedDecode<'de> for Item {
        fn decode_node(dec: &mut Decoder<'de>) -> Result<Self> {
            Ok(Item { value: i32::decode(dec).map_err(|e| e.in_field("value"))?, next: None })
        }
    }

    impl Encode for Item {
        fn encoded_len(&self) -> usize {
            encoded_len(self)
        }
        fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
            encode(self, enc)
        }
    }

    impl<'de> Decode<'de> for Item {
        const MIN_ENCODED_LEN: usize = 8;
        fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
            decode(dec)
        }
    }

    impl Drop for Item {
        fn drop(&mut self) {
            unlink_all(self);
        }
    }

    fn list(values: impl IntoIterator<Item = i32>) -> Option<Item> {
        from_nodes(values.into_iter().map(|value| Item { value, next: None }).collect())
    }

    #[test]
    fn wire_form_is_nodes_separated_by_bools() {
        let head = list([1, 2]);
        assert_eq!(
            to_vec(&head).unwrap(),
            [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0]
        );
        assert_eq!(to_vec(&list([])).unwrap(), [0, 0, 0, 0]);
    }

    #[test]
    fn a_million_nodes_round_trip_without_deep_recursion() {
        const N: i32 = 1_000_000;
        // Run on a small stack so that any recursion per node would overflow it.
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let head = list(0..N);
                let wire = to_vec(&head).unwrap();
                assert_eq!(wire.len(), 4 + 8 * N as usize);
                let back: Option<Item> = from_slice(&wire).unwrap();
                let values: Vec<i32> = iter(back.as_ref().unwrap()).map(|n| n.value).collect();
                assert_eq!(values, (0..N).collect::<Vec<_>>());
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn errors_name_the_node() {
        let mut wire = to_vec(&list([1, 2, 3])).unwrap();
        wire.truncate(wire.len() - 6);
        let err = from_slice::<Option<Item>>(&wire).unwrap_err();
        assert_eq!(err.path(), Some("[2].value"));
        assert!(matches!(err.root(), Error::Truncated { offset: 20, .. }));
    }
}
