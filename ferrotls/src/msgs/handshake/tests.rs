use proptest::prelude::*;

use super::*;
use crate::msgs::enums::{AlertDescription, KeyUpdateRequest};

const T13: DecodeContext = DecodeContext::Tls13 { hash_len: 32 };
const T12: DecodeContext = DecodeContext::Tls12 {
    kx: KeyExchangeKind::Ecdhe,
};

#[test]
fn header_and_exact_bytes_are_kept() {
    let bytes = [24, 0, 0, 1, 1];
    let m = HandshakeMessage::from_bytes(&bytes, T13).unwrap();
    assert_eq!(m.typ(), HandshakeType::KeyUpdate);
    assert_eq!(m.encoded(), bytes);
    assert_eq!(
        m.payload(),
        &HandshakePayload::KeyUpdate(KeyUpdate {
            request_update: KeyUpdateRequest::UpdateRequested
        })
    );
    assert_eq!(HandshakeMessage::new(m.payload().clone()), m);
    assert_eq!(
        HandshakeHeader::read(&mut Reader::new(&bytes))
            .unwrap()
            .message_len(),
        5
    );
}

#[test]
fn reads_one_message_at_a_time() {
    let two = [14, 0, 0, 0, 0, 0, 0, 0];
    let mut r = Reader::new(&two);
    for typ in [HandshakeType::ServerHelloDone, HandshakeType::HelloRequest] {
        let m = HandshakeMessage::read(&mut r, T12).unwrap();
        assert_eq!(m.typ(), typ);
        assert_eq!(m.encoded().len(), 4);
    }
    assert!(r.is_empty());
}

#[test]
fn empty_bodies_must_be_empty() {
    for typ in [0u8, 5, 14] {
        let e = HandshakeMessage::from_bytes(&[typ, 0, 0, 1, 0], T13).unwrap_err();
        assert!(matches!(e, InvalidMessage::TrailingBytes { extra: 1, .. }));
        assert_eq!(e.alert(), AlertDescription::DecodeError);
    }
}

#[test]
fn context_chooses_the_version_specific_body() {
    // NewSessionTicket: TLS 1.2 form (lifetime_hint + empty ticket).
    let bytes = [4, 0, 0, 6, 0, 0, 0, 9, 0, 0];
    let m = HandshakeMessage::from_bytes(&bytes, T12).unwrap();
    assert!(matches!(
        m.payload(),
        HandshakePayload::NewSessionTicketTls12(t) if t.lifetime_hint == 9
    ));
    // The same bytes are not a TLS 1.3 NewSessionTicket.
    assert!(HandshakeMessage::from_bytes(&bytes, T13).is_err());
    // Finished length follows the context.
    let mut fin = vec![20, 0, 0, 12];
    fin.extend([0u8; 12]);
    assert!(HandshakeMessage::from_bytes(&fin, T12).is_ok());
    assert!(HandshakeMessage::from_bytes(&fin, T13).is_err());
}

#[test]
fn bodies_unreadable_in_the_context_are_unexpected_message() {
    let cases: [(&[u8], DecodeContext); 6] = [
        (&[20, 0, 0, 1, 0], DecodeContext::Hello),
        (&[11, 0, 0, 0], DecodeContext::Hello),
        (&[13, 0, 0, 0], DecodeContext::Hello),
        (&[4, 0, 0, 0], DecodeContext::Hello),
        (&[12, 0, 0, 0], T13),
        (&[16, 0, 0, 0], T13),
    ];
    for (bytes, ctx) in cases {
        let e = HandshakeMessage::from_bytes(bytes, ctx).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::UnexpectedMessage, "{bytes:?}");
    }
}

#[test]
fn unknown_types_are_kept_raw() {
    let bytes = [99, 0, 0, 2, 0xab, 0xcd];
    let m = HandshakeMessage::from_bytes(&bytes, DecodeContext::Hello).unwrap();
    assert_eq!(
        m.payload(),
        &HandshakePayload::Unknown {
            typ: HandshakeType::Unknown(99),
            body: Bytes::new([0xab, 0xcd])
        }
    );
    assert_eq!(m.payload().to_bytes(), bytes);
}

#[test]
fn debug_reads_well() {
    let m = HandshakeMessage::from_bytes(&[24, 0, 0, 1, 0], T13).unwrap();
    assert_eq!(
        format!("{m:?}"),
        "KeyUpdate(KeyUpdate { request_update: update_not_requested(0x0) })"
    );
}

proptest! {
    #[test]
    fn every_payload_round_trips((payload, ctx) in arb::payload()) {
        let bytes = payload.to_bytes();
        let m = HandshakeMessage::from_bytes(&bytes, ctx).unwrap();
        prop_assert_eq!(m.encoded(), &bytes[..]);
        prop_assert_eq!(m.payload(), &payload);
        // No strict prefix decodes.
        for n in 0..bytes.len() {
            prop_assert!(HandshakeMessage::from_bytes(&bytes[..n], ctx).is_err());
        }
    }

    #[test]
    fn random_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..80),
        typ in any::<u8>(),
    ) {
        let mut framed = vec![typ];
        framed.extend_from_slice(&u32::try_from(bytes.len()).unwrap().to_be_bytes()[1..]);
        framed.extend_from_slice(&bytes);
        for ctx in [
            DecodeContext::Hello,
            T13,
            T12,
            DecodeContext::Tls12 { kx: KeyExchangeKind::Dhe },
            DecodeContext::Tls12 { kx: KeyExchangeKind::Rsa },
        ] {
            let _ = HandshakeMessage::from_bytes(&framed, ctx);
            let _ = HandshakeMessage::from_bytes(&bytes, ctx);
        }
    }
}
