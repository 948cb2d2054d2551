//! The dpc node daemon's request handling, as far as it goes without a
//! network, and the codecs of every dpc protocol type.
//!
//! What it covers, and what it does not: the node's full dispatcher
//! (`dpc_node::dispatcher`, the generated `DPC_NODE_V1` server over the
//! node service, as the daemon serves it) with an empty registry. The
//! harness drives every procedure's argument decoding (GARBAGE_ARGS) and
//! every check made before the network: SIGNAL entirely (it touches only
//! the local registry: credentials, peer, reserved ports, signal number,
//! lookup - always "unknown", as nothing is registered), REGIST, UREGIST
//! and KILL refused over TCP and UDP (`DPC_NOT_LOCAL`), UREGIST of an
//! unknown id and KILL of a bad signal number from a local caller. A
//! local REGIST, and a local KILL with a valid signal, would call the name
//! server: the harness never makes those (it drops `SO_PEERCRED` from
//! them, which is the `DPC_NOT_LOCAL` path), and the name server the
//! state names is 127.0.0.1 with a portmapper port nothing listens on,
//! so a slip would show as `DPC_NAMES_UNREACHABLE`, which fails the run.
//! Registered processes, delivery and the name server client are the
//! integration tests' (`dpc/node/tests`).
//!
//! Input: byte 0 picks the mode. Even: calls, each four bytes of header -
//! procedure (0 to 7), one byte choosing the transport, the peer, its
//! port, its AUTH_SYS claim and its `SO_PEERCRED`, and whether the
//! daemon is root's without `--insecure` - two bytes of argument length,
//! then the arguments. Odd: byte 1 picks a type of `dpc_names.x` or
//! `dpc_node.x` and the rest is decoded as it, re-encoded (exactly the
//! bytes decoded) and decoded again (an equal value).
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run dpc_node_requests` (from the
//! repo root).
#![no_main]

use std::fmt::Debug;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::sync::OnceLock;

use dpc::proto::names::{
    DpcEntry, DpcListArgs, DpcListRes, DpcLocation, DpcLookupRes, DpcRegisterRes, DpcStatus, PidD,
};
use dpc::proto::node::{DPC_NODE_PROG, DPC_NODE_V1, DpcKillArgs, DpcSignalArgs};
use libfuzzer_sys::fuzz_target;
use oncrpc_fuzz::{Bytes, Counting, assert_proportional, measure};
use rpc::AuthSysParms;
use svc::{CallContext, Credentials, Dispatch, PeerCred, ProcError, Transport};
use xdr::{ByteString, DecodeOwned, Decoder, Encode, VarArray};

#[global_allocator]
static ALLOC: Counting = Counting;

/// Allocation bound per call or per decode: `PER_BYTE * input + FIXED`.
///
/// Arguments are a few integers; results a status or an id; the types of
/// the codec mode hold at most 8 bytes of memory per byte of encoding (a
/// list entry of `dpc_list_res` is about 48 bytes against 24 on the wire,
/// its node a vector against 4 bytes at least) and a round trip holds
/// two values and two encodings. Nothing is registered, so no call's
/// memory depends on state. `FIXED` covers error values and the log
/// line formatting SIGNAL's refusals (no logger is installed).
const PER_BYTE: usize = 24;
const FIXED: usize = 4096;

const NULL: u32 = 0;
const REGIST: u32 = 1;
const UREGIST: u32 = 2;
const KILL: u32 = 3;
const SIGNAL: u32 = 4;

/// The dispatchers, made once per process: root's without `--insecure`
/// (SIGNAL only from reserved ports when the fuzzer runs as root), and
/// with it.
fn dispatchers() -> &'static [Box<dyn Dispatch>; 2] {
    static DISPATCHERS: OnceLock<[Box<dyn Dispatch>; 2]> = OnceLock::new();
    DISPATCHERS.get_or_init(|| {
        let make = |insecure| -> Box<dyn Dispatch> {
            let opts = dpc_node::Options {
                address: Ipv4Addr::new(127, 0, 0, 1).into(),
                port: 0,
                names: Ipv4Addr::new(127, 0, 0, 1).into(),
                // Nothing listens on port 1 (tcpmux): a call that slipped
                // through to the name server is refused at once.
                pmap_port: 1,
                socket: PathBuf::from("/nonexistent/dpc-fuzz.sock"),
                rpcbind_socket: PathBuf::from("/nonexistent/rpcbind.sock"),
                timeout_ms: 50,
                insecure,
                max_per_user: 16,
            };
            Box::new(dpc_node::dispatcher(&opts).expect("the node's state"))
        };
        [make(false), make(true)]
    })
}

/// A call context from one byte.
fn context(proc_num: u32, a: u8) -> CallContext {
    let addrs: [IpAddr; 4] = [
        Ipv4Addr::LOCALHOST.into(),
        Ipv4Addr::new(10, 0, 0, 2).into(),
        Ipv6Addr::LOCALHOST.into(),
        Ipv4Addr::new(10, 0, 0, 2).to_ipv6_mapped().into(),
    ];
    let (transport, peer) = oncrpc_fuzz::transport_and_peer(a, &addrs);
    let peer_cred = (transport == Transport::Unix).then(|| {
        let uid = if a & 0x20 == 0 { 0 } else { 1000 };
        PeerCred { uid, gid: uid, pid: 4242 }
    });
    let credentials = match (a >> 5) & 3 {
        0 => Credentials::None,
        claim => Credentials::Sys(AuthSysParms {
            stamp: 1,
            machine_name: ByteString::try_from("10.0.0.2").expect("short"),
            uid: if claim == 1 { 0 } else { 1000 },
            gid: 100,
            gids: VarArray::default(),
        }),
    };
    CallContext {
        xid: 3,
        prog: DPC_NODE_PROG,
        vers: DPC_NODE_V1,
        proc_num,
        transport,
        peer,
        credentials,
        peer_cred,
    }
}

/// The results must be exactly one `T`.
fn decode<T: DecodeOwned>(proc_num: u32, results: &[u8]) -> T {
    match xdr::from_slice::<T>(results) {
        Ok(value) => value,
        Err(e) => panic!("procedure {proc_num}: the reply does not decode: {e}"),
    }
}

/// True when KILL's arguments name a signal the daemon accepts (0 to
/// 64): a local KILL would then look the target up at the name server.
fn kill_reaches_names(args: &[u8]) -> bool {
    Decoder::new(args).read::<DpcKillArgs>().is_ok_and(|a| (0..=64).contains(&a.sig))
}

fn call(input: &mut Bytes<'_>) {
    let proc_num = u32::from(input.u8() % 8);
    let a = input.u8();
    let args = input.chunk();
    let mut ctx = context(proc_num, a);
    // Keep off the network (see the crate documentation above).
    if proc_num == REGIST || (proc_num == KILL && kill_reaches_names(args)) {
        ctx.peer_cred = None;
    }
    let dispatcher = &dispatchers()[usize::from(a >> 7)];
    let mut results = Vec::new();
    let (outcome, growth) = measure(|| dispatcher.dispatch(&ctx, args, &mut results));
    assert_proportional("dpc_node_requests call", growth, 4 + args.len(), PER_BYTE, FIXED);
    check(&ctx, &outcome, &results);
}

fn check(ctx: &CallContext, outcome: &Result<(), ProcError>, results: &[u8]) {
    let proc_num = ctx.proc_num;
    match outcome {
        Ok(()) => {}
        Err(ProcError::GarbageArgs(_)) if proc_num != NULL && proc_num != REGIST => return,
        Err(ProcError::ProcUnavail) if proc_num > SIGNAL => return,
        Err(e) => panic!("procedure {proc_num}: {e}"),
    }
    let local = ctx.peer_cred.is_some();
    match proc_num {
        NULL => assert!(results.is_empty(), "NULL answers nothing"),
        REGIST => assert_eq!(
            decode::<DpcRegisterRes>(proc_num, results),
            DpcRegisterRes::Default(DpcStatus::DpcNotLocal)
        ),
        UREGIST | KILL if !local => {
            assert_eq!(decode::<DpcStatus>(proc_num, results), DpcStatus::DpcNotLocal)
        }
        UREGIST => assert_eq!(decode::<DpcStatus>(proc_num, results), DpcStatus::DpcUnknown),
        KILL => assert_eq!(decode::<DpcStatus>(proc_num, results), DpcStatus::DpcBadSignal),
        SIGNAL => {
            let status = decode::<DpcStatus>(proc_num, results);
            assert!(
                matches!(
                    status,
                    DpcStatus::DpcPermission | DpcStatus::DpcUnknown | DpcStatus::DpcBadSignal
                ),
                "SIGNAL with nothing registered answered {status:?}"
            );
        }
        _ => panic!("procedure {proc_num} succeeded"),
    }
}

/// Decode, encode (exactly the bytes decoded), decode again (equal).
fn round_trip<T: DecodeOwned + Encode + PartialEq + Debug>(data: &[u8]) {
    let mut dec = Decoder::new(data);
    let Ok(first) = dec.read::<T>() else { return };
    let wire = xdr::to_vec(&first).expect("a decoded value encodes");
    assert_eq!(wire.len(), first.encoded_len());
    assert!(wire == data[..dec.position()], "re-encoding differs from the bytes decoded");
    assert_eq!(xdr::from_slice::<T>(&wire).expect("an encoding decodes"), first);
}

fn codecs(pick: u8, data: &[u8]) {
    let table: [fn(&[u8]); 10] = [
        round_trip::<DpcKillArgs>,
        round_trip::<DpcSignalArgs>,
        round_trip::<PidD>,
        round_trip::<DpcStatus>,
        round_trip::<DpcLocation>,
        round_trip::<DpcEntry>,
        round_trip::<DpcRegisterRes>,
        round_trip::<DpcLookupRes>,
        round_trip::<DpcListArgs>,
        round_trip::<DpcListRes>,
    ];
    table[usize::from(pick) % table.len()](data)
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    if input.u8() & 1 == 0 {
        while !input.is_empty() {
            call(&mut input);
        }
    } else {
        let pick = input.u8();
        let rest = input.rest();
        let ((), growth) = measure(|| codecs(pick, rest));
        assert_proportional("dpc_node_requests codec", growth, data.len(), PER_BYTE, FIXED);
    }
});
