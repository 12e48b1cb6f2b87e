//! The ferrotls TLS 1.3 client against a rustls server, in memory: every
//! suite × group × server key type, HelloRetryRequest, ALPN, certificate
//! failures and KeyUpdate. Each run checks what both ends negotiated and
//! that data crosses both ways.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod rustls_peer;

use std::sync::{Arc, Mutex};

use ferrotls::auth::{provider_key, ClientCertChooser, RootStore, ServerCertVerifier};
use ferrotls::config::ClientConfig;
use ferrotls::msgs::enums::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion};
use ferrotls::{ClientConnection, Error};
use ferrotls_test::pair;
use ferrotls_test::pki::{Identity, KeyType, Pki};
use rustls::crypto::aws_lc_rs as provider;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::sign::CertifiedKey;
use rustls_peer::{rustls_group, rustls_suite, OneCert, RecordingKey, RustlsServer};
use rustls_pki_types::ServerName;

// ---- the rustls server ---------------------------------------------------

/// What the rustls server is set up with.
struct ServerSetup<'a> {
    identity: &'a Identity,
    suites: Vec<rustls::SupportedCipherSuite>,
    groups: Vec<&'static dyn rustls::crypto::SupportedKxGroup>,
    alpn: Vec<Vec<u8>>,
    /// Ask for a client certificate: `Some(true)` requires one.
    client_auth: Option<bool>,
}

impl<'a> ServerSetup<'a> {
    fn new(identity: &'a Identity) -> Self {
        Self {
            identity,
            suites: provider::DEFAULT_CIPHER_SUITES.to_vec(),
            groups: provider::ALL_KX_GROUPS.to_vec(),
            alpn: Vec::new(),
            client_auth: None,
        }
    }

    fn start(self) -> RustlsServer {
        let provider = Arc::new(CryptoProvider {
            cipher_suites: self.suites,
            kx_groups: self.groups,
            ..provider::default_provider()
        });
        let key = provider
            .key_provider
            .load_private_key(self.identity.private_key())
            .unwrap();
        let used = Arc::new(Mutex::new(None));
        let key = Arc::new(RecordingKey {
            inner: key,
            used: used.clone(),
        });
        let certified = Arc::new(CertifiedKey::new(self.identity.chain(), key));
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap();
        let builder = match self.client_auth {
            None => builder.with_no_client_auth(),
            Some(required) => {
                let mut roots = rustls::RootCertStore::empty();
                for root in Pki::get().roots() {
                    roots.add(root).unwrap();
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
                let verifier = match required {
                    true => verifier,
                    false => verifier.allow_unauthenticated(),
                };
                builder.with_client_cert_verifier(verifier.build().unwrap())
            }
        };
        let mut config = builder.with_cert_resolver(Arc::new(OneCert(certified)));
        config.alpn_protocols = self.alpn;
        RustlsServer {
            conn: rustls::ServerConnection::new(Arc::new(config)).unwrap(),
            signed_with: used,
        }
    }
}

// ---- the ferrotls client -------------------------------------------------

fn client_config() -> ClientConfig {
    let mut roots = RootStore::empty();
    roots.add_all(&Pki::get().roots()).unwrap();
    let mut config = ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(roots))));
    config.policy.versions = vec![ProtocolVersion::TLSv1_3];
    config.policy.cipher_suites.retain(|s| {
        s.to_string().starts_with("TLS_AES") || s.to_string().starts_with("TLS_CHACHA")
    });
    config
}

fn connect(config: ClientConfig, name: &str) -> ClientConnection {
    ClientConnection::new(
        Arc::new(config),
        ServerName::try_from(name.to_string()).unwrap(),
    )
    .unwrap()
}

/// Checks both ends agree on version, suite, group and signature scheme.
fn assert_negotiated(
    client: &ClientConnection,
    server: &RustlsServer,
    suite: CipherSuite,
    group: NamedGroup,
) {
    let n = client.negotiated();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(n.cipher_suite, Some(suite));
    assert_eq!(n.group, Some(group));
    assert_eq!(
        server.conn.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_3)
    );
    assert_eq!(
        u16::from(server.conn.negotiated_cipher_suite().unwrap().suite()),
        suite.to_wire()
    );
    assert_eq!(
        u16::from(server.conn.negotiated_key_exchange_group().unwrap().name()),
        group.to_wire()
    );
    let scheme = n.signature_scheme.expect("client saw no signature scheme");
    let server_scheme = server
        .signed_with
        .lock()
        .unwrap()
        .expect("server did not sign");
    assert_eq!(u16::from(server_scheme), scheme.to_wire());
    assert_eq!(n.server_name.as_deref(), Some("localhost"));
    assert!(!n.peer_certificates.is_empty());
}

const SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
];

const GROUPS: [NamedGroup; 4] = [
    NamedGroup::X25519,
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
    NamedGroup::X25519MLKEM768,
];

fn full_matrix(key_type: KeyType) {
    let identity = Pki::get().server(key_type);
    for suite in SUITES {
        for group in GROUPS {
            let mut server = ServerSetup {
                suites: vec![rustls_suite(suite)],
                groups: vec![rustls_group(group)],
                ..ServerSetup::new(identity)
            }
            .start();
            let mut config = client_config();
            config.policy.cipher_suites = vec![suite];
            config.key_share_groups = vec![group];
            let mut client = connect(config, "localhost");
            pair::handshake(&mut client, &mut server);
            assert_negotiated(&client, &server, suite, group);
            assert!(!client.negotiated().hello_retry, "{suite} {group}");
            pair::exchange_data(&mut client, &mut server);
        }
    }
}

#[test]
fn every_suite_and_group_with_ecdsa_p256() {
    full_matrix(KeyType::EcdsaP256);
}

#[test]
fn every_suite_and_group_with_ecdsa_p384() {
    full_matrix(KeyType::EcdsaP384);
}

#[test]
fn every_suite_and_group_with_rsa2048_pss() {
    full_matrix(KeyType::Rsa2048);
}

#[test]
fn every_suite_and_group_with_ed25519() {
    full_matrix(KeyType::Ed25519);
}

/// RFC 8446 §4.1.4: the client shares x25519 only, the server wants
/// secp256r1: one HelloRetryRequest, then the handshake completes.
#[test]
fn hello_retry_request_for_another_group() {
    for compat in [true, false] {
        let mut server = ServerSetup {
            groups: vec![rustls_group(NamedGroup::Secp256r1)],
            ..ServerSetup::new(Pki::get().server(KeyType::EcdsaP256))
        }
        .start();
        let mut config = client_config();
        config.key_share_groups = vec![NamedGroup::X25519];
        config.middlebox_compat = compat;
        let mut client = connect(config, "localhost");
        pair::handshake(&mut client, &mut server);
        assert!(client.negotiated().hello_retry);
        assert_eq!(
            server.conn.handshake_kind(),
            Some(rustls::HandshakeKind::FullWithHelloRetryRequest)
        );
        assert_negotiated(
            &client,
            &server,
            CipherSuite::TLS_AES_128_GCM_SHA256,
            NamedGroup::Secp256r1,
        );
        pair::exchange_data(&mut client, &mut server);
    }
}

#[test]
fn alpn_agreed() {
    let mut server = ServerSetup {
        alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        ..ServerSetup::new(Pki::get().server(KeyType::EcdsaP256))
    }
    .start();
    let mut config = client_config();
    config.policy.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut client = connect(config, "localhost");
    pair::handshake(&mut client, &mut server);
    assert_eq!(client.negotiated().alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(server.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
    pair::exchange_data(&mut client, &mut server);
}

/// RFC 7301 §3.2: a server with no protocol in common answers
/// no_application_protocol.
#[test]
fn alpn_refused_by_the_server() {
    let mut server = ServerSetup {
        alpn: vec![b"h2".to_vec()],
        ..ServerSetup::new(Pki::get().server(KeyType::EcdsaP256))
    }
    .start();
    let mut config = client_config();
    config.policy.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut client = connect(config, "localhost");
    let failures = pair::pump(&mut client, &mut server);
    assert!(failures.server.is_some());
    assert_eq!(
        client.error(),
        Some(&Error::AlertReceived(
            AlertDescription::NoApplicationProtocol
        ))
    );
}

/// Runs a handshake the client must refuse; returns what the client
/// failed with and checks the server received `alert`.
fn client_refuses(identity: &Identity, name: &str, alert: AlertDescription) {
    let mut server = ServerSetup::new(identity).start();
    let mut client = connect(client_config(), name);
    let failures = pair::pump(&mut client, &mut server);
    assert!(failures.client.is_some(), "{failures:?}");
    let err = client.error().expect("client did not fail");
    assert_eq!(err.alert(), Some(alert), "{err}");
    let server_err = failures.server.expect("server saw no alert");
    let expected = rustls::Error::AlertReceived(rustls::AlertDescription::from(alert.to_wire()));
    assert_eq!(server_err, expected.to_string());
}

#[test]
fn wrong_host_name_sends_bad_certificate() {
    client_refuses(
        Pki::get().server(KeyType::EcdsaP256),
        "example.com",
        AlertDescription::BadCertificate,
    );
    client_refuses(
        &Pki::get().wrong_host_server,
        "localhost",
        AlertDescription::BadCertificate,
    );
}

#[test]
fn unknown_ca_sends_unknown_ca() {
    client_refuses(
        &Pki::get().untrusted_server,
        "localhost",
        AlertDescription::UnknownCa,
    );
}

/// RFC 8446 §4.6.3: KeyUpdate from each side (one asking the peer to
/// update too), with data after each.
#[test]
fn key_update_both_directions() {
    let mut server = ServerSetup::new(Pki::get().server(KeyType::Ed25519)).start();
    let mut client = connect(client_config(), "localhost");
    pair::handshake(&mut client, &mut server);
    pair::exchange_data(&mut client, &mut server);

    for _ in 0..3 {
        client.refresh_traffic_keys().unwrap();
        pair::exchange_data(&mut client, &mut server);
        server.conn.refresh_traffic_keys().unwrap();
        pair::exchange_data(&mut client, &mut server);
    }
}

/// With an IP address as the name, no server_name is sent (RFC 6066 §3)
/// and the certificate is checked against its iPAddress entries.
#[test]
fn ip_address_sends_no_sni() {
    let mut server = ServerSetup::new(Pki::get().server(KeyType::EcdsaP256)).start();
    let mut client = connect(client_config(), "127.0.0.1");
    pair::handshake(&mut client, &mut server);
    assert_eq!(client.negotiated().server_name, None);
    assert_eq!(server.conn.server_name(), None);
    pair::exchange_data(&mut client, &mut server);
}

fn client_cert_chooser(key_type: KeyType) -> Arc<ClientCertChooser> {
    let id = Pki::get().client(key_type);
    let key =
        ferrotls::auth::CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap())
            .unwrap();
    Arc::new(ClientCertChooser::new(vec![Arc::new(key)]))
}

/// RFC 8446 §4.4.2, §4.4.3: a server asking for a certificate gets ours
/// and our CertificateVerify.
#[test]
fn client_certificate_when_asked() {
    for key_type in KeyType::ALL {
        let mut server = ServerSetup {
            client_auth: Some(true),
            ..ServerSetup::new(Pki::get().server(KeyType::EcdsaP256))
        }
        .start();
        let mut config = client_config();
        config.client_auth = Some(client_cert_chooser(key_type));
        let mut client = connect(config, "localhost");
        pair::handshake(&mut client, &mut server);
        assert!(client.negotiated().client_auth, "{key_type:?}");
        let certs = server
            .conn
            .peer_certificates()
            .expect("no client certificate");
        assert_eq!(certs[0], Pki::get().client(key_type).chain()[0]);
        assert_negotiated(
            &client,
            &server,
            CipherSuite::TLS_AES_128_GCM_SHA256,
            NamedGroup::X25519,
        );
        pair::exchange_data(&mut client, &mut server);
    }
}

/// RFC 8446 §4.4.2: without a certificate the client answers with an
/// empty Certificate; a server that makes it optional goes on, one that
/// requires it fails with certificate_required (§4.4.2.4).
#[test]
fn empty_certificate_without_client_auth() {
    let mut server = ServerSetup {
        client_auth: Some(false),
        ..ServerSetup::new(Pki::get().server(KeyType::EcdsaP256))
    }
    .start();
    let mut client = connect(client_config(), "localhost");
    pair::handshake(&mut client, &mut server);
    assert!(!client.negotiated().client_auth);
    assert!(server.conn.peer_certificates().is_none());
    pair::exchange_data(&mut client, &mut server);

    let mut server = ServerSetup {
        client_auth: Some(true),
        ..ServerSetup::new(Pki::get().server(KeyType::EcdsaP256))
    }
    .start();
    let mut client = connect(client_config(), "localhost");
    let failures = pair::pump(&mut client, &mut server);
    assert!(failures.server.is_some());
    assert_eq!(
        client.error(),
        Some(&Error::AlertReceived(AlertDescription::CertificateRequired))
    );
}
