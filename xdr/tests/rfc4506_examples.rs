//! Known answers from RFC 4506: the `file` example of section 7, byte for
//! byte, plus the encodings the text of section 4 spells out.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

use xdr::{
    ByteString, Decode, Decoder, Encode, Encoder, Error, Opaque, Result, from_slice, to_vec,
};

const MAXUSERNAME: u32 = 32;
const MAXFILELEN: u32 = 65535;
const MAXNAMELEN: u32 = 255;

/// `enum filekind { TEXT = 0, DATA = 1, EXEC = 2 };` and
/// `union filetype switch (filekind kind) { case TEXT: void;
///  case DATA: string creator<MAXNAMELEN>; case EXEC: string interpretor<MAXNAMELEN>; };`
#[derive(Debug, PartialEq)]
enum FileType {
    Text,
    Data(ByteString<MAXNAMELEN>),
    Exec(ByteString<MAXNAMELEN>),
}

impl Encode for FileType {
    fn encoded_len(&self) -> usize {
        4 + match self {
            FileType::Text => 0,
            FileType::Data(s) | FileType::Exec(s) => s.encoded_len(),
        }
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        match self {
            FileType::Text => {
                enc.put_i32(0);
                Ok(())
            }
            FileType::Data(creator) => {
                enc.put_i32(1);
                creator.encode(enc)
            }
            FileType::Exec(interpretor) => {
                enc.put_i32(2);
                interpretor.encode(enc)
            }
        }
    }
}

impl<'de> Decode<'de> for FileType {
    const MIN_ENCODED_LEN: usize = 4;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        match dec.read_i32()? {
            0 => Ok(FileType::Text),
            1 => Ok(FileType::Data(dec.read()?)),
            2 => Ok(FileType::Exec(dec.read()?)),
            other => Err(dec.invalid_enum("filekind", other)),
        }
    }
}

/// `struct file { string filename<MAXNAMELEN>; filetype type;
///  string owner<MAXUSERNAME>; opaque data<MAXFILELEN>; };`
#[derive(Debug, PartialEq)]
struct File {
    filename: ByteString<MAXNAMELEN>,
    kind: FileType,
    owner: ByteString<MAXUSERNAME>,
    data: Opaque<MAXFILELEN>,
}

impl Encode for File {
    fn encoded_len(&self) -> usize {
        self.filename.encoded_len()
            + self.kind.encoded_len()
            + self.owner.encoded_len()
            + self.data.encoded_len()
    }
    fn encode(&self, enc: &mut Encoder<'_>) -> Result<()> {
        self.filename.encode(enc)?;
        self.kind.encode(enc)?;
        self.owner.encode(enc)?;
        self.data.encode(enc)
    }
}

impl<'de> Decode<'de> for File {
    const MIN_ENCODED_LEN: usize = 16;
    fn decode(dec: &mut Decoder<'de>) -> Result<Self> {
        Ok(File { filename: dec.read()?, kind: dec.read()?, owner: dec.read()?, data: dec.read()? })
    }
}

/// RFC 4506 section 7: the file "sillyprog", a Lisp program owned by john
/// whose data is "(quit)".
const SILLYPROG: [u8; 48] = [
    0x00, 0x00, 0x00, 0x09, // length of filename = 9
    0x73, 0x69, 0x6c, 0x6c, // filename characters
    0x79, 0x70, 0x72, 0x6f, // ... and more characters ...
    0x67, 0x00, 0x00, 0x00, // ... and 3 zero-bytes of fill
    0x00, 0x00, 0x00, 0x02, // filekind is EXEC = 2
    0x00, 0x00, 0x00, 0x04, // length of interpretor = 4
    0x6c, 0x69, 0x73, 0x70, // interpretor characters
    0x00, 0x00, 0x00, 0x04, // length of owner = 4
    0x6a, 0x6f, 0x68, 0x6e, // owner characters
    0x00, 0x00, 0x00, 0x06, // length of file data = 6
    0x28, 0x71, 0x75, 0x69, // file data bytes ...
    0x74, 0x29, 0x00, 0x00, // ... and 2 zero-bytes of fill
];

fn sillyprog() -> File {
    File {
        filename: ByteString::try_from("sillyprog").unwrap(),
        kind: FileType::Exec(ByteString::try_from("lisp").unwrap()),
        owner: ByteString::try_from("john").unwrap(),
        data: Opaque::try_from(&b"(quit)"[..]).unwrap(),
    }
}

#[test]
fn section_7_file_example_encodes_byte_for_byte() {
    let file = sillyprog();
    assert_eq!(file.encoded_len(), 48);
    assert_eq!(to_vec(&file).unwrap(), SILLYPROG);
}

#[test]
fn section_7_file_example_decodes() {
    assert_eq!(from_slice::<File>(&SILLYPROG).unwrap(), sillyprog());
}

#[test]
fn section_7_filename_over_its_bound_is_refused() {
    let long = ByteString::<MAXNAMELEN>::try_from(&[b'x'; 256][..]);
    assert_eq!(long, Err(Error::ValueOverBound { len: 256, max: 255 }));
}

#[test]
fn section_4_encodings() {
    // 4.1: -1 is 0xFFFFFFFF; 4.4: TRUE is 1; 4.5: hyper is 8 bytes, big-endian.
    assert_eq!(to_vec(&-1i32).unwrap(), [0xff; 4]);
    assert_eq!(to_vec(&true).unwrap(), [0, 0, 0, 1]);
    assert_eq!(to_vec(&0x0102_0304_0506_0708i64).unwrap(), [1, 2, 3, 4, 5, 6, 7, 8]);
    // 4.6/4.7: IEEE single and double precision, sign bit first.
    assert_eq!(to_vec(&-0.0f32).unwrap(), [0x80, 0, 0, 0]);
    assert_eq!(to_vec(&f64::INFINITY).unwrap(), [0x7f, 0xf0, 0, 0, 0, 0, 0, 0]);
    // 4.9: fixed opaque of 3 bytes takes one unit with one zero of fill.
    assert_eq!(to_vec(&[7u8, 8, 9]).unwrap(), [7, 8, 9, 0]);
    // 4.10: variable opaque is a length, the bytes and fill.
    assert_eq!(
        to_vec(&Opaque::<8>::new(vec![1, 2, 3, 4, 5]).unwrap()).unwrap(),
        [0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0]
    );
    // 4.13: a variable array of 2 ints is a count then the elements.
    assert_eq!(
        to_vec(&xdr::VarArray::<i32, 4>::new(vec![1, -1]).unwrap()).unwrap(),
        [0, 0, 0, 2, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]
    );
    // 4.19: optional-data is a bool then the value.
    assert_eq!(to_vec(&Some(3u32)).unwrap(), [0, 0, 0, 1, 0, 0, 0, 3]);
}
