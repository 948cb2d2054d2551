//! SIGNAL, called by other nodes' daemons: the sender's uid comes in
//! `AUTH_SYS` credentials, believed under the trust rule of the crate
//! documentation (a root daemon takes them only from reserved ports).

use dpc::proto::names::DpcStatus;
use dpc::proto::node::DpcSignalArgs;
use oncrpc::svc::{CallContext, PeerAddr};

use crate::deliver::deliver;
use crate::state::State;

/// SIGNAL: delivers `args.sig` to the process registered here as
/// `args.target` with pid `args.pid` and start time `args.started`, if
/// the claimed uid may signal it.
pub(crate) fn signal(state: &State, ctx: &CallContext, args: DpcSignalArgs) -> DpcStatus {
    let Some(cred) = ctx.credentials.auth_sys() else {
        log::info!("SIGNAL from {} without AUTH_SYS credentials", ctx.peer);
        return DpcStatus::DpcPermission;
    };
    // From other nodes only: local processes call KILL.
    let PeerAddr::Inet(peer) = ctx.peer else { return DpcStatus::DpcPermission };
    if state.reserved_only && !dpc::reserved::from_reserved_port(peer) {
        log::warn!("SIGNAL from {peer}: not a reserved port, credentials not believed");
        return DpcStatus::DpcPermission;
    }
    log::debug!("SIGNAL {} to pid_d {} from {peer} as uid {}", args.sig, args.target, cred.uid);
    deliver(&state.registry, &args, cred.uid)
}
