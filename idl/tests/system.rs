//! Every `.x` file shipped by rpcsvc-proto (`/usr/include/rpcsvc/`) and
//! libtirpc (`rpcb_prot.x`) preprocesses, parses and resolves cleanly.

use std::path::{Path, PathBuf};

const INSTALL: &str = "apt-get install rpcsvc-proto libtirpc-dev";

fn system_files() -> Vec<PathBuf> {
    let dir = Path::new("/usr/include/rpcsvc");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; run `{INSTALL}`", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "x"))
        .collect();
    files.sort();
    let rpcb = PathBuf::from("/usr/include/tirpc/rpc/rpcb_prot.x");
    assert!(rpcb.exists(), "{} is missing; run `{INSTALL}`", rpcb.display());
    files.push(rpcb);
    files
}

#[test]
fn all_system_x_files_resolve() {
    let files = system_files();
    assert!(
        files.len() >= 18,
        "expected the 17 rpcsvc .x files and rpcb_prot.x, found {}; run `{INSTALL}`",
        files.len()
    );
    let opts = idl::Options::new().rpcgen_defines();
    let mut failures = String::new();
    for f in &files {
        let c = idl::compile_file(f, &opts).unwrap_or_else(|e| panic!("{e}"));
        if c.has_errors() || c.ir.is_none() || !c.diagnostics.is_empty() {
            failures.push_str(&c.render_diagnostics());
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn rpc_hdr_alone_is_enough_and_needed() {
    // nlm_prot.x's LM_MAXSTRLEN comes from a `%#define` that only the header
    // sees, and nis_callback.x gets nis.x's types through a header-only
    // `%#include <rpcsvc/nis.h>`: the Rust generator must define RPC_HDR.
    let hdr = idl::Options::new().define("RPC_HDR", None);
    for f in system_files() {
        let c = idl::compile_file(&f, &hdr).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.has_errors(), "RPC_HDR: {}", c.render_diagnostics());
    }
    let xdr = idl::Options::new().define("RPC_XDR", None);
    let c =
        idl::compile_file("/usr/include/rpcsvc/nlm_prot.x", &xdr).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.has_errors());
}

#[test]
fn nfs_prot_ir_facts() {
    let c =
        idl::compile_file("/usr/include/rpcsvc/nfs_prot.x", &idl::Options::new().rpcgen_defines())
            .unwrap_or_else(|e| panic!("{e}; run `{INSTALL}`"));
    let ir = c.ir.expect("nfs_prot.x resolves");
    let fattr = ir.get(ir.find_type("fattr").expect("fattr"));
    assert_eq!(fattr.fixed_size, Some(68));
    let entry = ir.get(ir.find_type("entry").expect("entry"));
    assert!(entry.recursive);
    assert_eq!(entry.fixed_size, None);
    let prog = &ir.programs[0];
    assert_eq!((prog.name.as_str(), prog.number), ("NFS_PROGRAM", 100003));
    assert_eq!(prog.versions[0].procedures.len(), 18);
    let maxdata = ir.find_const("NFS_MAXDATA").expect("NFS_MAXDATA");
    assert_eq!(maxdata.value, idl::ir::ConstValue::Unsigned(8192));
}
