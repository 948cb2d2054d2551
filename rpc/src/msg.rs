//! `rpc_msg` (RFC 5531 section 9): call and reply headers with every
//! `accept_stat`, `reject_stat` and `auth_stat`.
//!
//! Headers borrow their authentication bodies from the message; the
//! procedure's arguments or results follow the header in the same buffer,
//! where [`Message::decode`] leaves the decoder.

use xdr::{Decode, Decoder, Encode, Encoder};

use crate::auth::{AuthStat, OpaqueAuth};

/// The only RPC protocol version (RFC 5531 section 9).
pub const RPC_VERSION: u32 = 2;

const CALL: u32 = 0;
const REPLY: u32 = 1;
const MSG_ACCEPTED: u32 = 0;
const MSG_DENIED: u32 = 1;
const RPC_MISMATCH: u32 = 0;
const AUTH_ERROR: u32 = 1;

/// A call header: `xid`, `CALL`, then `call_body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallHeader<'a> {
    /// Transaction id chosen by the caller.
    pub xid: u32,
    /// RPC protocol version; 2 unless the caller is confused.
    pub rpcvers: u32,
    /// Program number.
    pub prog: u32,
    /// Program version.
    pub vers: u32,
    /// Procedure number.
    pub proc_num: u32,
    /// Credentials.
    pub cred: OpaqueAuth<'a>,
    /// Verifier.
    pub verf: OpaqueAuth<'a>,
}

/// A reply header: `xid`, `REPLY`, then `reply_body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyHeader<'a> {
    /// The xid of the call answered.
    pub xid: u32,
    /// Accepted or denied, and why.
    pub body: ReplyBody<'a>,
}

/// `reply_body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyBody<'a> {
    /// `MSG_ACCEPTED`: authentication passed; `stat` says what happened next.
    Accepted {
        /// The server's verifier.
        verf: OpaqueAuth<'a>,
        /// The outcome; results follow only for [`AcceptStat::Success`].
        stat: AcceptStat,
    },
    /// `MSG_DENIED`: the call was refused before it reached the program.
    Denied(RejectedReply),
}

/// `accept_stat` with the data some arms carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcceptStat {
    /// `SUCCESS`: the results follow.
    Success,
    /// `PROG_UNAVAIL`: the program is not exported here.
    ProgUnavail,
    /// `PROG_MISMATCH`: the versions supported are `low..=high`.
    ProgMismatch {
        /// Lowest version supported.
        low: u32,
        /// Highest version supported.
        high: u32,
    },
    /// `PROC_UNAVAIL`: the program has no such procedure.
    ProcUnavail,
    /// `GARBAGE_ARGS`: the arguments could not be decoded.
    GarbageArgs,
    /// `SYSTEM_ERR`: the server failed (memory, or the procedure itself).
    SystemErr,
}

/// `rejected_reply`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectedReply {
    /// `RPC_MISMATCH`: the RPC versions supported are `low..=high`.
    RpcMismatch {
        /// Lowest RPC version supported.
        low: u32,
        /// Highest RPC version supported.
        high: u32,
    },
    /// `AUTH_ERROR`: authentication failed for this reason.
    AuthError(AuthStat),
}

/// Any RPC message header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    /// A call; its arguments follow.
    Call(CallHeader<'a>),
    /// A reply; results follow an accepted `SUCCESS`.
    Reply(ReplyHeader<'a>),
}

impl Message<'_> {
    /// The transaction id.
    pub fn xid(&self) -> u32 {
        match self {
            Message::Call(call) => call.xid,
            Message::Reply(reply) => reply.xid,
        }
    }
}

/// Reads the xid at the start of a message without decoding the rest.
pub fn peek_xid(message: &[u8]) -> Option<u32> {
    message.first_chunk::<4>().map(|word| u32::from_be_bytes(*word))
}

impl<'a> CallHeader<'a> {
    /// Decodes a call header and returns it with the argument bytes after it.
    pub fn decode_with_args<'de: 'a>(message: &'de [u8]) -> Result<(Self, &'de [u8]), xdr::Error> {
        let mut dec = Decoder::new(message);
        match Message::decode(&mut dec)? {
            Message::Call(call) => Ok((call, dec.remaining())),
            Message::Reply(_) => Err(dec.invalid_enum("msg_type (expected CALL)", REPLY as i32)),
        }
    }
}

impl<'a> ReplyHeader<'a> {
    /// Decodes a reply header and returns it with the result bytes after it.
    pub fn decode_with_results<'de: 'a>(
        message: &'de [u8],
    ) -> Result<(Self, &'de [u8]), xdr::Error> {
        let mut dec = Decoder::new(message);
        match Message::decode(&mut dec)? {
            Message::Reply(reply) => Ok((reply, dec.remaining())),
            Message::Call(_) => Err(dec.invalid_enum("msg_type (expected REPLY)", CALL as i32)),
        }
    }

    /// An accepted reply with an `AUTH_NONE` verifier.
    pub fn accepted(xid: u32, stat: AcceptStat) -> ReplyHeader<'static> {
        ReplyHeader { xid, body: ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat } }
    }

    /// A denied reply.
    pub fn denied(xid: u32, reason: RejectedReply) -> ReplyHeader<'static> {
        ReplyHeader { xid, body: ReplyBody::Denied(reason) }
    }
}

impl Encode for CallHeader<'_> {
    fn encoded_len(&self) -> usize {
        24 + self.cred.encoded_len() + self.verf.encoded_len()
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        for word in [self.xid, CALL, self.rpcvers, self.prog, self.vers, self.proc_num] {
            enc.put_u32(word);
        }
        self.cred.encode(enc).map_err(|e| e.in_field("cred"))?;
        self.verf.encode(enc).map_err(|e| e.in_field("verf"))
    }
}

impl Encode for AcceptStat {
    fn encoded_len(&self) -> usize {
        match self {
            AcceptStat::ProgMismatch { .. } => 12,
            _ => 4,
        }
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        let code = match *self {
            AcceptStat::Success => 0,
            AcceptStat::ProgUnavail => 1,
            AcceptStat::ProgMismatch { low, high } => {
                enc.put_u32(2);
                enc.put_u32(low);
                enc.put_u32(high);
                return Ok(());
            }
            AcceptStat::ProcUnavail => 3,
            AcceptStat::GarbageArgs => 4,
            AcceptStat::SystemErr => 5,
        };
        enc.put_u32(code);
        Ok(())
    }
}

impl<'de> Decode<'de> for AcceptStat {
    const MIN_ENCODED_LEN: usize = 4;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        match dec.read_u32()? {
            0 => Ok(AcceptStat::Success),
            1 => Ok(AcceptStat::ProgUnavail),
            2 => Ok(AcceptStat::ProgMismatch { low: dec.read_u32()?, high: dec.read_u32()? }),
            3 => Ok(AcceptStat::ProcUnavail),
            4 => Ok(AcceptStat::GarbageArgs),
            5 => Ok(AcceptStat::SystemErr),
            other => Err(dec.invalid_discriminant("accept_stat", i64::from(other))),
        }
    }
}

impl Encode for RejectedReply {
    fn encoded_len(&self) -> usize {
        match self {
            RejectedReply::RpcMismatch { .. } => 12,
            RejectedReply::AuthError(_) => 8,
        }
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        match *self {
            RejectedReply::RpcMismatch { low, high } => {
                enc.put_u32(RPC_MISMATCH);
                enc.put_u32(low);
                enc.put_u32(high);
                Ok(())
            }
            RejectedReply::AuthError(stat) => {
                enc.put_u32(AUTH_ERROR);
                stat.encode(enc)
            }
        }
    }
}

impl<'de> Decode<'de> for RejectedReply {
    const MIN_ENCODED_LEN: usize = 8;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        match dec.read_u32()? {
            RPC_MISMATCH => {
                Ok(RejectedReply::RpcMismatch { low: dec.read_u32()?, high: dec.read_u32()? })
            }
            AUTH_ERROR => Ok(RejectedReply::AuthError(dec.read()?)),
            other => Err(dec.invalid_discriminant("reject_stat", i64::from(other))),
        }
    }
}

impl Encode for ReplyHeader<'_> {
    fn encoded_len(&self) -> usize {
        12 + match &self.body {
            ReplyBody::Accepted { verf, stat } => verf.encoded_len() + stat.encoded_len(),
            ReplyBody::Denied(reason) => reason.encoded_len(),
        }
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        enc.put_u32(self.xid);
        enc.put_u32(REPLY);
        match &self.body {
            ReplyBody::Accepted { verf, stat } => {
                enc.put_u32(MSG_ACCEPTED);
                verf.encode(enc).map_err(|e| e.in_field("verf"))?;
                stat.encode(enc)
            }
            ReplyBody::Denied(reason) => {
                enc.put_u32(MSG_DENIED);
                reason.encode(enc)
            }
        }
    }
}

impl<'de: 'a, 'a> Decode<'de> for Message<'a> {
    const MIN_ENCODED_LEN: usize = 12;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        let xid = dec.read_u32()?;
        match dec.read_u32()? {
            CALL => Ok(Message::Call(CallHeader {
                xid,
                rpcvers: dec.read_u32().map_err(|e| e.in_field("rpcvers"))?,
                prog: dec.read_u32().map_err(|e| e.in_field("prog"))?,
                vers: dec.read_u32().map_err(|e| e.in_field("vers"))?,
                proc_num: dec.read_u32().map_err(|e| e.in_field("proc"))?,
                cred: dec.read().map_err(|e| e.in_field("cred"))?,
                verf: dec.read().map_err(|e| e.in_field("verf"))?,
            })),
            REPLY => {
                let body = match dec.read_u32()? {
                    MSG_ACCEPTED => ReplyBody::Accepted {
                        verf: dec.read().map_err(|e| e.in_field("verf"))?,
                        stat: dec.read().map_err(|e| e.in_field("stat"))?,
                    },
                    MSG_DENIED => ReplyBody::Denied(dec.read()?),
                    other => return Err(dec.invalid_discriminant("reply_stat", i64::from(other))),
                };
                Ok(Message::Reply(ReplyHeader { xid, body }))
            }
            other => Err(dec.invalid_enum("msg_type", other as i32)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthFlavor;

    #[test]
    fn null_call_header_is_forty_bytes() {
        let call = CallHeader {
            xid: 0x0102_0304,
            rpcvers: RPC_VERSION,
            prog: 100_000,
            vers: 2,
            proc_num: 0,
            cred: OpaqueAuth::NONE,
            verf: OpaqueAuth::NONE,
        };
        let wire = xdr::to_vec(&call).unwrap();
        assert_eq!(wire.len(), 40);
        assert_eq!(&wire[..8], &[1, 2, 3, 4, 0, 0, 0, 0]);
        assert_eq!(&wire[12..16], &100_000u32.to_be_bytes());
        let (back, args) = CallHeader::decode_with_args(&wire).unwrap();
        assert_eq!(back, call);
        assert!(args.is_empty());
    }

    #[test]
    fn every_reply_round_trips() {
        let verf_body = [9u8; 8];
        let bodies = [
            ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat: AcceptStat::Success },
            ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat: AcceptStat::ProgUnavail },
            ReplyBody::Accepted {
                verf: OpaqueAuth::NONE,
                stat: AcceptStat::ProgMismatch { low: 2, high: 4 },
            },
            ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat: AcceptStat::ProcUnavail },
            ReplyBody::Accepted { verf: OpaqueAuth::NONE, stat: AcceptStat::GarbageArgs },
            ReplyBody::Accepted {
                verf: OpaqueAuth { flavor: AuthFlavor::SHORT, body: &verf_body },
                stat: AcceptStat::SystemErr,
            },
            ReplyBody::Denied(RejectedReply::RpcMismatch { low: 2, high: 2 }),
            ReplyBody::Denied(RejectedReply::AuthError(AuthStat::TooWeak)),
        ];
        for body in bodies {
            let reply = ReplyHeader { xid: 77, body };
            let mut wire = xdr::to_vec(&reply).unwrap();
            assert_eq!(wire.len(), reply.encoded_len());
            wire.extend_from_slice(&[0, 0, 0, 5]);
            let (back, results) = ReplyHeader::decode_with_results(&wire).unwrap();
            assert_eq!(back, reply);
            assert_eq!(results, [0, 0, 0, 5]);
        }
    }

    #[test]
    fn prog_mismatch_wire_form() {
        let wire =
            xdr::to_vec(&ReplyHeader::accepted(1, AcceptStat::ProgMismatch { low: 2, high: 3 }))
                .unwrap();
        assert_eq!(
            wire,
            [
                0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2,
                0, 0, 0, 3
            ]
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(xdr::from_slice::<Message<'_>>(&[0, 0, 0, 1, 0, 0, 0, 7]).is_err());
        assert!(ReplyHeader::decode_with_results(&[0, 0, 0, 1, 0, 0, 0, 0]).is_err());
        assert!(CallHeader::decode_with_args(&[0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9]).is_err());
        assert_eq!(peek_xid(&[0, 0, 1]), None);
        assert_eq!(peek_xid(&[0, 0, 1, 0, 5]), Some(256));
    }
}
