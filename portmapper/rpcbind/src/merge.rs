//! Address merging (rpcbind's `addrmerge`): a registered universal
//! address, often the wildcard `0.0.0.0.p1.p2`, is answered as an address
//! the caller can reach - this host's address on the path to the caller,
//! with the registered port.
//!
//! rpcbind picks the interface whose network holds the caller; we ask the
//! kernel instead, by connecting a UDP socket to the caller and reading
//! its local address (no packet is sent). As in rpcbind, every inet
//! address is merged, not only wildcards, and the registered address is
//! not merged for callers on the local socket, for a registered address
//! that is not a literal address, when the caller's address hint does not
//! parse, or when no route leads to the caller.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use crate::caller::Caller;
use crate::taddr::{self, Family};

/// The address to answer `caller` for the registration at `registered`,
/// or `None` when it cannot be merged (GETADDR then answers the
/// registered address, GETADDRLIST leaves it out). `hint` is the
/// non-empty `r_addr` of the request, which rpcbind checks (an unreadable
/// hint prevents merging) but, as observed, does not otherwise use.
pub fn merge(caller: &Caller, registered: &[u8], hint: Option<&[u8]>) -> Option<Vec<u8>> {
    let family = Family::of(caller.netid);
    if let Some(hint) = hint {
        taddr::to_socket_addr(family, hint)?;
    }
    let peer = caller.addr?;
    let server = taddr::to_socket_addr(family, registered)?;
    let local = local_addr_towards(peer)?;
    let merged = SocketAddr::new(local, server.port());
    Some(portmapper::uaddr::from_socket_addr(merged).into_bytes())
}

/// This host's address on the route to `peer`.
fn local_addr_towards(peer: SocketAddr) -> Option<IpAddr> {
    let any = match peer {
        SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    let socket = UdpSocket::bind(SocketAddr::new(any, 0)).ok()?;
    let mut target = peer;
    if target.port() == 0 {
        // connect(2) wants a port; any will do, nothing is sent.
        target.set_port(9);
    }
    socket.connect(target).ok()?;
    let local = socket.local_addr().ok()?.ip();
    (!local.is_unspecified()).then_some(local)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portmapper::Netid;

    fn caller(netid: Netid, addr: Option<&str>) -> Caller {
        Caller { netid, addr: addr.map(|a| a.parse().unwrap()), uid: None }
    }

    /// The merged address, or "-" when there is none.
    fn m(c: &Caller, registered: &str, hint: Option<&str>) -> String {
        merge(c, registered.as_bytes(), hint.map(str::as_bytes))
            .map_or_else(|| "-".to_owned(), |a| String::from_utf8(a).unwrap())
    }

    #[test]
    fn loopback_callers_get_loopback() {
        let c = caller(Netid::Tcp, Some("127.0.0.1:40000"));
        assert_eq!(m(&c, "0.0.0.0.4.1", None), "127.0.0.1.4.1");
        assert_eq!(m(&c, "127.0.0.1.4.3", None), "127.0.0.1.4.3");
        assert_eq!(m(&c, "0.0.0.0.4.3", Some("10.1.2.3.0.1")), "127.0.0.1.4.3");
        // 127.0.0.2 is reached from 127.0.0.1, as rpcbind answers.
        let c2 = caller(Netid::Udp, Some("127.0.0.2:40000"));
        assert_eq!(m(&c2, "0.0.0.0.9.2", None), "127.0.0.1.9.2");
    }

    #[test]
    fn some_addresses_cannot_be_merged() {
        let c = caller(Netid::Tcp, Some("127.0.0.1:40000"));
        assert_eq!(m(&c, "0.0.0.0.4.3", Some("garbage")), "-");
        assert_eq!(m(&c, "abc", None), "-");
        assert_eq!(m(&c, "::.4.5", None), "-", "another family");
        let local = caller(Netid::Local, None);
        assert_eq!(m(&local, "/tmp/x.sock", None), "-");
        assert_eq!(m(&local, "0.0.0.0.4.1", None), "-");
    }

    #[test]
    fn ipv6_callers_get_ipv6() {
        // Needs a loopback ::1 (absent in some containers): skip without it.
        if UdpSocket::bind("[::1]:0").is_err() {
            eprintln!("SKIPPED: no IPv6 loopback");
            return;
        }
        let c = caller(Netid::Tcp6, Some("[::1]:40000"));
        assert_eq!(m(&c, "::.4.5", None), "::1.4.5");
    }
}
