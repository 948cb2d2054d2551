//! An in-memory name server implementing the server trait rpcgen
//! generates from `dpc_names.x` (the name server crate's), registered
//! with the portmapper of 127.0.0.1. It can be stopped and started again
//! on the same table.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use dpc::proto::names::{
    DPC_LIST_MAX, DPC_NAMES_PROG, DPC_NAMES_V1, DpcEntry, DpcListArgs, DpcListRes, DpcLocation,
    DpcLookupRes, DpcRegisterRes, DpcStatus, PidD,
};
use oncrpc::portmapper::Rpcbind;
use oncrpc::svc::{CallContext, ProcError, Server, ServerHandle};
use oncrpc::xdr::{ByteString, VarArray};

use super::{Portmappers, ip};
use test_support::ScratchDir;

use dpc_names::proto::server::{DpcNamesProgDpcNamesV1, DpcNamesProgDpcNamesV1Server};

/// The name server's table: id -> (node, pid, start time).
#[derive(Debug, Default)]
pub struct Table {
    entries: Mutex<BTreeMap<PidD, (String, i32, u64)>>,
    next: Mutex<PidD>,
}

impl Table {
    /// Where `id` runs (node and pid), if registered.
    pub fn get(&self, id: PidD) -> Option<(String, i32)> {
        self.row(id).map(|(node, pid, _)| (node, pid))
    }

    /// The start time `id` was registered with.
    pub fn started(&self, id: PidD) -> Option<u64> {
        self.row(id).map(|(_, _, started)| started)
    }

    fn row(&self, id: PidD) -> Option<(String, i32, u64)> {
        self.entries.lock().unwrap().get(&id).cloned()
    }

    /// Adds an entry as a node's daemon would have registered it.
    pub fn insert(&self, node: &str, pid: i32, started: u64) -> PidD {
        let mut next = self.next.lock().unwrap();
        *next += 1;
        self.entries.lock().unwrap().insert(*next, (node.to_owned(), pid, started));
        *next
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap().len()
    }
}

struct Service(Arc<Table>);

fn node_string(node: &ByteString<64>) -> String {
    String::from_utf8_lossy(node.as_bytes()).into_owned()
}

impl DpcNamesProgDpcNamesV1 for Service {
    fn register(&self, _: &CallContext, arg: DpcLocation) -> Result<DpcRegisterRes, ProcError> {
        Ok(DpcRegisterRes::DpcOk(self.0.insert(&node_string(&arg.node), arg.pid, arg.started)))
    }

    fn unregister(&self, _: &CallContext, arg: DpcEntry) -> Result<DpcStatus, ProcError> {
        let mut entries = self.0.entries.lock().unwrap();
        let wanted = (node_string(&arg.node), arg.pid, arg.started);
        Ok(match entries.get(&arg.id) {
            None => DpcStatus::DpcUnknown,
            Some(row) if *row == wanted => {
                entries.remove(&arg.id);
                DpcStatus::DpcOk
            }
            Some(_) => DpcStatus::DpcMismatch,
        })
    }

    fn lookup(&self, _: &CallContext, arg: PidD) -> Result<DpcLookupRes, ProcError> {
        Ok(match self.0.row(arg) {
            Some((node, pid, started)) => DpcLookupRes::DpcOk(DpcLocation {
                node: ByteString::try_from(node.as_str()).unwrap(),
                pid,
                started,
            }),
            None => DpcLookupRes::Default(DpcStatus::DpcUnknown),
        })
    }

    fn list(&self, _: &CallContext, arg: DpcListArgs) -> Result<DpcListRes, ProcError> {
        let entries = self.0.entries.lock().unwrap();
        // Small pages, so that recovery must follow `more`.
        let max = arg.max.clamp(1, DPC_LIST_MAX).min(2) as usize;
        let mut after = entries.range(arg.after + 1..);
        let page: Vec<DpcEntry> = after
            .by_ref()
            .take(max)
            .map(|(id, (node, pid, started))| DpcEntry {
                id: *id,
                node: ByteString::try_from(node.as_str()).unwrap(),
                pid: *pid,
                started: *started,
            })
            .collect();
        let more = after.next().is_some();
        Ok(DpcListRes { entries: VarArray::new(page).unwrap(), more })
    }
}

/// The name server: its table, and its server while running.
pub struct FakeNames {
    pub table: Arc<Table>,
    rpcbind: Rpcbind,
    server: Option<ServerHandle>,
}

impl FakeNames {
    /// Starts a name server on 127.0.0.1, registered with its portmapper.
    pub fn start(dir: &ScratchDir, pmap: &Portmappers) -> FakeNames {
        let rpcbind = Rpcbind::at(SocketAddr::new(ip(1), pmap.port))
            .socket(Some(Portmappers::socket(dir, ip(1))));
        let mut names = FakeNames { table: Arc::default(), rpcbind, server: None };
        names.resume();
        names
    }

    /// Stops serving (and unregisters from the portmapper).
    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().unwrap();
        }
    }

    /// Serves the same table again.
    pub fn resume(&mut self) {
        let server = Server::builder()
            .register(
                DPC_NAMES_PROG,
                DPC_NAMES_V1,
                DpcNamesProgDpcNamesV1Server(Service(Arc::clone(&self.table))),
            )
            .listen_tcp(SocketAddr::new(ip(1), 0))
            .workers(2)
            .portmapper(self.rpcbind.clone())
            .build()
            .unwrap();
        self.server = Some(server.spawn().unwrap());
    }
}
