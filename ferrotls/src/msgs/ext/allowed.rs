//! Which TLS 1.3 message may carry which extension: the table of
//! RFC 8446 §4.2, as data.
//!
//! RFC 8446 §4.2: "If an implementation receives an extension which it
//! recognizes and which is not specified for the message in which it
//! appears, it MUST abort the handshake with an "illegal_parameter" alert."
//!
//! Decoding stays permissive (a TLS 1.2 ServerHello decodes with the same
//! types); the TLS 1.3 state machines call
//! [`crate::msgs::extensions::Extensions::check_allowed`] on each block.
//! Types absent from the table (unknown, GREASE) pass here: whether a
//! response was solicited is the state machine's question
//! (RFC 8446 §4.2, unsupported_extension).

use crate::msgs::enums::ExtensionType;
use crate::msgs::extensions::ExtensionContext;

/// A set of message contexts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contexts(u8);

impl Contexts {
    /// The set of the given contexts.
    pub const fn of(list: &[ExtensionContext]) -> Self {
        let mut bits = 0u8;
        let mut rest = list;
        while let [first, tail @ ..] = rest {
            bits |= first.bit();
            rest = tail;
        }
        Self(bits)
    }

    pub const fn contains(self, ctx: ExtensionContext) -> bool {
        self.0 & ctx.bit() != 0
    }
}

use ExtensionContext::{
    Certificate as CT, CertificateRequest as CR, ClientHello as CH, EncryptedExtensions as EE,
    HelloRetryRequest as HRR, NewSessionTicket as NST, ServerHello as SH,
};

/// RFC 8446 §4.2 (TLS 1.3 column), plus the extensions of other RFCs that
/// a TLS 1.3 peer may meet:
/// - record_size_limit: CH, EE (RFC 8449 §5);
/// - compress_certificate: CH, CR (RFC 8879 §3);
/// - extensions that exist only in TLS 1.2 (RFC 6066 §5, §6, §7, RFC 4681,
///   RFC 8422, RFC 7627, RFC 5746, RFC 5077, RFC 7366): CH only, since a
///   ClientHello offering both versions carries them, but a TLS 1.3 server
///   never answers them.
pub const TLS13_TABLE: &[(ExtensionType, Contexts)] = &[
    (ExtensionType::ServerName, Contexts::of(&[CH, EE])),
    (ExtensionType::MaxFragmentLength, Contexts::of(&[CH, EE])),
    (ExtensionType::StatusRequest, Contexts::of(&[CH, CR, CT])),
    (ExtensionType::SupportedGroups, Contexts::of(&[CH, EE])),
    (ExtensionType::SignatureAlgorithms, Contexts::of(&[CH, CR])),
    (ExtensionType::UseSrtp, Contexts::of(&[CH, EE])),
    (ExtensionType::Heartbeat, Contexts::of(&[CH, EE])),
    (
        ExtensionType::ApplicationLayerProtocolNegotiation,
        Contexts::of(&[CH, EE]),
    ),
    (
        ExtensionType::SignedCertificateTimestamp,
        Contexts::of(&[CH, CR, CT]),
    ),
    (
        ExtensionType::ClientCertificateType,
        Contexts::of(&[CH, EE]),
    ),
    (
        ExtensionType::ServerCertificateType,
        Contexts::of(&[CH, EE]),
    ),
    (ExtensionType::Padding, Contexts::of(&[CH])),
    (ExtensionType::KeyShare, Contexts::of(&[CH, SH, HRR])),
    (ExtensionType::PreSharedKey, Contexts::of(&[CH, SH])),
    (ExtensionType::PskKeyExchangeModes, Contexts::of(&[CH])),
    (ExtensionType::EarlyData, Contexts::of(&[CH, EE, NST])),
    (ExtensionType::Cookie, Contexts::of(&[CH, HRR])),
    (
        ExtensionType::SupportedVersions,
        Contexts::of(&[CH, SH, HRR]),
    ),
    (
        ExtensionType::CertificateAuthorities,
        Contexts::of(&[CH, CR]),
    ),
    (ExtensionType::OidFilters, Contexts::of(&[CR])),
    (ExtensionType::PostHandshakeAuth, Contexts::of(&[CH])),
    (
        ExtensionType::SignatureAlgorithmsCert,
        Contexts::of(&[CH, CR]),
    ),
    (ExtensionType::RecordSizeLimit, Contexts::of(&[CH, EE])),
    (ExtensionType::CompressCertificate, Contexts::of(&[CH, CR])),
    (ExtensionType::ClientCertificateUrl, Contexts::of(&[CH])),
    (ExtensionType::TrustedCaKeys, Contexts::of(&[CH])),
    (ExtensionType::TruncatedHmac, Contexts::of(&[CH])),
    (ExtensionType::UserMapping, Contexts::of(&[CH])),
    (ExtensionType::EcPointFormats, Contexts::of(&[CH])),
    (ExtensionType::EncryptThenMac, Contexts::of(&[CH])),
    (ExtensionType::ExtendedMasterSecret, Contexts::of(&[CH])),
    (ExtensionType::SessionTicket, Contexts::of(&[CH])),
    (ExtensionType::RenegotiationInfo, Contexts::of(&[CH])),
];

/// The messages that may carry `typ` in TLS 1.3, or `None` for a type the
/// table does not name.
pub fn contexts_for(typ: ExtensionType) -> Option<Contexts> {
    TLS13_TABLE
        .iter()
        .find(|(t, _)| *t == typ)
        .map(|(_, set)| *set)
}

/// Whether a TLS 1.3 message of kind `ctx` may carry `typ`. Types the table
/// does not name are allowed here (see the module comment).
pub fn is_allowed(typ: ExtensionType, ctx: ExtensionContext) -> bool {
    contexts_for(typ).is_none_or(|set| set.contains(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_no_duplicates_and_every_entry_allows_something() {
        for (i, (t, set)) in TLS13_TABLE.iter().enumerate() {
            assert_ne!(set.0, 0, "{t}");
            assert!(
                TLS13_TABLE[i + 1..].iter().all(|(u, _)| u != t),
                "{t} twice"
            );
        }
    }

    #[test]
    fn examples_from_rfc8446_section_4_2() {
        assert!(is_allowed(ExtensionType::KeyShare, HRR));
        assert!(!is_allowed(ExtensionType::KeyShare, EE));
        assert!(is_allowed(ExtensionType::Cookie, HRR));
        assert!(!is_allowed(ExtensionType::Cookie, SH));
        assert!(is_allowed(ExtensionType::EarlyData, NST));
        assert!(!is_allowed(ExtensionType::EarlyData, SH));
        assert!(is_allowed(ExtensionType::OidFilters, CR));
        assert!(!is_allowed(ExtensionType::OidFilters, CH));
        assert!(!is_allowed(ExtensionType::ServerName, SH));
        assert!(!is_allowed(ExtensionType::ExtendedMasterSecret, SH));
        assert!(is_allowed(ExtensionType::StatusRequest, CT));
        // GREASE and unknown types are not the table's business.
        assert!(is_allowed(ExtensionType::Unknown(0x0a0a), SH));
    }
}
