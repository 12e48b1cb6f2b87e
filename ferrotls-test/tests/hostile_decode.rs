//! Hostile input against the message decoders: truncations, wrong
//! lengths, forbidden empty vectors, trailing bytes and random bytes must
//! each be an error with the alert the RFCs name, and never a panic.
// Test code: fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use ferrotls::codec::{Codec, Reader};
use ferrotls::msgs::alert::Alert;
use ferrotls::msgs::ccs::ChangeCipherSpec;
use ferrotls::msgs::enums::AlertDescription;
use ferrotls::msgs::handshake::{DecodeContext, HandshakeMessage};
use ferrotls::msgs::key_exchange::KeyExchangeKind;
use ferrotls::msgs::record::{self, OwnedRecord, Record, MAX_CIPHERTEXT_LEN};
use ferrotls::InvalidMessage;
use ferrotls_test::rfc8448;
use proptest::prelude::*;

const T13: DecodeContext = DecodeContext::Tls13 { hash_len: 32 };
const ECDHE: DecodeContext = DecodeContext::Tls12 {
    kx: KeyExchangeKind::Ecdhe,
};
const DHE: DecodeContext = DecodeContext::Tls12 {
    kx: KeyExchangeKind::Dhe,
};
const RSA: DecodeContext = DecodeContext::Tls12 {
    kx: KeyExchangeKind::Rsa,
};
const ALL_CONTEXTS: [DecodeContext; 5] = [DecodeContext::Hello, T13, ECDHE, DHE, RSA];

/// `(name, bytes)` of every handshake message printed in RFC 8448 §3-§7
/// (the §4 ClientHello with its binders, as sent).
fn rfc_messages() -> Vec<(String, Vec<u8>)> {
    static ALL: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    ALL.get_or_init(read_rfc_messages).clone()
}

fn read_rfc_messages() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for section in 3..=7 {
        let trace = rfc8448::section(section);
        for step in &trace.steps {
            let Some(name) = step
                .what
                .strip_prefix("construct ")
                .and_then(|w| {
                    w.strip_suffix(" handshake message:")
                        .or(w.strip_suffix(" handshake message"))
                })
                .and_then(|w| w.strip_prefix("an ").or(w.strip_prefix("a ")))
            else {
                continue;
            };
            let bytes = if section == 4 && name == "ClientHello" {
                trace
                    .step("client", "send handshake record")
                    .value("payload")
            } else {
                step.value(name)
            };
            out.push((format!("§{section} {name}"), bytes.to_vec()));
        }
    }
    assert_eq!(out.len(), 40);
    out
}

fn decode(bytes: &[u8]) -> Result<HandshakeMessage, InvalidMessage> {
    HandshakeMessage::from_bytes(bytes, T13)
}

fn alert(bytes: &[u8], ctx: DecodeContext) -> AlertDescription {
    match HandshakeMessage::from_bytes(bytes, ctx) {
        Ok(m) => panic!("decoded {m:?} from {bytes:02x?}"),
        Err(e) => e.alert(),
    }
}

/// A handshake message of type `typ` around `body`.
fn frame(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![typ];
    out.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

/// For hello messages, where the extensions block is optional (RFC 5246
/// §7.4.1.2), whether `body[..n]` stops exactly before that block.
fn at_optional_extensions(name: &str, body: &[u8], n: usize) -> bool {
    (name.ends_with("ClientHello") || name.ends_with("ServerHello"))
        && body.len() >= n + 2
        && usize::from(u16::from_be_bytes([body[n], body[n + 1]])) == body.len() - n - 2
}

#[test]
fn no_strict_prefix_of_an_rfc8448_message_decodes() {
    for (name, bytes) in rfc_messages() {
        assert!(decode(&bytes).is_ok(), "{name}");
        // The message cut short, header unchanged.
        for n in 0..bytes.len() {
            let e = decode(&bytes[..n]).unwrap_err();
            assert!(
                matches!(e, InvalidMessage::Truncated { .. }),
                "{name} [..{n}]: {e}"
            );
            assert_eq!(e.alert(), AlertDescription::DecodeError);
        }
        // The body cut short with the header length fixed up: the inner
        // structure itself must notice.
        let body = &bytes[4..];
        for n in 0..body.len() {
            let framed = frame(bytes[0], &body[..n]);
            match decode(&framed) {
                Ok(_) => assert!(
                    at_optional_extensions(&name, body, n),
                    "{name}: body prefix of {n} bytes decodes"
                ),
                Err(e) => assert_eq!(
                    e.alert(),
                    AlertDescription::DecodeError,
                    "{name} body[..{n}]: {e}"
                ),
            }
        }
    }
}

#[test]
fn trailing_bytes_after_an_rfc8448_message_are_decode_error() {
    for (name, bytes) in rfc_messages() {
        // After the message.
        let mut longer = bytes.clone();
        longer.push(0);
        let e = decode(&longer).unwrap_err();
        assert!(
            matches!(e, InvalidMessage::TrailingBytes { .. }),
            "{name}: {e}"
        );
        // Inside the body, counted by the header.
        for garbage in [&[0u8][..], &[0xff, 0xff], &[0, 0, 0, 0]] {
            let mut body = bytes[4..].to_vec();
            body.extend_from_slice(garbage);
            let framed = frame(bytes[0], &body);
            match decode(&framed) {
                // A hello without extensions could take the bytes as its
                // extensions block; RFC 8448's hellos all have one.
                Ok(m) => panic!("{name} + {garbage:?} decodes: {m:?}"),
                Err(e) => assert_eq!(e.alert(), AlertDescription::DecodeError, "{name}: {e}"),
            }
        }
    }
}

/// Offsets and widths of the length fields of an RFC 8448 message of the
/// types this test knows the layout of (beyond the handshake header).
fn length_fields(name: &str, msg: &[u8]) -> Vec<(usize, usize)> {
    let mut out = vec![(1, 3)];
    let at = |r: &Reader<'_>| msg.len() - r.left();
    let mut r = Reader::new(&msg[4..]);
    let ext_block = |r: &mut Reader<'_>, out: &mut Vec<(usize, usize)>| {
        out.push((at(r), 2));
        let len = usize::from(r.u16("").unwrap());
        let mut block = Reader::new(r.take(len, "").unwrap());
        while !block.is_empty() {
            block.u16("").unwrap();
            out.push((at(r) - block.left(), 2));
            let n = usize::from(block.u16("").unwrap());
            block.take(n, "").unwrap();
        }
    };
    let kind = name.split(' ').nth(1).unwrap();
    match kind {
        "EncryptedExtensions" => ext_block(&mut r, &mut out),
        "CertificateRequest" => {
            out.push((at(&r), 1));
            let n = usize::from(r.u8("").unwrap());
            r.take(n, "").unwrap();
            ext_block(&mut r, &mut out);
        }
        "Certificate" => {
            out.push((at(&r), 1));
            let n = usize::from(r.u8("").unwrap());
            r.take(n, "").unwrap();
            out.push((at(&r), 3));
            r.u24("").unwrap();
            while !r.is_empty() {
                out.push((at(&r), 3));
                let n = usize::try_from(r.u24("").unwrap()).unwrap();
                r.take(n, "").unwrap();
                ext_block(&mut r, &mut out);
            }
        }
        "CertificateVerify" => out.push((6, 2)),
        "NewSessionTicket" => {
            r.take(8, "").unwrap();
            out.push((at(&r), 1));
            let n = usize::from(r.u8("").unwrap());
            r.take(n, "").unwrap();
            out.push((at(&r), 2));
            let n = usize::from(r.u16("").unwrap());
            r.take(n, "").unwrap();
            ext_block(&mut r, &mut out);
        }
        _ => {}
    }
    out
}

fn set_len(msg: &mut [u8], (at, width): (usize, usize), value: u32) {
    let be = value.to_be_bytes();
    msg[at..at + width].copy_from_slice(&be[4 - width..]);
}

fn get_len(msg: &[u8], (at, width): (usize, usize)) -> u32 {
    msg[at..at + width]
        .iter()
        .fold(0, |acc, b| (acc << 8) | u32::from(*b))
}

#[test]
fn wrong_lengths_in_rfc8448_messages_are_decode_error() {
    let mut checked = 0;
    for (name, bytes) in rfc_messages() {
        let fields = length_fields(&name, &bytes);
        for field in fields {
            let len = get_len(&bytes, field);
            let max = (1u32 << (8 * field.1)) - 1;
            let mut values = vec![len.wrapping_add(1) & max, max, 0];
            if len > 0 {
                values.push(len - 1);
            }
            for value in values.into_iter().filter(|v| *v != len) {
                let mut bad = bytes.clone();
                set_len(&mut bad, field, value);
                let got = alert(&bad, T13);
                assert_eq!(
                    got,
                    AlertDescription::DecodeError,
                    "{name}: length at {} set {len} -> {value}",
                    field.0
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked}");
}

#[test]
fn forbidden_empty_vectors_are_decode_error() {
    let cases: Vec<(&str, Vec<u8>, DecodeContext)> = vec![
        // RFC 8446 §4.4.2 cert_data<1..2^24-1>.
        (
            "empty cert_data",
            frame(11, &[0, 0, 0, 5, 0, 0, 0, 0, 0]),
            T13,
        ),
        // RFC 5246 §7.4.2 ASN.1Cert<1..2^24-1>.
        ("empty ASN.1Cert", frame(11, &[0, 0, 3, 0, 0, 0]), ECDHE),
        // RFC 8446 §4.3.2 extensions<2..2^16-1>.
        (
            "empty CertificateRequest extensions",
            frame(13, &[0, 0, 0]),
            T13,
        ),
        // RFC 5246 §7.4.4 certificate_types<1..2^8-1>.
        (
            "empty certificate_types",
            frame(13, &[0, 0, 2, 4, 3, 0, 0]),
            ECDHE,
        ),
        // supported_signature_algorithms<2..2^16-2>.
        (
            "empty supported_signature_algorithms",
            frame(13, &[1, 64, 0, 0, 0, 0]),
            ECDHE,
        ),
        // opaque DistinguishedName<1..2^16-1>.
        (
            "empty DistinguishedName",
            frame(13, &[1, 64, 0, 2, 4, 3, 0, 2, 0, 0]),
            ECDHE,
        ),
        // RFC 8446 §4.6.1 ticket<1..2^16-1>.
        (
            "empty TLS 1.3 ticket",
            frame(4, &[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0]),
            T13,
        ),
        // RFC 8422 §5.4 point<1..2^8-1>.
        (
            "empty ECPoint",
            frame(12, &[3, 0, 0x17, 0, 4, 3, 0, 0]),
            ECDHE,
        ),
        ("empty ecdh_Yc", frame(16, &[0]), ECDHE),
        // RFC 5246 §7.4.3 dh_p / dh_g / dh_Ys<1..2^16-1>.
        (
            "empty dh_p",
            frame(12, &[0, 0, 0, 1, 2, 0, 1, 5, 4, 1, 0, 0]),
            DHE,
        ),
        (
            "empty dh_Ys",
            frame(12, &[0, 1, 7, 0, 1, 2, 0, 0, 4, 1, 0, 0]),
            DHE,
        ),
        ("empty dh_Yc", frame(16, &[0, 0]), DHE),
        // RFC 4680 §2 supp_data<1..2^24-1>.
        ("empty supp_data", frame(23, &[0, 0, 0]), ECDHE),
        // RFC 4681 §3 user_mapping_data_list<1..2^16-1>.
        (
            "empty user_mapping_data_list",
            frame(23, &[0, 0, 6, 0, 0, 0, 2, 0, 0]),
            ECDHE,
        ),
        // Bodies with fixed contents.
        ("empty KeyUpdate", frame(24, &[]), T13),
        ("empty CertificateVerify", frame(15, &[]), T13),
        ("empty Finished", frame(20, &[]), T13),
        ("empty TLS 1.2 Finished", frame(20, &[]), ECDHE),
    ];
    for (what, bytes, ctx) in cases {
        assert_eq!(alert(&bytes, ctx), AlertDescription::DecodeError, "{what}");
    }
}

#[test]
fn vectors_not_a_multiple_of_their_element_size_are_decode_error() {
    // supported_signature_algorithms of 3 bytes (RFC 8446 §3.4: "a 17-byte
    // vector of uint16 would be illegal").
    let bytes = frame(13, &[1, 64, 0, 3, 4, 3, 5, 0, 0]);
    let e = HandshakeMessage::from_bytes(&bytes, ECDHE).unwrap_err();
    assert!(matches!(e, InvalidMessage::LengthNotMultiple { .. }), "{e}");
    assert_eq!(e.alert(), AlertDescription::DecodeError);
}

#[test]
fn wrong_values_get_their_own_alerts() {
    // RFC 8446 §4.6.3: any other request_update is illegal_parameter.
    assert_eq!(
        alert(&frame(24, &[2]), T13),
        AlertDescription::IllegalParameter
    );
    // RFC 8422 §5.4: only named_curve remains.
    assert_eq!(
        alert(&frame(12, &[1, 0, 0x17, 1, 4, 4, 3, 0, 0]), ECDHE),
        AlertDescription::IllegalParameter
    );
    // RFC 5246 §7.4.3: no ServerKeyExchange with static RSA.
    assert_eq!(
        alert(&frame(12, &[]), RSA),
        AlertDescription::UnexpectedMessage
    );
    // A Finished whose length does not match the hash.
    assert_eq!(
        alert(&frame(20, &[0; 48]), T13),
        AlertDescription::DecodeError
    );
    assert_eq!(
        alert(&frame(20, &[0; 32]), ECDHE),
        AlertDescription::DecodeError
    );
    // RFC 8446 §5: any change_cipher_spec other than 0x01.
    for bad in [&[][..], &[0], &[2], &[1, 1]] {
        assert_eq!(
            ChangeCipherSpec::from_bytes(bad).unwrap_err().alert(),
            AlertDescription::UnexpectedMessage
        );
    }
    // RFC 8446 §5.1: one alert per record, two bytes.
    for bad in [&[][..], &[1], &[1, 0, 0]] {
        assert_eq!(
            Alert::from_bytes(bad).unwrap_err().alert(),
            AlertDescription::DecodeError
        );
    }
}

#[test]
fn rfc8448_records_with_wrong_lengths() {
    for section in 3..=7 {
        for step in rfc8448::section(section).steps.iter() {
            let Some(complete) = step.get("complete record") else {
                continue;
            };
            for n in 0..complete.len() {
                assert_eq!(
                    Record::split(&complete[..n], MAX_CIPHERTEXT_LEN),
                    Ok(None),
                    "a partial record waits"
                );
                let e = OwnedRecord::from_bytes(&complete[..n]).unwrap_err();
                assert_eq!(e.alert(), AlertDescription::DecodeError);
            }
            let len = u16::from_be_bytes([complete[3], complete[4]]);
            for (value, want) in [
                (len + 1, AlertDescription::DecodeError),
                (len - 1, AlertDescription::DecodeError),
                (0, AlertDescription::DecodeError),
                (0xffff, AlertDescription::RecordOverflow),
                (0x4101, AlertDescription::RecordOverflow),
            ] {
                let mut bad = complete.to_vec();
                bad[3..5].copy_from_slice(&value.to_be_bytes());
                let got = OwnedRecord::from_bytes(&bad).unwrap_err().alert();
                assert_eq!(got, want, "record length {len} -> {value}");
            }
            // Trailing garbage after the last whole record.
            let mut longer = complete.to_vec();
            longer.push(0x17);
            let last = record::records(&longer).last().unwrap();
            assert_eq!(last.unwrap_err().alert(), AlertDescription::DecodeError);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bodies_never_panic(
        typ in prop_oneof![0u8..=25, Just(254u8), any::<u8>()],
        body in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        let framed = frame(typ, &body);
        for ctx in ALL_CONTEXTS {
            if let Ok(m) = HandshakeMessage::from_bytes(&framed, ctx) {
                // Whatever decodes re-encodes to the same bytes.
                prop_assert_eq!(m.encoded(), &framed[..]);
            }
            let _ = HandshakeMessage::from_bytes(&body, ctx);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        for ctx in ALL_CONTEXTS {
            let mut r = Reader::new(&bytes);
            while let Ok(m) = HandshakeMessage::read(&mut r, ctx) {
                prop_assert!(!m.encoded().is_empty());
            }
        }
        let _ = record::records(&bytes).count();
        let _ = Record::split(&bytes, MAX_CIPHERTEXT_LEN);
        let _ = OwnedRecord::from_bytes(&bytes);
        let _ = Alert::from_bytes(&bytes);
        let _ = ChangeCipherSpec::from_bytes(&bytes);
    }

    /// Single-byte corruption of any RFC 8448 message: an error or a
    /// message, never a panic.
    #[test]
    fn corrupted_rfc8448_messages_never_panic(
        index in any::<prop::sample::Index>(),
        pos in any::<prop::sample::Index>(),
        value: u8,
    ) {
        let all = rfc_messages();
        let (_, bytes) = &all[index.index(all.len())];
        let mut bad = bytes.clone();
        let at = pos.index(bad.len());
        bad[at] = value;
        for ctx in ALL_CONTEXTS {
            let _ = HandshakeMessage::from_bytes(&bad, ctx);
        }
    }
}
