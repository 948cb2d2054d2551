//! Universal addresses and the transport addresses (`netbuf`s holding a
//! `sockaddr`) UADDR2TADDR and TADDR2UADDR convert between, with
//! libtirpc's exact leniency: ports are read with C's `atoi` and
//! truncated to 16 bits, the host part must be a literal address, local
//! addresses are paths, and a `sockaddr`'s family field is never checked
//! (the transport the call arrived on decides).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use portmapper::Netid;
use portmapper::proto::rpcb_prot::Netbuf;
use xdr::Opaque;

/// `AF_LOCAL`, `AF_INET` and `AF_INET6` as Linux numbers them.
const AF_LOCAL: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
/// `sizeof(struct sockaddr_in)`, `sockaddr_in6` and `sockaddr_un`.
const SOCKADDR_IN: usize = 16;
const SOCKADDR_IN6: usize = 28;
const SOCKADDR_UN: usize = 110;
/// The longest path a `sockaddr_un` holds (with its terminating NUL).
const SUN_PATH_MAX: usize = 107;
/// libtirpc's `RPC_MAXDATASIZE`: the largest `maxlen` `xdr_netbuf` takes.
pub const NETBUF_MAX: u32 = 9000;

/// The address family of a transport, which decides how its addresses
/// are read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `udp`, `tcp`.
    Inet,
    /// `udp6`, `tcp6`.
    Inet6,
    /// `local`.
    Local,
}

impl Family {
    /// The family of `netid`.
    pub fn of(netid: Netid) -> Family {
        match netid {
            Netid::Udp | Netid::Tcp => Family::Inet,
            Netid::Udp6 | Netid::Tcp6 => Family::Inet6,
            Netid::Local => Family::Local,
        }
    }
}

/// C's `atoi`: optional leading white space and sign, then digits; stops
/// at the first other byte (0 when there are no digits); wraps on
/// overflow.
fn atoi(s: &[u8]) -> i32 {
    let s = s.trim_ascii_start();
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let value = digits
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i32, |n, d| n.wrapping_mul(10).wrapping_add(i32::from(d - b'0')));
    if negative { value.wrapping_neg() } else { value }
}

/// Splits `host.p1.p2` into the host part and `p1 << 8 | p2`, each
/// octet read by `atoi`, as libtirpc does; `None` without two dots.
fn split_port(uaddr: &[u8]) -> Option<(&[u8], u32)> {
    let lo_at = uaddr.iter().rposition(|&b| b == b'.')?;
    let hi_at = uaddr[..lo_at].iter().rposition(|&b| b == b'.')?;
    let lo = atoi(&uaddr[lo_at + 1..]) as u32;
    let hi = atoi(&uaddr[hi_at + 1..lo_at]) as u32;
    Some((&uaddr[..hi_at], hi.wrapping_shl(8) | lo))
}

/// The port rpcbind's portmap v2 list shows for a universal address: the
/// last two dot-separated fields read by `atoi` as `p1 * 256 + p2`,
/// whatever precedes them. `None` without two dots.
pub fn pmap_port(uaddr: &[u8]) -> Option<u32> {
    let lo_at = uaddr.iter().rposition(|&b| b == b'.')?;
    let hi_at = uaddr[..lo_at].iter().rposition(|&b| b == b'.')?;
    let lo = atoi(&uaddr[lo_at + 1..]);
    let hi = atoi(&uaddr[hi_at + 1..lo_at]);
    Some(hi.wrapping_mul(256).wrapping_add(lo) as u32)
}

/// Reads an IPv4 (`Inet`) or IPv6 (`Inet6`) universal address as
/// libtirpc's `uaddr2taddr` does; `None` for `Local` or when the host part
/// is not a literal address of the family.
pub fn to_socket_addr(family: Family, uaddr: &[u8]) -> Option<SocketAddr> {
    let (host, port) = split_port(uaddr)?;
    let host = std::str::from_utf8(host).ok()?;
    let ip = match family {
        Family::Inet => IpAddr::V4(host.parse::<Ipv4Addr>().ok()?),
        Family::Inet6 => IpAddr::V6(host.parse::<Ipv6Addr>().ok()?),
        Family::Local => return None,
    };
    Some(SocketAddr::new(ip, port as u16))
}

/// The path of a local universal address: an absolute path as it is,
/// anything else with its last two dot-separated fields removed (libtirpc
/// reads them as a port it then ignores), cut at a NUL and at
/// `sun_path`'s size.
fn local_path(uaddr: &[u8]) -> Option<&[u8]> {
    let path = if uaddr.first() == Some(&b'/') { uaddr } else { split_port(uaddr)?.0 };
    let path = path.split(|&b| b == 0).next().unwrap_or_default();
    Some(&path[..path.len().min(SUN_PATH_MAX)])
}

/// UADDR2TADDR: the `netbuf` libtirpc makes of `uaddr` for a transport of
/// `family`, or the empty `netbuf` (`maxlen` 0) when it cannot.
pub fn uaddr2taddr(family: Family, uaddr: &[u8]) -> Netbuf {
    let made = match family {
        Family::Inet | Family::Inet6 => to_socket_addr(family, uaddr).map(sockaddr),
        Family::Local => local_path(uaddr).map(|path| {
            let mut buf = AF_LOCAL.to_ne_bytes().to_vec();
            buf.extend_from_slice(path);
            (SOCKADDR_UN as u32, buf)
        }),
    };
    match made {
        Some((maxlen, buf)) => Netbuf { maxlen, buf: Opaque::new(buf).unwrap_or_default() },
        None => Netbuf::default(),
    }
}

/// `maxlen` and the bytes of a `sockaddr_in` or `sockaddr_in6`, laid out
/// as Linux does (family in host byte order, port in network order).
fn sockaddr(addr: SocketAddr) -> (u32, Vec<u8>) {
    let mut buf = Vec::with_capacity(SOCKADDR_IN6);
    match addr {
        SocketAddr::V4(a) => {
            buf.extend_from_slice(&AF_INET.to_ne_bytes());
            buf.extend_from_slice(&a.port().to_be_bytes());
            buf.extend_from_slice(&a.ip().octets());
            buf.resize(SOCKADDR_IN, 0);
        }
        SocketAddr::V6(a) => {
            buf.extend_from_slice(&AF_INET6.to_ne_bytes());
            buf.extend_from_slice(&a.port().to_be_bytes());
            buf.extend_from_slice(&[0; 4]);
            buf.extend_from_slice(&a.ip().octets());
            buf.resize(SOCKADDR_IN6, 0);
        }
    }
    (buf.len() as u32, buf)
}

/// True when `xdr_netbuf` would have decoded `nb`: `maxlen` at most
/// [`NETBUF_MAX`] and the buffer no longer than `maxlen`. rpcbind answers
/// `GARBAGE_ARGS` otherwise.
pub fn netbuf_is_valid(nb: &Netbuf) -> bool {
    nb.maxlen <= NETBUF_MAX && nb.buf.as_bytes().len() <= nb.maxlen as usize
}

/// TADDR2UADDR: the universal address of the `sockaddr` in `nb`, read as
/// the transport's family whatever its family field says, or `None` when
/// the buffer is too short for one.
pub fn taddr2uaddr(family: Family, nb: &Netbuf) -> Option<Vec<u8>> {
    let buf = nb.buf.as_bytes();
    let port = |b: &[u8]| u16::from_be_bytes([b[2], b[3]]);
    match family {
        Family::Inet if buf.len() >= SOCKADDR_IN => {
            let ip = Ipv4Addr::new(buf[4], buf[5], buf[6], buf[7]);
            let addr = SocketAddr::new(IpAddr::V4(ip), port(buf));
            Some(portmapper::uaddr::from_socket_addr(addr).into_bytes())
        }
        Family::Inet6 if buf.len() >= SOCKADDR_IN6 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&buf[8..24]);
            let addr = SocketAddr::new(IpAddr::V6(Ipv6Addr::from(octets)), port(buf));
            Some(portmapper::uaddr::from_socket_addr(addr).into_bytes())
        }
        Family::Local if buf.len() >= 2 => {
            let path = buf[2..].split(|&b| b == 0).next().unwrap_or_default();
            Some(path.to_vec())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(nb: &Netbuf) -> (u32, String) {
        (nb.maxlen, nb.buf.as_bytes().iter().map(|b| format!("{b:02x}")).collect())
    }

    fn nb(maxlen: u32, bytes: &[u8]) -> Netbuf {
        Netbuf { maxlen, buf: Opaque::new(bytes.to_vec()).unwrap() }
    }

    /// The answers of rpcbind 1.2.6 with libtirpc 1.3.3, observed.
    #[test]
    fn uaddr2taddr_as_rpcbind_answers() {
        let cases: &[(Family, &str, u32, &str)] = &[
            (Family::Inet, "127.0.0.1.0.111", 16, "0200006f7f0000010000000000000000"),
            (Family::Inet, "1.2.3.4.256.1", 16, "02000001010203040000000000000000"),
            (Family::Inet, "1.2.3.4.-1.5", 16, "0200ff05010203040000000000000000"),
            (Family::Inet, "1.2.3.4.x.5", 16, "02000005010203040000000000000000"),
            (Family::Inet, "1.2.3.4. 7.5", 16, "02000705010203040000000000000000"),
            (Family::Inet, "1.2.3.4.0.65536", 16, "02000000010203040000000000000000"),
            (Family::Inet, "1.2.3.4..1", 16, "02000001010203040000000000000000"),
            (Family::Inet, " 1.2.3.4.0.1", 0, ""),
            (Family::Inet, "::1.0.111", 0, ""),
            (Family::Inet, "/a.b.c", 0, ""),
            (Family::Inet, "bogus", 0, ""),
            (
                Family::Inet6,
                "::1.0.111",
                28,
                "0a00006f000000000000000000000000000000000000000100000000",
            ),
            (Family::Inet6, "127.0.0.1.0.111", 0, ""),
            (Family::Local, "/run/x.sock", 110, "01002f72756e2f782e736f636b"),
            (Family::Local, "127.0.0.1.0.111", 110, "01003132372e302e302e31"),
            (Family::Local, "x.y.z", 110, "010078"),
            (Family::Local, "a.b", 0, ""),
            (Family::Local, "", 0, ""),
        ];
        for &(family, uaddr, maxlen, bytes) in cases {
            let got = uaddr2taddr(family, uaddr.as_bytes());
            assert_eq!(hex(&got), (maxlen, bytes.to_owned()), "{family:?} {uaddr:?}");
        }
    }

    #[test]
    fn taddr2uaddr_as_rpcbind_answers() {
        let sin: Vec<u8> = [&[2u8, 0, 0, 111, 127, 0, 0, 1][..], &[0; 8]].concat();
        let mut sin6 = vec![10u8, 0, 0, 111, 0, 0, 0, 0];
        sin6.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        sin6.extend_from_slice(&[0; 4]);
        let sun = [&[1u8, 0][..], b"/run/y.sock", &[0; 5]].concat();
        let s = |f, n: &Netbuf| taddr2uaddr(f, n).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(s(Family::Inet, &nb(16, &sin)).as_deref(), Some("127.0.0.1.0.111"));
        assert_eq!(s(Family::Inet, &nb(16, &sin[..15])), None);
        assert_eq!(s(Family::Inet, &nb(28, &sin6)).as_deref(), Some("0.0.0.0.0.111"));
        assert_eq!(s(Family::Inet6, &nb(28, &sin6)).as_deref(), Some("::1.0.111"));
        assert_eq!(s(Family::Inet6, &nb(28, &sin6[..27])), None);
        assert_eq!(s(Family::Inet6, &nb(16, &sin)), None);
        assert_eq!(s(Family::Local, &nb(110, &sun)).as_deref(), Some("/run/y.sock"));
        assert_eq!(s(Family::Local, &nb(110, &sin)).as_deref(), Some(""));
        assert_eq!(s(Family::Local, &nb(110, &[1, 0, b'a'])).as_deref(), Some("a"));
        assert_eq!(s(Family::Local, &nb(110, &[1])), None);
        assert!(netbuf_is_valid(&nb(16, &sin)));
        assert!(!netbuf_is_valid(&nb(4, &sin)));
        assert!(!netbuf_is_valid(&nb(NETBUF_MAX + 1, &sin)));
    }

    #[test]
    fn pmap_ports_as_rpcbind_lists_them() {
        assert_eq!(pmap_port(b"0.0.0.0.4.1"), Some(1025));
        assert_eq!(pmap_port(b"a.300.7"), Some(76807));
        assert_eq!(pmap_port(b"::.15.162"), Some(4002));
        assert_eq!(pmap_port(b"abc"), None);
        assert_eq!(pmap_port(b"/tmp/x.sock"), None);
    }

    #[test]
    fn atoi_is_c_atoi() {
        assert_eq!(atoi(b"  -12x"), -12);
        assert_eq!(atoi(b"+7"), 7);
        assert_eq!(atoi(b"x1"), 0);
        assert_eq!(atoi(b""), 0);
        assert_eq!(atoi(b"99999999999"), 99_999_999_999i64 as i32);
    }
}
