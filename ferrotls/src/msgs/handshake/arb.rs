//! proptest strategies for every message of this module family.
//!
//! Extension blocks hold GREASE code points (RFC 8701) with random bodies:
//! every reader keeps unknown extensions, so these round-trip however the
//! typed extensions evolve.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::codec::{Bytes, Reader, Writer};
use crate::msgs::certificate::{CertificateEntry, CertificateTls12, CertificateTls13};
use crate::msgs::certificate_request::{CertificateRequestTls12, CertificateRequestTls13};
use crate::msgs::certificate_verify::DigitallySigned;
use crate::msgs::encrypted_extensions::EncryptedExtensions;
use crate::msgs::enums::{HandshakeType, KeyUpdateRequest, NamedGroup};
use crate::msgs::extensions::{ExtensionContext, Extensions};
use crate::msgs::finished::Finished;
use crate::msgs::handshake::{DecodeContext, HandshakePayload};
use crate::msgs::key_exchange::{
    ClientKeyExchange, KeyExchangeKind, ServerDhParams, ServerEcdhParams, ServerKeyExchange,
    ServerKeyExchangeParams,
};
use crate::msgs::key_update::KeyUpdate;
use crate::msgs::message_hash::MessageHash;
use crate::msgs::supplemental_data::{SupplementalData, SupplementalDataEntry, UserMappingData};
use crate::msgs::tickets::{NewSessionTicketTls12, NewSessionTicketTls13};

pub fn bytes(min: usize, max: usize) -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), min..=max).prop_map(Bytes)
}

/// An extension block of distinct GREASE extensions, plus the raw
/// extensions given in `fixed` (type, body).
pub fn extensions_with(
    ctx: ExtensionContext,
    fixed: &'static [(u16, &'static [u8])],
) -> impl Strategy<Value = Extensions> {
    let grease: Vec<u16> = (0..16u16).map(|i| 0x0a0a + i * 0x1010).collect();
    (
        proptest::sample::subsequence(grease, 0..4),
        vec(bytes(0, 8), 4),
    )
        .prop_map(move |(types, bodies)| {
            let mut raw = Vec::new();
            let mut w = Writer::new(&mut raw);
            w.vec(crate::codec::LengthPrefix::U16, |w| {
                for (typ, body) in fixed {
                    w.u16(*typ);
                    w.opaque(crate::codec::LengthPrefix::U16, body);
                }
                for (typ, body) in types.iter().zip(&bodies) {
                    w.u16(*typ);
                    w.opaque(crate::codec::LengthPrefix::U16, body);
                }
            });
            Extensions::read(&mut Reader::new(&raw), ctx).unwrap()
        })
}

pub fn extensions(ctx: ExtensionContext) -> impl Strategy<Value = Extensions> {
    extensions_with(ctx, &[])
}

pub fn certificate13() -> impl Strategy<Value = CertificateTls13> {
    let entry = (bytes(1, 40), extensions(ExtensionContext::Certificate)).prop_map(
        |(cert_data, extensions)| CertificateEntry {
            cert_data,
            extensions,
        },
    );
    (bytes(0, 4), vec(entry, 0..4))
        .prop_map(|(context, entries)| CertificateTls13 { context, entries })
}

pub fn certificate12() -> impl Strategy<Value = CertificateTls12> {
    vec(bytes(1, 40), 0..4).prop_map(|chain| CertificateTls12 { chain })
}

pub fn certificate_request13() -> impl Strategy<Value = CertificateRequestTls13> {
    // signature_algorithms: ecdsa_secp256r1_sha256 (RFC 8446 §4.3.2 requires it).
    const SIG_ALGS: &[(u16, &[u8])] = &[(13, &[0, 2, 4, 3])];
    (
        bytes(0, 4),
        extensions_with(ExtensionContext::CertificateRequest, SIG_ALGS),
    )
        .prop_map(|(context, extensions)| CertificateRequestTls13 {
            context,
            extensions,
        })
}

pub fn certificate_request12() -> impl Strategy<Value = CertificateRequestTls12> {
    (
        vec(any::<u8>().prop_map(Into::into), 1..4),
        vec(any::<u16>().prop_map(Into::into), 1..6),
        vec(bytes(1, 20), 0..3),
    )
        .prop_map(
            |(certificate_types, signature_schemes, certificate_authorities)| {
                CertificateRequestTls12 {
                    certificate_types,
                    signature_schemes,
                    certificate_authorities,
                }
            },
        )
}

pub fn digitally_signed() -> impl Strategy<Value = DigitallySigned> {
    (any::<u16>(), bytes(0, 80)).prop_map(|(s, signature)| DigitallySigned {
        scheme: s.into(),
        signature,
    })
}

pub fn new_session_ticket13() -> impl Strategy<Value = NewSessionTicketTls13> {
    (
        any::<u32>(),
        any::<u32>(),
        bytes(0, 8),
        bytes(1, 60),
        extensions(ExtensionContext::NewSessionTicket),
    )
        .prop_map(
            |(lifetime, age_add, nonce, ticket, extensions)| NewSessionTicketTls13 {
                lifetime,
                age_add,
                nonce,
                ticket,
                extensions,
            },
        )
}

pub fn new_session_ticket12() -> impl Strategy<Value = NewSessionTicketTls12> {
    (any::<u32>(), bytes(0, 60)).prop_map(|(lifetime_hint, ticket)| NewSessionTicketTls12 {
        lifetime_hint,
        ticket,
    })
}

pub fn server_key_exchange() -> impl Strategy<Value = ServerKeyExchange> {
    let ecdhe = (any::<u16>(), bytes(1, 70)).prop_map(|(g, public)| {
        ServerKeyExchangeParams::Ecdhe(ServerEcdhParams {
            group: NamedGroup::from(g),
            public,
        })
    });
    let dhe = (bytes(1, 40), bytes(1, 4), bytes(1, 40))
        .prop_map(|(p, g, ys)| ServerKeyExchangeParams::Dhe(ServerDhParams { p, g, ys }));
    (prop_oneof![ecdhe, dhe], digitally_signed())
        .prop_map(|(params, sig)| ServerKeyExchange::new(params, sig))
}

pub fn client_key_exchange() -> impl Strategy<Value = ClientKeyExchange> {
    prop_oneof![
        bytes(1, 70).prop_map(|public| ClientKeyExchange::Ecdhe { public }),
        bytes(1, 70).prop_map(|public| ClientKeyExchange::Dhe { public }),
        bytes(0, 70).prop_map(|encrypted_pre_master_secret| ClientKeyExchange::Rsa {
            encrypted_pre_master_secret
        }),
    ]
}

pub fn supplemental_data() -> impl Strategy<Value = SupplementalData> {
    let hint = prop_oneof![
        (bytes(0, 10), bytes(0, 10)).prop_map(|(user_principal_name, domain_name)| {
            UserMappingData::UpnDomainHint {
                user_principal_name,
                domain_name,
            }
        }),
        (
            any::<u8>().prop_filter("not upn_domain_hint", |t| *t != 64),
            bytes(0, 10)
        )
            .prop_map(|(t, data)| UserMappingData::Unknown {
                typ: t.into(),
                data
            }),
    ];
    let entry = prop_oneof![
        vec(hint, 1..3).prop_map(SupplementalDataEntry::UserMapping),
        (1..=u16::MAX, bytes(0, 10)).prop_map(|(t, data)| SupplementalDataEntry::Unknown {
            typ: t.into(),
            data
        }),
    ];
    vec(entry, 1..3).prop_map(|entries| SupplementalData { entries })
}

/// Any payload of this module family, with a context that decodes it.
pub fn payload() -> impl Strategy<Value = (HandshakePayload, DecodeContext)> {
    use HandshakePayload as P;
    let t13 = DecodeContext::Tls13 { hash_len: 32 };
    let ecdhe = DecodeContext::Tls12 {
        kx: KeyExchangeKind::Ecdhe,
    };
    prop_oneof![
        Just((P::HelloRequest, ecdhe)),
        Just((P::EndOfEarlyData, t13)),
        Just((P::ServerHelloDone, ecdhe)),
        extensions(ExtensionContext::EncryptedExtensions).prop_map(move |extensions| (
            P::EncryptedExtensions(EncryptedExtensions { extensions }),
            t13
        )),
        certificate13().prop_map(move |m| (P::CertificateTls13(m), t13)),
        certificate12().prop_map(move |m| (P::CertificateTls12(m), ecdhe)),
        certificate_request13().prop_map(move |m| (P::CertificateRequestTls13(m), t13)),
        certificate_request12().prop_map(move |m| (P::CertificateRequestTls12(m), ecdhe)),
        digitally_signed().prop_map(move |m| (P::CertificateVerify(m), t13)),
        new_session_ticket13().prop_map(move |m| (P::NewSessionTicketTls13(m), t13)),
        new_session_ticket12().prop_map(move |m| (P::NewSessionTicketTls12(m), ecdhe)),
        server_key_exchange().prop_map(|m| {
            let kx = match m.params() {
                ServerKeyExchangeParams::Ecdhe(_) => KeyExchangeKind::Ecdhe,
                ServerKeyExchangeParams::Dhe(_) => KeyExchangeKind::Dhe,
            };
            (P::ServerKeyExchange(m), DecodeContext::Tls12 { kx })
        }),
        client_key_exchange().prop_map(|m| {
            let kx = m.kind();
            (P::ClientKeyExchange(m), DecodeContext::Tls12 { kx })
        }),
        prop_oneof![Just(12usize), Just(32), Just(48)].prop_flat_map(|n| {
            bytes(n, n).prop_map(move |verify_data| {
                let ctx = if n == 12 {
                    DecodeContext::Tls12 {
                        kx: KeyExchangeKind::Dhe,
                    }
                } else {
                    DecodeContext::Tls13 { hash_len: n }
                };
                (P::Finished(Finished { verify_data }), ctx)
            })
        }),
        supplemental_data().prop_map(move |m| (P::SupplementalData(m), ecdhe)),
        prop_oneof![
            Just(KeyUpdateRequest::UpdateNotRequested),
            Just(KeyUpdateRequest::UpdateRequested)
        ]
        .prop_map(move |request_update| (P::KeyUpdate(KeyUpdate { request_update }), t13)),
        bytes(32, 32).prop_map(move |hash| (P::MessageHash(MessageHash { hash }), t13)),
        (
            prop_oneof![Just(3u8), Just(6), Just(21), Just(22), Just(25), 26..=253u8],
            bytes(0, 30)
        )
            .prop_map(move |(t, body)| (
                P::Unknown {
                    typ: HandshakeType::from(t),
                    body
                },
                t13
            )),
    ]
}
