//! Call and reply messages for exchanges made outside a [`clnt::Client`]:
//! the broadcast, which sends one datagram to many portmappers and reads
//! many replies, and clients that drive their own sockets (rpcinfo's
//! libtirpc-faithful UDP client). Errors are [`clnt::Error`]s, meaning
//! what they mean for a `Client`'s calls.

use std::time::{SystemTime, UNIX_EPOCH};

use clnt::{Auth, Error};
use rpc::auth::MAX_AUTH_BYTES;
use rpc::{
    AcceptStat, AuthFlavor, CallHeader, OpaqueAuth, RPC_VERSION, RejectedReply, ReplyBody,
    ReplyHeader,
};
use xdr::{Encode, Encoder};

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
    let (flavor, body) = match auth {
        Auth::Sys(parms) => (AuthFlavor::SYS, xdr::to_vec(parms).map_err(Error::CantEncodeArgs)?),
        Auth::None => (AuthFlavor::NONE, Vec::new()),
    };
    if body.len() > MAX_AUTH_BYTES as usize {
        let over = xdr::Error::ValueOverBound { len: body.len(), max: MAX_AUTH_BYTES };
        return Err(Error::CantEncodeArgs(over));
    }
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
    let (header, results) =
        ReplyHeader::decode_with_results(message).map_err(Error::MalformedReply)?;
    match header.body {
        ReplyBody::Accepted { stat, .. } => match stat {
            AcceptStat::Success => Ok(results),
            AcceptStat::ProgUnavail => Err(Error::ProgUnavail),
            AcceptStat::ProgMismatch { low, high } => Err(Error::ProgVersMismatch { low, high }),
            AcceptStat::ProcUnavail => Err(Error::ProcUnavail),
            AcceptStat::GarbageArgs => Err(Error::CantDecodeArgs),
            AcceptStat::SystemErr => Err(Error::SystemError),
        },
        ReplyBody::Denied(RejectedReply::RpcMismatch { low, high }) => {
            Err(Error::VersMismatch { low, high })
        }
        ReplyBody::Denied(RejectedReply::AuthError(why)) => Err(Error::AuthError(why)),
    }
}

/// A first xid from the clock and the process id, as libtirpc seeds its
/// xids, so that a new process is unlikely to reuse its predecessor's.
pub fn xid_seed() -> u32 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    (now.as_secs() as u32) ^ now.subsec_micros() ^ std::process::id().rotate_left(16)
}

#[cfg(test)]
mod tests {
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
