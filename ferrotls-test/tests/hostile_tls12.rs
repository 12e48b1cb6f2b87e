//! Hostile TLS 1.2 servers against the ferrotls client, scripted with
//! ferrotls's own pieces (`ferrotls_test::scripted_tls12`); the hostile
//! clients against the ferrotls server are in `hostile_tls12_server.rs`. Each row asserts the exact alert the
//! RFCs name, decoded from the ferrotls side's own output, that it is the
//! last record, and that the connection then refuses to carry anything.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use ferrotls::codec::Bytes;
use ferrotls::crypto::kx::{ffdhe_prime, KxGroup};
use ferrotls::msgs::enums::{
    AlertDescription as A, CipherSuite, ContentType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use ferrotls::msgs::extensions::Extension;
use ferrotls::msgs::finished::Finished;
use ferrotls::msgs::handshake::{HandshakeMessage, HandshakePayload};
use ferrotls::msgs::key_exchange::{ServerDhParams, ServerKeyExchangeParams};
use ferrotls::msgs::server_hello::{DowngradeSentinel, ServerHello};
use ferrotls::Error;
use ferrotls_test::pki::{KeyType, Pki};
use ferrotls_test::scripted_server::{raw_message, record};
use ferrotls_test::scripted_tls12::{
    client_config, run_all, run_server_case, ScriptedServer12, ServerCase, ServerSetup,
    APPLICATION_DATA, HANDSHAKE,
};

const ECDSA: SignatureScheme = SignatureScheme::EcdsaSecp256r1Sha256;
const DHE_SUITE: CipherSuite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;
const RSA_SUITE: CipherSuite = CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256;

fn sc(
    name: &'static str,
    script: fn(&mut ScriptedServer12) -> Result<(), Error>,
    alert: A,
) -> ServerCase {
    ServerCase {
        name,
        setup: ServerSetup::default(),
        script,
        alert,
    }
}

fn sc_with(
    name: &'static str,
    setup: ServerSetup,
    script: fn(&mut ScriptedServer12) -> Result<(), Error>,
    alert: A,
) -> ServerCase {
    ServerCase {
        name,
        setup,
        script,
        alert,
    }
}

fn finished_message(verify_data: Vec<u8>) -> Vec<u8> {
    HandshakeMessage::new(HandshakePayload::Finished(Finished {
        verify_data: Bytes(verify_data),
    }))
    .encoded()
    .to_vec()
}

/// Up to the client's flight read: ServerHello .. ServerHelloDone, and
/// the client's ClientKeyExchange, ChangeCipherSpec and Finished.
fn up_to_server_ccs(s: &mut ScriptedServer12) -> Result<(), Error> {
    s.first_flight()?;
    s.read_client_flight();
    Ok(())
}

fn ecdhe_point(s: &mut ScriptedServer12, group: KxGroup, public: Vec<u8>) -> Result<(), Error> {
    s.hello()?;
    s.certificate()?;
    s.key_exchange_with(group, |p| p.public = Bytes(public), ECDSA, ECDSA, false)
}

// ---- DHE (RFC 7919) -----------------------------------------------------

fn dhe_setup() -> ServerSetup {
    ServerSetup {
        identity: Pki::get().server(KeyType::Rsa2048),
        config: |c| {
            c.policy.cipher_suites.push(DHE_SUITE);
            c.policy.versions = vec![ProtocolVersion::TLSv1_2];
        },
    }
}

/// A DHE ServerKeyExchange with prime `p` (generator 2) and `ys`, signed
/// correctly with the RSA key.
fn dhe_exchange(s: &mut ScriptedServer12, p: Vec<u8>, ys: Vec<u8>) -> Result<(), Error> {
    s.hello_with(|sh| sh.cipher_suite = DHE_SUITE)?;
    s.certificate()?;
    let params = ServerKeyExchangeParams::Dhe(ServerDhParams {
        p: Bytes(p),
        g: Bytes(vec![2]),
        ys: Bytes(ys),
    });
    let scheme = SignatureScheme::RsaPssRsaeSha256;
    s.signed_key_exchange(params, scheme, scheme, false)
}

fn ffdhe2048() -> Vec<u8> {
    ffdhe_prime(KxGroup::Ffdhe2048).unwrap()
}

fn minus_one(p: &[u8]) -> Vec<u8> {
    let mut v = p.to_vec();
    let last = v.len() - 1;
    v[last] -= 1;
    v
}

/// The 1024-bit MODP group of RFC 2409 §6.2, too weak for RFC 7919 §3.1.
const MODP1024: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1\
29024E088A67CC74020BBEA63B139B22514A08798E3404DD\
EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245\
E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED\
EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381\
FFFFFFFFFFFFFFFF";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn static_rsa_setup() -> ServerSetup {
    ServerSetup {
        identity: Pki::get().server(KeyType::Rsa2048),
        config: |c| {
            c.policy.cipher_suites.push(RSA_SUITE);
            c.policy.versions = vec![ProtocolVersion::TLSv1_2];
        },
    }
}

fn hello_ext(sh: &mut ServerHello, f: impl Fn(&Extension) -> bool, with: Option<Extension>) {
    let exts = &mut sh.extensions.as_mut().unwrap().0;
    exts.retain(|e| !f(e));
    if let Some(e) = with {
        exts.push(e);
    }
}

/// The session ID every scripted ServerHello carries.
const SESSION_ID: [u8; 32] = [0x5e; 32];

/// A full handshake that leaves a session in the client's store, then a
/// second connection offering it, answered by a ServerHello that resumes
/// it (echoes the session ID), changed by `f` (RFC 5246 §7.4.1.3).
fn resume_with(s: &mut ScriptedServer12, f: fn(&mut ServerHello)) -> Result<(), Error> {
    let setup = ServerSetup::default();
    let config = Arc::new(client_config(&setup));
    let mut first = ScriptedServer12::with_config(config.clone(), setup.identity);
    first.full().unwrap();
    *s = ScriptedServer12::with_config(config, setup.identity);
    assert_eq!(
        s.hello.legacy_session_id.0, SESSION_ID,
        "session not offered"
    );
    s.hello_with(|sh| {
        sh.legacy_session_id_echo = Bytes(SESSION_ID.to_vec());
        f(sh)
    })
}

#[test]
fn scripted_tls12_server_completes_the_handshake() {
    let mut s = ScriptedServer12::new(&ServerSetup::default());
    s.full().unwrap();
    assert!(!s.client.is_handshaking());
    assert_eq!(
        s.client.negotiated().version,
        Some(ProtocolVersion::TLSv1_2)
    );
    s.seal(ContentType::ApplicationData, b"hello").unwrap();
    let mut buf = [0u8; 16];
    let n = s.client.read_plaintext(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello");
}

#[test]
fn hostile_tls12_servers() {
    let cases = vec![
        // ---- ChangeCipherSpec at the wrong moment (RFC 5246 §7.1,
        // CVE-2014-0224) ------------------------------------------------
        sc(
            "CCS before ServerHelloDone",
            |s| {
                s.hello()?;
                s.certificate()?;
                s.ccs()
            },
            A::UnexpectedMessage,
        ),
        sc(
            "CCS right after ServerHello",
            |s| {
                s.hello()?;
                s.ccs()
            },
            A::UnexpectedMessage,
        ),
        sc(
            "CCS twice",
            |s| {
                up_to_server_ccs(s)?;
                s.ccs()?;
                s.ccs()
            },
            A::UnexpectedMessage,
        ),
        sc(
            "Finished without CCS",
            |s| {
                up_to_server_ccs(s)?;
                s.plain(HANDSHAKE, &finished_message(vec![0; 12]))
            },
            A::UnexpectedMessage,
        ),
        sc(
            "unencrypted Finished after CCS",
            |s| {
                up_to_server_ccs(s)?;
                s.ccs()?;
                s.plain(HANDSHAKE, &finished_message(vec![0; 12]))
            },
            A::BadRecordMac,
        ),
        sc(
            "application data before Finished",
            |s| {
                up_to_server_ccs(s)?;
                s.ccs()?;
                s.seal(ContentType::ApplicationData, b"early")
            },
            A::UnexpectedMessage,
        ),
        sc(
            "application data before CCS",
            |s| {
                up_to_server_ccs(s)?;
                s.plain(APPLICATION_DATA, b"early")
            },
            A::UnexpectedMessage,
        ),
        sc(
            "ServerHelloDone twice",
            |s| {
                up_to_server_ccs(s)?;
                s.done()
            },
            A::UnexpectedMessage,
        ),
        // RFC 5077 §3.3: a NewSessionTicket only when the ServerHello
        // announced one with an empty SessionTicket extension.
        sc(
            "NewSessionTicket not announced",
            |s| {
                up_to_server_ccs(s)?;
                s.plain(HANDSHAKE, &raw_message(4, &[0, 0, 0, 100, 0, 2, 1, 2]))
            },
            A::UnexpectedMessage,
        ),
        // ---- Finished (RFC 5246 §7.4.9) ----------------------------------
        sc(
            "Finished mismatch",
            |s| {
                up_to_server_ccs(s)?;
                s.ccs()?;
                s.finished_with(true)
            },
            A::DecryptError,
        ),
        sc(
            "Finished with 11 bytes of verify_data",
            |s| {
                up_to_server_ccs(s)?;
                s.ccs()?;
                s.seal(ContentType::Handshake, &raw_message(20, &[0; 11]))
            },
            A::DecodeError,
        ),
        // ---- records (RFC 5246 §6.2.3, §6.2.1) ---------------------------
        sc(
            "Finished record with a bad MAC",
            |s| {
                up_to_server_ccs(s)?;
                s.ccs()?;
                let mut out = Vec::new();
                let fin = finished_message(vec![0; 12]);
                s.send
                    .as_mut()
                    .unwrap()
                    .seal(ContentType::Handshake, &fin, &mut out)
                    .unwrap();
                let last = out.len() - 1;
                out[last] ^= 1;
                s.feed(&out)
            },
            A::BadRecordMac,
        ),
        sc(
            "application data with a bad MAC",
            |s| {
                s.full()?;
                let mut out = Vec::new();
                s.send
                    .as_mut()
                    .unwrap()
                    .seal(ContentType::ApplicationData, b"data", &mut out)
                    .unwrap();
                out[8] ^= 1;
                s.feed(&out)
            },
            A::BadRecordMac,
        ),
        sc(
            "plaintext record over 2^14 bytes",
            |s| s.feed(&record(HANDSHAKE, &vec![0; (1 << 14) + 1])),
            A::RecordOverflow,
        ),
        sc(
            "protected record over 2^14+2048 bytes",
            |s| {
                s.full()?;
                s.feed(&record(APPLICATION_DATA, &vec![0; (1 << 14) + 2049]))
            },
            A::RecordOverflow,
        ),
        // ---- ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3, RFC 5746,
        // RFC 7627) -------------------------------------------------------
        sc(
            "downgrade sentinel in a TLS 1.2 ServerHello",
            |s| s.hello_with(|sh| DowngradeSentinel::Tls12.apply(&mut sh.random)),
            A::IllegalParameter,
        ),
        sc(
            "TLS 1.1 downgrade sentinel in a TLS 1.2 ServerHello",
            |s| s.hello_with(|sh| DowngradeSentinel::Tls11OrBelow.apply(&mut sh.random)),
            A::IllegalParameter,
        ),
        sc(
            "TLS 1.1 ServerHello",
            |s| s.hello_with(|sh| sh.legacy_version = ProtocolVersion::TLSv1_1),
            A::ProtocolVersion,
        ),
        sc(
            "renegotiation_info not empty",
            |s| {
                s.hello_with(|sh| {
                    hello_ext(
                        sh,
                        |e| matches!(e, Extension::RenegotiationInfo(_)),
                        Some(Extension::RenegotiationInfo(Bytes(vec![1; 24]))),
                    )
                })
            },
            A::HandshakeFailure,
        ),
        sc_with(
            "EMS required, the server leaves it out",
            ServerSetup {
                config: |c| c.require_extended_master_secret = true,
                ..ServerSetup::default()
            },
            |s| {
                s.hello_with(|sh| {
                    hello_ext(sh, |e| matches!(e, Extension::ExtendedMasterSecret), None)
                })
            },
            A::HandshakeFailure,
        ),
        // ---- Certificate (RFC 5246 §7.4.2) --------------------------------
        sc(
            "ServerKeyExchange without Certificate",
            |s| {
                s.hello()?;
                s.key_exchange()
            },
            A::UnexpectedMessage,
        ),
        sc(
            "empty server Certificate",
            |s| {
                s.hello()?;
                s.certificate_chain(vec![])
            },
            A::DecodeError,
        ),
        sc_with(
            "RSA certificate in an ECDHE_ECDSA suite",
            ServerSetup {
                identity: Pki::get().server(KeyType::Rsa2048),
                ..ServerSetup::default()
            },
            |s| {
                s.hello()?;
                s.certificate()?;
                let scheme = SignatureScheme::RsaPssRsaeSha256;
                s.key_exchange_with(KxGroup::X25519, |_| {}, scheme, scheme, false)
            },
            // The certificate passes; its key cannot make a signature
            // that fits the suite (RFC 5246 §7.4.3, RFC 8422 §5.4).
            A::IllegalParameter,
        ),
        // ---- ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4) ----------
        sc(
            "ServerHelloDone without ServerKeyExchange",
            |s| {
                s.hello()?;
                s.certificate()?;
                s.done()
            },
            A::UnexpectedMessage,
        ),
        sc(
            "ServerKeyExchange signature does not verify",
            |s| {
                s.hello()?;
                s.certificate()?;
                s.key_exchange_with(KxGroup::X25519, |_| {}, ECDSA, ECDSA, true)
            },
            A::DecryptError,
        ),
        sc(
            "ServerKeyExchange signed with another key",
            |s| {
                let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
                let der = rustls_pki_types::PrivateKeyDer::Pkcs8(other.serialize_der().into());
                s.signer = Some(ferrotls::auth::provider_key(&der).unwrap());
                s.hello()?;
                s.certificate()?;
                s.key_exchange()
            },
            A::DecryptError,
        ),
        sc(
            "ServerKeyExchange with a scheme of another key type",
            |s| {
                s.hello()?;
                s.certificate()?;
                s.key_exchange_with(
                    KxGroup::X25519,
                    |_| {},
                    ECDSA,
                    SignatureScheme::RsaPssRsaeSha256,
                    false,
                )
            },
            A::IllegalParameter,
        ),
        sc(
            "ServerKeyExchange with a scheme not offered",
            |s| {
                s.hello()?;
                s.certificate()?;
                s.key_exchange_with(
                    KxGroup::X25519,
                    |_| {},
                    ECDSA,
                    SignatureScheme::EcdsaSha1,
                    false,
                )
            },
            A::IllegalParameter,
        ),
        sc_with(
            "ECDHE group not offered",
            ServerSetup {
                config: |c| c.policy.groups = vec![NamedGroup::X25519],
                ..ServerSetup::default()
            },
            |s| {
                s.hello()?;
                s.certificate()?;
                s.key_exchange_with(KxGroup::Secp256r1, |_| {}, ECDSA, ECDSA, false)
            },
            A::IllegalParameter,
        ),
        sc(
            "compressed P-256 point",
            |s| {
                let mut point = vec![2];
                point.extend_from_slice(&[0x11; 32]);
                ecdhe_point(s, KxGroup::Secp256r1, point)
            },
            A::IllegalParameter,
        ),
        sc(
            "P-256 point not on the curve",
            |s| {
                let mut point = vec![4];
                point.extend_from_slice(&[0x11; 64]);
                ecdhe_point(s, KxGroup::Secp256r1, point)
            },
            A::IllegalParameter,
        ),
        sc(
            "x25519 share of 31 bytes",
            |s| ecdhe_point(s, KxGroup::X25519, vec![9; 31]),
            A::IllegalParameter,
        ),
        sc(
            "x25519 share giving an all-zero secret",
            |s| {
                ecdhe_point(s, KxGroup::X25519, vec![0; 32])?;
                s.done()
            },
            A::IllegalParameter,
        ),
        sc_with(
            "DHE Ys = 0",
            dhe_setup(),
            |s| dhe_exchange(s, ffdhe2048(), vec![0]),
            A::HandshakeFailure,
        ),
        sc_with(
            "DHE Ys = 1",
            dhe_setup(),
            |s| dhe_exchange(s, ffdhe2048(), vec![1]),
            A::HandshakeFailure,
        ),
        sc_with(
            "DHE Ys = p-1",
            dhe_setup(),
            |s| dhe_exchange(s, ffdhe2048(), minus_one(&ffdhe2048())),
            A::HandshakeFailure,
        ),
        sc_with(
            "DHE Ys = p",
            dhe_setup(),
            |s| dhe_exchange(s, ffdhe2048(), ffdhe2048()),
            A::HandshakeFailure,
        ),
        sc_with(
            "DHE group of 1024 bits",
            dhe_setup(),
            |s| dhe_exchange(s, hex(MODP1024), vec![5; 100]),
            A::InsufficientSecurity,
        ),
        sc_with(
            "ServerKeyExchange in a static RSA suite",
            static_rsa_setup(),
            |s| {
                s.hello_with(|sh| sh.cipher_suite = RSA_SUITE)?;
                s.certificate()?;
                let scheme = SignatureScheme::RsaPssRsaeSha256;
                s.key_exchange_with(KxGroup::X25519, |_| {}, scheme, scheme, false)
            },
            A::UnexpectedMessage,
        ),
        // ---- resumption (RFC 5246 §7.4.1.3, RFC 7627 §5.3) ----------------
        sc(
            "resumption with another cipher suite",
            |s| {
                resume_with(s, |sh| {
                    sh.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                })
            },
            A::IllegalParameter,
        ),
        sc(
            "resumption without the extended master secret",
            |s| {
                resume_with(s, |sh| {
                    hello_ext(sh, |e| matches!(e, Extension::ExtendedMasterSecret), None)
                })
            },
            A::HandshakeFailure,
        ),
        sc(
            "resumption at TLS 1.1",
            |s| resume_with(s, |sh| sh.legacy_version = ProtocolVersion::TLSv1_1),
            A::ProtocolVersion,
        ),
        sc(
            "resumed ServerHello followed by a Certificate",
            |s| {
                resume_with(s, |_| {})?;
                s.certificate()
            },
            A::UnexpectedMessage,
        ),
    ];
    assert!(cases.len() >= 40, "{} server cases", cases.len());
    run_all(&cases, run_server_case, |c| c.name);
}
