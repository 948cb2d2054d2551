//! Creating clients: transport, timeouts, credentials and limits.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::path::Path;
use std::time::Duration;

use rpc::record::MAX_FRAGMENT;
use rpc::retransmit::RetransmitPolicy;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::auth::{Auth, CredState};
use crate::client::Client;
use crate::datagram::DatagramTransport;
use crate::error::Error;
use crate::link::{Dial, Link};
use crate::loopback::tune_loopback;
use crate::reply::xid_seed;
use crate::resvport::bind_reserved;
use crate::stream::StreamTransport;
use crate::transport::Transport;

/// Settings for a new client; finish with [`ClientBuilder::tcp`],
/// [`ClientBuilder::udp`] or [`ClientBuilder::unix`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    prog: u32,
    vers: u32,
    timeout: Duration,
    connect_timeout: Duration,
    auth: Auth,
    retransmit: RetransmitPolicy,
    max_record: usize,
    max_fragment: usize,
    reserved_port: bool,
    retries: u32,
}

impl ClientBuilder {
    /// A builder for calls to `prog` version `vers`, with libtirpc's
    /// defaults: 25 s per call, `AUTH_NONE`, UDP resends from 3 s doubling.
    pub fn new(prog: u32, vers: u32) -> ClientBuilder {
        ClientBuilder {
            prog,
            vers,
            timeout: Duration::from_secs(25),
            connect_timeout: Duration::from_secs(10),
            auth: Auth::None,
            retransmit: RetransmitPolicy::default(),
            max_record: 16 << 20,
            max_fragment: MAX_FRAGMENT,
            reserved_port: false,
            retries: 0,
        }
    }

    /// The program and version the client will call.
    pub fn program(&self) -> (u32, u32) {
        (self.prog, self.vers)
    }

    /// Total time a call may take, resends included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to establish a TCP connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Credentials sent with every call.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// When UDP calls are resent.
    pub fn retransmit(mut self, policy: RetransmitPolicy) -> Self {
        self.retransmit = policy;
        self
    }

    /// Largest reply record accepted on a stream (default 16 MiB); a larger
    /// one fails the connection instead of being buffered.
    pub fn max_record(mut self, bytes: usize) -> Self {
        self.max_record = bytes;
        self
    }

    /// Largest record fragment sent on a stream; longer calls are split
    /// (default: never split).
    pub fn max_fragment(mut self, bytes: usize) -> Self {
        self.max_fragment = bytes.max(1);
        self
    }

    /// Bind the local end to a reserved port (600-1023), like `bindresvport`.
    pub fn reserved_port(mut self, yes: bool) -> Self {
        self.reserved_port = yes;
        self
    }

    /// At-least-once execution: after an attempt fails - the call timed
    /// out, or its connection broke - the call is sent again, up to
    /// `retries` more times, with the same xid, a fresh timeout, and on a
    /// broken stream a new connection to the same address. A server with a
    /// duplicate request cache recognizes the xid and runs the procedure at
    /// most once; any other server may run it again. Default 0 (libtirpc's
    /// behaviour: a call is sent once, datagram resends aside). With
    /// retries, stream calls keep their message in memory until answered.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Connects over TCP to the first address of `addr` that accepts.
    pub fn tcp(self, addr: impl ToSocketAddrs) -> Result<Client, Error> {
        let mut last = None;
        for addr in resolve(addr)? {
            match self.dial_tcp(addr) {
                Ok(transport) => {
                    let builder = self.clone();
                    let dial: Dial = Box::new(move || builder.dial_tcp(addr));
                    return self.finish(transport, Some(dial));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::CantSend(io::Error::other("no address to connect to"))))
    }

    /// Sends calls over UDP to the first address of `addr`.
    pub fn udp(self, addr: impl ToSocketAddrs) -> Result<Client, Error> {
        let addr = resolve(addr)?.next().ok_or_else(|| Error::UnknownHost("no address".into()))?;
        let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
            .map_err(Error::CantSend)?;
        if self.reserved_port {
            bind_reserved(&socket, addr.is_ipv6()).map_err(Error::CantSend)?;
        }
        socket.connect(&addr.into()).map_err(Error::CantSend)?;
        self.finish(Box::new(DatagramTransport::new(UdpSocket::from(socket))), None)
    }

    /// Connects to a Unix stream socket (the `local` netid).
    pub fn unix(self, path: impl AsRef<Path>) -> Result<Client, Error> {
        let path = path.as_ref().to_path_buf();
        let transport = self.dial_unix(&path)?;
        let builder = self.clone();
        let dial: Dial = Box::new(move || builder.dial_unix(&path));
        self.finish(transport, Some(dial))
    }

    fn dial_tcp(&self, addr: SocketAddr) -> Result<Box<dyn Transport>, Error> {
        let connect = || {
            let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
            socket.set_nodelay(true)?;
            tune_loopback(&socket, addr);
            if self.reserved_port {
                bind_reserved(&socket, addr.is_ipv6())?;
            }
            socket.connect_timeout(&addr.into(), self.connect_timeout)?;
            Ok(socket)
        };
        let socket = connect().map_err(Error::CantSend)?;
        Ok(Box::new(StreamTransport::new(socket, self.max_record, self.max_fragment)))
    }

    fn dial_unix(&self, path: &Path) -> Result<Box<dyn Transport>, Error> {
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None).map_err(Error::CantSend)?;
        let addr = SockAddr::unix(path).map_err(Error::CantSend)?;
        socket.connect(&addr).map_err(Error::CantSend)?;
        Ok(Box::new(StreamTransport::new(socket, self.max_record, self.max_fragment)))
    }

    /// The client over `transport`; `dial` replaces a broken connection
    /// when retries are on.
    fn finish(self, transport: Box<dyn Transport>, dial: Option<Dial>) -> Result<Client, Error> {
        let cred = CredState::new(&self.auth).map_err(Error::CantEncodeArgs)?;
        let dial = dial.filter(|_| self.retries > 0);
        let link = Link::new(transport, xid_seed(), self.retransmit, self.retries, dial);
        Ok(Client::new(link, cred, self.prog, self.vers, self.timeout))
    }
}

fn resolve(addr: impl ToSocketAddrs) -> Result<std::vec::IntoIter<SocketAddr>, Error> {
    let addrs: Vec<SocketAddr> =
        addr.to_socket_addrs().map_err(|e| Error::UnknownHost(e.to_string()))?.collect();
    if addrs.is_empty() {
        return Err(Error::UnknownHost("the name has no address".into()));
    }
    Ok(addrs.into_iter())
}
