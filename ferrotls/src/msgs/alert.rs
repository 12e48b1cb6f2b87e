//! Alert messages (RFC 8446 §6, RFC 5246 §7.2).

use crate::codec::{Codec, Reader, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::{AlertDescription, AlertLevel};

/// ```text
/// struct {
///     AlertLevel level;
///     AlertDescription description;
/// } Alert;
/// ```
///
/// Unknown levels and descriptions are kept: RFC 8446 §6 treats every
/// alert except close_notify and user_canceled as an error whatever its
/// level, and "Unknown Alert types MUST be treated as error alerts"; that
/// decision belongs to the connection, not the decoder.
///
/// An alert record holds exactly one alert (RFC 8446 §5.1: alerts "MUST
/// NOT be fragmented across records, and multiple alert messages MUST NOT
/// be coalesced into a single TLSPlaintext record"), so
/// [`Codec::from_bytes`] on the record payload is the way to decode one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    pub level: AlertLevel,
    pub description: AlertDescription,
}

impl Alert {
    pub const fn fatal(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::Fatal,
            description,
        }
    }

    pub const fn warning(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::Warning,
            description,
        }
    }

    /// close_notify: the orderly end of the sender's writing (RFC 8446 §6.1).
    pub const fn close_notify() -> Self {
        Self::warning(AlertDescription::CloseNotify)
    }
}

impl Codec for Alert {
    fn encode(&self, w: &mut Writer<'_>) {
        self.level.encode(w);
        self.description.encode(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            level: AlertLevel::read(r)?,
            description: AlertDescription::read(r)?,
        })
    }
}

impl core::fmt::Display for Alert {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}", self.level, self.description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_close_notify() {
        let a = Alert::from_bytes(&[1, 0]).unwrap();
        assert_eq!(a, Alert::close_notify());
        assert_eq!(a.to_string(), "warning close_notify");
        assert_eq!(
            Alert::fatal(AlertDescription::DecodeError).to_bytes(),
            [2, 50]
        );
    }

    #[test]
    fn one_alert_per_record() {
        for bad in [&[][..], &[2], &[2, 40, 2], &[1, 0, 1, 0]] {
            let e = Alert::from_bytes(bad).unwrap_err();
            assert_eq!(e.alert(), AlertDescription::DecodeError);
        }
    }

    proptest! {
        #[test]
        fn round_trip(level: u8, description: u8) {
            let a = Alert { level: level.into(), description: description.into() };
            prop_assert_eq!(Alert::from_bytes(&a.to_bytes()).unwrap(), a);
        }
    }
}
