//! [`PendingCall`]: an asynchronous call's handle, from which the reply
//! is collected by waiting, waiting with a timeout, polling, or a callback.

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use rpc::AuthStat;
use xdr::{DecodeOwned, Decoder};

use crate::client::Client;
use crate::completion::{self, Job};
use crate::error::Error;
use crate::in_flight::{InFlight, far_future};
use crate::link::Link;

/// A call started with [`Client::start`] (or a generated `_async` stub)
/// whose reply has not been collected.
///
/// Collect it once, by [`wait`](PendingCall::wait),
/// [`wait_timeout`](PendingCall::wait_timeout), [`poll`](PendingCall::poll)
/// or [`on_reply`](PendingCall::on_reply). Dropping it abandons the call:
/// a late reply is discarded.
#[derive(Debug)]
#[must_use = "a started call's reply is collected with wait(), poll() or on_reply()"]
pub struct PendingCall<R> {
    client: Client,
    call: Option<InFlight>,
    _result: PhantomData<fn() -> R>,
}

impl<R: DecodeOwned> PendingCall<R> {
    pub(crate) fn new(client: Client, call: InFlight) -> Self {
        PendingCall { client, call: Some(call), _result: PhantomData }
    }

    /// The call's transaction id (`None` once the reply was collected).
    pub fn xid(&self) -> Option<u32> {
        self.call.as_ref().map(|call| call.xid)
    }

    /// Waits for the reply (until the client's timeout, counted from the
    /// start of the call) and decodes the results. An `AUTH_SHORT` handle
    /// the server rejects is dropped for later calls, but this call is not
    /// retried: it returns the authentication error.
    pub fn wait(mut self) -> Result<R, Error> {
        self.collect(|call, link| Some(call.wait_out(link))).unwrap_or(Err(Error::TimedOut))
    }

    /// Waits at most `timeout` for the reply: `None` if it has not come
    /// (the call stays pending and can be waited for again), else the
    /// call's outcome, as [`PendingCall::wait`] gives it.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<Result<R, Error>> {
        let until = Instant::now().checked_add(timeout).unwrap_or_else(far_future);
        self.collect(|call, link| call.wait(link, until))
    }

    /// The call's outcome if the reply is in, after reading whatever has
    /// arrived on the connection; never waits. `None`: still pending.
    pub fn poll(&mut self) -> Option<Result<R, Error>> {
        self.collect(InFlight::poll)
    }

    /// Hands the call to the client's completion thread, which runs
    /// `callback` with the outcome when the call ends (reply, error, or the
    /// client's timeout). Callbacks of one client run one at a time on
    /// that thread: keep them short.
    pub fn on_reply<F>(self, callback: F)
    where
        R: 'static,
        F: FnOnce(Result<R, Error>) + Send + 'static,
    {
        let link = std::sync::Arc::clone(self.client.link());
        completion::submit(&link, Box::new(Callback { pending: self, callback: Some(callback) }));
    }

    fn collect(
        &mut self,
        look: impl FnOnce(&mut InFlight, &Link) -> Option<Result<Vec<u8>, Error>>,
    ) -> Option<Result<R, Error>> {
        let Some(call) = &mut self.call else {
            return Some(Err(already_collected()));
        };
        let reply = look(call, self.client.link())?;
        self.call = None;
        Some(self.finish(reply))
    }

    /// Interprets the reply and decodes the results.
    fn finish(&self, reply: Result<Vec<u8>, Error>) -> Result<R, Error> {
        let reply = self.client.interpret(reply?).inspect_err(|e| {
            if matches!(e, Error::AuthError(AuthStat::RejectedCred)) {
                self.client.drop_short_credential();
            }
        })?;
        Decoder::new(reply.results()).read().map_err(Error::CantDecodeRes)
    }
}

impl<R> Drop for PendingCall<R> {
    fn drop(&mut self) {
        if let Some(call) = &self.call {
            call.abandon();
        }
    }
}

fn already_collected() -> Error {
    Error::CantRecv(std::io::Error::other("the reply was already collected"))
}

/// A pending call and the callback its outcome goes to.
struct Callback<R, F> {
    pending: PendingCall<R>,
    callback: Option<F>,
}

impl<R, F> Job for Callback<R, F>
where
    R: DecodeOwned,
    F: FnOnce(Result<R, Error>) + Send,
{
    fn advance(&mut self, link: &Link) -> Option<Instant> {
        let call = self.pending.call.as_mut()?;
        let reply = match call.check(link) {
            Ok(reply) => reply,
            Err(next) => return Some(next),
        };
        self.pending.call = None;
        let outcome = self.pending.finish(reply);
        if let Some(callback) = self.callback.take() {
            callback(outcome);
        }
        None
    }
}
