//! Load on the example server (issue 9, part 3): 64 concurrent clients,
//! each with a connection (TCP) or a socket (UDP) of its own, make 10,000
//! ADD calls each against the `calculator-server` process. Every call
//! must succeed with its own right answer (nothing lost, nothing mixed
//! up between calls); the latency percentiles are printed as a `FIGURE`
//! line (`cargo test -p reliability-tests --test load_calculator --
//! --nocapture`).
//!
//! UDP calls are resent on libtirpc's schedule (from 3 s, doubling): a
//! resend is no error unless the call finally fails; a call that took at
//! least the first interval was resent, and the figure counts them.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use calculator::proto::{CalcResult, CalculatorCalculatorV1Client};
use oncrpc::clnt::ClientBuilder;
use oncrpc::rpc::retransmit::RetransmitPolicy;
use reliability_tests::load::{CLIENTS, CalculatorProcess, Load, calls_per_client, exclusive};

/// Longest a whole load may run before its clients stop by themselves.
const DEADLINE: Duration = Duration::from_secs(300);

/// The arguments of client `c`'s call `i`, distinct for every call, and
/// the sum the server must answer.
fn operands(c: usize, i: usize) -> (i64, i64, i64) {
    let a = ((c as i64) << 32) | i as i64;
    let b = (i as i64) * 7919 - c as i64;
    (a, b, a + b)
}

fn add_checked(
    client: &mut CalculatorCalculatorV1Client,
    c: usize,
    i: usize,
) -> Result<(), String> {
    let (a, b, sum) = operands(c, i);
    match client.add(&a, &b) {
        Ok(CalcResult::CalcOk(got)) if got == sum => Ok(()),
        Ok(other) => Err(format!("add({a}, {b}) answered {other:?}, not {sum}")),
        Err(e) => Err(format!("add({a}, {b}): {e}")),
    }
}

fn calculator_load(udp: bool) {
    let _machine = exclusive();
    let scratch = test_support::ScratchDir::new("load-calculator");
    let server = CalculatorProcess::start(&scratch.path().join("server.log"));
    let addr = server.addr();
    let calls = calls_per_client();
    let policy = RetransmitPolicy::default();
    let transport = if udp { "udp" } else { "tcp" };
    let load = Load::start(
        &format!("calculator_{transport}"),
        CLIENTS,
        calls,
        DEADLINE,
        move |_| {
            let builder = ClientBuilder::new(0, 0).retransmit(policy);
            let client = if udp { builder.udp(addr) } else { builder.tcp(addr) };
            client.map(CalculatorCalculatorV1Client::new).map_err(|e| e.to_string())
        },
        add_checked,
    );
    let mut outcome = load.wait(DEADLINE + Duration::from_secs(60));
    let resent = outcome.latencies.count_at_least(policy.initial);
    outcome.print_figure(&[
        ("transport", transport.into()),
        ("server", "calculator-server".into()),
        ("resent_calls", resent.to_string()),
    ]);
    outcome.assert_clean();
    assert_eq!(outcome.calls, (CLIENTS * calls) as u64);
    drop(server);
}

#[test]
fn sixty_four_tcp_clients_get_every_answer_right() {
    calculator_load(false);
}

#[test]
fn sixty_four_udp_clients_get_every_answer_right() {
    calculator_load(true);
}
