//! Tuples encode their elements one after another with nothing between
//! them: the wire form of a procedure's several arguments (rpcgen `-N`
//! style) or of any fixed sequence of items.

use crate::decode::{Decode, Decoder};
use crate::encode::{Encode, Encoder};
use crate::error::Result;

macro_rules! tuple {
    ($($name:ident $index:tt),+) => {
        impl<$($name: Encode),+> Encode for ($($name,)+) {
            const FIXED_ENCODED_LEN: Option<usize> = {
                let mut total = 0;
                let mut fixed = true;
                $(
                    match $name::FIXED_ENCODED_LEN {
                        Some(len) => total += len,
                        None => fixed = false,
                    }
                )+
                if fixed { Some(total) } else { None }
            };

            #[inline]
            fn encoded_len(&self) -> usize {
                0 $(+ self.$index.encoded_len())+
            }

            #[inline]
            fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
                $(self.$index.encode(enc).map_err(|e| e.in_element($index))?;)+
                Ok(())
            }
        }

        impl<'de, $($name: Decode<'de>),+> Decode<'de> for ($($name,)+) {
            const MIN_ENCODED_LEN: usize = 0 $(+ $name::MIN_ENCODED_LEN)+;

            #[inline]
            fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
                Ok(($($name::decode(dec).map_err(|e| e.in_element($index))?,)+))
            }
        }
    };
}

tuple!(A 0);
tuple!(A 0, B 1);
tuple!(A 0, B 1, C 2);
tuple!(A 0, B 1, C 2, D 3);
tuple!(A 0, B 1, C 2, D 3, E 4);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

#[cfg(test)]
mod tests {
    use crate::{ByteString, Encode, from_slice, to_vec};

    #[test]
    fn elements_follow_each_other() {
        let args = (7i32, ByteString::<8>::try_from("ab").unwrap(), true);
        let wire = to_vec(&args).unwrap();
        assert_eq!(wire, [0, 0, 0, 7, 0, 0, 0, 2, b'a', b'b', 0, 0, 0, 0, 0, 1]);
        assert_eq!(from_slice::<(i32, ByteString<8>, bool)>(&wire).unwrap(), args);
        assert_eq!(<(i32, u64) as Encode>::FIXED_ENCODED_LEN, Some(12));
        assert_eq!(<(i32, ByteString) as Encode>::FIXED_ENCODED_LEN, None);
    }

    #[test]
    fn errors_name_the_argument() {
        let err = from_slice::<(i32, bool)>(&[0, 0, 0, 1, 0, 0, 0, 3]).unwrap_err();
        assert_eq!(err.path(), Some("[1]"));
    }
}
