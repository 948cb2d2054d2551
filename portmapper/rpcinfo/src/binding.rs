//! Reaching a portmapper and asking it where a program is, the ways
//! rpcinfo does: its own `local_rpcb`, `getclnthandle` and
//! `clnt_rpcbind_create`, and libtirpc's `rpcb_getaddr` (rpcbind v4,
//! v3, then portmap v2 over UDP), `clnt_tp_create` and `rpcb_unset`,
//! with the errors each leaves in `rpc_createerr`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use portmapper::proto::PMAP_PROG;
use portmapper::proto::pmap_prot::{self, Mapping};
use portmapper::proto::rpcb_prot::{self, Rpcb};
use xdr::ByteString;

use crate::context::Ctx;
use crate::errors::{CreateErr, Exit, RpcErr, Stat};
use crate::handle::{Addr, Handle, tli_create, uaddr2taddr};
use crate::netconfig::{self, Family, NETCONFIG, Nc, Semantics, getnetconfigent, visible};

/// The local rpcbind socket (libtirpc's `_PATH_RPCBINDSOCK`).
pub(crate) const RPCBIND_SOCK: &str = "/var/run/rpcbind.sock";

/// Timeout of rpcinfo's and libtirpc's calls to the portmapper.
pub(crate) const MINUTE: Duration = Duration::from_secs(60);

/// The portmapper's port (`sunrpc`, `rpcbind` in `/etc/services`).
const SUNRPC: u16 = 111;

/// rpcinfo's `local_rpcb`: the local socket, nothing else.
pub(crate) fn rpcinfo_local(vers: u32) -> Result<Handle, CreateErr> {
    tli_create(netconfig::local(), &Addr::Local(PathBuf::from(RPCBIND_SOCK)), (PMAP_PROG, vers))
}

/// rpcinfo's `getclnthandle`: the portmapper at the first address of
/// `host`, over `nc`; also returns that address.
fn rpcinfo_handle(
    host: &str,
    nc: &'static Nc,
    vers: u32,
) -> Result<(Handle, SocketAddr), CreateErr> {
    let addr = (host, SUNRPC)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or(CreateErr::new(Stat::N2AxlateFailure))?;
    Ok((tli_create(nc, &Addr::Inet(addr), (PMAP_PROG, vers))?, addr))
}

/// rpcinfo's `clnt_rpcbind_create`: the first of the visible stream,
/// then datagram, transports that reaches `host`'s portmapper.
fn rpcbind_create(host: &str, vers: u32) -> Result<(Handle, SocketAddr), CreateErr> {
    let mut last = CreateErr::new(Stat::UnknownProto);
    for nc in visible(Semantics::CotsOrd).chain(visible(Semantics::Clts)) {
        match rpcinfo_handle(host, nc, vers) {
            Ok(found) => return Ok(found),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// How rpcinfo reaches the portmapper it dumps or asks for statistics
/// or addresses: the local socket without a host; over `netid` when
/// one is given (an unknown one ends rpcinfo); else the first transport
/// that reaches the host. Also returns the address it was reached at.
/// Failures print with rpcinfo's `can't contact rpcbind`.
pub(crate) fn contact_rpcbind(
    host: Option<&str>,
    netid: Option<&str>,
    vers: u32,
    ctx: &mut Ctx<'_>,
) -> Result<(Handle, Option<SocketAddr>), Exit> {
    let found = match (host, netid) {
        (None, _) => rpcinfo_local(vers).map(|h| (h, None)),
        (Some(host), None) => rpcbind_create(host, vers).map(|(h, a)| (h, Some(a))),
        (Some(host), Some(netid)) => match getnetconfigent(netid, ctx.err) {
            Some(nc) => rpcinfo_handle(host, nc, vers).map(|(h, a)| (h, Some(a))),
            None => {
                let _ =
                    ctx.fail("rpcinfo: invalid transport: Netid not found in netconfig database");
                return Err(Exit);
            }
        },
    };
    found.map_err(|e| {
        let _ = ctx.fail(&e.spcreateerror("rpcinfo: can't contact rpcbind"));
        Exit
    })
}

/// A handle on this host's portmapper, as libtirpc's `local_rpcb` makes
/// one: the local socket (version 3), else TCP to loopback (version 4).
fn libtirpc_local() -> Result<(Handle, u32), CreateErr> {
    let local = Addr::Local(PathBuf::from(RPCBIND_SOCK));
    if let Ok(h) = tli_create(netconfig::local(), &local, (PMAP_PROG, rpcb_prot::RPCBVERS)) {
        return Ok((h, rpcb_prot::RPCBVERS));
    }
    // The last IP stream transport the kernel can make a socket for.
    let ipv6 = socket2::Socket::new(socket2::Domain::IPV6, socket2::Type::STREAM, None).is_ok();
    let (nc, host) =
        if ipv6 { (netconfig::tcp6(), "::1") } else { (netconfig::tcp(), "127.0.0.1") };
    let found = libtirpc_handle(host, nc)?;
    Ok((found.handle, rpcb_prot::RPCBVERS4))
}

/// What libtirpc's `getclnthandle` returns.
struct Found {
    handle: Handle,
    /// The universal address the portmapper was reached at.
    target: String,
    /// Its IP address, for portmap v2 answers.
    server: Option<SocketAddr>,
}

/// libtirpc's `getclnthandle`: the portmapper of `host` over `nc`, at
/// the first of its addresses that accepts.
fn libtirpc_handle(host: &str, nc: &'static Nc) -> Result<Found, CreateErr> {
    if nc.family == Family::Loopback {
        let (handle, _) = libtirpc_local()?;
        return Ok(Found { handle, target: RPCBIND_SOCK.to_owned(), server: None });
    }
    if !nc.is_ip() {
        return Err(CreateErr::new(Stat::UnknownProto));
    }
    let ipv6 = nc.family == Family::Inet6;
    let addrs: Vec<SocketAddr> = (host, SUNRPC)
        .to_socket_addrs()
        .map(|a| a.filter(|a| a.is_ipv6() == ipv6).collect())
        .unwrap_or_default();
    let mut last = CreateErr::new(Stat::UnknownHost);
    for addr in addrs {
        let taddr = Addr::Inet(addr);
        match tli_create(nc, &taddr, (PMAP_PROG, rpcb_prot::RPCBVERS4)) {
            Ok(handle) => return Ok(Found { handle, target: taddr.uaddr(), server: Some(addr) }),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// libtirpc's `rpcb_getaddr`: where `host`'s portmapper says `prog`
/// version `vers` listens on `nc`.
pub(crate) fn rpcb_getaddr(
    (prog, vers): (u32, u32),
    nc: &'static Nc,
    host: &str,
) -> Result<Addr, CreateErr> {
    let found = libtirpc_handle(host, nc)?;
    let parms = Rpcb {
        r_prog: prog,
        r_vers: vers,
        r_netid: text(nc.netid),
        r_addr: text(&found.target),
        r_owner: text("libtirpc"),
    };
    let mut last = RpcErr::new(Stat::ProgNotRegistered);
    for v in [rpcb_prot::RPCBVERS4, rpcb_prot::RPCBVERS] {
        let call = (PMAP_PROG, v, rpcb_prot::RPCBPROC_GETADDR);
        match found.handle.call::<_, ByteString>(call, &parms, MINUTE) {
            Ok(ua) if ua.is_empty() => return Err(CreateErr::new(Stat::ProgNotRegistered)),
            Ok(ua) => {
                let ua = String::from_utf8_lossy(ua.as_bytes());
                return uaddr2taddr(nc, &ua).ok_or(CreateErr::new(Stat::N2AxlateFailure));
            }
            Err(e) if e.stat == Stat::ProgVersMismatch && e.vers().0 > rpcb_prot::RPCBVERS4 => {
                return Err(CreateErr::call(e));
            }
            Err(e) => match e.stat {
                Stat::ProgVersMismatch | Stat::ProgUnavail | Stat::CantDecodeArgs => last = e,
                _ => return Err(CreateErr::call(e)),
            },
        }
    }
    drop(found);
    if nc.family == Family::Inet {
        return portmap_getport((prog, vers), nc, host);
    }
    Err(CreateErr { stat: Stat::ProgNotRegistered, cause: last })
}

/// libtirpc's `__try_protocol_version_2`: portmap v2 GETPORT over UDP.
fn portmap_getport((prog, vers): (u32, u32), nc: &Nc, host: &str) -> Result<Addr, CreateErr> {
    let found = libtirpc_handle(host, netconfig::udp())?;
    let prot = if nc.proto == "tcp" { pmap_prot::IPPROTO_TCP } else { pmap_prot::IPPROTO_UDP };
    let query = Mapping { prog, vers, prot, port: 0 };
    let call = (PMAP_PROG, pmap_prot::PMAP_VERS, pmap_prot::PMAPPROC_GETPORT);
    // The reply is an xdr_u_short: a 32-bit word cut to 16 bits.
    let port = found
        .handle
        .call::<_, u32>(call, &query, MINUTE)
        .map_err(|cause| CreateErr { stat: Stat::PmapFailure, cause })? as u16;
    match (port, found.server) {
        (0, _) | (_, None) => Err(CreateErr::new(Stat::ProgNotRegistered)),
        (port, Some(mut server)) => {
            server.set_port(port);
            Ok(Addr::Inet(server))
        }
    }
}

/// libtirpc's `clnt_tp_create`: a handle on `prog` version `vers` of
/// `host` over `nc`, found through the host's portmapper.
pub(crate) fn tp_create(
    host: &str,
    (prog, vers): (u32, u32),
    nc: &'static Nc,
) -> Result<Handle, CreateErr> {
    let addr = rpcb_getaddr((prog, vers), nc, host)?;
    tli_create(nc, &addr, (prog, vers))
}

/// libtirpc's `rpcb_unset`: asks the local portmapper to forget `prog`
/// version `vers` on `netid` (every transport for `None`). False when
/// it refused or could not be asked.
pub(crate) fn rpcb_unset((prog, vers): (u32, u32), netid: Option<&str>) -> bool {
    let Ok((handle, rpcbvers)) = libtirpc_local() else { return false };
    let owner = euid().to_string();
    let parms = Rpcb {
        r_prog: prog,
        r_vers: vers,
        r_netid: text(netid.unwrap_or("")),
        r_addr: text(""),
        r_owner: text(&owner),
    };
    let call = (PMAP_PROG, rpcbvers, rpcb_prot::RPCBPROC_UNSET);
    handle.call::<_, bool>(call, &parms, MINUTE).unwrap_or(false)
}

/// The effective user id, from `/proc`.
fn euid() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find_map(|l| l.strip_prefix("Uid:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(u32::MAX)
}

/// A protocol string; text longer than XDR allows cannot occur here
/// (netids, universal addresses and numbers), and would be sent empty.
pub(crate) fn text(s: &str) -> ByteString {
    ByteString::try_from(s).unwrap_or_default()
}

/// rpcinfo's `ip_getclient`: a handle on `prog` version `vers` of
/// `host` over the first `proto` (`tcp` or `udp`) transport whose
/// portmapper knows the host; a host unknown to every one is
/// `RPC_UNKNOWNHOST`.
pub(crate) fn ip_getclient(
    host: &str,
    (prog, vers): (u32, u32),
    proto: &str,
) -> Result<Handle, CreateErr> {
    let mut saved = CreateErr::new(Stat::UnknownHost);
    for nc in NETCONFIG.iter().filter(|nc| nc.proto == proto) {
        match rpcb_getaddr((prog, vers), nc, host) {
            Ok(addr) => return tli_create(nc, &addr, (prog, vers)),
            Err(e) if e.stat != Stat::UnknownHost => return Err(e),
            Err(e) => saved = e,
        }
    }
    Err(saved)
}
