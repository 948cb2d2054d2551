//! Client handles on one transport: [`tli_create`] makes one as
//! libtirpc's `clnt_tli_create` does (and fails as it does), and
//! [`Handle::call`] calls any program and version through it.

use std::path::PathBuf;
use std::time::Duration;

use clnt::ClientBuilder;
use portmapper::uaddr;
use xdr::{DecodeOwned, Encode};

use crate::datagram::Datagram;
use crate::errors::{CreateErr, RpcErr, Stat};
use crate::netconfig::{Family, Nc, Semantics};

/// `ENOTSOCK`: what `clnt_tli_create` reports for `rawip`, whose
/// netconfig entry yields no socket.
const ENOTSOCK: i32 = 88;

/// How long a connection may take to establish.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// A transport address (`struct netbuf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Addr {
    Inet(std::net::SocketAddr),
    Local(PathBuf),
}

impl Addr {
    /// `taddr2uaddr`.
    pub(crate) fn uaddr(&self) -> String {
        match self {
            Addr::Inet(sa) => uaddr::from_socket_addr(*sa),
            Addr::Local(path) => path.display().to_string(),
        }
    }
}

/// `uaddr2taddr`: `None` when the address does not suit the transport.
pub(crate) fn uaddr2taddr(nc: &Nc, text: &str) -> Option<Addr> {
    match nc.family {
        Family::Loopback => Some(Addr::Local(PathBuf::from(text))),
        _ if nc.semantics == Semantics::Raw => None,
        family => {
            let sa = uaddr::to_socket_addr(text).ok()?;
            (sa.is_ipv6() == (family == Family::Inet6)).then_some(Addr::Inet(sa))
        }
    }
}

/// A client handle (`CLIENT *`) and the transport it was made for.
#[derive(Debug)]
pub(crate) struct Handle {
    conn: Conn,
    /// `cl_netid`.
    pub(crate) nc: &'static Nc,
}

#[derive(Debug)]
enum Conn {
    Stream(clnt::Client),
    Datagram(Datagram),
}

impl Handle {
    /// Calls procedure `proc_num` of `prog` version `vers`.
    pub(crate) fn call<A, R>(
        &self,
        (prog, vers, proc_num): (u32, u32, u32),
        args: &A,
        timeout: Duration,
    ) -> Result<R, RpcErr>
    where
        A: Encode + ?Sized,
        R: DecodeOwned,
    {
        match &self.conn {
            Conn::Stream(c) => {
                Ok(c.with_program(prog, vers).with_timeout(timeout).call(proc_num, args)?)
            }
            Conn::Datagram(d) => d.call((prog, vers, proc_num), args, timeout),
        }
    }
}

/// `clnt_tli_create(RPC_ANYFD, nc, addr, prog, vers)`: a socket for the
/// transport, connected for stream transports.
pub(crate) fn tli_create(
    nc: &'static Nc,
    addr: &Addr,
    (prog, vers): (u32, u32),
) -> Result<Handle, CreateErr> {
    if nc.semantics == Semantics::Raw {
        return Err(CreateErr::errno(ENOTSOCK));
    }
    let builder = ClientBuilder::new(prog, vers).connect_timeout(CONNECT_TIMEOUT);
    let conn = match (nc.family, addr) {
        (Family::Loopback, Addr::Local(path)) => {
            Conn::Stream(builder.unix(path).map_err(create_err)?)
        }
        (Family::Inet, Addr::Inet(sa)) | (Family::Inet6, Addr::Inet(sa))
            if sa.is_ipv6() == (nc.family == Family::Inet6) =>
        {
            if nc.semantics == Semantics::Clts {
                Conn::Datagram(Datagram::connect(*sa).map_err(|e| CreateErr::system(&e))?)
            } else {
                Conn::Stream(builder.tcp(*sa).map_err(create_err)?)
            }
        }
        _ => return Err(CreateErr::new(Stat::UnknownHost)),
    };
    Ok(Handle { conn, nc })
}

/// A connection failure, as the `RPC_SYSTEMERROR` libtirpc makes of it.
fn create_err(e: clnt::Error) -> CreateErr {
    match e {
        clnt::Error::CantSend(io) => CreateErr::system(&io),
        other => CreateErr::call(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netconfig::getnetconfigent;

    #[test]
    fn universal_addresses_suit_their_transport() {
        let nc = |id| getnetconfigent(id, &mut std::io::sink()).unwrap();
        let v4 = uaddr2taddr(nc("tcp"), "127.0.0.1.0.111").unwrap();
        assert_eq!(v4.uaddr(), "127.0.0.1.0.111");
        assert_eq!(uaddr2taddr(nc("tcp6"), "127.0.0.1.0.111"), None);
        assert_eq!(
            uaddr2taddr(nc("udp6"), "::1.0.111").map(|a| a.uaddr()),
            Some("::1.0.111".into())
        );
        assert_eq!(uaddr2taddr(nc("rawip"), "127.0.0.1.0.111"), None);
        assert_eq!(uaddr2taddr(nc("tcp"), "bad"), None);
        assert_eq!(
            uaddr2taddr(nc("local"), "/run/x.sock"),
            Some(Addr::Local(PathBuf::from("/run/x.sock")))
        );
    }

    #[test]
    fn family_mismatch_is_unknown_host() {
        let local = getnetconfigent("local", &mut std::io::sink()).unwrap();
        let err = tli_create(local, &Addr::Inet("127.0.0.1:111".parse().unwrap()), (1, 1));
        assert_eq!(err.unwrap_err().stat, Stat::UnknownHost);
        let raw = getnetconfigent("rawip", &mut std::io::sink()).unwrap();
        let err = tli_create(raw, &Addr::Inet("127.0.0.1:111".parse().unwrap()), (1, 1));
        assert_eq!(
            err.unwrap_err().spcreateerror("x"),
            "x: RPC: Remote system error - Socket operation on non-socket"
        );
    }
}
