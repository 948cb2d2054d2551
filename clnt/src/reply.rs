//! Reading a reply message: the results of a successful call, or the
//! error the reply reports, with libtirpc's `clnt_stat` for each outcome.

use std::time::{SystemTime, UNIX_EPOCH};

use rpc::{AcceptStat, OpaqueAuth, RejectedReply, ReplyBody, ReplyHeader};

use crate::error::Error;

/// The verifier and encoded results (both borrowing from `message`) of a
/// reply that was accepted and succeeded, or the error the reply reports:
/// [`Error::MalformedReply`] when it is not a reply at all. For code that
/// sends calls itself, as broadcasts do.
pub fn accepted_results(message: &[u8]) -> Result<(OpaqueAuth<'_>, &[u8]), Error> {
    let (header, results) =
        ReplyHeader::decode_with_results(message).map_err(Error::MalformedReply)?;
    match header.body {
        ReplyBody::Accepted { verf, stat } => match stat {
            AcceptStat::Success => Ok((verf, results)),
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

/// A starting xid unlikely to repeat a previous process's: the clock mixed
/// with the process id, as libtirpc seeds its xids.
pub fn xid_seed() -> u32 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    (now.as_secs() as u32)
        ^ now.subsec_micros().rotate_left(12)
        ^ std::process::id().rotate_left(20)
}
