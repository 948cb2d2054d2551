//! Transaction ids.

/// Hands out transaction ids: a counter started from a seed the caller
/// supplies (the runtime mixes the time and the process id, as libtirpc
/// does, so that a restarted client does not reuse its predecessor's xids).
#[derive(Debug, Clone)]
pub struct XidAllocator {
    next: u32,
}

impl XidAllocator {
    /// Starts from `seed`.
    pub fn new(seed: u32) -> Self {
        XidAllocator { next: seed }
    }

    /// The next id; wraps around after 2^32 calls.
    #[allow(clippy::should_implement_trait)] // not an iterator: it never ends
    pub fn next(&mut self) -> u32 {
        let xid = self.next;
        self.next = self.next.wrapping_add(1);
        xid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_consecutive_and_wrap() {
        let mut ids = XidAllocator::new(u32::MAX);
        assert_eq!([ids.next(), ids.next(), ids.next()], [u32::MAX, 0, 1]);
    }
}
