//! [`Background`]: the exit watcher and cleanup threads, stopped and
//! joined when it is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crate::error::Error;
use crate::state::State;
use crate::{cleanup, watcher};

/// The daemon's background threads.
#[derive(Debug)]
pub(crate) struct Background {
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    threads: Vec<(&'static str, JoinHandle<()>)>,
}

impl Background {
    /// Starts the exit watcher and the cleanup thread.
    pub(crate) fn start(state: &Arc<State>) -> Result<Background, Error> {
        let mut background =
            Background { state: Arc::clone(state), stop: Arc::default(), threads: Vec::new() };
        let (s, stop) = (Arc::clone(state), Arc::clone(&background.stop));
        background.spawn("exit watcher", "dpc-exits", move || watcher::run(&s, &stop))?;
        let s = Arc::clone(state);
        background.spawn("cleanup", "dpc-cleanup", move || cleanup::run(&s))?;
        Ok(background)
    }

    fn spawn(
        &mut self,
        what: &'static str,
        name: &str,
        body: impl FnOnce() + Send + 'static,
    ) -> Result<(), Error> {
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(body)
            .map_err(|source| Error::Setup { what, source })?;
        self.threads.push((what, thread));
        Ok(())
    }

    /// Stops the threads and waits for them.
    pub(crate) fn stop(&mut self) -> Result<(), Error> {
        self.stop.store(true, Ordering::Release);
        self.state.registry.wake().notify();
        self.state.cleanup.stop();
        let mut result = Ok(());
        for (what, thread) in self.threads.drain(..) {
            if thread.join().is_err() {
                result = Err(Error::Panicked(what));
            }
        }
        result
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            log::error!("{e}");
        }
    }
}
