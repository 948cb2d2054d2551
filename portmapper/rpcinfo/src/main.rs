//! `rpcinfo`: reports RPC information, with the command line, output
//! and exit statuses of rpcbind's rpcinfo.
//!
//! ```text
//! rpcinfo [-m | -s] [host]
//! rpcinfo -p [host]
//! rpcinfo -T netid host prognum [versnum]
//! rpcinfo -l host prognum versnum
//! rpcinfo [-n portnum] -u | -t host prognum [versnum]
//! rpcinfo -a serv_address -T netid prognum [version]
//! rpcinfo -b prognum versnum
//! rpcinfo -d [-T netid] prognum versnum
//! ```

mod addrlist;
mod args;
mod binding;
mod broadcast;
mod context;
mod datagram;
mod delete;
mod dump;
mod errors;
mod etc_rpc;
mod handle;
mod netconfig;
mod operands;
mod ping;
mod pmap_dump;
mod reverse_dns;
mod stats;

use std::path::Path;
use std::process::ExitCode;

use args::Function;
use context::Ctx;
use errors::Outcome;
use etc_rpc::{ETC_RPC, RpcNames};

fn main() -> ExitCode {
    let argv: Vec<_> = std::env::args_os().collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut err = std::io::stderr();
    let progname = argv
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map_or_else(|| "rpcinfo".to_owned(), |n| n.to_string_lossy().into_owned());
    let mut ctx = Ctx { names: RpcNames::load(ETC_RPC), out: &mut out, err: &mut err, progname };
    let outcome = run(&argv, &mut ctx);
    let flushed = ctx.out.flush();
    match (outcome, flushed) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// Parses the command line and runs the function it asks for.
fn run(argv: &[std::ffi::OsString], ctx: &mut Ctx<'_>) -> Outcome {
    let inv = args::parse(argv, ctx.err)?;
    match &inv.function {
        Function::RpcbDump => dump::run(&inv, false, ctx),
        Function::RpcbDumpShort => dump::run(&inv, true, ctx),
        Function::PmapDump => pmap_dump::run(&inv, ctx),
        Function::TcpPing => ping::ip_ping("tcp", &inv, ctx),
        Function::UdpPing => ping::ip_ping("udp", &inv, ctx),
        Function::ProgPing => ping::progping(&inv, ctx),
        Function::AddrPing(address) => ping::addrping(address, &inv, ctx),
        Function::AddrList => addrlist::run(&inv, ctx),
        Function::GetStat => stats::run(&inv.operands, ctx),
        Function::Delete => delete::run(&inv, ctx),
        Function::Broadcast => broadcast::run(&inv.operands, ctx),
    }
}
