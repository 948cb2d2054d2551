//! Batching across implementations, with C programs rpcgen builds from the
//! same `call_models.x`: libtirpc's client batches into our server, and our
//! client batches into libtirpc's server; each batch arrives complete and
//! in order, and the call that flushes it is the only one answered.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use call_models_tests::proto::CallModelsCallModelsV1Client;
use call_models_tests::{Models, serve};
use test_support::{CPeer, Child};

const CALLS: u32 = 10_000;

fn build(name: &str, peer: CPeer) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("call-models-{name}"));
    peer.build(&dir, name)
}

fn x_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("call_models.x")
}

#[test]
fn libtirpc_batches_into_our_server() {
    let client = build(
        "batch_client",
        CPeer::new(x_file())
            .client_stubs()
            .source(Path::new(env!("CARGO_MANIFEST_DIR")).join("c/batch_client.c")),
    );
    let models = Arc::new(Models::default());
    let (server, addr) = serve(&models, false, false);
    let port = addr.port().to_string();
    let out = Command::new(&client).args([port.as_str(), &CALLS.to_string()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("{CALLS} 1"));
    server.shutdown().unwrap();
}

#[test]
fn our_client_batches_into_libtirpc_server() {
    let program = build(
        "server",
        CPeer::new(x_file())
            .server_stubs()
            .source(Path::new(env!("CARGO_MANIFEST_DIR")).join("c/server.c")),
    );
    let mut server = Child::spawn(Command::new(&program));
    let port: u16 = server.read_line().trim().parse().unwrap();
    let client = CallModelsCallModelsV1Client::connect_tcp(("127.0.0.1", port)).unwrap();
    for seq in 0..CALLS {
        client.record_batch(&seq).unwrap();
    }
    let summary = client.summary().unwrap();
    assert_eq!((summary.count, summary.in_order), (CALLS, true));
    // The one-way RECORD calls got no reply: an answered call still works.
    assert_eq!(client.increment(&5).unwrap(), 5);
}
