//! The calculator server: `calculator-server [ADDR]` serves TCP and UDP on
//! ADDR (default 127.0.0.1:4751) until killed.

// A command-line program: it reports where it listens on stdout.
#![allow(clippy::print_stdout)]

use calculator::{Calculator, DEFAULT_ADDR, proto};
use oncrpc::svc::Server;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: std::net::SocketAddr =
        std::env::args().nth(1).unwrap_or_else(|| DEFAULT_ADDR.to_owned()).parse()?;
    let builder = Server::builder().listen_tcp(addr).listen_udp(addr);
    let server = proto::CalculatorCalculatorV1Server(Calculator).register(builder).build()?;
    println!("calculator server listening on {addr} (tcp and udp); Ctrl-C to stop");
    server.run()?;
    Ok(())
}
