//! Hostile TLS 1.2 servers, scripted (see `tls12_tests.rs`): one change
//! per case with the exact alert asserted (RFC 5246 §7.2.2, RFC 5746,
//! RFC 7627, RFC 8422, CVE-2014-0224).

use super::tls12_tests::{alert_of, config, plain, HelloCase, Script, Tweaks};
use crate::codec::Bytes;
use crate::msgs::certificate_verify::DigitallySigned;
use crate::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, EcPointFormat, NamedGroup,
    SignatureScheme,
};
use crate::msgs::ext::key_share::KeyShareEntry;
use crate::msgs::extensions::Extension;
use crate::msgs::finished::Finished;
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::key_exchange::ServerKeyExchange;
use crate::msgs::server_hello::DowngradeSentinel;
use crate::msgs::tickets::NewSessionTicketTls12;

/// Hostile ServerHellos, each with the alert RFC 5246 / RFC 8446 name.
#[test]
fn hostile_server_hellos() {
    let cases: [HelloCase; 8] = [
        // RFC 8446 §4.1.3: a 1.3-capable client sees the downgrade sentinel.
        (
            "downgrade sentinel",
            |sh| DowngradeSentinel::Tls12.apply(&mut sh.random),
            AlertDescription::IllegalParameter,
        ),
        (
            "suite not offered",
            |sh| sh.cipher_suite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
            AlertDescription::IllegalParameter,
        ),
        (
            "TLS 1.3 suite",
            |sh| sh.cipher_suite = CipherSuite::TLS_AES_128_GCM_SHA256,
            AlertDescription::IllegalParameter,
        ),
        (
            "compression",
            |sh| sh.legacy_compression_method = CompressionMethod::Deflate,
            AlertDescription::IllegalParameter,
        ),
        // RFC 5746 §3.4.
        (
            "renegotiation_info not empty",
            |sh| {
                sh.extensions.as_mut().unwrap().0[0] =
                    Extension::RenegotiationInfo(Bytes(vec![1; 12]))
            },
            AlertDescription::HandshakeFailure,
        ),
        // RFC 5246 §7.4.1.4: not offered.
        (
            "encrypt_then_mac",
            |sh| {
                sh.extensions
                    .as_mut()
                    .unwrap()
                    .push(Extension::EncryptThenMac)
            },
            AlertDescription::UnsupportedExtension,
        ),
        // Offered for TLS 1.3 only.
        (
            "key_share",
            |sh| {
                sh.extensions
                    .as_mut()
                    .unwrap()
                    .push(Extension::KeyShare(KeyShareEntry::new(
                        NamedGroup::X25519,
                        vec![1; 32],
                    )))
            },
            AlertDescription::IllegalParameter,
        ),
        // RFC 8422 §5.2.
        (
            "no uncompressed point format",
            |sh| {
                sh.extensions.as_mut().unwrap().0[2] =
                    Extension::EcPointFormats(vec![EcPointFormat::AnsiX962CompressedPrime])
            },
            AlertDescription::IllegalParameter,
        ),
    ];
    for (what, tweak, alert) in cases {
        let mut s = Script::new(
            config(),
            Tweaks {
                hello: Some(tweak),
                ..Tweaks::default()
            },
        );
        assert_eq!(alert_of(s.server_hello()), alert, "{what}");
    }
    // RFC 5246 §7.4.1.3: echoing our (compatibility) session ID claims
    // a resumption we did not offer.
    let mut s = Script::new(
        config(),
        Tweaks {
            echo_session_id: true,
            ..Tweaks::default()
        },
    );
    assert_eq!(
        alert_of(s.server_hello()),
        AlertDescription::IllegalParameter
    );
}

/// RFC 7627 §5.2: a client requiring the extended master secret refuses
/// a server without it.
#[test]
fn required_ems_missing() {
    let mut cfg = config();
    cfg.require_extended_master_secret = true;
    let mut s = Script::new(
        cfg,
        Tweaks {
            hello: Some(|sh| {
                sh.extensions
                    .as_mut()
                    .unwrap()
                    .0
                    .retain(|e| *e != Extension::ExtendedMasterSecret)
            }),
            ..Tweaks::default()
        },
    );
    assert_eq!(
        alert_of(s.server_hello()),
        AlertDescription::HandshakeFailure
    );
}

/// Hostile ServerKeyExchanges (RFC 5246 §7.4.3, RFC 8422 §5.4).
#[test]
fn hostile_server_key_exchanges() {
    let cases: [(&str, Tweaks, AlertDescription); 6] = [
        (
            "bad signature",
            Tweaks {
                bad_signature: true,
                ..Tweaks::default()
            },
            AlertDescription::DecryptError,
        ),
        (
            "RSA scheme for an ECDSA suite",
            Tweaks {
                ske: Some(|ske| {
                    *ske = ServerKeyExchange::new(
                        ske.params().clone(),
                        DigitallySigned {
                            scheme: SignatureScheme::RsaPkcs1Sha256,
                            signature: ske.signature().signature.clone(),
                        },
                    )
                }),
                ..Tweaks::default()
            },
            AlertDescription::IllegalParameter,
        ),
        (
            "SHA-1 scheme (not offered)",
            Tweaks {
                ske: Some(|ske| {
                    *ske = ServerKeyExchange::new(
                        ske.params().clone(),
                        DigitallySigned {
                            scheme: SignatureScheme::EcdsaSha1,
                            signature: ske.signature().signature.clone(),
                        },
                    )
                }),
                ..Tweaks::default()
            },
            AlertDescription::IllegalParameter,
        ),
        (
            "curve not offered",
            Tweaks {
                params: Some(|p| {
                    p.group = NamedGroup::Secp521r1;
                    p.public = Bytes(vec![4; 133]);
                }),
                ..Tweaks::default()
            },
            AlertDescription::IllegalParameter,
        ),
        (
            "compressed point",
            Tweaks {
                params: Some(|p| {
                    p.group = NamedGroup::Secp256r1;
                    p.public = Bytes(vec![2; 33]);
                }),
                ..Tweaks::default()
            },
            AlertDescription::IllegalParameter,
        ),
        (
            "point not on the curve",
            Tweaks {
                params: Some(|p| {
                    p.group = NamedGroup::Secp256r1;
                    let mut point = vec![1u8; 65];
                    point[0] = 4;
                    p.public = Bytes(point);
                }),
                ..Tweaks::default()
            },
            AlertDescription::IllegalParameter,
        ),
    ];
    for (what, tweaks, alert) in cases {
        let mut s = Script::new(config(), tweaks);
        s.server_hello().unwrap();
        s.certificate().unwrap();
        assert_eq!(alert_of(s.server_key_exchange()), alert, "{what}");
    }
}

/// Messages out of order and ChangeCipherSpecs where none may be
/// (RFC 5246 §7.1, §7.4; CVE-2014-0224): unexpected_message.
#[test]
fn out_of_order_and_early_ccs() {
    // CCS right after the ServerHello (the CCS-injection attack).
    let mut s = Script::new(config(), Tweaks::default());
    s.server_hello().unwrap();
    assert_eq!(alert_of(s.ccs()), AlertDescription::UnexpectedMessage);
    // CCS before the ServerHelloDone.
    let mut s = Script::new(config(), Tweaks::default());
    s.server_hello().unwrap();
    s.certificate().unwrap();
    s.server_key_exchange().unwrap();
    assert_eq!(alert_of(s.ccs()), AlertDescription::UnexpectedMessage);
    // ServerHelloDone before the Certificate.
    let mut s = Script::new(config(), Tweaks::default());
    s.server_hello().unwrap();
    assert_eq!(
        alert_of(s.send(HandshakePayload::ServerHelloDone)),
        AlertDescription::UnexpectedMessage
    );
    // ServerHelloDone without a ServerKeyExchange for an ECDHE suite.
    let mut s = Script::new(config(), Tweaks::default());
    s.server_hello().unwrap();
    s.certificate().unwrap();
    assert_eq!(
        alert_of(s.send(HandshakePayload::ServerHelloDone)),
        AlertDescription::UnexpectedMessage
    );
    // Finished in plaintext instead of CCS + Finished.
    let mut s = Script::new(config(), Tweaks::default());
    s.first_flight().unwrap();
    let _ = s.read_client_flight();
    let fin = HandshakePayload::Finished(Finished {
        verify_data: Bytes(vec![0; 12]),
    });
    assert_eq!(alert_of(s.send(fin)), AlertDescription::UnexpectedMessage);
    // A NewSessionTicket the ServerHello did not announce (RFC 5077 §3.3).
    let mut s = Script::new(config(), Tweaks::default());
    s.first_flight().unwrap();
    let _ = s.read_client_flight();
    let nst = HandshakePayload::NewSessionTicketTls12(NewSessionTicketTls12 {
        lifetime_hint: 0,
        ticket: Bytes(vec![1; 16]),
    });
    assert_eq!(alert_of(s.send(nst)), AlertDescription::UnexpectedMessage);
    // A second CCS after the server's.
    let mut s = Script::new(config(), Tweaks::default());
    s.first_flight().unwrap();
    let _ = s.read_client_flight();
    s.ccs().unwrap();
    assert_eq!(alert_of(s.ccs()), AlertDescription::UnexpectedMessage);
}

/// RFC 5246 §7.4.9: a Finished that does not verify is decrypt_error.
#[test]
fn bad_server_finished() {
    let mut s = Script::new(
        config(),
        Tweaks {
            bad_finished: true,
            ..Tweaks::default()
        },
    );
    assert_eq!(alert_of(s.run()), AlertDescription::DecryptError);
}

/// RFC 5246 §7.4.1.1: a HelloRequest during the handshake is ignored.
#[test]
fn hello_request_during_the_handshake_is_ignored() {
    let mut s = Script::new(config(), Tweaks::default());
    s.server_hello().unwrap();
    let hr = HandshakeMessage::new(HandshakePayload::HelloRequest);
    s.client
        .feed_tls(&plain(ContentType::Handshake, hr.encoded()));
    s.client.process_new_packets().unwrap();
    s.certificate().unwrap();
    s.server_key_exchange().unwrap();
    s.send(HandshakePayload::ServerHelloDone).unwrap();
    let (mut cipher, master) = s.read_client_flight();
    s.ccs().unwrap();
    s.finished(&mut cipher, &master).unwrap();
    assert!(!s.client.is_handshaking());
}

/// HelloRequests after the handshake are each declined, but a stream of
/// them without application data in between is cut off
/// (unexpected_message), as empty records are.
#[test]
fn hello_request_flood() {
    let mut s = Script::new(config(), Tweaks::default());
    let mut cipher = s.run().unwrap();
    let hr = HandshakeMessage::new(HandshakePayload::HelloRequest);
    let mut out = Vec::new();
    for _ in 0..40 {
        cipher
            .seal(ContentType::Handshake, hr.encoded(), &mut out)
            .unwrap();
    }
    s.client.feed_tls(&out);
    assert_eq!(
        alert_of(s.client.process_new_packets()),
        AlertDescription::UnexpectedMessage
    );
}
