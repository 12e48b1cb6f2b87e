//! proptest strategies for every extension in every form, shared by the
//! tests of the messages that carry extension blocks.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::codec::Bytes;
use crate::msgs::enums::{
    CertificateStatusType, EcPointFormat, ExtensionType, MaxFragmentLength, NamedGroup,
    ProtocolVersion, PskKeyExchangeMode, ServerNameType, SignatureScheme, UserMappingType,
};
use crate::msgs::ext::authorities::{OidFilter, TrustedAuthority};
use crate::msgs::ext::key_share::KeyShareEntry;
use crate::msgs::ext::psk::{OfferedPsks, PskIdentity};
use crate::msgs::ext::server_name::ServerName;
use crate::msgs::ext::status_request::{
    CertificateStatus, CertificateStatusRequest, OcspStatusRequest,
};
use crate::msgs::extensions::{Extension, ExtensionContext, Extensions};

pub fn bytes(min: usize, max: usize) -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), min..=max).prop_map(Bytes)
}

fn group() -> impl Strategy<Value = NamedGroup> {
    any::<u16>().prop_map(NamedGroup::from_wire)
}

fn schemes() -> impl Strategy<Value = Vec<SignatureScheme>> {
    vec(any::<u16>().prop_map(SignatureScheme::from_wire), 1..6)
}

/// Types decoded into typed variants; every other type stays `Unknown`.
const TYPED: &[ExtensionType] = &[
    ExtensionType::ServerName,
    ExtensionType::MaxFragmentLength,
    ExtensionType::StatusRequest,
    ExtensionType::ClientCertificateUrl,
    ExtensionType::TrustedCaKeys,
    ExtensionType::TruncatedHmac,
    ExtensionType::UserMapping,
    ExtensionType::SupportedGroups,
    ExtensionType::EcPointFormats,
    ExtensionType::SignatureAlgorithms,
    ExtensionType::ApplicationLayerProtocolNegotiation,
    ExtensionType::Padding,
    ExtensionType::EncryptThenMac,
    ExtensionType::ExtendedMasterSecret,
    ExtensionType::RecordSizeLimit,
    ExtensionType::SessionTicket,
    ExtensionType::PreSharedKey,
    ExtensionType::EarlyData,
    ExtensionType::SupportedVersions,
    ExtensionType::Cookie,
    ExtensionType::PskKeyExchangeModes,
    ExtensionType::CertificateAuthorities,
    ExtensionType::OidFilters,
    ExtensionType::PostHandshakeAuth,
    ExtensionType::SignatureAlgorithmsCert,
    ExtensionType::KeyShare,
    ExtensionType::RenegotiationInfo,
];

/// An extension kept raw: GREASE (RFC 8701: 0x?A?A) or any untyped value.
pub fn unknown() -> impl Strategy<Value = Extension> {
    let grease = (0u16..16).prop_map(|k| 0x0a0a + 0x1010 * k);
    let typ = prop_oneof![grease, any::<u16>()]
        .prop_map(ExtensionType::from_wire)
        .prop_filter("typed", |t| !TYPED.contains(t));
    (typ, bytes(0, 12)).prop_map(|(typ, body)| Extension::Unknown { typ, body })
}

fn server_names() -> impl Strategy<Value = Vec<ServerName>> {
    vec(
        (
            any::<u8>().prop_map(ServerNameType::from_wire),
            bytes(1, 12),
        )
            .prop_map(|(typ, name)| ServerName { typ, name }),
        1..4,
    )
    .prop_map(|mut v| {
        let mut seen = std::collections::BTreeSet::new();
        v.retain(|n| seen.insert(n.typ.to_wire()));
        v
    })
}

fn status_request() -> impl Strategy<Value = CertificateStatusRequest> {
    prop_oneof![
        (vec(bytes(1, 8), 0..3), bytes(0, 8)).prop_map(|(responder_ids, request_extensions)| {
            CertificateStatusRequest::Ocsp(OcspStatusRequest {
                responder_ids,
                request_extensions,
            })
        }),
        (2u8..=255, bytes(0, 8)).prop_map(|(t, body)| CertificateStatusRequest::Unknown {
            typ: CertificateStatusType::from_wire(t),
            body
        }),
    ]
}

fn certificate_status() -> impl Strategy<Value = CertificateStatus> {
    prop_oneof![
        bytes(1, 16).prop_map(CertificateStatus::Ocsp),
        (2u8..=255, bytes(0, 8)).prop_map(|(t, body)| CertificateStatus::Unknown {
            typ: CertificateStatusType::from_wire(t),
            body
        }),
    ]
}

fn trusted_authority() -> impl Strategy<Value = TrustedAuthority> {
    prop_oneof![
        Just(TrustedAuthority::PreAgreed),
        any::<[u8; 20]>().prop_map(TrustedAuthority::KeySha1Hash),
        bytes(1, 10).prop_map(TrustedAuthority::X509Name),
        any::<[u8; 20]>().prop_map(TrustedAuthority::CertSha1Hash),
    ]
}

pub fn offered_psks() -> impl Strategy<Value = OfferedPsks> {
    vec(
        (bytes(1, 16), any::<u32>(), bytes(32, 48)).prop_map(|(identity, age, binder)| {
            (
                PskIdentity {
                    identity,
                    obfuscated_ticket_age: age,
                },
                binder,
            )
        }),
        1..4,
    )
    .prop_map(|pairs| {
        let (identities, binders) = pairs.into_iter().unzip();
        OfferedPsks {
            identities,
            binders,
        }
    })
}

fn key_shares() -> impl Strategy<Value = Vec<KeyShareEntry>> {
    vec(
        (group(), bytes(1, 40)).prop_map(|(group, key_exchange)| KeyShareEntry {
            group,
            key_exchange,
        }),
        0..4,
    )
    .prop_map(|mut v| {
        let mut seen = std::collections::BTreeSet::new();
        v.retain(|e| seen.insert(e.group.to_wire()));
        v
    })
}

/// Extensions whose form is the same in every message.
fn common() -> BoxedStrategy<Extension> {
    use Extension as E;
    prop_oneof![
        (1u8..=4).prop_map(|v| E::MaxFragmentLength(MaxFragmentLength::from_wire(v))),
        Just(E::ClientCertificateUrl),
        Just(E::TruncatedHmac),
        vec(any::<u8>().prop_map(UserMappingType::from_wire), 1..4).prop_map(E::UserMapping),
        vec(group(), 1..6).prop_map(E::SupportedGroups),
        vec(any::<u8>().prop_map(EcPointFormat::from_wire), 1..4).prop_map(E::EcPointFormats),
        schemes().prop_map(E::SignatureAlgorithms),
        vec(bytes(1, 10), 1..4).prop_map(E::Alpn),
        bytes(0, 20).prop_map(E::Padding),
        Just(E::EncryptThenMac),
        Just(E::ExtendedMasterSecret),
        (64u16..).prop_map(E::RecordSizeLimit),
        bytes(0, 20).prop_map(E::SessionTicket),
        bytes(1, 20).prop_map(E::Cookie),
        vec(any::<u8>().prop_map(PskKeyExchangeMode::from_wire), 1..3)
            .prop_map(E::PskKeyExchangeModes),
        vec(bytes(1, 10), 1..4).prop_map(E::CertificateAuthorities),
        vec(
            (bytes(1, 8), bytes(0, 8)).prop_map(|(oid, values)| OidFilter { oid, values }),
            0..3
        )
        .prop_map(E::OidFilters),
        Just(E::PostHandshakeAuth),
        schemes().prop_map(E::SignatureAlgorithmsCert),
        bytes(0, 20).prop_map(E::RenegotiationInfo),
        unknown(),
    ]
    .boxed()
}

/// Any extension in a form `ctx` decodes to.
pub fn extension(ctx: ExtensionContext) -> BoxedStrategy<Extension> {
    use Extension as E;
    use ExtensionContext as C;
    let specific: BoxedStrategy<Extension> = match ctx {
        C::ClientHello => prop_oneof![
            server_names().prop_map(E::ServerName),
            status_request().prop_map(E::StatusRequest),
            vec(trusted_authority(), 0..3).prop_map(E::TrustedCaKeys),
            offered_psks().prop_map(E::PreSharedKey),
            Just(E::EarlyData),
            vec(any::<u16>().prop_map(ProtocolVersion::from_wire), 1..5)
                .prop_map(E::SupportedVersions),
            key_shares().prop_map(E::KeyShares),
        ]
        .boxed(),
        _ => {
            let status = match ctx {
                C::Certificate => certificate_status().prop_map(E::CertificateStatus).boxed(),
                _ => Just(E::StatusRequestAck).boxed(),
            };
            let early = match ctx {
                C::NewSessionTicket => any::<u32>().prop_map(E::MaxEarlyDataSize).boxed(),
                _ => Just(E::EarlyData).boxed(),
            };
            let share = match ctx {
                C::HelloRetryRequest => group().prop_map(E::KeyShareRetry).boxed(),
                _ => (group(), bytes(1, 40))
                    .prop_map(|(group, key_exchange)| {
                        E::KeyShare(KeyShareEntry {
                            group,
                            key_exchange,
                        })
                    })
                    .boxed(),
            };
            prop_oneof![
                Just(E::ServerNameAck),
                status,
                Just(E::TrustedCaKeysAck),
                any::<u16>().prop_map(E::SelectedPsk),
                early,
                any::<u16>()
                    .prop_map(ProtocolVersion::from_wire)
                    .prop_map(E::SelectedVersion),
                share,
            ]
            .boxed()
        }
    };
    prop_oneof![common(), specific].boxed()
}

/// An extension block for `ctx`: one extension per type, and in a
/// ClientHello pre_shared_key last (RFC 8446 §4.2, §4.2.11).
pub fn extensions(ctx: ExtensionContext) -> BoxedStrategy<Extensions> {
    vec(extension(ctx), 0..8)
        .prop_map(|list| {
            let mut seen = std::collections::BTreeSet::new();
            let mut list: Vec<Extension> = list
                .into_iter()
                .filter(|e| seen.insert(e.typ().to_wire()))
                .collect();
            list.sort_by_key(|e| e.typ() == ExtensionType::PreSharedKey);
            Extensions(list)
        })
        .boxed()
}
