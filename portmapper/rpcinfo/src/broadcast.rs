//! `rpcinfo -b prog vers`: calls the program's NULL procedure through
//! every portmapper of the local networks with the portmapper library's
//! [`Broadcast`], timed as libtirpc's `rpc_broadcast` times it: rpcbind
//! v3 CALLIT (and, over IPv4, portmap v2 CALLIT) to the broadcast address
//! of each IPv4 interface and to the rpcbind multicast group on each IPv6
//! one, sent at 0 s and 4 s, answers collected until 12 s. Every answer,
//! repeats included, prints as `uaddr<TAB>host name` as it arrives. `-T`
//! is ignored, as rpcinfo ignores it.

use std::io::Write;
use std::ops::ControlFlow;

use portmapper::broadcast::{Answer, Broadcast, Protocol, Unsent};

use crate::args;
use crate::context::Ctx;
use crate::errors::{Outcome, RpcErr, Stat};
use crate::operands;
use crate::reverse_dns;

/// Runs `-b`.
pub(crate) fn run(operands: &[String], ctx: &mut Ctx<'_>) -> Outcome {
    let [prog, vers] = operands else { return args::usage(ctx.err) };
    let prog = operands::prognum(prog, &ctx.names, ctx.err)? as u32;
    let vers = operands::versnum(vers, ctx.err)? as u32;
    match broadcast((prog, vers), ctx) {
        Ok(()) => Ok(()),
        Err(stat) => ctx.fail(&format!("rpcinfo: broadcast failed: {}", stat.message())),
    }
}

/// The broadcast proper; `Err` with the status rpcinfo reports.
fn broadcast((prog, vers): (u32, u32), ctx: &mut Ctx<'_>) -> Result<(), Stat> {
    let call = Broadcast::new(prog, vers, 0, &()).map_err(stat_of)?.every_reply(true);
    let Ctx { out, err, progname, .. } = ctx;
    let each = |answer: Answer<()>| {
        let host = reverse_dns::name_of(answer.service.ip()).unwrap_or_else(|| "unknown".into());
        let uaddr = portmapper::uaddr::from_socket_addr(answer.service);
        let _ = writeln!(out, "{uaddr}\t{host}");
        let _ = out.flush();
        ControlFlow::<()>::Continue(())
    };
    // libtirpc's `warnx`es: the program name, the message, on stderr.
    let unsent = |unsent: &Unsent| {
        let message = match unsent.protocol {
            Protocol::Portmap2 => "clnt_bcast: Cannot send broadcast packet",
            _ => "rpc_broadcast_exp: cannot send broadcast packet",
        };
        let _ = writeln!(err, "{progname}: {message}");
    };
    call.run_with(each, unsent).map_err(stat_of)?;
    Ok(())
}

/// The `clnt_stat` libtirpc's broadcast ends with for a failure.
fn stat_of(e: portmapper::Error) -> Stat {
    match e {
        portmapper::Error::NoBroadcastDestination => Stat::UnknownProto,
        portmapper::Error::Rpc(e) => RpcErr::from(e).stat,
        _ => Stat::Failed,
    }
}
