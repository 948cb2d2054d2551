//! `rpcinfo -b prog vers`: calls the program's NULL procedure through
//! every portmapper of the local networks, as libtirpc's
//! `rpc_broadcast` does: rpcbind v3 CALLIT (and, over IPv4, portmap v2
//! CALLIT) to the broadcast address of each IPv4 interface and to the
//! rpcbind multicast group on each IPv6 one, sent after 0 s and 4 s,
//! answers collected until 8 s pass without one. Each answer prints as
//! `uaddr<TAB>host name`. `-T` is ignored, as rpcinfo ignores it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::sync::mpsc;
use std::time::Duration;

use portmapper::proto::PMAP_PROG;
use portmapper::proto::pmap_prot::{self, CallArgs, CallResult};
use portmapper::proto::rpcb_prot::{self, RpcbRmtcallargs, RpcbRmtcallres};
use rpc::{AuthFlavor, OpaqueAuth};
use xdr::Opaque;

use crate::args;
use crate::context::Ctx;
use crate::datagram::{decode_reply, encode_call, xid_seed};
use crate::errors::{Outcome, Stat};
use crate::handle::{Addr, uaddr2taddr};
use crate::interfaces::{self, IFF_BROADCAST, IFF_MULTICAST, IFF_UP, RPCB_MULTICAST};
use crate::netconfig::{Family, Nc, Semantics, visible};
use crate::operands;
use crate::reverse_dns;

/// The waits of libtirpc's `rpc_broadcast`: 4 s, then 8 s.
const WAITS: [Duration; 2] = [Duration::from_secs(4), Duration::from_secs(8)];

/// The portmapper's port.
const SUNRPC: u16 = 111;

/// A datagram transport with somewhere to broadcast to.
struct Transport {
    nc: &'static Nc,
    socket: UdpSocket,
    destinations: Vec<SocketAddr>,
}

/// Runs `-b`.
pub(crate) fn run(operands: &[String], ctx: &mut Ctx<'_>) -> Outcome {
    let [prog, vers] = operands else { return args::usage(ctx.err) };
    let prog = operands::prognum(prog, &ctx.names, ctx.err)? as u32;
    let vers = operands::versnum(vers, ctx.err)? as u32;
    match broadcast((prog, vers), ctx) {
        Ok(()) => Ok(()),
        Err(stat) => ctx.fail(&format!("rpcinfo: broadcast failed: {}", stat.message())),
    }
}

/// The broadcast proper; `Err` with the status rpcinfo reports.
fn broadcast((prog, vers): (u32, u32), ctx: &mut Ctx<'_>) -> Result<(), Stat> {
    let addresses = interfaces::addresses().unwrap_or_default();
    let mut status = Stat::Success;
    let mut transports = Vec::new();
    for nc in visible(Semantics::Clts) {
        let destinations = destinations(nc, &addresses);
        if destinations.is_empty() {
            continue;
        }
        let any: SocketAddr = match nc.family {
            Family::Inet6 => (Ipv6Addr::UNSPECIFIED, 0).into(),
            _ => (Ipv4Addr::UNSPECIFIED, 0).into(),
        };
        match UdpSocket::bind(any) {
            Ok(socket) => transports.push(Transport { nc, socket, destinations }),
            Err(_) => status = Stat::CantSend,
        }
    }
    if transports.is_empty() {
        return Err(if status == Stat::Success { Stat::UnknownProto } else { status });
    }
    let with_portmap = transports.iter().any(|t| t.nc.family == Family::Inet);
    let xid = xid_seed();
    let cred = auth_sys();
    let cred = OpaqueAuth { flavor: AuthFlavor::SYS, body: &cred };
    let rpcb_args = RpcbRmtcallargs { prog, vers, proc: 0, args: Opaque::default() };
    let rpcb_call = (PMAP_PROG, rpcb_prot::RPCBVERS, rpcb_prot::RPCBPROC_CALLIT);
    let rpcb_msg = encode_call(xid, rpcb_call, cred, &rpcb_args).map_err(|e| e.stat)?;
    let pmap_args = CallArgs { prog, vers, proc: 0, args: Opaque::default() };
    let pmap_call = (PMAP_PROG, pmap_prot::PMAP_VERS, pmap_prot::PMAPPROC_CALLIT);
    let pmap_msg =
        encode_call(xid.wrapping_add(1), pmap_call, cred, &pmap_args).map_err(|e| e.stat)?;

    let replies = listen(&transports);
    for wait in WAITS {
        for t in &transports {
            let _ = t.socket.set_broadcast(true);
            for dest in &t.destinations {
                if t.socket.send_to(&rpcb_msg, dest).is_err() {
                    warn(ctx, "rpc_broadcast_exp: cannot send broadcast packet");
                    continue;
                }
                if with_portmap
                    && t.nc.family == Family::Inet
                    && t.socket.send_to(&pmap_msg, dest).is_err()
                {
                    warn(ctx, "clnt_bcast: Cannot send broadcast packet");
                }
            }
        }
        while let Ok((i, from, message)) = replies.recv_timeout(wait) {
            let nc = transports[i].nc;
            let found = match rpc::msg::peek_xid(&message) {
                Some(x) if x == xid => {
                    decode_reply::<RpcbRmtcallres>(&message).ok().and_then(|r| {
                        let uaddr = String::from_utf8_lossy(r.addr.as_bytes()).into_owned();
                        uaddr2taddr(nc, &uaddr).or_else(|| ipv6v4_fixup(from, &uaddr))
                    })
                }
                Some(x) if with_portmap && x == xid.wrapping_add(1) => {
                    decode_reply::<CallResult>(&message).ok().map(|r| {
                        let mut at = from;
                        at.set_port(r.port as u16);
                        Addr::Inet(at)
                    })
                }
                _ => None,
            };
            if let Some(Addr::Inet(service)) = found {
                let host = reverse_dns::name_of(service.ip()).unwrap_or_else(|| "unknown".into());
                ctx.print(&format!("{}\t{host}\n", Addr::Inet(service).uaddr()));
                let _ = ctx.out.flush();
            }
        }
    }
    Ok(())
}

/// Where a transport's broadcasts go: the broadcast address of each
/// IPv4 address of an interface that is up and can broadcast, or the
/// rpcbind multicast group on each IPv6 address of an interface that
/// is up and can multicast.
fn destinations(nc: &Nc, addresses: &[interfaces::IfAddr]) -> Vec<SocketAddr> {
    addresses
        .iter()
        .filter(|a| a.flags & IFF_UP != 0)
        .filter_map(|a| match (nc.family, a.addr) {
            (Family::Inet, IpAddr::V4(_)) if a.flags & IFF_BROADCAST != 0 => {
                a.broadcast.map(|b| SocketAddr::from((b, SUNRPC)))
            }
            (Family::Inet6, IpAddr::V6(_)) if a.flags & IFF_MULTICAST != 0 => {
                Some(SocketAddrV6::new(RPCB_MULTICAST, SUNRPC, 0, a.index).into())
            }
            _ => None,
        })
        .collect()
}

/// Reads every transport's socket on a thread of its own; the replies
/// arrive on the channel with the transport's index and the sender.
fn listen(transports: &[Transport]) -> mpsc::Receiver<(usize, SocketAddr, Vec<u8>)> {
    let (tx, rx) = mpsc::channel();
    for (i, t) in transports.iter().enumerate() {
        let (Ok(socket), tx) = (t.socket.try_clone(), tx.clone()) else { continue };
        std::thread::spawn(move || {
            let mut buf = vec![0; 65_535];
            while let Ok((n, from)) = socket.recv_from(&mut buf) {
                if tx.send((i, from, buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

/// libtirpc's patch for rpcbinds that answer an IPv4 broadcast with an
/// IPv6 universal address: the sender's IPv4 address with that port.
fn ipv6v4_fixup(from: SocketAddr, uaddr: &str) -> Option<Addr> {
    let port = portmapper::uaddr::to_socket_addr(uaddr).ok().filter(SocketAddr::is_ipv6)?.port();
    from.is_ipv4().then(|| Addr::Inet(SocketAddr::new(from.ip(), port)))
}

/// `authunix_create_default`'s credentials, encoded.
fn auth_sys() -> Vec<u8> {
    match clnt::Auth::sys_default() {
        Ok(clnt::Auth::Sys(parms)) => xdr::to_vec(&parms).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `warnx`: the program name, the message, a newline, on stderr.
fn warn(ctx: &mut Ctx<'_>, message: &str) {
    let _ = writeln!(ctx.err, "{}: {message}", ctx.progname);
}
