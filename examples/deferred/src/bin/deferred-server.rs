//! The job server of the deferred-synchronous example: accepts jobs on
//! 127.0.0.1:4752 (or the address given) and calls each client back.

use std::time::Duration;

use deferred::{DEFAULT_ADDR, JobServer, proto};
use oncrpc::svc::Server;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    let server = proto::JobsJobsV1Server(JobServer::start(Duration::from_millis(200)))
        .register(Server::builder())
        .listen_tcp(addr.parse()?)
        .build()?;
    eprintln!("deferred-server: listening on {addr}");
    server.run()?;
    Ok(())
}
