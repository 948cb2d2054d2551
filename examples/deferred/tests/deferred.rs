//! The deferred-synchronous exchange end to end: SUBMIT returns before the
//! work is done, and each result arrives later through the callback.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use deferred::{JobServer, proto, serve_callbacks, sum_of_squares};
use oncrpc::svc::Server;

#[test]
fn results_arrive_through_the_callback_after_submit_returned() {
    let work = Duration::from_millis(300);
    let server = proto::JobsJobsV1Server(JobServer::start(work))
        .register(Server::builder())
        .listen_tcp("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap()
        .spawn()
        .unwrap();
    let (callbacks, results, reply_to) = serve_callbacks().unwrap();
    let jobs = proto::JobsJobsV1Client::connect_tcp(server.tcp_addr().unwrap()).unwrap();

    let started = Instant::now();
    for (id, n) in [(1, 10), (2, 1_000), (3, 1_000_000)] {
        assert!(jobs.submit(&proto::Job { id, n, reply_to }).unwrap());
    }
    assert!(started.elapsed() < work, "SUBMIT waited for the work");
    assert!(results.try_recv().is_err(), "a result before the work was done");

    let mut got: Vec<_> = (0..3)
        .map(|_| results.recv_timeout(Duration::from_secs(10)).unwrap())
        .map(|r| (r.id, r.value))
        .collect();
    got.sort_unstable();
    let want: Vec<_> =
        [(1, 10), (2, 1_000), (3, 1_000_000)].map(|(id, n)| (id, sum_of_squares(n))).to_vec();
    assert_eq!(got, want);
    assert_eq!(sum_of_squares(10), 385);
    server.shutdown().unwrap();
    callbacks.shutdown().unwrap();
}
