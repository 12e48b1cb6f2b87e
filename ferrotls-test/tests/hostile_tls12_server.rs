//! Hostile TLS 1.2 clients against the ferrotls server, scripted with
//! ferrotls's own pieces (`ferrotls_test::scripted_tls12_client`): each
//! row asserts the exact alert the RFCs name, decoded from the server's
//! own output, that it is the last record, and that the connection then
//! refuses to carry anything. The hostile servers against the client are
//! in `hostile_tls12.rs`.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ferrotls::auth::provider_key;
use ferrotls::codec::Bytes;
use ferrotls::config::ServerConfig;
use ferrotls::crypto::kx::rsa::encrypt_premaster;
use ferrotls::crypto::rand::SystemRandom;
use ferrotls::msgs::certificate_verify::DigitallySigned;
use ferrotls::msgs::client_hello::ClientHello;
use ferrotls::msgs::enums::{
    AlertDescription as A, CipherSuite, ContentType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use ferrotls::msgs::extensions::Extension;
use ferrotls::msgs::finished::Finished;
use ferrotls::msgs::handshake::{HandshakeMessage, HandshakePayload};
use ferrotls::Error;
use ferrotls_test::pki::{KeyType, Pki};
use ferrotls_test::scripted_server::{raw_message, record};
use ferrotls_test::scripted_tls12::{run_all, APPLICATION_DATA, HANDSHAKE};
use ferrotls_test::scripted_tls12_client::{
    certificate_verify, client_certificate, client_chain, dhe_client, dhe_server,
    optional_client_cert, require_client_cert, run_client_case, server_spki, static_rsa,
    static_rsa_server, ClientCase, ScriptedClient12,
};

const ECDSA: SignatureScheme = SignatureScheme::EcdsaSecp256r1Sha256;

fn finished_message(verify_data: Vec<u8>) -> Vec<u8> {
    HandshakeMessage::new(HandshakePayload::Finished(Finished {
        verify_data: Bytes(verify_data),
    }))
    .encoded()
    .to_vec()
}

fn minus_one(p: &[u8]) -> Vec<u8> {
    let mut v = p.to_vec();
    let last = v.len() - 1;
    v[last] -= 1;
    v
}

fn cc(
    name: &'static str,
    script: fn(&mut ScriptedClient12) -> Result<(), Error>,
    alert: A,
) -> ClientCase {
    ClientCase {
        name,
        config: |_| {},
        script,
        alert,
    }
}

fn cc_with(
    name: &'static str,
    config: fn(&mut ServerConfig),
    script: fn(&mut ScriptedClient12) -> Result<(), Error>,
    alert: A,
) -> ClientCase {
    ClientCase {
        name,
        config,
        script,
        alert,
    }
}

/// Up to the client's ChangeCipherSpec, correct.
fn up_to_client_ccs(c: &mut ScriptedClient12) -> Result<(), Error> {
    c.hello()?;
    c.key_exchange()?;
    c.ccs()
}

fn ch_ext(ch: &mut ClientHello, f: impl Fn(&Extension) -> bool, with: Option<Extension>) {
    let exts = &mut ch.extensions.as_mut().unwrap().0;
    exts.retain(|e| !f(e));
    if let Some(e) = with {
        exts.push(e);
    }
}

#[test]
fn scripted_tls12_client_completes_the_handshake() {
    let mut c = ScriptedClient12::new(|_| {});
    c.full().unwrap();
    let sent = c.drain();
    assert_eq!(sent[0].0, ContentType::ChangeCipherSpec);
    assert_eq!(sent[1].0, ContentType::Handshake);
    assert!(!c.server.is_handshaking());
    c.seal(ContentType::ApplicationData, b"hello").unwrap();
    let mut buf = [0u8; 16];
    let n = c.server.read_plaintext(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello");
}

#[test]
fn hostile_tls12_clients() {
    let cases = vec![
        // ---- ChangeCipherSpec at the wrong moment (RFC 5246 §7.1,
        // CVE-2014-0224) ------------------------------------------------
        cc(
            "CCS before ClientKeyExchange",
            |c| {
                c.hello()?;
                c.ccs()
            },
            A::UnexpectedMessage,
        ),
        cc(
            "CCS twice",
            |c| {
                up_to_client_ccs(c)?;
                c.ccs()
            },
            A::UnexpectedMessage,
        ),
        cc(
            "Finished without CCS",
            |c| {
                c.hello()?;
                c.key_exchange()?;
                c.plain(HANDSHAKE, &finished_message(vec![0; 12]))
            },
            A::UnexpectedMessage,
        ),
        cc(
            "unencrypted Finished after CCS",
            |c| {
                up_to_client_ccs(c)?;
                c.plain(HANDSHAKE, &finished_message(vec![0; 12]))
            },
            A::BadRecordMac,
        ),
        cc(
            "application data before Finished",
            |c| {
                up_to_client_ccs(c)?;
                c.seal(ContentType::ApplicationData, b"early")
            },
            A::UnexpectedMessage,
        ),
        cc(
            "application data before ClientKeyExchange",
            |c| {
                c.hello()?;
                c.plain(APPLICATION_DATA, b"early")
            },
            A::UnexpectedMessage,
        ),
        cc("CCS before ClientHello", |c| c.ccs(), A::UnexpectedMessage),
        cc(
            "a second ClientHello during the handshake",
            |c| {
                c.hello()?;
                let ch = c.hello_payload(|_| {});
                c.handshake(HandshakePayload::ClientHello(ch))
            },
            A::UnexpectedMessage,
        ),
        // ---- Finished (RFC 5246 §7.4.9) ----------------------------------
        cc(
            "Finished mismatch",
            |c| {
                up_to_client_ccs(c)?;
                c.finished_with(true)
            },
            A::DecryptError,
        ),
        // ---- records (RFC 5246 §6.2.3, §6.2.1) ---------------------------
        cc(
            "Finished record with a bad MAC",
            |c| {
                up_to_client_ccs(c)?;
                let mut out = Vec::new();
                c.send
                    .as_mut()
                    .unwrap()
                    .seal(
                        ContentType::Handshake,
                        &finished_message(vec![0; 12]),
                        &mut out,
                    )
                    .unwrap();
                let last = out.len() - 1;
                out[last] ^= 1;
                c.feed(&out)
            },
            A::BadRecordMac,
        ),
        cc(
            "application data with a bad MAC",
            |c| {
                c.full()?;
                let mut out = Vec::new();
                c.send
                    .as_mut()
                    .unwrap()
                    .seal(ContentType::ApplicationData, b"data", &mut out)
                    .unwrap();
                out[8] ^= 1;
                c.feed(&out)
            },
            A::BadRecordMac,
        ),
        cc(
            "plaintext record over 2^14 bytes",
            |c| c.feed(&record(HANDSHAKE, &vec![0; (1 << 14) + 1])),
            A::RecordOverflow,
        ),
        cc(
            "protected record over 2^14+2048 bytes",
            |c| {
                c.full()?;
                c.feed(&record(APPLICATION_DATA, &vec![0; (1 << 14) + 2049]))
            },
            A::RecordOverflow,
        ),
        // ---- ClientHello (RFC 5246 §7.4.1.2, RFC 5746, RFC 7627,
        // RFC 7507, RFC 8996) ---------------------------------------------
        cc(
            "TLS 1.1 ClientHello",
            |c| c.hello_with(|ch| ch.legacy_version = ProtocolVersion::TLSv1_1),
            A::ProtocolVersion,
        ),
        cc(
            "TLS_FALLBACK_SCSV to a server with TLS 1.3",
            |c| c.hello_with(|ch| ch.cipher_suites.push(CipherSuite::from_wire(0x5600))),
            A::InappropriateFallback,
        ),
        cc(
            "renegotiation_info not empty in the initial ClientHello",
            |c| {
                c.hello_with(|ch| {
                    ch_ext(
                        ch,
                        |e| matches!(e, Extension::RenegotiationInfo(_)),
                        Some(Extension::RenegotiationInfo(Bytes(vec![1; 12]))),
                    )
                })
            },
            A::HandshakeFailure,
        ),
        cc_with(
            "EMS required, the client leaves it out",
            |s| s.require_extended_master_secret = true,
            |c| {
                c.hello_with(|ch| {
                    ch_ext(ch, |e| matches!(e, Extension::ExtendedMasterSecret), None)
                })
            },
            A::HandshakeFailure,
        ),
        cc(
            "no common cipher suite",
            |c| {
                c.hello_with(|ch| {
                    ch.cipher_suites = vec![CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384]
                })
            },
            A::HandshakeFailure,
        ),
        // ---- ClientKeyExchange (RFC 5246 §7.4.7, RFC 8422 §5.7,
        // RFC 7919 §4) ------------------------------------------------------
        cc(
            "x25519 share of 31 bytes",
            |c| {
                c.hello()?;
                c.key_exchange_raw(vec![9; 31])
            },
            A::IllegalParameter,
        ),
        cc(
            "x25519 share giving an all-zero secret",
            |c| {
                c.hello()?;
                c.key_exchange_raw(vec![0; 32])
            },
            A::IllegalParameter,
        ),
        cc(
            "empty ECDHE share",
            |c| {
                c.hello()?;
                c.plain(HANDSHAKE, &raw_message(16, &[0]))
            },
            A::DecodeError,
        ),
        cc(
            "RSA-style ClientKeyExchange in an ECDHE suite",
            |c| {
                c.hello()?;
                let mut body = vec![1, 0];
                body.extend_from_slice(&[0x5a; 256]);
                c.plain(HANDSHAKE, &raw_message(16, &body))
            },
            A::DecodeError,
        ),
        cc(
            "P-256 point not on the curve",
            |c| {
                c.hello_with(|ch| {
                    ch.extensions.as_mut().unwrap().0[0] =
                        Extension::SupportedGroups(vec![NamedGroup::Secp256r1])
                })?;
                let mut point = vec![4];
                point.extend_from_slice(&[0x11; 64]);
                c.key_exchange_raw(point)
            },
            A::IllegalParameter,
        ),
        cc(
            "compressed P-256 point",
            |c| {
                c.hello_with(|ch| {
                    ch.extensions.as_mut().unwrap().0[0] =
                        Extension::SupportedGroups(vec![NamedGroup::Secp256r1])
                })?;
                let mut point = vec![2];
                point.extend_from_slice(&[0x11; 32]);
                c.key_exchange_raw(point)
            },
            A::IllegalParameter,
        ),
        cc_with(
            "DHE Yc = 0",
            dhe_server,
            |c| dhe_client(c, |_| vec![0]),
            A::HandshakeFailure,
        ),
        cc_with(
            "DHE Yc = 1",
            dhe_server,
            |c| dhe_client(c, |_| vec![1]),
            A::HandshakeFailure,
        ),
        cc_with(
            "DHE Yc = p-1",
            dhe_server,
            |c| dhe_client(c, minus_one),
            A::HandshakeFailure,
        ),
        cc_with(
            "DHE Yc = p",
            dhe_server,
            |c| dhe_client(c, |p| p.to_vec()),
            A::HandshakeFailure,
        ),
        // ---- messages the client must not send --------------------------
        cc(
            "ServerKeyExchange from the client",
            |c| {
                c.hello()?;
                let mut body = vec![3, 0, 29, 32];
                body.extend_from_slice(&[9; 32]);
                body.extend_from_slice(&[4, 3, 0, 1, 0]);
                c.plain(HANDSHAKE, &raw_message(12, &body))
            },
            A::UnexpectedMessage,
        ),
        cc(
            "ClientKeyExchange before ClientHello",
            |c| c.key_exchange_raw(vec![9; 32]),
            A::UnexpectedMessage,
        ),
        // ---- client certificates (RFC 5246 §7.4.6, §7.4.8) ----------------
        cc(
            "client Certificate when not requested",
            |c| {
                c.hello()?;
                client_certificate(c, client_chain())
            },
            A::UnexpectedMessage,
        ),
        cc(
            "CertificateVerify when not requested",
            |c| {
                c.hello()?;
                c.key_exchange()?;
                certificate_verify(c, false)
            },
            A::UnexpectedMessage,
        ),
        cc_with(
            "empty client Certificate when required",
            require_client_cert,
            |c| {
                c.hello()?;
                client_certificate(c, vec![])
            },
            A::HandshakeFailure,
        ),
        cc_with(
            "ClientKeyExchange without Certificate when required",
            require_client_cert,
            |c| {
                c.hello()?;
                c.key_exchange()
            },
            A::UnexpectedMessage,
        ),
        cc_with(
            "CertificateVerify with a bad signature",
            require_client_cert,
            |c| {
                c.hello()?;
                client_certificate(c, client_chain())?;
                c.key_exchange()?;
                certificate_verify(c, true)
            },
            A::DecryptError,
        ),
        cc_with(
            "CertificateVerify with a scheme of another key type",
            require_client_cert,
            |c| {
                c.hello()?;
                client_certificate(c, client_chain())?;
                c.key_exchange()?;
                let key =
                    provider_key(&Pki::get().client(KeyType::EcdsaP256).private_key()).unwrap();
                let signature = key.sign(ECDSA, &c.transcript, &SystemRandom).unwrap();
                c.handshake(HandshakePayload::CertificateVerify(DigitallySigned {
                    scheme: SignatureScheme::RsaPssRsaeSha256,
                    signature: Bytes(signature),
                }))
            },
            A::IllegalParameter,
        ),
        cc_with(
            "a server's certificate (no clientAuth purpose) as the client's",
            require_client_cert,
            |c| {
                c.hello()?;
                let chain = Pki::get()
                    .untrusted_server
                    .chain()
                    .iter()
                    .map(|d| Bytes(d.as_ref().to_vec()))
                    .collect();
                client_certificate(c, chain)
            },
            A::BadCertificate,
        ),
        cc_with(
            "CertificateVerify after an empty Certificate",
            optional_client_cert,
            |c| {
                c.hello()?;
                client_certificate(c, vec![])?;
                c.key_exchange()?;
                certificate_verify(c, false)
            },
            A::UnexpectedMessage,
        ),
        cc_with(
            "CCS without CertificateVerify",
            require_client_cert,
            |c| {
                c.hello()?;
                client_certificate(c, client_chain())?;
                c.key_exchange()?;
                c.ccs()
            },
            A::UnexpectedMessage,
        ),
        // ---- static RSA (RFC 5246 §7.4.7.1): every failure to decrypt
        // the premaster secret shows only as a Finished sealed under
        // other keys ------------------------------------------------------
        cc_with(
            "static RSA: garbage ciphertext",
            static_rsa_server,
            |c| static_rsa(c, vec![0x5a; 256], &[3; 48], false),
            A::BadRecordMac,
        ),
        cc_with(
            "static RSA: ciphertext of the wrong length",
            static_rsa_server,
            |c| static_rsa(c, vec![0x5a; 255], &[3; 48], false),
            A::BadRecordMac,
        ),
        cc_with(
            "static RSA: premaster with the wrong client_version",
            static_rsa_server,
            |c| {
                let (encrypted, premaster) =
                    encrypt_premaster(&server_spki(), ProtocolVersion::TLSv1_1, &SystemRandom)
                        .unwrap();
                static_rsa(c, encrypted, premaster.expose(), false)
            },
            A::BadRecordMac,
        ),
        cc_with(
            "static RSA: right premaster, wrong Finished",
            static_rsa_server,
            |c| {
                let (encrypted, premaster) =
                    encrypt_premaster(&server_spki(), ProtocolVersion::TLSv1_2, &SystemRandom)
                        .unwrap();
                static_rsa(c, encrypted, premaster.expose(), true)
            },
            A::DecryptError,
        ),
    ];
    assert!(cases.len() >= 40, "{} client cases", cases.len());
    run_all(&cases, run_client_case, |c| c.name);
}

/// RFC 5246 §7.4.7.1: "In any case, a TLS server MUST NOT generate an
/// alert if processing an RSA-encrypted premaster secret message fails".
/// Garbage, a ciphertext of the wrong length and a well-padded premaster
/// with the wrong client_version all pass the ClientKeyExchange silently
/// (a random premaster secret instead) and end alike: the client's
/// Finished cannot be opened under the server's keys, which is the same
/// bad_record_mac, byte for byte, as any Finished sealed under wrong keys.
#[test]
fn static_rsa_failures_look_alike() {
    let (old, _) =
        encrypt_premaster(&server_spki(), ProtocolVersion::TLSv1_1, &SystemRandom).unwrap();
    let mut outcomes = Vec::new();
    for encrypted in [vec![0x5a; 256], vec![0x5a; 255], old] {
        let mut c = ScriptedClient12::new(static_rsa_server);
        let err = static_rsa(&mut c, encrypted, &[3; 48], false).unwrap_err();
        outcomes.push((err.alert(), c.server.pending_tls().to_vec()));
    }
    let want = (
        Some(A::BadRecordMac),
        vec![21, 3, 3, 0, 2, 2, A::BadRecordMac.to_wire()],
    );
    assert!(outcomes.iter().all(|o| *o == want), "{outcomes:?}");
}
