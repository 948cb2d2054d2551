//! Our side, written as `rpcgen` will emit it.

use xdr::{
    ByteStr, ByteString, Decode, Decoder, Encode, Encoder, List, Opaque, OpaqueRef, Quadruple,
};

/// `enum filetype { NFREG = 1, NFDIR = 2, NFBLK = 3, NFCHR = 4, NFLNK = 5 };`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileType {
    Nfreg = 1,
    Nfdir = 2,
    Nfblk = 3,
    Nfchr = 4,
    Nflnk = 5,
}

impl Encode for FileType {
    const FIXED_ENCODED_LEN: ::std::option::Option<usize> = Some(4);

    #[inline]
    fn encoded_len(&self) -> usize {
        4
    }

    #[inline]
    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        enc.put_i32(*self as i32);
        Ok(())
    }
}

impl<'de> Decode<'de> for FileType {
    const MIN_ENCODED_LEN: usize = 4;

    #[inline]
    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        let value = dec.read_i32()?;
        match value {
            1 => Ok(FileType::Nfreg),
            2 => Ok(FileType::Nfdir),
            3 => Ok(FileType::Nfblk),
            4 => Ok(FileType::Nfchr),
            5 => Ok(FileType::Nflnk),
            _ => Err(dec.invalid_enum("filetype", value)),
        }
    }
}

/// ```text
/// struct primitives {
///     int i; unsigned int u; hyper h; unsigned hyper uh; bool b;
///     float f; double d; filetype kind; quadruple q; opaque fixed[12];
///     string label<64>; opaque data<64>; int *maybe;
/// };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Primitives {
    pub(crate) i: i32,
    pub(crate) u: u32,
    pub(crate) h: i64,
    pub(crate) uh: u64,
    pub(crate) b: bool,
    pub(crate) f: f32,
    pub(crate) d: f64,
    pub(crate) kind: FileType,
    pub(crate) q: Quadruple,
    pub(crate) fixed: [u8; 12],
    pub(crate) label: ByteString<64>,
    pub(crate) data: Opaque<64>,
    pub(crate) maybe: ::std::option::Option<i32>,
}

impl Encode for Primitives {
    fn encoded_len(&self) -> usize {
        self.i.encoded_len()
            + self.u.encoded_len()
            + self.h.encoded_len()
            + self.uh.encoded_len()
            + self.b.encoded_len()
            + self.f.encoded_len()
            + self.d.encoded_len()
            + self.kind.encoded_len()
            + self.q.encoded_len()
            + self.fixed.encoded_len()
            + self.label.encoded_len()
            + self.data.encoded_len()
            + self.maybe.encoded_len()
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        self.i.encode(enc).map_err(|e| e.in_field("i"))?;
        self.u.encode(enc).map_err(|e| e.in_field("u"))?;
        self.h.encode(enc).map_err(|e| e.in_field("h"))?;
        self.uh.encode(enc).map_err(|e| e.in_field("uh"))?;
        self.b.encode(enc).map_err(|e| e.in_field("b"))?;
        self.f.encode(enc).map_err(|e| e.in_field("f"))?;
        self.d.encode(enc).map_err(|e| e.in_field("d"))?;
        self.kind.encode(enc).map_err(|e| e.in_field("kind"))?;
        self.q.encode(enc).map_err(|e| e.in_field("q"))?;
        self.fixed.encode(enc).map_err(|e| e.in_field("fixed"))?;
        self.label.encode(enc).map_err(|e| e.in_field("label"))?;
        self.data.encode(enc).map_err(|e| e.in_field("data"))?;
        self.maybe.encode(enc).map_err(|e| e.in_field("maybe"))?;
        Ok(())
    }
}

impl<'de> Decode<'de> for Primitives {
    const MIN_ENCODED_LEN: usize = <i32 as Decode<'de>>::MIN_ENCODED_LEN
        + <u32 as Decode<'de>>::MIN_ENCODED_LEN
        + <i64 as Decode<'de>>::MIN_ENCODED_LEN
        + <u64 as Decode<'de>>::MIN_ENCODED_LEN
        + <bool as Decode<'de>>::MIN_ENCODED_LEN
        + <f32 as Decode<'de>>::MIN_ENCODED_LEN
        + <f64 as Decode<'de>>::MIN_ENCODED_LEN
        + <FileType as Decode<'de>>::MIN_ENCODED_LEN
        + <Quadruple as Decode<'de>>::MIN_ENCODED_LEN
        + <[u8; 12] as Decode<'de>>::MIN_ENCODED_LEN
        + <ByteString<64> as Decode<'de>>::MIN_ENCODED_LEN
        + <Opaque<64> as Decode<'de>>::MIN_ENCODED_LEN
        + <::std::option::Option<i32> as Decode<'de>>::MIN_ENCODED_LEN;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        Ok(Primitives {
            i: Decode::decode(dec).map_err(|e| e.in_field("i"))?,
            u: Decode::decode(dec).map_err(|e| e.in_field("u"))?,
            h: Decode::decode(dec).map_err(|e| e.in_field("h"))?,
            uh: Decode::decode(dec).map_err(|e| e.in_field("uh"))?,
            b: Decode::decode(dec).map_err(|e| e.in_field("b"))?,
            f: Decode::decode(dec).map_err(|e| e.in_field("f"))?,
            d: Decode::decode(dec).map_err(|e| e.in_field("d"))?,
            kind: Decode::decode(dec).map_err(|e| e.in_field("kind"))?,
            q: Decode::decode(dec).map_err(|e| e.in_field("q"))?,
            fixed: Decode::decode(dec).map_err(|e| e.in_field("fixed"))?,
            label: Decode::decode(dec).map_err(|e| e.in_field("label"))?,
            data: Decode::decode(dec).map_err(|e| e.in_field("data"))?,
            maybe: Decode::decode(dec).map_err(|e| e.in_field("maybe"))?,
        })
    }
}

/// The borrowed form of `primitives`: strings, opaque data and the
/// fixed opaque point into the input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PrimitivesRef<'a> {
    pub(crate) i: i32,
    pub(crate) u: u32,
    pub(crate) h: i64,
    pub(crate) uh: u64,
    pub(crate) b: bool,
    pub(crate) f: f32,
    pub(crate) d: f64,
    pub(crate) kind: FileType,
    pub(crate) q: Quadruple,
    pub(crate) fixed: &'a [u8; 12],
    pub(crate) label: ByteStr<'a, 64>,
    pub(crate) data: OpaqueRef<'a, 64>,
    pub(crate) maybe: ::std::option::Option<i32>,
}

impl Encode for PrimitivesRef<'_> {
    fn encoded_len(&self) -> usize {
        self.i.encoded_len()
            + self.u.encoded_len()
            + self.h.encoded_len()
            + self.uh.encoded_len()
            + self.b.encoded_len()
            + self.f.encoded_len()
            + self.d.encoded_len()
            + self.kind.encoded_len()
            + self.q.encoded_len()
            + self.fixed.encoded_len()
            + self.label.encoded_len()
            + self.data.encoded_len()
            + self.maybe.encoded_len()
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        self.i.encode(enc).map_err(|e| e.in_field("i"))?;
        self.u.encode(enc).map_err(|e| e.in_field("u"))?;
        self.h.encode(enc).map_err(|e| e.in_field("h"))?;
        self.uh.encode(enc).map_err(|e| e.in_field("uh"))?;
        self.b.encode(enc).map_err(|e| e.in_field("b"))?;
        self.f.encode(enc).map_err(|e| e.in_field("f"))?;
        self.d.encode(enc).map_err(|e| e.in_field("d"))?;
        self.kind.encode(enc).map_err(|e| e.in_field("kind"))?;
        self.q.encode(enc).map_err(|e| e.in_field("q"))?;
        self.fixed.encode(enc).map_err(|e| e.in_field("fixed"))?;
        self.label.encode(enc).map_err(|e| e.in_field("label"))?;
        self.data.encode(enc).map_err(|e| e.in_field("data"))?;
        self.maybe.encode(enc).map_err(|e| e.in_field("maybe"))?;
        Ok(())
    }
}

impl<'de: 'a, 'a> Decode<'de> for PrimitivesRef<'a> {
    const MIN_ENCODED_LEN: usize = <i32 as Decode<'de>>::MIN_ENCODED_LEN
        + <u32 as Decode<'de>>::MIN_ENCODED_LEN
        + <i64 as Decode<'de>>::MIN_ENCODED_LEN
        + <u64 as Decode<'de>>::MIN_ENCODED_LEN
        + <bool as Decode<'de>>::MIN_ENCODED_LEN
        + <f32 as Decode<'de>>::MIN_ENCODED_LEN
        + <f64 as Decode<'de>>::MIN_ENCODED_LEN
        + <FileType as Decode<'de>>::MIN_ENCODED_LEN
        + <Quadruple as Decode<'de>>::MIN_ENCODED_LEN
        + <&'a [u8; 12] as Decode<'de>>::MIN_ENCODED_LEN
        + <ByteStr<'a, 64> as Decode<'de>>::MIN_ENCODED_LEN
        + <OpaqueRef<'a, 64> as Decode<'de>>::MIN_ENCODED_LEN
        + <::std::option::Option<i32> as Decode<'de>>::MIN_ENCODED_LEN;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        Ok(PrimitivesRef {
            i: Decode::decode(dec).map_err(|e| e.in_field("i"))?,
            u: Decode::decode(dec).map_err(|e| e.in_field("u"))?,
            h: Decode::decode(dec).map_err(|e| e.in_field("h"))?,
            uh: Decode::decode(dec).map_err(|e| e.in_field("uh"))?,
            b: Decode::decode(dec).map_err(|e| e.in_field("b"))?,
            f: Decode::decode(dec).map_err(|e| e.in_field("f"))?,
            d: Decode::decode(dec).map_err(|e| e.in_field("d"))?,
            kind: Decode::decode(dec).map_err(|e| e.in_field("kind"))?,
            q: Decode::decode(dec).map_err(|e| e.in_field("q"))?,
            fixed: Decode::decode(dec).map_err(|e| e.in_field("fixed"))?,
            label: Decode::decode(dec).map_err(|e| e.in_field("label"))?,
            data: Decode::decode(dec).map_err(|e| e.in_field("data"))?,
            maybe: Decode::decode(dec).map_err(|e| e.in_field("maybe"))?,
        })
    }
}

/// `struct entry { unsigned hyper cookie; string name<255>; entry *nextentry; };`
/// (owned form): a node of the list, its link being the `xdr::List` holding it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) cookie: u64,
    pub(crate) name: ByteString<255>,
}

impl Encode for Entry {
    fn encoded_len(&self) -> usize {
        self.cookie.encoded_len() + self.name.encoded_len()
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        self.cookie.encode(enc).map_err(|e| e.in_field("cookie"))?;
        self.name.encode(enc).map_err(|e| e.in_field("name"))?;
        Ok(())
    }
}

impl<'de> Decode<'de> for Entry {
    const MIN_ENCODED_LEN: usize =
        <u64 as Decode<'de>>::MIN_ENCODED_LEN + <ByteString<255> as Decode<'de>>::MIN_ENCODED_LEN;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        Ok(Entry {
            cookie: Decode::decode(dec).map_err(|e| e.in_field("cookie"))?,
            name: Decode::decode(dec).map_err(|e| e.in_field("name"))?,
        })
    }
}

/// `struct dirlist { entry *entries; bool eof; };` (owned form)
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DirList {
    pub(crate) entries: List<Entry>,
    pub(crate) eof: bool,
}

impl Encode for DirList {
    fn encoded_len(&self) -> usize {
        self.entries.encoded_len() + self.eof.encoded_len()
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        self.entries.encode(enc).map_err(|e| e.in_field("entries"))?;
        self.eof.encode(enc).map_err(|e| e.in_field("eof"))?;
        Ok(())
    }
}

impl<'de> Decode<'de> for DirList {
    const MIN_ENCODED_LEN: usize =
        <List<Entry> as Decode<'de>>::MIN_ENCODED_LEN + <bool as Decode<'de>>::MIN_ENCODED_LEN;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        Ok(DirList {
            entries: Decode::decode(dec).map_err(|e| e.in_field("entries"))?,
            eof: Decode::decode(dec).map_err(|e| e.in_field("eof"))?,
        })
    }
}

/// `entry`, borrowed form: `name` points into the input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EntryRef<'a> {
    pub(crate) cookie: u64,
    pub(crate) name: ByteStr<'a, 255>,
}

impl Encode for EntryRef<'_> {
    fn encoded_len(&self) -> usize {
        self.cookie.encoded_len() + self.name.encoded_len()
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        self.cookie.encode(enc).map_err(|e| e.in_field("cookie"))?;
        self.name.encode(enc).map_err(|e| e.in_field("name"))?;
        Ok(())
    }
}

impl<'de: 'a, 'a> Decode<'de> for EntryRef<'a> {
    const MIN_ENCODED_LEN: usize =
        <u64 as Decode<'de>>::MIN_ENCODED_LEN + <ByteStr<'a, 255> as Decode<'de>>::MIN_ENCODED_LEN;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        Ok(EntryRef {
            cookie: Decode::decode(dec).map_err(|e| e.in_field("cookie"))?,
            name: Decode::decode(dec).map_err(|e| e.in_field("name"))?,
        })
    }
}

/// `dirlist`, borrowed form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DirListRef<'a> {
    pub(crate) entries: List<EntryRef<'a>>,
    pub(crate) eof: bool,
}

impl Encode for DirListRef<'_> {
    fn encoded_len(&self) -> usize {
        self.entries.encoded_len() + self.eof.encoded_len()
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        self.entries.encode(enc).map_err(|e| e.in_field("entries"))?;
        self.eof.encode(enc).map_err(|e| e.in_field("eof"))?;
        Ok(())
    }
}

impl<'de: 'a, 'a> Decode<'de> for DirListRef<'a> {
    const MIN_ENCODED_LEN: usize = <List<EntryRef<'a>> as Decode<'de>>::MIN_ENCODED_LEN
        + <bool as Decode<'de>>::MIN_ENCODED_LEN;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        Ok(DirListRef {
            entries: Decode::decode(dec).map_err(|e| e.in_field("entries"))?,
            eof: Decode::decode(dec).map_err(|e| e.in_field("eof"))?,
        })
    }
}

/// `typedef int intarray<1000>;`
pub(crate) type IntArray = xdr::VarArray<i32, 1000>;

/// `typedef int intlist<>;`
pub(crate) type IntList = xdr::VarArray<i32>;

/// `typedef opaque blob<>;` (owned)
pub(crate) type Blob = Opaque;

/// `typedef opaque blob<>;` (borrowed)
pub(crate) type BlobRef<'a> = OpaqueRef<'a>;
