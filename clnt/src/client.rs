//! The client handle and the life of a call: encode, send (and resend on
//! datagrams), wait for the reply routed to this call, interpret it.

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rpc::retransmit::{Retransmission, RetransmitPolicy, Step};
use rpc::{AcceptStat, AuthStat, CallHeader, RPC_VERSION, RejectedReply, ReplyBody, ReplyHeader};
use xdr::{DecodeOwned, Decoder, Encode, Encoder};

use crate::auth::{Auth, CredState};
use crate::error::Error;
use crate::transport::Transport;
use crate::waiters::Turn;

/// What every handle on one connection shares.
#[derive(Debug)]
pub(crate) struct Connection {
    pub(crate) transport: Box<dyn Transport>,
    pub(crate) xids: AtomicU32,
    pub(crate) retransmit: RetransmitPolicy,
}

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
    conn: Arc<Connection>,
    cred: Arc<CredState>,
    prog: u32,
    vers: u32,
    timeout: Duration,
}

/// A successful reply: the whole message and where the results start.
struct Reply {
    message: Vec<u8>,
    results_at: usize,
}

impl Client {
    pub(crate) fn new(
        conn: Connection,
        cred: CredState,
        prog: u32,
        vers: u32,
        timeout: Duration,
    ) -> Client {
        Client { conn: Arc::new(conn), cred: Arc::new(cred), prog, vers, timeout }
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
        let mut dec = Decoder::new(&reply.message[reply.results_at..]);
        decode(&mut dec).map_err(Error::CantDecodeRes)
    }

    /// Sends the call and returns the successful reply, retrying once with
    /// the full credential if the server rejected its own `AUTH_SHORT` handle.
    fn exchange<A: Encode + ?Sized>(&self, proc_num: u32, args: &A) -> Result<Reply, Error> {
        loop {
            let mut call = self.send_call(proc_num, args, false)?;
            let reply = self.await_reply(&mut call)?;
            match self.interpret(reply) {
                Err(Error::AuthError(AuthStat::RejectedCred)) if self.cred.drop_short() => {}
                other => return other,
            }
        }
    }

    /// Starts a call and returns at once; collect the reply with
    /// [`PendingCall::wait`]. Many calls may be started before any is
    /// waited for: they are all in flight on the connection together.
    /// Datagram calls are resent only while someone waits for them.
    pub fn start<A, R>(&self, proc_num: u32, args: &A) -> Result<PendingCall<R>, Error>
    where
        A: Encode + ?Sized,
        R: DecodeOwned,
    {
        let call = self.send_call(proc_num, args, false)?;
        Ok(PendingCall { client: self.clone(), call: Some(call), _result: PhantomData })
    }

    /// Like [`Client::start`], but on a stream the call waits in a queue
    /// until the next call sent normally, [`Client::flush`], or a wait on
    /// any call of the connection: many calls then leave in one write.
    pub fn start_deferred<A, R>(&self, proc_num: u32, args: &A) -> Result<PendingCall<R>, Error>
    where
        A: Encode + ?Sized,
        R: DecodeOwned,
    {
        let call = self.send_call(proc_num, args, true)?;
        Ok(PendingCall { client: self.clone(), call: Some(call), _result: PhantomData })
    }

    /// Writes every call queued by [`Client::start_deferred`].
    pub fn flush(&self) -> Result<(), Error> {
        self.conn.transport.flush().map_err(Error::CantSend)
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

    /// Encodes, registers and sends (or queues, if `defer`) a call.
    fn send_call<A: Encode + ?Sized>(
        &self,
        proc_num: u32,
        args: &A,
        defer: bool,
    ) -> Result<InFlight, Error> {
        let xid = self.conn.xids.fetch_add(1, Ordering::Relaxed);
        let mut message = self.encode_call(xid, proc_num, args)?;
        let transport = &*self.conn.transport;
        transport.waiters().register(xid).map_err(Error::CantSend)?;
        let now = Instant::now();
        let mut schedule = transport
            .resends()
            .then(|| Retransmission::new(self.conn.retransmit, now, self.timeout));
        if let Some(schedule) = &mut schedule {
            // The first step of a fresh schedule is always "send now".
            let _ = schedule.poll(now);
        }
        let sent = if defer {
            transport.send_deferred(&mut message)
        } else {
            transport.send(&mut message)
        };
        if let Err(e) = sent {
            transport.waiters().cancel(xid);
            return Err(Error::CantSend(e));
        }
        if schedule.is_none() {
            message = Vec::new();
        }
        Ok(InFlight { xid, message, deadline: now + self.timeout, schedule })
    }

    /// Waits for the reply to a call in flight, reading the socket when it
    /// is this call's turn and resending datagrams on schedule.
    fn await_reply(&self, call: &mut InFlight) -> Result<Vec<u8>, Error> {
        let transport = &*self.conn.transport;
        let waiters = transport.waiters();
        // A call still queued by start_deferred would never be answered.
        if let Err(e) = transport.flush() {
            waiters.cancel(call.xid);
            return Err(Error::CantSend(e));
        }
        let result = loop {
            let until = match &mut call.schedule {
                None => call.deadline,
                Some(schedule) => match schedule.poll(Instant::now()) {
                    Step::GiveUp => break Err(Error::TimedOut),
                    Step::Wait { until } => until,
                    Step::Send { until } => match transport.send(&mut call.message) {
                        Ok(()) => until,
                        Err(e) => break Err(Error::CantSend(e)),
                    },
                },
            };
            match wait_until(transport, call.xid, until) {
                Some(reply) => break reply,
                None if call.schedule.is_some() => continue,
                None => break Err(Error::TimedOut),
            }
        };
        if result.is_err() {
            waiters.cancel(call.xid);
        }
        result
    }

    /// Turns a reply into results or the error it reports.
    fn interpret(&self, message: Vec<u8>) -> Result<Reply, Error> {
        let (header, results) =
            ReplyHeader::decode_with_results(&message).map_err(Error::MalformedReply)?;
        let results_at = message.len() - results.len();
        match header.body {
            ReplyBody::Accepted { verf, stat } => match stat {
                AcceptStat::Success => {
                    self.cred.accept_verifier(verf);
                    Ok(Reply { message, results_at })
                }
                AcceptStat::ProgUnavail => Err(Error::ProgUnavail),
                AcceptStat::ProgMismatch { low, high } => {
                    Err(Error::ProgVersMismatch { low, high })
                }
                AcceptStat::ProcUnavail => Err(Error::ProcUnavail),
                AcceptStat::GarbageArgs => Err(Error::CantDecodeArgs),
                AcceptStat::SystemErr => Err(Error::SystemError),
            },
            ReplyBody::Denied(RejectedReply::RpcMismatch { low, high }) => {
                Err(Error::VersMismatch { low, high })
            }
            ReplyBody::Denied(RejectedReply::AuthError(why)) => Err(Error::AuthError(why)),
        }
    }
}

/// Waits for the call's reply until `until`, taking the reader's turn when
/// it comes; `None` when the time ran out.
fn wait_until(
    transport: &dyn Transport,
    xid: u32,
    until: Instant,
) -> Option<Result<Vec<u8>, Error>> {
    let waiters = transport.waiters();
    loop {
        match waiters.next_turn(xid, until) {
            Turn::Done(reply) => return Some(reply.map_err(Error::CantRecv)),
            Turn::TimedOut => return None,
            Turn::Read => waiters.finish_read(transport.receive(until)),
        }
    }
}

/// A call sent and not yet answered.
#[derive(Debug)]
struct InFlight {
    xid: u32,
    /// The message, kept for resending datagrams (empty on streams).
    message: Vec<u8>,
    deadline: Instant,
    /// The resend schedule of a datagram call.
    schedule: Option<Retransmission>,
}

/// A call started with [`Client::start`], whose reply has not been collected.
/// Dropping it abandons the call (a late reply is discarded).
#[derive(Debug)]
#[must_use = "a started call's reply is collected with wait()"]
pub struct PendingCall<R> {
    client: Client,
    call: Option<InFlight>,
    _result: PhantomData<fn() -> R>,
}

impl<R: DecodeOwned> PendingCall<R> {
    /// The call's transaction id.
    pub fn xid(&self) -> Option<u32> {
        self.call.as_ref().map(|call| call.xid)
    }

    /// Waits for the reply (until the client's timeout, counted from the
    /// start of the call) and decodes the results. An `AUTH_SHORT` handle
    /// the server rejects is dropped for later calls, but this call is not
    /// retried: it returns the authentication error.
    pub fn wait(mut self) -> Result<R, Error> {
        let Some(mut call) = self.call.take() else {
            return Err(Error::CantRecv(std::io::Error::other("the reply was already collected")));
        };
        let reply = self.client.await_reply(&mut call)?;
        let reply = self.client.interpret(reply).inspect_err(|e| {
            if matches!(e, Error::AuthError(AuthStat::RejectedCred)) {
                self.client.cred.drop_short();
            }
        })?;
        Decoder::new(&reply.message[reply.results_at..]).read().map_err(Error::CantDecodeRes)
    }
}

impl<R> Drop for PendingCall<R> {
    fn drop(&mut self) {
        if let Some(call) = &self.call {
            self.client.conn.transport.waiters().cancel(call.xid);
        }
    }
}
