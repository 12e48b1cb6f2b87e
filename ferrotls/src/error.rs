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
    /// A signature scheme outside the set the caller allows (RFC 8446
    /// §4.4.3: the peer must use a scheme it was offered).
    SchemeNotAllowed { scheme: u16 },
    /// A signature scheme that cannot be made or checked with the key at
    /// hand (RFC 8446 §4.4.3: the algorithm "MUST be compatible with the key").
    SchemeKeyMismatch { scheme: u16 },
    /// A TLS 1.2 server offered DHE parameters weaker than the caller's
    /// minimum (RFC 7919 §3 lets the client refuse them; the alert is
    /// `insufficient_security`, RFC 5246 §7.2.2).
    WeakDhGroup { bits: usize, min_bits: usize },
}

impl CryptoError {
    /// The alert this fault is reported with.
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::DecryptFailed => AlertDescription::BadRecordMac,
            Self::InvalidPeerKey { .. } => AlertDescription::IllegalParameter,
            Self::BadSignature | Self::BadVerifyData { .. } => AlertDescription::DecryptError,
            Self::InvalidKey { .. } | Self::Internal { .. } => AlertDescription::InternalError,
            Self::SchemeNotAllowed { .. } | Self::SchemeKeyMismatch { .. } => {
                AlertDescription::IllegalParameter
            }
            Self::WeakDhGroup { .. } => AlertDescription::InsufficientSecurity,
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
            Self::SchemeNotAllowed { scheme } => write!(
                f,
                "signature scheme {} is not allowed",
                crate::msgs::enums::SignatureScheme::from_wire(*scheme)
            ),
            Self::SchemeKeyMismatch { scheme } => write!(
                f,
                "signature scheme {} does not fit the key",
                crate::msgs::enums::SignatureScheme::from_wire(*scheme)
            ),
            Self::WeakDhGroup { bits, min_bits } => write!(
                f,
                "DHE group of {bits} bits is below the minimum of {min_bits}"
            ),
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
    /// A received record could not be opened.
    Record(crate::record::protect::RecordError),
    /// The peer broke a rule of the protocol, or no parameters could be agreed.
    Peer(PeerMisbehaved),
    /// This endpoint cannot go on (configuration, misuse of the API).
    Local(LocalError),
}

impl Error {
    /// The alert sent to the peer for this error, if any.
    pub fn alert(&self) -> Option<AlertDescription> {
        match self {
            Self::InvalidMessage(e) => Some(e.alert()),
            Self::Crypto(e) => Some(e.alert()),
            Self::AlertReceived(_) => None,
            Self::Certificate(e) => Some(e.alert()),
            Self::Record(e) => Some(e.alert()),
            Self::Peer(e) => Some(e.alert()),
            Self::Local(e) => e.alert(),
        }
    }
}

impl From<crate::record::protect::RecordError> for Error {
    fn from(e: crate::record::protect::RecordError) -> Self {
        Self::Record(e)
    }
}

impl From<PeerMisbehaved> for Error {
    fn from(e: PeerMisbehaved) -> Self {
        Self::Peer(e)
    }
}

impl From<LocalError> for Error {
    fn from(e: LocalError) -> Self {
        Self::Local(e)
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
            Self::Record(e) => e.fmt(f),
            Self::Peer(e) => e.fmt(f),
            Self::Local(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

/// A rule of the protocol the peer broke, or a negotiation that found
/// nothing in common. Each knows the alert RFC 8446 §6.2 / RFC 5246 §7.2
/// names for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerMisbehaved {
    /// A handshake message the current state does not accept (RFC 8446
    /// §B.3 state machine; `unexpected_message`).
    UnexpectedMessage {
        state: &'static str,
        got: crate::msgs::enums::HandshakeType,
    },
    /// A record of a type the current state does not accept (e.g.
    /// application data before the handshake ends; `unexpected_message`).
    UnexpectedRecord {
        state: &'static str,
        got: crate::msgs::enums::ContentType,
    },
    /// RFC 8446 §5.1: a handshake message spanning a key change.
    HandshakeSpansKeyChange,
    /// RFC 8446 §5.1: other records between fragments of one handshake message.
    HandshakeInterleaved,
    /// RFC 8446 §5.1/§5.4: a zero-length handshake or alert record.
    EmptyRecord {
        typ: crate::msgs::enums::ContentType,
    },
    /// A ChangeCipherSpec where none may be (RFC 8446 §5; RFC 5246 §7.1).
    UnexpectedChangeCipherSpec,
    /// A handshake message longer than this endpoint accepts (`handshake_failure`
    /// is not right for a size: RFC 8446 §6.2 has no better alert than
    /// `unexpected_message` for an unreasonable message).
    HandshakeMessageTooLarge { len: usize, max: usize },
    /// Too many warning alerts, empty records or KeyUpdates in a row:
    /// a peer keeping us busy without progress (`unexpected_message`).
    TooManyInARow { what: &'static str },
    /// An alert record that is not exactly one alert (RFC 8446 §5.1; `decode_error`).
    MalformedAlert,
    /// No version both sides support (RFC 8446 §4.1.3, RFC 8996: `protocol_version`).
    NoCommonVersion,
    /// No cipher suite both sides support (`handshake_failure`).
    NoCommonCipherSuite,
    /// No key exchange group both sides support (`handshake_failure`).
    NoCommonGroup,
    /// No signature scheme both sides support (`handshake_failure`).
    NoCommonSignatureScheme,
    /// RFC 7301 §3.2: no ALPN protocol in common (`no_application_protocol`).
    NoCommonApplicationProtocol,
    /// A mandatory extension is missing (RFC 8446 §9.2: `missing_extension`).
    MissingExtension { what: &'static str },
    /// An extension the peer may not send here (RFC 8446 §4.2: `unsupported_extension`
    /// for one we did not offer, `illegal_parameter` otherwise).
    UnsolicitedExtension {
        typ: crate::msgs::enums::ExtensionType,
    },
    /// A field whose value is not acceptable (`illegal_parameter`), with what it was.
    IllegalParameter { what: &'static str },
    /// A well-formed message that contradicts an earlier one (`illegal_parameter`).
    Inconsistent { what: &'static str },
    /// RFC 8446 §4.1.3: the server's random carries a downgrade sentinel.
    DowngradeDetected,
    /// RFC 7507: the client fell back while the server supports a higher
    /// version (`inappropriate_fallback`).
    InappropriateFallback,
    /// A Finished or binder that does not verify (`decrypt_error`).
    BadVerifyData { what: &'static str },
    /// A certificate is required but none was sent (RFC 8446 §4.4.2.4:
    /// `certificate_required`; TLS 1.2: `handshake_failure`).
    CertificateRequired { alert: AlertDescription },
    /// A TLS 1.2 security requirement the peer does not meet, e.g. a
    /// required extended master secret (RFC 7627 §5.2) or a non-empty
    /// renegotiation_info on an initial handshake (RFC 5746 §3.4):
    /// `handshake_failure`.
    HandshakeFailure { what: &'static str },
}

impl PeerMisbehaved {
    /// The alert this fault is reported with.
    pub fn alert(&self) -> AlertDescription {
        use AlertDescription as A;
        match self {
            Self::UnexpectedMessage { .. }
            | Self::UnexpectedRecord { .. }
            | Self::HandshakeSpansKeyChange
            | Self::HandshakeInterleaved
            | Self::EmptyRecord { .. }
            | Self::UnexpectedChangeCipherSpec
            | Self::HandshakeMessageTooLarge { .. }
            | Self::TooManyInARow { .. } => A::UnexpectedMessage,
            Self::MalformedAlert => A::DecodeError,
            Self::NoCommonVersion => A::ProtocolVersion,
            Self::NoCommonCipherSuite | Self::NoCommonGroup | Self::NoCommonSignatureScheme => {
                A::HandshakeFailure
            }
            Self::NoCommonApplicationProtocol => A::NoApplicationProtocol,
            Self::MissingExtension { .. } => A::MissingExtension,
            Self::UnsolicitedExtension { .. } => A::UnsupportedExtension,
            Self::IllegalParameter { .. } | Self::Inconsistent { .. } | Self::DowngradeDetected => {
                A::IllegalParameter
            }
            Self::InappropriateFallback => A::InappropriateFallback,
            Self::BadVerifyData { .. } => A::DecryptError,
            Self::CertificateRequired { alert } => *alert,
            Self::HandshakeFailure { .. } => A::HandshakeFailure,
        }
    }
}

impl fmt::Display for PeerMisbehaved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedMessage { state, got } => {
                write!(f, "unexpected {got} message while in {state}")
            }
            Self::UnexpectedRecord { state, got } => {
                write!(f, "unexpected {got} record while in {state}")
            }
            Self::HandshakeSpansKeyChange => f.write_str("handshake message spans a key change"),
            Self::HandshakeInterleaved => {
                f.write_str("other records between fragments of a handshake message")
            }
            Self::EmptyRecord { typ } => write!(f, "empty {typ} record"),
            Self::UnexpectedChangeCipherSpec => f.write_str("unexpected ChangeCipherSpec"),
            Self::HandshakeMessageTooLarge { len, max } => {
                write!(
                    f,
                    "handshake message of {len} bytes exceeds the limit of {max}"
                )
            }
            Self::TooManyInARow { what } => write!(f, "too many {what} in a row"),
            Self::MalformedAlert => f.write_str("alert record is not exactly one alert"),
            Self::NoCommonVersion => f.write_str("no protocol version in common"),
            Self::NoCommonCipherSuite => f.write_str("no cipher suite in common"),
            Self::NoCommonGroup => f.write_str("no key exchange group in common"),
            Self::NoCommonSignatureScheme => f.write_str("no signature scheme in common"),
            Self::NoCommonApplicationProtocol => f.write_str("no application protocol in common"),
            Self::MissingExtension { what } => write!(f, "missing extension {what}"),
            Self::UnsolicitedExtension { typ } => write!(f, "unsolicited extension {typ}"),
            Self::IllegalParameter { what } => write!(f, "illegal {what}"),
            Self::Inconsistent { what } => write!(f, "inconsistent {what}"),
            Self::DowngradeDetected => f.write_str("downgrade sentinel in the server random"),
            Self::InappropriateFallback => f.write_str("inappropriate fallback"),
            Self::BadVerifyData { what } => write!(f, "{what} did not verify"),
            Self::CertificateRequired { .. } => f.write_str("peer sent no certificate"),
            Self::HandshakeFailure { what } => write!(f, "handshake failure: {what}"),
        }
    }
}

/// Why this endpoint cannot go on, through no fault of the peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalError {
    /// The configuration cannot work (e.g. no cipher suite enabled).
    Config { what: String },
    /// No certificate fits what the peer can verify (`handshake_failure`).
    NoCertificate,
    /// The call needs a finished handshake.
    HandshakeNotComplete,
    /// The connection was closed with close_notify; no more data may be sent.
    Closed,
    /// TLS 1.2 has no KeyUpdate (RFC 8446 §4.6.3 is TLS 1.3 only; TLS 1.2
    /// could only renegotiate, which ferrotls refuses): the keys cannot be
    /// changed, including when the AEAD limit of RFC 8446 §5.5 is near.
    NoKeyUpdateInTls12,
    /// Something that cannot happen did (`internal_error`).
    Internal { what: &'static str },
}

impl LocalError {
    /// The alert sent, if the peer is told.
    pub fn alert(&self) -> Option<AlertDescription> {
        match self {
            Self::Config { .. } | Self::Internal { .. } => Some(AlertDescription::InternalError),
            Self::NoCertificate => Some(AlertDescription::HandshakeFailure),
            Self::HandshakeNotComplete | Self::Closed | Self::NoKeyUpdateInTls12 => None,
        }
    }
}

impl fmt::Display for LocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config { what } => write!(f, "configuration: {what}"),
            Self::NoCertificate => f.write_str("no certificate fits the peer's requirements"),
            Self::HandshakeNotComplete => f.write_str("handshake not complete"),
            Self::Closed => f.write_str("connection closed"),
            Self::NoKeyUpdateInTls12 => f.write_str(
                "TLS 1.2 cannot update its traffic keys (no KeyUpdate, renegotiation refused)",
            ),
            Self::Internal { what } => write!(f, "internal error: {what}"),
        }
    }
}
