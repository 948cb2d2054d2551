//! Pinging a program (its NULL procedure): `-t`/`-u host prog [vers]`
//! through the host's portmapper, `-T netid host prog [vers]` likewise
//! over one transport, and `-a uaddr -T netid prog [vers]` straight at
//! an address. Without a version, version 0 is called: the
//! `PROG_MISMATCH` reply gives the range to ping one by one.

use std::time::Duration;

use crate::args::{self, Invocation};
use crate::binding::{ip_getclient, tp_create};
use crate::context::Ctx;
use crate::errors::{Exit, Outcome, RpcErr, Stat};
use crate::handle::{Handle, tli_create, uaddr2taddr};
use crate::netconfig::getnetconfigent;
use crate::operands;

/// rpcinfo's ping timeout.
const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// The version called when none is given (`MIN_VERS`), and the one
/// tried next when a program answers version 0 (`MAX_VERS`).
const MIN_VERS: u64 = 0;
const MAX_VERS: u64 = u32::MAX as u64;

/// `-t` or `-u` (`proto` is `tcp` or `udp`): rpcinfo's `ip_ping`, which
/// prints numbers as the C `u_long`s it parsed them into.
pub(crate) fn ip_ping(proto: &str, inv: &Invocation, ctx: &mut Ctx<'_>) -> Outcome {
    let (host, prog, vers) = match inv.operands.as_slice() {
        [host, prog] => (host, prog, None),
        [host, prog, vers] => (host, prog, Some(vers)),
        _ => return args::usage(ctx.err),
    };
    let prog = operands::prognum(prog, &ctx.names, ctx.err)?;
    let vers = vers.map(|v| operands::versnum(v, ctx.err)).transpose()?;
    let first = vers.unwrap_or(MIN_VERS);
    match ip_getclient(host, (prog as u32, first as u32), proto) {
        Ok(handle) => Probe { handle, prog, wide: true }.run(vers, ctx),
        Err(e) => ctx.fail(&e.spcreateerror(host)),
    }
}

/// `-T netid host prog [vers]`: rpcinfo's `progping`.
pub(crate) fn progping(inv: &Invocation, ctx: &mut Ctx<'_>) -> Outcome {
    let (Some(netid), [host, prog, rest @ ..]) = (&inv.netid, inv.operands.as_slice()) else {
        return args::usage(ctx.err);
    };
    if rest.len() > 1 {
        return args::usage(ctx.err);
    }
    let prog = operands::prognum(prog, &ctx.names, ctx.err)? as u32;
    let vers = rest.first().map(|v| operands::versnum(v, ctx.err)).transpose()?;
    let Some(nc) = getnetconfigent(netid, ctx.err) else {
        return ctx.fail(&format!("rpcinfo: Could not find {netid}"));
    };
    match tp_create(host, (prog, vers.unwrap_or(MIN_VERS) as u32), nc) {
        Ok(handle) => Probe { handle, prog: prog.into(), wide: false }.run(vers, ctx),
        Err(e) => ctx.fail(&e.spcreateerror("rpcinfo")),
    }
}

/// `-a uaddr -T netid prog [vers]`: rpcinfo's `addrping`.
pub(crate) fn addrping(address: &str, inv: &Invocation, ctx: &mut Ctx<'_>) -> Outcome {
    let (Some(netid), [prog, rest @ ..]) = (&inv.netid, inv.operands.as_slice()) else {
        return args::usage(ctx.err);
    };
    if rest.len() > 1 {
        return args::usage(ctx.err);
    }
    let Some(nc) = getnetconfigent(netid, ctx.err) else {
        return ctx.fail(&format!("rpcinfo: Could not find {netid}"));
    };
    let prog = operands::prognum(prog, &ctx.names, ctx.err)? as u32;
    let vers = rest.first().map(|v| operands::versnum(v, ctx.err)).transpose()?;
    let Some(addr) = uaddr2taddr(nc, address) else {
        let message = format!("{}: rpcinfo: no address for client handle", ctx.progname);
        return ctx.fail(&message);
    };
    match tli_create(nc, &addr, (prog, vers.unwrap_or(MIN_VERS) as u32)) {
        Ok(handle) => Probe { handle, prog: prog.into(), wide: false }.run(vers, ctx),
        Err(e) => ctx.fail(&e.spcreateerror("rpcinfo")),
    }
}

/// Pings through one handle.
struct Probe {
    handle: Handle,
    prog: u64,
    /// Print numbers as 64-bit `u_long`s (`ip_ping`) rather than as the
    /// 32-bit values called (`progping`, `addrping`).
    wide: bool,
}

impl Probe {
    /// Pings `vers`, or every version the program admits to.
    fn run(&self, vers: Option<u64>, ctx: &mut Ctx<'_>) -> Outcome {
        if let Some(vers) = vers {
            let answer = self.ping(vers);
            return if self.status(answer, vers, ctx) { Ok(()) } else { Err(Exit) };
        }
        let (low, high) = match self.ping(MIN_VERS) {
            Err(e) if e.stat == Stat::ProgVersMismatch => e.vers(),
            // It answers version 0: try the highest.
            Ok(()) => match self.ping(MAX_VERS) {
                Err(e) if e.stat == Stat::ProgVersMismatch => e.vers(),
                Ok(()) => (0, u32::MAX),
                failed => {
                    self.status(failed, MAX_VERS, ctx);
                    return Err(Exit);
                }
            },
            failed => {
                self.status(failed, MIN_VERS, ctx);
                return Err(Exit);
            }
        };
        let mut ok = true;
        for vers in low..=high {
            let answer = self.ping(vers.into());
            ok &= self.status(answer, vers.into(), ctx);
        }
        if ok { Ok(()) } else { Err(Exit) }
    }

    fn ping(&self, vers: u64) -> Result<(), RpcErr> {
        self.handle.call((self.prog as u32, vers as u32, 0), &(), PING_TIMEOUT)
    }

    /// rpcinfo's `pstatus`: true when the version answered.
    fn status(&self, answer: Result<(), RpcErr>, vers: u64, ctx: &mut Ctx<'_>) -> bool {
        let (prog, vers) = if self.wide {
            (self.prog, vers)
        } else {
            (self.prog as u32 as u64, vers as u32 as u64)
        };
        match answer {
            Ok(()) => {
                ctx.print(&format!("program {prog} version {vers} ready and waiting\n"));
                true
            }
            Err(e) => {
                let _ = ctx.fail(&e.sperror("rpcinfo"));
                ctx.print(&format!("program {prog} version {vers} is not available\n"));
                false
            }
        }
    }
}
