//! [`Table`]: the one registration list every protocol version shares,
//! in rpcbind's order and with its rules. Portmap v2 sees the IPv4 TCP and
//! UDP entries of the same list, so a v2 SET is visible to v3/v4 GETADDR
//! and the other way round.

use portmapper::proto::pmap_prot::Mapping;
use portmapper::proto::rpcb_prot::Rpcb;
use xdr::ByteString;

use crate::caller::SUPERUSER;
use crate::taddr::pmap_port;

/// The most registrations kept besides rpcbind's own; SET fails beyond.
pub const MAX_REGISTRATIONS: usize = 4096;
/// The longest netid a registration may name.
pub const MAX_NETID: usize = 64;
/// The longest universal address a registration may hold (local socket
/// paths are at most 108 bytes, IPv6 addresses about 50).
pub const MAX_ADDR: usize = 256;
/// The longest owner recorded (a uid or `superuser`).
pub const MAX_OWNER: usize = 32;
/// IP protocol numbers of portmap v2.
const IPPROTO_TCP: u32 = 6;
const IPPROTO_UDP: u32 = 17;

/// One registration: a program version served at an address on a
/// transport, and who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Program number.
    pub prog: u32,
    /// Program version.
    pub vers: u32,
    /// The transport, as the registrant named it (any string).
    pub netid: Vec<u8>,
    /// The universal address.
    pub addr: Vec<u8>,
    /// `superuser`, a numeric uid or `unknown`.
    pub owner: Vec<u8>,
}

impl Registration {
    /// A registration from text fields.
    pub fn new(prog: u32, vers: u32, netid: &str, addr: &str, owner: &str) -> Registration {
        Registration { prog, vers, netid: netid.into(), addr: addr.into(), owner: owner.into() }
    }

    /// Its wire form.
    pub fn to_rpcb(&self) -> Rpcb {
        Rpcb {
            r_prog: self.prog,
            r_vers: self.vers,
            r_netid: bytes(&self.netid),
            r_addr: bytes(&self.addr),
            r_owner: bytes(&self.owner),
        }
    }

    /// From its wire form.
    pub fn from_rpcb(r: &Rpcb) -> Registration {
        Registration {
            prog: r.r_prog,
            vers: r.r_vers,
            netid: r.r_netid.as_bytes().to_vec(),
            addr: r.r_addr.as_bytes().to_vec(),
            owner: r.r_owner.as_bytes().to_vec(),
        }
    }

    /// True when its fields fit this daemon's bounds.
    pub fn fits(&self) -> bool {
        self.netid.len() <= MAX_NETID
            && self.addr.len() <= MAX_ADDR
            && self.owner.len() <= MAX_OWNER
    }

    /// True when it is registered on `netid` (compared without case, as
    /// rpcbind does).
    pub fn is_on(&self, netid: &[u8]) -> bool {
        self.netid.eq_ignore_ascii_case(netid)
    }

    /// The portmap v2 view of it: IPv4 TCP and UDP entries whose address
    /// has a port.
    pub fn to_mapping(&self) -> Option<Mapping> {
        let prot = match &self.netid[..] {
            b"tcp" => IPPROTO_TCP,
            b"udp" => IPPROTO_UDP,
            _ => return None,
        };
        let port = pmap_port(&self.addr)?;
        Some(Mapping { prog: self.prog, vers: self.vers, prot, port })
    }
}

/// `bytes` as an XDR string (which cannot fail below 4 GiB).
pub fn bytes(bytes: &[u8]) -> ByteString {
    ByteString::new(bytes.to_vec()).unwrap_or_default()
}

/// What a SET did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOutcome {
    /// A new entry was added.
    Added,
    /// The same program, version, netid and address were already there:
    /// success, nothing changes.
    Present,
    /// Refused: registered at another address, a field too long, or the
    /// table full.
    Refused,
}

/// The registrations, in rpcbind's order: its own first, then the others
/// in the order they were made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    entries: Vec<Registration>,
    /// How many leading entries are rpcbind's own.
    own: usize,
}

impl Table {
    /// A table holding rpcbind's own registrations `own` (in listing
    /// order).
    pub fn new(own: Vec<Registration>) -> Table {
        Table { own: own.len(), entries: own }
    }

    /// Puts rpcbind's own registrations `own` in front of the others.
    pub fn install_own(&mut self, own: Vec<Registration>) {
        let others = self.entries.split_off(self.own);
        self.own = own.len();
        self.entries = own;
        self.entries.extend(others);
    }

    /// Every registration, in DUMP order.
    pub fn entries(&self) -> &[Registration] {
        &self.entries
    }

    /// The registrations others made (what is persisted).
    pub fn others(&self) -> &[Registration] {
        &self.entries[self.own..]
    }

    /// Registers `reg` as rpcbind's SET does: it fails when the program,
    /// version and netid are registered at another address, and succeeds
    /// without change at the same one.
    pub fn set(&mut self, reg: Registration) -> SetOutcome {
        let existing = self
            .entries
            .iter()
            .find(|e| e.prog == reg.prog && e.vers == reg.vers && e.is_on(&reg.netid));
        match existing {
            Some(e) if e.addr == reg.addr => SetOutcome::Present,
            Some(_) => SetOutcome::Refused,
            None if !reg.fits() || self.entries.len() - self.own >= MAX_REGISTRATIONS => {
                SetOutcome::Refused
            }
            None => {
                self.entries.push(reg);
                SetOutcome::Added
            }
        }
    }

    /// Removes the registrations of `prog` version `vers` on `netid`
    /// (every transport when empty) for `owner`, as rpcbind's UNSET does:
    /// false, and nothing removed, when one of them belongs to somebody
    /// else and `owner` is not the superuser; true otherwise, also when
    /// none matched. Returns the answer and how many were removed.
    pub fn unset(&mut self, prog: u32, vers: u32, netid: &[u8], owner: &[u8]) -> (bool, usize) {
        let matches = |e: &Registration| {
            e.prog == prog && e.vers == vers && (netid.is_empty() || e.is_on(netid))
        };
        let allowed = owner == SUPERUSER.as_bytes()
            || self.entries.iter().filter(|e| matches(e)).all(|e| e.owner == owner);
        if !allowed {
            return (false, 0);
        }
        // The superuser may remove rpcbind's own entries too.
        let own_removed = self.entries[..self.own].iter().filter(|e| matches(e)).count();
        let before = self.entries.len();
        self.entries.retain(|e| !matches(e));
        self.own -= own_removed;
        (true, before - self.entries.len())
    }

    /// The registration rpcbind's lookups find for `prog`, `vers` on
    /// `netid`: the first of that exact version, else the last of another
    /// version of the program on that transport.
    pub fn find(&self, prog: u32, vers: u32, netid: &[u8]) -> Option<&Registration> {
        let mut hit = None;
        for e in self.entries.iter().filter(|e| e.prog == prog && e.is_on(netid)) {
            hit = Some(e);
            if e.vers == vers {
                break;
            }
        }
        hit
    }

    /// The lowest and highest version of `prog` registered on `netid`.
    pub fn versions(&self, prog: u32, netid: &[u8]) -> Option<(u32, u32)> {
        let versions =
            self.entries.iter().filter(|e| e.prog == prog && e.is_on(netid)).map(|e| e.vers);
        versions.fold(None, |range, v| match range {
            None => Some((v, v)),
            Some((low, high)) => Some((low.min(v), high.max(v))),
        })
    }

    /// The portmap v2 list: the IPv4 TCP and UDP registrations.
    pub fn mappings(&self) -> impl Iterator<Item = Mapping> + '_ {
        self.entries.iter().filter_map(Registration::to_mapping)
    }

    /// Portmap v2's GETPORT lookup: the first mapping of `prog` over
    /// `prot` with version `vers`, else the last of another version.
    pub fn find_mapping(&self, prog: u32, vers: u32, prot: u32) -> Option<Mapping> {
        let mut hit = None;
        for m in self.mappings().filter(|m| m.prog == prog && m.prot == prot) {
            let exact = m.vers == vers;
            hit = Some(m);
            if exact {
                break;
            }
        }
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> Vec<Registration> {
        vec![
            Registration::new(100_000, 4, "tcp", "0.0.0.0.0.111", "superuser"),
            Registration::new(100_000, 2, "tcp", "0.0.0.0.0.111", "superuser"),
            Registration::new(100_000, 2, "udp", "0.0.0.0.0.111", "superuser"),
        ]
    }

    #[test]
    fn set_follows_rpcbind() {
        let mut t = Table::new(own());
        let r = Registration::new(7, 1, "tcp", "0.0.0.0.4.1", "unknown");
        assert_eq!(t.set(r.clone()), SetOutcome::Added);
        assert_eq!(t.set(r.clone()), SetOutcome::Present);
        let moved = Registration { addr: b"0.0.0.0.4.2".to_vec(), ..r.clone() };
        assert_eq!(t.set(moved), SetOutcome::Refused);
        let upper = Registration { netid: b"TCP".to_vec(), addr: b"x".to_vec(), ..r };
        assert_eq!(t.set(upper), SetOutcome::Refused, "netids compare without case");
        let long = Registration::new(8, 1, "tcp", &"1".repeat(MAX_ADDR + 1), "unknown");
        assert_eq!(t.set(long), SetOutcome::Refused);
        assert_eq!(t.others().len(), 1);
    }

    #[test]
    fn the_table_is_bounded() {
        let mut t = Table::new(own());
        for prog in 0..MAX_REGISTRATIONS as u32 {
            assert_eq!(t.set(Registration::new(prog, 1, "udp", "a.0.1", "1")), SetOutcome::Added);
        }
        assert_eq!(t.set(Registration::new(u32::MAX, 1, "udp", "a.0.1", "1")), SetOutcome::Refused);
    }

    #[test]
    fn unset_respects_owners() {
        let mut t = Table::new(own());
        t.set(Registration::new(7, 1, "tcp", "0.0.0.0.4.1", "1000"));
        t.set(Registration::new(7, 1, "udp", "0.0.0.0.4.2", "1001"));
        assert_eq!(t.unset(7, 1, b"", b"1001"), (false, 0), "one belongs to 1000");
        assert_eq!(t.unset(7, 1, b"udp", b"1001"), (true, 1));
        assert_eq!(t.unset(7, 1, b"tcp", b"unknown"), (false, 0));
        assert_eq!(t.unset(7, 1, b"", b"superuser"), (true, 1));
        assert_eq!(t.unset(7, 1, b"", b"1000"), (true, 0), "nothing left is still success");
        assert_eq!(t.entries(), &own()[..]);
        t.set(Registration::new(7, 1, "tcp", "0.0.0.0.4.1", "1000"));
        assert_eq!(t.unset(100_000, 2, b"", b"superuser"), (true, 2));
        assert_eq!(t.entries().len(), 2);
        assert_eq!(t.others(), [Registration::new(7, 1, "tcp", "0.0.0.0.4.1", "1000")]);
    }

    #[test]
    fn lookups_prefer_the_exact_version_else_the_last() {
        let mut t = Table::new(own());
        t.set(Registration::new(7, 1, "tcp", "0.0.0.0.4.1", "u"));
        t.set(Registration::new(7, 2, "tcp", "0.0.0.0.4.3", "u"));
        t.set(Registration::new(7, 1, "udp", "0.0.0.0.4.2", "u"));
        assert_eq!(t.find(7, 1, b"tcp").map(|e| &e.addr[..]), Some(&b"0.0.0.0.4.1"[..]));
        assert_eq!(t.find(7, 3, b"tcp").map(|e| &e.addr[..]), Some(&b"0.0.0.0.4.3"[..]));
        assert_eq!(t.find(7, 3, b"tcp6"), None);
        assert_eq!(t.versions(7, b"tcp"), Some((1, 2)));
        assert_eq!(t.find_mapping(7, 5, 6).map(|m| m.port), Some(1027));
        assert_eq!(t.find_mapping(7, 2, 17).map(|m| m.port), Some(1026));
        let v2: Vec<_> = t.mappings().map(|m| (m.prog, m.vers, m.prot, m.port)).collect();
        assert_eq!(
            v2,
            [
                (100_000, 4, 6, 111),
                (100_000, 2, 6, 111),
                (100_000, 2, 17, 111),
                (7, 1, 6, 1025),
                (7, 2, 6, 1027),
                (7, 1, 17, 1026)
            ]
        );
    }
}
