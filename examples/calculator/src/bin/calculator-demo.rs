//! The project's demo in one command: starts the calculator server on a
//! loopback port of its own, calls every procedure through the client that
//! rpcgen generated from `calculator.x`, over TCP and then UDP, and stops.
//!
//! `cargo run -p calculator --bin calculator-demo`

// A command-line program: it prints what it does on stdout.
#![allow(clippy::print_stdout)]

use calculator::{Calculator, number_list, proto};
use oncrpc::svc::Server;
use proto::CalculatorCalculatorV1Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let any_port = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let builder = Server::builder().listen_tcp(any_port).listen_udp(any_port);
    let server = proto::CalculatorCalculatorV1Server(Calculator).register(builder).build()?;
    let (tcp, udp) = (server.tcp_addr(), server.udp_addr());
    let handle = server.spawn()?;
    println!("calculator server (generated from calculator.x) on tcp {tcp:?}, udp {udp:?}");

    for (transport, client) in [
        ("tcp", tcp.map(CalculatorCalculatorV1Client::connect_tcp)),
        ("udp", udp.map(CalculatorCalculatorV1Client::connect_udp)),
    ] {
        let Some(client) = client.transpose()? else { continue };
        client.null()?;
        println!("[{transport}] null: ok");
        println!("[{transport}] add(40, 2) = {:?}", client.add(&40, &2)?);
        println!("[{transport}] div(7, 0) = {:?}", client.div(&7, &0)?);
        println!("[{transport}] mul(2^62, 4) = {:?}", client.mul(&(1 << 62), &4)?);
        let stats = client.summarize(&number_list(&[3, 4, 5, 8]))?;
        println!("[{transport}] summarize([3, 4, 5, 8]) = {stats:?}");
        let greeting = client.hello(&"newcomer".try_into()?)?;
        println!("[{transport}] hello(\"newcomer\") = {greeting:?}");
    }
    handle.shutdown()?;
    println!("server stopped");
    Ok(())
}
