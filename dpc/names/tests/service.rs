//! The name server over the wire: an in-process [`NameServer`] on
//! 127.0.0.1 with a store of its own, called through the generated
//! client. Covers the procedures, the trust rule, paging, restarts on the
//! same store and the store's lock.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use dpc::proto::names::{
    DPC_LIST_MAX, DPC_NAMES_PROG, DPC_NAMES_V1, DpcEntry, DpcListArgs, DpcLocation, DpcLookupRes,
    DpcNamesProgDpcNamesV1Client, DpcNode, DpcRegisterRes, DpcStatus, PidD,
};
use dpc_names::{Error, NameServer, Options, ServerHandle};
use oncrpc::clnt::{self, ClientBuilder};
use test_support::ScratchDir;

/// A store path unique to one test, its directory removed on drop.
struct TempDb(ScratchDir);

impl TempDb {
    fn new(name: &str) -> TempDb {
        TempDb(ScratchDir::new(&format!("dpc-names-service-{name}")))
    }

    /// Below a directory that does not exist yet: bind creates it.
    fn path(&self) -> PathBuf {
        self.0.join("state").join("names.redb")
    }
}

fn options(db: &TempDb) -> Options {
    Options {
        listen: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port: 0,
        db: db.path(),
        pmap_port: 111,
        rpcbind_socket: PathBuf::from("/nonexistent/rpcbind.sock"),
        no_advertise: true,
        // These tests call from ordinary ports; the reserved-port rule of a
        // root name server has its own test below.
        insecure: true,
    }
}

fn start(db: &TempDb) -> (ServerHandle, SocketAddr) {
    let server = NameServer::bind(&options(db)).unwrap();
    let addr = server.tcp_addr();
    assert_eq!(addr.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_ne!(addr.port(), 0);
    (server.spawn().unwrap(), addr)
}

fn node(text: &str) -> DpcNode {
    DpcNode::try_from(text).unwrap()
}

/// The start time the tests give process `pid`: one of its own, so that
/// entries mixed up show.
fn started(pid: i32) -> u64 {
    1_000_000 + u64::from(pid.unsigned_abs())
}

fn location(n: &str, pid: i32) -> DpcLocation {
    DpcLocation { node: node(n), pid, started: started(pid) }
}

fn entry(id: PidD, n: &str, pid: i32) -> DpcEntry {
    DpcEntry { id, node: node(n), pid, started: started(pid) }
}

fn register(c: &DpcNamesProgDpcNamesV1Client, n: &str, pid: i32) -> PidD {
    match c.register(&location(n, pid)).unwrap() {
        DpcRegisterRes::DpcOk(id) => id,
        other => panic!("REGISTER {n} {pid}: {other:?}"),
    }
}

fn lookup(c: &DpcNamesProgDpcNamesV1Client, id: PidD) -> DpcLookupRes {
    c.lookup(&id).unwrap()
}

#[test]
fn register_lookup_unregister_under_the_trust_rule() {
    let db = TempDb::new("procedures");
    let (handle, addr) = start(&db);
    assert!(db.path().exists(), "bind creates the store and its directories");
    let c = DpcNamesProgDpcNamesV1Client::connect_tcp(addr).unwrap();
    c.null().unwrap();

    // A loopback caller registers for a loopback node.
    let id = register(&c, "127.0.0.5", 4242);
    assert_eq!(id, 1, "ids start at 1");
    assert_eq!(lookup(&c, id), DpcLookupRes::DpcOk(location("127.0.0.5", 4242)));

    // Not for another node, and nothing is stored or counted.
    assert_eq!(
        c.register(&location("10.9.9.9", 4242)).unwrap(),
        DpcRegisterRes::Default(DpcStatus::DpcPermission)
    );
    // Arguments outside the protocol's domain are garbage.
    for bad in [location("not-an-ip", 1), location("", 1), location("127.0.0.5", 0)] {
        let e = c.register(&bad).unwrap_err();
        assert!(matches!(e, clnt::Error::CantDecodeArgs), "{bad:?}: {e}");
    }
    let e = c.register(&location("127.0.0.5", -7)).unwrap_err();
    assert!(matches!(e, clnt::Error::CantDecodeArgs), "{e}");
    let second = register(&c, "::1", 99);
    assert_eq!(second, 2, "refused calls allocated no id");

    // Nodes are stored in canonical form.
    let mapped = register(&c, "::ffff:127.0.0.9", 5);
    assert_eq!(lookup(&c, mapped), DpcLookupRes::DpcOk(location("127.0.0.9", 5)));
    // Every start time is carried and kept.
    let late = DpcLocation { started: u64::MAX, ..location("127.0.0.5", 6) };
    let DpcRegisterRes::DpcOk(late_id) = c.register(&late).unwrap() else { panic!("{late:?}") };
    assert_eq!(lookup(&c, late_id), DpcLookupRes::DpcOk(late));

    // UNREGISTER needs id, node, pid and start time.
    assert_eq!(c.unregister(&entry(id, "127.0.0.5", 4243)).unwrap(), DpcStatus::DpcMismatch);
    assert_eq!(c.unregister(&entry(id, "127.0.0.6", 4242)).unwrap(), DpcStatus::DpcMismatch);
    for wrong in [0, started(4242) + 1, u64::MAX] {
        // The same pid, another process.
        let reused = DpcEntry { started: wrong, ..entry(id, "127.0.0.5", 4242) };
        assert_eq!(c.unregister(&reused).unwrap(), DpcStatus::DpcMismatch, "started {wrong}");
    }
    assert_eq!(lookup(&c, id), DpcLookupRes::DpcOk(location("127.0.0.5", 4242)));
    assert_eq!(c.unregister(&entry(1000, "127.0.0.5", 4242)).unwrap(), DpcStatus::DpcUnknown);
    assert_eq!(c.unregister(&entry(id, "10.9.9.9", 4242)).unwrap(), DpcStatus::DpcPermission);
    let e = c.unregister(&entry(id, "nowhere", 4242)).unwrap_err();
    assert!(matches!(e, clnt::Error::CantDecodeArgs), "{e}");
    assert_eq!(lookup(&c, id), DpcLookupRes::DpcOk(location("127.0.0.5", 4242)));

    assert_eq!(c.unregister(&entry(id, "127.0.0.5", 4242)).unwrap(), DpcStatus::DpcOk);
    assert_eq!(lookup(&c, id), DpcLookupRes::Default(DpcStatus::DpcUnknown));
    assert_eq!(c.unregister(&entry(id, "127.0.0.5", 4242)).unwrap(), DpcStatus::DpcUnknown);
    assert_eq!(lookup(&c, 0), DpcLookupRes::Default(DpcStatus::DpcUnknown));
    assert_eq!(lookup(&c, -1), DpcLookupRes::Default(DpcStatus::DpcUnknown));
    assert_eq!(lookup(&c, second), DpcLookupRes::DpcOk(location("::1", 99)));
    handle.shutdown().unwrap();
}

/// Every entry, a page of `max` at a time; also checks each page's size.
fn list_all(c: &DpcNamesProgDpcNamesV1Client, max: u32) -> (Vec<DpcEntry>, usize) {
    let cap = if max == 0 { DPC_LIST_MAX } else { max.min(DPC_LIST_MAX) } as usize;
    let (mut all, mut pages, mut after) = (Vec::new(), 0, 0);
    loop {
        let page = c.list(&DpcListArgs { after, max }).unwrap();
        let entries = page.entries.into_inner();
        pages += 1;
        assert!(entries.len() <= cap, "max {max}: page of {}", entries.len());
        if page.more {
            assert_eq!(entries.len(), cap, "max {max}: a page before the last is full");
        }
        after = entries.last().map_or(after, |e| e.id);
        all.extend(entries);
        if !page.more {
            return (all, pages);
        }
    }
}

#[test]
fn list_pages_through_the_table_in_id_order() {
    let db = TempDb::new("list");
    let (handle, addr) = start(&db);
    let c = DpcNamesProgDpcNamesV1Client::connect_tcp(addr).unwrap();
    let empty = c.list(&DpcListArgs { after: 0, max: 0 }).unwrap();
    assert!(empty.entries.is_empty() && !empty.more);

    let total = 600;
    for pid in 1..=total {
        register(&c, "127.0.0.2", pid);
    }
    assert_eq!(c.unregister(&entry(7, "127.0.0.2", 7)).unwrap(), DpcStatus::DpcOk);
    let expected: Vec<DpcEntry> =
        (1..=total).filter(|&p| p != 7).map(|p| entry(PidD::from(p), "127.0.0.2", p)).collect();

    for (max, pages) in [(0, 3), (10, 60), (1000, 3), (256, 3), (1, 599)] {
        let (all, n) = list_all(&c, max);
        assert_eq!(all, expected, "max {max}");
        assert_eq!(n, pages, "max {max}");
    }
    let tail = c.list(&DpcListArgs { after: 598, max: 5 }).unwrap();
    assert_eq!(
        (tail.entries.into_inner(), tail.more),
        (vec![entry(599, "127.0.0.2", 599), entry(600, "127.0.0.2", 600)], false)
    );
    let past = c.list(&DpcListArgs { after: PidD::MAX, max: 5 }).unwrap();
    assert!(past.entries.is_empty() && !past.more);
    handle.shutdown().unwrap();
}

#[test]
fn registrations_survive_a_restart_and_ids_keep_growing() {
    let db = TempDb::new("restart");
    let (handle, addr) = start(&db);
    let c = DpcNamesProgDpcNamesV1Client::connect_tcp(addr).unwrap();
    let a = register(&c, "127.0.0.1", 100);
    let b = register(&c, "127.0.0.2", 200);
    let gone = register(&c, "127.0.0.3", 300);
    assert_eq!(c.unregister(&entry(gone, "127.0.0.3", 300)).unwrap(), DpcStatus::DpcOk);
    drop(c);
    handle.shutdown().unwrap();

    let (handle, addr) = start(&db);
    let c = DpcNamesProgDpcNamesV1Client::connect_tcp(addr).unwrap();
    assert_eq!(lookup(&c, a), DpcLookupRes::DpcOk(location("127.0.0.1", 100)));
    assert_eq!(lookup(&c, b), DpcLookupRes::DpcOk(location("127.0.0.2", 200)));
    assert_eq!(lookup(&c, gone), DpcLookupRes::Default(DpcStatus::DpcUnknown));
    let next = register(&c, "127.0.0.3", 300);
    assert!(next > a && next > b && next > gone, "{next} after {a}, {b}, {gone}");
    handle.shutdown().unwrap();
}

#[test]
fn a_second_server_on_a_store_in_use_fails_to_bind() {
    let db = TempDb::new("locked");
    let (handle, addr) = start(&db);
    match NameServer::bind(&options(&db)) {
        Err(Error::StoreLocked { path }) => assert_eq!(path, db.path()),
        Err(e) => panic!("expected StoreLocked, got {e}"),
        Ok(s) => panic!("a second server bound {}", s.tcp_addr()),
    }
    // The first one is unharmed.
    let c = DpcNamesProgDpcNamesV1Client::connect_tcp(addr).unwrap();
    assert_eq!(register(&c, "127.0.0.1", 1), 1);
    drop(c);
    handle.shutdown().unwrap();
    // And once it has stopped, the store is free again.
    let (handle, _) = start(&db);
    handle.shutdown().unwrap();
}

#[test]
fn run_returns_when_triggered_and_frees_the_store() {
    let db = TempDb::new("run");
    let server = NameServer::bind(&options(&db)).unwrap();
    let (trigger, addr) = (server.shutdown_trigger(), server.tcp_addr());
    let thread = std::thread::spawn(move || server.run());
    let c = DpcNamesProgDpcNamesV1Client::connect_tcp(addr).unwrap();
    assert_eq!(register(&c, "127.0.0.1", 1), 1);
    drop(c);
    trigger.shutdown();
    thread.join().unwrap().unwrap();
    let (handle, addr) = start(&db);
    let c = DpcNamesProgDpcNamesV1Client::connect_tcp(addr).unwrap();
    assert_eq!(lookup(&c, 1), DpcLookupRes::DpcOk(location("127.0.0.1", 1)));
    drop(c);
    handle.shutdown().unwrap();
}

#[test]
fn a_root_name_server_takes_changes_only_from_reserved_ports() {
    if !dpc::reserved::running_as_root() {
        assert!(std::env::var_os("CI").is_none(), "CI runs this test as root");
        eprintln!("SKIPPED: only root binds reserved ports (CI runs as root)");
        return;
    }
    let db = TempDb::new("reserved");
    let server = NameServer::bind(&Options { insecure: false, ..options(&db) }).unwrap();
    let addr = server.tcp_addr();
    let _handle = server.spawn().unwrap();
    let builder = || ClientBuilder::new(DPC_NAMES_PROG, DPC_NAMES_V1);
    let user = DpcNamesProgDpcNamesV1Client::new(builder().tcp(addr).unwrap());
    let daemon =
        DpcNamesProgDpcNamesV1Client::new(builder().reserved_port(true).tcp(addr).unwrap());

    let refused = user.register(&location("127.0.0.2", 42)).unwrap();
    assert_eq!(refused, DpcRegisterRes::Default(DpcStatus::DpcPermission));
    let id = register(&daemon, "127.0.0.2", 42);
    assert_eq!(user.unregister(&entry(id, "127.0.0.2", 42)).unwrap(), DpcStatus::DpcPermission);
    assert!(matches!(lookup(&user, id), DpcLookupRes::DpcOk(_)), "anyone may look up");
    assert_eq!(daemon.unregister(&entry(id, "127.0.0.2", 42)).unwrap(), DpcStatus::DpcOk);
}
