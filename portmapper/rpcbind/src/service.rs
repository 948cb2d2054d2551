//! [`Service`]: the daemon's state - the registration table, its state
//! directory, the statistics, the options - and the procedures every
//! protocol version shares, with rpcbind's semantics. The version-specific
//! traits (`pmap.rs`, `rpcb.rs`) only translate arguments and results.

use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use portmapper::Netid;
use portmapper::proto::pmap_prot::{Pmaplist, PmaplistPtr};
use portmapper::proto::rpcb_prot::{
    Netbuf, Rpcb, RpcbEntry, RpcbEntryList, RpcbEntryListPtr, RpcbStatByvers, Rpcblist, RpcblistPtr,
};
use rpc::AuthStat;
use svc::{CallContext, ProcError};

use crate::caller::Caller;
use crate::forward::Forwarder;
use crate::merge::merge;
use crate::persist::StateDir;
use crate::stats::{Stats, Version};
use crate::table::{Registration, SetOutcome, Table, bytes};
use crate::taddr::{self, Family};

/// IP protocol numbers of portmap v2.
const IPPROTO_TCP: u32 = 6;
const IPPROTO_UDP: u32 = 17;

/// How the service behaves, beyond its table.
#[derive(Debug)]
pub struct Policy {
    /// `-i`: take SET and UNSET from any address.
    pub insecure: bool,
    /// `-l`: log every call.
    pub log_calls: bool,
    /// Remote calls are forwarded through this; `None` when forwarding is
    /// off (rpcbind built without remote calls).
    pub forwarder: Option<Forwarder>,
}

/// The daemon's state, shared by the dispatchers of every version.
#[derive(Debug)]
pub struct Service {
    /// The table lookups read: replaced whole once a change is saved, so
    /// a lookup never waits for a change's fsync and never sees a
    /// registration before it is on disk.
    table: Mutex<Arc<Table>>,
    /// Held by a change from copying the table to publishing the copy:
    /// changes apply one at a time.
    changing: Mutex<()>,
    state: Option<StateDir>,
    stats: Stats,
    policy: Policy,
}

/// The netid portmap v2's protocol number `prot` stands for.
pub fn pmap_netid(prot: u32) -> Option<Netid> {
    match prot {
        IPPROTO_TCP => Some(Netid::Tcp),
        IPPROTO_UDP => Some(Netid::Udp),
        _ => None,
    }
}

/// Locks `mutex`, whatever a panicking holder left: the table is replaced
/// whole, never left half-changed.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Service {
    /// A service whose table holds `restored` (from a warm start; entries
    /// of rpcbind's own program are left out, as rpcbind does), persisting
    /// to `state` (nothing is persisted without one). Call
    /// [`Service::start`] before serving.
    pub fn new(restored: Vec<Registration>, state: Option<StateDir>, policy: Policy) -> Service {
        let mut table = Table::default();
        for reg in restored {
            if reg.prog == portmapper::proto::PMAP_PROG {
                continue;
            }
            if table.set(reg.clone()) == SetOutcome::Refused {
                log::warn!("warm start: dropping conflicting or oversized registration {reg:?}");
            }
        }
        Service {
            table: Mutex::new(Arc::new(table)),
            changing: Mutex::new(()),
            state,
            stats: Stats::default(),
            policy,
        }
    }

    /// Puts rpcbind's own registrations `own` (in listing order) in front
    /// and writes the table, so that without a warm start the previous
    /// run's file is replaced by the empty list.
    pub fn start(&self, own: Vec<Registration>) -> io::Result<()> {
        let _one_at_a_time = lock(&self.changing);
        let mut table = Table::clone(&self.table());
        table.install_own(own);
        if let Some(state) = &self.state {
            state.save(table.others())?;
        }
        self.publish(table);
        Ok(())
    }

    /// The statistics.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The options.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The table as of the last change saved.
    pub fn table(&self) -> Arc<Table> {
        Arc::clone(&lock(&self.table))
    }

    fn publish(&self, table: Table) {
        *lock(&self.table) = Arc::new(table);
    }

    /// Applies `change` to a copy of the table and, when it says the table
    /// changed, writes the copy to disk and then makes it the table
    /// lookups read. Should the write fail, the copy is dropped (nothing
    /// changed) and the answer is false.
    fn change(&self, change: impl FnOnce(&mut Table) -> (bool, bool)) -> bool {
        let _one_at_a_time = lock(&self.changing);
        let mut table = Table::clone(&self.table());
        let (answer, changed) = change(&mut table);
        if !changed {
            return answer;
        }
        if let Some(state) = &self.state {
            if let Err(e) = state.save(table.others()) {
                log::error!("cannot save the registrations in {}: {e}", state.path().display());
                return false;
            }
        }
        self.publish(table);
        answer
    }

    /// SET and UNSET only from loopback or the local socket, unless `-i`.
    fn check_changer(&self, caller: &Caller) -> Result<(), ProcError> {
        if self.policy.insecure || caller.is_loopback() {
            Ok(())
        } else {
            log::info!("SET/UNSET from {:?} refused: not a loopback address", caller.addr);
            Err(ProcError::AuthError(AuthStat::TooWeak))
        }
    }

    /// RPCBPROC_SET.
    pub fn set(&self, ctx: &CallContext, v: Version, r: &Rpcb) -> Result<bool, ProcError> {
        let caller = Caller::of(ctx);
        self.check_changer(&caller)?;
        let reg = Registration { owner: caller.owner().into_bytes(), ..Registration::from_rpcb(r) };
        let ok = self.change(|t| match t.set(reg) {
            SetOutcome::Added => (true, true),
            SetOutcome::Present => (true, false),
            SetOutcome::Refused => (false, false),
        });
        self.stats.set(v, ok);
        Ok(ok)
    }

    /// RPCBPROC_UNSET: `netid` empty means every transport.
    pub fn unset(&self, ctx: &CallContext, v: Version, r: &Rpcb) -> Result<bool, ProcError> {
        let caller = Caller::of(ctx);
        self.check_changer(&caller)?;
        let owner = caller.owner();
        let ok = self.change(|t| {
            let (ok, removed) = t.unset(r.r_prog, r.r_vers, r.r_netid.as_bytes(), owner.as_bytes());
            (ok, removed > 0)
        });
        self.stats.unset(v, ok);
        Ok(ok)
    }

    /// PMAPPROC_SET: the wildcard address of `port` on TCP or UDP; false
    /// for another protocol.
    pub fn pmap_set(
        &self,
        ctx: &CallContext,
        prog: u32,
        vers: u32,
        prot: u32,
        port: u32,
    ) -> Result<bool, ProcError> {
        let caller = Caller::of(ctx);
        self.check_changer(&caller)?;
        let Some(netid) = pmap_netid(prot) else {
            return Ok(false);
        };
        let addr = portmapper::uaddr::wildcard(port as u16, false);
        let reg = Registration::new(prog, vers, netid.as_str(), &addr, &caller.owner());
        let ok = self.change(|t| match t.set(reg) {
            SetOutcome::Added => (true, true),
            SetOutcome::Present => (true, false),
            SetOutcome::Refused => (false, false),
        });
        self.stats.set(Version::Pmap2, ok);
        Ok(ok)
    }

    /// PMAPPROC_UNSET: both TCP and UDP, whatever protocol is named.
    pub fn pmap_unset(&self, ctx: &CallContext, prog: u32, vers: u32) -> Result<bool, ProcError> {
        let caller = Caller::of(ctx);
        self.check_changer(&caller)?;
        let owner = caller.owner();
        let ok = self.change(|t| {
            let (tcp, n_tcp) = t.unset(prog, vers, b"tcp", owner.as_bytes());
            let (udp, n_udp) = t.unset(prog, vers, b"udp", owner.as_bytes());
            (tcp || udp, n_tcp + n_udp > 0)
        });
        self.stats.unset(Version::Pmap2, ok);
        Ok(ok)
    }

    /// RPCBPROC_GETADDR (any version of the program will do when `exact`
    /// is false) and GETVERSADDR (`exact`): the address on the transport
    /// the call arrived on - rpcbind ignores `r_netid` - merged for the
    /// caller, or the empty string.
    pub fn getaddr(&self, ctx: &CallContext, v: Version, r: &Rpcb, exact: bool) -> Vec<u8> {
        let caller = Caller::of(ctx);
        let found = {
            let table = self.table();
            table
                .find(r.r_prog, r.r_vers, caller.netid.as_str().as_bytes())
                .filter(|e| !exact || e.vers == r.r_vers)
                .map(|e| e.addr.clone())
        };
        let hint = Some(r.r_addr.as_bytes()).filter(|h| !h.is_empty());
        let addr = found.map(|a| merge(&caller, &a, hint).unwrap_or(a)).unwrap_or_default();
        self.stats.lookup(v, r.r_prog, r.r_vers, caller.netid, !addr.is_empty());
        addr
    }

    /// PMAPPROC_GETPORT: the port of the mapping, 0 when there is none.
    pub fn getport(&self, prog: u32, vers: u32, prot: u32) -> u32 {
        let port = self.table().find_mapping(prog, vers, prot).map_or(0, |m| m.port);
        if let Some(netid) = pmap_netid(prot) {
            self.stats.lookup(Version::Pmap2, prog, vers, netid, port != 0);
        }
        port
    }

    /// RPCBPROC_DUMP.
    pub fn dump(&self) -> RpcblistPtr {
        let table = self.table();
        table.entries().iter().map(|e| Rpcblist { rpcb_map: e.to_rpcb() }).collect()
    }

    /// PMAPPROC_DUMP.
    pub fn pmap_dump(&self) -> PmaplistPtr {
        let table = self.table();
        table.mappings().map(|map| Pmaplist { map }).collect()
    }

    /// RPCBPROC_GETADDRLIST: every address of `prog` version `vers` on the
    /// transports of the caller's family, merged for the caller. Entries
    /// that cannot be merged are left out, as rpcbind does (so callers on
    /// the local socket get an empty list).
    pub fn getaddrlist(&self, ctx: &CallContext, r: &Rpcb) -> RpcbEntryListPtr {
        let caller = Caller::of(ctx);
        let family = Family::of(caller.netid);
        let hint = Some(r.r_addr.as_bytes()).filter(|h| !h.is_empty());
        let candidates: Vec<(Netid, Vec<u8>)> = {
            let table = self.table();
            table
                .entries()
                .iter()
                .filter(|e| e.prog == r.r_prog && e.vers == r.r_vers)
                .filter_map(|e| {
                    let netid = std::str::from_utf8(&e.netid).ok()?.parse::<Netid>().ok()?;
                    (Family::of(netid) == family).then(|| (netid, e.addr.clone()))
                })
                .collect()
        };
        let entries: Vec<RpcbEntry> = candidates
            .into_iter()
            .filter_map(|(netid, addr)| {
                let maddr = merge(&caller, &addr, hint)?;
                Some(RpcbEntry {
                    r_maddr: bytes(&maddr),
                    r_nc_netid: bytes(netid.as_str().as_bytes()),
                    r_nc_semantics: netid.semantics().code(),
                    r_nc_protofmly: bytes(netid.protofmly().as_bytes()),
                    r_nc_proto: bytes(netid.proto().as_bytes()),
                })
            })
            .collect();
        self.stats.lookup(Version::Rpcb4, r.r_prog, r.r_vers, caller.netid, !entries.is_empty());
        entries.into_iter().map(|rpcb_entry_map| RpcbEntryList { rpcb_entry_map }).collect()
    }

    /// RPCBPROC_GETTIME: seconds since the epoch.
    pub fn gettime(&self) -> u32 {
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as u32)
    }

    /// RPCBPROC_UADDR2TADDR, in the family of the caller's transport.
    pub fn uaddr2taddr(&self, ctx: &CallContext, uaddr: &[u8]) -> Netbuf {
        taddr::uaddr2taddr(Family::of(Caller::of(ctx).netid), uaddr)
    }

    /// RPCBPROC_TADDR2UADDR, in the family of the caller's transport; the
    /// empty string when the buffer holds no such address.
    pub fn taddr2uaddr(&self, ctx: &CallContext, nb: &Netbuf) -> Result<Vec<u8>, ProcError> {
        if !taddr::netbuf_is_valid(nb) {
            // As libtirpc's xdr_netbuf refuses it: the buffer (at byte 4)
            // is bounded by maxlen, itself bounded.
            let (len, max) = (nb.buf.as_bytes().len() as u32, nb.maxlen.min(taddr::NETBUF_MAX));
            return Err(ProcError::GarbageArgs(xdr::Error::LengthOverBound {
                offset: 4,
                len,
                max,
            }));
        }
        Ok(taddr::taddr2uaddr(Family::of(Caller::of(ctx).netid), nb).unwrap_or_default())
    }

    /// RPCBPROC_GETSTAT.
    pub fn getstat(&self) -> RpcbStatByvers {
        self.stats.snapshot()
    }
}
