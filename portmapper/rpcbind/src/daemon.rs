//! [`Daemon`]: the state directory locked and read, the sockets bound as
//! rpcbind binds them, rpcbind's own registrations made, ready to serve on
//! this thread ([`Daemon::run`]) or another ([`Daemon::spawn`], which tests
//! and benchmarks use).
//!
//! Listeners: TCP on `0.0.0.0` and `::` (IPv6-only), UDP on the same or,
//! with `-h`, on each address given plus 127.0.0.1 and ::1, and the local
//! socket (mode 0666, so that unprivileged servers can register); with
//! `--listen`, TCP and UDP on the addresses given only. Without
//! IPv6 on the host the daemon carries on with IPv4 alone, as rpcbind
//! skips a transport it cannot bind.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::Duration;

use portmapper::broadcast::{self, RPCB_MULTICAST};
use portmapper::proto::PMAP_PROG;
use svc::{Limits, ListenAddr, Server, ServerHandle};

use crate::caller::SUPERUSER;
use crate::config::{FORWARD_TIMEOUT, Options};
use crate::error::Error;
use crate::forward::Forwarder;
use crate::front::Front;
use crate::persist::StateDir;
use crate::pmap::PortmapV2;
use crate::privileges::{self, User};
use crate::proto::pmap::PmapProgPmapVersServer;
use crate::proto::rpcb::{RpcbprogRpcbvers4Server, RpcbprogRpcbversServer};
use crate::rpcb::{RpcbindV3, RpcbindV4};
use crate::service::{Policy, Service};
use crate::stats::Version;
use crate::table::Registration;

/// The largest call record taken on a stream, as rpcbind sets it
/// (`RPC_MAXDATASIZE`): every request fits many times over.
const MAX_RECORD: usize = 9000;
/// Stream connections idle this long are closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Which of rpcbind's own registrations a listener stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Tcp6,
    Udp6,
    Tcp,
    Udp,
    Local,
    /// A further `-h` socket, not listed.
    Extra,
}

impl Role {
    /// The netid and the versions rpcbind lists for it, in its order.
    fn listing(self) -> Option<(&'static str, &'static [u32])> {
        match self {
            Role::Tcp6 => Some(("tcp6", &[4, 3])),
            Role::Udp6 => Some(("udp6", &[4, 3])),
            Role::Tcp => Some(("tcp", &[4, 3, 2])),
            Role::Udp => Some(("udp", &[4, 3, 2])),
            Role::Local => Some(("local", &[4, 3])),
            Role::Extra => None,
        }
    }
}

/// The daemon, bound and ready to serve.
#[derive(Debug)]
pub struct Daemon {
    server: Server,
    service: Arc<Service>,
    user: Option<User>,
}

impl Daemon {
    /// Locks and reads the state directory, binds every socket and makes
    /// rpcbind's own registrations.
    pub fn bind(opts: &Options) -> Result<Daemon, Error> {
        let state_error = |source| Error::StateDir { path: opts.state_dir.clone(), source };
        let state = StateDir::open(&opts.state_dir).map_err(state_error)?;
        let restored = if opts.warm_start { warm_start(&state) } else { Vec::new() };
        let user = if opts.drop_privileges {
            let user = privileges::lookup(&opts.user).map_err(Error::Privileges)?;
            state.give_to(user.uid, user.gid).map_err(state_error)?;
            Some(user)
        } else {
            None
        };
        let forwarder = opts
            .remote_calls
            .then(|| Forwarder::new(usize::from(opts.max_forwards), FORWARD_TIMEOUT));
        let policy = Policy { insecure: opts.insecure, log_calls: opts.log_calls, forwarder };
        let service = Arc::new(Service::new(restored, Some(state), policy));

        svc::reclaim_socket_path(&opts.socket)
            .map_err(|source| Error::Socket { path: opts.socket.clone(), source })?;
        let plan = plan(opts)?;
        let workers = svc::default_workers()
            + if opts.remote_calls { usize::from(opts.max_forwards) } else { 0 };
        let (server, plan) = match build(&service, &plan, workers) {
            Err(svc::Error::Bind { addr, source, .. }) if is_ipv6(&addr) => {
                log::warn!("cannot listen on {addr} ({source}): serving IPv4 only");
                let v4: Vec<_> = plan.into_iter().filter(|(l, _)| !is_ipv6_listener(l)).collect();
                (build(&service, &v4, workers)?, v4)
            }
            other => (other?, plan),
        };
        let socket_error = |source| Error::Socket { path: opts.socket.clone(), source };
        std::fs::set_permissions(&opts.socket, std::fs::Permissions::from_mode(0o666))
            .map_err(socket_error)?;
        let own = own_registrations(&plan, server.local_addrs());
        service.start(own).map_err(state_error)?;
        Ok(Daemon { server, service, user })
    }

    /// The shared state (table, statistics).
    pub fn service(&self) -> &Arc<Service> {
        &self.service
    }

    /// The bound listeners.
    pub fn local_addrs(&self) -> &[ListenAddr] {
        self.server.local_addrs()
    }

    /// The IPv4 TCP listener's address.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.find(|l| matches!(l, ListenAddr::Tcp(a) if a.is_ipv4()))
    }

    /// The (first) IPv4 UDP socket's address.
    pub fn udp_addr(&self) -> Option<SocketAddr> {
        self.find(|l| matches!(l, ListenAddr::Udp(a) if a.is_ipv4()))
    }

    fn find(&self, pick: impl Fn(&ListenAddr) -> bool) -> Option<SocketAddr> {
        self.local_addrs().iter().find(|l| pick(l)).and_then(ListenAddr::socket_addr)
    }

    /// With `-s`, becomes the unprivileged user now. Call on the thread
    /// that will serve, before any other thread is started.
    pub fn drop_privileges(&self) -> Result<(), Error> {
        match self.user {
            Some(user) => privileges::become_user(user).map_err(Error::Privileges),
            None => Ok(()),
        }
    }

    /// Serves on this thread until the process ends.
    pub fn run(self) -> Result<(), Error> {
        Ok(self.server.run()?)
    }

    /// Serves on a new thread; dropping the handle stops the server.
    pub fn spawn(self) -> Result<ServerHandle, Error> {
        Ok(self.server.spawn()?)
    }
}

/// The registrations a warm start restores: an unreadable file is moved
/// aside and the daemon starts empty (services register again when they
/// restart; refusing to start would leave every RPC service unreachable).
fn warm_start(state: &StateDir) -> Vec<Registration> {
    match state.load() {
        Ok(regs) => {
            log::info!("warm start: {} registrations restored", regs.len());
            regs
        }
        Err(e) => {
            match state.quarantine() {
                Ok(to) => log::error!("warm start: {e}; moved to {}, starting empty", to.display()),
                Err(q) => {
                    log::error!("warm start: {e}; cannot move it aside ({q}), starting empty")
                }
            }
            Vec::new()
        }
    }
}

/// The addresses of a `-h` argument: a literal address, or a name's
/// addresses.
fn host_addrs(host: &str) -> Result<Vec<IpAddr>, Error> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let addrs = (host, 0).to_socket_addrs().map_err(|_| Error::Host(host.to_owned()))?;
    Ok(addrs.map(|a| a.ip()).collect())
}

/// Every listener, with the registration it stands for.
fn plan(opts: &Options) -> Result<Vec<(ListenAddr, Role)>, Error> {
    let port = opts.port;
    let at = |ip: IpAddr| SocketAddr::new(ip, port);
    let any4 = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    let any6 = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
    if !opts.listen.is_empty() {
        return Ok(only_on(&opts.listen, port, opts));
    }
    let mut plan = vec![
        (ListenAddr::Tcp(at(any6)), Role::Tcp6),
        (ListenAddr::Tcp(at(any4)), Role::Tcp),
        (ListenAddr::Unix(opts.socket.clone()), Role::Local),
    ];
    if opts.hosts.is_empty() {
        plan.push((ListenAddr::Udp(at(any6)), Role::Udp6));
        plan.push((ListenAddr::Udp(at(any4)), Role::Udp));
        return Ok(plan);
    }
    // As rpcbind: the first address given of a family is the one listed,
    // else the family's loopback, which is always added.
    let mut hosts = Vec::new();
    for host in &opts.hosts {
        for ip in host_addrs(host)? {
            if !hosts.contains(&ip) {
                hosts.push(ip);
            }
        }
    }
    for (loopback, listed) in [
        (IpAddr::V6(Ipv6Addr::LOCALHOST), Role::Udp6),
        (IpAddr::V4(Ipv4Addr::LOCALHOST), Role::Udp),
    ] {
        let mut family: Vec<IpAddr> =
            hosts.iter().copied().filter(|h| h.is_ipv6() == loopback.is_ipv6()).collect();
        if !family.contains(&loopback) {
            family.push(loopback);
        }
        for (i, ip) in family.into_iter().enumerate() {
            plan.push((ListenAddr::Udp(at(ip)), if i == 0 { listed } else { Role::Extra }));
        }
    }
    Ok(plan)
}

/// The listeners of `--listen`: TCP and UDP on each address, the first
/// of each family listed, and the local socket.
fn only_on(addrs: &[IpAddr], port: u16, opts: &Options) -> Vec<(ListenAddr, Role)> {
    let mut plan = Vec::new();
    for (i, &ip) in addrs.iter().enumerate() {
        let first = !addrs[..i].iter().any(|a| a.is_ipv6() == ip.is_ipv6());
        let (tcp, udp) = match (first, ip.is_ipv6()) {
            (false, _) => (Role::Extra, Role::Extra),
            (true, true) => (Role::Tcp6, Role::Udp6),
            (true, false) => (Role::Tcp, Role::Udp),
        };
        let at = SocketAddr::new(ip, port);
        plan.push((ListenAddr::Tcp(at), tcp));
        plan.push((ListenAddr::Udp(at), udp));
    }
    plan.push((ListenAddr::Unix(opts.socket.clone()), Role::Local));
    plan
}

fn is_ipv6(addr: &str) -> bool {
    addr.parse::<SocketAddr>().is_ok_and(|a| a.is_ipv6())
}

fn is_ipv6_listener(l: &ListenAddr) -> bool {
    l.socket_addr().is_some_and(|a| a.is_ipv6())
}

/// The interfaces to join the rpcbind multicast group on; none when they
/// cannot be listed (logged: unicast service goes on).
fn multicast_interfaces() -> Vec<u32> {
    broadcast::multicast_interfaces().unwrap_or_else(|e| {
        log::warn!("cannot list the interfaces for {RPCB_MULTICAST}: {e}");
        Vec::new()
    })
}

/// Binds the listeners and registers the three versions.
fn build(
    service: &Arc<Service>,
    plan: &[(ListenAddr, Role)],
    workers: usize,
) -> Result<Server, svc::Error> {
    let s = || Arc::clone(service);
    let mut builder = Server::builder()
        .register(
            PMAP_PROG,
            2,
            Front::new(s(), Version::Pmap2, PmapProgPmapVersServer(PortmapV2(s()))),
        )
        .register(
            PMAP_PROG,
            3,
            Front::new(s(), Version::Rpcb3, RpcbprogRpcbversServer(RpcbindV3(s()))),
        )
        .register(
            PMAP_PROG,
            4,
            Front::new(s(), Version::Rpcb4, RpcbprogRpcbvers4Server(RpcbindV4(s()))),
        )
        .workers(workers)
        .limits(Limits {
            max_record: MAX_RECORD,
            idle_timeout: Some(IDLE_TIMEOUT),
            ..Limits::default()
        });
    // IPv6 broadcasts (libtirpc's rpc_broadcast, rpcinfo -b) go to the
    // rpcbind group; the wildcard udp6 listener hears them on every
    // interface able to.
    for index in multicast_interfaces() {
        builder = builder.join_multicast_v6(RPCB_MULTICAST, index);
    }
    for (listen, _) in plan {
        builder = match listen {
            ListenAddr::Tcp(a) => builder.listen_tcp(*a),
            ListenAddr::Udp(a) => builder.listen_udp(*a),
            ListenAddr::Unix(p) => builder.listen_unix(p.clone()),
        };
    }
    builder.build()
}

/// rpcbind's own registrations, in its listing order, at the addresses
/// actually bound (`bound` is in the order of `plan`).
fn own_registrations(plan: &[(ListenAddr, Role)], bound: &[ListenAddr]) -> Vec<Registration> {
    let mut own = Vec::new();
    for role in [Role::Tcp6, Role::Udp6, Role::Tcp, Role::Udp, Role::Local] {
        let Some(listen) = plan.iter().zip(bound).find(|((_, r), _)| *r == role).map(|(_, b)| b)
        else {
            continue;
        };
        let Some((netid, versions)) = role.listing() else { continue };
        let addr = match listen {
            ListenAddr::Tcp(a) | ListenAddr::Udp(a) => portmapper::uaddr::from_socket_addr(*a),
            ListenAddr::Unix(p) => p.to_string_lossy().into_owned(),
        };
        for &vers in versions {
            own.push(Registration::new(PMAP_PROG, vers, netid, &addr, SUPERUSER));
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn opts(args: &[&str]) -> Options {
        Options::parse_from(["rpcbind", "--socket", "/s.sock"].iter().chain(args))
    }

    #[test]
    fn own_registrations_are_listed_as_rpcbind_lists_them() {
        let p = plan(&opts(&[])).unwrap();
        let bound: Vec<ListenAddr> = p.iter().map(|(l, _)| l.clone()).collect();
        let own = own_registrations(&p, &bound);
        let listed: Vec<_> = own
            .iter()
            .map(|r| {
                (
                    r.vers,
                    String::from_utf8_lossy(&r.netid).into_owned(),
                    String::from_utf8_lossy(&r.addr).into_owned(),
                )
            })
            .collect();
        let expected = [
            (4, "tcp6", "::.0.111"),
            (3, "tcp6", "::.0.111"),
            (4, "udp6", "::.0.111"),
            (3, "udp6", "::.0.111"),
            (4, "tcp", "0.0.0.0.0.111"),
            (3, "tcp", "0.0.0.0.0.111"),
            (2, "tcp", "0.0.0.0.0.111"),
            (4, "udp", "0.0.0.0.0.111"),
            (3, "udp", "0.0.0.0.0.111"),
            (2, "udp", "0.0.0.0.0.111"),
            (4, "local", "/s.sock"),
            (3, "local", "/s.sock"),
        ];
        let expected: Vec<_> =
            expected.iter().map(|(v, n, a)| (*v, (*n).to_owned(), (*a).to_owned())).collect();
        assert_eq!(listed, expected);
        assert!(own.iter().all(|r| r.owner == b"superuser" && r.prog == 100_000));
    }

    #[test]
    fn listen_binds_tcp_and_udp_only_there() {
        let p = plan(&opts(&["--listen", "127.0.0.2", "--listen", "127.0.0.3"])).unwrap();
        let listed: Vec<_> = p
            .iter()
            .map(|(l, r)| (l.socket_addr().map(|a| a.to_string()), l.transport(), *r))
            .collect();
        let s = |a: &str| Some(a.to_owned());
        assert_eq!(
            listed,
            [
                (s("127.0.0.2:111"), svc::Transport::Tcp, Role::Tcp),
                (s("127.0.0.2:111"), svc::Transport::Udp, Role::Udp),
                (s("127.0.0.3:111"), svc::Transport::Tcp, Role::Extra),
                (s("127.0.0.3:111"), svc::Transport::Udp, Role::Extra),
                (None, svc::Transport::Unix, Role::Local),
            ]
        );
    }

    #[test]
    fn hosts_restrict_udp_and_list_the_first() {
        let p = plan(&opts(&["-h", "10.0.0.1", "-h", "10.0.0.2", "-h", "127.0.0.1"])).unwrap();
        let udp: Vec<_> = p
            .iter()
            .filter_map(|(l, r)| match l {
                ListenAddr::Udp(a) => Some((a.to_string(), *r)),
                _ => None,
            })
            .collect();
        let s = |a: &str, r| (a.to_owned(), r);
        assert_eq!(
            udp,
            [
                s("[::1]:111", Role::Udp6),
                s("10.0.0.1:111", Role::Udp),
                s("10.0.0.2:111", Role::Extra),
                s("127.0.0.1:111", Role::Extra),
            ]
        );
        assert!(matches!(plan(&opts(&["-h", "no-such-host.invalid"])), Err(Error::Host(_))));
    }
}
