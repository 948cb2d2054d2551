//! Calls over UDP the way libtirpc's `clnt_dg` makes them: a refused
//! datagram (ICMP port unreachable) fails the call at once with
//! `RPC_CANTRECV`, where a resending client would wait for its timeout;
//! and the call and reply codecs the broadcast shares.

use std::cell::Cell;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rpc::{AcceptStat, CallHeader, OpaqueAuth, RPC_VERSION, RejectedReply, ReplyBody, ReplyHeader};
use xdr::{DecodeOwned, Decoder, Encode, Encoder};

use crate::errors::{Detail, RpcErr, Stat};

/// libtirpc's datagram resend interval.
const RESEND: Duration = Duration::from_secs(15);

/// Largest datagram read.
const MAX_DATAGRAM: usize = 65_535;

/// A UDP client handle: a socket connected to the server.
#[derive(Debug)]
pub(crate) struct Datagram {
    socket: UdpSocket,
    xid: Cell<u32>,
}

impl Datagram {
    /// A socket for the family of `addr`, connected to it.
    pub(crate) fn connect(addr: SocketAddr) -> io::Result<Datagram> {
        let any: SocketAddr = if addr.is_ipv6() {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        } else {
            (Ipv4Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(any)?;
        socket.connect(addr)?;
        Ok(Datagram { socket, xid: Cell::new(xid_seed()) })
    }

    /// Calls `proc_num` of `prog` version `vers`, resending every 15 s
    /// until `timeout`.
    pub(crate) fn call<A, R>(
        &self,
        (prog, vers, proc_num): (u32, u32, u32),
        args: &A,
        timeout: Duration,
    ) -> Result<R, RpcErr>
    where
        A: Encode + ?Sized,
        R: DecodeOwned,
    {
        let xid = self.xid.get();
        self.xid.set(xid.wrapping_add(1));
        let message = encode_call(xid, (prog, vers, proc_num), OpaqueAuth::NONE, args)?;
        let deadline = Instant::now() + timeout;
        let mut buf = vec![0; MAX_DATAGRAM];
        loop {
            self.socket.send(&message).map_err(|e| os_err(Stat::CantSend, &e))?;
            let resend = (Instant::now() + RESEND).min(deadline);
            loop {
                let now = Instant::now();
                if now >= resend {
                    break;
                }
                self.socket
                    .set_read_timeout(Some(resend - now))
                    .map_err(|e| os_err(Stat::CantRecv, &e))?;
                match self.socket.recv(&mut buf) {
                    Ok(n) if rpc::msg::peek_xid(&buf[..n]) == Some(xid) => {
                        return decode_reply(&buf[..n]);
                    }
                    Ok(_) => {}
                    Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(os_err(Stat::CantRecv, &e)),
                }
            }
            if Instant::now() >= deadline {
                return Err(RpcErr::new(Stat::TimedOut));
            }
        }
    }
}

/// The encoded call message (no record mark).
pub(crate) fn encode_call<A: Encode + ?Sized>(
    xid: u32,
    (prog, vers, proc_num): (u32, u32, u32),
    cred: OpaqueAuth<'_>,
    args: &A,
) -> Result<Vec<u8>, RpcErr> {
    let header = CallHeader {
        xid,
        rpcvers: RPC_VERSION,
        prog,
        vers,
        proc_num,
        cred,
        verf: OpaqueAuth::NONE,
    };
    let mut message = Vec::with_capacity(header.encoded_len() + args.encoded_len());
    let mut enc = Encoder::new(&mut message);
    header
        .encode(&mut enc)
        .and_then(|()| args.encode(&mut enc))
        .map_err(|_| RpcErr::new(Stat::CantEncodeArgs))?;
    Ok(message)
}

/// The results of a reply, or the error it reports.
pub(crate) fn decode_reply<R: DecodeOwned>(message: &[u8]) -> Result<R, RpcErr> {
    let (header, results) =
        ReplyHeader::decode_with_results(message).map_err(|_| RpcErr::new(Stat::CantDecodeRes))?;
    let vers = |stat, low, high| RpcErr { stat, detail: Detail::Vers { low, high } };
    match header.body {
        ReplyBody::Accepted { stat, .. } => match stat {
            AcceptStat::Success => {
                Decoder::new(results).read().map_err(|_| RpcErr::new(Stat::CantDecodeRes))
            }
            AcceptStat::ProgUnavail => Err(RpcErr::new(Stat::ProgUnavail)),
            AcceptStat::ProgMismatch { low, high } => Err(vers(Stat::ProgVersMismatch, low, high)),
            AcceptStat::ProcUnavail => Err(RpcErr::new(Stat::ProcUnavail)),
            AcceptStat::GarbageArgs => Err(RpcErr::new(Stat::CantDecodeArgs)),
            AcceptStat::SystemErr => Err(RpcErr::new(Stat::SystemError)),
        },
        ReplyBody::Denied(RejectedReply::RpcMismatch { low, high }) => {
            Err(vers(Stat::VersMismatch, low, high))
        }
        ReplyBody::Denied(RejectedReply::AuthError(why)) => {
            Err(RpcErr { stat: Stat::AuthError, detail: Detail::Auth(why) })
        }
    }
}

/// A first xid from the clock and the process id, as libtirpc seeds it.
pub(crate) fn xid_seed() -> u32 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    (now.as_secs() as u32) ^ now.subsec_micros() ^ std::process::id().rotate_left(16)
}

fn os_err(stat: Stat, e: &io::Error) -> RpcErr {
    RpcErr::errno(stat, e.raw_os_error().unwrap_or(0))
}

pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_map_to_libtirpc_statuses() {
        let mut reply = Vec::new();
        xdr::append(
            &ReplyHeader::accepted(7, AcceptStat::ProgMismatch { low: 2, high: 3 }),
            &mut reply,
        )
        .unwrap();
        let err = decode_reply::<()>(&reply).unwrap_err();
        assert_eq!(err.stat, Stat::ProgVersMismatch);
        assert_eq!(err.vers(), (2, 3));

        let mut ok = Vec::new();
        xdr::append(&ReplyHeader::accepted(7, AcceptStat::Success), &mut ok).unwrap();
        xdr::append(&42u32, &mut ok).unwrap();
        assert_eq!(decode_reply::<u32>(&ok), Ok(42));
        assert_eq!(decode_reply::<u32>(&ok[..8]).unwrap_err().stat, Stat::CantDecodeRes);
    }
}
