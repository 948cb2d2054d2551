//! [`RpcbindV3`] and [`RpcbindV4`]: rpcbind versions 3 and 4 over the
//! shared [`Service`]. Version 4 adds GETVERSADDR, INDIRECT, GETADDRLIST
//! and GETSTAT; its BCAST is version 3's CALLIT.

use std::sync::Arc;

use portmapper::proto::rpcb_prot::{
    Netbuf, Rpcb, RpcbEntryListPtr, RpcbRmtcallargs, RpcbRmtcallres, RpcbStatByvers, RpcblistPtr,
};
use svc::{CallContext, ProcError};
use xdr::{ByteString, Opaque};

use crate::proto::rpcb::{RpcbprogRpcbvers, RpcbprogRpcbvers4};
use crate::rmtcall::Request;
use crate::service::Service;
use crate::stats::Version;
use crate::table::bytes;

/// Rpcbind version 3.
#[derive(Debug, Clone)]
pub struct RpcbindV3(pub Arc<Service>);

/// Rpcbind version 4.
#[derive(Debug, Clone)]
pub struct RpcbindV4(pub Arc<Service>);

/// CALLIT, BCAST and INDIRECT in version `v`.
fn remote_call(
    service: &Service,
    ctx: &CallContext,
    v: Version,
    a: &RpcbRmtcallargs,
) -> Result<RpcbRmtcallres, ProcError> {
    let req = Request { prog: a.prog, vers: a.vers, proc_num: a.proc, args: a.args.as_bytes() };
    let answer = service.remote_call(ctx, v, req)?;
    let results = Opaque::new(answer.results).map_err(|_| ProcError::SystemErr)?;
    Ok(RpcbRmtcallres { addr: bytes(&answer.addr), results })
}

impl RpcbprogRpcbvers for RpcbindV3 {
    fn set(&self, ctx: &CallContext, r: Rpcb) -> Result<bool, ProcError> {
        self.0.set(ctx, Version::Rpcb3, &r)
    }

    fn unset(&self, ctx: &CallContext, r: Rpcb) -> Result<bool, ProcError> {
        self.0.unset(ctx, Version::Rpcb3, &r)
    }

    fn getaddr(&self, ctx: &CallContext, r: Rpcb) -> Result<ByteString, ProcError> {
        Ok(bytes(&self.0.getaddr(ctx, Version::Rpcb3, &r, false)))
    }

    fn dump(&self, _ctx: &CallContext) -> Result<RpcblistPtr, ProcError> {
        Ok(self.0.dump())
    }

    fn callit(&self, ctx: &CallContext, a: RpcbRmtcallargs) -> Result<RpcbRmtcallres, ProcError> {
        remote_call(&self.0, ctx, Version::Rpcb3, &a)
    }

    fn gettime(&self, _ctx: &CallContext) -> Result<u32, ProcError> {
        Ok(self.0.gettime())
    }

    fn uaddr2_taddr(&self, ctx: &CallContext, uaddr: ByteString) -> Result<Netbuf, ProcError> {
        Ok(self.0.uaddr2taddr(ctx, uaddr.as_bytes()))
    }

    fn taddr2_uaddr(&self, ctx: &CallContext, nb: Netbuf) -> Result<ByteString, ProcError> {
        self.0.taddr2uaddr(ctx, &nb).map(|u| bytes(&u))
    }
}

impl RpcbprogRpcbvers4 for RpcbindV4 {
    fn set(&self, ctx: &CallContext, r: Rpcb) -> Result<bool, ProcError> {
        self.0.set(ctx, Version::Rpcb4, &r)
    }

    fn unset(&self, ctx: &CallContext, r: Rpcb) -> Result<bool, ProcError> {
        self.0.unset(ctx, Version::Rpcb4, &r)
    }

    fn getaddr(&self, ctx: &CallContext, r: Rpcb) -> Result<ByteString, ProcError> {
        Ok(bytes(&self.0.getaddr(ctx, Version::Rpcb4, &r, false)))
    }

    fn dump(&self, _ctx: &CallContext) -> Result<RpcblistPtr, ProcError> {
        Ok(self.0.dump())
    }

    fn bcast(&self, ctx: &CallContext, a: RpcbRmtcallargs) -> Result<RpcbRmtcallres, ProcError> {
        remote_call(&self.0, ctx, Version::Rpcb4, &a)
    }

    fn gettime(&self, _ctx: &CallContext) -> Result<u32, ProcError> {
        Ok(self.0.gettime())
    }

    fn uaddr2_taddr(&self, ctx: &CallContext, uaddr: ByteString) -> Result<Netbuf, ProcError> {
        Ok(self.0.uaddr2taddr(ctx, uaddr.as_bytes()))
    }

    fn taddr2_uaddr(&self, ctx: &CallContext, nb: Netbuf) -> Result<ByteString, ProcError> {
        self.0.taddr2uaddr(ctx, &nb).map(|u| bytes(&u))
    }

    fn getversaddr(&self, ctx: &CallContext, r: Rpcb) -> Result<ByteString, ProcError> {
        Ok(bytes(&self.0.getaddr(ctx, Version::Rpcb4, &r, true)))
    }

    fn indirect(&self, ctx: &CallContext, a: RpcbRmtcallargs) -> Result<RpcbRmtcallres, ProcError> {
        remote_call(&self.0, ctx, Version::Rpcb4, &a)
    }

    fn getaddrlist(&self, ctx: &CallContext, r: Rpcb) -> Result<RpcbEntryListPtr, ProcError> {
        Ok(self.0.getaddrlist(ctx, &r))
    }

    fn getstat(&self, _ctx: &CallContext) -> Result<RpcbStatByvers, ProcError> {
        Ok(self.0.getstat())
    }
}
