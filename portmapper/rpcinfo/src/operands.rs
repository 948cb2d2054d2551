//! Program, version and port operands, read as rpcinfo reads them:
//! `strtol` with its quirks, C integer conversions included, and program
//! names looked up in `/etc/rpc`.
//!
//! Numbers are kept as C's 64-bit `u_long` ([`u64`]) because that is
//! what rpcinfo prints in some places; calls carry the low 32 bits.

use std::io::Write;

use crate::errors::Exit;
use crate::etc_rpc::RpcNames;

/// `strtol(s, &end, 10)` that must consume all of `s`: leading white
/// space, an optional sign, at least one digit; out-of-range values
/// saturate as `strtol` clamps them.
fn strtol(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits
        .bytes()
        .try_fold(0i128, |n, d| {
            let n = n * 10 + i128::from(d - b'0');
            (n <= i128::from(i64::MAX) + 1).then_some(n)
        })
        .unwrap_or(i128::from(i64::MAX) + 1);
    let value = if negative { -magnitude } else { magnitude };
    Some(value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

/// rpcinfo's `getprognum`: a number, or a name from `/etc/rpc` when the
/// argument does not look like one.
pub(crate) fn prognum(arg: &str, names: &RpcNames, err: &mut dyn Write) -> Result<u64, Exit> {
    let bytes = arg.as_bytes();
    let looks_like_name = match bytes.iter().position(|b| !b.is_ascii_digit()) {
        None => false,
        Some(k) => k + 1 < bytes.len() || bytes[k].is_ascii_alphabetic(),
    };
    if looks_like_name {
        return match names.by_name(arg) {
            // r_number is a C int, widened to u_long.
            Some(ent) => Ok(ent.number as i32 as i64 as u64),
            None => fail(err, &format!("rpcinfo: {arg} is unknown service")),
        };
    }
    match strtol(arg) {
        Some(n) => Ok(n as u64),
        None => fail(err, &format!("rpcinfo: {arg} is illegal program number")),
    }
}

/// rpcinfo's `getvers`: `strtol` cast to `int`, widened to `u_long`.
pub(crate) fn versnum(arg: &str, err: &mut dyn Write) -> Result<u64, Exit> {
    match strtol(arg) {
        Some(n) => Ok(n as i32 as i64 as u64),
        None => fail(err, &format!("rpcinfo: {arg} is illegal version number")),
    }
}

/// The `-n` operand: `strtol` cast to `u_short`.
pub(crate) fn portnum(arg: &str, err: &mut dyn Write) -> Result<u16, Exit> {
    match strtol(arg) {
        Some(n) => Ok(n as u16),
        None => fail(err, &format!("rpcinfo: {arg} is illegal port number")),
    }
}

fn fail<T>(err: &mut dyn Write, message: &str) -> Result<T, Exit> {
    let _ = writeln!(err, "{message}");
    Err(Exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> RpcNames {
        RpcNames::parse("portmapper 100000 sunrpc\nnfs 100003\n1a 77\n")
    }

    fn prog(arg: &str) -> Result<u64, String> {
        let mut err = Vec::new();
        prognum(arg, &names(), &mut err).map_err(|_| String::from_utf8(err).unwrap())
    }

    #[test]
    fn program_numbers_and_names() {
        assert_eq!(prog("100000"), Ok(100000));
        assert_eq!(prog("sunrpc"), Ok(100000));
        assert_eq!(prog("1a"), Ok(77));
        assert_eq!(prog("99999999999999999999"), Ok(i64::MAX as u64));
        assert_eq!(prog("xyz"), Err("rpcinfo: xyz is unknown service\n".into()));
        assert_eq!(prog("12-"), Err("rpcinfo: 12- is illegal program number\n".into()));
        assert_eq!(prog(""), Err("rpcinfo:  is illegal program number\n".into()));
        assert_eq!(prog("-5"), Err("rpcinfo: -5 is unknown service\n".into()));
    }

    #[test]
    fn versions_are_c_ints() {
        let mut err = Vec::new();
        assert_eq!(versnum("3", &mut err), Ok(3));
        assert_eq!(versnum(" +4", &mut err), Ok(4));
        assert_eq!(versnum("4294967295", &mut err), Ok(u64::MAX));
        assert_eq!(versnum("-1", &mut err), Ok(u64::MAX));
        assert!(err.is_empty());
        assert_eq!(versnum("1x", &mut err), Err(Exit));
        assert_eq!(err, b"rpcinfo: 1x is illegal version number\n");
    }

    #[test]
    fn ports_are_c_shorts() {
        let mut err = Vec::new();
        assert_eq!(portnum("111", &mut err), Ok(111));
        assert_eq!(portnum("65536", &mut err), Ok(0));
        assert_eq!(portnum("abc", &mut err), Err(Exit));
        assert_eq!(err, b"rpcinfo: abc is illegal port number\n");
    }
}
