//! The ferrotls TLS 1.2 client against a rustls 0.23 server limited to
//! TLS 1.2, in memory: every ECDHE suite × curve × fitting server key
//! type, client certificates (required, optional, none held), ALPN, a
//! NewSessionTicket before the server's ChangeCipherSpec (RFC 5077 §3.3),
//! a required extended master secret, and a tampered server Finished.
//! Each run checks what both ends negotiated and that data crosses both
//! ways.
//!
//! rustls implements neither DHE nor static RSA; those are covered
//! against OpenSSL (`client12_openssl.rs`).
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod rustls_peer;

use std::sync::{Arc, Mutex};

use ferrotls::auth::{provider_key, ClientCertChooser, RootStore, ServerCertVerifier};
use ferrotls::config::{ClientConfig, DEFAULT_TLS12_SUITES, DEFAULT_TLS13_SUITES};
use ferrotls::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use ferrotls::ClientConnection;
use ferrotls_test::pair::{self, Endpoint};
use ferrotls_test::pki::{Identity, KeyType, Pki};
use rustls::crypto::aws_lc_rs as provider;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::sign::CertifiedKey;
use rustls_peer::{rustls_group, rustls_suite, OneCert, RecordingKey, RustlsServer};
use rustls_pki_types::ServerName;

// ---- the rustls server ---------------------------------------------------

/// What the rustls (TLS 1.2 only) server is set up with.
struct ServerSetup<'a> {
    identity: &'a Identity,
    suites: Vec<rustls::SupportedCipherSuite>,
    groups: Vec<&'static dyn rustls::crypto::SupportedKxGroup>,
    alpn: Vec<Vec<u8>>,
    client_auth: Option<bool>,
    tickets: bool,
}

impl<'a> ServerSetup<'a> {
    fn new(identity: &'a Identity) -> Self {
        Self {
            identity,
            suites: provider::ALL_CIPHER_SUITES.to_vec(),
            groups: provider::ALL_KX_GROUPS.to_vec(),
            alpn: Vec::new(),
            client_auth: None,
            tickets: false,
        }
    }

    fn start(self) -> RustlsServer {
        let (config, signed_with) = self.build();
        RustlsServer {
            conn: rustls::ServerConnection::new(config).unwrap(),
            signed_with,
        }
    }

    fn build(
        self,
    ) -> (
        Arc<rustls::ServerConfig>,
        Arc<Mutex<Option<rustls::SignatureScheme>>>,
    ) {
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
            .with_protocol_versions(&[&rustls::version::TLS12])
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
        if self.tickets {
            config.ticketer = provider::Ticketer::new().unwrap();
        }
        (Arc::new(config), used)
    }
}

// ---- the ferrotls client -------------------------------------------------

/// TLS 1.3 and 1.2 offered (the rustls server only speaks 1.2), default suites.
fn client_config() -> ClientConfig {
    let mut roots = RootStore::empty();
    roots.add_all(&Pki::get().roots()).unwrap();
    let mut config = ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(roots))));
    config.policy.versions = vec![ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];
    config.policy.cipher_suites = DEFAULT_TLS13_SUITES
        .iter()
        .chain(DEFAULT_TLS12_SUITES)
        .copied()
        .collect();
    config
}

fn connect(config: ClientConfig) -> ClientConnection {
    ClientConnection::new(Arc::new(config), ServerName::try_from("localhost").unwrap()).unwrap()
}

fn assert_negotiated(
    client: &ClientConnection,
    server: &RustlsServer,
    suite: CipherSuite,
    group: NamedGroup,
) {
    let n = client.negotiated();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(n.cipher_suite, Some(suite));
    assert_eq!(n.group, Some(group));
    assert!(n.extended_master_secret);
    assert!(!n.resumed);
    assert_eq!(
        server.conn.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
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
    assert_eq!(server.conn.server_name(), Some("localhost"));
    assert!(!n.peer_certificates.is_empty());
}

const ECDSA_SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
];
const RSA_SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];
const GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
];

/// Every ECDHE suite × curve × key type its authentication allows.
#[test]
fn suites_groups_and_key_types() {
    let mut cases = Vec::new();
    for suite in ECDSA_SUITES {
        for key_type in [KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519] {
            cases.push((suite, key_type));
        }
    }
    for suite in RSA_SUITES {
        cases.push((suite, KeyType::Rsa2048));
    }
    for (suite, key_type) in cases {
        for group in GROUPS {
            let mut setup = ServerSetup::new(Pki::get().server(key_type));
            setup.suites = vec![rustls_suite(suite)];
            setup.groups = vec![rustls_group(group)];
            let mut server = setup.start();
            let mut config = client_config();
            config
                .policy
                .cipher_suites
                .retain(|s| *s == suite || DEFAULT_TLS13_SUITES.contains(s));
            let mut client = connect(config);
            pair::handshake(&mut client, &mut server);
            assert_negotiated(&client, &server, suite, group);
            pair::exchange_data(&mut client, &mut server);
        }
    }
}

fn client_cert_chooser(key_type: KeyType) -> Arc<ClientCertChooser> {
    let id = Pki::get().client(key_type);
    let key =
        ferrotls::auth::CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap())
            .unwrap();
    Arc::new(ClientCertChooser::new(vec![Arc::new(key)]))
}

/// RFC 5246 §7.4.6, §7.4.8: a server asking for a certificate gets ours
/// and a CertificateVerify over the handshake messages, for each key type.
#[test]
fn client_certificate_when_asked() {
    for key_type in KeyType::ALL {
        let mut setup = ServerSetup::new(Pki::get().server(KeyType::EcdsaP256));
        setup.client_auth = Some(true);
        let mut server = setup.start();
        let mut config = client_config();
        config.client_auth = Some(client_cert_chooser(key_type));
        let mut client = connect(config);
        pair::handshake(&mut client, &mut server);
        assert!(client.negotiated().client_auth, "{key_type:?}");
        assert_eq!(client.negotiated().version, Some(ProtocolVersion::TLSv1_2));
        let certs = server.conn.peer_certificates().unwrap();
        assert_eq!(certs[0], Pki::get().client(key_type).chain()[0]);
        pair::exchange_data(&mut client, &mut server);
    }
}

/// RFC 5246 §7.4.6: asked without holding a certificate, we send an empty
/// Certificate; a server that makes it optional goes on, one that
/// requires it refuses.
#[test]
fn no_client_certificate() {
    let mut setup = ServerSetup::new(Pki::get().server(KeyType::EcdsaP256));
    setup.client_auth = Some(false);
    let mut server = setup.start();
    let mut client = connect(client_config());
    pair::handshake(&mut client, &mut server);
    assert!(!client.negotiated().client_auth);
    assert!(server.conn.peer_certificates().is_none());
    pair::exchange_data(&mut client, &mut server);

    let mut setup = ServerSetup::new(Pki::get().server(KeyType::EcdsaP256));
    setup.client_auth = Some(true);
    let mut server = setup.start();
    let mut client = connect(client_config());
    let failures = pair::pump(&mut client, &mut server);
    assert!(failures.server.is_some(), "{failures:?}");
    assert!(client.error().is_some());
}

/// RFC 7301 §3.1 in a TLS 1.2 ServerHello.
#[test]
fn alpn_in_tls12() {
    let mut setup = ServerSetup::new(Pki::get().server(KeyType::Rsa2048));
    setup.alpn = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let mut server = setup.start();
    let mut config = client_config();
    config.policy.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut client = connect(config);
    pair::handshake(&mut client, &mut server);
    assert_eq!(client.negotiated().alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(server.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
    pair::exchange_data(&mut client, &mut server);
}

/// RFC 5077 §3.3: with a ticketer, rustls announces session_ticket and
/// sends a NewSessionTicket before its ChangeCipherSpec; we accept it.
/// RFC 7627: a client that requires the extended master secret gets it.
#[test]
fn ticket_before_ccs_and_required_ems() {
    let mut setup = ServerSetup::new(Pki::get().server(KeyType::EcdsaP256));
    setup.tickets = true;
    let mut server = setup.start();
    let mut config = client_config();
    config.require_extended_master_secret = true;
    let mut client = connect(config);
    pair::handshake(&mut client, &mut server);
    assert!(client.negotiated().extended_master_secret);
    pair::exchange_data(&mut client, &mut server);
}

/// RFC 5246 §7.4.9: a server Finished that does not verify is
/// decrypt_error. The last byte of the server's final flight (inside the
/// encrypted Finished) is flipped, so the record itself fails first:
/// bad_record_mac (RFC 5246 §7.2.2).
#[test]
fn tampered_server_finished() {
    let mut server = ServerSetup::new(Pki::get().server(KeyType::EcdsaP256)).start();
    let mut client = connect(client_config());
    let hello = client.take_tls();
    server.receive_tls(&hello).unwrap();
    let flight = server.take_tls();
    client.receive_tls(&flight).unwrap();
    let ours = client.take_tls();
    server.receive_tls(&ours).unwrap();
    let mut last = server.take_tls();
    *last.last_mut().unwrap() ^= 1;
    let err = client.receive_tls(&last).unwrap_err();
    assert!(err.contains("record authentication failed"), "{err}");
}

/// RFC 5246 §7.3 abbreviated handshakes against one rustls server config:
/// by session ID (rustls' session cache) and by RFC 5077 ticket. Both
/// ends report the resumption; data crosses both ways.
#[test]
fn resumption_by_session_id_and_ticket() {
    for tickets in [false, true] {
        let mut setup = ServerSetup::new(Pki::get().server(KeyType::EcdsaP256));
        setup.tickets = tickets;
        let (server_config, used) = setup.build();
        let config = client_config();
        for round in 0..3 {
            let mut server = RustlsServer {
                conn: rustls::ServerConnection::new(server_config.clone()).unwrap(),
                signed_with: used.clone(),
            };
            let mut client = connect(config.clone());
            pair::handshake(&mut client, &mut server);
            let n = client.negotiated();
            let resumed = round > 0;
            assert_eq!(n.resumed, resumed, "tickets={tickets} round={round}");
            assert_eq!(
                server.conn.handshake_kind(),
                Some(match resumed {
                    true => rustls::HandshakeKind::Resumed,
                    false => rustls::HandshakeKind::Full,
                }),
                "tickets={tickets} round={round}"
            );
            assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
            assert!(n.extended_master_secret);
            assert!(!n.peer_certificates.is_empty());
            pair::exchange_data(&mut client, &mut server);
        }
    }
}

/// A session is only offered to the server it was made with (RFC 6066
/// §3): a connection to another name does a full handshake.
#[test]
fn no_resumption_for_another_server_name() {
    let (server_config, used) = ServerSetup::new(Pki::get().server(KeyType::EcdsaP256)).build();
    let config = client_config();
    for (name, resumed) in [
        ("localhost", false),
        ("127.0.0.1", false),
        ("localhost", true),
    ] {
        let mut server = RustlsServer {
            conn: rustls::ServerConnection::new(server_config.clone()).unwrap(),
            signed_with: used.clone(),
        };
        let mut client = ClientConnection::new(
            Arc::new(config.clone()),
            ServerName::try_from(name.to_string()).unwrap(),
        )
        .unwrap();
        pair::handshake(&mut client, &mut server);
        assert_eq!(client.negotiated().resumed, resumed, "{name}");
    }
}
