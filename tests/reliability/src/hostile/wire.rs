//! Hand-built ONC RPC messages (RFC 5531) and record marks, well formed or
//! not, and the reading of replies: what the hostile clients send and what
//! the good client checks. Written by hand, not with our codecs, so that
//! the bytes are exactly the ones meant, lies included.

use std::io::{self, Read};

/// `msg_type` of a reply.
const REPLY: u32 = 1;
/// The AUTH_SYS flavor.
pub const AUTH_SYS: u32 = 1;
/// A length that claims a gigabyte (CVE-2017-8779 sent such lengths).
pub const GIGABYTE: u32 = 1 << 30;
/// The "last fragment" bit of a record mark.
pub const LAST: u32 = 0x8000_0000;

/// XDR items appended to a buffer, builder style.
#[derive(Debug, Default, Clone)]
pub struct Xdr(Vec<u8>);

impl Xdr {
    /// An empty buffer.
    pub fn new() -> Xdr {
        Xdr(Vec::new())
    }

    /// Appends an unsigned int.
    pub fn u32(mut self, v: u32) -> Xdr {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends an unsigned hyper.
    pub fn u64(mut self, v: u64) -> Xdr {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends variable-length opaque data (or a string): its length, the
    /// bytes, the padding.
    pub fn opaque(mut self, bytes: &[u8]) -> Xdr {
        self = self.u32(bytes.len() as u32);
        self.0.extend_from_slice(bytes);
        self.0.resize(self.0.len().next_multiple_of(4), 0);
        self
    }

    /// Appends a length word claiming `len` items followed by only
    /// `follow`: the lie of the "rpcbomb".
    pub fn claim(mut self, len: u32, follow: &[u8]) -> Xdr {
        self = self.u32(len);
        self.0.extend_from_slice(follow);
        self
    }

    /// Appends raw bytes.
    pub fn raw(mut self, bytes: &[u8]) -> Xdr {
        self.0.extend_from_slice(bytes);
        self
    }

    /// The bytes.
    pub fn bytes(self) -> Vec<u8> {
        self.0
    }
}

/// AUTH_NONE credentials and verifier, encoded.
pub fn auth_none() -> Vec<u8> {
    vec![0; 16]
}

/// A call message: `auth` is the encoded credentials and verifier.
pub fn call(xid: u32, prog: u32, vers: u32, proc_num: u32, auth: &[u8], args: &[u8]) -> Vec<u8> {
    Xdr::new().u32(xid).u32(0).u32(2).u32(prog).u32(vers).u32(proc_num).raw(auth).raw(args).bytes()
}

/// A call message with AUTH_NONE.
pub fn plain_call(xid: u32, prog: u32, vers: u32, proc_num: u32, args: &[u8]) -> Vec<u8> {
    call(xid, prog, vers, proc_num, &auth_none(), args)
}

/// `message` as one record: a last fragment.
pub fn record(message: &[u8]) -> Vec<u8> {
    Xdr::new().u32(LAST | message.len() as u32).raw(message).bytes()
}

/// Credentials and verifiers that claim about a gigabyte somewhere, each
/// encoded as the `auth` of [`call`]: the credential body, AUTH_SYS's
/// machine name and its group list, the verifier body.
pub fn auth_claims() -> Vec<Vec<u8>> {
    let sys_body = |body: Xdr| {
        let mut body = body.bytes();
        body.resize(400, 0);
        Xdr::new().u32(AUTH_SYS).opaque(&body).u32(0).u32(0).bytes()
    };
    vec![
        // opaque_auth body<400> claiming 1 GiB.
        Xdr::new().u32(AUTH_SYS).claim(GIGABYTE, &[0; 64]).u32(0).u32(0).bytes(),
        // AUTH_SYS machinename<255> claiming 1 GiB, inside a legal body.
        sys_body(Xdr::new().u32(1).claim(GIGABYTE, b"host")),
        // AUTH_SYS gids<16> claiming 2^30 groups.
        sys_body(Xdr::new().u32(1).opaque(b"host").u32(0).u32(0).claim(GIGABYTE, &[0; 16])),
        // The verifier's body claiming 1 GiB.
        Xdr::new().u32(0).u32(0).u32(0).claim(GIGABYTE, &[0; 64]).bytes(),
    ]
}

/// What a reply says, for the figures: `success`, an accept status
/// (`garbage_args`, ...), a rejection (`auth_error`, `rpc_mismatch`) or
/// `malformed`.
pub fn reply_kind(reply: &[u8]) -> &'static str {
    let w = |i: usize| word(reply, i);
    if w(1) != Some(REPLY) {
        return "malformed";
    }
    match w(2) {
        Some(0) => {
            let verf_words = w(4).map_or(0, |len| len.div_ceil(4) as usize);
            match w(5 + verf_words) {
                Some(0) => "success",
                Some(1) => "prog_unavail",
                Some(2) => "prog_mismatch",
                Some(3) => "proc_unavail",
                Some(4) => "garbage_args",
                Some(5) => "system_err",
                _ => "malformed",
            }
        }
        Some(1) => match w(3) {
            Some(0) => "rpc_mismatch",
            Some(1) => "auth_error",
            _ => "malformed",
        },
        _ => "malformed",
    }
}

/// The results of a successful reply to call `xid`, or what the reply
/// was instead.
pub fn results(reply: &[u8], xid: u32) -> Result<&[u8], String> {
    if word(reply, 0) != Some(xid) {
        return Err(format!("a reply to another call (xid {:?}, not {xid:#x})", word(reply, 0)));
    }
    match reply_kind(reply) {
        "success" => {
            let verf_len = word(reply, 4).unwrap_or(0) as usize;
            Ok(reply.get(24 + verf_len.next_multiple_of(4)..).unwrap_or_default())
        }
        other => Err(format!("{other} instead of success")),
    }
}

/// The `i`th XDR word of `bytes`.
pub fn word(bytes: &[u8], i: usize) -> Option<u32> {
    let b = bytes.get(i * 4..i * 4 + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads one record (all its fragments) of at most `max` bytes.
pub fn read_record(from: &mut impl Read, max: usize) -> io::Result<Vec<u8>> {
    let mut record = Vec::new();
    loop {
        let mut mark = [0; 4];
        from.read_exact(&mut mark)?;
        let mark = u32::from_be_bytes(mark);
        let len = (mark & !LAST) as usize;
        if record.len() + len > max {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "reply record too large"));
        }
        let start = record.len();
        record.resize(start + len, 0);
        from.read_exact(&mut record[start..])?;
        if mark & LAST != 0 {
            return Ok(record);
        }
    }
}

/// A small deterministic generator of garbage (a 64-bit LCG).
#[derive(Debug, Clone)]
pub struct Lcg(pub u64);

impl Lcg {
    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 32) as u32
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.next_u32() as usize % n
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next_u32() >> 24) as u8).collect()
    }

    /// Random bytes, `at_least` plus fewer than `more` of them.
    pub fn some_bytes(&mut self, at_least: usize, more: usize) -> Vec<u8> {
        let n = at_least + self.below(more);
        self.bytes(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_call_is_forty_bytes_and_its_reply_kinds_read() {
        assert_eq!(plain_call(1, 2, 3, 0, &[]).len(), 40);
        let success = Xdr::new().u32(7).u32(1).u32(0).u32(0).u32(0).u32(0).u32(9).bytes();
        assert_eq!(reply_kind(&success), "success");
        assert_eq!(results(&success, 7), Ok(&[0, 0, 0, 9][..]));
        assert!(results(&success, 8).is_err());
        let garbage = Xdr::new().u32(7).u32(1).u32(0).u32(0).u32(0).u32(4).bytes();
        assert_eq!(reply_kind(&garbage), "garbage_args");
        let denied = Xdr::new().u32(7).u32(1).u32(1).u32(1).u32(1).bytes();
        assert_eq!(reply_kind(&denied), "auth_error");
        assert_eq!(Xdr::new().opaque(b"abcde").bytes().len(), 12);
        assert!(auth_claims().iter().all(|a| a.len() > 16));
    }
}
