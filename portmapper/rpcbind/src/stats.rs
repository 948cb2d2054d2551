//! [`Stats`]: what GETSTAT reports (and `rpcinfo -m` prints), counted as
//! rpcbind counts it, in bounded memory.
//!
//! Per protocol version (portmap v2, rpcbind v3, v4): calls per procedure
//! (every call, whatever became of it), successful SETs and UNSETs, and
//! two lists: address lookups per (program, version, transport) with
//! successes (an address was found) and failures, and remote calls per
//! (program, version, procedure, transport) with successes (the program
//! was registered in that version), failures and how many came through
//! INDIRECT. rpcbind lets these lists grow with every distinct program
//! anybody asks about; here each holds at most [`MAX_LIST`] entries,
//! newest first as in rpcbind, and the oldest entry is dropped to make
//! room - so a million lookups of distinct programs leave the memory
//! used as it was, and the lists show the most recent activity.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use portmapper::Netid;
use portmapper::proto::rpcb_prot::{RpcbStat, RpcbStatByvers, RpcbsAddrlist, RpcbsRmtcalllist};

use crate::table::bytes;

/// The most entries each address-lookup and remote-call list keeps, per
/// protocol version.
pub const MAX_LIST: usize = 128;

/// Which protocol version's statistics a call counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Portmap v2.
    Pmap2 = 0,
    /// Rpcbind v3.
    Rpcb3 = 1,
    /// Rpcbind v4.
    Rpcb4 = 2,
}

impl Version {
    /// The statistics slot of protocol version `vers` (2, 3 or 4).
    pub fn of(vers: u32) -> Option<Version> {
        match vers {
            2 => Some(Version::Pmap2),
            3 => Some(Version::Rpcb3),
            4 => Some(Version::Rpcb4),
            _ => None,
        }
    }

    /// The highest procedure of the version (CALLIT, TADDR2UADDR,
    /// GETSTAT); calls to higher ones are not counted.
    fn highest_proc(self) -> u32 {
        match self {
            Version::Pmap2 => 5,
            Version::Rpcb3 => 8,
            Version::Rpcb4 => 12,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AddrStat {
    prog: u32,
    vers: u32,
    netid: Netid,
    success: i32,
    failure: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RmtStat {
    prog: u32,
    vers: u32,
    proc_num: u32,
    netid: Netid,
    success: i32,
    failure: i32,
    indirect: i32,
}

#[derive(Debug, Clone, Default)]
struct PerVersion {
    info: [i32; 13],
    setinfo: i32,
    unsetinfo: i32,
    addrinfo: VecDeque<AddrStat>,
    rmtinfo: VecDeque<RmtStat>,
}

/// A remote call (CALLIT, BCAST or INDIRECT) to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteCall {
    /// The program called.
    pub prog: u32,
    /// Its version.
    pub vers: u32,
    /// Its procedure.
    pub proc_num: u32,
    /// The transport the request arrived on.
    pub netid: Netid,
    /// It came through INDIRECT.
    pub indirect: bool,
    /// The program was registered in that version on that transport.
    pub found: bool,
}

/// The statistics of all three versions; shared by every thread.
#[derive(Debug, Default)]
pub struct Stats {
    versions: Mutex<[PerVersion; 3]>,
}

fn bump(n: &mut i32) {
    *n = n.saturating_add(1);
}

/// Finds the entry `same` picks in `list`, or puts `new()` in front,
/// dropping the oldest entry past [`MAX_LIST`].
fn entry<T>(list: &mut VecDeque<T>, same: impl Fn(&T) -> bool, new: impl FnOnce() -> T) -> &mut T {
    match list.iter().position(same) {
        Some(i) => &mut list[i],
        None => {
            if list.len() >= MAX_LIST {
                list.pop_back();
            }
            list.push_front(new());
            &mut list[0]
        }
    }
}

impl Stats {
    fn lock(&self) -> MutexGuard<'_, [PerVersion; 3]> {
        self.versions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a call to procedure `proc_num`.
    pub fn call(&self, v: Version, proc_num: u32) {
        if proc_num <= v.highest_proc() {
            bump(&mut self.lock()[v as usize].info[proc_num as usize]);
        }
    }

    /// Counts a SET (only successful ones count).
    pub fn set(&self, v: Version, ok: bool) {
        if ok {
            bump(&mut self.lock()[v as usize].setinfo);
        }
    }

    /// Counts an UNSET (only successful ones count).
    pub fn unset(&self, v: Version, ok: bool) {
        if ok {
            bump(&mut self.lock()[v as usize].unsetinfo);
        }
    }

    /// Counts an address lookup (GETPORT, GETADDR, GETVERSADDR,
    /// GETADDRLIST) that arrived on `netid`.
    pub fn lookup(&self, v: Version, prog: u32, vers: u32, netid: Netid, found: bool) {
        let mut all = self.lock();
        let list = &mut all[v as usize].addrinfo;
        let e = entry(
            list,
            |e| e.prog == prog && e.vers == vers && e.netid == netid,
            || AddrStat { prog, vers, netid, success: 0, failure: 0 },
        );
        bump(if found { &mut e.success } else { &mut e.failure });
    }

    /// Counts a remote call.
    pub fn remote_call(&self, v: Version, call: RemoteCall) {
        let mut all = self.lock();
        let list = &mut all[v as usize].rmtinfo;
        let e = entry(
            list,
            |e| {
                e.prog == call.prog
                    && e.vers == call.vers
                    && e.proc_num == call.proc_num
                    && e.netid == call.netid
            },
            || RmtStat {
                prog: call.prog,
                vers: call.vers,
                proc_num: call.proc_num,
                netid: call.netid,
                success: 0,
                failure: 0,
                indirect: 0,
            },
        );
        bump(if call.found { &mut e.success } else { &mut e.failure });
        if call.indirect {
            bump(&mut e.indirect);
        }
    }

    /// GETSTAT's answer.
    pub fn snapshot(&self) -> RpcbStatByvers {
        let all = self.lock();
        all.each_ref().map(|v| RpcbStat {
            info: v.info,
            setinfo: v.setinfo,
            unsetinfo: v.unsetinfo,
            addrinfo: v
                .addrinfo
                .iter()
                .map(|a| RpcbsAddrlist {
                    prog: a.prog,
                    vers: a.vers,
                    success: a.success,
                    failure: a.failure,
                    netid: bytes(a.netid.as_str().as_bytes()),
                })
                .collect(),
            rmtinfo: v
                .rmtinfo
                .iter()
                .map(|r| RpcbsRmtcalllist {
                    prog: r.prog,
                    vers: r.vers,
                    proc: r.proc_num,
                    success: r.success,
                    failure: r.failure,
                    indirect: r.indirect,
                    netid: bytes(r.netid.as_str().as_bytes()),
                })
                .collect(),
        })
    }

    /// How many entries the address-lookup and remote-call lists of `v`
    /// hold.
    pub fn list_lens(&self, v: Version) -> (usize, usize) {
        let all = self.lock();
        (all[v as usize].addrinfo.len(), all[v as usize].rmtinfo.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(s: &RpcbStat) -> Vec<(u32, u32, String, i32, i32)> {
        let netid = |a: &RpcbsAddrlist| String::from_utf8_lossy(a.netid.as_bytes()).into_owned();
        s.addrinfo.iter().map(|a| (a.prog, a.vers, netid(a), a.success, a.failure)).collect()
    }

    #[test]
    fn counts_as_rpcbind() {
        let s = Stats::default();
        s.call(Version::Rpcb4, 1);
        s.call(Version::Rpcb4, 13);
        s.call(Version::Pmap2, 6);
        s.set(Version::Rpcb4, true);
        s.set(Version::Rpcb4, false);
        s.unset(Version::Pmap2, true);
        s.lookup(Version::Rpcb4, 7, 1, Netid::Tcp, true);
        s.lookup(Version::Rpcb4, 7, 1, Netid::Tcp, false);
        s.lookup(Version::Rpcb4, 8, 1, Netid::Udp, false);
        let call = RemoteCall {
            prog: 9,
            vers: 1,
            proc_num: 0,
            netid: Netid::Udp,
            indirect: false,
            found: true,
        };
        s.remote_call(Version::Rpcb4, call);
        s.remote_call(Version::Rpcb4, RemoteCall { indirect: true, found: false, ..call });
        let snap = s.snapshot();
        let v4 = &snap[2];
        assert_eq!((v4.info[1], v4.info[12], v4.setinfo), (1, 0, 1));
        assert_eq!(snap[0].info, [0; 13]);
        assert_eq!(snap[0].unsetinfo, 1);
        assert_eq!(addrs(v4), [(8, 1, "udp".into(), 0, 1), (7, 1, "tcp".into(), 1, 1)]);
        let [r] = &v4.rmtinfo[..] else { panic!("one remote call: {:?}", v4.rmtinfo) };
        assert_eq!((r.prog, r.success, r.failure, r.indirect), (9, 1, 1, 1));
    }

    #[test]
    fn lists_are_capped_and_keep_the_newest() {
        let s = Stats::default();
        for prog in 0..100_000 {
            s.lookup(Version::Rpcb3, prog, 1, Netid::Udp, false);
        }
        assert_eq!(s.list_lens(Version::Rpcb3), (MAX_LIST, 0));
        let snap = s.snapshot();
        let a = addrs(&snap[1]);
        assert_eq!(a.len(), MAX_LIST);
        assert_eq!(a[0].0, 99_999);
        assert_eq!(a[MAX_LIST - 1].0, 100_000 - MAX_LIST as u32);
    }
}
