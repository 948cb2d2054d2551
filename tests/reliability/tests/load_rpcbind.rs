//! Load on our rpcbind (issue 9, part 3), run as a process with `-w`:
//!
//! * 64 concurrent clients x 10,000 GETADDR of a registered program, each
//!   client over one kept TCP connection (rpcbind v4); every answer must
//!   be the program's address. (A connection per lookup, as libtirpc's
//!   `rpcb_getaddr` makes them, measures the kernel's connection set-up
//!   more than the daemon, and leaves 640,000 sockets in TIME_WAIT.)
//! * 64 clients x 10,000 calls of a mix: each client SETs versions of a
//!   program of its own (over the local socket, as `rpcb_set`), UNSETs
//!   its oldest once it has more than a few, and between those looks its
//!   versions up (GETVERSADDR over one kept TCP connection): a version it
//!   saw acknowledged is there with its address, one it removed is gone.
//!   At the end DUMP must list exactly the versions each client has
//!   registered and not removed.
//!
//! Every call must succeed; the latency percentiles are printed as
//! `FIGURE` lines (`-- --nocapture`).
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

use oncrpc::clnt::ClientBuilder;
use oncrpc::portmapper::proto::rpcb_prot::{RPCBPROG, RPCBVERS4, Rpcb, RpcbprogRpcbvers4Client};
use oncrpc::portmapper::{Netid, Rpcbind, uaddr};
use reliability_tests::load::{CLIENTS, Load, RpcbindProcess, calls_per_client, exclusive};

/// Longest a whole load may run before its clients stop by themselves.
const DEADLINE: Duration = Duration::from_secs(300);

/// Per-call timeout (libtirpc's).
const CALL_TIMEOUT: Duration = Duration::from_secs(25);

/// The program every client of the GETADDR load looks up.
const SHARED_PROG: u32 = 0x3a00_0000;
/// Its port.
const SHARED_PORT: u16 = 4321;

/// Client `c`'s own program in the mix.
fn own_prog(c: usize) -> u32 {
    0x3a10_0000 + c as u32
}

/// The port client `c` registers version `vers` of its program at.
fn port_of(vers: u32) -> u16 {
    10_000 + (vers % 50_000) as u16
}

fn uaddr_of(port: u16) -> String {
    uaddr::from_socket_addr(([127, 0, 0, 1], port).into())
}

/// In the mix, of every `PERIOD` calls of a client one is a SET and one
/// an UNSET (once it holds more than `KEEP` versions), one a lookup of a
/// version it removed, the others lookups of versions it holds.
const PERIOD: usize = 100;
/// Versions a client keeps registered before it starts removing its
/// oldest.
const KEEP: usize = 4;

#[test]
fn sixty_four_clients_look_up_a_program() {
    let _machine = exclusive();
    let scratch = test_support::ScratchDir::new("load-rpcbind-getaddr");
    let daemon = RpcbindProcess::start(scratch.path());
    let binding = daemon.binding(CALL_TIMEOUT);
    assert!(binding.set(SHARED_PROG, 1, Netid::Tcp, &uaddr_of(SHARED_PORT)).unwrap());
    let addr = daemon.addr();
    let load = Load::start(
        "rpcbind_getaddr",
        CLIENTS,
        calls_per_client(),
        DEADLINE,
        move |_| {
            let client = ClientBuilder::new(RPCBPROG, RPCBVERS4).timeout(CALL_TIMEOUT).tcp(addr);
            client.map(RpcbprogRpcbvers4Client::new).map_err(|e| e.to_string())
        },
        |v4: &mut RpcbprogRpcbvers4Client, _, _| {
            let query = Rpcb {
                r_prog: SHARED_PROG,
                r_vers: 1,
                r_netid: "tcp".try_into().unwrap(),
                ..Rpcb::default()
            };
            match v4.getaddr(&query) {
                Ok(found)
                    if uaddr::port(&String::from_utf8_lossy(&found)).ok() == Some(SHARED_PORT) =>
                {
                    Ok(())
                }
                Ok(found) => Err(format!("GETADDR answered {found:?}")),
                Err(e) => Err(format!("GETADDR: {e}")),
            }
        },
    );
    let mut outcome = load.wait(DEADLINE + Duration::from_secs(60));
    outcome.print_figure(&[
        ("server", "rpcbind".into()),
        ("call", "getaddr_v4_tcp_kept_connection".into()),
    ]);
    outcome.assert_clean();
}

/// One client of the mix: what it has seen acknowledged.
struct MixClient {
    /// SET, UNSET (over the local socket) and DUMP.
    binding: Rpcbind,
    /// Lookups, over one kept TCP connection.
    v4: RpcbprogRpcbvers4Client,
    prog: u32,
    /// Versions registered (acknowledged) and not removed, oldest first.
    live: VecDeque<u32>,
    /// The last version whose removal was acknowledged.
    removed: Option<u32>,
    next_vers: u32,
    sets: u64,
    unsets: u64,
}

impl MixClient {
    fn getversaddr(&self, vers: u32) -> Result<String, String> {
        let query = Rpcb {
            r_prog: self.prog,
            r_vers: vers,
            r_netid: "tcp".try_into().unwrap(),
            ..Rpcb::default()
        };
        let found = self.v4.getversaddr(&query).map_err(|e| format!("GETVERSADDR: {e}"))?;
        Ok(String::from_utf8_lossy(&found).into_owned())
    }

    fn call(&mut self, i: usize) -> Result<(), String> {
        match i % PERIOD {
            0 => {
                let vers = self.next_vers;
                self.next_vers += 1;
                match self.binding.set(self.prog, vers, Netid::Tcp, &uaddr_of(port_of(vers))) {
                    Ok(true) => {
                        self.live.push_back(vers);
                        self.sets += 1;
                        Ok(())
                    }
                    other => Err(format!("SET {:#x} v{vers}: {other:?}", self.prog)),
                }
            }
            p if p == PERIOD / 2 && self.live.len() > KEEP => {
                let vers = self.live[0];
                match self.binding.unset(self.prog, vers, Some(Netid::Tcp)) {
                    Ok(true) => {
                        self.live.pop_front();
                        self.removed = Some(vers);
                        self.unsets += 1;
                        Ok(())
                    }
                    other => Err(format!("UNSET {:#x} v{vers}: {other:?}", self.prog)),
                }
            }
            p if p == PERIOD / 4 && self.removed.is_some() => {
                let vers = self.removed.unwrap_or_default();
                match self.getversaddr(vers)? {
                    found if found.is_empty() => Ok(()),
                    found => Err(format!("v{vers} removed, yet at {found}")),
                }
            }
            _ if !self.live.is_empty() => {
                let vers = self.live[i % self.live.len()];
                let found = self.getversaddr(vers)?;
                if uaddr::port(&found).ok() == Some(port_of(vers)) {
                    Ok(())
                } else {
                    Err(format!("v{vers} acknowledged, yet GETVERSADDR answered {found:?}"))
                }
            }
            _ => self.binding.gettime().map(drop).map_err(|e| format!("GETTIME: {e}")),
        }
    }
}

#[test]
fn sixty_four_clients_set_unset_and_look_up_and_dump_agrees() {
    let _machine = exclusive();
    let scratch = test_support::ScratchDir::new("load-rpcbind-mix");
    let daemon = RpcbindProcess::start(scratch.path());
    let (addr, socket) = (daemon.addr(), daemon.socket());
    let load = Load::start(
        "rpcbind_mix",
        CLIENTS,
        calls_per_client(),
        DEADLINE,
        move |c| {
            let binding = Rpcbind::at(addr).socket(Some(socket.clone())).timeout(CALL_TIMEOUT);
            let client = ClientBuilder::new(RPCBPROG, RPCBVERS4)
                .timeout(CALL_TIMEOUT)
                .tcp(addr)
                .map_err(|e| e.to_string())?;
            Ok(MixClient {
                binding,
                v4: RpcbprogRpcbvers4Client::new(client),
                prog: own_prog(c),
                live: VecDeque::new(),
                removed: None,
                next_vers: 1,
                sets: 0,
                unsets: 0,
            })
        },
        |client: &mut MixClient, _, i| client.call(i),
    );
    let mut outcome = load.wait(DEADLINE + Duration::from_secs(60));
    let sets: u64 = outcome.states.iter().flatten().map(|c| c.sets).sum();
    let unsets: u64 = outcome.states.iter().flatten().map(|c| c.unsets).sum();
    outcome.print_figure(&[
        ("server", "rpcbind".into()),
        ("call", "mix_set_unset_getversaddr".into()),
        ("sets", sets.to_string()),
        ("unsets", unsets.to_string()),
    ]);
    outcome.assert_clean();
    let clients: Vec<MixClient> = outcome.states.into_iter().flatten().collect();
    let dump = daemon.binding(CALL_TIMEOUT).dump().unwrap();
    for client in &clients {
        let listed: BTreeSet<(u32, u16)> = dump
            .iter()
            .filter(|r| r.r_prog == client.prog && r.r_netid.as_bytes() == b"tcp")
            .map(|r| (r.r_vers, uaddr::port(&String::from_utf8_lossy(&r.r_addr)).unwrap()))
            .collect();
        let expected: BTreeSet<(u32, u16)> = client.live.iter().map(|&v| (v, port_of(v))).collect();
        assert_eq!(listed, expected, "program {:#x}: DUMP against acknowledged", client.prog);
    }
}
