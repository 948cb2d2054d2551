//! The local fast path: a program on this host that registered a Unix
//! socket (netid `local`) with this host's portmapper is reached over
//! that socket, rather than over TCP, by clients that asked for a stream
//! transport ([`Rpcbind::connect`], [`crate::connect`]). The calls and
//! replies are the same; the kernel's loopback TCP stack is skipped, and
//! the server learns the caller's uid, gid and pid from the socket.
//!
//! "This host" is a loopback or unspecified address, or an address of
//! one of this host's interfaces; the portmapper must be reachable over
//! its local socket, which is trusted to be the same daemon as the one
//! at the IP address (as libtirpc trusts `/run/rpcbind.sock` to be the
//! loopback portmapper).

use std::net::IpAddr;

use clnt::{Client, ClientBuilder};

use crate::binding::Rpcbind;
use crate::interfaces;
use crate::netid::Netid;

/// True when `ip` reaches this host: a loopback or unspecified address
/// (IPv4-mapped ones too), or an address of one of its interfaces.
pub(crate) fn is_this_host(ip: IpAddr) -> bool {
    let ip = ip.to_canonical();
    ip.is_loopback()
        || ip.is_unspecified()
        || interfaces::addresses().is_ok_and(|all| all.iter().any(|a| a.addr == ip))
}

impl Rpcbind {
    /// A client of `builder`'s program over the Unix socket it registered
    /// with this portmapper, for exactly its version (rpcbind v4
    /// GETVERSADDR on netid `local`), when the portmapper runs on this
    /// host and has a local socket. `None` when any of that is not so or
    /// fails (no such registration, a portmapper without v4, a socket
    /// that refuses): the caller goes over TCP.
    pub(crate) fn local_route(&self, builder: &ClientBuilder) -> Option<Client> {
        self.socket_path()?;
        if !self.inet_addr().is_none_or(|at| is_this_host(at.ip())) {
            return None;
        }
        let (prog, vers) = builder.program();
        let path = self.getversaddr(prog, vers, Netid::Local).ok()?;
        match builder.clone().unix(&path) {
            Ok(client) => {
                log::debug!("program {prog} version {vers}: over its local socket {path}");
                Some(client)
            }
            Err(e) => {
                log::debug!("program {prog} version {vers}: local socket {path} refused ({e})");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_hosts_addresses() {
        for ip in ["127.0.0.1", "127.0.0.9", "::1", "0.0.0.0", "::", "::ffff:127.0.0.1"] {
            assert!(is_this_host(ip.parse().unwrap()), "{ip}");
        }
        // Documentation addresses, on no interface here.
        for ip in ["192.0.2.1", "2001:db8::1"] {
            assert!(!is_this_host(ip.parse().unwrap()), "{ip}");
        }
    }
}
