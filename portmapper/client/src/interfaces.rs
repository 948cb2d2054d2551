//! The addresses of this host's network interfaces as glibc's
//! `getifaddrs` reports them, read from the kernel over rtnetlink
//! (`RTM_GETLINK` for the interface flags, `RTM_GETADDR` for the
//! addresses): where a broadcast goes, and whether an address is this
//! host's.
//!
//! Like glibc, an IPv4 address without `IFA_BROADCAST` but with both
//! `IFA_ADDRESS` and `IFA_LOCAL` gets `IFA_ADDRESS` as its broadcast
//! address (glibc takes it for a point-to-point peer), which is why
//! rpcinfo's broadcast reaches such an interface's own address.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::OwnedFd;

use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketType};

/// Interface flags (`IFF_*`).
pub(crate) const IFF_UP: u32 = 0x1;
pub(crate) const IFF_BROADCAST: u32 = 0x2;
pub(crate) const IFF_MULTICAST: u32 = 0x1000;

const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
const RTM_NEWLINK: u16 = 16;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_GETADDR: u16 = 22;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST_DUMP: u16 = 0x301;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_BROADCAST: u16 = 4;
const NLMSG_HDRLEN: usize = 16;
/// The most messages one dump may return: far more interfaces and
/// addresses than a host has, so that memory stays bounded.
const MAX_MESSAGES: usize = 65_536;

/// One address of one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IfAddr {
    pub(crate) index: u32,
    /// The interface's `IFF_*` flags.
    pub(crate) flags: u32,
    pub(crate) addr: IpAddr,
    /// The IPv4 broadcast (or peer) address, if any.
    pub(crate) broadcast: Option<Ipv4Addr>,
}

impl IfAddr {
    /// True when the interface is up and has every flag of `flags`.
    pub(crate) fn has(&self, flags: u32) -> bool {
        self.flags & (IFF_UP | flags) == IFF_UP | flags
    }
}

/// Every IPv4 and IPv6 address, in the kernel's order.
pub(crate) fn addresses() -> io::Result<Vec<IfAddr>> {
    let socket = rustix::net::socket(AddressFamily::NETLINK, SocketType::DGRAM, None)?;
    let mut flags = HashMap::new();
    for (kind, body) in dump(&socket, RTM_GETLINK, 16)? {
        // struct ifinfomsg: family, pad, type, index (i32), flags (u32), change.
        if kind == RTM_NEWLINK && body.len() >= 16 {
            flags.insert(ne_u32(&body[4..8]), ne_u32(&body[8..12]));
        }
    }
    let mut found = Vec::new();
    for (kind, body) in dump(&socket, RTM_GETADDR, 8)? {
        // struct ifaddrmsg: family, prefixlen, flags, scope, index (u32).
        if kind != RTM_NEWADDR || body.len() < 8 {
            continue;
        }
        let (family, index) = (body[0], ne_u32(&body[4..8]));
        let (mut addr, mut broadcast) = (None, None);
        for (kind, data) in attributes(&body[8..]) {
            let ip = match (family, data.len()) {
                (AF_INET, 4) => IpAddr::from(<[u8; 4]>::try_from(data).unwrap_or_default()),
                (AF_INET6, 16) => IpAddr::from(<[u8; 16]>::try_from(data).unwrap_or_default()),
                _ => continue,
            };
            match kind {
                IFA_ADDRESS if addr.is_none() => addr = Some(ip),
                IFA_ADDRESS => broadcast = Some(ip),
                IFA_LOCAL => {
                    if let Some(previous) = addr.replace(ip) {
                        broadcast = Some(previous);
                    }
                }
                IFA_BROADCAST => broadcast = Some(ip),
                _ => {}
            }
        }
        let Some(addr) = addr else { continue };
        let broadcast = match broadcast {
            Some(IpAddr::V4(b)) if addr.is_ipv4() => Some(b),
            _ => None,
        };
        let flags = flags.get(&index).copied().unwrap_or(0);
        found.push(IfAddr { index, flags, addr, broadcast });
    }
    Ok(found)
}

/// Sends a dump request of `kind` (with a zeroed `header_len`-byte
/// family header) and returns each reply message's type and body.
fn dump(socket: &OwnedFd, kind: u16, header_len: usize) -> io::Result<Vec<(u16, Vec<u8>)>> {
    let len = NLMSG_HDRLEN + header_len;
    let mut request = Vec::with_capacity(len);
    request.extend_from_slice(&(len as u32).to_ne_bytes());
    request.extend_from_slice(&kind.to_ne_bytes());
    request.extend_from_slice(&NLM_F_REQUEST_DUMP.to_ne_bytes());
    request.extend_from_slice(&1u32.to_ne_bytes());
    request.extend_from_slice(&0u32.to_ne_bytes());
    request.resize(len, 0);
    rustix::net::send(socket, &request, SendFlags::empty())?;
    let mut messages = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    while messages.len() < MAX_MESSAGES {
        let (_, n) = rustix::net::recv(socket, &mut buf[..], RecvFlags::empty())?;
        let mut rest = &buf[..n.min(buf.len())];
        while rest.len() >= NLMSG_HDRLEN {
            let size = (ne_u32(&rest[..4]) as usize).clamp(NLMSG_HDRLEN, rest.len());
            let kind = u16::from_ne_bytes([rest[4], rest[5]]);
            match kind {
                NLMSG_DONE => return Ok(messages),
                NLMSG_ERROR => return Err(io::Error::other("rtnetlink dump failed")),
                _ => messages.push((kind, rest[NLMSG_HDRLEN..size].to_vec())),
            }
            rest = &rest[align(size).min(rest.len())..];
        }
        if n == 0 {
            break;
        }
    }
    Ok(messages)
}

/// The `rtattr`s of a message body: type and payload.
fn attributes(mut rest: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if rest.len() < 4 {
            return None;
        }
        let len = usize::from(u16::from_ne_bytes([rest[0], rest[1]]));
        let kind = u16::from_ne_bytes([rest[2], rest[3]]);
        if len < 4 || len > rest.len() {
            return None;
        }
        let data = &rest[4..len];
        rest = &rest[align(len).min(rest.len())..];
        Some((kind, data))
    })
}

fn align(n: usize) -> usize {
    (n + 3) & !3
}

fn ne_u32(b: &[u8]) -> u32 {
    u32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_walked_with_alignment() {
        let mut body = Vec::new();
        body.extend_from_slice(&8u16.to_ne_bytes());
        body.extend_from_slice(&IFA_ADDRESS.to_ne_bytes());
        body.extend_from_slice(&[10, 0, 0, 1]);
        body.extend_from_slice(&5u16.to_ne_bytes());
        body.extend_from_slice(&3u16.to_ne_bytes());
        body.extend_from_slice(&[b'x', 0, 0, 0]);
        body.extend_from_slice(&8u16.to_ne_bytes());
        body.extend_from_slice(&IFA_LOCAL.to_ne_bytes());
        body.extend_from_slice(&[10, 0, 0, 2]);
        let attrs: Vec<_> = attributes(&body).collect();
        assert_eq!(attrs, [(1, &[10, 0, 0, 1][..]), (3, &[b'x'][..]), (2, &[10, 0, 0, 2][..])]);
    }

    #[test]
    fn a_truncated_attribute_ends_the_walk() {
        let body = [200, 0, 1, 0, 10, 0, 0, 1];
        assert_eq!(attributes(&body).count(), 0);
        assert_eq!(attributes(&[8, 0]).count(), 0);
    }

    #[test]
    fn loopback_is_listed() {
        let all = addresses().unwrap();
        assert!(all.iter().any(|a| a.addr == IpAddr::V4(Ipv4Addr::LOCALHOST) && a.has(0)));
    }
}
