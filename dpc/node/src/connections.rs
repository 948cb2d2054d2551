//! [`Connections`]: client connections kept open to other hosts (the name
//! server, other nodes' daemons), at most a fixed number, the least
//! recently used closed to make room. A call on a kept connection that
//! finds it broken is made again once on a new one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

use oncrpc::clnt;

/// The host did not answer: it could not be found or reached, the call
/// timed out, or it answered with an RPC error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unreachable;

/// Open connections by host.
#[derive(Debug)]
pub(crate) struct Connections<C> {
    /// What the hosts are, for the logs.
    what: &'static str,
    cap: usize,
    open: Mutex<Open<C>>,
}

/// The kept connections, each with the tick of its last use.
#[derive(Debug)]
struct Open<C> {
    by_host: HashMap<IpAddr, (C, u64)>,
    tick: u64,
}

impl<C: Clone> Connections<C> {
    /// No connection yet; at most `cap` kept.
    pub(crate) fn new(what: &'static str, cap: usize) -> Connections<C> {
        Connections {
            what,
            cap: cap.max(1),
            open: Mutex::new(Open { by_host: HashMap::new(), tick: 0 }),
        }
    }

    fn open(&self) -> MutexGuard<'_, Open<C>> {
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes `call` on the connection kept for `host`, or on a new one
    /// from `connect`. A kept connection that turns out broken (the call
    /// could not be sent or its reply not received) is replaced once.
    /// The lock is never held during I/O.
    pub(crate) fn call<R>(
        &self,
        host: IpAddr,
        connect: impl Fn() -> Result<C, Unreachable>,
        call: impl Fn(&C) -> Result<R, clnt::Error>,
    ) -> Result<R, Unreachable> {
        let (client, kept) = match self.kept(host) {
            Some(client) => (client, true),
            None => (connect()?, false),
        };
        match call(&client) {
            Ok(r) => {
                if !kept {
                    self.keep(host, client);
                }
                Ok(r)
            }
            Err(e) => {
                self.forget(host);
                if !(kept && matches!(e, clnt::Error::CantSend(_) | clnt::Error::CantRecv(_))) {
                    log::warn!("{} {host}: {e}", self.what);
                    return Err(Unreachable);
                }
                log::debug!("{} {host}: {e}; connecting again", self.what);
                let client = connect()?;
                match call(&client) {
                    Ok(r) => {
                        self.keep(host, client);
                        Ok(r)
                    }
                    Err(e) => {
                        log::warn!("{} {host}: {e}", self.what);
                        Err(Unreachable)
                    }
                }
            }
        }
    }

    fn kept(&self, host: IpAddr) -> Option<C> {
        let mut open = self.open();
        open.tick += 1;
        let tick = open.tick;
        open.by_host.get_mut(&host).map(|(client, used)| {
            *used = tick;
            client.clone()
        })
    }

    fn keep(&self, host: IpAddr, client: C) {
        let mut open = self.open();
        open.tick += 1;
        let tick = open.tick;
        let map = &mut open.by_host;
        if !map.contains_key(&host) && map.len() >= self.cap {
            let oldest = map.iter().min_by_key(|(_, (_, used))| *used).map(|(h, _)| *h);
            if let Some(oldest) = oldest {
                map.remove(&oldest);
            }
        }
        map.insert(host, (client, tick));
    }

    fn forget(&self, host: IpAddr) {
        self.open().by_host.remove(&host);
    }

    /// How many connections are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.open().by_host.len()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io;

    use super::*;

    fn host(n: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, n])
    }

    #[test]
    fn least_recently_used_is_closed_first() {
        let conns = Connections::new("test", 2);
        let ok = |_: &u32| Ok::<_, clnt::Error>(());
        for n in [1, 2, 1, 3] {
            conns.call(host(n), || Ok(u32::from(n)), ok).unwrap();
        }
        assert_eq!(conns.len(), 2);
        let connects = Cell::new(0);
        let counting = |n: u8| {
            connects.set(connects.get() + 1);
            Ok(u32::from(n))
        };
        conns.call(host(1), || counting(1), ok).unwrap();
        assert_eq!(connects.get(), 0, "host 1 was used last but one: kept");
        conns.call(host(2), || counting(2), ok).unwrap();
        assert_eq!(connects.get(), 1, "host 2 was the least recently used: closed");
    }

    #[test]
    fn a_broken_kept_connection_is_replaced_once_and_a_timeout_is_not_retried() {
        let conns = Connections::new("test", 4);
        conns.call(host(1), || Ok(1u32), |_| Ok::<_, clnt::Error>(())).unwrap();
        // The kept connection (1) is broken; the new one (2) works.
        let broken = |c: &u32| match c {
            1 => Err(clnt::Error::CantRecv(io::Error::other("closed"))),
            _ => Ok(*c),
        };
        assert_eq!(conns.call(host(1), || Ok(2u32), broken), Ok(2));
        // Timeouts are not retried, and the connection is dropped.
        let calls = Cell::new(0);
        let slow = |_: &u32| {
            calls.set(calls.get() + 1);
            Err::<(), _>(clnt::Error::TimedOut)
        };
        assert_eq!(conns.call(host(1), || Ok(3u32), slow), Err(Unreachable));
        assert_eq!(calls.get(), 1);
        assert_eq!(conns.len(), 0);
        assert_eq!(conns.call(host(2), || Err(Unreachable), |_: &u32| Ok(())), Err(Unreachable));
    }
}
