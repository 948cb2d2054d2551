//! `AUTH_SYS` credentials (RFC 5531 appendix A): `authsys_parms`.

use xdr::{ByteString, Decode, Decoder, Encode, Encoder, VarArray};

/// Longest machine name AUTH_SYS allows.
pub const MAX_MACHINE_NAME: u32 = 255;
/// Most supplementary groups AUTH_SYS carries.
pub const MAX_GIDS: u32 = 16;

/// `authsys_parms`: who the caller says it is. Nothing verifies it; a
/// server trusts it only as far as it trusts the network and the peer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AuthSysParms {
    /// Arbitrary id the caller generated (libtirpc uses the time).
    pub stamp: u32,
    /// The caller's machine name, at most 255 bytes.
    pub machine_name: ByteString<MAX_MACHINE_NAME>,
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
    /// Supplementary groups, at most 16.
    pub gids: VarArray<u32, MAX_GIDS>,
}

impl Encode for AuthSysParms {
    fn encoded_len(&self) -> usize {
        4 + self.machine_name.encoded_len() + 8 + self.gids.encoded_len()
    }

    fn encode(&self, enc: &mut Encoder<'_>) -> xdr::Result<()> {
        enc.put_u32(self.stamp);
        self.machine_name.encode(enc).map_err(|e| e.in_field("machinename"))?;
        enc.put_u32(self.uid);
        enc.put_u32(self.gid);
        self.gids.encode(enc).map_err(|e| e.in_field("gids"))
    }
}

impl<'de> Decode<'de> for AuthSysParms {
    const MIN_ENCODED_LEN: usize = 20;

    fn decode(dec: &mut Decoder<'de>) -> xdr::Result<Self> {
        Ok(AuthSysParms {
            stamp: dec.read_u32().map_err(|e| e.in_field("stamp"))?,
            machine_name: dec.read().map_err(|e| e.in_field("machinename"))?,
            uid: dec.read_u32().map_err(|e| e.in_field("uid"))?,
            gid: dec.read_u32().map_err(|e| e.in_field("gid"))?,
            gids: dec.read().map_err(|e| e.in_field("gids"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_enforced_both_ways() {
        assert!(ByteString::<MAX_MACHINE_NAME>::try_from(&[b'h'; 256][..]).is_err());
        assert!(VarArray::<u32, MAX_GIDS>::new(vec![0; 17]).is_err());
        // 17 gids on the wire are refused.
        let mut wire = vec![0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 17];
        wire.extend_from_slice(&[0; 68]);
        let err = xdr::from_slice::<AuthSysParms>(&wire).unwrap_err();
        assert_eq!(err.path(), Some("gids"));
    }

    #[test]
    fn round_trip() {
        let parms = AuthSysParms {
            stamp: 0x1234,
            machine_name: ByteString::try_from("node1").unwrap(),
            uid: 1000,
            gid: 100,
            gids: VarArray::new(vec![4, 24, 27]).unwrap(),
        };
        let wire = xdr::to_vec(&parms).unwrap();
        assert_eq!(wire.len(), parms.encoded_len());
        assert_eq!(xdr::from_slice::<AuthSysParms>(&wire).unwrap(), parms);
    }
}
