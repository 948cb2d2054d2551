//! XDR, the External Data Representation of RFC 4506, for the ONC RPC stack.
//!
//! * [`Encode`] computes a value's exact encoded size up front
//!   ([`Encode::encoded_len`]) and appends its encoding to a buffer, so a
//!   message is allocated once ([`to_vec`]).
//! * [`Decode`] reads from a byte slice. Borrowed types ([`OpaqueRef`],
//!   [`ByteStr`], [`Utf8Str`], `&[u8; N]`) point into the input and copy
//!   nothing; owned types ([`Opaque`], [`ByteString`], [`Utf8String`],
//!   `[u8; N]`) copy.
//! * Hostile input cannot make a decoder allocate beyond what it received:
//!   every length and count is checked against the type's bound *and* the
//!   bytes remaining before anything is allocated ([`Decoder::read_count`]).
//!   Nesting of optional-data and variable-length arrays has a depth
//!   budget ([`Limits`]) and linked lists decode in a loop ([`List`]).
//! * Padding bytes must be zero, as RFC 4506 section 3 says; decoding
//!   rejects anything else unless [`Limits::allow_nonzero_padding`] is set.
//!   Encoding always writes zeros.
//!
//! | XDR (RFC 4506) | Rust |
//! |---|---|
//! | `int`, `unsigned int` | `i32`, `u32` |
//! | `hyper`, `unsigned hyper` | `i64`, `u64` |
//! | `bool` | `bool` |
//! | `float`, `double` | `f32`, `f64` |
//! | `quadruple` | [`Quadruple`] (16 raw bytes) |
//! | `enum` | a Rust enum (generated; see [`Decoder::invalid_enum`]) |
//! | `opaque[N]` | `[u8; N]` or `&[u8; N]` |
//! | `opaque<MAX>` | [`Opaque<MAX>`] or [`OpaqueRef<MAX>`] |
//! | `string<MAX>` | [`ByteString<MAX>`] / [`ByteStr<MAX>`] (any bytes), or [`Utf8String<MAX>`] / [`Utf8Str<MAX>`] (checked) |
//! | `T[N]` | `[T; N]` |
//! | `T<MAX>` | [`VarArray<T, MAX>`] |
//! | `struct`, `union` | generated structs and enums |
//! | `T *` (optional-data) | `Option<T>` (usually `Option<Box<T>>`) |
//! | `T *` and `T` when `T`'s last field is `T *` (a linked list) | [`List<N>`] and [`NonEmptyList<N>`], `N` being `T` without that field |
//! | `void` | `()` |
//!
//! `MAX` defaults to [`UNBOUNDED`] (`string<>`, `opaque<>`, `T<>`).
//! Strings: generated code uses the byte forms by default, because XDR
//! strings are bytes and C peers send whatever their `char *` held.

mod array;
mod bytes;
mod decode;
mod encode;
mod error;
mod list;
mod optional;
mod pad;
mod primitives;
mod tuple;
mod utf8;

pub use array::VarArray;
pub use bytes::{ByteStr, ByteString, Opaque, OpaqueRef, UNBOUNDED};
pub use decode::{Decode, DecodeOwned, Decoder, Limits, from_slice, from_slice_with_limits};
pub use encode::{Encode, Encoder, append, to_vec};
pub use error::{Error, Result};
pub use list::{List, NonEmptyList};
pub use pad::{padded, padding};
pub use primitives::Quadruple;
pub use utf8::{Utf8Str, Utf8String};
