//! The order in which the calls of one stream connection start. Calls run
//! in parallel on the workers, except ordered ones (one-way calls, and
//! every call with [`crate::ServerBuilder::in_order`]), which run alone:
//! after every earlier call of the connection finished, and before any
//! later one starts. Calls that may not start yet are held here in arrival
//! order, up to the connection's calls-in-flight limit (past it the
//! server stops reading).
//!
//! A run of held one-way calls leaves as one worker job, together with the
//! ordered call after it (a batch and the call that flushes it): one hop
//! through the worker queue for the lot instead of one per call.

use std::collections::VecDeque;

use crate::call::Route;

/// A call waiting for its turn.
struct Held {
    record: Vec<u8>,
    route: Route,
    ordered: bool,
}

/// What to start next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// Run this call on the I/O thread, now.
    Inline(Vec<u8>),
    /// Hand these calls to a worker as one job, to run in this order.
    Worker {
        /// The first call.
        record: Vec<u8>,
        /// The calls after it.
        more: Vec<Vec<u8>>,
        /// The job is ordered: nothing else starts until it completes.
        ordered: bool,
    },
}

/// One connection's calls in progress and in waiting.
#[derive(Default)]
pub(crate) struct Sequencer {
    held: VecDeque<Held>,
    /// The bytes of the held calls' records.
    held_bytes: usize,
    /// Calls handed to workers and not completed.
    running: usize,
    /// The running calls are one ordered job.
    barrier: bool,
}

impl Sequencer {
    /// Calls read and not answered yet: running or held.
    pub(crate) fn in_flight(&self) -> usize {
        self.running + self.held.len()
    }

    /// True when the connection should stop reading: `limit` calls read
    /// and not answered. While an ordered job runs, its calls do not
    /// count: up to `limit` calls and `max_bytes` of them may wait behind
    /// it, so that the next batch is read while one executes.
    pub(crate) fn full(&self, limit: usize, max_bytes: usize) -> bool {
        if self.barrier {
            self.held.len() >= limit || self.held_bytes >= max_bytes
        } else {
            self.in_flight() >= limit
        }
    }

    /// True when a call just read may start at once: nothing is held before
    /// it and the calls running allow it.
    pub(crate) fn may_start(&self, ordered: bool) -> bool {
        self.held.is_empty() && self.allows(ordered)
    }

    fn allows(&self, ordered: bool) -> bool {
        !self.barrier && (!ordered || self.running == 0)
    }

    /// Holds a call that may not start yet.
    pub(crate) fn hold(&mut self, record: Vec<u8>, route: Route, ordered: bool) {
        self.held_bytes += record.len();
        self.held.push_back(Held { record, route, ordered });
    }

    /// Counts a job of `calls` calls handed to a worker.
    pub(crate) fn started(&mut self, calls: usize, ordered: bool) {
        self.running += calls;
        self.barrier |= ordered;
    }

    /// Counts a job of `calls` calls completed (or dropped).
    pub(crate) fn completed(&mut self, calls: usize) {
        self.running = self.running.saturating_sub(calls);
        if self.running == 0 {
            self.barrier = false;
        }
    }

    /// Takes the held call (or batch) whose turn has come, if any. The
    /// caller starts it at once: inline calls run before the next `next`.
    pub(crate) fn next(&mut self) -> Option<Start> {
        if !self.allows(self.held.front()?.ordered) {
            return None;
        }
        let first = self.pop()?;
        if !first.route.on_worker {
            return Some(Start::Inline(first.record));
        }
        let mut more = Vec::new();
        if first.route.one_way {
            // The one-way calls after it, and the ordered call ending the run.
            while self.held.front().is_some_and(|h| h.ordered) {
                let Some(h) = self.pop() else { break };
                more.push(h.record);
                if !h.route.one_way {
                    break;
                }
            }
        }
        Some(Start::Worker { record: first.record, more, ordered: first.ordered })
    }

    fn pop(&mut self) -> Option<Held> {
        let held = self.held.pop_front()?;
        self.held_bytes -= held.record.len();
        Some(held)
    }

    /// Forgets the held calls (graceful shutdown).
    pub(crate) fn clear_held(&mut self) {
        self.held.clear();
        self.held_bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKER: Route = Route { on_worker: true, one_way: false };
    const INLINE: Route = Route { on_worker: false, one_way: false };
    const ONE_WAY: Route = Route { on_worker: true, one_way: true };

    fn worker(record: u8, more: &[u8], ordered: bool) -> Option<Start> {
        let more = more.iter().map(|&m| vec![m]).collect();
        Some(Start::Worker { record: vec![record], more, ordered })
    }

    #[test]
    fn an_ordered_call_waits_for_the_running_and_holds_back_the_rest() {
        let mut s = Sequencer::default();
        assert!(s.may_start(false));
        s.started(1, false);
        s.started(1, false);
        assert!(s.may_start(false), "parallel calls start at once");
        assert!(!s.may_start(true), "an ordered call waits for the running ones");
        s.hold(vec![1], ONE_WAY, true);
        assert!(!s.may_start(false), "later calls queue behind a held one");
        s.hold(vec![2], WORKER, false);
        s.hold(vec![3], INLINE, false);
        assert_eq!(s.in_flight(), 5);
        assert_eq!(s.next(), None);
        s.completed(1);
        assert_eq!(s.next(), None);
        s.completed(1);
        assert_eq!(s.next(), worker(1, &[], true), "a parallel call ends the batch");
        s.started(1, true);
        assert_eq!(s.next(), None, "the barrier holds everything");
        s.completed(1);
        assert_eq!(s.next(), worker(2, &[], false));
        s.started(1, false);
        assert_eq!(s.next(), Some(Start::Inline(vec![3])), "behind a parallel call");
        assert_eq!(s.next(), None);
        assert_eq!(s.in_flight(), 1);
    }

    #[test]
    fn one_way_calls_leave_as_one_job_with_the_ordered_call_after_them() {
        let mut s = Sequencer::default();
        s.started(1, true);
        for r in 1..=4 {
            s.hold(vec![r], ONE_WAY, true);
        }
        s.hold(vec![5], WORKER, true);
        s.hold(vec![6], ONE_WAY, true);
        s.completed(1);
        assert_eq!(s.next(), worker(1, &[2, 3, 4, 5], true));
        s.started(5, true);
        assert_eq!(s.next(), None);
        s.completed(5);
        assert_eq!(s.next(), worker(6, &[], true));
    }

    #[test]
    fn the_next_batch_is_read_while_an_ordered_job_runs() {
        let mut s = Sequencer::default();
        s.started(2, false);
        s.hold(vec![0], ONE_WAY, true);
        assert!(s.full(3, 100), "running and waiting calls count against the limit");
        s.completed(2);
        assert_eq!(s.next(), worker(0, &[], true));
        s.started(3, true);
        assert!(!s.full(3, 100), "an ordered job's calls do not");
        for r in 1..=3 {
            s.hold(vec![r], ONE_WAY, true);
        }
        assert!(s.full(3, 100), "the calls waiting behind it do");
        assert_eq!(s.in_flight(), 6);
        s.clear_held();
        s.hold(vec![0; 60], ONE_WAY, true);
        assert!(!s.full(3, 100));
        s.hold(vec![0; 40], ONE_WAY, true);
        assert!(s.full(3, 100), "and so do their bytes");
        s.completed(3);
        assert!(s.next().is_some());
        assert!(!s.full(3, 100), "taken, they count no more");
    }

    #[test]
    fn in_order_calls_that_expect_replies_run_one_at_a_time() {
        let mut s = Sequencer::default();
        s.started(1, true);
        s.hold(vec![1], WORKER, true);
        s.hold(vec![2], WORKER, true);
        s.hold(vec![3], INLINE, true);
        s.completed(1);
        assert_eq!(s.next(), worker(1, &[], true));
        s.started(1, true);
        s.completed(1);
        assert_eq!(s.next(), worker(2, &[], true));
        s.started(1, true);
        assert_eq!(s.next(), None, "an ordered inline call waits too");
        s.completed(1);
        assert_eq!(s.next(), Some(Start::Inline(vec![3])));
        s.clear_held();
        assert_eq!(s.in_flight(), 0);
    }
}
