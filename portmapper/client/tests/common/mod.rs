//! Shared by the integration tests: our rpcbind run in this process, on
//! loopback with free ports and a socket of its own (or, inside a test's
//! namespaces, on the standard port and socket), and a test program
//! served by svc that tells the caller how it was reached.

// Each test binary uses a part of this module.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use portmapper::Rpcbind;
use rpc::AuthFlavor;
use svc::{CallContext, Credentials, Dispatch, ProcError, ServerBuilder, ServerHandle};
use test_support::ScratchDir;
use xdr::ByteString;

/// The test program's procedures: NULL, TWICE(u32) -> u32,
/// TRANSPORT() -> string (`tcp`, `udp` or `unix`: how the call came),
/// FLAVOR() -> u32 (the flavor of the caller's credentials).
pub const TWICE: u32 = 1;
pub const TRANSPORT: u32 = 2;
pub const FLAVOR: u32 = 3;

/// The test program.
#[derive(Debug, Clone, Copy)]
pub struct Probe;

impl Dispatch for Probe {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        let encoded = match ctx.proc_num {
            0 => Ok(()),
            TWICE => {
                let n: u32 = xdr::from_slice(args)?;
                xdr::append(&n.wrapping_mul(2), results)
            }
            TRANSPORT => {
                let name: ByteString =
                    ByteString::try_from(ctx.transport.to_string().as_str()).unwrap();
                xdr::append(&name, results)
            }
            FLAVOR => {
                let flavor = match &ctx.credentials {
                    Credentials::None => AuthFlavor::NONE,
                    Credentials::Sys(_) => AuthFlavor::SYS,
                    Credentials::Short(_) => AuthFlavor::SHORT,
                    Credentials::Other { flavor, .. } => *flavor,
                };
                xdr::append(&flavor.0, results)
            }
            _ => return Err(ProcError::ProcUnavail),
        };
        encoded.map_err(|_| ProcError::SystemErr)
    }
}

/// Serves [`Probe`] as `prog` version 1 on the listeners of `builder`.
pub fn serve(prog: u32, builder: ServerBuilder) -> ServerHandle {
    builder.register(prog, 1, Probe).workers(1).build().unwrap().spawn().unwrap()
}

/// Our rpcbind, running in this process.
pub struct Portmapper {
    pub tcp: SocketAddr,
    pub udp: SocketAddr,
    pub socket: PathBuf,
    _handle: ServerHandle,
    pub dir: ScratchDir,
}

impl Portmapper {
    /// On 127.0.0.1 with free ports, its socket and state in a directory
    /// of its own, with the daemon flags `extra` (e.g. `-r`).
    pub fn private(name: &str, extra: &[&str]) -> Portmapper {
        let dir = ScratchDir::new(&format!("pm-{name}"));
        let socket = dir.join("rpcbind.sock");
        let (state, sock) = (dir.join("state"), socket.display().to_string());
        let state = state.display().to_string();
        let mut args = vec!["--listen", "127.0.0.1", "--port", "0", "--socket", &sock];
        args.extend(["--state-dir", &state]);
        args.extend(extra);
        Portmapper::start(dir, socket, &args)
    }

    /// On the standard port and socket (inside a test's namespaces).
    pub fn standard(extra: &[&str]) -> Portmapper {
        let dir = ScratchDir::new("pm-standard");
        let state = dir.join("state").display().to_string();
        let mut args = vec!["--state-dir", &state];
        args.extend(extra);
        Portmapper::start(dir, PathBuf::from(portmapper::DEFAULT_SOCKET), &args)
    }

    fn start(dir: ScratchDir, socket: PathBuf, args: &[&str]) -> Portmapper {
        let argv = ["rpcbind", "-f"].iter().chain(args);
        let daemon = rpcbind::Daemon::bind(&rpcbind::Options::parse_from(argv)).unwrap();
        let (tcp, udp) = (daemon.tcp_addr().unwrap(), daemon.udp_addr().unwrap());
        Portmapper { tcp, udp, socket, _handle: daemon.spawn().unwrap(), dir }
    }

    /// The binding client: TCP, and the local socket first where it
    /// applies.
    pub fn rpcbind(&self) -> Rpcbind {
        Rpcbind::at(self.tcp).socket(Some(self.socket.clone()))
    }
}
