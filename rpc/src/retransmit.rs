//! The datagram retransmission schedule, driven by times passed in.
//!
//! A call is sent at once, then again whenever the current interval passes
//! without a reply; the interval doubles after each resend up to a ceiling,
//! and the call gives up at its total timeout (libtirpc's `clnt_dg` behaves
//! the same way, starting from a 3 s interval by default).

use std::time::{Duration, Instant};

/// How a datagram call retransmits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetransmitPolicy {
    /// Wait before the first resend.
    pub initial: Duration,
    /// Longest wait between resends.
    pub ceiling: Duration,
}

impl Default for RetransmitPolicy {
    fn default() -> Self {
        RetransmitPolicy { initial: Duration::from_secs(3), ceiling: Duration::from_secs(30) }
    }
}

/// What the caller should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Send (again) now, then wait until the given time.
    Send {
        /// When to ask again.
        until: Instant,
    },
    /// Keep waiting for a reply until the given time.
    Wait {
        /// When to ask again.
        until: Instant,
    },
    /// The total timeout has passed.
    GiveUp,
}

/// One call's schedule.
#[derive(Debug, Clone)]
pub struct Retransmission {
    policy: RetransmitPolicy,
    deadline: Instant,
    next_send: Instant,
    interval: Duration,
}

impl Retransmission {
    /// A schedule for a call starting at `now` and giving up after `timeout`.
    pub fn new(policy: RetransmitPolicy, now: Instant, timeout: Duration) -> Self {
        Retransmission { policy, deadline: now + timeout, next_send: now, interval: policy.initial }
    }

    /// When the call gives up.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// When the next resend is due (at the latest, when the call gives up).
    pub fn next_send(&self) -> Instant {
        self.next_send.min(self.deadline)
    }

    /// The step due at `now`.
    pub fn poll(&mut self, now: Instant) -> Step {
        if now >= self.deadline {
            return Step::GiveUp;
        }
        if now >= self.next_send {
            self.next_send = now + self.interval;
            self.interval = (self.interval * 2).min(self.policy.ceiling);
            return Step::Send { until: self.next_send.min(self.deadline) };
        }
        Step::Wait { until: self.next_send.min(self.deadline) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resends_double_until_the_ceiling_then_give_up() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let policy = RetransmitPolicy { initial: s(1), ceiling: s(4) };
        let mut r = Retransmission::new(policy, t0, s(20));
        assert_eq!(r.poll(t0), Step::Send { until: t0 + s(1) });
        assert_eq!(r.poll(t0 + Duration::from_millis(500)), Step::Wait { until: t0 + s(1) });
        assert_eq!(r.poll(t0 + s(1)), Step::Send { until: t0 + s(3) });
        assert_eq!(r.poll(t0 + s(3)), Step::Send { until: t0 + s(7) });
        assert_eq!(r.poll(t0 + s(7)), Step::Send { until: t0 + s(11) });
        assert_eq!(r.poll(t0 + s(11)), Step::Send { until: t0 + s(15) });
        assert_eq!(r.poll(t0 + s(15)), Step::Send { until: t0 + s(19) });
        assert_eq!(r.poll(t0 + s(19)), Step::Send { until: t0 + s(20) });
        assert_eq!(r.poll(t0 + s(20)), Step::GiveUp);
    }
}
