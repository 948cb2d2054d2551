//! Advertising a server's programs with the portmapper: every (program,
//! version) on every listener, registered once the listeners are bound
//! and unregistered when the server stops.

use portmapper::{Netid, Rpcbind, uaddr};

use crate::error::{Error, Result};
use crate::listener::ListenAddr;

/// The registrations a server made; dropping it removes them.
#[derive(Debug)]
pub(crate) struct Advertisement {
    rpcbind: Rpcbind,
    made: Vec<(u32, u32, Netid)>,
}

impl Advertisement {
    /// Registers every pair of `programs` at every address of `addrs`.
    /// Stale registrations of the same program, version and transport
    /// (left by a server that died) are removed first, as rpcgen's
    /// servers do. On failure, what was registered is removed again.
    pub(crate) fn register(
        rpcbind: Rpcbind,
        programs: &[(u32, u32)],
        addrs: &[ListenAddr],
    ) -> Result<Advertisement> {
        let mut advertisement = Advertisement { rpcbind, made: Vec::new() };
        for addr in addrs {
            let (netid, uaddr) = universal(addr)?;
            for &(prog, vers) in programs {
                let fail = |source| Error::Register { prog, vers, netid, source };
                let rpcbind = &advertisement.rpcbind;
                rpcbind.unset(prog, vers, Some(netid)).map_err(fail)?;
                match rpcbind.set(prog, vers, netid, &uaddr) {
                    Ok(true) => advertisement.made.push((prog, vers, netid)),
                    Ok(false) => return Err(fail(portmapper::Error::Refused)),
                    Err(e) => return Err(fail(e)),
                }
            }
        }
        Ok(advertisement)
    }
}

impl Drop for Advertisement {
    fn drop(&mut self) {
        for &(prog, vers, netid) in &self.made {
            match self.rpcbind.unset(prog, vers, Some(netid)) {
                Ok(true) => {}
                Ok(false) => log::warn!("portmapper refused to unregister {prog}/{vers}/{netid}"),
                Err(e) => log::warn!("cannot unregister {prog}/{vers}/{netid}: {e}"),
            }
        }
    }
}

/// The netid and universal address of a bound listener.
fn universal(addr: &ListenAddr) -> Result<(Netid, String)> {
    Ok(match addr {
        ListenAddr::Tcp(a) => {
            (if a.is_ipv6() { Netid::Tcp6 } else { Netid::Tcp }, uaddr::from_socket_addr(*a))
        }
        ListenAddr::Udp(a) => {
            (if a.is_ipv6() { Netid::Udp6 } else { Netid::Udp }, uaddr::from_socket_addr(*a))
        }
        ListenAddr::Unix(path) => {
            let text = path.to_str().ok_or_else(|| Error::Register {
                prog: 0,
                vers: 0,
                netid: Netid::Local,
                source: portmapper::Error::BadUaddr(path.display().to_string()),
            })?;
            (Netid::Local, text.to_owned())
        }
    })
}
