//! The transports of `/etc/netconfig` as Debian ships it, in its order:
//! what `getnetconfigent` finds and the lists libtirpc walks.

use std::io::Write;

/// `nc_semantics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Semantics {
    Clts,
    CotsOrd,
    Raw,
}

/// `nc_protofmly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Inet,
    Inet6,
    Loopback,
}

/// One `/etc/netconfig` entry.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Nc {
    pub(crate) netid: &'static str,
    pub(crate) semantics: Semantics,
    /// The `v` flag: listed for `NETPATH` and the `*_v` nettypes.
    pub(crate) visible: bool,
    pub(crate) family: Family,
    /// `nc_proto`: `udp`, `tcp`, or `-`.
    pub(crate) proto: &'static str,
}

const fn nc(
    netid: &'static str,
    semantics: Semantics,
    visible: bool,
    family: Family,
    proto: &'static str,
) -> Nc {
    Nc { netid, semantics, visible, family, proto }
}

/// The entries, in file order.
pub(crate) static NETCONFIG: [Nc; 7] = [
    nc("udp", Semantics::Clts, true, Family::Inet, "udp"),
    nc("tcp", Semantics::CotsOrd, true, Family::Inet, "tcp"),
    nc("udp6", Semantics::Clts, true, Family::Inet6, "udp"),
    nc("tcp6", Semantics::CotsOrd, true, Family::Inet6, "tcp"),
    nc("rawip", Semantics::Raw, false, Family::Inet, "-"),
    nc("local", Semantics::CotsOrd, false, Family::Loopback, "-"),
    nc("unix", Semantics::CotsOrd, false, Family::Loopback, "-"),
];

/// The `udp` entry.
pub(crate) fn udp() -> &'static Nc {
    &NETCONFIG[0]
}

/// The `tcp` entry.
pub(crate) fn tcp() -> &'static Nc {
    &NETCONFIG[1]
}

/// The `tcp6` entry.
pub(crate) fn tcp6() -> &'static Nc {
    &NETCONFIG[3]
}

/// The `local` entry.
pub(crate) fn local() -> &'static Nc {
    &NETCONFIG[5]
}

/// What libtirpc's `getnetconfigent` says when asked for `unix` (it
/// then sleeps ten seconds, which rpcinfo here does not).
const UNIX_WARNING: &str = "The local transport is called \"unix\" in /etc/netconfig.
Please change this to \"local\" manually or run mergemaster(8).
See UPDATING entry 20021216 for details.
Continuing in 10 seconds

This warning will be removed 20030301
";

/// `getnetconfigent`, with its warning about `unix` written to `err`.
pub(crate) fn getnetconfigent(netid: &str, err: &mut dyn Write) -> Option<&'static Nc> {
    if netid == "unix" {
        let _ = err.write_all(UNIX_WARNING.as_bytes());
    }
    NETCONFIG.iter().find(|nc| nc.netid == netid)
}

/// The visible entries with the given semantics (the `circuit_v` and
/// `datagram_v` nettypes; `circuit_n` is the same list when `NETPATH`
/// is unset).
pub(crate) fn visible(semantics: Semantics) -> impl Iterator<Item = &'static Nc> {
    NETCONFIG.iter().filter(move |nc| nc.visible && nc.semantics == semantics)
}

impl Nc {
    /// True for IP transports with a socket type (not `rawip`).
    pub(crate) fn is_ip(&self) -> bool {
        self.family != Family::Loopback && self.semantics != Semantics::Raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(
            getnetconfigent("tcp6", &mut std::io::sink()).map(|n| n.family),
            Some(Family::Inet6)
        );
        assert!(getnetconfigent("bogus", &mut std::io::sink()).is_none());
        let datagram: Vec<_> = visible(Semantics::Clts).map(|n| n.netid).collect();
        assert_eq!(datagram, ["udp", "udp6"]);
        let circuit: Vec<_> = visible(Semantics::CotsOrd).map(|n| n.netid).collect();
        assert_eq!(circuit, ["tcp", "tcp6"]);
        assert!(!getnetconfigent("rawip", &mut std::io::sink()).is_some_and(Nc::is_ip));
        assert_eq!(
            [udp(), tcp(), tcp6(), local()].map(|n| n.netid),
            ["udp", "tcp", "tcp6", "local"]
        );
    }
}
