//! [`Broadcast`]: one call made through every portmapper on the local
//! networks, as libtirpc's `rpc_broadcast_exp` makes it. Each portmapper
//! forwards the call to the program where it runs (a remote call:
//! rpcbind's CALLIT or BCAST, portmap's CALLIT) and relays the program's
//! answer; portmappers without the program, and programs that fail, stay
//! silent. Every answer goes to a callback as it arrives, which may stop
//! the broadcast.
//!
//! ```no_run
//! use std::ops::ControlFlow;
//! use portmapper::broadcast::Broadcast;
//! // Who serves NFS version 3? (procedure 0 takes and returns nothing)
//! Broadcast::new(100_003, 3, 0, &())?.run(|answer: portmapper::broadcast::Answer<()>| {
//!     eprintln!("{} from {}", answer.service, answer.responder);
//!     ControlFlow::<()>::Continue(())
//! })?;
//! # Ok::<(), portmapper::Error>(())
//! ```
//!
//! The calls are resent in rounds whose waits double ([`Broadcast::waits`])
//! with the same transaction ids, so that portmappers and programs that
//! were slow or missed a datagram answer later. Each responder - the
//! portmapper's host, by the address its answers come from - is delivered
//! once, its first answer; its later ones (the other protocol's, later
//! rounds') are dropped, unless [`Broadcast::every_reply`] asks for each
//! as libtirpc delivers them.

mod destinations;
mod reply;
mod schedule;
mod sockets;

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use clnt::Auth;
use xdr::{DecodeOwned, Decoder, Encode, Opaque};

use crate::error::Error;
use crate::message;
use crate::proto::PMAP_PROG;
use crate::proto::pmap_prot::{self, CallArgs};
use crate::proto::rpcb_prot::{self, RpcbRmtcallargs};

pub use destinations::{RPCB_MULTICAST, local_destinations, multicast_interfaces};

/// The first round's wait of libtirpc's `rpc_broadcast`: 4 s.
pub const DEFAULT_INITIAL_WAIT: Duration = Duration::from_secs(4);
/// The longest round's wait of libtirpc's `rpc_broadcast`: 8 s.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(8);

/// The most responders remembered to drop their repeated answers; past
/// it, answers from new responders are dropped too (memory stays bounded
/// whatever a network sends).
pub const MAX_RESPONDERS: usize = 65_536;

/// The remote-call procedures a broadcast can go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// rpcbind version 3 CALLIT, over IPv4 and IPv6.
    Rpcbind3,
    /// rpcbind version 4 BCAST, over IPv4 and IPv6.
    Rpcbind4,
    /// portmap version 2 CALLIT, over IPv4 only.
    Portmap2,
}

impl Protocol {
    /// What libtirpc sends: rpcbind v3 CALLIT, and portmap v2 CALLIT to
    /// the IPv4 destinations.
    pub const LIBTIRPC: [Protocol; 2] = [Protocol::Rpcbind3, Protocol::Portmap2];

    /// The portmapper's (version, procedure) for this remote call.
    pub fn procedure(self) -> (u32, u32) {
        match self {
            Protocol::Rpcbind3 => (rpcb_prot::RPCBVERS, rpcb_prot::RPCBPROC_CALLIT),
            Protocol::Rpcbind4 => (rpcb_prot::RPCBVERS4, rpcb_prot::RPCBPROC_BCAST),
            Protocol::Portmap2 => (pmap_prot::PMAP_VERS, pmap_prot::PMAPPROC_CALLIT),
        }
    }

    /// True for the protocols only IPv4 portmappers speak.
    pub fn ipv4_only(self) -> bool {
        self == Protocol::Portmap2
    }

    /// The xid of this protocol's call in a broadcast whose first xid is
    /// `first`: rpcbind's, then portmap's next (as libtirpc numbers
    /// them), then v4's.
    fn xid(self, first: u32) -> u32 {
        first.wrapping_add(match self {
            Protocol::Rpcbind3 => 0,
            Protocol::Portmap2 => 1,
            Protocol::Rpcbind4 => 2,
        })
    }
}

/// One program's answer to a broadcast.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Answer<R> {
    /// The program's results, decoded.
    pub results: R,
    /// Where the answer came from: the address of the portmapper's host,
    /// and the port it answered from (rpcbind answers the calls it
    /// forwarded from its forwarding socket, not port 111).
    pub responder: SocketAddr,
    /// Where the program listens (for UDP), as the portmapper says.
    pub service: SocketAddr,
    /// The remote call the portmapper answered.
    pub protocol: Protocol,
    /// The round whose sends it answered or followed: 0 for the first.
    pub round: u32,
}

/// A call that could not be sent to one destination in one round.
#[derive(Debug)]
#[non_exhaustive]
pub struct Unsent {
    /// Where it was going.
    pub destination: SocketAddr,
    /// Which call it was.
    pub protocol: Protocol,
    /// Why it could not be sent.
    pub error: io::Error,
}

/// A broadcast call: procedure, arguments, credentials, timing and
/// destinations. Build it, then [`Broadcast::run`] it (as often as
/// wanted).
#[derive(Debug, Clone)]
pub struct Broadcast {
    prog: u32,
    vers: u32,
    proc_num: u32,
    args: Vec<u8>,
    auth: Auth,
    initial_wait: Duration,
    max_wait: Duration,
    destinations: Option<Vec<SocketAddr>>,
    protocols: Vec<Protocol>,
    every_reply: bool,
}

impl Broadcast {
    /// A broadcast of procedure `proc_num` of `prog` version `vers` with
    /// `args`; with `AUTH_SYS` credentials of this process (as rpcinfo
    /// sends; `AUTH_NONE` when they cannot be read), libtirpc's timing
    /// and protocols, to [`local_destinations`]. Fails when the arguments
    /// cannot be encoded.
    pub fn new<A: Encode + ?Sized>(
        prog: u32,
        vers: u32,
        proc_num: u32,
        args: &A,
    ) -> Result<Broadcast, Error> {
        Ok(Broadcast {
            prog,
            vers,
            proc_num,
            args: xdr::to_vec(args).map_err(|e| Error::Rpc(clnt::Error::CantEncodeArgs(e)))?,
            auth: Auth::sys_default().unwrap_or_default(),
            initial_wait: DEFAULT_INITIAL_WAIT,
            max_wait: DEFAULT_MAX_WAIT,
            destinations: None,
            protocols: Protocol::LIBTIRPC.to_vec(),
            every_reply: false,
        })
    }

    /// The credentials the call carries (the portmappers pass
    /// `AUTH_NONE` and `AUTH_SYS` on to the program, and refuse to
    /// forward others).
    pub fn auth(mut self, auth: Auth) -> Broadcast {
        self.auth = auth;
        self
    }

    /// The rounds: the calls are sent, then answers collected for
    /// `initial`; sent again and collected for twice as long; and so on
    /// while the wait does not exceed `max` (the first round is always
    /// made). libtirpc's `rpc_broadcast_exp` takes the same two times;
    /// `rpc_broadcast` uses [`DEFAULT_INITIAL_WAIT`] and
    /// [`DEFAULT_MAX_WAIT`]: rounds of 4 s and 8 s, 12 s in all.
    pub fn waits(mut self, initial: Duration, max: Duration) -> Broadcast {
        self.initial_wait = initial;
        self.max_wait = max;
        self
    }

    /// Sends to these portmapper addresses instead of
    /// [`local_destinations`]: broadcast or multicast addresses, or single
    /// hosts (a unicast "broadcast" asks just them).
    pub fn destinations(mut self, destinations: impl IntoIterator<Item = SocketAddr>) -> Broadcast {
        self.destinations = Some(destinations.into_iter().collect());
        self
    }

    /// The remote calls to send to each destination, in this order
    /// (default [`Protocol::LIBTIRPC`]); each gets its own xid, and a
    /// repeat in the list is ignored.
    pub fn protocols(mut self, protocols: &[Protocol]) -> Broadcast {
        self.protocols.clear();
        for &p in protocols {
            if !self.protocols.contains(&p) {
                self.protocols.push(p);
            }
        }
        self
    }

    /// Delivers every answer, each responder's repeats included (one per
    /// protocol and per round), as libtirpc does; by default a responder
    /// is delivered once.
    pub fn every_reply(mut self, yes: bool) -> Broadcast {
        self.every_reply = yes;
        self
    }

    /// Runs the broadcast, handing each answer whose results decode as `R`
    /// to `each` as it arrives; a send that fails is logged. See
    /// [`Broadcast::run_with`].
    pub fn run<R: DecodeOwned, B>(
        &self,
        each: impl FnMut(Answer<R>) -> ControlFlow<B>,
    ) -> Result<Option<B>, Error> {
        self.run_with(each, |u| {
            log::warn!("broadcast {:?} to {}: {}", u.protocol, u.destination, u.error);
        })
    }

    /// Runs the broadcast: every round sends the calls, then hands each
    /// answer whose results decode as `R` to `each` as it arrives, until
    /// the round's wait is over. Returns `Some` with what `each` stopped
    /// with ([`ControlFlow::Break`]), at once; `None` when every round ran
    /// (libtirpc's `RPC_TIMEDOUT`, the usual end). A call that cannot be
    /// sent to a destination is reported to `unsent` and the round goes
    /// on. Errors: [`Error::NoBroadcastDestination`] when there is no
    /// destination (no network to broadcast on, or the interfaces cannot
    /// be listed), and [`Error::Rpc`] when no socket can be made or the
    /// calls cannot be encoded.
    pub fn run_with<R: DecodeOwned, B>(
        &self,
        mut each: impl FnMut(Answer<R>) -> ControlFlow<B>,
        mut unsent: impl FnMut(&Unsent),
    ) -> Result<Option<B>, Error> {
        let destinations = match &self.destinations {
            Some(list) => list.clone(),
            None => local_destinations().unwrap_or_default(),
        };
        let endpoints = sockets::Endpoints::open(&destinations)?;
        let xid = message::xid_seed();
        let calls = self
            .protocols
            .iter()
            .map(|&p| Ok((p, self.call(p, xid)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        let mut delivered = HashSet::new();
        for (round, wait) in (0..).zip(schedule::rounds(self.initial_wait, self.max_wait)) {
            endpoints.send(&calls, &mut unsent);
            let now = Instant::now();
            let until = now.checked_add(wait).unwrap_or(now + Duration::from_secs(1 << 32));
            let stopped = endpoints.receive(until, |datagram, responder| {
                let Some(reply) = reply::read(datagram, responder, xid, &self.protocols) else {
                    return ControlFlow::Continue(());
                };
                let Ok(results) = Decoder::new(&reply.results).read::<R>() else {
                    return ControlFlow::Continue(());
                };
                if !self.every_reply && !first_from(&mut delivered, responder) {
                    return ControlFlow::Continue(());
                }
                let (service, protocol) = (reply.service, reply.protocol);
                each(Answer { results, responder, service, protocol, round })
            })?;
            if stopped.is_some() {
                return Ok(stopped);
            }
        }
        Ok(None)
    }

    /// The encoded remote call of `protocol`, its xid counted from
    /// `first`.
    fn call(&self, protocol: Protocol, first: u32) -> Result<Vec<u8>, Error> {
        let (pmap_vers, pmap_proc) = protocol.procedure();
        let (xid, procedure) = (protocol.xid(first), (PMAP_PROG, pmap_vers, pmap_proc));
        let args = Opaque::try_from(&self.args[..])
            .map_err(|e| Error::Rpc(clnt::Error::CantEncodeArgs(e)))?;
        let (prog, vers, proc) = (self.prog, self.vers, self.proc_num);
        let message = match protocol {
            Protocol::Portmap2 => {
                let call = CallArgs { prog, vers, proc, args };
                message::encode_call(xid, procedure, &self.auth, &call)
            }
            Protocol::Rpcbind3 | Protocol::Rpcbind4 => {
                let call = RpcbRmtcallargs { prog, vers, proc, args };
                message::encode_call(xid, procedure, &self.auth, &call)
            }
        };
        Ok(message?)
    }
}

/// True when `responder`'s host (its address, whatever the port) had no
/// answer delivered yet, and there is room to remember it: it is
/// remembered.
fn first_from(delivered: &mut HashSet<SocketAddr>, mut responder: SocketAddr) -> bool {
    responder.set_port(0);
    delivered.len() < MAX_RESPONDERS && delivered.insert(responder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responders_are_remembered_within_the_bound() {
        let mut seen = HashSet::new();
        let a: SocketAddr = "10.0.0.1:111".parse().unwrap();
        assert!(first_from(&mut seen, a));
        assert!(!first_from(&mut seen, a));
        assert!(!first_from(&mut seen, "10.0.0.1:40000".parse().unwrap()), "another port");
        let scoped: SocketAddr = "[fe80::1%2]:111".parse().unwrap();
        assert!(first_from(&mut seen, scoped));
        assert!(first_from(&mut seen, "[fe80::1%3]:111".parse().unwrap()), "another link");
        for n in 0..(MAX_RESPONDERS - 3) as u32 {
            assert!(first_from(&mut seen, SocketAddr::from((n.to_be_bytes(), 9))));
        }
        assert!(!first_from(&mut seen, "10.0.0.2:111".parse().unwrap()), "full");
    }

    #[test]
    fn calls_name_the_program_through_the_portmapper() {
        let b = Broadcast::new(0x2000_0001, 3, 7, &9u32).unwrap().auth(Auth::None);
        let v2 = b.call(Protocol::Portmap2, 10).unwrap();
        let (header, args) = rpc::CallHeader::decode_with_args(&v2).unwrap();
        assert_eq!((header.xid, header.prog, header.vers, header.proc_num), (11, 100_000, 2, 5));
        let args: CallArgs = xdr::from_slice(args).unwrap();
        assert_eq!(
            (args.prog, args.vers, args.proc, args.args.as_bytes()),
            (0x2000_0001, 3, 7, &[0, 0, 0, 9][..])
        );
        let v4 = b.call(Protocol::Rpcbind4, 10).unwrap();
        let (header, _) = rpc::CallHeader::decode_with_args(&v4).unwrap();
        assert_eq!((header.xid, header.vers, header.proc_num), (12, 4, 5));
    }
}
