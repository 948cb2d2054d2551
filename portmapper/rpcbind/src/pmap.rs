//! [`PortmapV2`]: portmap version 2 over the shared [`Service`] - the
//! IPv4 TCP and UDP view of the one registration table.

use std::sync::Arc;

use portmapper::proto::pmap_prot::{CallArgs, CallResult, Mapping, PmaplistPtr};
use svc::{CallContext, ProcError};
use xdr::Opaque;

use crate::proto::pmap::PmapProgPmapVers;
use crate::rmtcall::{Request, pmap_port_of};
use crate::service::Service;
use crate::stats::Version;

/// Portmap version 2.
#[derive(Debug, Clone)]
pub struct PortmapV2(pub Arc<Service>);

impl PmapProgPmapVers for PortmapV2 {
    fn set(&self, ctx: &CallContext, m: Mapping) -> Result<bool, ProcError> {
        self.0.pmap_set(ctx, m.prog, m.vers, m.prot, m.port)
    }

    fn unset(&self, ctx: &CallContext, m: Mapping) -> Result<bool, ProcError> {
        self.0.pmap_unset(ctx, m.prog, m.vers)
    }

    fn getport(&self, _ctx: &CallContext, m: Mapping) -> Result<u32, ProcError> {
        Ok(self.0.getport(m.prog, m.vers, m.prot))
    }

    fn dump(&self, _ctx: &CallContext) -> Result<PmaplistPtr, ProcError> {
        Ok(self.0.pmap_dump())
    }

    fn callit(&self, ctx: &CallContext, a: CallArgs) -> Result<CallResult, ProcError> {
        let req = Request { prog: a.prog, vers: a.vers, proc_num: a.proc, args: a.args.as_bytes() };
        let answer = self.0.remote_call(ctx, Version::Pmap2, req)?;
        // rpcbind cannot encode an answer without an IPv4 port: no reply.
        let port = pmap_port_of(&answer.addr).ok_or(ProcError::NoReply)?;
        let res = Opaque::new(answer.results).map_err(|_| ProcError::SystemErr)?;
        Ok(CallResult { port, res })
    }
}
