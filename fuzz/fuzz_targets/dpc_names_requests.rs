//! The dpc name server's request handling, in process and without
//! sockets: its dispatcher (`dpc_names::dispatcher`, the generated
//! `DPC_NAMES_V1` server over the name service) over a store in a
//! temporary directory made once per process (see [`services`]). Each
//! input starts from an empty table: the harness unregisters, through the
//! dispatcher, what the previous input left (opening a fresh store costs
//! some 50 ms, too slow to do per input).
//!
//! Input: one byte of policy (bit 0: changes only from reserved ports,
//! as a root name server), then calls, each four bytes of header -
//! procedure (0 to 7), one byte choosing the transport, the peer and its
//! port, two bytes of argument length - then the arguments. The calls
//! share the store, so a REGISTER is seen by the LOOKUP, LIST or
//! UNREGISTER after it.
//!
//! Every reply decodes as the procedure's result type, whole; the ids
//! REGISTER hands out only grow (never reused), LIST answers in id
//! order, at most `DPC_LIST_MAX` entries, and every entry it shows can
//! be unregistered by its node.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run dpc_names_requests` (from the
//! repo root).
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};

use dpc::proto::names::{
    DPC_LIST_MAX, DPC_NAMES_PROG, DPC_NAMES_V1, DpcListArgs, DpcListRes, DpcLookupRes,
    DpcRegisterRes, DpcStatus,
};
use libfuzzer_sys::fuzz_target;
use oncrpc_fuzz::{Bytes, Counting, assert_proportional, measure};
use svc::{CallContext, Credentials, Dispatch, PeerAddr, ProcError};
use xdr::DecodeOwned;

#[global_allocator]
static ALLOC: Counting = Counting;

/// Allocation bound per call: `PER_BYTE * (header + arguments) + FIXED`.
///
/// The arguments decode into owned values (a node of at most 64 bytes,
/// a few integers): under 8 bytes per byte, with the reply's encoding.
/// What does not depend on the call's bytes is bounded by the protocol
/// and the store: a LIST answers at most `DPC_LIST_MAX` (256) entries of
/// at most 64-byte nodes (about 100 bytes each in memory, 90 on the
/// wire, read through redb's pages: under 128 KiB in all), and a redb
/// transaction reads or writes a handful of 4 KiB pages through its
/// cache, with its bookkeeping. The table is emptied before each input
/// and holds only that input's entries, so its B-trees stay a few pages
/// deep: 512 KiB covers them.
const PER_BYTE: usize = 8;
const FIXED: usize = 512 << 10;

/// One of the process's two stores and its dispatcher.
struct Names {
    dispatcher: Box<dyn Dispatch>,
    /// The highest id its REGISTER has given, over every input.
    last_id: AtomicI64,
}

/// The process's two name services: changes from any port, and only
/// from reserved ports (a root name server). Each has its own store in a
/// directory made for this process (under `/dev/shm` when there is one:
/// a REGISTER commits with an fsync); directories left by fuzzing
/// processes that have exited are removed first.
fn services() -> &'static [Names; 2] {
    static SERVICES: OnceLock<[Names; 2]> = OnceLock::new();
    SERVICES.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        const PREFIX: &str = "dpc-names-fuzz-";
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let pid = name.to_str().and_then(|n| n.strip_prefix(PREFIX));
            if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = base.join(format!("{PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let open = |file: &str, reserved_only| Names {
            dispatcher: Box::new(
                dpc_names::dispatcher(&dir.join(file), reserved_only).expect("a new store opens"),
            ),
            last_id: AtomicI64::new(0),
        };
        [open("open.redb", false), open("reserved.redb", true)]
    })
}

/// Empties the store through the dispatcher itself: every entry LIST
/// shows is unregistered by its node (over TCP from the node's address
/// and a reserved port), which must succeed. Ids are never reused, so
/// only the next id carries over from one input to the next.
fn empty(names: &Names) {
    loop {
        let mut results = Vec::new();
        let list = xdr::to_vec(&DpcListArgs { after: 0, max: 0 }).expect("encodes");
        names.dispatcher.dispatch(&context(4, 0), &list, &mut results).expect("LIST answers");
        let page: DpcListRes = decode(4, &results);
        if page.entries.is_empty() {
            return;
        }
        for entry in page.entries.iter() {
            let node = std::str::from_utf8(entry.node.as_bytes()).expect("stored as text");
            let ip: IpAddr = node.parse().expect("stored as an address literal");
            let mut ctx = context(2, 0);
            ctx.peer = PeerAddr::Inet(SocketAddr::new(ip, 700));
            let args = xdr::to_vec(entry).expect("encodes");
            let mut results = Vec::new();
            names.dispatcher.dispatch(&ctx, &args, &mut results).expect("UNREGISTER answers");
            let status: DpcStatus = decode(2, &results);
            assert_eq!(status, DpcStatus::DpcOk, "its node cannot unregister {entry:?}");
        }
    }
}

/// A call context from one byte: transport, peer and port.
fn context(proc_num: u32, a: u8) -> CallContext {
    let addrs: [IpAddr; 8] = [
        Ipv4Addr::LOCALHOST.into(),
        Ipv4Addr::new(127, 0, 0, 2).into(),
        Ipv6Addr::LOCALHOST.into(),
        Ipv4Addr::new(10, 0, 0, 1).to_ipv6_mapped().into(),
        Ipv4Addr::new(10, 0, 0, 1).into(),
        Ipv4Addr::new(10, 0, 0, 2).into(),
        "2001:db8::1".parse::<Ipv6Addr>().expect("literal").into(),
        Ipv4Addr::UNSPECIFIED.into(),
    ];
    let (transport, peer) = oncrpc_fuzz::transport_and_peer(a, &addrs);
    CallContext {
        xid: 9,
        prog: DPC_NAMES_PROG,
        vers: DPC_NAMES_V1,
        proc_num,
        transport,
        peer,
        credentials: Credentials::None,
        peer_cred: None,
    }
}

/// The results must be exactly one `T`.
fn decode<T: DecodeOwned>(proc_num: u32, results: &[u8]) -> T {
    match xdr::from_slice::<T>(results) {
        Ok(value) => value,
        Err(e) => panic!("procedure {proc_num}: the reply does not decode: {e}"),
    }
}

fn check(names: &Names, proc_num: u32, outcome: &Result<(), ProcError>, results: &[u8]) {
    if outcome.is_err() {
        return;
    }
    match proc_num {
        0 => assert!(results.is_empty(), "NULL answers nothing"),
        1 => {
            if let DpcRegisterRes::DpcOk(id) = decode(proc_num, results) {
                let last = names.last_id.swap(id, Ordering::Relaxed);
                assert!(id > last, "REGISTER gave {id} after {last}");
            }
        }
        2 => {
            decode::<DpcStatus>(proc_num, results);
        }
        3 => {
            if let DpcLookupRes::DpcOk(location) = decode(proc_num, results) {
                assert!(location.pid > 0, "LOOKUP found pid {}", location.pid);
            }
        }
        4 => {
            let page: DpcListRes = decode(proc_num, results);
            assert!(page.entries.len() <= DPC_LIST_MAX as usize);
            assert!(page.entries.windows(2).all(|w| w[0].id < w[1].id), "LIST out of order");
            let last = names.last_id.load(Ordering::Relaxed);
            assert!(page.entries.iter().all(|e| e.id <= last && e.pid > 0));
        }
        _ => panic!("procedure {proc_num} succeeded"),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let names = &services()[usize::from(input.u8() & 1)];
    empty(names);
    while !input.is_empty() {
        let before = input.rest().len();
        let proc_num = u32::from(input.u8() % 8);
        let ctx = context(proc_num, input.u8());
        let args = input.chunk();
        let call_len = before - input.rest().len();
        let mut results = Vec::new();
        let (outcome, growth) = measure(|| names.dispatcher.dispatch(&ctx, args, &mut results));
        assert_proportional("dpc_names_requests call", growth, call_len, PER_BYTE, FIXED);
        check(names, proc_num, &outcome, &results);
    }
});
