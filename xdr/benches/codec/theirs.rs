//! The baseline: the same types for xdr-codec 0.4, written the way its
//! `xdrgen` emits `Pack`/`Unpack` impls.

use xdr_codec::{Pack, Read, Unpack, Write};

/// `enum filetype`, as xdrgen emits it.
#[derive(Debug, Eq, PartialEq, Copy, Clone)]
pub(crate) enum FileType {
    Nfreg = 1,
    Nfdir = 2,
    Nfblk = 3,
    Nfchr = 4,
    Nflnk = 5,
}

impl<Out: Write> Pack<Out> for FileType {
    #[inline]
    fn pack(&self, out: &mut Out) -> xdr_codec::Result<usize> {
        (*self as i32).pack(out)
    }
}

impl<In: Read> Unpack<In> for FileType {
    #[inline]
    fn unpack(input: &mut In) -> xdr_codec::Result<(FileType, usize)> {
        let mut sz = 0;
        Ok((
            {
                let (e, esz): (i32, _) = Unpack::unpack(input)?;
                sz += esz;
                match e {
                    x if x == FileType::Nfreg as i32 => FileType::Nfreg,
                    x if x == FileType::Nfdir as i32 => FileType::Nfdir,
                    x if x == FileType::Nfblk as i32 => FileType::Nfblk,
                    x if x == FileType::Nfchr as i32 => FileType::Nfchr,
                    x if x == FileType::Nflnk as i32 => FileType::Nflnk,
                    _ => return Err(xdr_codec::Error::invalidenum(e)),
                }
            },
            sz,
        ))
    }
}

/// `struct primitives`, as xdrgen emits it (`quadruple` as `opaque[16]`).
#[derive(Debug, PartialEq, Clone)]
pub(crate) struct Primitives {
    pub(crate) i: i32,
    pub(crate) u: u32,
    pub(crate) h: i64,
    pub(crate) uh: u64,
    pub(crate) b: bool,
    pub(crate) f: f32,
    pub(crate) d: f64,
    pub(crate) kind: FileType,
    pub(crate) q: [u8; 16],
    pub(crate) fixed: [u8; 12],
    pub(crate) label: String,
    pub(crate) data: Vec<u8>,
    pub(crate) maybe: Option<i32>,
}

impl<Out: Write> Pack<Out> for Primitives {
    fn pack(&self, out: &mut Out) -> xdr_codec::Result<usize> {
        Ok(self.i.pack(out)?
            + self.u.pack(out)?
            + self.h.pack(out)?
            + self.uh.pack(out)?
            + self.b.pack(out)?
            + self.f.pack(out)?
            + self.d.pack(out)?
            + self.kind.pack(out)?
            + xdr_codec::pack_opaque_array(&self.q[..], self.q.len(), out)?
            + xdr_codec::pack_opaque_array(&self.fixed[..], self.fixed.len(), out)?
            + xdr_codec::pack_string(&self.label, Some(64), out)?
            + xdr_codec::pack_opaque_flex(&self.data, Some(64), out)?
            + self.maybe.pack(out)?)
    }
}

impl<In: Read> Unpack<In> for Primitives {
    fn unpack(input: &mut In) -> xdr_codec::Result<(Primitives, usize)> {
        let mut sz = 0;
        Ok((
            Primitives {
                i: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                u: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                h: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                uh: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                b: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                f: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                d: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                kind: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                q: {
                    let (v, fsz) = {
                        let mut buf = [0u8; 16];
                        let sz = xdr_codec::unpack_opaque_array(input, &mut buf[..], 16)?;
                        (buf, sz)
                    };
                    sz += fsz;
                    v
                },
                fixed: {
                    let (v, fsz) = {
                        let mut buf = [0u8; 12];
                        let sz = xdr_codec::unpack_opaque_array(input, &mut buf[..], 12)?;
                        (buf, sz)
                    };
                    sz += fsz;
                    v
                },
                label: {
                    let (v, fsz) = xdr_codec::unpack_string(input, Some(64))?;
                    sz += fsz;
                    v
                },
                data: {
                    let (v, fsz) = xdr_codec::unpack_opaque_flex(input, Some(64))?;
                    sz += fsz;
                    v
                },
                maybe: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
            },
            sz,
        ))
    }
}

/// `struct entry`, as xdrgen emits it (a recursive `Option<Box<_>>`).
#[derive(Debug, PartialEq, Clone)]
pub(crate) struct Entry {
    pub(crate) cookie: u64,
    pub(crate) name: String,
    pub(crate) nextentry: Option<Box<Entry>>,
}

impl<Out: Write> Pack<Out> for Entry {
    fn pack(&self, out: &mut Out) -> xdr_codec::Result<usize> {
        Ok(self.cookie.pack(out)?
            + xdr_codec::pack_string(&self.name, Some(255), out)?
            + self.nextentry.pack(out)?)
    }
}

impl<In: Read> Unpack<In> for Entry {
    fn unpack(input: &mut In) -> xdr_codec::Result<(Entry, usize)> {
        let mut sz = 0;
        Ok((
            Entry {
                cookie: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                name: {
                    let (v, fsz) = xdr_codec::unpack_string(input, Some(255))?;
                    sz += fsz;
                    v
                },
                nextentry: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
            },
            sz,
        ))
    }
}

/// `struct dirlist`, as xdrgen emits it.
#[derive(Debug, PartialEq, Clone)]
pub(crate) struct DirList {
    pub(crate) entries: Option<Box<Entry>>,
    pub(crate) eof: bool,
}

impl<Out: Write> Pack<Out> for DirList {
    fn pack(&self, out: &mut Out) -> xdr_codec::Result<usize> {
        Ok(self.entries.pack(out)? + self.eof.pack(out)?)
    }
}

impl<In: Read> Unpack<In> for DirList {
    fn unpack(input: &mut In) -> xdr_codec::Result<(DirList, usize)> {
        let mut sz = 0;
        Ok((
            DirList {
                entries: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
                eof: {
                    let (v, fsz) = Unpack::unpack(input)?;
                    sz += fsz;
                    v
                },
            },
            sz,
        ))
    }
}

/// `typedef int intarray<1000>;`, as xdrgen emits it (a newtype).
#[derive(Debug, Eq, PartialEq, Clone)]
pub(crate) struct IntArray(pub(crate) Vec<i32>);

impl<Out: Write> Pack<Out> for IntArray {
    fn pack(&self, out: &mut Out) -> xdr_codec::Result<usize> {
        xdr_codec::pack_flex(&self.0, Some(1000), out)
    }
}

impl<In: Read> Unpack<In> for IntArray {
    fn unpack(input: &mut In) -> xdr_codec::Result<(IntArray, usize)> {
        let (v, usz) = xdr_codec::unpack_flex(input, Some(1000))?;
        Ok((IntArray(v), usz))
    }
}

/// `typedef int intlist<>;`
#[derive(Debug, Eq, PartialEq, Clone)]
pub(crate) struct IntList(pub(crate) Vec<i32>);

impl<Out: Write> Pack<Out> for IntList {
    fn pack(&self, out: &mut Out) -> xdr_codec::Result<usize> {
        xdr_codec::pack_flex(&self.0, None, out)
    }
}

impl<In: Read> Unpack<In> for IntList {
    fn unpack(input: &mut In) -> xdr_codec::Result<(IntList, usize)> {
        let (v, usz) = xdr_codec::unpack_flex(input, None)?;
        Ok((IntList(v), usz))
    }
}

/// `typedef opaque blob<>;`
#[derive(Debug, Eq, PartialEq, Clone)]
pub(crate) struct Blob(pub(crate) Vec<u8>);

impl<Out: Write> Pack<Out> for Blob {
    fn pack(&self, out: &mut Out) -> xdr_codec::Result<usize> {
        xdr_codec::pack_opaque_flex(&self.0, None, out)
    }
}

impl<In: Read> Unpack<In> for Blob {
    fn unpack(input: &mut In) -> xdr_codec::Result<(Blob, usize)> {
        let (v, usz) = xdr_codec::unpack_opaque_flex(input, None)?;
        Ok((Blob(v), usz))
    }
}
