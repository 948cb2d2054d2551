//! Reading one datagram that may answer a broadcast's calls: which call
//! it answers (by xid), whether the program succeeded, and where the
//! program listens. Anything else - another xid, an error reply, a reply
//! that does not decode, an address of the wrong family - is no answer.
//! Decoding is bounded by the datagram: nothing is allocated beyond the
//! bytes received.

use std::net::SocketAddr;

use xdr::{ByteString, Decoder};

use super::Protocol;
use crate::message;
use crate::proto::pmap_prot::CallResult;
use crate::proto::rpcb_prot::RpcbRmtcallres;

/// A successful answer, its results still encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// The call it answers.
    pub(crate) protocol: Protocol,
    /// Where the program called listens.
    pub(crate) service: SocketAddr,
    /// The program's encoded results.
    pub(crate) results: Vec<u8>,
}

/// The answer `message`, received from `from`, gives to one of the calls
/// of `protocols` sent with xids counted from `xid`.
pub(crate) fn read(
    message: &[u8],
    from: SocketAddr,
    xid: u32,
    protocols: &[Protocol],
) -> Option<Reply> {
    let answered = rpc::msg::peek_xid(message)?;
    let protocol = protocols.iter().copied().find(|p| p.xid(xid) == answered)?;
    let mut results = Decoder::new(message::reply_results(message).ok()?);
    match protocol {
        Protocol::Portmap2 => {
            let answer: CallResult = results.read().ok()?;
            // portmap v2 speaks of IPv4 alone, and of ports as C's u_short.
            let mut service = from;
            service.set_port(answer.port as u16);
            from.is_ipv4().then(|| Reply { protocol, service, results: answer.res.into_inner() })
        }
        Protocol::Rpcbind3 | Protocol::Rpcbind4 => {
            let answer: RpcbRmtcallres = results.read().ok()?;
            let service = service_at(&answer.addr, from)?;
            Some(Reply { protocol, service, results: answer.results.into_inner() })
        }
    }
}

/// The socket address of universal address `uaddr` in an answer from
/// `from`: of `from`'s family; or, for an IPv6 address in an answer over
/// IPv4 (some rpcbinds give one), the port at `from`'s address, as
/// libtirpc patches it.
fn service_at(uaddr: &ByteString, from: SocketAddr) -> Option<SocketAddr> {
    let text = std::str::from_utf8(uaddr.as_bytes()).ok()?;
    let service = crate::uaddr::to_socket_addr(text).ok()?;
    match (from.is_ipv6(), service.is_ipv6()) {
        (theirs, ours) if theirs == ours => Some(service),
        (false, true) => Some(SocketAddr::new(from.ip(), service.port())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rpc::{AcceptStat, ReplyHeader};
    use xdr::Opaque;

    const ALL: [Protocol; 3] = [Protocol::Rpcbind3, Protocol::Portmap2, Protocol::Rpcbind4];

    fn reply(xid: u32, stat: AcceptStat, body: &impl xdr::Encode) -> Vec<u8> {
        let mut message = xdr::to_vec(&ReplyHeader::accepted(xid, stat)).unwrap();
        xdr::append(body, &mut message).unwrap();
        message
    }

    fn rpcb(addr: &str, results: &[u8]) -> RpcbRmtcallres {
        RpcbRmtcallres {
            addr: ByteString::try_from(addr).unwrap(),
            results: Opaque::try_from(results).unwrap(),
        }
    }

    fn from(addr: &str) -> SocketAddr {
        addr.parse().unwrap()
    }

    #[test]
    fn each_protocol_by_its_xid() {
        let v3 = reply(100, AcceptStat::Success, &rpcb("10.0.0.2.4.1", b"\0\0\0\x2a"));
        let got = read(&v3, from("10.0.0.2:111"), 100, &ALL).unwrap();
        assert_eq!(got.protocol, Protocol::Rpcbind3);
        assert_eq!((got.service, got.results), (from("10.0.0.2:1025"), vec![0, 0, 0, 42]));
        let v4 = reply(102, AcceptStat::Success, &rpcb("10.0.0.2.4.1", b""));
        assert_eq!(
            read(&v4, from("10.0.0.2:111"), 100, &ALL).unwrap().protocol,
            Protocol::Rpcbind4
        );
        let v2 = CallResult { port: 0x1_0401, res: Opaque::try_from(&b"\0\0\0\x07"[..]).unwrap() };
        let v2 = reply(101, AcceptStat::Success, &v2);
        let got = read(&v2, from("10.0.0.3:111"), 100, &ALL).unwrap();
        assert_eq!((got.protocol, got.service), (Protocol::Portmap2, from("10.0.0.3:1025")));
        // Not sent: not an answer.
        assert_eq!(read(&v2, from("10.0.0.3:111"), 100, &[Protocol::Rpcbind3]), None);
        assert_eq!(read(&v2, from("[fe80::1]:111"), 100, &ALL), None);
    }

    #[test]
    fn addresses_of_the_other_family() {
        let v6 = reply(1, AcceptStat::Success, &rpcb("::1.4.1", b""));
        assert_eq!(
            read(&v6, from("10.0.0.4:111"), 1, &ALL).unwrap().service,
            from("10.0.0.4:1025")
        );
        let v4 = reply(1, AcceptStat::Success, &rpcb("10.0.0.4.4.1", b""));
        assert_eq!(read(&v4, from("[fe80::4]:111"), 1, &ALL), None);
    }

    #[test]
    fn anything_else_is_no_answer() {
        let good = reply(9, AcceptStat::Success, &rpcb("10.0.0.2.4.1", b"abcd"));
        let at = from("10.0.0.2:111");
        assert!(read(&good, at, 9, &ALL).is_some());
        assert_eq!(read(&good, at, 50, &ALL), None, "another xid");
        for cut in 0..good.len() {
            assert_eq!(read(&good[..cut], at, 9, &ALL), None, "cut at {cut}");
        }
        let failed = reply(9, AcceptStat::ProgUnavail, &());
        assert_eq!(read(&failed, at, 9, &ALL), None);
        let bad_addr = reply(9, AcceptStat::Success, &rpcb("host.4.1", b""));
        assert_eq!(read(&bad_addr, at, 9, &ALL), None);
        // Lengths that claim more than the datagram holds.
        let mut huge = xdr::to_vec(&ReplyHeader::accepted(9, AcceptStat::Success)).unwrap();
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xf0, b'x']);
        assert_eq!(read(&huge, at, 9, &ALL), None);
        let mut call = good.clone();
        call[7] = 0;
        assert_eq!(read(&call, at, 9, &ALL), None, "a call, not a reply");
    }
}
