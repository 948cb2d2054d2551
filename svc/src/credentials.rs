//! The caller's credentials as decoded from a call's `cred` field.

use rpc::{AuthFlavor, AuthStat, AuthSysParms, OpaqueAuth};
use xdr::Decoder;

/// The caller's credentials as decoded from the call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Credentials {
    /// `AUTH_NONE`.
    #[default]
    None,
    /// `AUTH_SYS`: what the caller claims to be (nothing verifies it).
    Sys(AuthSysParms),
    /// `AUTH_SHORT`: the opaque shorthand body.
    Short(Vec<u8>),
    /// Any other flavor, passed through for the dispatcher to judge (it may
    /// refuse with [`crate::ProcError::AuthError`]).
    Other {
        /// The flavor number.
        flavor: AuthFlavor,
        /// The credential body.
        body: Vec<u8>,
    },
}

impl Credentials {
    /// Decodes a call's credential. A malformed `AUTH_SYS` body is
    /// `AUTH_BADCRED`, as in libtirpc; bytes after a well-formed body are
    /// ignored, as libtirpc does.
    pub fn from_opaque_auth(cred: &OpaqueAuth<'_>) -> Result<Credentials, AuthStat> {
        match cred.flavor {
            AuthFlavor::NONE => Ok(Credentials::None),
            AuthFlavor::SYS => {
                let mut dec = Decoder::new(cred.body);
                dec.read::<AuthSysParms>().map(Credentials::Sys).map_err(|e| {
                    log::debug!("malformed AUTH_SYS credential: {e}");
                    AuthStat::BadCred
                })
            }
            AuthFlavor::SHORT => Ok(Credentials::Short(cred.body.to_vec())),
            flavor => Ok(Credentials::Other { flavor, body: cred.body.to_vec() }),
        }
    }

    /// The flavor these credentials were sent with.
    pub fn flavor(&self) -> AuthFlavor {
        match self {
            Credentials::None => AuthFlavor::NONE,
            Credentials::Sys(_) => AuthFlavor::SYS,
            Credentials::Short(_) => AuthFlavor::SHORT,
            Credentials::Other { flavor, .. } => *flavor,
        }
    }

    /// The `AUTH_SYS` parameters, if the call carried them.
    pub fn auth_sys(&self) -> Option<&AuthSysParms> {
        match self {
            Credentials::Sys(parms) => Some(parms),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xdr::{ByteString, VarArray};

    #[test]
    fn auth_sys_is_decoded_and_garbage_is_badcred() {
        let parms = AuthSysParms {
            stamp: 7,
            machine_name: ByteString::try_from("host").unwrap(),
            uid: 1000,
            gid: 100,
            gids: VarArray::new(vec![1, 2]).unwrap(),
        };
        let mut body = xdr::to_vec(&parms).unwrap();
        let cred = OpaqueAuth { flavor: AuthFlavor::SYS, body: &body };
        assert_eq!(Credentials::from_opaque_auth(&cred), Ok(Credentials::Sys(parms.clone())));
        body.truncate(body.len() - 2);
        let cred = OpaqueAuth { flavor: AuthFlavor::SYS, body: &body };
        assert_eq!(Credentials::from_opaque_auth(&cred), Err(AuthStat::BadCred));
    }

    #[test]
    fn other_flavors_pass_through() {
        let cred = OpaqueAuth { flavor: AuthFlavor::DH, body: b"abcd" };
        let creds = Credentials::from_opaque_auth(&cred).unwrap();
        assert_eq!(creds.flavor(), AuthFlavor::DH);
        assert_eq!(creds, Credentials::Other { flavor: AuthFlavor::DH, body: b"abcd".to_vec() });
        let short = OpaqueAuth { flavor: AuthFlavor::SHORT, body: b"zz" };
        assert_eq!(Credentials::from_opaque_auth(&short), Ok(Credentials::Short(b"zz".to_vec())));
        assert_eq!(Credentials::from_opaque_auth(&OpaqueAuth::NONE), Ok(Credentials::None));
    }
}
