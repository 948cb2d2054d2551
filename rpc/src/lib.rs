//! The ONC RPC message core (RFC 5531), free of I/O: it never touches a
//! socket or reads a clock. Bytes and times are passed in; the client and
//! server runtimes (`clnt`, `svc`) do the I/O.
//!
//! * [`msg`]: call and reply headers with every accept, reject and auth status;
//! * [`auth`], [`auth_sys`]: `opaque_auth`, flavors, `AUTH_SYS` parameters;
//! * [`record`]: record marking for stream transports, with a size limit;
//! * [`xid`]: transaction ids; [`retransmit`]: the datagram resend schedule.

pub mod auth;
pub mod auth_sys;
pub mod msg;
pub mod record;
pub mod retransmit;
pub mod xid;

pub use auth::{AuthFlavor, AuthStat, OpaqueAuth};
pub use auth_sys::AuthSysParms;
pub use msg::{
    AcceptStat, CallHeader, Message, RPC_VERSION, RejectedReply, ReplyBody, ReplyHeader,
};
