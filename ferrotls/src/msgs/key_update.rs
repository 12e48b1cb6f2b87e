//! KeyUpdate (RFC 8446 §4.6.3).

use crate::codec::{Codec, Reader, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::KeyUpdateRequest;

/// `struct { KeyUpdateRequest request_update; } KeyUpdate;`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUpdate {
    /// Always one of the two named values once decoded.
    pub request_update: KeyUpdateRequest,
}

impl Codec for KeyUpdate {
    fn encode(&self, w: &mut Writer<'_>) {
        self.request_update.encode(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let request_update = KeyUpdateRequest::read(r)?;
        // RFC 8446 §4.6.3: "If an implementation receives any other value,
        // it MUST terminate the connection with an "illegal_parameter" alert."
        if !request_update.is_known() {
            return Err(InvalidMessage::IllegalParameter {
                what: "KeyUpdate request_update",
            });
        }
        Ok(Self { request_update })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;

    #[test]
    fn both_values_round_trip() {
        for v in [0u8, 1] {
            let k = KeyUpdate::from_bytes(&[v]).unwrap();
            assert_eq!(k.to_bytes(), [v]);
        }
        assert_eq!(
            KeyUpdate::from_bytes(&[1]).unwrap().request_update,
            KeyUpdateRequest::UpdateRequested
        );
    }

    #[test]
    fn other_values_are_illegal_parameter() {
        for v in 2..=255u8 {
            let err = KeyUpdate::from_bytes(&[v]).unwrap_err();
            assert_eq!(err.alert(), AlertDescription::IllegalParameter);
        }
        assert_eq!(
            KeyUpdate::from_bytes(&[]).unwrap_err().alert(),
            AlertDescription::DecodeError
        );
        assert_eq!(
            KeyUpdate::from_bytes(&[0, 0]).unwrap_err().alert(),
            AlertDescription::DecodeError
        );
    }
}
