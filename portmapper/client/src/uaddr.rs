//! Universal addresses (RFC 1833, section 2.2), written exactly as
//! libtirpc's `taddr2uaddr` writes them: IPv4 `h1.h2.h3.h4.p1.p2`, IPv6
//! the address as `inet_ntop` prints it then `.p1.p2`, local sockets the
//! path itself.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::error::Error;

/// The universal address of an IPv4 or IPv6 socket address.
pub fn from_socket_addr(addr: SocketAddr) -> String {
    let mut out = match addr.ip() {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => ntop6(ip),
    };
    let port = addr.port();
    let _ = write!(out, ".{}.{}", port >> 8, port & 0xff);
    out
}

/// Parses an IPv4 or IPv6 universal address. The host part must be a
/// literal address and each port octet a decimal number up to 255.
pub fn to_socket_addr(uaddr: &str) -> Result<SocketAddr, Error> {
    let bad = || Error::BadUaddr(uaddr.to_owned());
    let (rest, lo) = uaddr.rsplit_once('.').ok_or_else(bad)?;
    let (host, hi) = rest.rsplit_once('.').ok_or_else(bad)?;
    let octet = |s: &str| -> Result<u16, Error> {
        if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<u8>().map(u16::from).map_err(|_| bad())
    };
    let port = octet(hi)? << 8 | octet(lo)?;
    let ip: IpAddr = host.parse().map_err(|_| bad())?;
    Ok(SocketAddr::new(ip, port))
}

/// The port of an IPv4 or IPv6 universal address.
pub fn port(uaddr: &str) -> Result<u16, Error> {
    to_socket_addr(uaddr).map(|a| a.port())
}

/// The wildcard universal address of `port` (`0.0.0.0.p1.p2` or
/// `::.p1.p2`), as `pmap_set` and portmap v2 SET register.
pub fn wildcard(port: u16, ipv6: bool) -> String {
    let ip =
        if ipv6 { IpAddr::V6(Ipv6Addr::UNSPECIFIED) } else { IpAddr::V4(Ipv4Addr::UNSPECIFIED) };
    from_socket_addr(SocketAddr::new(ip, port))
}

/// An IPv6 address as glibc's `inet_ntop` prints it: RFC 5952
/// compression, and an embedded IPv4 address for the mapped
/// (`::ffff:a.b.c.d`) and the deprecated compatible (`::a.b.c.d`) forms.
fn ntop6(ip: Ipv6Addr) -> String {
    let s = ip.segments();
    let compatible = s[..6].iter().all(|&w| w == 0) && s[6] != 0;
    if compatible {
        let [.., a, b, c, d] = ip.octets();
        return format!("::{}", Ipv4Addr::new(a, b, c, d));
    }
    ip.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn as_libtirpc_writes_them() {
        let cases = [
            ("127.0.0.1:111", "127.0.0.1.0.111"),
            ("0.0.0.0:2049", "0.0.0.0.8.1"),
            ("[::]:111", "::.0.111"),
            ("[::1]:65535", "::1.255.255"),
            ("[fe80::1:2]:1", "fe80::1:2.0.1"),
            ("[::ffff:10.0.0.1]:80", "::ffff:10.0.0.1.0.80"),
            ("[::10.0.0.1]:80", "::10.0.0.1.0.80"),
            ("[2001:db8:0:0:1:0:0:1]:7", "2001:db8::1:0:0:1.0.7"),
        ];
        for (addr, uaddr) in cases {
            let addr: SocketAddr = addr.parse().unwrap();
            assert_eq!(from_socket_addr(addr), uaddr);
            assert_eq!(to_socket_addr(uaddr).unwrap(), addr);
        }
    }

    #[test]
    fn malformed_addresses_are_errors() {
        for bad in [
            "",
            "127.0.0.1",
            "127.0.0.1.0",
            "127.0.0.1.256.1",
            "host.0.1",
            "::1.0.-1",
            "1.2.3.4.0.1111",
            "..",
        ] {
            assert!(to_socket_addr(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn wildcards() {
        assert_eq!(wildcard(111, false), "0.0.0.0.0.111");
        assert_eq!(wildcard(111, true), "::.0.111");
    }

    proptest! {
        #[test]
        fn round_trips(addr: SocketAddr) {
            let addr = match addr {
                SocketAddr::V6(a) => SocketAddr::new(IpAddr::V6(*a.ip()), a.port()),
                v4 => v4,
            };
            prop_assert_eq!(to_socket_addr(&from_socket_addr(addr)).unwrap(), addr);
        }
    }
}
