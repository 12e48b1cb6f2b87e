//! key_share (RFC 8446 §4.2.8).

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::NamedGroup;

/// `opaque key_exchange<1..2^16-1>`.
const KEY_EXCHANGE: VecSpec = VecSpec::opaque("key_exchange", 1, 0xffff);

/// `KeyShareEntry client_shares<0..2^16-1>`.
const CLIENT_SHARES: VecSpec = VecSpec::opaque("client_shares", 0, 0xffff);

/// RFC 8446 §4.2.8:
/// `struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyShareEntry {
    pub group: NamedGroup,
    pub key_exchange: Bytes,
}

impl KeyShareEntry {
    pub fn new(group: NamedGroup, key_exchange: impl Into<Vec<u8>>) -> Self {
        Self {
            group,
            key_exchange: Bytes::new(key_exchange),
        }
    }
}

impl Codec for KeyShareEntry {
    fn encode(&self, w: &mut Writer<'_>) {
        self.group.encode(w);
        w.opaque(LengthPrefix::U16, &self.key_exchange);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            group: NamedGroup::read(r)?,
            key_exchange: r.opaque(KEY_EXCHANGE)?,
        })
    }
}

/// Reads `KeyShareClientHello.client_shares`.
///
/// RFC 8446 §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values
/// for the same group ... Servers MAY check for violations of these rules
/// and abort the handshake with an illegal_parameter alert". We check it
/// here, where it costs nothing.
pub fn read_client_shares(r: &mut Reader<'_>) -> Result<Vec<KeyShareEntry>, InvalidMessage> {
    let shares: Vec<KeyShareEntry> = r.codec_list(CLIENT_SHARES)?;
    let mut seen = std::collections::BTreeSet::new();
    for share in &shares {
        if !seen.insert(share.group.to_wire()) {
            return Err(InvalidMessage::IllegalParameter {
                what: "key_share with two entries for one group",
            });
        }
    }
    Ok(shares)
}

/// Writes `KeyShareClientHello.client_shares`.
pub fn encode_client_shares(w: &mut Writer<'_>, shares: &[KeyShareEntry]) {
    w.codec_list(LengthPrefix::U16, shares);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::NamedGroup;

    #[test]
    fn entry_round_trips_and_rejects_empty_key() {
        let e = KeyShareEntry::new(NamedGroup::X25519, [7u8; 32]);
        let bytes = e.to_bytes();
        assert_eq!(&bytes[..4], [0x00, 0x1d, 0x00, 0x20]);
        assert_eq!(KeyShareEntry::from_bytes(&bytes).unwrap(), e);
        // RFC 8446 §4.2.8: key_exchange<1..2^16-1>.
        let err = KeyShareEntry::from_bytes(&[0x00, 0x1d, 0x00, 0x00]).unwrap_err();
        assert!(matches!(err, InvalidMessage::LengthOutOfRange { .. }));
    }

    #[test]
    fn duplicate_groups_are_illegal() {
        let e = KeyShareEntry::new(NamedGroup::X25519, [1u8]);
        let mut buf = Vec::new();
        encode_client_shares(&mut Writer::new(&mut buf), &[e.clone(), e]);
        let err = read_client_shares(&mut Reader::new(&buf)).unwrap_err();
        assert_eq!(
            err.alert(),
            crate::msgs::enums::AlertDescription::IllegalParameter
        );
    }

    #[test]
    fn empty_client_shares_are_allowed() {
        // RFC 8446 §4.2.8: a client may send an empty client_shares to
        // request the server's group choice.
        assert_eq!(read_client_shares(&mut Reader::new(&[0, 0])).unwrap(), []);
    }
}
