//! What the interop tests share: the generated module for
//! `interop/everything.x` and the samples the C driver builds too.

// Each test binary uses a different part of this test-only module.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

/// The generated module.
pub mod everything {
    include!("../interop/everything.rs");
}

use everything::{
    ByBool, ByEnum, ByInt, ByUnsigned, Color, Everything, IntsT, NameT, Node, Pair, Prims, Status,
    Tree, Trees,
};
use oncrpc::xdr::{ByteString, List, NonEmptyList, Opaque, VarArray};

pub fn bytes<const N: u32>(b: &[u8]) -> ByteString<N> {
    ByteString::try_from(b).unwrap()
}

/// The driver's `fill_prims(which)`.
pub fn prims(which: u8) -> Prims {
    if which == 0 {
        return Prims::default();
    }
    let one = which == 1;
    Prims {
        i: if one { i32::MIN } else { 123_456 },
        u: if one { u32::MAX } else { 7 },
        h: if one { i64::MIN } else { -99 },
        uh: if one { u64::MAX } else { 0x0123_4567_89ab_cdef },
        b: true,
        f: if one { -1.5 } else { 0.25 },
        d: if one { 1e300 } else { -2.5 },
        c: if one { Color::Negative } else { Color::Blue },
    }
}

pub fn first<T: Clone, const N: u32>(items: &[T], n: usize) -> VarArray<T, N> {
    VarArray::new(items[..n].to_vec()).unwrap()
}

/// The driver's `make_list(n)`.
fn make_list(n: i32) -> List<Node> {
    (1..=n)
        .map(|k| Node { value: k * 10, tag: bytes(if k % 2 == 1 { b"odd" } else { b"even" }) })
        .collect()
}

/// The driver's `fill_sample(which)`.
pub fn sample(which: u8) -> Everything {
    let mut a = Everything {
        p: prims(which),
        hash: [0; 6],
        blob: Opaque::default(),
        small: Opaque::default(),
        name: NameT::default(),
        any: ByteString::default(),
        fixed_ints: [0; 3],
        var_ints: IntsT::default(),
        pairs: [Pair::default(); 2],
        more_pairs: VarArray::default(),
        names: VarArray::default(),
        e1: VarArray::default(),
        e2: VarArray::default(),
        e3: VarArray::default(),
        e4: VarArray::default(),
        e5: VarArray::default(),
        list: List::new(),
        chain: NonEmptyList::default(),
        t: Tree { label: ByteString::default(), children: Trees::default() },
        maybe_pair: None,
        maybe_int: None,
        colors: VarArray::default(),
        flags: [false; 2],
    };
    if which == 0 {
        return a;
    }
    let one = which == 1;
    a.hash = if one { [1, 2, 3, 4, 5, 6] } else { *b"abcdef" };
    a.blob = Opaque::new(vec![9, 8, 7, 6, 5][..if one { 5 } else { 1 }].to_vec()).unwrap();
    a.small = Opaque::new(vec![0xff, 0, 0xff, 0][..if one { 4 } else { 3 }].to_vec()).unwrap();
    a.name = bytes(if one { b"sixteen chars!!!" } else { b"caf\xc3\xa9" });
    a.any = bytes(if one { b"" } else { b"a longer string, unbounded\n\t" });
    a.fixed_ints = if one { [-1, 0, i32::MAX] } else { [1, 2, 3] };
    a.var_ints = first(&[5, 6, 7, 8], if one { 4 } else { 0 });
    a.pairs = if one {
        [Pair { a: 1, b: 2 }, Pair { a: -3, b: -4 }]
    } else {
        [Pair { a: 7, b: 8 }, Pair { a: 9, b: 10 }]
    };
    let more = [Pair { a: 1, b: 1 }, Pair { a: 2, b: 2 }, Pair { a: 3, b: 3 }];
    a.more_pairs = first(&more, if one { 3 } else { 1 });
    a.names = first(&[bytes(b"a"), bytes(b""), bytes(b"xyz")], if one { 3 } else { 2 });
    let e1 = [
        ByEnum::Red(-7),
        ByEnum::Green,
        ByEnum::Default(Color::Blue, bytes(b"blue")),
        ByEnum::Default(Color::Negative, bytes(b"")),
    ];
    a.e1 = first(&e1, if one { 4 } else { 2 });
    let e2 = [
        ByInt::Two(1, i64::MAX),
        ByInt::Two(2, -1),
        ByInt::CaseMinus3,
        ByInt::Case10(10),
        ByInt::Case10(11),
        ByInt::Default(42, bytes(b"forty-two")),
    ];
    a.e2 = first(&e2, if one { 6 } else { 3 });
    a.e3 = first(&[ByUnsigned::Max(u64::MAX), ByUnsigned::Case0], if one { 2 } else { 1 });
    a.e4 = first(&[ByBool::True(prims(3 - which)), ByBool::False], if one { 2 } else { 1 });
    let e5 = [
        everything::Result::Ok(*b"hashed"),
        everything::Result::Default(Status::NotFound),
        everything::Result::Default(Status::Denied),
    ];
    a.e5 = first(&e5, if one { 3 } else { 1 });
    a.list = make_list(if one { 3 } else { 1 });
    a.chain = NonEmptyList {
        first: Node { value: -5, tag: bytes(b"head") },
        rest: make_list(if one { 2 } else { 0 }),
    };
    let leaf = |label: &[u8]| Tree { label: bytes(label), children: Trees::default() };
    a.t = Tree {
        label: bytes(b"root"),
        children: if one {
            VarArray::new(vec![
                Tree { label: bytes(b"a"), children: VarArray::new(vec![leaf(b"a1")]).unwrap() },
                leaf(b"b"),
            ])
            .unwrap()
        } else {
            Trees::default()
        },
    };
    a.maybe_pair = one.then(|| Box::new(Pair { a: 5, b: 6 }));
    a.maybe_int = Some(Box::new(if one { 42 } else { -1 }));
    let colors = [Color::Red, Color::Green, Color::Blue, Color::Negative];
    a.colors = first(&colors, if one { 4 } else { 1 });
    a.flags = [one, !one];
    a
}

/// How many samples the C driver knows.
pub const SAMPLES: u8 = 3;
