//! ChangeCipherSpec (RFC 5246 §7.1; RFC 8446 §5 and §D.4 for the
//! middlebox-compatibility record TLS 1.3 tolerates).

use crate::codec::{Codec, Reader, Writer};
use crate::error::InvalidMessage;

/// The single message of the change_cipher_spec content type:
/// `struct { enum { change_cipher_spec(1), (255) } type; } ChangeCipherSpec;`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeCipherSpec;

impl ChangeCipherSpec {
    /// The whole record payload.
    pub const PAYLOAD: [u8; 1] = [0x01];
}

impl Codec for ChangeCipherSpec {
    fn encode(&self, w: &mut Writer<'_>) {
        w.bytes(&Self::PAYLOAD);
    }

    /// Takes the whole payload: it must be exactly the byte 0x01.
    ///
    /// RFC 8446 §5: "An implementation which receives any other
    /// change_cipher_spec value ... MUST abort the handshake with an
    /// "unexpected_message" alert." Any other payload, of any length, is
    /// such a value (an empty or longer payload is not the one-byte
    /// structure either); TLS 1.2 peers are held to the same rule.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        if r.take_rest() != Self::PAYLOAD {
            return Err(InvalidMessage::UnexpectedMessage {
                what: "change_cipher_spec value (only 0x01 is allowed)",
            });
        }
        Ok(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;

    #[test]
    fn only_0x01_is_accepted() {
        assert_eq!(ChangeCipherSpec::from_bytes(&[1]), Ok(ChangeCipherSpec));
        assert_eq!(ChangeCipherSpec.to_bytes(), [1]);
        for bad in [&[][..], &[0], &[2], &[0xff], &[1, 1], &[1, 0]] {
            let e = ChangeCipherSpec::from_bytes(bad).unwrap_err();
            assert_eq!(e.alert(), AlertDescription::UnexpectedMessage, "{bad:?}");
        }
    }
}
