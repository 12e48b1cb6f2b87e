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
    /// A message that cannot stand where it was received: its type is not
    /// one the negotiated version knows how to read, or a ChangeCipherSpec
    /// other than the single byte 0x01 (RFC 8446 §5: "MUST abort the
    /// handshake with an \"unexpected_message\" alert").
    UnexpectedMessage { what: &'static str },
    /// A record longer than the protocol allows (RFC 8446 §5.1, §5.2:
    /// "MUST terminate the connection with a \"record_overflow\" alert").
    RecordOverflow { len: usize, max: usize },
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
            Self::UnexpectedMessage { .. } => AlertDescription::UnexpectedMessage,
            Self::RecordOverflow { .. } => AlertDescription::RecordOverflow,
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
            Self::UnexpectedMessage { what } => write!(f, "unexpected {what}"),
            Self::RecordOverflow { len, max } => {
                write!(f, "record of {len} bytes exceeds the limit of {max}")
            }
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

/// Why a peer's certificate chain, or its proof of possession, was refused,
/// or why no certificate of ours could be offered.
///
/// Alerts follow RFC 8446 §6.2 (and RFC 5246 §7.2.2, which names the same
/// ones). An unsupported signature algorithm in the chain is reported as
/// `unsupported_certificate`, the alert RFC 8446 §4.4.2.2 names by default
/// when no acceptable chain can be built from the certificates received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateError {
    /// The chain does not lead to a trusted root (`unknown_ca`).
    UnknownIssuer,
    /// A certificate's notAfter is before the verification time (`certificate_expired`).
    Expired,
    /// A certificate's notBefore is after the verification time (`certificate_expired`).
    NotValidYet,
    /// The end-entity certificate does not name the expected server (`bad_certificate`).
    NotValidForName,
    /// A certificate in the chain has been revoked (`certificate_revoked`).
    Revoked,
    /// The chain is signed with an algorithm not supported, or a key type
    /// not usable with it (`unsupported_certificate`).
    UnsupportedSignatureAlgorithm,
    /// The certificate is not allowed for this purpose: extended key usage
    /// (serverAuth / clientAuth) missing (`bad_certificate`).
    InvalidPurpose,
    /// Any other defect of the chain: bad encoding, bad signature,
    /// constraint violations (`bad_certificate`).
    BadCertificate { detail: String },
    /// A client sent no certificate where one is required (RFC 8446 §4.4.2.4:
    /// `certificate_required`).
    CertificateRequired,
    /// The peer signed with a scheme we did not offer, or one forbidden in
    /// the negotiated version (RFC 8446 §4.4.3; `illegal_parameter`).
    SignatureSchemeNotOffered { scheme: u16 },
    /// The signature scheme does not fit the key in the end-entity
    /// certificate (RFC 8446 §4.4.3: "MUST be compatible with the key";
    /// `illegal_parameter`).
    SchemeKeyMismatch { scheme: u16 },
    /// We hold no certificate and key that fits what the peer offered
    /// (RFC 8446 §4.1.1: `handshake_failure`).
    NoSuitableCertificate,
}

impl CertificateError {
    /// The alert this fault is reported with.
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::UnknownIssuer => AlertDescription::UnknownCa,
            Self::Expired | Self::NotValidYet => AlertDescription::CertificateExpired,
            Self::Revoked => AlertDescription::CertificateRevoked,
            Self::UnsupportedSignatureAlgorithm => AlertDescription::UnsupportedCertificate,
            Self::NotValidForName | Self::InvalidPurpose | Self::BadCertificate { .. } => {
                AlertDescription::BadCertificate
            }
            Self::CertificateRequired => AlertDescription::CertificateRequired,
            Self::SignatureSchemeNotOffered { .. } | Self::SchemeKeyMismatch { .. } => {
                AlertDescription::IllegalParameter
            }
            Self::NoSuitableCertificate => AlertDescription::HandshakeFailure,
        }
    }
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::msgs::enums::SignatureScheme;
        match self {
            Self::UnknownIssuer => f.write_str("certificate issuer is not trusted"),
            Self::Expired => f.write_str("certificate has expired"),
            Self::NotValidYet => f.write_str("certificate is not valid yet"),
            Self::NotValidForName => f.write_str("certificate is not valid for the server name"),
            Self::Revoked => f.write_str("certificate has been revoked"),
            Self::UnsupportedSignatureAlgorithm => {
                f.write_str("certificate uses an unsupported signature algorithm")
            }
            Self::InvalidPurpose => f.write_str("certificate is not allowed for this purpose"),
            Self::BadCertificate { detail } => write!(f, "bad certificate: {detail}"),
            Self::CertificateRequired => f.write_str("a client certificate is required"),
            Self::SignatureSchemeNotOffered { scheme } => write!(
                f,
                "peer signed with {}, which was not offered",
                SignatureScheme::from_wire(*scheme)
            ),
            Self::SchemeKeyMismatch { scheme } => write!(
                f,
                "signature scheme {} does not fit the certificate's key",
                SignatureScheme::from_wire(*scheme)
            ),
            Self::NoSuitableCertificate => {
                f.write_str("no certificate fits the peer's signature algorithms")
            }
        }
    }
}

impl std::error::Error for CertificateError {}

/// Any ferrotls error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Received bytes did not decode.
    InvalidMessage(InvalidMessage),
    /// A cryptographic operation failed.
    Crypto(CryptoError),
    /// The peer sent a fatal alert.
    AlertReceived(AlertDescription),
    /// A certificate or its proof of possession was refused.
    Certificate(CertificateError),
}

impl Error {
    /// The alert sent to the peer for this error, if any.
    pub fn alert(&self) -> Option<AlertDescription> {
        match self {
            Self::InvalidMessage(e) => Some(e.alert()),
            Self::Crypto(e) => Some(e.alert()),
            Self::AlertReceived(_) => None,
            Self::Certificate(e) => Some(e.alert()),
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

impl From<CertificateError> for Error {
    fn from(e: CertificateError) -> Self {
        Self::Certificate(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMessage(e) => write!(f, "invalid message: {e}"),
            Self::Crypto(e) => e.fmt(f),
            Self::AlertReceived(a) => write!(f, "received fatal alert: {a}"),
            Self::Certificate(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}
