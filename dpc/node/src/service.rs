//! [`Service`]: the node service's procedures, behind the generated
//! server trait.

use std::sync::Arc;

use dpc::proto::names::{DpcRegisterRes, DpcStatus, PidD};
use dpc::proto::node::{DpcKillArgs, DpcSignalArgs};
use oncrpc::svc::{CallContext, ProcError};

use crate::proto::server::DpcNodeProgDpcNodeV1;
use crate::state::State;
use crate::{local, signal};

/// The node service.
#[derive(Debug)]
pub(crate) struct Service(pub(crate) Arc<State>);

impl DpcNodeProgDpcNodeV1 for Service {
    fn regist(&self, ctx: &CallContext) -> Result<DpcRegisterRes, ProcError> {
        Ok(local::regist(&self.0, ctx))
    }

    fn uregist(&self, ctx: &CallContext, arg: PidD) -> Result<DpcStatus, ProcError> {
        Ok(local::uregist(&self.0, ctx, arg))
    }

    fn kill(&self, ctx: &CallContext, arg: DpcKillArgs) -> Result<DpcStatus, ProcError> {
        Ok(local::kill(&self.0, ctx, arg))
    }

    fn signal(&self, ctx: &CallContext, arg: DpcSignalArgs) -> Result<DpcStatus, ProcError> {
        Ok(signal::signal(&self.0, ctx, arg))
    }
}
