//! Call and reply messages for exchanges made outside a [`clnt::Client`]:
//! the broadcast, which sends one datagram to many portmappers and reads
//! many replies, and clients that drive their own sockets (rpcinfo's
//! libtirpc-faithful UDP client). Errors are [`clnt::Error`]s, meaning
//! what they mean for a `Client`'s calls.

use clnt::{Auth, Error};
use rpc::{CallHeader, OpaqueAuth, RPC_VERSION};
use xdr::{Encode, Encoder};

pub use clnt::xid_seed;

/// The encoded call message (no record mark) of procedure `proc_num` of
/// `prog` version `vers`, transaction `xid`, with `auth`'s credentials
/// and `args`. [`Error::CantEncodeArgs`] when the arguments or the
/// credentials break their bounds.
pub fn encode_call<A: Encode + ?Sized>(
    xid: u32,
    (prog, vers, proc_num): (u32, u32, u32),
    auth: &Auth,
    args: &A,
) -> Result<Vec<u8>, Error> {
    let (flavor, body) = auth.credential().map_err(Error::CantEncodeArgs)?;
    let header = CallHeader {
        xid,
        rpcvers: RPC_VERSION,
        prog,
        vers,
        proc_num,
        cred: OpaqueAuth { flavor, body: &body },
        verf: OpaqueAuth::NONE,
    };
    let mut message = Vec::with_capacity(header.encoded_len() + args.encoded_len());
    let mut enc = Encoder::new(&mut message);
    header.encode(&mut enc).map_err(Error::CantEncodeArgs)?;
    args.encode(&mut enc).map_err(Error::CantEncodeArgs)?;
    Ok(message)
}

/// The encoded results of a reply that was accepted and succeeded (they
/// borrow from `message`), or the error the reply reports:
/// [`Error::MalformedReply`] when it is not a reply at all.
pub fn reply_results(message: &[u8]) -> Result<&[u8], Error> {
    clnt::accepted_results(message).map(|(_verifier, results)| results)
}

#[cfg(test)]
mod tests {
    use rpc::{AcceptStat, AuthFlavor, RejectedReply, ReplyHeader};

    use super::*;

    #[test]
    fn calls_carry_the_credentials() {
        let auth = Auth::sys("node", 7, 8, &[9]).unwrap();
        let message = encode_call(5, (100_000, 3, 5), &auth, &42u32).unwrap();
        let (call, args) = CallHeader::decode_with_args(&message).unwrap();
        assert_eq!((call.xid, call.prog, call.vers, call.proc_num), (5, 100_000, 3, 5));
        assert_eq!(call.cred.flavor, AuthFlavor::SYS);
        assert_eq!(args, 42u32.to_be_bytes());
        let none = encode_call(6, (1, 2, 0), &Auth::None, &()).unwrap();
        assert_eq!(CallHeader::decode_with_args(&none).unwrap().0.cred, OpaqueAuth::NONE);
    }

    #[test]
    fn replies_map_to_client_errors() {
        let mut mismatch = Vec::new();
        let header = ReplyHeader::accepted(7, AcceptStat::ProgMismatch { low: 2, high: 3 });
        xdr::append(&header, &mut mismatch).unwrap();
        assert!(matches!(
            reply_results(&mismatch),
            Err(Error::ProgVersMismatch { low: 2, high: 3 })
        ));
        let mut ok = Vec::new();
        xdr::append(&ReplyHeader::accepted(7, AcceptStat::Success), &mut ok).unwrap();
        xdr::append(&42u32, &mut ok).unwrap();
        assert_eq!(reply_results(&ok).unwrap(), 42u32.to_be_bytes());
        assert!(matches!(reply_results(&ok[..8]), Err(Error::MalformedReply(_))));
        let denied = ReplyHeader::denied(7, RejectedReply::AuthError(rpc::AuthStat::TooWeak));
        let denied = xdr::to_vec(&denied).unwrap();
        assert!(matches!(reply_results(&denied), Err(Error::AuthError(rpc::AuthStat::TooWeak))));
    }
}
