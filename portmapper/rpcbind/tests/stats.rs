//! GETSTAT (`rpcinfo -m`): counted as rpcbind counts, and in bounded
//! memory whatever callers look up.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use portmapper::proto::rpcb_prot::{RpcbStat, RpcbprogRpcbvers4Client};
use rpcbind::stats::MAX_LIST;

/// The address-lookup list as (prog, vers, netid, success, failure).
fn lookups(s: &RpcbStat) -> Vec<(u32, u32, String, i32, i32)> {
    s.addrinfo.iter().map(|a| (a.prog, a.vers, text(&a.netid), a.success, a.failure)).collect()
}

#[test]
fn getstat_counts_as_rpcbind() {
    let d = start(&[]);
    let unix = d.v4_unix();
    let tcp = d.v4_tcp();
    unix.null().unwrap();
    assert!(unix.set(&rpcb(0x2000_0400, 1, "tcp", "0.0.0.0.4.1")).unwrap());
    assert!(!unix.set(&rpcb(0x2000_0400, 1, "tcp", "0.0.0.0.4.2")).unwrap());
    assert_eq!(text(&tcp.getaddr(&rpcb(0x2000_0400, 1, "", "")).unwrap()), "127.0.0.1.4.1");
    assert_eq!(text(&tcp.getaddr(&rpcb(0x2000_0400, 1, "", "")).unwrap()), "127.0.0.1.4.1");
    assert_eq!(text(&tcp.getaddr(&rpcb(0x2000_0401, 1, "", "")).unwrap()), "");
    assert_eq!(text(&tcp.getversaddr(&rpcb(0x2000_0400, 2, "", "")).unwrap()), "");
    let v2 = d.v2_udp();
    assert_eq!(v2.getport(&mapping(0x2000_0400, 1, 6, 0)).unwrap(), 1025);
    assert_eq!(v2.getport(&mapping(0x2000_0400, 1, 17, 0)).unwrap(), 0);
    assert_eq!(v2.getport(&mapping(0x2000_0400, 1, 99, 0)).unwrap(), 0, "not counted: no netid");
    assert!(d.v3_unix().unset(&rpcb(0x2000_0400, 1, "", "")).unwrap());
    v2.dump().unwrap();
    // A procedure past the version's last is not counted.
    let (reply, _) = udp_call(d.udp, 4, 13, &[], TIMEOUT);
    assert_eq!(reply, Raw::Error(format!("{:?}", rpc::AcceptStat::ProcUnavail)));

    let stats = unix.getstat().unwrap();
    let [v2s, v3s, v4s] = &stats;
    let mut info2 = [0; 13];
    info2[3] = 3;
    info2[4] = 1;
    assert_eq!((v2s.info, v2s.setinfo, v2s.unsetinfo), (info2, 0, 0));
    assert_eq!(lookups(v2s), [(0x2000_0400, 1, s("udp"), 0, 1), (0x2000_0400, 1, s("tcp"), 1, 0)]);
    let mut info3 = [0; 13];
    info3[2] = 1;
    assert_eq!((v3s.info, v3s.setinfo, v3s.unsetinfo), (info3, 0, 1));
    let mut info4 = [0; 13];
    info4[0] = 1;
    info4[1] = 2;
    info4[3] = 3;
    info4[9] = 1;
    info4[12] = 1;
    assert_eq!((v4s.info, v4s.setinfo, v4s.unsetinfo), (info4, 1, 0));
    assert_eq!(
        lookups(v4s),
        [
            (0x2000_0400, 2, s("tcp"), 0, 1),
            (0x2000_0401, 1, s("tcp"), 0, 1),
            (0x2000_0400, 1, s("tcp"), 2, 0),
        ]
    );
    assert!(v4s.rmtinfo.is_empty());
}

#[test]
fn lookups_of_many_programs_stay_bounded() {
    let d = start(&[]);
    let udp = d.v4_udp();
    let count = 20_000u32;
    for prog in 0..count {
        assert_eq!(text(&udp.getaddr(&rpcb(0x4000_0000 + prog, 1, "", "")).unwrap()), "");
    }
    let stats = RpcbprogRpcbvers4Client::connect_unix(d.socket()).unwrap().getstat().unwrap();
    let list = lookups(&stats[2]);
    assert_eq!(list.len(), MAX_LIST);
    assert_eq!(list[0], (0x4000_0000 + count - 1, 1, s("udp"), 0, 1), "newest first");
    assert_eq!(list[MAX_LIST - 1].0, 0x4000_0000 + count - MAX_LIST as u32);
    assert_eq!(stats[2].info[3], count as i32, "every call is still counted");
}
