//! The client handle and the life of a call: encode, send (and resend on
//! datagrams), wait for the reply routed to this call, interpret it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use rpc::retransmit::{Retransmission, RetransmitPolicy, Step};
use rpc::{AcceptStat, AuthStat, CallHeader, RPC_VERSION, RejectedReply, ReplyBody, ReplyHeader};
use xdr::{DecodeOwned, Decoder, Encode, Encoder};

use crate::auth::CredState;
use crate::demux::ReplyResult;
use crate::error::Error;
use crate::transport::Transport;

/// What every handle on one connection shares.
#[derive(Debug)]
pub(crate) struct Connection {
    pub(crate) transport: Box<dyn Transport>,
    pub(crate) cred: CredState,
    pub(crate) xids: AtomicU32,
    pub(crate) retransmit: RetransmitPolicy,
}

/// A handle for calling one version of one program over one connection.
///
/// Cheap to clone, and usable from many threads at once: every call made
/// through any clone is in flight on the same connection at the same time,
/// and replies are matched to calls by xid. A call that times out does not
/// disturb the others.
#[derive(Debug, Clone)]
pub struct Client {
    conn: Arc<Connection>,
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
    pub(crate) fn new(conn: Connection, prog: u32, vers: u32, timeout: Duration) -> Client {
        Client { conn: Arc::new(conn), prog, vers, timeout }
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
            let xid = self.conn.xids.fetch_add(1, Ordering::Relaxed);
            let mut message = self.encode_call(xid, proc_num, args)?;
            let reply = self.round_trip(xid, &mut message)?;
            match self.interpret(reply) {
                Err(Error::AuthError(AuthStat::RejectedCred)) if self.conn.cred.drop_short() => {}
                other => return other,
            }
        }
    }

    /// The call message, with four bytes reserved in front for a record mark.
    fn encode_call<A: Encode + ?Sized>(
        &self,
        xid: u32,
        proc_num: u32,
        args: &A,
    ) -> Result<Vec<u8>, Error> {
        self.conn.cred.with_cred(|cred| {
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

    /// Sends the call (resending datagrams on schedule) and waits for its reply.
    fn round_trip(&self, xid: u32, message: &mut [u8]) -> Result<Vec<u8>, Error> {
        let transport = &*self.conn.transport;
        let demux = transport.demux();
        let replies = demux.register(xid).map_err(Error::CantSend)?;
        let result = if transport.resends() {
            self.send_until_answered(message, &replies)
        } else {
            match transport.send(message) {
                Ok(()) => wait(&replies, self.timeout),
                Err(e) => Err(Error::CantSend(e)),
            }
        };
        if result.is_err() {
            demux.cancel(xid);
        }
        result
    }

    fn send_until_answered(
        &self,
        message: &mut [u8],
        replies: &Receiver<ReplyResult>,
    ) -> Result<Vec<u8>, Error> {
        let transport = &*self.conn.transport;
        let mut schedule = Retransmission::new(self.conn.retransmit, Instant::now(), self.timeout);
        loop {
            let until = match schedule.poll(Instant::now()) {
                Step::GiveUp => return Err(Error::TimedOut),
                Step::Send { until } => {
                    transport.send(message).map_err(Error::CantSend)?;
                    until
                }
                Step::Wait { until } => until,
            };
            match wait(replies, until.saturating_duration_since(Instant::now())) {
                Err(Error::TimedOut) => continue,
                other => return other,
            }
        }
    }

    /// Turns a reply into results or the error it reports.
    fn interpret(&self, message: Vec<u8>) -> Result<Reply, Error> {
        let (header, results) =
            ReplyHeader::decode_with_results(&message).map_err(Error::MalformedReply)?;
        let results_at = message.len() - results.len();
        match header.body {
            ReplyBody::Accepted { verf, stat } => match stat {
                AcceptStat::Success => {
                    self.conn.cred.accept_verifier(verf);
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

/// Waits up to `timeout` for the reply routed to this call.
fn wait(replies: &Receiver<ReplyResult>, timeout: Duration) -> Result<Vec<u8>, Error> {
    match replies.recv_timeout(timeout) {
        Ok(Ok(reply)) => Ok(reply),
        Ok(Err(e)) => Err(Error::CantRecv(e)),
        Err(RecvTimeoutError::Timeout) => Err(Error::TimedOut),
        Err(RecvTimeoutError::Disconnected) => {
            Err(Error::CantRecv(std::io::Error::other("connection dropped")))
        }
    }
}
