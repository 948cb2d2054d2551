//! Authentication on the wire (RFC 5531 sections 8-10): `opaque_auth`,
//! the flavor numbers, and `auth_stat`.

use xdr::{Decode, Decoder, Encode, Encoder, OpaqueRef};

/// Largest `opaque_auth` body (RFC 5531 section 8.2).
pub const MAX_AUTH_BYTES: u32 = 400;

/// An authentication flavor number (RFC 5531 section 8.2 and the IANA registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuthFlavor(pub u32);

impl AuthFlavor {
    /// `AUTH_NONE`: no credentials.
    pub const NONE: AuthFlavor = AuthFlavor(0);
    /// `AUTH_SYS` (formerly `AUTH_UNIX`): uid, gid and groups, unverified.
    pub const SYS: AuthFlavor = AuthFlavor(1);
    /// `AUTH_SHORT`: a server-issued shorthand for earlier `AUTH_SYS` credentials.
    pub const SHORT: AuthFlavor = AuthFlavor(2);
    /// `AUTH_DH`: Diffie-Hellman authentication.
    pub const DH: AuthFlavor = AuthFlavor(3);
    /// `RPCSEC_GSS` (RFC 2203).
    pub const RPCSEC_GSS: AuthFlavor = AuthFlavor(6);
}

/// `opaque_auth`: a flavor and up to 400 bytes, borrowed from the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpaqueAuth<'a> {
    /// The flavor.
    pub flavor: AuthFlavor,
    /// The flavor-specific body.
    pub body: &'a [u8],
}

impl OpaqueAuth<'static> {
    /// `AUTH_NONE` with an empty body, the usual verifier.
    pub const NONE: OpaqueAuth<'static> = OpaqueAuth { flavor: AuthFlavor::NONE, body: &[] };
}

impl Encode for OpaqueAuth<'_> {
    fn encoded_len(&self) -> usize {
        4 + 4 + self.body.len() + xdr::padding(self.body.len())
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        enc.put_u32(self.flavor.0);
        enc.put_var_opaque(self.body, MAX_AUTH_BYTES)
    }
}

impl<'de: 'a, 'a> Decode<'de> for OpaqueAuth<'a> {
    const MIN_ENCODED_LEN: usize = 8;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        let flavor = AuthFlavor(dec.read_u32()?);
        let body: OpaqueRef<'a, MAX_AUTH_BYTES> = dec.read()?;
        Ok(OpaqueAuth { flavor, body: body.as_bytes() })
    }
}

/// Why a server refused a call's authentication (`auth_stat`, RFC 5531 section 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum AuthStat {
    /// Success (never sent in a rejection).
    Ok = 0,
    /// Bad credential (seal broken).
    BadCred = 1,
    /// Client must begin a new session.
    RejectedCred = 2,
    /// Bad verifier (seal broken).
    BadVerf = 3,
    /// Verifier expired or replayed.
    RejectedVerf = 4,
    /// Rejected for security reasons.
    TooWeak = 5,
    /// Bogus response verifier.
    InvalidResp = 6,
    /// Reason unknown.
    Failed = 7,
    /// Kerberos generic error.
    KerbGeneric = 8,
    /// Time of credential expired.
    TimeExpire = 9,
    /// Problem with ticket file.
    TktFile = 10,
    /// Can't decode authenticator.
    Decode = 11,
    /// Wrong net address in ticket.
    NetAddr = 12,
    /// No credentials for user (RPCSEC_GSS).
    GssCredProblem = 13,
    /// Problem with context (RPCSEC_GSS).
    GssCtxProblem = 14,
}

impl AuthStat {
    /// Every value, in protocol order.
    pub const ALL: [AuthStat; 15] = [
        AuthStat::Ok,
        AuthStat::BadCred,
        AuthStat::RejectedCred,
        AuthStat::BadVerf,
        AuthStat::RejectedVerf,
        AuthStat::TooWeak,
        AuthStat::InvalidResp,
        AuthStat::Failed,
        AuthStat::KerbGeneric,
        AuthStat::TimeExpire,
        AuthStat::TktFile,
        AuthStat::Decode,
        AuthStat::NetAddr,
        AuthStat::GssCredProblem,
        AuthStat::GssCtxProblem,
    ];

    /// The value for a wire number, if it names one.
    pub fn from_u32(value: u32) -> Option<AuthStat> {
        AuthStat::ALL.get(value as usize).copied()
    }

    /// What the status means, in the words `clnt_perror` uses.
    pub fn description(self) -> &'static str {
        match self {
            AuthStat::Ok => "Authentication OK",
            AuthStat::BadCred => "Invalid client credential",
            AuthStat::RejectedCred => "Server rejected credential",
            AuthStat::BadVerf => "Invalid client verifier",
            AuthStat::RejectedVerf => "Server rejected verifier",
            AuthStat::TooWeak => "Client credential too weak",
            AuthStat::InvalidResp => "Invalid server verifier",
            AuthStat::Failed => "Failed (unspecified error)",
            AuthStat::KerbGeneric => "Kerberos generic error",
            AuthStat::TimeExpire => "Time of credential expired",
            AuthStat::TktFile => "Problem with ticket file",
            AuthStat::Decode => "Can't decode authenticator",
            AuthStat::NetAddr => "Wrong net address in ticket",
            AuthStat::GssCredProblem => "No credentials for user",
            AuthStat::GssCtxProblem => "Problem with context",
        }
    }
}

impl core::fmt::Display for AuthStat {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.description())
    }
}

impl Encode for AuthStat {
    const FIXED_ENCODED_LEN: Option<usize> = Some(4);

    fn encoded_len(&self) -> usize {
        4
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        enc.put_u32(*self as u32);
        Ok(())
    }
}

impl<'de> Decode<'de> for AuthStat {
    const MIN_ENCODED_LEN: usize = 4;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        let value = dec.read_u32()?;
        AuthStat::from_u32(value).ok_or_else(|| dec.invalid_enum("auth_stat", value as i32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_stat_numbers_follow_the_rfc() {
        for (i, stat) in AuthStat::ALL.iter().enumerate() {
            assert_eq!(*stat as usize, i);
            assert_eq!(AuthStat::from_u32(i as u32), Some(*stat));
        }
        assert_eq!(AuthStat::from_u32(15), None);
    }

    #[test]
    fn opaque_auth_body_is_bounded_by_400_bytes() {
        let body = [0u8; 401];
        let auth = OpaqueAuth { flavor: AuthFlavor::SYS, body: &body };
        assert!(xdr::to_vec(&auth).is_err());
        let mut wire = vec![0, 0, 0, 1, 0, 0, 1, 0x91];
        wire.extend_from_slice(&[0; 404]);
        let err = xdr::from_slice::<OpaqueAuth<'_>>(&wire).unwrap_err();
        assert!(matches!(err, xdr::Error::LengthOverBound { max: 400, .. }));
    }
}
