//! The local procedures, served to processes of this node over the local
//! socket, where the kernel says who calls (`SO_PEERCRED`): REGIST,
//! UREGIST and KILL. Over TCP they answer `DPC_NOT_LOCAL`.

use std::net::IpAddr;
use std::sync::Arc;

use dpc::proto::names::{DpcLocation, DpcLookupRes, DpcNode, DpcRegisterRes, DpcStatus, PidD};
use dpc::proto::node::{DpcKillArgs, DpcSignalArgs};
use oncrpc::clnt::Auth;
use oncrpc::svc::CallContext;
use rustix::io::Errno;

use crate::deliver::{deliver, signal_number};
use crate::registry::{Registered, open_live};
use crate::state::State;

/// REGIST: registers the calling process, by pid and start time, with
/// the name server and watches it until it exits.
pub(crate) fn regist(state: &State, ctx: &CallContext) -> DpcRegisterRes {
    let Some(caller) = ctx.peer_cred else {
        return DpcRegisterRes::Default(DpcStatus::DpcNotLocal);
    };
    if !state.registry.has_room_for(caller.uid) {
        log::warn!(
            "registrations full (all, or uid {}'s): pid {} not registered",
            caller.uid,
            caller.pid
        );
        return DpcRegisterRes::Default(DpcStatus::DpcLimit);
    }
    // The pidfd first: a process already gone is never registered, and
    // from now on the pidfd names exactly this process.
    let live = match open_live(caller.pid) {
        Ok(live) => live,
        Err(Errno::SRCH) => return DpcRegisterRes::Default(DpcStatus::DpcGone),
        Err(e) => {
            log::warn!("cannot watch pid {}: {e}", caller.pid);
            return DpcRegisterRes::Default(DpcStatus::DpcLimit);
        }
    };
    // The pid is the one of connect(): if that process is gone, its pid
    // may be another's now. Another user's is refused (crate doc, Limits).
    if live.uids.real != caller.uid && live.uids.effective != caller.uid {
        log::warn!(
            "pid {} is no longer a process of uid {}: not registered",
            caller.pid,
            caller.uid
        );
        return DpcRegisterRes::Default(DpcStatus::DpcPermission);
    }
    let location = DpcLocation { node: state.node.clone(), pid: caller.pid, started: live.started };
    let id = match state.names.register(&location) {
        Ok(DpcRegisterRes::DpcOk(id)) => id,
        Ok(refused) => return refused,
        Err(_) => return DpcRegisterRes::Default(DpcStatus::DpcNamesUnreachable),
    };
    let registered = Registered {
        pid: caller.pid,
        started: live.started,
        uid: caller.uid,
        pidfd: Arc::new(live.pidfd),
    };
    if state.registry.insert(id, registered.clone()).is_err() {
        state.cleanup.push(state.entry(id, &registered));
        return DpcRegisterRes::Default(DpcStatus::DpcLimit);
    }
    log::info!("pid {} (uid {}) registered as pid_d {id}", caller.pid, caller.uid);
    DpcRegisterRes::DpcOk(id)
}

/// UREGIST: unregisters `id`, which must be registered here by the
/// calling process.
pub(crate) fn uregist(state: &State, ctx: &CallContext, id: PidD) -> DpcStatus {
    let Some(caller) = ctx.peer_cred else { return DpcStatus::DpcNotLocal };
    let Some(entry) = state.registry.get(id) else { return DpcStatus::DpcUnknown };
    if entry.pid != caller.pid {
        log::info!("pid {} may not unregister pid_d {id} of pid {}", caller.pid, entry.pid);
        return DpcStatus::DpcPermission;
    }
    match state.names.unregister(&state.entry(id, &entry)) {
        Err(_) => DpcStatus::DpcNamesUnreachable,
        // Unknown to the name server: unregistered everywhere all the same.
        Ok(DpcStatus::DpcOk | DpcStatus::DpcUnknown) => {
            state.registry.remove_same(id, &entry.pidfd);
            log::info!("pid_d {id} (pid {}) unregistered", entry.pid);
            DpcStatus::DpcOk
        }
        Ok(status) => status,
    }
}

/// KILL: looks `args.target` up and has its node deliver the signal,
/// with the caller's uid and gid.
pub(crate) fn kill(state: &State, ctx: &CallContext, args: DpcKillArgs) -> DpcStatus {
    let Some(caller) = ctx.peer_cred else { return DpcStatus::DpcNotLocal };
    if let Err(status) = signal_number(args.sig) {
        return status;
    }
    let location = match state.names.lookup(args.target) {
        Ok(DpcLookupRes::DpcOk(location)) => location,
        Ok(DpcLookupRes::Default(status)) => return status,
        Err(_) => return DpcStatus::DpcNamesUnreachable,
    };
    let Some(node) = parse_node(&location.node) else {
        log::warn!("pid_d {} is on a node that is no address: {:?}", args.target, location.node);
        return DpcStatus::DpcNodeUnreachable;
    };
    let signal = DpcSignalArgs {
        target: args.target,
        pid: location.pid,
        started: location.started,
        sig: args.sig,
    };
    if node == state.address {
        return deliver(&state.registry, &signal, caller.uid);
    }
    let auth = match Auth::sys(&state.address.to_string(), caller.uid, caller.gid, &[]) {
        Ok(auth) => auth,
        Err(e) => {
            log::error!("cannot build AUTH_SYS credentials: {e}");
            return DpcStatus::DpcNodeUnreachable;
        }
    };
    state.peers.signal(node, &signal, &auth).unwrap_or(DpcStatus::DpcNodeUnreachable)
}

/// A node name as an address.
fn parse_node(node: &DpcNode) -> Option<IpAddr> {
    std::str::from_utf8(node.as_bytes()).ok()?.parse().ok()
}
