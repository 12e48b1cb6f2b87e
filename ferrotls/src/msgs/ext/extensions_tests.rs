use proptest::prelude::*;

use super::strategies;
use crate::codec::{Bytes, Reader, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::{AlertDescription, ExtensionType, NamedGroup, ProtocolVersion};
use crate::msgs::extensions::{Extension, ExtensionContext, Extensions};

const ALL_CONTEXTS: [ExtensionContext; 7] = [
    ExtensionContext::ClientHello,
    ExtensionContext::ServerHello,
    ExtensionContext::HelloRetryRequest,
    ExtensionContext::EncryptedExtensions,
    ExtensionContext::CertificateRequest,
    ExtensionContext::Certificate,
    ExtensionContext::NewSessionTicket,
];

fn encode(exts: &Extensions) -> Vec<u8> {
    let mut out = Vec::new();
    exts.encode(&mut Writer::new(&mut out));
    out
}

fn decode(bytes: &[u8], ctx: ExtensionContext) -> Result<Extensions, InvalidMessage> {
    let mut r = Reader::new(bytes);
    let exts = Extensions::read(&mut r, ctx)?;
    r.finish("test")?;
    Ok(exts)
}

/// Decodes one extension `typ` with body `body` in `ctx`.
fn one(typ: u16, body: &[u8], ctx: ExtensionContext) -> Result<Extension, InvalidMessage> {
    let mut block = typ.to_be_bytes().to_vec();
    block.extend_from_slice(&(body.len() as u16).to_be_bytes());
    block.extend_from_slice(body);
    let mut bytes = (block.len() as u16).to_be_bytes().to_vec();
    bytes.extend_from_slice(&block);
    decode(&bytes, ctx).map(|e| e.0.into_iter().next().unwrap())
}

fn t(typ: ExtensionType) -> u16 {
    typ.to_wire()
}

proptest! {
    #[test]
    fn every_extension_round_trips_in_every_context(
        (ctx, exts) in (0usize..7).prop_flat_map(|i| {
            let ctx = ALL_CONTEXTS[i];
            (Just(ctx), strategies::extensions(ctx))
        })
    ) {
        let bytes = encode(&exts);
        let back = decode(&bytes, ctx).unwrap();
        prop_assert_eq!(&back, &exts);
        prop_assert_eq!(encode(&back), bytes);
    }

    #[test]
    fn no_strict_prefix_decodes(exts in strategies::extensions(ExtensionContext::ClientHello)) {
        let bytes = encode(&exts);
        for n in 0..bytes.len() {
            prop_assert!(decode(&bytes[..n], ExtensionContext::ClientHello).is_err());
        }
    }
}

#[test]
fn grease_and_unknown_round_trip_byte_for_byte() {
    // GREASE extension 0x1a1a with a body, GREASE values inside
    // supported_groups and supported_versions (RFC 8701 §2-§3).
    let bytes = [
        0x00, 0x16, // block length
        0x1a, 0x1a, 0x00, 0x01, 0x00, // GREASE extension, one zero byte
        0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x2a, 0x2a, 0x00, 0x1d, // groups
        0x00, 0x2b, 0x00, 0x03, 0x02, 0x8a, 0x8a, // versions
    ];
    let exts = decode(&bytes, ExtensionContext::ClientHello).unwrap();
    assert_eq!(
        exts.0[0],
        Extension::Unknown {
            typ: ExtensionType::Unknown(0x1a1a),
            body: Bytes::new(vec![0])
        }
    );
    assert_eq!(
        exts.supported_groups().unwrap(),
        [NamedGroup::Unknown(0x2a2a), NamedGroup::X25519]
    );
    assert_eq!(
        exts.supported_versions().unwrap(),
        [ProtocolVersion::Unknown(0x8a8a)]
    );
    assert_eq!(encode(&exts), bytes);
}

#[test]
fn duplicates_are_rejected() {
    let ems = [0x00, 0x17, 0x00, 0x00];
    let mut bytes = vec![0, 8];
    bytes.extend_from_slice(&ems);
    bytes.extend_from_slice(&ems);
    let err = decode(&bytes, ExtensionContext::ServerHello).unwrap_err();
    assert_eq!(err, InvalidMessage::DuplicateExtension { typ: 0x17 });
    assert_eq!(err.alert(), AlertDescription::IllegalParameter);
    // Two unknown extensions of one type too.
    let bytes = [0, 8, 0x0a, 0x0a, 0, 0, 0x0a, 0x0a, 0, 0];
    assert!(matches!(
        decode(&bytes, ExtensionContext::ClientHello),
        Err(InvalidMessage::DuplicateExtension { typ: 0x0a0a })
    ));
}

#[test]
fn pre_shared_key_must_be_last_in_client_hello() {
    let psk = Extension::PreSharedKey(crate::msgs::ext::psk::OfferedPsks {
        identities: vec![crate::msgs::ext::psk::PskIdentity {
            identity: Bytes::new(vec![1]),
            obfuscated_ticket_age: 0,
        }],
        binders: vec![Bytes::new(vec![0; 32])],
    });
    let bytes = encode(&Extensions(vec![
        psk.clone(),
        Extension::ExtendedMasterSecret,
    ]));
    let err = decode(&bytes, ExtensionContext::ClientHello).unwrap_err();
    assert_eq!(err.alert(), AlertDescription::IllegalParameter);
    let bytes = encode(&Extensions(vec![Extension::ExtendedMasterSecret, psk]));
    decode(&bytes, ExtensionContext::ClientHello).unwrap();
    // Anywhere in a ServerHello (RFC 8446 §4.2).
    let bytes = encode(&Extensions(vec![
        Extension::SelectedPsk(0),
        Extension::ExtendedMasterSecret,
    ]));
    decode(&bytes, ExtensionContext::ServerHello).unwrap();
}

#[test]
fn extensions_that_must_be_empty() {
    use ExtensionType as T;
    for typ in [
        T::ExtendedMasterSecret,
        T::EncryptThenMac,
        T::PostHandshakeAuth,
        T::TruncatedHmac,
        T::ClientCertificateUrl,
    ] {
        for ctx in ALL_CONTEXTS {
            one(t(typ), &[], ctx).unwrap();
            let err = one(t(typ), &[0], ctx).unwrap_err();
            assert!(matches!(err, InvalidMessage::TrailingBytes { .. }), "{typ}");
            assert_eq!(err.alert(), AlertDescription::DecodeError);
        }
    }
    // Server answers that must be empty.
    for (typ, ctx) in [
        (T::ServerName, ExtensionContext::EncryptedExtensions),
        (T::ServerName, ExtensionContext::ServerHello),
        (T::StatusRequest, ExtensionContext::ServerHello),
        (T::StatusRequest, ExtensionContext::CertificateRequest),
        (T::EarlyData, ExtensionContext::EncryptedExtensions),
        (T::EarlyData, ExtensionContext::ClientHello),
        (T::TrustedCaKeys, ExtensionContext::ServerHello),
    ] {
        one(t(typ), &[], ctx).unwrap();
        let err = one(t(typ), &[0, 0], ctx).unwrap_err();
        assert_eq!(err.alert(), AlertDescription::DecodeError, "{typ} {ctx:?}");
    }
}

#[test]
fn bounds_of_lists() {
    use ExtensionContext::ClientHello as CH;
    use ExtensionType as T;
    let out_of_range = |typ: ExtensionType, body: &[u8]| {
        let err = one(t(typ), body, CH).unwrap_err();
        assert_eq!(err.alert(), AlertDescription::DecodeError, "{typ} {body:?}");
        err
    };
    // Empty where the floor forbids it.
    out_of_range(T::SupportedVersions, &[0]);
    out_of_range(T::SupportedGroups, &[0, 0]);
    out_of_range(T::SignatureAlgorithms, &[0, 0]);
    out_of_range(T::SignatureAlgorithmsCert, &[0, 0]);
    out_of_range(T::PskKeyExchangeModes, &[0]);
    out_of_range(T::EcPointFormats, &[0]);
    out_of_range(T::UserMapping, &[0]);
    out_of_range(T::Cookie, &[0, 0]);
    out_of_range(T::ApplicationLayerProtocolNegotiation, &[0, 0]);
    out_of_range(T::CertificateAuthorities, &[0, 0]);
    out_of_range(T::ServerName, &[0, 0]);
    // Odd lengths for lists of uint16.
    for typ in [
        T::SupportedVersions,
        T::SupportedGroups,
        T::SignatureAlgorithms,
    ] {
        let body: &[u8] = if typ == T::SupportedVersions {
            &[3, 3, 4, 3]
        } else {
            &[0, 3, 4, 3, 1]
        };
        assert!(matches!(
            out_of_range(typ, body),
            InvalidMessage::LengthNotMultiple { .. }
        ));
    }
    // A list longer than its extension body.
    assert!(matches!(
        out_of_range(T::SupportedGroups, &[0, 4, 0, 0x1d]),
        InvalidMessage::Truncated { .. }
    ));
    // A list shorter than its extension body.
    assert!(matches!(
        out_of_range(T::SupportedGroups, &[0, 2, 0, 0x1d, 0]),
        InvalidMessage::TrailingBytes { .. }
    ));
    // supported_versions<2..254>: 256 bytes do not fit the u8 prefix, 254 do.
    let mut body = vec![254];
    body.extend(std::iter::repeat_n(3, 254));
    one(t(T::SupportedVersions), &body, CH).unwrap();
    // renegotiation_info<0..255>: empty is fine.
    assert_eq!(
        one(t(T::RenegotiationInfo), &[0], CH).unwrap(),
        Extension::RenegotiationInfo(Bytes::default())
    );
}

#[test]
fn single_value_forms() {
    use ExtensionContext as C;
    use ExtensionType as T;
    assert_eq!(
        one(t(T::SupportedVersions), &[3, 4], C::ServerHello).unwrap(),
        Extension::SelectedVersion(ProtocolVersion::TLSv1_3)
    );
    assert_eq!(
        one(t(T::KeyShare), &[0, 0x17], C::HelloRetryRequest).unwrap(),
        Extension::KeyShareRetry(NamedGroup::Secp256r1)
    );
    assert!(one(t(T::KeyShare), &[0, 0x1d, 0, 0], C::ServerHello).is_err());
    assert_eq!(
        one(t(T::EarlyData), &[0, 0, 4, 0], C::NewSessionTicket).unwrap(),
        Extension::MaxEarlyDataSize(1024)
    );
    assert!(one(t(T::EarlyData), &[], C::NewSessionTicket).is_err());
    assert_eq!(
        one(t(T::PreSharedKey), &[0, 1], C::ServerHello).unwrap(),
        Extension::SelectedPsk(1)
    );
    assert!(one(t(T::PreSharedKey), &[0, 1, 2], C::ServerHello).is_err());
}

#[test]
fn record_size_limit_and_max_fragment_length_values() {
    use ExtensionType as T;
    let ctx = ExtensionContext::EncryptedExtensions;
    let err = one(t(T::RecordSizeLimit), &[0, 63], ctx).unwrap_err();
    assert_eq!(err.alert(), AlertDescription::IllegalParameter);
    assert_eq!(
        one(t(T::RecordSizeLimit), &[0, 64], ctx).unwrap(),
        Extension::RecordSizeLimit(64)
    );
    assert!(one(t(T::RecordSizeLimit), &[0, 64, 0], ctx).is_err());
    let err = one(t(T::MaxFragmentLength), &[5], ctx).unwrap_err();
    assert_eq!(err.alert(), AlertDescription::IllegalParameter);
    one(t(T::MaxFragmentLength), &[4], ctx).unwrap();
}

#[test]
fn padding_is_tolerated_and_reported() {
    let p = one(
        t(ExtensionType::Padding),
        &[0, 0, 0],
        ExtensionContext::ClientHello,
    )
    .unwrap();
    assert_eq!(p.padding(), Some(true));
    let p = one(
        t(ExtensionType::Padding),
        &[0, 1],
        ExtensionContext::ClientHello,
    )
    .unwrap();
    assert_eq!(p.padding(), Some(false));
}

#[test]
fn check_allowed_applies_the_table() {
    use ExtensionContext as C;
    let exts = Extensions(vec![
        Extension::SelectedVersion(ProtocolVersion::TLSv1_3),
        Extension::ExtendedMasterSecret,
    ]);
    assert!(exts.check_allowed(C::ClientHello).is_ok());
    let err = exts.check_allowed(C::ServerHello).unwrap_err();
    assert_eq!(
        err,
        InvalidMessage::ExtensionNotAllowed {
            typ: 0x17,
            message: "ServerHello"
        }
    );
    assert_eq!(err.alert(), AlertDescription::IllegalParameter);
    let ee = Extensions(vec![Extension::ServerNameAck, Extension::EarlyData]);
    assert!(ee.check_allowed(C::EncryptedExtensions).is_ok());
    assert!(ee.check_allowed(C::Certificate).is_err());
}

#[test]
fn lookups_and_push() {
    let mut exts = Extensions::default();
    exts.push(Extension::Cookie(Bytes::new(vec![1])));
    exts.push(Extension::Alpn(vec![Bytes::new(b"h2".to_vec())]));
    exts.push(Extension::Cookie(Bytes::new(vec![2])));
    assert_eq!(exts.0.len(), 2);
    assert_eq!(exts.cookie().unwrap().0, [2]);
    assert_eq!(exts.selected_alpn().unwrap().0, b"h2");
    assert!(exts.contains(ExtensionType::Cookie));
    assert!(exts.get(ExtensionType::KeyShare).is_none());
    assert_eq!(
        exts.types().collect::<Vec<_>>(),
        [
            ExtensionType::ApplicationLayerProtocolNegotiation,
            ExtensionType::Cookie
        ]
    );
}

proptest! {
    /// Decoding never panics, whatever the bytes and the context.
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        i in 0usize..7,
    ) {
        let _ = decode(&bytes, ALL_CONTEXTS[i]);
        let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&bytes);
        let _ = decode(&framed, ALL_CONTEXTS[i]);
        let _ = <crate::msgs::client_hello::ClientHello as crate::codec::Codec>::from_bytes(&bytes);
        let _ = <crate::msgs::server_hello::ServerHello as crate::codec::Codec>::from_bytes(&bytes);
    }
}
