#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets (fuzz/seeds/<target>/),
each a small valid input in the target's format (see the comment at the
top of each fuzz_targets/<target>.rs). Run from anywhere:
python3 fuzz/seeds/make_seeds.py. The idl_frontend seeds are .x files,
kept by hand."""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def u32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def i32(v):
    return struct.pack(">i", v)


def u64(v):
    return struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF)


def opaque(b):
    return u32(len(b)) + b + b"\0" * (-len(b) % 4)


def fixed(b):
    return b + b"\0" * (-len(b) % 4)


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def chunk(b):
    return struct.pack(">H", len(b)) + b


# --- xdr_generated: [type, depth, xdr...]; type 2*i is fuzz.x type i with
# byte strings, 2*i+1 with UTF-8 strings, 34 the borrowed/owned check.
T = {name: 2 * i for i, name in enumerate(
    "scalars blobs arrays on_int on_unsigned on_enum on_bool item_chain item_list "
    "tree expr expr_pair message color name cookie stamp".split())}
scalars = (i32(-5) + u32(7) + u64(1 << 40) + u64(3) + struct.pack(">f", 1.5)
           + struct.pack(">d", -2.25) + bytes(range(16)) + u32(1) + i32(-7))
blobs = (fixed(b"abc") + b"12345678" + b"cookie!!" + opaque(b"bnd")
         + opaque(b"any opaque") + opaque(b"str") + opaque(b"h\xc3\xa9llo")
         + opaque(b"name"))
on_int_text = i32(4) + opaque(b"text")
arrays = (i32(1) + i32(2) + i32(3) + u32(2) + i32(10) + i32(11) + u32(1) + u64(9)
          + u32(2) + opaque(b"a") + opaque(b"bc") + u32(2) + i32(0) + i32(-7)
          + u32(1) + u32(0) + u32(1) + blobs + u32(0))
item = lambda key, label, value: i32(key) + opaque(label) + value
items = (item(1, b"one", i32(1) + i32(11)) + u32(1) + item(2, b"two", i32(-3))
         + u32(1) + item(3, b"three", on_int_text) + u32(0))
tree = (opaque(b"root") + u32(2) + opaque(b"a") + u32(0) + u32(0)
        + opaque(b"b") + u32(0) + u32(0) + u32(1) + opaque(b"left") + u32(0) + u32(0))
expr = (i32(1) + u32(1) + i32(0) + u64(2) + i32(2) + u32(1) + i32(0) + u64(3))
message = (scalars + blobs + arrays + on_int_text + u32(0) + i32(0) + i32(5)
           + u32(1) + u64(77) + u32(1) + items + u32(0) + i32(9)
           + u32(2) + i32(-3) + i32(9) + opaque(b"x") + i32(1) + i32(-7) + opaque(b"neg"))
borrowed = (opaque(b"bytes") + opaque(b"\x00\x01\x02") + opaque("héllo".encode())
            + fixed(b"fixed") + u32(2) + opaque(b"one") + opaque(b"two"))
write("xdr_generated", "scalars", bytes([T["scalars"], 0]) + scalars)
write("xdr_generated", "blobs_utf8", bytes([T["blobs"] + 1, 0]) + blobs)
write("xdr_generated", "arrays", bytes([T["arrays"], 0]) + arrays)
write("xdr_generated", "item_list", bytes([T["item_list"], 0]) + u32(1) + items)
write("xdr_generated", "tree_depth3", bytes([T["tree"], 0x83]) + tree)
# A tree nested through its children deeper than the depth budget (256):
# before the fix, a few thousand levels overflowed the stack.
deep = u32(0) + u32(1)
write("xdr_generated", "tree_deeper_than_budget", bytes([T["tree"], 0]) + deep * 300 + u32(0) * 3 + u32(0) * 300)
write("xdr_generated", "expr", bytes([T["expr"], 0]) + expr)
write("xdr_generated", "message", bytes([T["message"], 0]) + message)
write("xdr_generated", "borrowed", bytes([34, 0]) + borrowed)

# --- rpc_message: [what, bytes...]; 0-2 message, 3 opaque_auth, 4
# authsys_parms, 5 accept_stat, 6 rejected_reply, 7 auth_stat.
authsys = u32(0x1234) + opaque(b"node1") + u32(1000) + u32(100) + u32(2) + u32(4) + u32(24)
call = (u32(0x01020304) + u32(0) + u32(2) + u32(100000) + u32(2) + u32(3)
        + u32(1) + opaque(authsys) + u32(0) + u32(0) + u32(100003) + u32(3) + u32(6) + u32(0))
write("rpc_message", "call_auth_sys", b"\0" + call)
write("rpc_message", "reply_success", b"\1" + u32(7) + u32(1) + u32(0) + u32(0) + u32(0) + u32(0) + u32(2049))
write("rpc_message", "reply_prog_mismatch", b"\1" + u32(7) + u32(1) + u32(0) + u32(2) + opaque(b"shortver") + u32(2) + u32(2) + u32(4))
write("rpc_message", "reply_auth_error", b"\2" + u32(8) + u32(1) + u32(1) + u32(1) + u32(5))
write("rpc_message", "authsys_parms", b"\4" + authsys)

# --- record_reassembly: [limit (2), n, n chunk sizes, fragment size, stream].
rec = lambda data, last: u32(len(data) | (0x80000000 if last else 0)) + data
stream = rec(b"hello ", False) + rec(b"world", True) + rec(b"", True) + rec(b"x" * 9, True)
write("record_reassembly", "three_records", struct.pack(">H", 64) + bytes([3, 1, 7, 3, 4]) + stream)
# Many 4-byte records: the first run's finding (the harness's bound did
# not count its own list of records).
write("record_reassembly", "many_small_records", struct.pack(">H", 4) + bytes([2, 8, 5, 1]) + rec(b"abcd", True) * 50)
write("record_reassembly", "over_limit", struct.pack(">H", 8) + bytes([0, 5]) + stream)

# --- portmapper_requests: [policy, calls...]; a call is [version (0: 2,
# 1: 3, 2: 4), procedure, ctx a, ctx b, length (2), arguments].
def pm_call(sel, proc_num, a, b, args=b""):
    return bytes([sel, proc_num, a, b]) + chunk(args)
rpcb = lambda prog, vers, netid, addr, owner: u32(prog) + u32(vers) + opaque(netid) + opaque(addr) + opaque(owner)
LOOP_TCP, LOOP_UDP, REMOTE_UDP, LOCAL_ROOT = 0x00, 0x01, 0x41, 0x02 | 0x80
nfs = rpcb(100003, 3, b"tcp", b"0.0.0.0.8.1", b"")
write("portmapper_requests", "rpcb_set_getaddr_dump", b"\0"
      + pm_call(1, 1, LOOP_TCP, 0, nfs)
      + pm_call(1, 3, 0x4C, 0, rpcb(100003, 3, b"tcp", b"", b""))
      + pm_call(2, 9, LOOP_TCP, 0, nfs)
      + pm_call(2, 11, LOOP_UDP, 0, nfs)
      + pm_call(1, 4, LOOP_TCP, 0)
      + pm_call(2, 12, LOOP_TCP, 0)
      + pm_call(1, 2, LOOP_TCP, 0, nfs))
mapping = lambda prog, vers, prot, port: u32(prog) + u32(vers) + u32(prot) + u32(port)
write("portmapper_requests", "pmap_set_getport_callit", b"\0"
      + pm_call(0, 1, LOOP_UDP, 0, mapping(100005, 1, 17, 635))
      + pm_call(0, 3, REMOTE_UDP, 0, mapping(100005, 1, 17, 0))
      + pm_call(0, 4, LOOP_TCP, 0)
      + pm_call(0, 5, LOOP_UDP, 0, u32(100005) + u32(1) + u32(0) + opaque(b""))
      + pm_call(2, 10, LOOP_UDP, 0, u32(100005) + u32(1) + u32(0) + opaque(b""))
      + pm_call(0, 2, LOOP_UDP, 0, mapping(100005, 1, 17, 0)))
write("portmapper_requests", "local_socket_and_conversions", b"\3"
      + pm_call(2, 1, LOCAL_ROOT, 2, rpcb(300000, 1, b"local", b"/run/x.sock", b""))
      + pm_call(1, 7, LOOP_TCP, 0, opaque(b"127.0.0.1.0.111"))
      + pm_call(2, 8, 0x10, 0, u32(28) + opaque(b"\x00\x0a\x00\x6f" + b"\0" * 24))
      + pm_call(2, 2, LOCAL_ROOT, 2, rpcb(300000, 1, b"", b"", b""))
      + pm_call(1, 6, LOOP_TCP, 0x0C))

# --- dpc_names_requests: [policy, calls...]; a call is [procedure, ctx,
# length (2), arguments]; ctx 0 is TCP from 127.0.0.1 port 700.
def nm_call(proc_num, a, args=b""):
    return bytes([proc_num, a]) + chunk(args)
location = opaque(b"127.0.0.1") + i32(4242) + u64(99)
entry = u64(1) + location
write("dpc_names_requests", "register_lookup_list_unregister", b"\0"
      + nm_call(0, 0) + nm_call(1, 0, location) + nm_call(1, 0x08, opaque(b"::1") + i32(7) + u64(1))
      + nm_call(3, 0x20, u64(1)) + nm_call(4, 0x20, u64(0) + u32(0))
      + nm_call(2, 0, entry) + nm_call(3, 0, u64(1)))
write("dpc_names_requests", "refusals", b"\1"
      + nm_call(1, 0x20, opaque(b"10.0.0.1") + i32(5) + u64(5))
      + nm_call(1, 0x01, location) + nm_call(1, 0x04, location)
      + nm_call(1, 0, opaque(b"not-an-ip") + i32(5) + u64(5))
      + nm_call(2, 0x02, u64(9) + location))

# --- dpc_node_requests: [mode, ...]; mode 0: calls [procedure, ctx,
# length (2), arguments]; mode 1: [type, xdr...].
def nd_call(proc_num, a, args=b""):
    return bytes([proc_num, a]) + chunk(args)
signal = u64(1) + i32(4242) + u64(99) + i32(10)
write("dpc_node_requests", "calls", b"\0"
      + nd_call(0, 0) + nd_call(4, 0x08 | 0x20, signal) + nd_call(4, 0x80 | 0x08 | 0x20, signal)
      + nd_call(2, 0x02, u64(1)) + nd_call(3, 0x02, u64(1) + i32(99))
      + nd_call(1, 0x02) + nd_call(3, 0x00, u64(1) + i32(9)) + nd_call(4, 0x02, signal))
write("dpc_node_requests", "list_res", b"\1\x09" + u32(2) + entry + u64(2) + opaque(b"::1") + i32(1) + u64(2) + u32(1))
write("dpc_node_requests", "lookup_res", b"\1\x07" + u32(0) + location)
