//! [`Store`]: the name table on disk, one redb database file.
//!
//! Why redb rather than SQLite: the table is a single ordered map from
//! pid_d to {node, pid, start time} plus one counter, which is exactly a
//! B-tree key-value store, so SQL buys nothing; redb is pure Rust (no C
//! library, no `unsafe` FFI bindings to build or audit, `cargo build` alone
//! on every machine), ACID with copy-on-write pages and an fsync at every
//! commit of [`Durability::Immediate`] (a committed transaction survives
//! `kill -9` and power loss, an uncommitted one leaves no trace), keeps
//! ordered range scans for LIST, and locks its file (`flock`) so that a
//! second name server on the same file fails to open it instead of
//! corrupting it.
//!
//! Layout: table `entries` maps the id (`i64`) to `(node, pid, started)`,
//! the node in canonical address text; table `meta` holds `next_id`, the id
//! the next REGISTER gets. Allocation and insertion happen in one write
//! transaction, so ids start at 1, only grow, and are never handed out
//! twice, even after UNREGISTER and a restart.

use std::ops::Bound;
use std::path::Path;

use redb::{Database, Durability, ReadableTable, TableDefinition, WriteTransaction};

use crate::error::Error;

/// pid_d -> (node address text, pid, start time).
const ENTRIES: TableDefinition<'_, i64, (&str, i32, u64)> = TableDefinition::new("entries");
/// Named counters: [`NEXT_ID`].
const META: TableDefinition<'_, &str, i64> = TableDefinition::new("meta");
/// The key of the id the next registration gets.
const NEXT_ID: &str = "next_id";
/// The first id ever handed out.
const FIRST_ID: i64 = 1;

/// Why a store operation failed; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// The database failed (I/O, corruption, commit).
    #[error(transparent)]
    Db(Box<redb::Error>),
    /// Every positive 64-bit id has been handed out.
    #[error("every pid_d has been handed out")]
    Exhausted,
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(boxed(e))
            }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// Any of redb's errors, boxed (they are large).
fn boxed(e: impl Into<redb::Error>) -> Box<redb::Error> {
    Box::new(e.into())
}

/// One registered process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Its pid_d.
    pub(crate) id: i64,
    /// Its node's address, as text.
    pub(crate) node: String,
    /// Its pid on that node.
    pub(crate) pid: i32,
    /// Its start time on that node (with the pid, names one process).
    pub(crate) started: u64,
}

impl Entry {
    /// Entry `id` from its stored value.
    fn new(id: i64, (node, pid, started): (&str, i32, u64)) -> Entry {
        Entry { id, node: node.to_owned(), pid, started }
    }
}

/// What UNREGISTER came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Removal {
    /// The entry matched and is gone.
    Removed,
    /// No entry has this id.
    Unknown,
    /// The id exists with another node, pid or start time; nothing
    /// changed.
    Mismatch,
}

/// One page of LIST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// Entries in id order.
    pub(crate) entries: Vec<Entry>,
    /// True when entries follow the last one.
    pub(crate) more: bool,
}

/// The name table.
#[derive(Debug)]
pub(crate) struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates, with its parent directories) the store at
    /// `path`. Fails with [`Error::StoreLocked`] when another name server
    /// holds it.
    pub(crate) fn open(path: &Path) -> Result<Store, Error> {
        let store_error = |source: Box<redb::Error>| match *source {
            redb::Error::DatabaseAlreadyOpen => Error::StoreLocked { path: path.to_path_buf() },
            _ => Error::Store { path: path.to_path_buf(), source },
        };
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let dir_error = |source| Error::StoreDir { path: dir.to_path_buf(), source };
        std::fs::create_dir_all(dir).map_err(dir_error)?;
        let db = Database::create(path).map_err(|e| store_error(boxed(e)))?;
        let store = Store { db };
        store.create_tables().map_err(store_error)?;
        // A new file's name is on disk only once its directory is: after
        // a power loss the committed table must still be found.
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(dir_error)?;
        Ok(store)
    }

    /// Creates both tables, so that readers always find them.
    fn create_tables(&self) -> Result<(), Box<redb::Error>> {
        let mut txn = self.db.begin_write().map_err(boxed)?;
        txn.set_durability(Durability::Immediate);
        txn.open_table(ENTRIES).map_err(boxed)?;
        txn.open_table(META).map_err(boxed)?;
        txn.commit().map_err(boxed)
    }

    /// A write transaction whose commit returns only once it is on disk.
    fn write(&self) -> Result<WriteTransaction, StoreError> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(Durability::Immediate);
        Ok(txn)
    }

    /// Allocates the next id and records `node`, `pid` and `started`
    /// under it, in one durable transaction.
    pub(crate) fn register(&self, node: &str, pid: i32, started: u64) -> Result<i64, StoreError> {
        let txn = self.write()?;
        let id = {
            let mut meta = txn.open_table(META)?;
            let mut entries = txn.open_table(ENTRIES)?;
            let counted = meta.get(NEXT_ID)?.map_or(FIRST_ID, |g| g.value());
            // Never below an id in use, whatever the counter says.
            let above_last = match entries.last()? {
                Some((k, _)) => k.value().checked_add(1).ok_or(StoreError::Exhausted)?,
                None => FIRST_ID,
            };
            let id = counted.max(above_last).max(FIRST_ID);
            let next = id.checked_add(1).ok_or(StoreError::Exhausted)?;
            entries.insert(id, (node, pid, started))?;
            meta.insert(NEXT_ID, next)?;
            id
        };
        txn.commit()?;
        Ok(id)
    }

    /// Removes `entry` if the table holds exactly it.
    pub(crate) fn unregister(&self, entry: &Entry) -> Result<Removal, StoreError> {
        let txn = self.write()?;
        let removal = {
            let mut entries = txn.open_table(ENTRIES)?;
            let found = entries.get(entry.id)?.map(|g| {
                let (node, pid, started) = g.value();
                (node, pid, started) == (entry.node.as_str(), entry.pid, entry.started)
            });
            match found {
                None => Removal::Unknown,
                Some(false) => Removal::Mismatch,
                Some(true) => {
                    entries.remove(entry.id)?;
                    Removal::Removed
                }
            }
        };
        if removal == Removal::Removed {
            txn.commit()?;
        } else {
            txn.abort()?;
        }
        Ok(removal)
    }

    /// The entry registered under `id`.
    pub(crate) fn lookup(&self, id: i64) -> Result<Option<Entry>, StoreError> {
        let txn = self.db.begin_read()?;
        let entries = txn.open_table(ENTRIES)?;
        let found = entries.get(id)?.map(|g| Entry::new(id, g.value()));
        Ok(found)
    }

    /// At most `max` entries with ids above `after`, in id order. Reads
    /// `max + 1` entries at most, whatever the table's size.
    pub(crate) fn list(&self, after: i64, max: usize) -> Result<Page, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(ENTRIES)?;
        let mut range = table.range::<i64>((Bound::Excluded(after), Bound::Unbounded))?;
        let mut entries = Vec::with_capacity(max.min(1024));
        for item in range.by_ref().take(max) {
            let (k, v) = item?;
            entries.push(Entry::new(k.value(), v.value()));
        }
        let more = match range.next() {
            Some(item) => item.map(|_| true)?,
            None => false,
        };
        Ok(Page { entries, more })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::path::PathBuf;
    use std::process::{Command, Stdio};

    /// A database path in a fresh directory, below a subdirectory that
    /// does not exist yet (open creates it); the directory is removed on
    /// drop.
    struct TempDb {
        path: PathBuf,
        _dir: test_support::ScratchDir,
    }

    impl TempDb {
        fn new(name: &str) -> TempDb {
            let dir = test_support::ScratchDir::new(&format!("dpc-names-store-{name}"));
            TempDb { path: dir.join("sub").join("names.redb"), _dir: dir }
        }
    }

    fn entry(id: i64, node: &str, pid: i32, started: u64) -> Entry {
        Entry { id, node: node.to_owned(), pid, started }
    }

    fn ids(page: &Page) -> Vec<i64> {
        page.entries.iter().map(|e| e.id).collect()
    }

    #[test]
    fn entries_and_counter_survive_close_and_reopen() {
        let db = TempDb::new("reopen");
        let store = Store::open(&db.path).unwrap();
        assert_eq!(store.register("127.0.0.1", 10, 110).unwrap(), 1);
        assert_eq!(store.register("10.0.0.2", 20, 120).unwrap(), 2);
        assert_eq!(store.register("::1", 30, u64::MAX).unwrap(), 3);
        drop(store);

        let store = Store::open(&db.path).unwrap();
        assert_eq!(store.lookup(1).unwrap(), Some(entry(1, "127.0.0.1", 10, 110)));
        assert_eq!(store.lookup(2).unwrap(), Some(entry(2, "10.0.0.2", 20, 120)));
        assert_eq!(store.lookup(3).unwrap(), Some(entry(3, "::1", 30, u64::MAX)));
        assert_eq!(store.lookup(4).unwrap(), None);
        assert_eq!(store.register("127.0.0.1", 40, 0).unwrap(), 4);
    }

    #[test]
    fn ids_are_never_reused_after_unregister_and_reopen() {
        let db = TempDb::new("reuse");
        let store = Store::open(&db.path).unwrap();
        let a = store.register("127.0.0.1", 1, 5).unwrap();
        let b = store.register("127.0.0.1", 2, 5).unwrap();
        assert_eq!(store.unregister(&entry(b, "127.0.0.1", 2, 5)).unwrap(), Removal::Removed);
        assert_eq!(store.unregister(&entry(a, "127.0.0.1", 1, 5)).unwrap(), Removal::Removed);
        assert_eq!(store.lookup(a).unwrap(), None);
        drop(store);

        let store = Store::open(&db.path).unwrap();
        let page = store.list(0, 100).unwrap();
        assert!(page.entries.is_empty() && !page.more);
        let c = store.register("127.0.0.1", 3, 5).unwrap();
        assert!(c > b && b > a, "{a} {b} {c}");
        assert_eq!(c, 3);
    }

    #[test]
    fn a_mismatch_or_unknown_id_changes_nothing() {
        let db = TempDb::new("mismatch");
        let store = Store::open(&db.path).unwrap();
        let id = store.register("127.0.0.7", 77, 700).unwrap();
        let registered = entry(id, "127.0.0.7", 77, 700);
        for wrong in [
            Entry { pid: 78, ..registered.clone() },
            Entry { node: "127.0.0.8".to_owned(), ..registered.clone() },
            // The same pid, another process (started at another time).
            Entry { started: 701, ..registered.clone() },
        ] {
            assert_eq!(store.unregister(&wrong).unwrap(), Removal::Mismatch, "{wrong:?}");
        }
        let unknown = Entry { id: id + 1, ..registered.clone() };
        assert_eq!(store.unregister(&unknown).unwrap(), Removal::Unknown);
        assert_eq!(store.lookup(id).unwrap(), Some(registered));
        assert_eq!(store.list(0, 10).unwrap().entries.len(), 1);
        // The failed attempts did not advance the counter either.
        assert_eq!(store.register("127.0.0.7", 79, 700).unwrap(), id + 1);
    }

    #[test]
    fn pages_cover_the_table_in_order() {
        let db = TempDb::new("paging");
        let store = Store::open(&db.path).unwrap();
        for pid in 1..=600 {
            store.register("127.0.0.1", pid, 1000 + pid as u64).unwrap();
        }
        // Holes, so that pages must skip them.
        for id in [1, 300, 600] {
            let gone = entry(id, "127.0.0.1", id as i32, 1000 + id as u64);
            assert_eq!(store.unregister(&gone).unwrap(), Removal::Removed);
        }
        let expected: Vec<i64> = (1..=600).filter(|i| ![1, 300, 600].contains(i)).collect();
        for max in [1, 10, 256, 1000] {
            let (mut after, mut seen, mut pages) = (0, Vec::new(), 0);
            loop {
                let page = store.list(after, max).unwrap();
                assert!(page.entries.len() <= max);
                assert!(
                    page.entries
                        .iter()
                        .all(|e| *e == entry(e.id, "127.0.0.1", e.id as i32, 1000 + e.id as u64))
                );
                seen.extend(ids(&page));
                pages += 1;
                if !page.more {
                    break;
                }
                assert_eq!(page.entries.len(), max, "a page short of max says more");
                after = *seen.last().unwrap();
            }
            assert_eq!(seen, expected, "max {max}");
            assert_eq!(pages, expected.len().div_ceil(max), "max {max}");
        }
        let tail = store.list(598, 10).unwrap();
        assert_eq!((ids(&tail), tail.more), (vec![599], false));
        let empty = store.list(i64::MAX, 10).unwrap();
        assert!(empty.entries.is_empty() && !empty.more);
        let all = store.list(i64::MIN, 0).unwrap();
        assert!(all.entries.is_empty() && all.more);
    }

    #[test]
    fn a_second_open_of_the_same_file_is_refused() {
        let db = TempDb::new("locked");
        let first = Store::open(&db.path).unwrap();
        match Store::open(&db.path) {
            Err(Error::StoreLocked { path }) => assert_eq!(path, db.path),
            other => panic!("expected StoreLocked, got {other:?}"),
        }
        drop(first);
        assert!(Store::open(&db.path).is_ok(), "the lock goes with the first store");
    }

    /// The environment variable that makes
    /// `acknowledged_registrations_survive_abort` the crashing child.
    const CRASH_CHILD: &str = "DPC_NAMES_STORE_CRASH_CHILD";

    #[test]
    fn acknowledged_registrations_survive_abort() {
        if let Some(path) = std::env::var_os(CRASH_CHILD) {
            // The child: register, then die at once as `kill -9` would,
            // without destructors or any flush of our own.
            let store = Store::open(Path::new(&path)).unwrap();
            for pid in 1..=3 {
                store.register("127.0.0.1", pid, 9).unwrap();
            }
            std::process::abort();
        }
        let db = TempDb::new("abort");
        let status = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "store::tests::acknowledged_registrations_survive_abort"])
            .args(["--test-threads", "1"])
            .env(CRASH_CHILD, &db.path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.signal(), Some(6), "the child must have aborted: {status}");
        let store = Store::open(&db.path).unwrap();
        let page = store.list(0, 10).unwrap();
        assert_eq!(ids(&page), vec![1, 2, 3]);
        assert_eq!(store.lookup(3).unwrap(), Some(entry(3, "127.0.0.1", 3, 9)));
        assert_eq!(store.register("127.0.0.1", 4, 9).unwrap(), 4);
    }
}
