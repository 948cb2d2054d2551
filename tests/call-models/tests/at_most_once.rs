//! At-most-once execution: a non-idempotent counter called N times by a
//! client that retries (at-least-once) runs exactly N times when the
//! server has a duplicate request cache, and more often without one -
//! under 20% packet loss on UDP in a network namespace, and over TCP
//! connections that break before the reply arrives.
//!
//! The loss comes from `tc netem` on the namespace's loopback when the
//! kernel has netem; kernels built without it (the CI machines' among
//! them) get the same 20% random drop from an nftables rule (`numgen
//! random mod 5`) on the input hook (a drop there is silent, as a lost
//! packet is), on every UDP packet, calls and replies alike.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use call_models_tests::breaker::Breaker;
use call_models_tests::proto::{CALL_MODELS, CALL_MODELS_V1, CallModelsCallModelsV1Client};
use call_models_tests::{Models, serve};
use oncrpc::clnt::ClientBuilder;
use oncrpc::rpc::retransmit::RetransmitPolicy;
use test_support::netns;

/// Calls per run.
const CALLS: u64 = 200;

/// Calls INCREMENT(1) `CALLS` times, each retried until it succeeds;
/// every reply must be the previous one plus one when each call ran once.
fn increment_all(client: &CallModelsCallModelsV1Client) -> Vec<u64> {
    (0..CALLS).map(|i| client.increment(&1).unwrap_or_else(|e| panic!("call {i}: {e}"))).collect()
}

/// Makes loopback lose one UDP packet in five, at random; says how.
fn lose_one_udp_packet_in_five() -> &'static str {
    let netem = Command::new("tc")
        .args(["qdisc", "add", "dev", "lo", "root", "netem", "loss", "20%"])
        .output()
        .unwrap();
    if netem.status.success() {
        return "tc netem loss 20%";
    }
    eprintln!("tc netem: {}", String::from_utf8_lossy(&netem.stderr).trim());
    for rule in [
        "add table inet lossy",
        "add chain inet lossy in { type filter hook input priority 0 ; }",
        "add rule inet lossy in meta l4proto udp numgen random mod 5 == 0 drop",
    ] {
        let status = Command::new("nft").args(rule.split(' ')).status().unwrap();
        assert!(status.success(), "nft {rule} failed");
    }
    "nftables numgen random mod 5 == 0 drop"
}

#[test]
fn udp_loss_runs_each_call_once_with_the_cache_and_not_without() {
    let Some(_ns) = netns::isolate("udp_loss_runs_each_call_once_with_the_cache_and_not_without")
    else {
        return;
    };
    // Every packet on loopback, calls and replies alike, is lost with
    // probability 0.2.
    eprintln!("packet loss by {}", lose_one_udp_packet_in_five());
    let mut executions = Vec::new();
    for cache in [true, false] {
        let models = Arc::new(Models::default());
        let (server, addr) = serve(&models, true, cache);
        let client = ClientBuilder::new(CALL_MODELS, CALL_MODELS_V1)
            .retransmit(RetransmitPolicy {
                initial: Duration::from_millis(20),
                ceiling: Duration::from_millis(160),
            })
            .timeout(Duration::from_secs(2))
            .retries(5)
            .udp(addr)
            .unwrap();
        let values = increment_all(&CallModelsCallModelsV1Client::new(client));
        eprintln!("cache {cache}: {CALLS} calls ran {} times", models.executions());
        if cache {
            assert_eq!(models.executions(), CALLS, "with the cache, each call runs once");
            assert_eq!(values, (1..=CALLS).collect::<Vec<_>>());
        }
        executions.push(models.executions());
        server.shutdown().unwrap();
    }
    assert!(executions[1] > CALLS, "without the cache lost replies make calls run again");
}

#[test]
fn broken_tcp_connections_run_each_call_once_with_the_cache_and_not_without() {
    let mut executions = Vec::new();
    for cache in [true, false] {
        let models = Arc::new(Models::default());
        let (server, addr) = serve(&models, false, cache);
        // Every fifth reply is replaced by a broken connection.
        let breaker = Breaker::start(addr, 5).unwrap();
        let client = ClientBuilder::new(CALL_MODELS, CALL_MODELS_V1)
            .timeout(Duration::from_secs(5))
            .retries(3)
            .tcp(breaker.addr())
            .unwrap();
        let values = increment_all(&CallModelsCallModelsV1Client::new(client));
        eprintln!(
            "cache {cache}: {CALLS} calls ran {} times over {} broken connections",
            models.executions(),
            breaker.broken()
        );
        assert!(breaker.broken() >= (CALLS / 5) as usize);
        if cache {
            assert_eq!(models.executions(), CALLS);
            assert_eq!(values, (1..=CALLS).collect::<Vec<_>>());
        }
        executions.push(models.executions());
        server.shutdown().unwrap();
    }
    assert!(executions[1] > CALLS);
}
