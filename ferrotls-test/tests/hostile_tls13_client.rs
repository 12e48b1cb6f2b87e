//! Hostile TLS 1.3 servers against the ferrotls client, handshake
//! messages: one table of servers misbehaving in their hellos, their
//! HelloRetryRequest or their encrypted flight, each answered with the
//! exact alert RFC 8446 names (decoded from the client's own output),
//! after which the connection carries nothing more. The record layer and
//! the traffic phase have their table in `hostile_tls13_client_records.rs`.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ferrotls::codec::Bytes;
use ferrotls::config::ClientConfig;
use ferrotls::msgs::certificate::CertificateTls13;
use ferrotls::msgs::encrypted_extensions::EncryptedExtensions;
use ferrotls::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, ExtensionType, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use ferrotls::msgs::ext::key_share::KeyShareEntry;
use ferrotls::msgs::extensions::{Extension, Extensions};
use ferrotls::msgs::handshake::{HandshakeMessage, HandshakePayload};
use ferrotls::msgs::server_hello::{DowngradeSentinel, ServerHello};
use ferrotls_test::pki::{KeyType, Pki};
use ferrotls_test::scripted_server::{
    case, case_with, new_session_ticket, raw_message, run, with_trailing, ScriptedServer, Setup,
    HANDSHAKE, SUITE,
};

#[test]
fn scripted_server_completes_the_handshake() {
    let mut s = ScriptedServer::new(&Setup::default());
    s.flight().unwrap();
    assert!(!s.client.is_handshaking());
    s.seal(ContentType::ApplicationData, b"hello").unwrap();
    let mut buf = [0u8; 16];
    let n = s.client.read_plaintext(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello");
    s.client.write_plaintext(b"ping").unwrap();
    let sent = s.drain();
    assert!(sent.contains(&(ContentType::ApplicationData, b"ping".to_vec())));
    // 32 KeyUpdates in a row are within ferrotls's limit (33 are refused).
    for _ in 0..32 {
        s.send_key_update(0).unwrap();
    }
    s.seal(ContentType::ApplicationData, b"still").unwrap();
    let n = s.client.read_plaintext(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"still");
}

#[test]
fn scripted_server_completes_after_a_retry() {
    let mut s = ScriptedServer::new(&Setup::default());
    s.retry().unwrap();
    s.flight().unwrap();
    assert!(!s.client.is_handshaking());
    assert!(s.client.negotiated().hello_retry);
    assert_eq!(s.client.negotiated().group, Some(NamedGroup::Secp256r1));
}

//= https://www.rfc-editor.org/rfc/rfc8446#section-4.1.3
//# TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or below
//# MUST check that the last 8 bytes are not equal to either of these
//# values.
/// The sentinel only means something in a ServerHello choosing TLS 1.2 or
/// below: a server that selects TLS 1.3 is not downgrading, whatever its
/// random ends with, so the client completes the handshake.
#[test]
fn downgrade_sentinel_is_ignored_when_tls13_is_selected() {
    for sentinel in [DowngradeSentinel::Tls12, DowngradeSentinel::Tls11OrBelow] {
        let mut s = ScriptedServer::new(&Setup::default());
        s.hello_with(|sh| sentinel.apply(&mut sh.random)).unwrap();
        s.ee().unwrap();
        s.certificate().unwrap();
        s.certificate_verify().unwrap();
        s.finished().unwrap();
        assert!(!s.client.is_handshaking());
    }
}

fn ext_without(sh: &mut ServerHello, typ: ExtensionType) {
    sh.extensions.as_mut().unwrap().0.retain(|e| e.typ() != typ);
}

fn set_share_group(sh: &mut ServerHello, group: NamedGroup) {
    for e in &mut sh.extensions.as_mut().unwrap().0 {
        if let Extension::KeyShare(k) = e {
            k.group = group;
        }
    }
}

fn set_share_bytes(sh: &mut ServerHello, bytes: Vec<u8>) {
    for e in &mut sh.extensions.as_mut().unwrap().0 {
        if let Extension::KeyShare(k) = e {
            *k = KeyShareEntry::new(k.group, bytes.clone());
        }
    }
}

fn set_version(sh: &mut ServerHello, version: ProtocolVersion) {
    for e in &mut sh.extensions.as_mut().unwrap().0 {
        if let Extension::SelectedVersion(v) = e {
            *v = version;
        }
    }
}

fn tls13_only(c: &mut ClientConfig) {
    c.policy.versions = vec![ProtocolVersion::TLSv1_3];
}

#[test]
fn hostile_servers() {
    use AlertDescription as A;
    let cases = vec![
        // ---- messages out of order (RFC 8446 §4, §6.2) ----------------
        case(
            "EncryptedExtensions before ServerHello",
            |s| {
                let m = HandshakeMessage::new(HandshakePayload::EncryptedExtensions(
                    EncryptedExtensions {
                        extensions: Extensions(vec![]),
                    },
                ));
                s.plain(HANDSHAKE, m.encoded())
            },
            A::UnexpectedMessage,
        ),
        case(
            "Finished before ServerHello",
            |s| s.plain(HANDSHAKE, &raw_message(20, &[0; 32])),
            A::UnexpectedMessage,
        ),
        case(
            "Certificate before EncryptedExtensions",
            |s| {
                s.hello()?;
                s.certificate()
            },
            A::UnexpectedMessage,
        ),
        case(
            "CertificateVerify before Certificate",
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate_verify()
            },
            A::UnexpectedMessage,
        ),
        case(
            "Finished before CertificateVerify",
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()?;
                s.finished()
            },
            A::UnexpectedMessage,
        ),
        case(
            "a second ServerHello",
            |s| {
                s.hello()?;
                let again = HandshakePayload::ServerHello(ServerHello {
                    legacy_version: ProtocolVersion::TLSv1_2,
                    random: [7; 32],
                    legacy_session_id_echo: s.hello.legacy_session_id.clone(),
                    cipher_suite: SUITE,
                    legacy_compression_method: CompressionMethod::Null,
                    extensions: Some(Extensions(vec![Extension::SelectedVersion(
                        ProtocolVersion::TLSv1_3,
                    )])),
                });
                s.handshake(again)
            },
            A::UnexpectedMessage,
        ),
        case(
            "NewSessionTicket before Finished",
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()?;
                s.certificate_verify()?;
                s.seal(ContentType::Handshake, &new_session_ticket())
            },
            A::UnexpectedMessage,
        ),
        // ---- the ServerHello (RFC 8446 §4.1.3, §4.2) --------------------
        case(
            "cipher suite not offered",
            |s| s.hello_with(|sh| sh.cipher_suite = CipherSuite::from_wire(0x1304)),
            A::IllegalParameter,
        ),
        case(
            "TLS 1.2 suite in a TLS 1.3 ServerHello",
            |s| {
                s.hello_with(|sh| {
                    sh.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                })
            },
            A::IllegalParameter,
        ),
        case(
            "key_share for a group offered without a share",
            |s| s.hello_with(|sh| set_share_group(sh, NamedGroup::Secp256r1)),
            A::IllegalParameter,
        ),
        case(
            "key_share for a group never offered",
            |s| s.hello_with(|sh| set_share_group(sh, NamedGroup::Unknown(0x0aaa))),
            A::IllegalParameter,
        ),
        case(
            "supported_versions selects TLS 1.2",
            |s| s.hello_with(|sh| set_version(sh, ProtocolVersion::TLSv1_2)),
            A::IllegalParameter,
        ),
        case(
            "supported_versions selects an unknown version",
            |s| s.hello_with(|sh| set_version(sh, ProtocolVersion::Unknown(0x0305))),
            A::IllegalParameter,
        ),
        case_with(
            "no supported_versions, to a TLS 1.3-only client",
            Setup {
                config: tls13_only,
                ..Setup::default()
            },
            |s| s.hello_with(|sh| ext_without(sh, ExtensionType::SupportedVersions)),
            A::ProtocolVersion,
        ),
        case(
            "TLS 1.2 chosen with the downgrade sentinel",
            |s| {
                s.hello_with(|sh| {
                    ext_without(sh, ExtensionType::SupportedVersions);
                    ext_without(sh, ExtensionType::KeyShare);
                    DowngradeSentinel::Tls12.apply(&mut sh.random);
                })
            },
            A::IllegalParameter,
        ),
        case(
            "wrong legacy_session_id_echo",
            |s| s.hello_with(|sh| sh.legacy_session_id_echo.0[0] ^= 1),
            A::IllegalParameter,
        ),
        case(
            "compression method other than null",
            |s| s.hello_with(|sh| sh.legacy_compression_method = CompressionMethod::Deflate),
            A::IllegalParameter,
        ),
        case(
            "missing key_share",
            |s| s.hello_with(|sh| ext_without(sh, ExtensionType::KeyShare)),
            A::MissingExtension,
        ),
        case(
            "x25519 share of the wrong length",
            |s| s.hello_with(|sh| set_share_bytes(sh, vec![9; 31])),
            A::IllegalParameter,
        ),
        case(
            // RFC 8446 §7.4.2: an all-zero X25519 shared secret is refused.
            "x25519 share of low order (all-zero secret)",
            |s| s.hello_with(|sh| set_share_bytes(sh, vec![0; 32])),
            A::IllegalParameter,
        ),
        case(
            "unsolicited extension in ServerHello",
            |s| {
                s.hello_with(|sh| {
                    sh.extensions
                        .as_mut()
                        .unwrap()
                        .0
                        .push(Extension::SelectedPsk(0))
                })
            },
            A::UnsupportedExtension,
        ),
        case(
            "duplicate extension in ServerHello",
            |s| {
                s.hello_with(|sh| {
                    let exts = &mut sh.extensions.as_mut().unwrap().0;
                    exts.push(exts[0].clone());
                })
            },
            A::IllegalParameter,
        ),
        case(
            "trailing bytes after the ServerHello",
            |s| {
                let m = s.server_hello(|_| {});
                s.plain(HANDSHAKE, &with_trailing(&m, &[0xde, 0xad]))
            },
            A::DecodeError,
        ),
        // ---- HelloRetryRequest (RFC 8446 §4.1.4, §4.2.8) ----------------
        case(
            "HelloRetryRequest for a group already shared",
            |s| {
                s.retry_with(|hrr| {
                    for e in &mut hrr.extensions.as_mut().unwrap().0 {
                        if let Extension::KeyShareRetry(g) = e {
                            *g = NamedGroup::X25519;
                        }
                    }
                })
            },
            A::IllegalParameter,
        ),
        case(
            "HelloRetryRequest that changes nothing",
            |s| s.retry_with(|hrr| ext_without(hrr, ExtensionType::KeyShare)),
            A::IllegalParameter,
        ),
        case(
            "HelloRetryRequest with a suite not offered",
            |s| s.retry_with(|hrr| hrr.cipher_suite = CipherSuite::from_wire(0x1304)),
            A::IllegalParameter,
        ),
        case(
            "HelloRetryRequest for a group not offered",
            |s| {
                s.retry_with(|hrr| {
                    for e in &mut hrr.extensions.as_mut().unwrap().0 {
                        if let Extension::KeyShareRetry(g) = e {
                            *g = NamedGroup::Unknown(0x0aaa);
                        }
                    }
                })
            },
            A::IllegalParameter,
        ),
        case(
            "HelloRetryRequest without supported_versions",
            |s| s.retry_with(|hrr| ext_without(hrr, ExtensionType::SupportedVersions)),
            A::MissingExtension,
        ),
        case(
            "a second HelloRetryRequest",
            |s| {
                s.retry()?;
                s.retry()
            },
            A::UnexpectedMessage,
        ),
        case(
            "ServerHello suite differs from the HelloRetryRequest's",
            |s| {
                s.retry()?;
                s.hello_with(|sh| sh.cipher_suite = CipherSuite::TLS_AES_256_GCM_SHA384)
            },
            A::IllegalParameter,
        ),
        case(
            "ServerHello group differs from the HelloRetryRequest's",
            |s| {
                s.retry()?;
                s.hello_with(|sh| set_share_group(sh, NamedGroup::X25519))
            },
            A::IllegalParameter,
        ),
        // ---- EncryptedExtensions (RFC 8446 §4.2, §4.3.1) ----------------
        case(
            "key_share in EncryptedExtensions",
            |s| {
                s.hello()?;
                s.encrypted_extensions(vec![Extension::KeyShare(KeyShareEntry::new(
                    NamedGroup::X25519,
                    vec![1; 32],
                ))])
            },
            A::IllegalParameter,
        ),
        case(
            "supported_versions in EncryptedExtensions",
            |s| {
                s.hello()?;
                s.encrypted_extensions(vec![Extension::SelectedVersion(ProtocolVersion::TLSv1_3)])
            },
            A::IllegalParameter,
        ),
        case(
            "unsolicited ALPN in EncryptedExtensions",
            |s| {
                s.hello()?;
                s.encrypted_extensions(vec![Extension::Alpn(vec![Bytes(b"h2".to_vec())])])
            },
            A::UnsupportedExtension,
        ),
        case(
            "unsolicited early_data in EncryptedExtensions",
            |s| {
                s.hello()?;
                s.encrypted_extensions(vec![Extension::EarlyData])
            },
            A::UnsupportedExtension,
        ),
        case_with(
            "ALPN protocol not offered",
            Setup {
                config: |c| c.policy.alpn_protocols = vec![b"h2".to_vec()],
                ..Setup::default()
            },
            |s| {
                s.hello()?;
                s.encrypted_extensions(vec![Extension::Alpn(vec![Bytes(b"http/1.1".to_vec())])])
            },
            A::IllegalParameter,
        ),
        case(
            "trailing bytes after EncryptedExtensions",
            |s| {
                s.hello()?;
                let ee = raw_message(8, &[0, 0]);
                s.seal(ContentType::Handshake, &with_trailing(&ee, &[0]))
            },
            A::DecodeError,
        ),
        // ---- Certificate and CertificateVerify (RFC 8446 §4.4.2, §4.4.3) -
        case(
            "empty Certificate",
            |s| {
                s.hello()?;
                s.ee()?;
                s.handshake(HandshakePayload::CertificateTls13(CertificateTls13 {
                    context: Bytes(vec![]),
                    entries: vec![],
                }))
            },
            A::DecodeError,
        ),
        case_with(
            "certificate for another host",
            Setup {
                identity: &Pki::get().wrong_host_server,
                ..Setup::default()
            },
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()
            },
            A::BadCertificate,
        ),
        case_with(
            "certificate from an unknown CA",
            Setup {
                identity: &Pki::get().untrusted_server,
                ..Setup::default()
            },
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()
            },
            A::UnknownCa,
        ),
        case(
            "server Certificate with a request context",
            |s| {
                s.hello()?;
                s.ee()?;
                let HandshakePayload::CertificateTls13(mut cert) = s.certificate_payload() else {
                    unreachable!()
                };
                cert.context = Bytes(vec![1]);
                s.handshake(HandshakePayload::CertificateTls13(cert))
            },
            A::IllegalParameter,
        ),
        case(
            "CertificateRequest with a request context",
            |s| {
                s.hello()?;
                s.ee()?;
                // context <1>, signature_algorithms [ecdsa_secp256r1_sha256]
                let body = [1, 7, 0, 8, 0, 0x0d, 0, 4, 0, 2, 4, 3];
                s.seal(ContentType::Handshake, &raw_message(13, &body))
            },
            A::IllegalParameter,
        ),
        case(
            "CertificateRequest without signature_algorithms",
            |s| {
                s.hello()?;
                s.ee()?;
                // signature_algorithms_cert only
                let body = [0, 0, 8, 0, 0x32, 0, 4, 0, 2, 4, 3];
                s.seal(ContentType::Handshake, &raw_message(13, &body))
            },
            A::MissingExtension,
        ),
        case(
            "two CertificateRequests",
            |s| {
                s.hello()?;
                s.ee()?;
                let body = [0, 0, 8, 0, 0x0d, 0, 4, 0, 2, 4, 3];
                s.seal(ContentType::Handshake, &raw_message(13, &body))?;
                s.seal(ContentType::Handshake, &raw_message(13, &body))
            },
            A::UnexpectedMessage,
        ),
        case(
            "CertificateVerify with a flipped bit",
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()?;
                let scheme = SignatureScheme::EcdsaSecp256r1Sha256;
                s.certificate_verify_as(scheme, scheme, true)
            },
            A::DecryptError,
        ),
        case(
            "CertificateVerify with a scheme not offered (ecdsa_sha1)",
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()?;
                s.certificate_verify_as(
                    SignatureScheme::EcdsaSecp256r1Sha256,
                    SignatureScheme::from_wire(0x0203),
                    false,
                )
            },
            A::IllegalParameter,
        ),
        case_with(
            "rsa_pkcs1_sha256 CertificateVerify in TLS 1.3",
            Setup {
                identity: Pki::get().server(KeyType::Rsa2048),
                ..Setup::default()
            },
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()?;
                let scheme = SignatureScheme::RsaPkcs1Sha256;
                s.certificate_verify_as(scheme, scheme, false)
            },
            A::IllegalParameter,
        ),
        // ---- Finished (RFC 8446 §4.4.4) ----------------------------------
        case(
            "bad server Finished",
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()?;
                s.certificate_verify()?;
                s.finished_with(true)
            },
            A::DecryptError,
        ),
        case(
            "server Finished one byte short",
            |s| {
                s.hello()?;
                s.ee()?;
                s.certificate()?;
                s.certificate_verify()?;
                s.seal(ContentType::Handshake, &raw_message(20, &[0; 31]))
            },
            A::DecodeError,
        ),
    ];
    assert!(cases.len() >= 40);
    for c in &cases {
        run(c);
    }
}
