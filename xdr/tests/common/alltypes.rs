//! The types of `tests/interop/alltypes.x`, written by hand the way the
//! generator emits them, and the samples the C driver builds.

use xdr::{
    ByteString, Decode, Decoder, Encode, Encoder, Error, List, Opaque, Quadruple, Result, VarArray,
};

pub const MAXNAME: u32 = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Color {
    Red = 0,
    Green = 1,
    Blue = 2,
}

impl Encode for Color {
    const FIXED_ENCODED_LEN: Option<usize> = Some(4);
    fn encoded_len(&self) -> usize {
        4
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        enc.put_i32(*self as i32);
        Ok(())
    }
}

impl<'de> Decode<'de> for Color {
    const MIN_ENCODED_LEN: usize = 4;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        match dec.read_i32()? {
            0 => Ok(Color::Red),
            1 => Ok(Color::Green),
            2 => Ok(Color::Blue),
            other => Err(dec.invalid_enum("color", other)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prims {
    pub i: i32,
    pub u: u32,
    pub h: i64,
    pub uh: u64,
    pub b: bool,
    pub f: f32,
    pub d: f64,
    pub c: Color,
    pub q: Quadruple,
}

impl Encode for Prims {
    const FIXED_ENCODED_LEN: Option<usize> = Some(60);
    fn encoded_len(&self) -> usize {
        60
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        self.i.encode(enc)?;
        self.u.encode(enc)?;
        self.h.encode(enc)?;
        self.uh.encode(enc)?;
        self.b.encode(enc)?;
        self.f.encode(enc)?;
        self.d.encode(enc)?;
        self.c.encode(enc)?;
        self.q.encode(enc)
    }
}

impl<'de> Decode<'de> for Prims {
    const MIN_ENCODED_LEN: usize = 60;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        Ok(Prims {
            i: dec.read().map_err(|e| e.in_field("i"))?,
            u: dec.read().map_err(|e| e.in_field("u"))?,
            h: dec.read().map_err(|e| e.in_field("h"))?,
            uh: dec.read().map_err(|e| e.in_field("uh"))?,
            b: dec.read().map_err(|e| e.in_field("b"))?,
            f: dec.read().map_err(|e| e.in_field("f"))?,
            d: dec.read().map_err(|e| e.in_field("d"))?,
            c: dec.read().map_err(|e| e.in_field("c"))?,
            q: dec.read().map_err(|e| e.in_field("q"))?,
        })
    }
}

/// `union shape switch (color kind)`: RED -> radius, GREEN -> void, default -> label.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Red(i32),
    Green,
    Default(Color, ByteString<16>),
}

impl Encode for Shape {
    fn encoded_len(&self) -> usize {
        4 + match self {
            Shape::Red(radius) => radius.encoded_len(),
            Shape::Green => 0,
            Shape::Default(_, label) => label.encoded_len(),
        }
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        match self {
            Shape::Red(radius) => {
                Color::Red.encode(enc)?;
                radius.encode(enc)
            }
            Shape::Green => Color::Green.encode(enc),
            Shape::Default(kind @ (Color::Red | Color::Green), _) => {
                Err(Error::WrongArm { type_name: "shape", value: *kind as i64 })
            }
            Shape::Default(kind, label) => {
                kind.encode(enc)?;
                label.encode(enc)
            }
        }
    }
}

impl<'de> Decode<'de> for Shape {
    const MIN_ENCODED_LEN: usize = 4;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        match Color::decode(dec).map_err(|e| e.in_field("kind"))? {
            Color::Red => Ok(Shape::Red(dec.read().map_err(|e| e.in_field("radius"))?)),
            Color::Green => Ok(Shape::Green),
            kind => Ok(Shape::Default(kind, dec.read().map_err(|e| e.in_field("label"))?)),
        }
    }
}

/// `union outcome switch (int status)`: 0 -> value, 1 and 2 -> code; no default.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Value(u64),
    Code(i32, Opaque<4>),
}

impl Encode for Outcome {
    fn encoded_len(&self) -> usize {
        4 + match self {
            Outcome::Value(value) => value.encoded_len(),
            Outcome::Code(_, code) => code.encoded_len(),
        }
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        match self {
            Outcome::Value(value) => {
                enc.put_i32(0);
                value.encode(enc)
            }
            Outcome::Code(status @ (1 | 2), code) => {
                enc.put_i32(*status);
                code.encode(enc)
            }
            Outcome::Code(status, _) => {
                Err(Error::WrongArm { type_name: "outcome", value: i64::from(*status) })
            }
        }
    }
}

impl<'de> Decode<'de> for Outcome {
    const MIN_ENCODED_LEN: usize = 4;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        match dec.read_i32().map_err(|e| e.in_field("status"))? {
            0 => Ok(Outcome::Value(dec.read().map_err(|e| e.in_field("value"))?)),
            status @ (1 | 2) => {
                Ok(Outcome::Code(status, dec.read().map_err(|e| e.in_field("code"))?))
            }
            other => Err(dec.invalid_discriminant("outcome", i64::from(other))),
        }
    }
}

/// `struct node { int value; node *next; }`: a node of a linked list,
/// without its link (`node *` is `List<Node>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: i32,
}

impl Encode for Node {
    const FIXED_ENCODED_LEN: Option<usize> = Some(4);
    fn encoded_len(&self) -> usize {
        4
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        enc.put(&self.value).map_err(|e| e.in_field("value"))
    }
}

impl<'de> Decode<'de> for Node {
    const MIN_ENCODED_LEN: usize = 4;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        Ok(Node { value: dec.read().map_err(|e| e.in_field("value"))? })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AllTypes {
    pub p: Prims,
    pub fixed_op: [u8; 5],
    pub var_op: Opaque<MAXNAME>,
    pub name: ByteString<MAXNAME>,
    pub unbounded: ByteString,
    pub fixed_arr: [i32; 3],
    pub var_arr: VarArray<u64, 10>,
    pub shapes: VarArray<Shape, 4>,
    pub res: Outcome,
    pub list: List<Node>,
    pub maybe: Option<Box<i32>>,
    pub opt_prims: Option<Box<Prims>>,
}

impl Encode for AllTypes {
    fn encoded_len(&self) -> usize {
        self.p.encoded_len()
            + self.fixed_op.encoded_len()
            + self.var_op.encoded_len()
            + self.name.encoded_len()
            + self.unbounded.encoded_len()
            + self.fixed_arr.encoded_len()
            + self.var_arr.encoded_len()
            + self.shapes.encoded_len()
            + self.res.encoded_len()
            + self.list.encoded_len()
            + self.maybe.encoded_len()
            + self.opt_prims.encoded_len()
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        self.p.encode(enc).map_err(|e| e.in_field("p"))?;
        self.fixed_op.encode(enc).map_err(|e| e.in_field("fixed_op"))?;
        self.var_op.encode(enc).map_err(|e| e.in_field("var_op"))?;
        self.name.encode(enc).map_err(|e| e.in_field("name"))?;
        self.unbounded.encode(enc).map_err(|e| e.in_field("unbounded"))?;
        self.fixed_arr.encode(enc).map_err(|e| e.in_field("fixed_arr"))?;
        self.var_arr.encode(enc).map_err(|e| e.in_field("var_arr"))?;
        self.shapes.encode(enc).map_err(|e| e.in_field("shapes"))?;
        self.res.encode(enc).map_err(|e| e.in_field("res"))?;
        self.list.encode(enc).map_err(|e| e.in_field("list"))?;
        self.maybe.encode(enc).map_err(|e| e.in_field("maybe"))?;
        self.opt_prims.encode(enc).map_err(|e| e.in_field("opt_prims"))
    }
}

impl<'de> Decode<'de> for AllTypes {
    const MIN_ENCODED_LEN: usize = 60 + 8 + 4 + 4 + 4 + 12 + 4 + 4 + 4 + 4 + 4 + 4;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        Ok(AllTypes {
            p: dec.read().map_err(|e| e.in_field("p"))?,
            fixed_op: dec.read().map_err(|e| e.in_field("fixed_op"))?,
            var_op: dec.read().map_err(|e| e.in_field("var_op"))?,
            name: dec.read().map_err(|e| e.in_field("name"))?,
            unbounded: dec.read().map_err(|e| e.in_field("unbounded"))?,
            fixed_arr: dec.read().map_err(|e| e.in_field("fixed_arr"))?,
            var_arr: dec.read().map_err(|e| e.in_field("var_arr"))?,
            shapes: dec.read().map_err(|e| e.in_field("shapes"))?,
            res: dec.read().map_err(|e| e.in_field("res"))?,
            list: dec.read().map_err(|e| e.in_field("list"))?,
            maybe: dec.read().map_err(|e| e.in_field("maybe"))?,
            opt_prims: dec.read().map_err(|e| e.in_field("opt_prims"))?,
        })
    }
}

/// The driver's `fill_prims(which)`.
pub fn sample_prims(which: u8) -> Prims {
    if which == 0 {
        return Prims {
            i: 0,
            u: 0,
            h: 0,
            uh: 0,
            b: false,
            f: 0.0,
            d: 0.0,
            c: Color::Red,
            q: Quadruple([0; 16]),
        };
    }
    let one = which == 1;
    Prims {
        i: if one { i32::MIN } else { 123_456 },
        u: if one { u32::MAX } else { 7 },
        h: if one { i64::MIN } else { -99 },
        uh: if one { u64::MAX } else { 0x0123_4567_89ab_cdef },
        b: true,
        f: if one { -1.5 } else { -0.0 },
        d: if one { 1e300 } else { f64::MIN_POSITIVE },
        c: if one { Color::Blue } else { Color::Green },
        q: Quadruple(core::array::from_fn(|k| which * 16 + k as u8)),
    }
}

/// The driver's `fill_sample(which)`.
pub fn sample(which: u8) -> AllTypes {
    let mut a = AllTypes {
        p: sample_prims(which),
        fixed_op: [0; 5],
        var_op: Opaque::default(),
        name: ByteString::default(),
        unbounded: ByteString::default(),
        fixed_arr: [0; 3],
        var_arr: VarArray::default(),
        shapes: VarArray::default(),
        res: Outcome::Value(0),
        list: List::new(),
        maybe: None,
        opt_prims: None,
    };
    if which == 0 {
        return a;
    }
    let one = which == 1;
    a.fixed_op = *b"abcde";
    a.var_op = Opaque::new(vec![0xff; if one { 32 } else { 3 }]).unwrap();
    a.name = ByteString::try_from(if one {
        &b"abcdefghijklmnopqrstuvwxyz012345"[..]
    } else {
        &b"caf\xc3\xa9 \xff"[..]
    })
    .unwrap();
    a.unbounded = ByteString::try_from("a longer string, unbounded\n\t").unwrap();
    a.fixed_arr = [-1, 0, i32::MAX];
    let var_arr: Vec<u64> = (0..10u64).map(|k| k * 0x0101_0101_0101_0101).collect();
    a.var_arr = VarArray::new(var_arr[..if one { 10 } else { 1 }].to_vec()).unwrap();
    let shapes = [
        Shape::Red(-7),
        Shape::Green,
        Shape::Default(Color::Blue, ByteString::try_from("sixteen chars!!!").unwrap()),
        Shape::Default(Color::Blue, ByteString::default()),
    ];
    a.shapes = VarArray::new(shapes[..if one { 3 } else { 4 }].to_vec()).unwrap();
    a.res = if one {
        Outcome::Code(2, Opaque::new(vec![1, 2, 3]).unwrap())
    } else {
        Outcome::Code(1, Opaque::default())
    };
    let values: &[i32] = if one { &[10, 20, 30] } else { &[10] };
    a.list = values.iter().map(|&value| Node { value }).collect();
    a.maybe = Some(Box::new(42));
    a.opt_prims = one.then(|| Box::new(sample_prims(2)));
    a
}

/// How many samples the driver knows.
pub const SAMPLES: u8 = 3;
