//! Calls over UDP the way libtirpc's `clnt_dg` makes them: a refused
//! datagram (ICMP port unreachable) fails the call at once with
//! `RPC_CANTRECV`, where a resending client would wait for its timeout.
//! The messages are the portmapper library's ([`portmapper::message`]).

use std::cell::Cell;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use clnt::Auth;
use portmapper::message::{encode_call, reply_results, xid_seed};
use xdr::{DecodeOwned, Decoder, Encode};

use crate::errors::{RpcErr, Stat};

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
        let message = encode_call(xid, (prog, vers, proc_num), &Auth::None, args)?;
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

/// The results of a reply, or the error it reports.
fn decode_reply<R: DecodeOwned>(message: &[u8]) -> Result<R, RpcErr> {
    let results = reply_results(message)?;
    Decoder::new(results).read().map_err(|_| RpcErr::new(Stat::CantDecodeRes))
}

fn os_err(stat: Stat, e: &io::Error) -> RpcErr {
    RpcErr::errno(stat, e.raw_os_error().unwrap_or(0))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rpc::{AcceptStat, ReplyHeader};

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
