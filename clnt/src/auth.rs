//! Client credentials: `AUTH_NONE`, `AUTH_SYS`, and the `AUTH_SHORT`
//! shorthand a server may hand back for `AUTH_SYS` credentials.

use std::sync::Mutex;

use rpc::auth::MAX_AUTH_BYTES;
use rpc::{AuthFlavor, AuthSysParms, OpaqueAuth};
use xdr::{ByteString, VarArray};

/// The credentials a client sends with each call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// `AUTH_NONE`.
    #[default]
    None,
    /// `AUTH_SYS` with these parameters.
    Sys(AuthSysParms),
}

impl Auth {
    /// `AUTH_SYS` credentials; fails when the machine name passes 255 bytes
    /// or there are more than 16 groups.
    pub fn sys(machine_name: &str, uid: u32, gid: u32, gids: &[u32]) -> Result<Auth, xdr::Error> {
        Ok(Auth::Sys(AuthSysParms {
            stamp: 0,
            machine_name: ByteString::try_from(machine_name)?,
            uid,
            gid,
            gids: VarArray::new(gids.to_vec())?,
        }))
    }

    /// `AUTH_SYS` credentials of this process, as `authunix_create_default`
    /// builds them: host name, effective uid and gid, and up to 16
    /// supplementary groups (read from `/proc`).
    pub fn sys_default() -> std::io::Result<Auth> {
        let status = std::fs::read_to_string("/proc/self/status")?;
        let field = |name: &str| -> Vec<u32> {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map(|rest| rest.split_whitespace().filter_map(|n| n.parse().ok()).collect())
                .unwrap_or_default()
        };
        // "Uid:" and "Gid:" list real, effective, saved and filesystem ids.
        let uid = field("Uid:").get(1).copied().unwrap_or(u32::MAX);
        let gid = field("Gid:").get(1).copied().unwrap_or(u32::MAX);
        let mut gids = field("Groups:");
        gids.truncate(rpc::auth_sys::MAX_GIDS as usize);
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")?;
        let mut host = host.trim().as_bytes().to_vec();
        host.truncate(rpc::auth_sys::MAX_MACHINE_NAME as usize);
        Ok(Auth::Sys(AuthSysParms {
            stamp: 0,
            machine_name: ByteString::new(host).map_err(std::io::Error::other)?,
            uid,
            gid,
            gids: VarArray::new(gids).map_err(std::io::Error::other)?,
        }))
    }
}

impl Auth {
    /// The credential's flavor and encoded body, as a call carries them;
    /// fails when the body passes `MAX_AUTH_BYTES` (400).
    pub fn credential(&self) -> Result<(AuthFlavor, Vec<u8>), xdr::Error> {
        let (flavor, body) = match self {
            Auth::None => (AuthFlavor::NONE, Vec::new()),
            Auth::Sys(parms) => (AuthFlavor::SYS, xdr::to_vec(parms)?),
        };
        if body.len() > MAX_AUTH_BYTES as usize {
            return Err(xdr::Error::ValueOverBound { len: body.len(), max: MAX_AUTH_BYTES });
        }
        Ok((flavor, body))
    }
}

/// The credential bytes a client sends, with the `AUTH_SHORT` handle the
/// server may have issued in place of the full `AUTH_SYS` body.
#[derive(Debug)]
pub(crate) struct CredState {
    flavor: AuthFlavor,
    body: Vec<u8>,
    short: Mutex<Option<Vec<u8>>>,
}

impl CredState {
    pub(crate) fn new(auth: &Auth) -> Result<CredState, xdr::Error> {
        let (flavor, body) = auth.credential()?;
        Ok(CredState { flavor, body, short: Mutex::new(None) })
    }

    /// Runs `f` with the credential to send now: the short handle if the
    /// server issued one, the full credential otherwise.
    pub(crate) fn with_cred<T>(&self, f: impl FnOnce(OpaqueAuth<'_>) -> T) -> T {
        let short = self.short.lock().unwrap_or_else(|e| e.into_inner());
        match short.as_deref() {
            Some(handle) => f(OpaqueAuth { flavor: AuthFlavor::SHORT, body: handle }),
            None => f(OpaqueAuth { flavor: self.flavor, body: &self.body }),
        }
    }

    /// Records the verifier of an accepted reply: an `AUTH_SHORT` verifier
    /// replaces the full `AUTH_SYS` credential in later calls.
    pub(crate) fn accept_verifier(&self, verf: OpaqueAuth<'_>) {
        if verf.flavor == AuthFlavor::SHORT && self.flavor == AuthFlavor::SYS {
            *self.short.lock().unwrap_or_else(|e| e.into_inner()) = Some(verf.body.to_vec());
        }
    }

    /// Forgets the short handle after the server rejected it; true when
    /// there was one, so the call is worth retrying with the full credential.
    pub(crate) fn drop_short(&self) -> bool {
        self.short.lock().unwrap_or_else(|e| e.into_inner()).take().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_handle_replaces_the_full_credential_until_rejected() {
        let state = CredState::new(&Auth::sys("node", 1, 2, &[3]).unwrap()).unwrap();
        assert_eq!(state.with_cred(|c| c.flavor), AuthFlavor::SYS);
        state.accept_verifier(OpaqueAuth { flavor: AuthFlavor::SHORT, body: b"abcd" });
        assert_eq!(
            state.with_cred(|c| (c.flavor, c.body.to_vec())),
            (AuthFlavor::SHORT, b"abcd".to_vec())
        );
        assert!(state.drop_short());
        assert_eq!(state.with_cred(|c| c.flavor), AuthFlavor::SYS);
        assert!(!state.drop_short());
    }

    #[test]
    fn limits_are_checked() {
        assert!(Auth::sys(&"h".repeat(256), 0, 0, &[]).is_err());
        assert!(Auth::sys("h", 0, 0, &[0; 17]).is_err());
    }

    #[test]
    fn default_credentials_name_this_process() {
        let Auth::Sys(parms) = Auth::sys_default().unwrap() else { panic!("not AUTH_SYS") };
        assert!(!parms.machine_name.is_empty());
        let meta = std::fs::metadata("/proc/self").unwrap();
        assert_eq!(parms.uid, std::os::unix::fs::MetadataExt::uid(&meta));
    }
}
