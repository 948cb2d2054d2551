//! proptest strategies for the types of `alltypes.x`.
//!
//! Strings never contain NUL: a C peer keeps strings as `char *`, so a NUL
//! would end them early and the bytes could not match. Floats are any bit
//! pattern but NaN (NaN != NaN would defeat value comparison; bytes are still
//! compared exactly).

use proptest::collection::vec;
use proptest::prelude::*;
use xdr::{ByteString, List, Opaque, Quadruple, VarArray};

use super::alltypes::{AllTypes, Color, Node, Outcome, Prims, Shape};

pub fn color() -> impl Strategy<Value = Color> {
    prop_oneof![Just(Color::Red), Just(Color::Green), Just(Color::Blue)]
}

pub fn c_string<const MAX: u32>() -> impl Strategy<Value = ByteString<MAX>> {
    vec(1u8..=255, 0..=(MAX.min(64) as usize)).prop_map(|b| ByteString::new(b).unwrap())
}

pub fn opaque<const MAX: u32>() -> impl Strategy<Value = Opaque<MAX>> {
    vec(any::<u8>(), 0..=(MAX.min(64) as usize)).prop_map(|b| Opaque::new(b).unwrap())
}

fn f32_not_nan() -> impl Strategy<Value = f32> {
    any::<u32>().prop_map(f32::from_bits).prop_filter("not NaN", |f| !f.is_nan())
}

fn f64_not_nan() -> impl Strategy<Value = f64> {
    any::<u64>().prop_map(f64::from_bits).prop_filter("not NaN", |f| !f.is_nan())
}

pub fn prims() -> impl Strategy<Value = Prims> {
    (
        (any::<i32>(), any::<u32>(), any::<i64>(), any::<u64>(), any::<bool>()),
        (f32_not_nan(), f64_not_nan(), color(), any::<[u8; 16]>()),
    )
        .prop_map(|((i, u, h, uh, b), (f, d, c, q))| Prims {
            i,
            u,
            h,
            uh,
            b,
            f,
            d,
            c,
            q: Quadruple(q),
        })
}

pub fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        any::<i32>().prop_map(Shape::Red),
        Just(Shape::Green),
        c_string::<16>().prop_map(|label| Shape::Default(Color::Blue, label)),
    ]
}

pub fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        any::<u64>().prop_map(Outcome::Value),
        (1i32..=2, opaque::<4>()).prop_map(|(status, code)| Outcome::Code(status, code)),
    ]
}

pub fn list() -> impl Strategy<Value = List<Node>> {
    vec(any::<i32>(), 0..8)
        .prop_map(|values| values.into_iter().map(|value| Node { value }).collect())
}

pub fn alltypes() -> impl Strategy<Value = AllTypes> {
    (
        (prims(), any::<[u8; 5]>(), opaque::<32>(), c_string::<32>(), c_string::<{ u32::MAX }>()),
        (any::<[i32; 3]>(), vec(any::<u64>(), 0..=10), vec(shape(), 0..=4), outcome()),
        (list(), proptest::option::of(any::<i32>()), proptest::option::of(prims())),
    )
        .prop_map(
            |(
                (p, fixed_op, var_op, name, unbounded),
                (fixed_arr, var_arr, shapes, res),
                (list, maybe, opt_prims),
            )| AllTypes {
                p,
                fixed_op,
                var_op,
                name,
                unbounded,
                fixed_arr,
                var_arr: VarArray::new(var_arr).unwrap(),
                shapes: VarArray::new(shapes).unwrap(),
                res,
                list,
                maybe: maybe.map(Box::new),
                opt_prims: opt_prims.map(Box::new),
            },
        )
}
