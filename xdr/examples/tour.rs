//! A tour of the XDR codec: RFC 4506's `file` example encoded by hand,
//! decoded without copying, and a CVE-2017-8779-style hostile claim refused.
//!
//! Run with `cargo run -p xdr --example tour`.

#![allow(clippy::print_stdout)] // An example prints what it shows.

use xdr::{ByteStr, ByteString, Decoder, Encoder, Opaque, OpaqueRef, VarArray, from_slice};

fn main() -> Result<(), xdr::Error> {
    // RFC 4506 section 7: file "sillyprog", kind EXEC, interpreter "lisp",
    // owner "john", data "(quit)". Field by field, as generated code does it.
    let filename = ByteString::<255>::try_from("sillyprog")?;
    let interpreter = ByteString::<255>::try_from("lisp")?;
    let owner = ByteString::<32>::try_from("john")?;
    let data = Opaque::<65535>::try_from(&b"(quit)"[..])?;

    let mut wire = Vec::new();
    let mut enc = Encoder::new(&mut wire);
    enc.put(&filename)?;
    enc.put_i32(2); // filekind EXEC
    enc.put(&interpreter)?;
    enc.put(&owner)?;
    enc.put(&data)?;
    println!("RFC 4506 section 7 example, {} bytes:", wire.len());
    for word in wire.chunks(4) {
        let text: String =
            word.iter().map(|&b| if b.is_ascii_graphic() { b as char } else { '.' }).collect();
        println!("  {:02x?}  {text}", word);
    }

    // Borrowed decode: the strings and data point into `wire`, nothing is copied.
    let mut dec = Decoder::new(&wire);
    let name: ByteStr<'_, 255> = dec.read()?;
    let kind: i32 = dec.read()?;
    let interp: ByteStr<'_, 255> = dec.read()?;
    let who: ByteStr<'_, 32> = dec.read()?;
    let bytes: OpaqueRef<'_, 65535> = dec.read()?;
    dec.finish()?;
    println!("decoded: {name:?} kind {kind} interpreter {interp:?} owner {who:?} data {bytes:?}");

    // CVE-2017-8779 ("rpcbomb"): a few bytes claiming a 4 GiB array. The
    // claim is checked against the input before anything is allocated.
    let hostile = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
    match from_slice::<VarArray<ByteString>>(&hostile) {
        Ok(_) => println!("hostile input decoded (this is a bug)"),
        Err(e) => println!("hostile input refused: {e}"),
    }
    Ok(())
}
