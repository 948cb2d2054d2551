//! The kernel's word on who is at the other end of a Unix socket
//! (`SO_PEERCRED`), read through rustix's safe wrapper.

use std::io;
use std::os::fd::AsFd;

use crate::context::PeerCred;

/// Reads the peer's uid, gid and pid, as they were when it connected.
pub(crate) fn peer_cred(socket: impl AsFd) -> io::Result<PeerCred> {
    let cred = rustix::net::sockopt::socket_peercred(socket)?;
    Ok(PeerCred {
        uid: cred.uid.as_raw(),
        gid: cred.gid.as_raw(),
        pid: cred.pid.as_raw_nonzero().get(),
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    #[test]
    fn a_socket_pair_shows_this_process() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let cred = peer_cred(&a).unwrap();
        assert_eq!(cred.pid, std::process::id() as i32);
        // /proc/self belongs to the process's effective uid and gid.
        let me = std::fs::metadata("/proc/self").unwrap();
        assert_eq!((cred.uid, cred.gid), (me.uid(), me.gid()));
    }
}
