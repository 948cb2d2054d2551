//! [`Netid`]: the transports of `/etc/netconfig` that rpcbind serves.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A network id as `/etc/netconfig` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Netid {
    /// UDP over IPv4.
    Udp,
    /// TCP over IPv4.
    Tcp,
    /// UDP over IPv6.
    Udp6,
    /// TCP over IPv6.
    Tcp6,
    /// A local (Unix) stream socket; netconfig also calls it `unix`.
    Local,
}

/// How a transport delivers messages (netconfig's `nc_semantics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Semantics {
    /// Connectionless (`tpi_clts`).
    Clts,
    /// Connection-oriented with orderly release (`tpi_cots_ord`).
    CotsOrd,
}

impl Netid {
    /// Every netid, in `/etc/netconfig`'s order.
    pub const ALL: [Netid; 5] = [Netid::Udp, Netid::Tcp, Netid::Udp6, Netid::Tcp6, Netid::Local];

    /// The name rpcbind and `/etc/netconfig` use.
    pub fn as_str(self) -> &'static str {
        match self {
            Netid::Udp => "udp",
            Netid::Tcp => "tcp",
            Netid::Udp6 => "udp6",
            Netid::Tcp6 => "tcp6",
            Netid::Local => "local",
        }
    }

    /// True for the stream transports (TCP and local).
    pub fn is_stream(self) -> bool {
        !self.is_datagram()
    }

    /// True for UDP.
    pub fn is_datagram(self) -> bool {
        matches!(self, Netid::Udp | Netid::Udp6)
    }

    /// True for the IPv6 transports.
    pub fn is_ipv6(self) -> bool {
        matches!(self, Netid::Udp6 | Netid::Tcp6)
    }

    /// The protocol family: `inet`, `inet6` or `loopback`.
    pub fn protofmly(self) -> &'static str {
        match self {
            Netid::Udp | Netid::Tcp => "inet",
            Netid::Udp6 | Netid::Tcp6 => "inet6",
            Netid::Local => "loopback",
        }
    }

    /// The protocol name: `udp`, `tcp`, or `-` for local sockets.
    pub fn proto(self) -> &'static str {
        match self {
            Netid::Udp | Netid::Udp6 => "udp",
            Netid::Tcp | Netid::Tcp6 => "tcp",
            Netid::Local => "-",
        }
    }

    /// The transport's semantics.
    pub fn semantics(self) -> Semantics {
        if self.is_datagram() { Semantics::Clts } else { Semantics::CotsOrd }
    }

    /// The IP protocol number portmap v2 uses (6 or 17); `None` for the
    /// transports portmap v2 cannot express (IPv6 and local).
    pub fn ipproto(self) -> Option<u32> {
        match self {
            Netid::Tcp => Some(6),
            Netid::Udp => Some(17),
            _ => None,
        }
    }

    /// The IPv4 netid of IP protocol number `proto` (6 or 17).
    pub fn from_ipproto(proto: u32) -> Option<Netid> {
        match proto {
            6 => Some(Netid::Tcp),
            17 => Some(Netid::Udp),
            _ => None,
        }
    }
}

impl Semantics {
    /// The value of `nc_semantics` (`NC_TPI_CLTS` or `NC_TPI_COTS_ORD`).
    pub fn code(self) -> u32 {
        match self {
            Semantics::Clts => crate::proto::rpcb_prot::NC_TPI_CLTS,
            Semantics::CotsOrd => crate::proto::rpcb_prot::NC_TPI_COTS_ORD,
        }
    }
}

impl fmt::Display for Netid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Netid {
    type Err = Error;

    /// Parses a netid; `unix` is read as `local`, as netconfig aliases them.
    fn from_str(s: &str) -> Result<Netid, Error> {
        match s {
            "udp" => Ok(Netid::Udp),
            "tcp" => Ok(Netid::Tcp),
            "udp6" => Ok(Netid::Udp6),
            "tcp6" => Ok(Netid::Tcp6),
            "local" | "unix" => Ok(Netid::Local),
            other => Err(Error::UnknownNetid(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for n in Netid::ALL {
            assert_eq!(n.as_str().parse::<Netid>().ok(), Some(n));
        }
        assert_eq!("unix".parse::<Netid>().ok(), Some(Netid::Local));
        assert!("rawip".parse::<Netid>().is_err());
    }

    #[test]
    fn portmap_protocols() {
        assert_eq!(Netid::Tcp.ipproto(), Some(6));
        assert_eq!(Netid::from_ipproto(17), Some(Netid::Udp));
        assert_eq!(Netid::Tcp6.ipproto(), None);
        assert_eq!(Netid::from_ipproto(1), None);
    }
}
