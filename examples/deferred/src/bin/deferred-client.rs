//! The client of the deferred-synchronous example: submits three jobs to
//! the job server (127.0.0.1:4752 or the address given), works on, and
//! prints each result when the server calls back.

use std::io::Write;
use std::time::Duration;

use deferred::{DEFAULT_ADDR, proto, serve_callbacks};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    let (_callbacks, results, reply_to) = serve_callbacks()?;
    let jobs = proto::JobsJobsV1Client::connect_tcp(addr.as_str())?;
    let mut out = std::io::stdout().lock();
    for (id, n) in [(1u64, 10u32), (2, 1_000), (3, 1_000_000)] {
        let accepted = jobs.submit(&proto::Job { id, n, reply_to })?;
        writeln!(
            out,
            "job {id}: sum of squares of 1..={n}: {}",
            if accepted { "submitted" } else { "refused" }
        )?;
    }
    writeln!(out, "the client works on while the server computes...")?;
    for _ in 0..3 {
        let result = results.recv_timeout(Duration::from_secs(10))?;
        writeln!(out, "job {}: {}", result.id, result.value)?;
    }
    Ok(())
}
