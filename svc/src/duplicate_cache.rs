//! The duplicate request cache ([`DuplicateCache`]): at-most-once execution
//! for clients that retransmit. A call is known by its xid, its client, its
//! program, version and procedure, and a checksum of its credential and
//! arguments. A retransmission of a call still running is dropped; one of
//! a finished call gets the stored reply, byte for byte, and the procedure
//! does not run again.

use std::collections::VecDeque;
use std::collections::hash_map::{Entry as Slot, HashMap};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use rpc::CallHeader;

use crate::call::Origin;
use crate::context::{PeerAddr, Transport};
use crate::error::Error;
use crate::workers::lock;

/// Configuration of the duplicate request cache, enabled with
/// [`crate::ServerBuilder::duplicate_cache`] (the server has none by
/// default).
///
/// Only calls that reach a dispatcher are remembered. A call is known by
/// its xid, program, version, procedure, a 64-bit checksum of its
/// credential and argument bytes, and its client:
///
/// * UDP: the address and port;
/// * TCP: the address only, so that a client that lost its connection
///   and resends the call from a new port finds its reply;
/// * Unix sockets: the peer process (uid and pid from `SO_PEERCRED`), so
///   that a process reconnecting finds its reply while another process,
///   even of the same user, never sees it. A peer whose credentials the
///   kernel did not give is not cached.
///
/// A retransmission that arrives while the call runs is dropped (the
/// client retransmits again or times out); one that arrives after it
/// finished gets the same reply bytes and the procedure does not run
/// again. A call that sent no reply (a one-way procedure, or
/// [`crate::ProcError::NoReply`]) is remembered without one: its
/// duplicates are dropped. So is a call whose reply is larger than
/// [`DuplicateCache::max_bytes`]: that reply is not stored, but the
/// procedure still never runs twice.
///
/// Finished calls are forgotten oldest first when more than
/// [`DuplicateCache::max_entries`] are remembered or their replies take
/// more than [`DuplicateCache::max_bytes`]; calls still running are
/// bounded by the calls-in-flight limits ([`crate::Limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateCache {
    max_entries: usize,
    max_bytes: usize,
}

impl Default for DuplicateCache {
    fn default() -> Self {
        DuplicateCache { max_entries: 4096, max_bytes: 8 << 20 }
    }
}

impl DuplicateCache {
    /// Remembers up to 4096 finished calls and 8 MiB of their replies.
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers at most `n` finished calls (at least 1).
    pub fn max_entries(mut self, n: usize) -> Self {
        self.max_entries = n;
        self
    }

    /// Stores at most `bytes` of replies, all calls together (0 stores
    /// none: duplicates of finished calls are then dropped).
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// Checks that the cache can remember something.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.max_entries == 0 {
            return Err(Error::InvalidLimit("duplicate cache max_entries must be at least 1"));
        }
        Ok(())
    }
}

/// A snapshot of the duplicate request cache's counters
/// ([`crate::ServerHandle::duplicate_cache_stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DuplicateCacheStats {
    /// Duplicates answered with a stored reply.
    pub hits: u64,
    /// Duplicates dropped: their call was running, or finished without a
    /// stored reply.
    pub dropped: u64,
    /// Finished calls remembered.
    pub entries: usize,
    /// Calls running.
    pub in_progress: usize,
    /// Bytes of stored replies.
    pub bytes: usize,
}

/// Who sent a call, as far as the cache tells clients apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Client {
    /// UDP: address and port.
    Datagram(SocketAddr),
    /// TCP: the address, whatever the port.
    Stream(IpAddr),
    /// Unix socket: the peer process.
    Local {
        /// The peer's user id.
        uid: u32,
        /// The peer's process id.
        pid: i32,
    },
}

impl Client {
    /// The client of calls from `origin`; `None` when it cannot be told apart.
    fn of(origin: &Origin) -> Option<Client> {
        match (origin.transport, &origin.peer, origin.peer_cred) {
            (Transport::Udp, PeerAddr::Inet(addr), _) => Some(Client::Datagram(*addr)),
            (Transport::Tcp, PeerAddr::Inet(addr), _) => Some(Client::Stream(addr.ip())),
            (Transport::Unix, _, Some(cred)) => {
                Some(Client::Local { uid: cred.uid, pid: cred.pid })
            }
            _ => None,
        }
    }
}

/// What identifies a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    xid: u32,
    client: Client,
    prog: u32,
    vers: u32,
    proc_num: u32,
    checksum: u64,
}

/// A remembered call.
enum Entry {
    /// Running.
    Running,
    /// Finished, with its reply unless it sent none or it was too large.
    Done(Option<Arc<[u8]>>),
}

/// What to do with a call.
pub(crate) enum Begin {
    /// It is new: run it, then [`ReplyCache::complete`] it.
    Run,
    /// A duplicate of a finished call: send this reply (unframed).
    Replay(Arc<[u8]>),
    /// A duplicate of a running call, or of one without a stored reply:
    /// send nothing.
    Drop,
}

/// The cache's contents, behind one mutex.
#[derive(Default)]
struct State {
    entries: HashMap<Key, Entry>,
    /// Finished calls, oldest first (exactly the `Done` entries).
    done: VecDeque<Key>,
    bytes: usize,
    hits: u64,
    dropped: u64,
}

/// The duplicate request cache shared by the I/O thread and the workers.
pub(crate) struct ReplyCache {
    config: DuplicateCache,
    /// Keys the checksum, so that a peer cannot choose colliding arguments.
    checksum: RandomState,
    state: Mutex<State>,
}

impl ReplyCache {
    /// An empty cache.
    pub(crate) fn new(config: DuplicateCache) -> Self {
        ReplyCache { config, checksum: RandomState::new(), state: Mutex::default() }
    }

    /// The key of `call` (with arguments `args`) from `origin`; `None` when
    /// its client cannot be told apart from others.
    pub(crate) fn key(&self, origin: &Origin, call: &CallHeader<'_>, args: &[u8]) -> Option<Key> {
        let client = Client::of(origin)?;
        let mut h = self.checksum.build_hasher();
        h.write_u32(call.cred.flavor.0);
        h.write_usize(call.cred.body.len());
        h.write(call.cred.body);
        h.write(args);
        Some(Key {
            xid: call.xid,
            client,
            prog: call.prog,
            vers: call.vers,
            proc_num: call.proc_num,
            checksum: h.finish(),
        })
    }

    /// Looks `key` up; a new call is remembered as running.
    pub(crate) fn begin(&self, key: Key) -> Begin {
        let mut state = lock(&self.state);
        let State { entries, hits, dropped, .. } = &mut *state;
        match entries.entry(key) {
            Slot::Vacant(slot) => {
                slot.insert(Entry::Running);
                Begin::Run
            }
            Slot::Occupied(slot) => match slot.get() {
                Entry::Done(Some(reply)) => {
                    *hits += 1;
                    Begin::Replay(Arc::clone(reply))
                }
                Entry::Running | Entry::Done(None) => {
                    *dropped += 1;
                    Begin::Drop
                }
            },
        }
    }

    /// Records that the call `key` (for which [`ReplyCache::begin`] said
    /// [`Begin::Run`]) finished with `reply` (unframed; `None` when it sent
    /// none), then forgets the oldest calls while over the limits.
    pub(crate) fn complete(&self, key: Key, reply: Option<&[u8]>) {
        let stored: Option<Arc<[u8]>> =
            reply.filter(|r| r.len() <= self.config.max_bytes).map(Arc::from);
        let size = stored.as_ref().map_or(0, |r| r.len());
        let mut state = lock(&self.state);
        if let Some(Entry::Done(_)) = state.entries.insert(key, Entry::Done(stored)) {
            // Completed twice (never happens): already in `done`.
            log::error!("duplicate cache: call {:#x} completed twice", key.xid);
        } else {
            state.done.push_back(key);
        }
        state.bytes += size;
        while state.done.len() > self.config.max_entries || state.bytes > self.config.max_bytes {
            let Some(oldest) = state.done.pop_front() else { break };
            if let Some(Entry::Done(reply)) = state.entries.remove(&oldest) {
                state.bytes -= reply.map_or(0, |r| r.len());
            }
        }
    }

    /// The counters now.
    pub(crate) fn stats(&self) -> DuplicateCacheStats {
        let state = lock(&self.state);
        DuplicateCacheStats {
            hits: state.hits,
            dropped: state.dropped,
            entries: state.done.len(),
            in_progress: state.entries.len() - state.done.len(),
            bytes: state.bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use rpc::OpaqueAuth;

    use super::*;
    use crate::context::PeerCred;

    fn origin(transport: Transport, port: u16) -> Origin {
        let peer = match transport {
            Transport::Unix => PeerAddr::Unix(None),
            _ => PeerAddr::Inet(SocketAddr::from(([127, 0, 0, 1], port))),
        };
        let peer_cred = (transport == Transport::Unix && port != 0).then_some(PeerCred {
            uid: 1000,
            gid: 1000,
            pid: i32::from(port),
        });
        Origin { transport, peer, peer_cred }
    }

    fn header(xid: u32) -> CallHeader<'static> {
        CallHeader {
            xid,
            rpcvers: 2,
            prog: 7,
            vers: 1,
            proc_num: 3,
            cred: OpaqueAuth::NONE,
            verf: OpaqueAuth::NONE,
        }
    }

    #[test]
    fn keys_tell_clients_and_arguments_apart() {
        let c = ReplyCache::new(DuplicateCache::new());
        let key = |t, port, xid, args: &[u8]| c.key(&origin(t, port), &header(xid), args);
        let tcp = key(Transport::Tcp, 1, 9, b"a");
        assert!(tcp.is_some());
        assert_eq!(tcp, key(Transport::Tcp, 2, 9, b"a"), "TCP ignores the port");
        assert_ne!(tcp, key(Transport::Tcp, 1, 9, b"b"), "arguments count");
        assert_ne!(tcp, key(Transport::Tcp, 1, 8, b"a"), "xid counts");
        assert_ne!(tcp, key(Transport::Udp, 1, 9, b"a"), "transport counts");
        assert_ne!(key(Transport::Udp, 1, 9, b"a"), key(Transport::Udp, 2, 9, b"a"));
        assert_eq!(key(Transport::Unix, 5, 9, b"a"), key(Transport::Unix, 5, 9, b"a"));
        assert_ne!(key(Transport::Unix, 5, 9, b"a"), key(Transport::Unix, 6, 9, b"a"));
        assert_eq!(key(Transport::Unix, 0, 9, b"a"), None, "no peer credentials");
    }

    fn key_of(c: &ReplyCache, xid: u32) -> Key {
        c.key(&origin(Transport::Udp, 1), &header(xid), &[]).unwrap()
    }

    #[test]
    fn running_calls_drop_duplicates_and_finished_ones_replay() {
        let c = ReplyCache::new(DuplicateCache::new());
        let k = key_of(&c, 1);
        assert!(matches!(c.begin(k), Begin::Run));
        assert!(matches!(c.begin(k), Begin::Drop));
        c.complete(k, Some(b"reply"));
        assert!(matches!(c.begin(k), Begin::Replay(r) if &*r == b"reply"));
        let silent = key_of(&c, 2);
        assert!(matches!(c.begin(silent), Begin::Run));
        c.complete(silent, None);
        assert!(matches!(c.begin(silent), Begin::Drop));
        let s = c.stats();
        assert_eq!((s.hits, s.dropped, s.entries, s.in_progress, s.bytes), (1, 2, 2, 0, 5));
    }

    #[test]
    fn the_oldest_are_forgotten_past_either_limit() {
        let c = ReplyCache::new(DuplicateCache::new().max_entries(3).max_bytes(10));
        for xid in 0..5 {
            let k = key_of(&c, xid);
            assert!(matches!(c.begin(k), Begin::Run));
            c.complete(k, Some(b"abc"));
        }
        assert_eq!((c.stats().entries, c.stats().bytes), (3, 9));
        assert!(matches!(c.begin(key_of(&c, 1)), Begin::Run), "forgotten");
        assert!(matches!(c.begin(key_of(&c, 4)), Begin::Replay(_)));
        // A reply over the budget is not stored; the call is still remembered.
        let big = key_of(&c, 9);
        assert!(matches!(c.begin(big), Begin::Run));
        c.complete(big, Some(&[0; 11]));
        assert!(matches!(c.begin(big), Begin::Drop));
        assert!(c.stats().bytes <= 10);
        // Bytes alone evict too: 4 + 4 + 4 > 10.
        for xid in 20..23 {
            let k = key_of(&c, xid);
            assert!(matches!(c.begin(k), Begin::Run));
            c.complete(k, Some(b"wxyz"));
        }
        assert_eq!(c.stats().bytes, 8);
        assert!(c.stats().entries <= 3);
    }

    #[test]
    fn zero_entries_is_refused() {
        assert!(DuplicateCache::new().max_entries(0).validate().is_err());
        assert!(DuplicateCache::new().max_bytes(0).validate().is_ok());
    }
}
