//! [`Names`]: the procedures of `DPC_NAMES_V1` over the [`Store`].
//!
//! * REGISTER and UNREGISTER take an entry's node as an IP address
//!   literal (stored in canonical text: `::ffff:10.0.0.1` becomes
//!   `10.0.0.1`) and a pid above 0; anything else is `GARBAGE_ARGS`.
//!   Who may call them is the [trust rule](crate::trust); others get
//!   `DPC_PERMISSION` and nothing changes. UNREGISTER removes an entry
//!   only when node, pid and start time all match (else `DPC_MISMATCH`).
//! * A store failure answers `DPC_STORE_FAILED` (LIST, whose result has
//!   no status, answers `SYSTEM_ERR`); the failed transaction changed
//!   nothing.

use std::net::IpAddr;

use dpc::proto::names::{
    DPC_LIST_MAX, DpcEntry, DpcListArgs, DpcListRes, DpcLocation, DpcLookupRes, DpcNode,
    DpcRegisterRes, DpcStatus, PidD,
};
use oncrpc::svc::{CallContext, ProcError};
use oncrpc::xdr;

use crate::proto::server::DpcNamesProgDpcNamesV1;
use crate::store::{Entry, Removal, Store};
use crate::trust::{from_root, may_change};

/// The name service: one store shared by every call.
#[derive(Debug)]
pub(crate) struct Names {
    store: Store,
    /// Changes are taken only from reserved ports ([`from_root`]).
    reserved_only: bool,
}

impl Names {
    /// Serves the table kept in `store`, taking changes only from
    /// reserved ports when `reserved_only`.
    pub(crate) fn new(store: Store, reserved_only: bool) -> Names {
        Names { store, reserved_only }
    }

    /// The trust rule for a change of an entry of `node` ([`crate::trust`]).
    fn may_change(&self, ctx: &CallContext, node: IpAddr) -> bool {
        may_change(ctx, node) && (!self.reserved_only || from_root(ctx))
    }
}

/// Bytes `node` takes on the wire (length word, data, padding).
fn wire_len(node: &DpcNode) -> usize {
    4 + node.as_bytes().len().next_multiple_of(4)
}

/// The address a `node` argument at byte `offset` names. `GARBAGE_ARGS`
/// when it is not an IP address literal.
fn parse_node(node: &DpcNode, offset: usize) -> Result<IpAddr, ProcError> {
    let text = std::str::from_utf8(node.as_bytes()).map_err(|e| {
        ProcError::GarbageArgs(
            xdr::Error::InvalidUtf8 { offset: offset + 4, valid_up_to: e.valid_up_to() }
                .in_field("node"),
        )
    })?;
    text.parse::<IpAddr>().map(|ip| ip.to_canonical()).map_err(|_| {
        log::warn!("refused a node that is not an IP address literal: {text:?}");
        // xdr::Error has no variant for a well-formed value outside the
        // procedure's domain; an enum with no such member is the nearest.
        ProcError::GarbageArgs(
            xdr::Error::InvalidEnum { offset, type_name: "IP address literal", value: 0 }
                .in_field("node"),
        )
    })
}

/// `GARBAGE_ARGS` unless `pid` (at byte `offset`) is above 0.
fn check_pid(pid: i32, offset: usize) -> Result<(), ProcError> {
    if pid > 0 {
        return Ok(());
    }
    log::warn!("refused pid {pid}: not above 0");
    Err(ProcError::GarbageArgs(
        xdr::Error::InvalidEnum { offset, type_name: "pid above 0", value: pid }.in_field("pid"),
    ))
}

/// The wire form of a stored entry; `None` if the store holds a node no
/// reply can carry (it only stores validated ones).
fn wire_entry(e: Entry) -> Option<DpcEntry> {
    let node = DpcNode::try_from(e.node.as_str()).ok()?;
    Some(DpcEntry { id: e.id, node, pid: e.pid, started: e.started })
}

impl DpcNamesProgDpcNamesV1 for Names {
    fn register(&self, ctx: &CallContext, arg: DpcLocation) -> Result<DpcRegisterRes, ProcError> {
        let node = parse_node(&arg.node, 0)?;
        check_pid(arg.pid, wire_len(&arg.node))?;
        if !self.may_change(ctx, node) {
            log::warn!(
                "REGISTER {node} pid {} from {}: refused (not that node)",
                arg.pid,
                ctx.peer
            );
            return Ok(DpcRegisterRes::Default(DpcStatus::DpcPermission));
        }
        match self.store.register(&node.to_string(), arg.pid, arg.started) {
            Ok(id) => {
                let (pid, started) = (arg.pid, arg.started);
                log::info!(
                    "registered pid_d {id}: {node} pid {pid} started {started} ({})",
                    ctx.peer
                );
                Ok(DpcRegisterRes::DpcOk(id))
            }
            Err(e) => {
                log::warn!("REGISTER {node} pid {}: store failed: {e}", arg.pid);
                Ok(DpcRegisterRes::Default(DpcStatus::DpcStoreFailed))
            }
        }
    }

    fn unregister(&self, ctx: &CallContext, arg: DpcEntry) -> Result<DpcStatus, ProcError> {
        let node = parse_node(&arg.node, 8)?;
        check_pid(arg.pid, 8 + wire_len(&arg.node))?;
        let what =
            format!("UNREGISTER pid_d {} ({node} pid {} started {})", arg.id, arg.pid, arg.started);
        if !self.may_change(ctx, node) {
            log::warn!("{what} from {}: refused (not that node)", ctx.peer);
            return Ok(DpcStatus::DpcPermission);
        }
        let entry =
            Entry { id: arg.id, node: node.to_string(), pid: arg.pid, started: arg.started };
        match self.store.unregister(&entry) {
            Ok(Removal::Removed) => {
                log::info!("{what} from {}: done", ctx.peer);
                Ok(DpcStatus::DpcOk)
            }
            Ok(Removal::Unknown) => {
                log::warn!("{what} from {}: unknown id", ctx.peer);
                Ok(DpcStatus::DpcUnknown)
            }
            Ok(Removal::Mismatch) => {
                log::warn!("{what} from {}: registered otherwise", ctx.peer);
                Ok(DpcStatus::DpcMismatch)
            }
            Err(e) => {
                log::warn!("{what}: store failed: {e}");
                Ok(DpcStatus::DpcStoreFailed)
            }
        }
    }

    fn lookup(&self, _ctx: &CallContext, id: PidD) -> Result<DpcLookupRes, ProcError> {
        match self.store.lookup(id) {
            Ok(Some(e)) => match DpcNode::try_from(e.node.as_str()) {
                Ok(node) => {
                    Ok(DpcLookupRes::DpcOk(DpcLocation { node, pid: e.pid, started: e.started }))
                }
                Err(_) => {
                    log::warn!("LOOKUP {id}: the store holds an oversized node {:?}", e.node);
                    Ok(DpcLookupRes::Default(DpcStatus::DpcStoreFailed))
                }
            },
            Ok(None) => Ok(DpcLookupRes::Default(DpcStatus::DpcUnknown)),
            Err(e) => {
                log::warn!("LOOKUP {id}: store failed: {e}");
                Ok(DpcLookupRes::Default(DpcStatus::DpcStoreFailed))
            }
        }
    }

    fn list(&self, _ctx: &CallContext, arg: DpcListArgs) -> Result<DpcListRes, ProcError> {
        let max = if arg.max == 0 { DPC_LIST_MAX } else { arg.max.min(DPC_LIST_MAX) };
        let page = self.store.list(arg.after, max as usize).map_err(|e| {
            log::warn!("LIST after {}: store failed: {e}", arg.after);
            ProcError::SystemErr
        })?;
        let entries: Option<Vec<DpcEntry>> = page.entries.into_iter().map(wire_entry).collect();
        let entries = entries.and_then(|v| xdr::VarArray::new(v).ok()).ok_or_else(|| {
            log::warn!("LIST after {}: the store holds an entry no reply can carry", arg.after);
            ProcError::SystemErr
        })?;
        Ok(DpcListRes { entries, more: page.more })
    }
}
