//! Registrations through every version: rpcbind's own listing, SET,
//! UNSET, GETADDR, GETVERSADDR, GETADDRLIST and DUMP in v2, v3 and v4, the
//! one table they share, and the address conversions.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use portmapper::proto::rpcb_prot::Netbuf;
use xdr::{ByteString, Opaque};

#[test]
fn own_registrations_are_listed_like_rpcbind() {
    let d = start(&[]);
    let (tcp, udp) = (d.tcp.port(), d.udp.port());
    let sock = d.socket().display().to_string();
    let all = entries(&d.v4_unix().dump().unwrap());
    let mut expected = Vec::new();
    let listed = |p: u16| format!("0.0.0.0.{}.{}", p >> 8, p & 0xff);
    // The IPv6 ports are other ephemeral ports: read them from the list.
    let tcp6 = all.iter().find(|e| e.2 == "tcp6").map(|e| e.3.clone());
    let udp6 = all.iter().find(|e| e.2 == "udp6").map(|e| e.3.clone());
    if let (Some(t6), Some(u6)) = (&tcp6, &udp6) {
        assert!(t6.starts_with("::.") && u6.starts_with("::."));
        for (netid, addr) in [("tcp6", t6), ("udp6", u6)] {
            for v in [4, 3] {
                expected.push((100_000, v, s(netid), addr.clone(), s("superuser")));
            }
        }
    } else {
        eprintln!("no IPv6 on this host: IPv4 and local only");
    }
    for (netid, port) in [("tcp", tcp), ("udp", udp)] {
        for v in [4, 3, 2] {
            expected.push((100_000, v, s(netid), listed(port), s("superuser")));
        }
    }
    for v in [4, 3] {
        expected.push((100_000, v, s("local"), sock.clone(), s("superuser")));
    }
    assert_eq!(all, expected);
    let v2 = mappings(&d.v2_tcp().dump().unwrap());
    let p = |port: u16| u32::from(port);
    assert_eq!(
        v2,
        [
            (100_000, 4, 6, p(tcp)),
            (100_000, 3, 6, p(tcp)),
            (100_000, 2, 6, p(tcp)),
            (100_000, 4, 17, p(udp)),
            (100_000, 3, 17, p(udp)),
            (100_000, 2, 17, p(udp)),
        ]
    );
    // The socket is open to everybody, as rpcbind makes it.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(d.socket()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o666);
}

#[test]
fn set_unset_getaddr_in_v3_and_v4() {
    let d = start(&[]);
    let v4 = d.v4_unix();
    assert!(v4.set(&rpcb(0x2000_0001, 1, "tcp", "0.0.0.0.4.1")).unwrap());
    assert!(v4.set(&rpcb(0x2000_0001, 1, "tcp", "0.0.0.0.4.1")).unwrap(), "same again");
    assert!(!v4.set(&rpcb(0x2000_0001, 1, "tcp", "0.0.0.0.4.2")).unwrap(), "another address");
    assert!(!v4.set(&rpcb(0x2000_0001, 1, "TCP", "0.0.0.0.4.2")).unwrap(), "netids ignore case");
    assert!(v4.set(&rpcb(0x2000_0001, 2, "tcp", "0.0.0.0.4.3")).unwrap());
    assert!(v4.set(&rpcb(0x2000_0001, 1, "udp", "0.0.0.0.4.2")).unwrap());
    assert!(v4.set(&rpcb(0x2000_0001, 1, "local", "/tmp/x.sock")).unwrap());
    let owner =
        if is_root() { s("superuser") } else { rustix::process::geteuid().as_raw().to_string() };
    assert_eq!(
        others(&v4.dump().unwrap()),
        [
            (0x2000_0001, 1, s("tcp"), s("0.0.0.0.4.1"), owner.clone()),
            (0x2000_0001, 2, s("tcp"), s("0.0.0.0.4.3"), owner.clone()),
            (0x2000_0001, 1, s("udp"), s("0.0.0.0.4.2"), owner.clone()),
            (0x2000_0001, 1, s("local"), s("/tmp/x.sock"), owner.clone()),
        ]
    );

    // GETADDR answers for the transport the query came on, merged for the
    // caller; any version will do (the exact one first). GETVERSADDR
    // wants the exact version.
    let tcp = d.v4_tcp();
    let getaddr =
        |v: u32, netid: &str| text(&tcp.getaddr(&rpcb(0x2000_0001, v, netid, "")).unwrap());
    assert_eq!(getaddr(1, "tcp"), "127.0.0.1.4.1");
    assert_eq!(getaddr(1, "udp"), "127.0.0.1.4.1", "r_netid is ignored, as rpcbind does");
    assert_eq!(getaddr(2, ""), "127.0.0.1.4.3");
    assert_eq!(getaddr(9, "tcp"), "127.0.0.1.4.3", "the last other version");
    let versaddr = |v: u32| text(&tcp.getversaddr(&rpcb(0x2000_0001, v, "tcp", "")).unwrap());
    assert_eq!(versaddr(2), "127.0.0.1.4.3");
    assert_eq!(versaddr(9), "");
    assert_eq!(
        text(&d.v4_udp().getaddr(&rpcb(0x2000_0001, 1, "tcp", "")).unwrap()),
        "127.0.0.1.4.2"
    );
    assert_eq!(text(&v4.getaddr(&rpcb(0x2000_0001, 1, "tcp", "")).unwrap()), "/tmp/x.sock");
    assert_eq!(text(&tcp.getaddr(&rpcb(0x2000_0009, 1, "tcp", "")).unwrap()), "");
    assert_eq!(
        text(&d.v3_tcp().getaddr(&rpcb(0x2000_0001, 7, "tcp", "")).unwrap()),
        "127.0.0.1.4.3"
    );
    // An unreadable address hint stops the merging.
    assert_eq!(text(&tcp.getaddr(&rpcb(0x2000_0001, 2, "tcp", "junk")).unwrap()), "0.0.0.0.4.3");

    // GETADDRLIST: every transport of the caller's family, merged.
    let list = tcp.getaddrlist(&rpcb(0x2000_0001, 1, "", "")).unwrap();
    let got: Vec<_> = list
        .iter()
        .map(|n| {
            let e = &n.rpcb_entry_map;
            (
                text(&e.r_maddr),
                text(&e.r_nc_netid),
                e.r_nc_semantics,
                text(&e.r_nc_protofmly),
                text(&e.r_nc_proto),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (s("127.0.0.1.4.1"), s("tcp"), 3, s("inet"), s("tcp")),
            (s("127.0.0.1.4.2"), s("udp"), 1, s("inet"), s("udp")),
        ]
    );
    assert!(
        v4.getaddrlist(&rpcb(0x2000_0001, 1, "", "")).unwrap().is_empty(),
        "none on the local socket"
    );

    // UNSET: one transport, then all of them; absent is still true.
    assert!(v4.unset(&rpcb(0x2000_0001, 1, "udp", "")).unwrap());
    assert!(d.v3_unix().unset(&rpcb(0x2000_0001, 1, "", "")).unwrap());
    assert!(v4.unset(&rpcb(0x2000_0001, 1, "", "")).unwrap());
    assert_eq!(others(&v4.dump().unwrap()), [(0x2000_0001, 2, s("tcp"), s("0.0.0.0.4.3"), owner)]);
}

#[test]
fn portmap_v2_shares_the_table() {
    let d = start(&[]);
    let v2 = d.v2_udp();
    // v2 SET registers the wildcard address, visible to v3/v4.
    assert!(v2.set(&mapping(0x2000_0003, 1, 17, 2000)).unwrap());
    assert!(v2.set(&mapping(0x2000_0003, 1, 6, 2001)).unwrap());
    assert!(!v2.set(&mapping(0x2000_0003, 1, 99, 2002)).unwrap(), "neither TCP nor UDP");
    let listed = others(&d.v4_unix().dump().unwrap());
    assert_eq!(
        listed,
        [
            (0x2000_0003, 1, s("udp"), s("0.0.0.0.7.208"), s("unknown")),
            (0x2000_0003, 1, s("tcp"), s("0.0.0.0.7.209"), s("unknown")),
        ]
    );
    assert_eq!(
        text(&d.v4_tcp().getaddr(&rpcb(0x2000_0003, 1, "", "")).unwrap()),
        "127.0.0.1.7.209"
    );

    // v3/v4 registrations of IPv4 TCP and UDP are visible to v2; others
    // are not.
    let v3 = d.v3_unix();
    assert!(v3.set(&rpcb(0x2000_0004, 2, "tcp", "0.0.0.0.11.184")).unwrap());
    assert!(v3.set(&rpcb(0x2000_0004, 2, "tcp6", "::.11.185")).unwrap());
    assert!(v3.set(&rpcb(0x2000_0004, 2, "local", "/run/p.sock")).unwrap());
    assert_eq!(v2.getport(&mapping(0x2000_0004, 2, 6, 0)).unwrap(), 3000);
    assert_eq!(
        v2.getport(&mapping(0x2000_0004, 5, 6, 0)).unwrap(),
        3000,
        "any version, as rpcbind"
    );
    assert_eq!(v2.getport(&mapping(0x2000_0004, 2, 17, 0)).unwrap(), 0);
    let dump: Vec<_> =
        mappings(&d.v2_tcp().dump().unwrap()).into_iter().filter(|m| m.0 != 100_000).collect();
    assert_eq!(
        dump,
        [(0x2000_0003, 1, 17, 2000), (0x2000_0003, 1, 6, 2001), (0x2000_0004, 2, 6, 3000)]
    );

    // v2 UNSET removes TCP and UDP, whatever protocol it names.
    assert!(v2.unset(&mapping(0x2000_0003, 1, 0, 0)).unwrap());
    assert!(others(&d.v4_unix().dump().unwrap()).iter().all(|e| e.0 != 0x2000_0003));
    // The superuser (root on the local socket) may remove what v2 made;
    // v3 UNSET of the tcp6 entry leaves the v2 view alone.
    assert!(v3.unset(&rpcb(0x2000_0004, 2, "tcp6", "")).unwrap());
    assert_eq!(v2.getport(&mapping(0x2000_0004, 2, 6, 0)).unwrap(), 3000);
}

#[test]
fn time_and_address_conversions() {
    let d = start(&[]);
    let tcp = d.v4_tcp();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let t = u64::from(d.v3_tcp().gettime().unwrap());
    assert!(t.abs_diff(now) <= 2, "{t} vs {now}");

    let sin = tcp.uaddr2_taddr(&ByteString::try_from("127.0.0.1.0.111").unwrap()).unwrap();
    assert_eq!(sin.maxlen, 16);
    assert_eq!(sin.buf.as_bytes()[2..8], [0, 111, 127, 0, 0, 1]);
    assert_eq!(text(&tcp.taddr2_uaddr(&sin).unwrap()), "127.0.0.1.0.111");
    let bad = tcp.uaddr2_taddr(&ByteString::try_from("::1.0.111").unwrap()).unwrap();
    assert_eq!(bad, Netbuf::default(), "an IPv6 address on an IPv4 transport");
    let path = d.v4_unix().uaddr2_taddr(&ByteString::try_from("/run/x.sock").unwrap()).unwrap();
    assert_eq!((path.maxlen, &path.buf.as_bytes()[2..]), (110, &b"/run/x.sock"[..]));
    let short = Netbuf { maxlen: 16, buf: Opaque::new(vec![2, 0, 0, 111]).unwrap() };
    assert_eq!(text(&tcp.taddr2_uaddr(&short).unwrap()), "");
    let lying = Netbuf { maxlen: 4, buf: Opaque::new(vec![0; 16]).unwrap() };
    assert!(
        matches!(tcp.taddr2_uaddr(&lying), Err(clnt::Error::CantDecodeArgs)),
        "buffer past maxlen"
    );
}
