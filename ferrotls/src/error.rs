//! Errors, each knowing the alert it is reported with.
//!
//! Exactly one place maps a cause to the alert it sends: the `alert()`
//! methods here.

use core::fmt;

use crate::msgs::enums::AlertDescription;

/// Why received bytes could not be decoded as the message they claim to be.
///
/// RFC 8446 §6.2: `decode_error` for "a message could not be decoded because
/// some field was out of the specified range or the length of the message
/// was incorrect"; `illegal_parameter` for "a field in the handshake was
/// incorrect or inconsistent with other fields".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvalidMessage {
    /// The data ended before `what` was complete.
    Truncated { what: &'static str },
    /// `extra` bytes were left after `what`.
    TrailingBytes { what: &'static str, extra: usize },
    /// A vector length outside its `<floor..ceiling>` (RFC 8446 §3.4).
    LengthOutOfRange {
        what: &'static str,
        len: usize,
        floor: usize,
        ceiling: usize,
    },
    /// A vector length that is not a multiple of its element size (RFC 8446 §3.4).
    LengthNotMultiple {
        what: &'static str,
        len: usize,
        elem: usize,
    },
    /// A field whose value the protocol does not allow where it stands
    /// (reported as `decode_error`: the encoding itself is wrong).
    InvalidValue { what: &'static str, value: u32 },
    /// A well-formed field with a value that is not acceptable
    /// (reported as `illegal_parameter`).
    IllegalParameter { what: &'static str },
    /// The same extension twice in one block (RFC 8446 §4.2: "There MUST
    /// NOT be more than one extension of the same type in a given
    /// extension block").
    DuplicateExtension { typ: u16 },
    /// An extension in a message that may not carry it (RFC 8446 §4.2:
    /// "the recipient MUST abort the handshake with an illegal_parameter alert").
    ExtensionNotAllowed { typ: u16, message: &'static str },
}

impl InvalidMessage {
    /// The alert this fault is reported with.
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::Truncated { .. }
            | Self::TrailingBytes { .. }
            | Self::LengthOutOfRange { .. }
            | Self::LengthNotMultiple { .. }
            | Self::InvalidValue { .. } => AlertDescription::DecodeError,
            Self::IllegalParameter { .. }
            | Self::DuplicateExtension { .. }
            | Self::ExtensionNotAllowed { .. } => AlertDescription::IllegalParameter,
        }
    }
}

impl fmt::Display for InvalidMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { what } => write!(f, "{what} is truncated"),
            Self::TrailingBytes { what, extra } => {
                write!(f, "{extra} unexpected byte(s) after {what}")
            }
            Self::LengthOutOfRange {
                what,
                len,
                floor,
                ceiling,
            } => write!(f, "{what} has length {len}, outside <{floor}..{ceiling}>"),
            Self::LengthNotMultiple { what, len, elem } => {
                write!(f, "{what} has length {len}, not a multiple of {elem}")
            }
            Self::InvalidValue { what, value } => write!(f, "{what} has invalid value {value:#x}"),
            Self::IllegalParameter { what } => write!(f, "illegal {what}"),
            Self::DuplicateExtension { typ } => write!(
                f,
                "extension {} appears twice",
                crate::msgs::enums::ExtensionType::from_wire(*typ)
            ),
            Self::ExtensionNotAllowed { typ, message } => write!(
                f,
                "extension {} is not allowed in {message}",
                crate::msgs::enums::ExtensionType::from_wire(*typ)
            ),
        }
    }
}

impl std::error::Error for InvalidMessage {}

/// Errors from the cryptographic provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CryptoError {
    /// Authenticated decryption failed (RFC 8446 §5.2: `bad_record_mac`).
    DecryptFailed,
    /// A peer's key share or public value was malformed or invalid
    /// (RFC 8446 §4.2.8.1-2, RFC 8422 §5.11, RFC 7919 §5.1).
    InvalidPeerKey { group: &'static str },
    /// A signature did not verify.
    BadSignature,
    /// A key or parameter could not be used (wrong length, unsupported algorithm).
    InvalidKey { what: &'static str },
    /// The underlying library failed unexpectedly.
    Internal { what: &'static str },
    /// A Finished message or PSK binder did not match the value computed
    /// locally (RFC 8446 §6.2 `decrypt_error`: "unable to ... validate a
    /// Finished message or a PSK binder"; RFC 5246 §7.4.9).
    BadVerifyData { what: &'static str },
}

impl CryptoError {
    /// The alert this fault is reported with.
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::DecryptFailed => AlertDescription::BadRecordMac,
            Self::InvalidPeerKey { .. } => AlertDescription::IllegalParameter,
            Self::BadSignature | Self::BadVerifyData { .. } => AlertDescription::DecryptError,
            Self::InvalidKey { .. } | Self::Internal { .. } => AlertDescription::InternalError,
        }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DecryptFailed => f.write_str("record authentication failed"),
            Self::InvalidPeerKey { group } => write!(f, "invalid peer key share for {group}"),
            Self::BadSignature => f.write_str("signature did not verify"),
            Self::InvalidKey { what } => write!(f, "unusable key: {what}"),
            Self::Internal { what } => write!(f, "crypto failure: {what}"),
            Self::BadVerifyData { what } => write!(f, "{what} did not verify"),
        }
    }
}

impl std::error::Error for CryptoError {}

/// Any ferrotls error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Received bytes did not decode.
    InvalidMessage(InvalidMessage),
    /// A cryptographic operation failed.
    Crypto(CryptoError),
    /// The peer sent a fatal alert.
    AlertReceived(AlertDescription),
}

impl Error {
    /// The alert sent to the peer for this error, if any.
    pub fn alert(&self) -> Option<AlertDescription> {
        match self {
            Self::InvalidMessage(e) => Some(e.alert()),
            Self::Crypto(e) => Some(e.alert()),
            Self::AlertReceived(_) => None,
        }
    }
}

impl From<InvalidMessage> for Error {
    fn from(e: InvalidMessage) -> Self {
        Self::InvalidMessage(e)
    }
}

impl From<CryptoError> for Error {
    fn from(e: CryptoError) -> Self {
        Self::Crypto(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMessage(e) => write!(f, "invalid message: {e}"),
            Self::Crypto(e) => e.fmt(f),
            Self::AlertReceived(a) => write!(f, "received fatal alert: {a}"),
        }
    }
}

impl std::error::Error for Error {}
