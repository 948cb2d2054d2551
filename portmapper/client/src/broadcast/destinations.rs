//! Where a broadcast goes by default: every portmapper on this host's
//! networks, found as libtirpc's `__rpc_getbroadifs` finds them.

use std::io;
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6};

use crate::binding::PMAP_PORT;
use crate::interfaces::{self, IFF_BROADCAST, IFF_MULTICAST, IfAddr};

/// The IPv6 group every rpcbind joins (`RPCB_MULTICAST_ADDR`, ff02::202).
pub const RPCB_MULTICAST: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x202);

/// The portmapper port of every network this host is on: the broadcast
/// address of each IPv4 address of an interface that is up and can
/// broadcast, then the rpcbind multicast group ([`RPCB_MULTICAST`]) on
/// the interface of each IPv6 address of an interface that is up and
/// can multicast. One destination per address, in the kernel's order, as
/// libtirpc lists them (an interface with two IPv6 addresses is sent to
/// twice).
pub fn local_destinations() -> io::Result<Vec<SocketAddr>> {
    Ok(of_interfaces(&interfaces::addresses()?))
}

/// The interfaces a portmapper joins [`RPCB_MULTICAST`] on to hear IPv6
/// broadcasts: each interface that is up, can multicast and has an IPv6
/// address, by index, once.
pub fn multicast_interfaces() -> io::Result<Vec<u32>> {
    Ok(multicast_indexes(&interfaces::addresses()?))
}

fn multicast_indexes(addresses: &[IfAddr]) -> Vec<u32> {
    let mut indexes: Vec<u32> = Vec::new();
    for a in addresses.iter().filter(|a| a.addr.is_ipv6() && a.has(IFF_MULTICAST)) {
        if !indexes.contains(&a.index) {
            indexes.push(a.index);
        }
    }
    indexes
}

fn of_interfaces(addresses: &[IfAddr]) -> Vec<SocketAddr> {
    let ipv4 = addresses
        .iter()
        .filter(|a| a.addr.is_ipv4() && a.has(IFF_BROADCAST))
        .filter_map(|a| a.broadcast)
        .map(|b| SocketAddr::from((b, PMAP_PORT)));
    let ipv6 = addresses
        .iter()
        .filter(|a| a.addr.is_ipv6() && a.has(IFF_MULTICAST))
        .map(|a| SocketAddr::from(SocketAddrV6::new(RPCB_MULTICAST, PMAP_PORT, 0, a.index)));
    ipv4.chain(ipv6).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interfaces::IFF_UP;

    fn ifaddr(index: u32, flags: u32, addr: &str, broadcast: Option<&str>) -> IfAddr {
        IfAddr {
            index,
            flags,
            addr: addr.parse().unwrap(),
            broadcast: broadcast.map(|b| b.parse().unwrap()),
        }
    }

    #[test]
    fn broadcast_addresses_then_the_multicast_group() {
        let all = IFF_UP | IFF_BROADCAST | IFF_MULTICAST;
        let addresses = [
            ifaddr(1, IFF_UP, "127.0.0.1", None),
            ifaddr(1, IFF_UP, "::1", None),
            ifaddr(2, all, "fe80::1", None),
            ifaddr(2, all, "10.1.0.5", Some("10.1.0.255")),
            ifaddr(3, IFF_BROADCAST | IFF_MULTICAST, "10.2.0.5", Some("10.2.0.255")),
            ifaddr(4, IFF_UP | IFF_BROADCAST, "10.3.0.5", None),
            ifaddr(5, IFF_UP | IFF_BROADCAST, "fe80::5", None),
        ];
        let found: Vec<String> = of_interfaces(&addresses).iter().map(|a| a.to_string()).collect();
        assert_eq!(found, ["10.1.0.255:111", "[ff02::202%2]:111"]);
    }

    #[test]
    fn multicast_interfaces_are_up_multicast_and_ipv6_once_each() {
        let all = IFF_UP | IFF_BROADCAST | IFF_MULTICAST;
        let addresses = [
            ifaddr(1, IFF_UP, "::1", None),
            ifaddr(2, all, "fe80::1", None),
            ifaddr(2, all, "fd00::1", None),
            ifaddr(3, all, "10.2.0.5", Some("10.2.0.255")),
            ifaddr(4, IFF_MULTICAST, "fe80::4", None),
            ifaddr(5, all, "fe80::5", None),
        ];
        assert_eq!(multicast_indexes(&addresses), [2, 5]);
    }
}
