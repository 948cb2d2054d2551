//! Starts the calculator server in-process on free ports and calls every
//! procedure over TCP and UDP through the generated client.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

use calculator::{Calculator, number_list, proto};
use oncrpc::svc::Server;
use oncrpc::xdr::ByteString;
use proto::{CalcResult, CalcStatus, CalculatorCalculatorV1Client};

fn calls(client: &CalculatorCalculatorV1Client) {
    client.null().unwrap();
    assert_eq!(client.add(&2, &3).unwrap(), CalcResult::CalcOk(5));
    assert_eq!(client.sub(&2, &3).unwrap(), CalcResult::CalcOk(-1));
    assert_eq!(client.mul(&-4, &3).unwrap(), CalcResult::CalcOk(-12));
    assert_eq!(client.div(&7, &2).unwrap(), CalcResult::CalcOk(3));
    assert_eq!(client.div(&7, &0).unwrap(), CalcResult::Default(CalcStatus::CalcDivByZero));
    assert_eq!(client.add(&i64::MAX, &1).unwrap(), CalcResult::Default(CalcStatus::CalcOverflow));
    let stats = client.summarize(&number_list(&[1, 2, 3, 4])).unwrap();
    assert_eq!((stats.count, stats.sum, stats.mean), (4, 10, 2.5));
    assert_eq!(client.summarize(&number_list(&[])).unwrap().count, 0);
    let name = ByteString::try_from("rpc").unwrap();
    assert_eq!(client.hello(&name).unwrap().as_bytes(), b"Hello, rpc!");
}

#[test]
fn server_answers_over_tcp_and_udp() {
    let any = "127.0.0.1:0".parse().unwrap();
    let builder = Server::builder().listen_tcp(any).listen_udp(any);
    let server = proto::CalculatorCalculatorV1Server(Calculator)
        .register(builder)
        .build()
        .unwrap()
        .spawn()
        .unwrap();
    let tcp = CalculatorCalculatorV1Client::connect_tcp(server.tcp_addr().unwrap()).unwrap();
    let udp = CalculatorCalculatorV1Client::connect_udp(server.udp_addr().unwrap()).unwrap();
    calls(&tcp);
    calls(&udp);

    // Many calls in flight at once on one connection, from several threads.
    std::thread::scope(|s| {
        for t in 0..4i64 {
            let client = tcp.clone();
            s.spawn(move || {
                for i in 0..50 {
                    assert_eq!(client.add(&t, &i).unwrap(), CalcResult::CalcOk(t + i));
                }
            });
        }
    });

    // A version the server does not have: PROG_MISMATCH with the range served.
    let v2 = tcp.inner().with_program(proto::CALCULATOR, 2);
    let err = v2.call::<_, ()>(0, &()).unwrap_err();
    assert!(err.to_string().to_lowercase().contains("version"), "{err}");
    // An unknown procedure: PROC_UNAVAIL.
    let err = tcp.inner().call::<_, ()>(99, &()).unwrap_err();
    assert!(err.to_string().to_lowercase().contains("procedure"), "{err}");
    // Arguments that do not decode: GARBAGE_ARGS.
    let err = tcp.inner().call::<_, CalcResult>(proto::ADD, &1u32).unwrap_err();
    assert!(err.to_string().to_lowercase().contains("decode"), "{err}");
    server.shutdown().unwrap();
}
