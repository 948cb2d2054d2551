//! The name server's trust rule: who may add or remove an entry.
//!
//! An entry claims that a process runs on a node, and node daemons act on
//! that claim (they signal the pid it names). So only the node itself may
//! make or withdraw such a claim: a REGISTER or UNREGISTER is accepted
//! when the caller's TCP source address is the entry's node address, or
//! when both are loopback addresses (127.0.0.0/8, ::1: one machine, such
//! as the demo running nodes on 127.0.0.1, .2 and .3, where the kernel
//! picks 127.0.0.1 as the source). A caller on a Unix socket is local and
//! counts as loopback. Calls over UDP, whose source is trivially forged,
//! are never trusted. IPv4-mapped IPv6 addresses count as their IPv4
//! address. Anyone may LOOKUP and LIST.
//!
//! A name server running as root also asks that the caller be bound to a
//! reserved port ([`from_root`]): the node's daemon, running as root,
//! calls from one; a user of that node cannot, so cannot forge or remove
//! the node's entries (`--insecure` drops this).

use std::net::IpAddr;

use oncrpc::svc::{CallContext, PeerAddr, Transport};

/// True when the caller of `ctx` may register or unregister an entry
/// whose node is `node`.
pub(crate) fn may_change(ctx: &CallContext, node: IpAddr) -> bool {
    let node = node.to_canonical();
    match (&ctx.peer, ctx.transport) {
        (_, Transport::Udp) => false,
        (PeerAddr::Unix(_), _) => node.is_loopback(),
        (PeerAddr::Inet(peer), _) => {
            let source = peer.ip().to_canonical();
            source == node || (source.is_loopback() && node.is_loopback())
        }
    }
}

/// True when the caller of `ctx` is bound to a reserved port, which only
/// root can bind: a root node daemon, not a user of its node.
pub(crate) fn from_root(ctx: &CallContext) -> bool {
    matches!(ctx.peer, PeerAddr::Inet(peer) if dpc::reserved::from_reserved_port(peer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oncrpc::svc::Credentials;

    fn ctx(transport: Transport, peer: PeerAddr) -> CallContext {
        CallContext {
            xid: 1,
            prog: 0,
            vers: 0,
            proc_num: 0,
            transport,
            peer,
            credentials: Credentials::None,
            peer_cred: None,
        }
    }

    fn tcp(source: &str) -> CallContext {
        ctx(Transport::Tcp, PeerAddr::Inet((source.parse::<IpAddr>().unwrap(), 900).into()))
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_node_may_change_its_own_entries_only() {
        assert!(may_change(&tcp("10.0.0.2"), ip("10.0.0.2")));
        assert!(may_change(&tcp("fd00::2"), ip("fd00::2")));
        assert!(!may_change(&tcp("10.0.0.3"), ip("10.0.0.2")));
        assert!(!may_change(&tcp("10.0.0.2"), ip("127.0.0.1")));
        assert!(!may_change(&tcp("127.0.0.1"), ip("10.0.0.2")));
    }

    #[test]
    fn loopback_callers_speak_for_loopback_nodes() {
        assert!(may_change(&tcp("127.0.0.1"), ip("127.0.0.3")));
        assert!(may_change(&tcp("::1"), ip("127.0.0.2")));
        assert!(may_change(&tcp("::ffff:127.0.0.1"), ip("::1")));
        assert!(may_change(&tcp("::ffff:10.0.0.2"), ip("10.0.0.2")));
        let unix = ctx(Transport::Unix, PeerAddr::Unix(None));
        assert!(may_change(&unix, ip("127.0.0.9")));
        assert!(!may_change(&unix, ip("10.0.0.2")));
    }

    #[test]
    fn reserved_ports_are_roots() {
        assert!(from_root(&tcp("10.0.0.2")));
        let user = ctx(Transport::Tcp, PeerAddr::Inet(([10, 0, 0, 2], 40000).into()));
        assert!(!from_root(&user));
        assert!(!from_root(&ctx(Transport::Unix, PeerAddr::Unix(None))));
    }

    #[test]
    fn udp_is_never_trusted() {
        let udp = ctx(Transport::Udp, PeerAddr::Inet(([127, 0, 0, 1], 900).into()));
        assert!(!may_change(&udp, ip("127.0.0.1")));
    }
}
