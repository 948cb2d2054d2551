//! [`reclaim_socket_path`]: making way for a Unix socket a daemon binds.

use std::io;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::Path;

/// Makes way for a Unix socket at `path`: a stale socket file (nobody
/// listening, left by a daemon that died) is removed; a live socket, or a
/// file of another kind, is an error and is left alone.
pub fn reclaim_socket_path(path: &Path) -> io::Result<()> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if !meta.file_type().is_socket() {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, "exists and is not a socket"));
    }
    if UnixStream::connect(path).is_ok() {
        return Err(io::Error::new(io::ErrorKind::AddrInUse, "a server is listening on it"));
    }
    std::fs::remove_file(path)
}
