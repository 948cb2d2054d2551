//! The lookups measured, made with our client against either daemon.

use std::thread;
use std::time::{Duration, Instant};

use oncrpc::clnt::ClientBuilder;
use oncrpc::portmapper::proto::pmap_prot::{Mapping, PmapProgPmapVersClient};
use oncrpc::portmapper::proto::rpcb_prot::{Rpcb, RpcbprogRpcbvers4Client};
use oncrpc::portmapper::{Netid, Rpcbind, proto::PMAP_PROG};
use oncrpc::xdr::ByteString;

use crate::daemons::Daemon;

/// The program every timed lookup asks for (registered, never served).
const TARGET: u32 = 0x2000_0777;
/// Its port.
const TARGET_PORT: u16 = 4242;
/// Its local socket.
const TARGET_SOCKET: &str = "/run/target.sock";

/// One kind of lookup.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lookup {
    /// `pmap_getport`: portmap v2 GETPORT over UDP.
    GetportUdp,
    /// `rpcb_getaddr`: rpcbind v4 GETADDR over TCP.
    GetaddrTcp,
    /// rpcbind v4 GETADDR over the local socket.
    GetaddrLocal,
    /// GETADDR over TCP from this many clients at once, each on its own
    /// connection and thread.
    GetaddrTcpParallel(u32),
}

/// Registers the target program on TCP and UDP (portmap v2 SET) and on
/// the local socket (rpcbind v3 SET).
pub(crate) fn register_target(daemon: &Daemon) {
    let rpcbind = daemon.rpcbind();
    for netid in [Netid::Tcp, Netid::Udp] {
        let done = rpcbind.pmap_set(TARGET, 1, netid, TARGET_PORT);
        assert!(matches!(done, Ok(true)), "{}: SET {netid}: {done:?}", daemon.name());
    }
    let done = Rpcbind::unix(&daemon.socket).set(TARGET, 1, Netid::Local, TARGET_SOCKET);
    assert!(matches!(done, Ok(true)), "{}: SET local: {done:?}", daemon.name());
}

/// A GETADDR query; a portmapper answers it for the transport it arrives
/// on, whatever the netid says.
fn query(prog: u32, netid: Netid) -> Rpcb {
    Rpcb {
        r_prog: prog,
        r_vers: 1,
        r_netid: ByteString::try_from(netid.as_str()).expect("short"),
        r_addr: ByteString::default(),
        r_owner: ByteString::default(),
    }
}

fn v4_tcp(daemon: &Daemon) -> RpcbprogRpcbvers4Client {
    let client = ClientBuilder::new(PMAP_PROG, 4).tcp(daemon.addr).expect("connect");
    RpcbprogRpcbvers4Client::new(client)
}

/// `n` lookups of the target; the time per lookup.
pub(crate) fn run(daemon: &Daemon, lookup: Lookup, n: u32) -> Duration {
    let inet = format!("127.0.0.1.{}.{}", TARGET_PORT >> 8, TARGET_PORT & 0xff);
    let getaddr = |client: &RpcbprogRpcbvers4Client, n: u32, netid: Netid| {
        let q = query(TARGET, netid);
        let expected = if netid == Netid::Local { TARGET_SOCKET } else { inet.as_str() };
        for _ in 0..n {
            let addr = client.getaddr(&q).expect("GETADDR");
            assert_eq!(addr.as_bytes(), expected.as_bytes(), "{}", daemon.name());
        }
    };
    match lookup {
        Lookup::GetportUdp => {
            let client = ClientBuilder::new(PMAP_PROG, 2).udp(daemon.addr).expect("udp");
            let client = PmapProgPmapVersClient::new(client);
            let q = Mapping { prog: TARGET, vers: 1, prot: 17, port: 0 };
            timed(n, || {
                for _ in 0..n {
                    assert_eq!(client.getport(&q).expect("GETPORT"), u32::from(TARGET_PORT));
                }
            })
        }
        Lookup::GetaddrTcp => {
            let client = v4_tcp(daemon);
            timed(n, || getaddr(&client, n, Netid::Tcp))
        }
        Lookup::GetaddrLocal => {
            let client = ClientBuilder::new(PMAP_PROG, 4).unix(&daemon.socket).expect("unix");
            let client = RpcbprogRpcbvers4Client::new(client);
            timed(n, || getaddr(&client, n, Netid::Local))
        }
        Lookup::GetaddrTcpParallel(clients) => {
            let all: Vec<_> = (0..clients).map(|_| v4_tcp(daemon)).collect();
            let each = n / clients;
            timed(each * clients, || {
                thread::scope(|s| {
                    for client in &all {
                        s.spawn(|| getaddr(client, each, Netid::Tcp));
                    }
                });
            })
        }
    }
}

/// `n` GETADDR lookups of distinct unregistered programs from 4 clients;
/// the total time.
pub(crate) fn unregistered_lookups(daemon: &Daemon, n: u32) -> Duration {
    let clients: Vec<_> = (0..4).map(|_| v4_tcp(daemon)).collect();
    let each = n / 4;
    let start = Instant::now();
    thread::scope(|s| {
        for (i, client) in (0u32..).zip(&clients) {
            s.spawn(move || {
                for k in 0..each {
                    let answer = client
                        .getaddr(&query(0x4000_0000 + i * each + k, Netid::Tcp))
                        .expect("GETADDR");
                    assert!(answer.is_empty(), "unregistered programs have no address");
                }
            });
        }
    });
    start.elapsed()
}

fn timed(n: u32, work: impl FnOnce()) -> Duration {
    let start = Instant::now();
    work();
    start.elapsed() / n.max(1)
}
