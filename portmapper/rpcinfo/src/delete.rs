//! `rpcinfo -d [-T netid] prog vers`: removes a registration from the
//! local portmapper (rpcbind v3 UNSET through the local socket).

use crate::args::{self, Invocation};
use crate::binding::rpcb_unset;
use crate::context::Ctx;
use crate::errors::Outcome;
use crate::netconfig::getnetconfigent;
use crate::operands;

/// Runs `-d`. The portmapper's refusal (not the owner, nothing to
/// delete) and failing to reach it read the same, as in rpcinfo.
pub(crate) fn run(inv: &Invocation, ctx: &mut Ctx<'_>) -> Outcome {
    let [prog_arg, vers_arg] = inv.operands.as_slice() else { return args::usage(ctx.err) };
    if let Some(netid) = &inv.netid {
        if getnetconfigent(netid, ctx.err).is_none() {
            return ctx.fail(&format!("rpcinfo: netid {netid} not supported"));
        }
    }
    // rpcinfo's compiler evaluates the call's arguments right to left.
    let vers = operands::versnum(vers_arg, ctx.err)?;
    let prog = operands::prognum(prog_arg, &ctx.names, ctx.err)?;
    if rpcb_unset((prog as u32, vers as u32), inv.netid.as_deref()) {
        Ok(())
    } else {
        ctx.fail(&format!(
            "rpcinfo: Could not delete registration for prog {prog_arg} version {vers_arg}"
        ))
    }
}
