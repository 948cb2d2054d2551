//! RPC message decoding (`rpc::msg`, RFC 5531 section 9) and
//! authentication (`opaque_auth`, `authsys_parms`, and the server's
//! reading of a call's credential, `svc::Credentials`).
//!
//! Input: byte 0 picks what the rest is decoded as. Every decoder that
//! succeeds must re-encode exactly the bytes it consumed (decoding takes
//! only canonical XDR), and what it returns as "the rest" must be the
//! bytes after them.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run rpc_message` (from the repo root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oncrpc_fuzz::{Bytes, Counting, assert_proportional, measure};
use rpc::msg::{CallHeader, Message, ReplyBody, ReplyHeader, peek_xid};
use rpc::{AcceptStat, AuthFlavor, AuthStat, AuthSysParms, OpaqueAuth, RejectedReply};
use svc::Credentials;
use xdr::{Decode, Decoder, Encode};

#[global_allocator]
static ALLOC: Counting = Counting;

/// Allocation bound: `PER_BYTE * input + FIXED`.
///
/// Headers borrow their authentication bodies from the input; what is
/// allocated is the re-encoding (no longer than the input), the machine
/// name and groups of `authsys_parms` (at most 255 bytes and 16 words,
/// copied from the input), and a credential body copied by
/// `svc::Credentials` (at most 400 bytes): twice the input, or a vector
/// growing to that, plus slack. `FIXED` covers error values and the
/// small fixed-size copies.
const PER_BYTE: usize = 4;
const FIXED: usize = 2048;

/// Re-encodes `value` and checks it is exactly `used`.
fn same_bytes<T: Encode + ?Sized>(value: &T, used: &[u8]) {
    let wire = xdr::to_vec(value).expect("a decoded value encodes");
    assert_eq!(wire.len(), value.encoded_len(), "encoded_len is exact");
    assert!(wire == used, "re-encoding differs from the {} bytes decoded", used.len());
}

/// Decodes one `T` from the front of `data` and checks its round trip.
fn prefix<'a, T: Decode<'a> + Encode>(data: &'a [u8]) -> Option<T> {
    let mut dec = Decoder::new(data);
    let value = T::decode(&mut dec).ok()?;
    same_bytes(&value, &data[..dec.position()]);
    Some(value)
}

fn message(data: &[u8]) {
    let mut dec = Decoder::new(data);
    let Ok(msg) = Message::decode(&mut dec) else {
        assert!(CallHeader::decode_with_args(data).is_err());
        assert!(ReplyHeader::decode_with_results(data).is_err());
        return;
    };
    let used = &data[..dec.position()];
    let rest = dec.remaining();
    assert_eq!(peek_xid(data), Some(msg.xid()));
    match msg {
        Message::Call(call) => {
            same_bytes(&call, used);
            let (again, args) = CallHeader::decode_with_args(data).expect("decoded once");
            assert_eq!(again, call);
            assert_eq!(args, rest);
            assert!(ReplyHeader::decode_with_results(data).is_err());
            // What the server does next with the credential.
            credentials(&call.cred);
        }
        Message::Reply(reply) => {
            same_bytes(&reply, used);
            let (again, results) = ReplyHeader::decode_with_results(data).expect("decoded once");
            assert_eq!(again, reply);
            assert_eq!(results, rest);
            assert!(CallHeader::decode_with_args(data).is_err());
            if let ReplyBody::Denied(RejectedReply::AuthError(stat)) = reply.body {
                assert_eq!(AuthStat::from_u32(stat as u32), Some(stat));
                assert!(!stat.description().is_empty());
            }
        }
    }
}

/// `svc::Credentials` of a credential: AUTH_SYS bodies decode to what
/// `authsys_parms` decodes, every other flavor keeps its body.
fn credentials(cred: &OpaqueAuth<'_>) {
    match Credentials::from_opaque_auth(cred) {
        Ok(creds) => {
            assert_eq!(creds.flavor(), cred.flavor);
            match &creds {
                Credentials::None => assert_eq!(cred.flavor, AuthFlavor::NONE),
                Credentials::Sys(parms) => {
                    let back = prefix::<AuthSysParms>(cred.body).expect("decoded once");
                    assert_eq!(&back, parms);
                }
                Credentials::Short(body) | Credentials::Other { body, .. } => {
                    assert_eq!(body.as_slice(), cred.body)
                }
            }
        }
        Err(stat) => {
            assert_eq!(cred.flavor, AuthFlavor::SYS);
            assert_eq!(stat, AuthStat::BadCred);
            assert!(xdr::Decoder::new(cred.body).read::<AuthSysParms>().is_err());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let pick = input.u8();
    let rest = input.rest();
    let ((), growth) = measure(|| match pick % 8 {
        0..=2 => message(rest),
        3 => {
            if let Some(cred) = prefix::<OpaqueAuth<'_>>(rest) {
                credentials(&cred);
            }
        }
        4 => {
            prefix::<AuthSysParms>(rest);
        }
        5 => {
            prefix::<AcceptStat>(rest);
        }
        6 => {
            prefix::<RejectedReply>(rest);
        }
        _ => {
            prefix::<AuthStat>(rest);
        }
    });
    assert_proportional("rpc_message", growth, data.len(), PER_BYTE, FIXED);
});
