//! [`Inline`]: procedures the I/O thread runs itself.

use crate::context::CallContext;
use crate::dispatch::{Dispatch, ProcError};

/// A dispatcher whose listed procedures are cheap and never block (a
/// table lookup, a `kill(2)`), so the I/O thread runs them itself instead
/// of handing them to a worker thread: for such a procedure the hand-off
/// to a worker and back costs more than the work.
#[derive(Debug, Clone)]
pub struct Inline<D> {
    dispatcher: D,
    procs: &'static [u32],
}

impl<D: Dispatch> Inline<D> {
    /// Runs procedures `procs` of `dispatcher` on the I/O thread.
    pub fn new(dispatcher: D, procs: &'static [u32]) -> Inline<D> {
        Inline { dispatcher, procs }
    }
}

impl<D: Dispatch> Dispatch for Inline<D> {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        self.dispatcher.dispatch(ctx, args, results)
    }

    fn runs_inline(&self, proc_num: u32) -> bool {
        self.procs.contains(&proc_num) || self.dispatcher.runs_inline(proc_num)
    }

    fn one_way(&self, proc_num: u32) -> bool {
        self.dispatcher.one_way(proc_num)
    }
}
