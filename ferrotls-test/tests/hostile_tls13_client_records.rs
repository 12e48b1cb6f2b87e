//! Hostile TLS 1.3 servers against the ferrotls client, record layer and
//! traffic phase: one table of servers breaking RFC 8446 §5 (sizes, empty
//! records, padding, MACs, interleaving, key changes) or misbehaving after
//! the handshake (§4.6), plus servers ending the connection with their
//! own alert. Each case checks the exact alert the client sends (none for
//! a received fatal alert) and that the connection then carries nothing.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ferrotls::codec::Bytes;
use ferrotls::msgs::enums::{AlertDescription, ContentType, ProtocolVersion};
use ferrotls::msgs::extensions::{Extension, Extensions};
use ferrotls::msgs::handshake::{HandshakeMessage, HandshakePayload};
use ferrotls::msgs::server_hello::ServerHello;
use ferrotls_test::scripted_server::{
    case, key_update, new_session_ticket, raw_message, run, Case, Setup, ALERT, APPLICATION_DATA,
    CCS, HANDSHAKE, SUITE,
};

#[test]
fn hostile_records() {
    use AlertDescription as A;
    let cases = vec![
        // ---- the record layer (RFC 8446 §5) ------------------------------
        case(
            "ServerHello and EncryptedExtensions in one plaintext record",
            |s| {
                let mut both = s.server_hello(|_| {});
                both.extend_from_slice(&raw_message(8, &[0, 0]));
                s.plain(HANDSHAKE, &both)
            },
            A::UnexpectedMessage,
        ),
        case(
            "handshake fragment interleaved with an alert",
            |s| {
                s.hello()?;
                let cert = HandshakeMessage::new(s.certificate_payload());
                let (first, _) = cert.encoded().split_at(10);
                s.seal(ContentType::Handshake, &raw_message(8, &[0, 0]))?;
                s.seal(ContentType::Handshake, first)?;
                s.seal(ContentType::Alert, &[1, 0])
            },
            A::UnexpectedMessage,
        ),
        case(
            "plaintext record over 2^14",
            |s| s.plain(HANDSHAKE, &vec![0; (1 << 14) + 1]),
            A::RecordOverflow,
        ),
        case(
            "protected record over 2^14 + 256",
            |s| {
                s.hello()?;
                s.plain(APPLICATION_DATA, &vec![0; (1 << 14) + 257])
            },
            A::RecordOverflow,
        ),
        case(
            "protected record with plaintext over 2^14",
            |s| {
                s.hello()?;
                s.seal(ContentType::Handshake, &vec![0; (1 << 14) + 1])
            },
            A::RecordOverflow,
        ),
        case(
            "zero-length plaintext handshake record",
            |s| s.plain(HANDSHAKE, &[]),
            A::UnexpectedMessage,
        ),
        case(
            "zero-length protected handshake record",
            |s| {
                s.hello()?;
                s.seal(ContentType::Handshake, &[])
            },
            A::UnexpectedMessage,
        ),
        case(
            "zero-length alert record",
            |s| {
                s.hello()?;
                s.seal(ContentType::Alert, &[])
            },
            A::UnexpectedMessage,
        ),
        case(
            "protected record of padding only",
            // TLSInnerPlaintext of zeros: no content type (RFC 8446 §5.4).
            |s| {
                s.hello()?;
                s.seal(ContentType::Invalid, &[0; 8])
            },
            A::UnexpectedMessage,
        ),
        case(
            // RFC 8446 §5.1: an alert record holds exactly one alert.
            "alert record of three bytes",
            |s| {
                s.hello()?;
                s.seal(ContentType::Alert, &[2, 40, 0])
            },
            A::DecodeError,
        ),
        case(
            "bad record MAC",
            |s| {
                s.hello()?;
                let m = raw_message(8, &[0, 0]);
                let mut bytes = s.sealed(ContentType::Handshake, &m);
                *bytes.last_mut().unwrap() ^= 1;
                s.feed(&bytes)
            },
            A::BadRecordMac,
        ),
        case(
            "plaintext handshake record after the key change",
            |s| {
                s.hello()?;
                s.plain(HANDSHAKE, &raw_message(8, &[0, 0]))
            },
            A::UnexpectedMessage,
        ),
        case(
            // RFC 8446 §5.1: a message preceding a key change must end
            // its record.
            "server Finished and more in one record",
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()?;
                s.certificate_verify()?;
                let HandshakePayload::Finished(fin) = s.finished_payload(false) else {
                    unreachable!()
                };
                let mut both = HandshakeMessage::new(HandshakePayload::Finished(fin))
                    .encoded()
                    .to_vec();
                both.extend_from_slice(&new_session_ticket());
                s.seal(ContentType::Handshake, &both)
            },
            A::UnexpectedMessage,
        ),
        case(
            "KeyUpdate and more in one record",
            |s| {
                s.flight()?;
                let mut both = key_update(0);
                both.extend_from_slice(&new_session_ticket());
                s.seal(ContentType::Handshake, &both)
            },
            A::UnexpectedMessage,
        ),
        case(
            "data under the old key after a KeyUpdate",
            |s| {
                s.flight()?;
                s.seal(ContentType::Handshake, &key_update(0))?;
                s.seal(ContentType::ApplicationData, b"old key")
            },
            A::BadRecordMac,
        ),
        case(
            "ChangeCipherSpec after the server Finished",
            |s| {
                s.flight()?;
                s.plain(CCS, &[1])
            },
            A::UnexpectedMessage,
        ),
        case(
            "ChangeCipherSpec with a body other than 0x01",
            |s| s.plain(CCS, &[2]),
            A::UnexpectedMessage,
        ),
        case(
            "application data before the handshake ends",
            |s| {
                s.hello()?;
                s.ee()?;
                s.seal(ContentType::ApplicationData, b"early")
            },
            A::UnexpectedMessage,
        ),
        case(
            "plaintext application data before ServerHello",
            |s| s.plain(APPLICATION_DATA, b"early"),
            A::UnexpectedMessage,
        ),
        case(
            "unknown content type",
            |s| s.plain(0x80, &[1, 2, 3]),
            A::UnexpectedMessage,
        ),
        // ---- after the handshake (RFC 8446 §4.6) -------------------------
        case(
            "KeyUpdate with request 2",
            |s| {
                s.flight()?;
                s.seal(ContentType::Handshake, &key_update(2))
            },
            A::IllegalParameter,
        ),
        case(
            "KeyUpdate with an empty body",
            |s| {
                s.flight()?;
                s.seal(ContentType::Handshake, &raw_message(24, &[]))
            },
            A::DecodeError,
        ),
        case(
            // RFC 8446 §4.6.2: "A client that receives a CertificateRequest
            // message without having sent the "post_handshake_auth"
            // extension MUST send an "unexpected_message" fatal alert."
            "post-handshake CertificateRequest not offered",
            |s| {
                s.flight()?;
                let body = [1, 7, 0, 8, 0, 0x0d, 0, 4, 0, 2, 4, 3];
                s.seal(ContentType::Handshake, &raw_message(13, &body))
            },
            A::UnexpectedMessage,
        ),
        case(
            "EncryptedExtensions after the handshake",
            |s| {
                s.flight()?;
                s.seal(ContentType::Handshake, &raw_message(8, &[0, 0]))
            },
            A::UnexpectedMessage,
        ),
        case(
            "33 KeyUpdates in a row",
            |s| {
                s.flight()?;
                for _ in 0..33 {
                    s.send_key_update(0)?;
                }
                Ok(())
            },
            A::UnexpectedMessage,
        ),
        case(
            "a HelloRetryRequest after the handshake",
            |s| {
                s.flight()?;
                let hrr = ServerHello::hello_retry_request(
                    Bytes(vec![]),
                    SUITE,
                    Extensions(vec![Extension::SelectedVersion(ProtocolVersion::TLSv1_3)]),
                );
                let m = HandshakeMessage::new(HandshakePayload::ServerHello(hrr));
                s.seal(ContentType::Handshake, m.encoded())
            },
            A::UnexpectedMessage,
        ),
    ];
    let alerts_received = vec![
        // RFC 8446 §6.2: a fatal alert closes the connection; no alert is
        // sent back.
        Case {
            name: "fatal alert before ServerHello",
            setup: Setup::default(),
            script: |s| s.plain(ALERT, &[2, 40]),
            alert: None,
        },
        Case {
            name: "fatal alert in the encrypted flight",
            setup: Setup::default(),
            script: |s| {
                s.hello()?;
                s.ee()?;
                s.seal(ContentType::Alert, &[2, 42])
            },
            alert: None,
        },
        // RFC 8446 §6: in TLS 1.3 every alert but close_notify and
        // user_canceled is fatal, whatever its level.
        Case {
            name: "warning-level alert in TLS 1.3",
            setup: Setup::default(),
            script: |s| {
                s.hello()?;
                s.seal(ContentType::Alert, &[1, 42])
            },
            alert: None,
        },
        // RFC 8446 §6.1: after close_notify the server "will not send any
        // more messages", so the handshake cannot complete.
        Case {
            name: "close_notify during the handshake",
            setup: Setup::default(),
            script: |s| {
                s.hello()?;
                s.seal(ContentType::Alert, &[1, 0])
            },
            alert: None,
        },
        Case {
            name: "user_canceled, then close_notify, during the handshake",
            setup: Setup::default(),
            script: |s| {
                s.hello()?;
                s.ee()?;
                s.seal(ContentType::Alert, &[1, 90])?;
                s.seal(ContentType::Alert, &[1, 0])
            },
            alert: None,
        },
    ];
    assert!(cases.len() + alerts_received.len() >= 25);
    for c in cases.iter().chain(&alerts_received) {
        run(c);
    }
}
