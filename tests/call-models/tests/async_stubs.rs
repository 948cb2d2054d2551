//! The generated asynchronous and one-way variants of each procedure:
//! 64 calls outstanding on one connection collected by waiting, polling
//! and callbacks; one-way increments that run without a reply.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use call_models_tests::proto::CallModelsCallModelsV1Client;
use call_models_tests::{Models, serve};
use oncrpc::svc::ServerHandle;

fn connect(models: &Arc<Models>) -> (ServerHandle, CallModelsCallModelsV1Client) {
    let (server, addr) = serve(models, false, false);
    (server, CallModelsCallModelsV1Client::connect_tcp(addr).unwrap())
}

#[test]
fn sixty_four_outstanding_calls_are_collected_three_ways() {
    let models = Arc::new(Models::default());
    let (server, client) = connect(&models);
    let mut pending: Vec<_> = (0..64).map(|_| client.increment_async(&1).unwrap()).collect();
    let (tx, rx) = mpsc::channel();
    for call in pending.drain(..16) {
        let tx = tx.clone();
        call.on_reply(move |r| tx.send(r.unwrap()).unwrap());
    }
    let mut values: Vec<u64> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut polled = pending.split_off(24);
    while !polled.is_empty() {
        assert!(Instant::now() < deadline, "polled calls never completed");
        polled.retain_mut(|call| match call.poll() {
            Some(r) => {
                values.push(r.unwrap());
                false
            }
            None => true,
        });
    }
    values.extend(pending.into_iter().map(|call| call.wait().unwrap()));
    values.extend((0..16).map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap()));
    values.sort_unstable();
    assert_eq!(values, (1..=64).collect::<Vec<_>>(), "each call ran once and got its own reply");
    server.shutdown().unwrap();
}

#[test]
fn one_way_variants_run_without_a_reply() {
    let models = Arc::new(Models::default());
    let (server, client) = connect(&models);
    for _ in 0..10 {
        client.increment_oneway(&2).unwrap();
    }
    // The server answers INCREMENT (its replies to one-way calls are
    // dropped as strays) and may run a connection's answered calls in any
    // order: wait until all ten have run.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut probes = 0;
    loop {
        probes += 1;
        let value = client.increment(&0).unwrap();
        if value == 20 {
            break;
        }
        assert!(value < 20 && Instant::now() < deadline, "counter at {value}");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(models.executions(), 10 + probes);
    server.shutdown().unwrap();
}
