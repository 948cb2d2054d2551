//! [`Caller`]: who sent a call, as rpcbind's access rules see it - the
//! transport (netid) it arrived on, the peer's address, the kernel's word
//! on a local-socket peer's uid - and the owner a registration it makes
//! gets.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use portmapper::Netid;
use svc::{CallContext, PeerAddr, Transport};

/// The owner rpcbind records for registrations made by root.
pub const SUPERUSER: &str = "superuser";
/// The owner rpcbind records when it cannot tell who the caller is.
pub const UNKNOWN: &str = "unknown";
/// Ports below this are reserved to root (`IPPORT_RESERVED`).
const RESERVED_PORTS: u16 = 1024;

/// Who sent a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The transport the call arrived on. IPv6 listeners are IPv6-only, so
    /// an IPv6 peer means `tcp6` or `udp6`.
    pub netid: Netid,
    /// The peer's address; `None` on the local socket.
    pub addr: Option<SocketAddr>,
    /// The local-socket peer's effective uid (`SO_PEERCRED`).
    pub uid: Option<u32>,
}

impl Caller {
    /// The caller of the call in `ctx`.
    pub fn of(ctx: &CallContext) -> Caller {
        let addr = match &ctx.peer {
            PeerAddr::Inet(a) => Some(*a),
            PeerAddr::Unix(_) => None,
        };
        let ipv6 = addr.is_some_and(|a| a.is_ipv6());
        let netid = match (ctx.transport, ipv6) {
            (Transport::Unix, _) => Netid::Local,
            (Transport::Tcp, false) => Netid::Tcp,
            (Transport::Tcp, true) => Netid::Tcp6,
            (Transport::Udp, false) => Netid::Udp,
            (Transport::Udp, true) => Netid::Udp6,
        };
        Caller { netid, addr, uid: ctx.peer_cred.map(|c| c.uid) }
    }

    /// True when rpcbind takes SET and UNSET from this caller without `-i`:
    /// the local socket, or exactly 127.0.0.1 or ::1 (also as
    /// `::ffff:127.0.0.1`). Other 127/8 addresses do not count, as in
    /// rpcbind.
    pub fn is_loopback(&self) -> bool {
        match self.addr {
            None => self.netid == Netid::Local,
            Some(a) => is_loopback_ip(a.ip()),
        }
    }

    /// The owner of a registration this caller makes, and the name its
    /// UNSET rights go by: `superuser` for uid 0 on the local socket or a
    /// reserved port on loopback, the numeric uid for other local-socket
    /// callers, `unknown` otherwise (AUTH_SYS credentials are not
    /// believed).
    pub fn owner(&self) -> String {
        match (self.uid, self.addr) {
            (Some(0), _) => SUPERUSER.to_owned(),
            (Some(uid), _) => uid.to_string(),
            (None, Some(a)) if is_loopback_ip(a.ip()) && a.port() < RESERVED_PORTS => {
                SUPERUSER.to_owned()
            }
            (None, _) => UNKNOWN.to_owned(),
        }
    }

    /// True for the datagram transports, the only ones rpcbind forwards
    /// remote calls from.
    pub fn is_datagram(&self) -> bool {
        self.netid.is_datagram()
    }
}

fn is_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4 == Ipv4Addr::LOCALHOST,
        IpAddr::V6(v6) => {
            v6 == Ipv6Addr::LOCALHOST || v6.to_ipv4_mapped() == Some(Ipv4Addr::LOCALHOST)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svc::{Credentials, PeerCred};

    fn ctx(transport: Transport, peer: PeerAddr, uid: Option<u32>) -> CallContext {
        CallContext {
            xid: 1,
            prog: 100_000,
            vers: 4,
            proc_num: 1,
            transport,
            peer,
            credentials: Credentials::None,
            peer_cred: uid.map(|uid| PeerCred { uid, gid: uid, pid: 1 }),
        }
    }

    fn inet(transport: Transport, addr: &str) -> Caller {
        Caller::of(&ctx(transport, PeerAddr::Inet(addr.parse().unwrap()), None))
    }

    #[test]
    fn netids_follow_transport_and_family() {
        assert_eq!(inet(Transport::Tcp, "127.0.0.1:5").netid, Netid::Tcp);
        assert_eq!(inet(Transport::Udp, "[::1]:5").netid, Netid::Udp6);
        assert_eq!(inet(Transport::Tcp, "[::1]:5").netid, Netid::Tcp6);
        let local = Caller::of(&ctx(Transport::Unix, PeerAddr::Unix(None), Some(7)));
        assert_eq!((local.netid, local.addr, local.uid), (Netid::Local, None, Some(7)));
    }

    #[test]
    fn loopback_is_exactly_localhost_or_the_local_socket() {
        assert!(inet(Transport::Tcp, "127.0.0.1:4000").is_loopback());
        assert!(inet(Transport::Udp, "[::1]:4000").is_loopback());
        assert!(inet(Transport::Udp, "[::ffff:127.0.0.1]:4000").is_loopback());
        assert!(!inet(Transport::Tcp, "127.0.0.2:4000").is_loopback());
        assert!(!inet(Transport::Tcp, "10.0.0.1:4000").is_loopback());
        assert!(Caller::of(&ctx(Transport::Unix, PeerAddr::Unix(None), None)).is_loopback());
    }

    #[test]
    fn owners() {
        assert_eq!(inet(Transport::Tcp, "127.0.0.1:700").owner(), "superuser");
        assert_eq!(inet(Transport::Tcp, "127.0.0.1:1024").owner(), "unknown");
        assert_eq!(inet(Transport::Tcp, "127.0.0.2:700").owner(), "unknown");
        assert_eq!(inet(Transport::Udp, "10.1.1.1:700").owner(), "unknown");
        let unix = |uid| Caller::of(&ctx(Transport::Unix, PeerAddr::Unix(None), uid)).owner();
        assert_eq!(unix(Some(0)), "superuser");
        assert_eq!(unix(Some(1000)), "1000");
        assert_eq!(unix(None), "unknown");
    }
}
