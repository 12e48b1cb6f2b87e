//! Every handshake message and record printed in RFC 8448 §3-§7 decodes
//! through `msgs::handshake` / `msgs::record` and re-encodes to the bytes
//! the RFC prints.
// Test code: fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use ferrotls::codec::{Codec, Reader, Writer};
use ferrotls::msgs::alert::Alert;
use ferrotls::msgs::ccs::ChangeCipherSpec;
use ferrotls::msgs::enums::{
    ContentType, ExtensionType, HandshakeType, ProtocolVersion, SignatureScheme,
};
use ferrotls::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use ferrotls::msgs::record::{self, Record};
use ferrotls_test::rfc8448::{self, Step};

/// Every RFC 8448 trace uses TLS_AES_128_GCM_SHA256.
const CTX: DecodeContext = DecodeContext::Tls13 { hash_len: 32 };

/// `(section, who, message name, bytes)` for every "construct a(n) X
/// handshake message" step of §3-§7.
fn all_messages() -> Vec<(u32, String, String, &'static [u8])> {
    let mut out = Vec::new();
    for section in 3..=7 {
        for step in &rfc8448::section(section).steps {
            let Some(name) = message_name(step) else {
                continue;
            };
            let mut bytes = step.value(&name);
            if section == 4 && name == "ClientHello" {
                // §4 prints the ClientHello without its binders (the part
                // the PSK binder covers); the record payload has all of it.
                let whole = rfc8448::section(4)
                    .step("client", "send handshake record")
                    .value("payload");
                assert!(whole.len() > bytes.len() && whole.starts_with(bytes));
                bytes = whole;
            }
            out.push((section, step.who.clone(), name.clone(), bytes));
        }
    }
    out
}

fn message_name(step: &Step) -> Option<String> {
    let rest = step.what.strip_prefix("construct ")?;
    let rest = rest
        .strip_suffix(" handshake message:")
        .or(rest.strip_suffix(" handshake message"))?;
    let name = rest.strip_prefix("an ").or(rest.strip_prefix("a "))?;
    Some(name.to_string())
}

fn decode(bytes: &[u8]) -> HandshakeMessage {
    HandshakeMessage::from_bytes(bytes, CTX).unwrap()
}

/// The message `name` constructed by `who` in `section` (the `n`th one).
fn message(section: u32, who: &str, name: &str, n: usize) -> HandshakeMessage {
    let all = all_messages();
    let (_, _, _, bytes) = all
        .iter()
        .filter(|(s, w, m, _)| *s == section && w == who && m == name)
        .nth(n)
        .unwrap_or_else(|| panic!("§{section} {who} {name} #{n}"));
    decode(bytes)
}

#[test]
fn every_handshake_message_round_trips() {
    let all = all_messages();
    // §3: 8, §4: 6, §5: 9, §6: 10, §7: 7.
    assert_eq!(
        all.len(),
        40,
        "{:?}",
        all.iter().map(|m| &m.2).collect::<Vec<_>>()
    );
    let mut seen = std::collections::BTreeSet::new();
    for (section, who, name, bytes) in &all {
        let m = HandshakeMessage::from_bytes(bytes, CTX)
            .unwrap_or_else(|e| panic!("§{section} {who} {name}: {e}"));
        assert_eq!(m.encoded(), *bytes, "§{section} {who} {name}: kept bytes");
        assert_eq!(
            m.payload().to_bytes(),
            *bytes,
            "§{section} {who} {name}: re-encoding"
        );
        assert_eq!(
            m.typ().iana_name().unwrap().replace('_', ""),
            name.to_lowercase()
        );
        assert!(!matches!(m.payload(), HandshakePayload::Unknown { .. }));
        // `ferrotls inspect` prints these.
        assert!(!format!("{m:#?}").is_empty());
        seen.insert(name.clone());
    }
    let expected = [
        "Certificate",
        "CertificateRequest",
        "CertificateVerify",
        "ClientHello",
        "EncryptedExtensions",
        "EndOfEarlyData",
        "Finished",
        "NewSessionTicket",
        "ServerHello",
    ];
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), expected);
}

#[test]
fn section3_typed_values() {
    let HandshakePayload::CertificateTls13(cert) =
        message(3, "server", "Certificate", 0).into_payload()
    else {
        panic!("not a TLS 1.3 Certificate");
    };
    assert!(cert.context.is_empty());
    assert_eq!(cert.entries.len(), 1);
    assert_eq!(cert.entries[0].cert_data.len(), 432);
    assert_eq!(cert.entries[0].cert_data[0], 0x30, "a DER SEQUENCE");
    assert!(cert.entries[0].extensions.0.is_empty());

    let HandshakePayload::CertificateVerify(cv) =
        message(3, "server", "CertificateVerify", 0).into_payload()
    else {
        panic!("not a CertificateVerify");
    };
    assert_eq!(cv.scheme, SignatureScheme::RsaPssRsaeSha256);
    assert_eq!(cv.signature.len(), 128);

    let HandshakePayload::Finished(fin) = message(3, "server", "Finished", 0).into_payload() else {
        panic!("not a Finished");
    };
    assert_eq!(fin.verify_data.len(), 32);

    let HandshakePayload::NewSessionTicketTls13(nst) =
        message(3, "server", "NewSessionTicket", 0).into_payload()
    else {
        panic!("not a TLS 1.3 NewSessionTicket");
    };
    assert_eq!(nst.lifetime, 30);
    assert_eq!(nst.age_add, 0xfad6aac5);
    assert_eq!(nst.nonce.0, [0, 0]);
    assert_eq!(nst.ticket.len(), 178);
    // early_data with max_early_data_size 1024.
    let mut ext = Vec::new();
    nst.extensions.encode(&mut Writer::new(&mut ext));
    assert_eq!(ext, [0, 8, 0, 0x2a, 0, 4, 0, 0, 4, 0]);
    assert!(nst.extensions.contains(ExtensionType::EarlyData));
}

#[test]
fn section4_end_of_early_data_and_section6_client_auth() {
    assert_eq!(
        message(4, "client", "EndOfEarlyData", 0).payload(),
        &HandshakePayload::EndOfEarlyData
    );

    let HandshakePayload::CertificateRequestTls13(req) =
        message(6, "server", "CertificateRequest", 0).into_payload()
    else {
        panic!("not a TLS 1.3 CertificateRequest");
    };
    assert!(req.context.is_empty());
    assert_eq!(req.extensions.0.len(), 1);

    let HandshakePayload::CertificateVerify(cv) =
        message(6, "client", "CertificateVerify", 0).into_payload()
    else {
        panic!("not a CertificateVerify");
    };
    assert_eq!(cv.scheme, SignatureScheme::RsaPssRsaeSha256);

    let client_cert = message(6, "client", "Certificate", 0);
    assert_eq!(client_cert.typ(), HandshakeType::Certificate);
    let HandshakePayload::CertificateTls13(cert) = client_cert.into_payload() else {
        panic!("not a TLS 1.3 Certificate");
    };
    assert_eq!(cert.entries.len(), 1);
}

/// Every "send ... record" step: the complete record decodes as one record
/// whose payload is the printed payload when the record is plaintext, and
/// the printed payload (the plaintext of protected records too) decodes as
/// what the record carries.
#[test]
fn every_record_decodes() {
    let mut records_seen = 0;
    let mut plaintext_seen = 0;
    for section in 3..=7 {
        for step in &rfc8448::section(section).steps {
            let Some(kind) = step
                .what
                .strip_prefix("send ")
                .and_then(|w| w.strip_suffix(" record:").or(w.strip_suffix(" record")))
            else {
                continue;
            };
            let complete = step.value("complete record");
            let payload = step.value("payload");
            let mut all = record::records(complete);
            let rec = all.next().unwrap().unwrap();
            assert!(all.next().is_none(), "§{section} {kind}: one record");
            assert_eq!(rec.to_bytes(), complete);
            assert!(matches!(
                rec.version,
                ProtocolVersion::TLSv1_2 | ProtocolVersion::TLSv1_0
            ));
            records_seen += 1;

            let protected = rec.typ == ContentType::ApplicationData;
            if !protected {
                assert_eq!(rec.payload, payload, "§{section} {kind}");
                plaintext_seen += 1;
            }
            match kind {
                "handshake" => {
                    if !protected {
                        assert_eq!(rec.typ, ContentType::Handshake);
                    }
                    let mut r = Reader::new(payload);
                    let mut n = 0;
                    while !r.is_empty() {
                        let m = HandshakeMessage::read(&mut r, CTX)
                            .unwrap_or_else(|e| panic!("§{section} flight: {e}"));
                        assert_eq!(m.payload().to_bytes(), m.encoded());
                        n += 1;
                    }
                    assert!(n >= 1);
                }
                "change_cipher_spec" => {
                    assert_eq!(rec.typ, ContentType::ChangeCipherSpec);
                    ChangeCipherSpec::from_bytes(payload).unwrap();
                }
                "alert" => {
                    assert_eq!(Alert::from_bytes(payload).unwrap(), Alert::close_notify());
                }
                "application_data" => assert!(protected),
                other => panic!("unexpected record kind {other}"),
            }
        }
    }
    assert!(records_seen >= 40, "{records_seen}");
    // ClientHello and ServerHello records of each section, §5's HRR flight
    // and §7's two ChangeCipherSpecs.
    assert_eq!(plaintext_seen, 14);
}

#[test]
fn hrr_flight_is_a_server_hello() {
    let hrr = message(5, "server", "ServerHello", 0);
    assert_eq!(hrr.typ(), HandshakeType::ServerHello);
    let r = Record::read(&mut Reader::new(
        rfc8448::section(5)
            .nth_step("server", "send handshake record", 0)
            .value("complete record"),
    ))
    .unwrap();
    assert_eq!(r.payload, hrr.encoded());
}
