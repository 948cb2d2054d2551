//! Dropping root (`-s`): look the user up in `/etc/passwd` (rpcbind
//! also reads the local file, to avoid asking a network name service that
//! may need rpcbind itself), then set the groups, the gid and the uid.
//!
//! rustix changes the credentials of the calling thread only, so this
//! must run before the daemon starts any thread; threads started later
//! inherit them.

use std::io;

use rustix::thread::{Gid, Uid};

/// A user's ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct User {
    /// The uid.
    pub uid: u32,
    /// The primary gid.
    pub gid: u32,
}

/// Finds `name` in the `passwd` file contents `passwd`.
pub fn find_user(passwd: &str, name: &str) -> Option<User> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some(User { uid, gid })
    })
}

/// Looks `name` up in `/etc/passwd`.
pub fn lookup(name: &str) -> io::Result<User> {
    let passwd = std::fs::read_to_string("/etc/passwd")?;
    find_user(&passwd, name).ok_or_else(|| {
        io::Error::new(io::ErrorKind::NotFound, format!("no user {name:?} in /etc/passwd"))
    })
}

/// Becomes `user` for good: no supplementary groups, its gid, its uid
/// (real, effective and saved). Call before any thread is started.
pub fn become_user(user: User) -> io::Result<()> {
    let (uid, gid) = (Uid::from_raw(user.uid), Gid::from_raw(user.gid));
    rustix::thread::set_thread_groups(&[])?;
    rustix::thread::set_thread_res_gid(gid, gid, gid)?;
    rustix::thread::set_thread_res_uid(uid, uid, uid)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbad:x:y:1::/:/\n";
        assert_eq!(find_user(passwd, "daemon"), Some(User { uid: 1, gid: 1 }));
        assert_eq!(find_user(passwd, "root"), Some(User { uid: 0, gid: 0 }));
        assert_eq!(find_user(passwd, "bad"), None);
        assert_eq!(find_user(passwd, "nobody"), None);
    }
}
