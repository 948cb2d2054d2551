//! [`Rpcbind`]: the binding client. It reaches a portmapper the way
//! libtirpc does - registrations and listings over the local socket when
//! one is configured, else TCP or UDP; lookups over the transport they
//! ask about - and speaks rpcbind v4, v3 or portmap v2, falling back on
//! `PROG_MISMATCH` and `PROG_UNAVAIL` as `rpcb_getaddr` does.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clnt::{Client, ClientBuilder};
use xdr::{ByteString, Opaque};

use crate::error::Error;
use crate::netid::Netid;
use crate::proto::PMAP_PROG;
use crate::proto::pmap_prot::{self, CallArgs, Mapping, PmapProgPmapVersClient};
use crate::proto::rpcb_prot::{
    self, Netbuf, Rpcb, RpcbEntry, RpcbRmtcallargs, RpcbStatByvers, RpcbprogRpcbvers4Client,
    RpcbprogRpcbversClient,
};

/// Where rpcbind listens for local clients.
pub const DEFAULT_SOCKET: &str = "/run/rpcbind.sock";

/// The portmapper's well-known port.
pub const PMAP_PORT: u16 = 111;

/// How to reach one portmapper, and the calls it answers.
///
/// Every call opens its own connection, as libtirpc's `rpcb_*` functions
/// do; a [`Rpcbind`] is only an address book and cheap to clone.
///
/// ```no_run
/// use portmapper::{Netid, Rpcbind};
/// let addr = Rpcbind::local().getaddr(100003, 3, Netid::Tcp)?;
/// # Ok::<(), portmapper::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rpcbind {
    socket: Option<PathBuf>,
    inet: Option<SocketAddr>,
    datagram: bool,
    timeout: Duration,
}

impl Rpcbind {
    /// This host's portmapper: [`DEFAULT_SOCKET`] first, then TCP to
    /// 127.0.0.1 port 111.
    pub fn local() -> Rpcbind {
        Rpcbind {
            socket: Some(PathBuf::from(DEFAULT_SOCKET)),
            inet: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, PMAP_PORT))),
            datagram: false,
            timeout: Duration::from_secs(25),
        }
    }

    /// The portmapper at `addr`, over TCP (see [`Rpcbind::udp`]).
    pub fn at(addr: SocketAddr) -> Rpcbind {
        Rpcbind { socket: None, inet: Some(addr), ..Rpcbind::local() }
    }

    /// The portmapper listening on the local socket at `path` only.
    pub fn unix(path: impl Into<PathBuf>) -> Rpcbind {
        Rpcbind { socket: Some(path.into()), inet: None, ..Rpcbind::local() }
    }

    /// Tries the local socket at `path` before the IP address (or not, for
    /// `None`).
    pub fn socket(mut self, path: Option<PathBuf>) -> Rpcbind {
        self.socket = path;
        self
    }

    /// Talks to the IP address over UDP instead of TCP.
    pub fn udp(mut self, yes: bool) -> Rpcbind {
        self.datagram = yes;
        self
    }

    /// Time allowed for each call (default 25 s, libtirpc's).
    pub fn timeout(mut self, timeout: Duration) -> Rpcbind {
        self.timeout = timeout;
        self
    }

    /// The local socket tried first, if any.
    pub fn socket_path(&self) -> Option<&Path> {
        self.socket.as_deref()
    }

    /// The IP address of the portmapper, if any.
    pub fn inet_addr(&self) -> Option<SocketAddr> {
        self.inet
    }

    /// A client for version `vers` of the portmapper program, over the
    /// local socket if it accepts, else over IP.
    pub fn client(&self, vers: u32) -> Result<Client, Error> {
        let mut last = None;
        if let Some(path) = &self.socket {
            match self.builder(vers).unix(path) {
                Ok(c) => return Ok(c),
                Err(e) => last = Some(Error::Rpc(e)),
            }
        }
        if let Some(addr) = self.inet {
            return self.connect_inet(vers, addr, self.datagram);
        }
        Err(last.unwrap_or_else(|| {
            Error::Rpc(clnt::Error::UnknownHost("no portmapper address".into()))
        }))
    }

    /// A client for version `vers` over the transport `netid` names. A
    /// portmapper answers GETADDR for the transport the query arrives on,
    /// so lookups go over the transport they are about, as libtirpc's do.
    pub fn client_on(&self, vers: u32, netid: Netid) -> Result<Client, Error> {
        if netid == Netid::Local {
            let path = self.socket.as_ref().ok_or(Error::UnknownNetid(netid.to_string()))?;
            return Ok(self.builder(vers).unix(path)?);
        }
        let addr = self.inet.ok_or(Error::UnknownNetid(netid.to_string()))?;
        let addr = match (addr, netid.is_ipv6()) {
            (a, v6) if a.is_ipv6() == v6 => a,
            (a, true) if a.ip().is_loopback() => SocketAddr::from((Ipv6Addr::LOCALHOST, a.port())),
            (a, false) if a.ip().is_loopback() => SocketAddr::from((Ipv4Addr::LOCALHOST, a.port())),
            (a, _) => {
                return Err(Error::UnknownHost { host: a.ip().to_string(), netid });
            }
        };
        self.connect_inet(vers, addr, netid.is_datagram())
    }

    fn builder(&self, vers: u32) -> ClientBuilder {
        ClientBuilder::new(PMAP_PROG, vers).timeout(self.timeout).connect_timeout(self.timeout)
    }

    fn connect_inet(&self, vers: u32, addr: SocketAddr, datagram: bool) -> Result<Client, Error> {
        let builder = self.builder(vers);
        Ok(if datagram { builder.udp(addr)? } else { builder.tcp(addr)? })
    }

    fn v4(&self) -> Result<RpcbprogRpcbvers4Client, Error> {
        self.client(rpcb_prot::RPCBVERS4).map(RpcbprogRpcbvers4Client::new)
    }

    fn v3(&self) -> Result<RpcbprogRpcbversClient, Error> {
        self.client(rpcb_prot::RPCBVERS).map(RpcbprogRpcbversClient::new)
    }

    /// Portmap v2 is an IPv4 protocol: it goes over IP, never the local
    /// socket.
    fn v2(&self) -> Result<PmapProgPmapVersClient, Error> {
        let addr = self.inet.ok_or(Error::UnknownNetid("portmap v2 over a local socket".into()))?;
        self.connect_inet(pmap_prot::PMAP_VERS, addr, self.datagram)
            .map(PmapProgPmapVersClient::new)
    }

    /// Registers `prog` version `vers` at universal address `uaddr` on
    /// `netid` (rpcbind v3 SET, as `rpcb_set`). False when the
    /// portmapper refused: already registered, or not allowed.
    pub fn set(&self, prog: u32, vers: u32, netid: Netid, uaddr: &str) -> Result<bool, Error> {
        let args = rpcb(prog, vers, netid.as_str(), uaddr)?;
        Ok(self.v3()?.set(&args)?)
    }

    /// Removes the registrations of `prog` version `vers` on `netid`, or
    /// on every transport for `None` (rpcbind v3 UNSET, as `rpcb_unset`).
    pub fn unset(&self, prog: u32, vers: u32, netid: Option<Netid>) -> Result<bool, Error> {
        let args = rpcb(prog, vers, netid.map_or("", Netid::as_str), "")?;
        Ok(self.v3()?.unset(&args)?)
    }

    /// The universal address of `prog` version `vers` on `netid`: rpcbind
    /// v4 GETADDR, then v3, then (for IPv4 TCP and UDP) portmap v2
    /// GETPORT, each tried when the previous version is not spoken.
    /// [`Error::NotRegistered`] when the program is not there.
    pub fn getaddr(&self, prog: u32, vers: u32, netid: Netid) -> Result<String, Error> {
        let args = rpcb(prog, vers, netid.as_str(), "")?;
        let v4 = RpcbprogRpcbvers4Client::new(self.client_on(rpcb_prot::RPCBVERS4, netid)?);
        let answer = match v4.getaddr(&args) {
            Err(e) if speaks_other_version(&e) => {
                match RpcbprogRpcbversClient::new(v4.inner().clone()).getaddr(&args) {
                    Err(e) if speaks_other_version(&e) && netid.ipproto().is_some() => {
                        return self.getaddr_v2(prog, vers, netid);
                    }
                    other => other?,
                }
            }
            other => other?,
        };
        non_empty(answer)
    }

    /// Portmap v2 GETPORT, over the transport of `netid`, turned into a
    /// universal address on the portmapper's own host.
    fn getaddr_v2(&self, prog: u32, vers: u32, netid: Netid) -> Result<String, Error> {
        let prot = netid.ipproto().ok_or(Error::UnknownNetid(netid.to_string()))?;
        let v2 = PmapProgPmapVersClient::new(self.client_on(pmap_prot::PMAP_VERS, netid)?);
        let port = port_of(v2.getport(&Mapping { prog, vers, prot, port: 0 })?)?;
        let host = self.inet.map_or(Ipv4Addr::LOCALHOST.into(), |a| a.ip());
        Ok(crate::uaddr::from_socket_addr(SocketAddr::new(host, port)))
    }

    /// The address of exactly version `vers` (rpcbind v4 GETVERSADDR).
    pub fn getversaddr(&self, prog: u32, vers: u32, netid: Netid) -> Result<String, Error> {
        let args = rpcb(prog, vers, netid.as_str(), "")?;
        let v4 = RpcbprogRpcbvers4Client::new(self.client_on(rpcb_prot::RPCBVERS4, netid)?);
        non_empty(v4.getversaddr(&args)?)
    }

    /// Every address of `prog` version `vers`, on `netid` or on every
    /// transport for `None` (rpcbind v4 GETADDRLIST).
    pub fn getaddrlist(
        &self,
        prog: u32,
        vers: u32,
        netid: Option<Netid>,
    ) -> Result<Vec<RpcbEntry>, Error> {
        let args = rpcb(prog, vers, netid.map_or("", Netid::as_str), "")?;
        let list = self.v4()?.getaddrlist(&args)?;
        Ok(list.into_iter().map(|n| n.rpcb_entry_map).collect())
    }

    /// Every registration (rpcbind v4 DUMP, else v3).
    pub fn dump(&self) -> Result<Vec<Rpcb>, Error> {
        let list = match self.v4()?.dump() {
            Err(e) if speaks_other_version(&e) => self.v3()?.dump()?,
            other => other?,
        };
        Ok(list.into_iter().map(|n| n.rpcb_map).collect())
    }

    /// The portmapper host's time, in seconds since the epoch (v4, else v3).
    pub fn gettime(&self) -> Result<u32, Error> {
        match self.v4()?.gettime() {
            Err(e) if speaks_other_version(&e) => Ok(self.v3()?.gettime()?),
            other => Ok(other?),
        }
    }

    /// The transport address of universal address `uaddr` (v3 UADDR2TADDR).
    pub fn uaddr2taddr(&self, uaddr: &str) -> Result<Netbuf, Error> {
        Ok(self.v3()?.uaddr2_taddr(&bytes(uaddr)?)?)
    }

    /// The universal address of transport address `taddr` (v3 TADDR2UADDR).
    pub fn taddr2uaddr(&self, taddr: &Netbuf) -> Result<String, Error> {
        Ok(text(self.v3()?.taddr2_uaddr(taddr)?))
    }

    /// The portmapper's statistics (rpcbind v4 GETSTAT), for `rpcinfo -m`.
    pub fn getstat(&self) -> Result<RpcbStatByvers, Error> {
        Ok(self.v4()?.getstat()?)
    }

    /// Asks the portmapper to call procedure `proc_num` of `prog` version
    /// `vers` with the encoded `args` (rpcbind v3 CALLIT). Returns the
    /// program's universal address and its encoded results.
    pub fn callit(
        &self,
        prog: u32,
        vers: u32,
        proc_num: u32,
        args: &[u8],
    ) -> Result<(String, Vec<u8>), Error> {
        let call = RpcbRmtcallargs { prog, vers, proc: proc_num, args: opaque(args)? };
        let res = self.v3()?.callit(&call)?;
        Ok((text(res.addr), res.results.into_inner()))
    }

    /// Registers `prog` version `vers` on `port` for IPv4 TCP or UDP
    /// (portmap v2 SET, as `pmap_set`).
    pub fn pmap_set(&self, prog: u32, vers: u32, netid: Netid, port: u16) -> Result<bool, Error> {
        let prot = netid.ipproto().ok_or(Error::UnknownNetid(netid.to_string()))?;
        Ok(self.v2()?.set(&Mapping { prog, vers, prot, port: port.into() })?)
    }

    /// Removes `prog` version `vers` on IPv4 TCP and UDP (portmap v2
    /// UNSET, as `pmap_unset`).
    pub fn pmap_unset(&self, prog: u32, vers: u32) -> Result<bool, Error> {
        Ok(self.v2()?.unset(&Mapping { prog, vers, prot: 0, port: 0 })?)
    }

    /// The port of `prog` version `vers` on IPv4 TCP or UDP (portmap v2
    /// GETPORT, as `pmap_getport`); [`Error::NotRegistered`] for port 0.
    pub fn pmap_getport(&self, prog: u32, vers: u32, netid: Netid) -> Result<u16, Error> {
        let prot = netid.ipproto().ok_or(Error::UnknownNetid(netid.to_string()))?;
        port_of(self.v2()?.getport(&Mapping { prog, vers, prot, port: 0 })?)
    }

    /// Every portmap v2 mapping (portmap v2 DUMP, as `pmap_getmaps`).
    pub fn pmap_dump(&self) -> Result<Vec<Mapping>, Error> {
        let list = self.v2()?.dump()?;
        Ok(list.into_iter().map(|n| n.map).collect())
    }

    /// Portmap v2 CALLIT (as `pmap_rmtcall`): the program's port and its
    /// encoded results.
    pub fn pmap_callit(
        &self,
        prog: u32,
        vers: u32,
        proc_num: u32,
        args: &[u8],
    ) -> Result<(u32, Vec<u8>), Error> {
        let call = CallArgs { prog, vers, proc: proc_num, args: opaque(args)? };
        let res = self.v2()?.callit(&call)?;
        Ok((res.port, res.res.into_inner()))
    }
}

/// True when the portmapper answered that it does not speak the version
/// asked for, so an older one is worth trying.
fn speaks_other_version(e: &clnt::Error) -> bool {
    matches!(e, clnt::Error::ProgVersMismatch { .. } | clnt::Error::ProgUnavail)
}

/// A GETPORT answer: [`Error::NotRegistered`] for port 0.
fn port_of(port: u32) -> Result<u16, Error> {
    match u16::try_from(port) {
        Ok(0) => Err(Error::NotRegistered),
        Ok(p) => Ok(p),
        Err(_) => Err(Error::BadUaddr(format!("port {port}"))),
    }
}

fn non_empty(uaddr: ByteString) -> Result<String, Error> {
    if uaddr.is_empty() { Err(Error::NotRegistered) } else { Ok(text(uaddr)) }
}

/// The text of a protocol string; bytes that are not UTF-8 are replaced.
pub(crate) fn text(s: ByteString) -> String {
    match String::from_utf8(s.into_inner()) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn bytes(s: &str) -> Result<ByteString, Error> {
    ByteString::try_from(s).map_err(|e| Error::Rpc(clnt::Error::CantEncodeArgs(e)))
}

fn opaque(data: &[u8]) -> Result<Opaque, Error> {
    Opaque::try_from(data).map_err(|e| Error::Rpc(clnt::Error::CantEncodeArgs(e)))
}

/// An `rpcb` query or registration; the owner is left for the portmapper
/// to establish, as rpcbind ignores what the caller claims.
fn rpcb(prog: u32, vers: u32, netid: &str, uaddr: &str) -> Result<Rpcb, Error> {
    Ok(Rpcb {
        r_prog: prog,
        r_vers: vers,
        r_netid: bytes(netid)?,
        r_addr: bytes(uaddr)?,
        r_owner: bytes(&rustix::process::getuid().as_raw().to_string())?,
    })
}
