//! Batching: 10,000 one-way calls queued on one TCP connection and
//! flushed by one normal call all run, in order, before that call's reply;
//! timed against 10,000 normal calls (figures printed, not asserted:
//! BENCHMARKS.md has the measured ones).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use call_models_tests::proto::CallModelsCallModelsV1Client;
use call_models_tests::{Models, serve};

const CALLS: u32 = 10_000;

#[test]
fn ten_thousand_batched_calls_run_in_order_before_the_next_call_returns() {
    let models = Arc::new(Models::default());
    let (server, addr) = serve(&models, false, false);
    let client = CallModelsCallModelsV1Client::connect_tcp(addr).unwrap();

    let started = Instant::now();
    for seq in 0..CALLS {
        client.record_batch(&seq).unwrap();
    }
    let summary = client.summary().unwrap();
    let batched = started.elapsed();
    assert_eq!(summary.count, CALLS, "every batched call ran before SUMMARY");
    assert!(summary.in_order, "the batched calls ran in the order sent");

    let started = Instant::now();
    for _ in 0..CALLS {
        client.increment(&1).unwrap();
    }
    let sequential = started.elapsed();
    assert_eq!(models.executions(), u64::from(CALLS));
    eprintln!(
        "{CALLS} batched calls + 1: {batched:?} ({:.0} calls/s); {CALLS} normal calls: \
         {sequential:?} ({:.0} calls/s)",
        f64::from(CALLS) / batched.as_secs_f64(),
        f64::from(CALLS) / sequential.as_secs_f64(),
    );
    server.shutdown().unwrap();
}

#[test]
fn one_way_calls_get_no_reply_and_still_run_in_order() {
    let models = Arc::new(Models::default());
    let (server, addr) = serve(&models, false, false);
    let client = CallModelsCallModelsV1Client::connect_tcp(addr).unwrap();
    for seq in 0..100 {
        client.record(&seq).unwrap();
    }
    let summary = client.summary().unwrap();
    assert_eq!((summary.count, summary.in_order), (100, true));
    server.shutdown().unwrap();
}
