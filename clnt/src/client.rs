//! The client handle: encoding calls and interpreting replies, for calls
//! that wait ([`Client::call`]), start now and are collected later
//! ([`Client::start`]), expect no reply ([`Client::send_oneway`]) or wait
//! in a batch ([`Client::batch`]).

use std::sync::Arc;
use std::time::Duration;

use rpc::{AuthStat, CallHeader, RPC_VERSION};
use xdr::{DecodeOwned, Decoder, Encode, Encoder};

use crate::auth::{Auth, CredState};
use crate::error::Error;
use crate::in_flight::{Handoff, InFlight};
use crate::link::Link;
use crate::pending::PendingCall;
use crate::reply::accepted_results;

/// A handle for calling one version of one program over one connection.
///
/// Cheap to clone, and usable from many threads at once: every call made
/// through any clone is in flight on the same connection at the same time,
/// and replies are matched to calls by xid. A call that times out does not
/// disturb the others.
///
/// Credentials belong to the handle: clones share them (and the
/// `AUTH_SHORT` shorthand a server issues for them), while
/// [`Client::with_auth`] makes a handle with credentials of its own.
#[derive(Debug, Clone)]
pub struct Client {
    link: Arc<Link>,
    cred: Arc<CredState>,
    prog: u32,
    vers: u32,
    timeout: Duration,
}

/// A successful reply: the whole message and where the results start.
pub(crate) struct Reply {
    message: Vec<u8>,
    results_at: usize,
}

impl Reply {
    /// The encoded results.
    pub(crate) fn results(&self) -> &[u8] {
        &self.message[self.results_at..]
    }
}

impl Client {
    pub(crate) fn new(
        link: Link,
        cred: CredState,
        prog: u32,
        vers: u32,
        timeout: Duration,
    ) -> Client {
        Client { link: Arc::new(link), cred: Arc::new(cred), prog, vers, timeout }
    }

    pub(crate) fn link(&self) -> &Arc<Link> {
        &self.link
    }

    /// Stops using a short credential the server rejected.
    pub(crate) fn drop_short_credential(&self) -> bool {
        self.cred.drop_short()
    }

    /// The program number calls go to.
    pub fn program(&self) -> u32 {
        self.prog
    }

    /// The version calls go to.
    pub fn version(&self) -> u32 {
        self.vers
    }

    /// The timeout of each call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A handle on the same connection with another per-call timeout.
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        Client { timeout, ..self.clone() }
    }

    /// A handle on the same connection for another program or version.
    pub fn with_program(&self, prog: u32, vers: u32) -> Client {
        Client { prog, vers, ..self.clone() }
    }

    /// A handle on the same connection whose calls carry `auth`'s
    /// credentials, leaving this handle's untouched. The new handle keeps
    /// its own `AUTH_SHORT` state: a shorthand the server issues for its
    /// credentials is used by it (and its clones) only. Fails only when
    /// the credential cannot be encoded within `MAX_AUTH_BYTES`.
    pub fn with_auth(&self, auth: Auth) -> Result<Client, Error> {
        let cred = CredState::new(&auth).map_err(Error::CantEncodeArgs)?;
        Ok(Client { cred: Arc::new(cred), ..self.clone() })
    }

    /// Calls procedure `proc_num` with `args` and decodes the results as `R`.
    pub fn call<A, R>(&self, proc_num: u32, args: &A) -> Result<R, Error>
    where
        A: Encode + ?Sized,
        R: DecodeOwned,
    {
        self.call_with(proc_num, args, |dec| dec.read())
    }

    /// Calls procedure `proc_num` and lets `decode` read the results, which
    /// may borrow from the reply while `decode` runs. Bytes after the
    /// results are ignored, as libtirpc ignores them.
    pub fn call_with<A, R>(
        &self,
        proc_num: u32,
        args: &A,
        decode: impl FnOnce(&mut Decoder<'_>) -> xdr::Result<R>,
    ) -> Result<R, Error>
    where
        A: Encode + ?Sized,
    {
        let reply = self.exchange(proc_num, args)?;
        decode(&mut Decoder::new(reply.results())).map_err(Error::CantDecodeRes)
    }

    /// Sends the call and returns the successful reply, retrying once with
    /// the full credential if the server rejected its own `AUTH_SHORT` handle.
    fn exchange<A: Encode + ?Sized>(&self, proc_num: u32, args: &A) -> Result<Reply, Error> {
        loop {
            let mut call = self.send_call(proc_num, args, Handoff::Now)?;
            let reply = call.wait_out(&self.link)?;
            match self.interpret(reply) {
                Err(Error::AuthError(AuthStat::RejectedCred)) if self.cred.drop_short() => {}
                other => return other,
            }
        }
    }

    /// Starts a call and returns at once (an asynchronous call); collect
    /// the reply from the [`PendingCall`] by waiting, polling or a
    /// callback. Many calls may be started before any is collected: they
    /// are all in flight on the connection together. Datagram calls are
    /// resent only while someone waits for, polls, or awaits a callback
    /// for them.
    pub fn start<A, R>(&self, proc_num: u32, args: &A) -> Result<PendingCall<R>, Error>
    where
        A: Encode + ?Sized,
        R: DecodeOwned,
    {
        let call = self.send_call(proc_num, args, Handoff::Now)?;
        Ok(PendingCall::new(self.clone(), call))
    }

    /// Like [`Client::start`], but on a stream the call waits in a queue
    /// until the next call sent normally, [`Client::flush`], or a wait on
    /// any call of the connection: many calls then leave in one write.
    pub fn start_deferred<A, R>(&self, proc_num: u32, args: &A) -> Result<PendingCall<R>, Error>
    where
        A: Encode + ?Sized,
        R: DecodeOwned,
    {
        let call = self.send_call(proc_num, args, Handoff::Deferred)?;
        Ok(PendingCall::new(self.clone(), call))
    }

    /// A one-way call: sends it and returns once the transport took the
    /// message, expecting no reply. That is all the caller learns: not
    /// that the server received the call, nor that the procedure ran. A
    /// reply the server sends anyway is dropped when a later call reads
    /// the connection; a server that replies to every one-way call of a
    /// client that never reads fills the connection's buffers, so use
    /// one-way calls with procedures the server does not answer (see
    /// rpcgen's one-way procedures).
    pub fn send_oneway<A: Encode + ?Sized>(&self, proc_num: u32, args: &A) -> Result<(), Error> {
        self.send_unanswered(proc_num, args, Handoff::Now)
    }

    /// A batched call (libtirpc's batching): a one-way call that waits in
    /// the connection's queue and leaves, with every call queued before
    /// it, in one write with the next call sent normally, a
    /// [`Client::flush`], or when the queue passes 64 KiB. The server runs
    /// batched calls in order; the next normal call's reply tells that
    /// they have all run (on a server that executes a connection's calls
    /// in order, as libtirpc's does and ours does for one-way procedures).
    /// On datagram transports the call is sent at once.
    pub fn batch<A: Encode + ?Sized>(&self, proc_num: u32, args: &A) -> Result<(), Error> {
        self.send_unanswered(proc_num, args, Handoff::Deferred)
    }

    /// Writes every call queued by [`Client::batch`] and
    /// [`Client::start_deferred`].
    pub fn flush(&self) -> Result<(), Error> {
        self.link.current().transport.flush().map_err(Error::CantSend)
    }

    fn send_unanswered<A: Encode + ?Sized>(
        &self,
        proc_num: u32,
        args: &A,
        how: Handoff,
    ) -> Result<(), Error> {
        let mut message = self.encode_call(self.link.next_xid(), proc_num, args)?;
        how.give(&*self.link.current().transport, &mut message).map_err(Error::CantSend)
    }

    /// The call message, with four bytes reserved in front for a record mark.
    fn encode_call<A: Encode + ?Sized>(
        &self,
        xid: u32,
        proc_num: u32,
        args: &A,
    ) -> Result<Vec<u8>, Error> {
        self.cred.with_cred(|cred| {
            let header = CallHeader {
                xid,
                rpcvers: RPC_VERSION,
                prog: self.prog,
                vers: self.vers,
                proc_num,
                cred,
                verf: rpc::OpaqueAuth::NONE,
            };
            let mut message = Vec::with_capacity(4 + header.encoded_len() + args.encoded_len());
            message.extend_from_slice(&[0; 4]);
            let mut enc = Encoder::new(&mut message);
            header.encode(&mut enc).map_err(Error::CantEncodeArgs)?;
            args.encode(&mut enc).map_err(Error::CantEncodeArgs)?;
            Ok(message)
        })
    }

    /// Encodes, registers and sends (or queues) a call.
    fn send_call<A: Encode + ?Sized>(
        &self,
        proc_num: u32,
        args: &A,
        how: Handoff,
    ) -> Result<InFlight, Error> {
        let xid = self.link.next_xid();
        let message = self.encode_call(xid, proc_num, args)?;
        InFlight::send(&self.link, xid, message, self.timeout, how)
    }

    /// Turns a reply into results or the error it reports.
    pub(crate) fn interpret(&self, message: Vec<u8>) -> Result<Reply, Error> {
        let (verf, results) = accepted_results(&message)?;
        let results_at = message.len() - results.len();
        self.cred.accept_verifier(verf);
        Ok(Reply { message, results_at })
    }
}
