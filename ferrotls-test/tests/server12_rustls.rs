//! The ferrotls TLS 1.2 server against a rustls client, in memory.
//!
//! Every TLS 1.2 ECDHE suite rustls has, with each group and each
//! certificate of the suite's type; version negotiation beside TLS 1.3 and
//! the downgrade sentinel (RFC 8446 §4.1.3); the extended master secret
//! (RFC 7627, both ends log the same master secret); client certificates
//! (RFC 5246 §7.4.4-§7.4.8); resumption by ticket and session ID (RFC 5246
//! §7.3, RFC 5077). Each of these checks both ends' view and data both
//! ways.
//!
//! Then what rustls would never send, built or sealed by the test (with
//! keys derived from the key log): a renegotiating ClientHello (RFC 5746
//! §4.4), early ChangeCipherSpecs (CVE-2014-0224), malformed
//! ClientKeyExchanges, a wrong Finished, and static RSA premaster secrets
//! that must fail alike (RFC 5246 §7.4.7.1).
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod rustls_peer;

use rustls_peer::{rustls_group, rustls_suite};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use ferrotls::auth::{
    provider_key, CertifiedKey, ClientCertVerifier, RootStore, ServerCertResolver,
};
use ferrotls::config::ServerConfig;
use ferrotls::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use ferrotls::msgs::server_hello::DOWNGRADE_TLS12;
use ferrotls::ServerConnection;
use ferrotls_test::pair::{self, Endpoint};
use ferrotls_test::pki::{Identity, KeyType, Pki, SERVER_NAME};
use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::pki_types::ServerName;
use rustls::SupportedCipherSuite;

// ---- endpoints ----------------------------------------------------------

struct Ferro(ServerConnection);

impl Endpoint for Ferro {
    fn take_tls(&mut self) -> Vec<u8> {
        let out = self.0.pending_tls().to_vec();
        self.0.consume_tls(out.len());
        out
    }

    fn receive_tls(&mut self, data: &[u8]) -> Result<(), String> {
        self.0.feed_tls(data);
        self.0.process_new_packets().map_err(|e| e.to_string())
    }

    fn is_handshaking(&self) -> bool {
        self.0.is_handshaking()
    }

    fn write_plain(&mut self, data: &[u8]) {
        assert_eq!(self.0.write_plaintext(data).unwrap(), data.len());
    }

    fn read_plain(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match self.0.read_plaintext(&mut buf) {
                Ok(0) => return out,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return out,
                Err(e) => panic!("read_plaintext: {e}"),
            }
        }
    }
}

struct Rustls(rustls::ClientConnection);

impl Endpoint for Rustls {
    fn take_tls(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while self.0.wants_write() {
            self.0.write_tls(&mut out).unwrap();
        }
        out
    }

    fn receive_tls(&mut self, mut data: &[u8]) -> Result<(), String> {
        while !data.is_empty() {
            self.0.read_tls(&mut data).map_err(|e| e.to_string())?;
            self.0.process_new_packets().map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn is_handshaking(&self) -> bool {
        self.0.is_handshaking()
    }

    fn write_plain(&mut self, data: &[u8]) {
        self.0.writer().write_all(data).unwrap();
    }

    fn read_plain(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.0.reader().read_to_end(&mut out) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("rustls read: {e}"),
        }
        out
    }
}

// ---- key logs -------------------------------------------------------------

/// One key log line: label, client random, secret.
type Line = (String, Vec<u8>, Vec<u8>);

/// `CLIENT_RANDOM` lines, from either library.
#[derive(Debug, Default)]
struct Logged(Mutex<Vec<Line>>);

impl Logged {
    fn master_secrets(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(l, ..)| l == "CLIENT_RANDOM")
            .map(|(_, r, s)| (r.clone(), s.clone()))
            .collect()
    }
}

impl rustls::KeyLog for Logged {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.into(), client_random.to_vec(), secret.to_vec()));
    }
}

impl ferrotls::trace::KeyLog for Logged {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.into(), client_random.to_vec(), secret.to_vec()));
    }
}

// ---- configurations -------------------------------------------------------

struct ClientSpec {
    suites: Vec<CipherSuite>,
    groups: Vec<NamedGroup>,
    versions: Vec<&'static rustls::SupportedProtocolVersion>,
    client_cert: Option<&'static Identity>,
    key_log: Arc<Logged>,
}

impl Default for ClientSpec {
    fn default() -> Self {
        Self {
            suites: ECDHE_SUITES.to_vec(),
            groups: GROUPS.to_vec(),
            versions: vec![&rustls::version::TLS12],
            client_cert: None,
            key_log: Arc::default(),
        }
    }
}

fn rustls_client(spec: ClientSpec) -> Rustls {
    connect(rustls_config(spec))
}

fn connect(config: Arc<rustls::ClientConfig>) -> Rustls {
    Rustls(
        rustls::ClientConnection::new(config, ServerName::try_from(SERVER_NAME).unwrap()).unwrap(),
    )
}

fn rustls_config(spec: ClientSpec) -> Arc<rustls::ClientConfig> {
    let mut suites: Vec<SupportedCipherSuite> =
        spec.suites.iter().map(|s| rustls_suite(*s)).collect();
    if spec.versions.contains(&&rustls::version::TLS13) {
        suites.push(rustls_suite(CipherSuite::TLS_AES_128_GCM_SHA256));
    }
    let provider = Arc::new(CryptoProvider {
        cipher_suites: suites,
        kx_groups: spec.groups.iter().map(|g| rustls_group(*g)).collect(),
        ..aws_lc_rs::default_provider()
    });
    let mut roots = rustls::RootCertStore::empty();
    for root in Pki::get().roots() {
        roots.add(root).unwrap();
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&spec.versions)
        .unwrap()
        .with_root_certificates(roots);
    let mut config = match spec.client_cert {
        Some(id) => builder
            .with_client_auth_cert(id.chain(), id.private_key())
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.key_log = spec.key_log;
    Arc::new(config)
}

fn certified(id: &Identity) -> Arc<CertifiedKey> {
    Arc::new(CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap())
}

/// A server with TLS 1.3 and 1.2, the default TLS 1.2 suites and groups,
/// and certificates of `key_types`.
fn server_config(key_types: &[KeyType]) -> ServerConfig {
    let mut resolver = ServerCertResolver::new();
    for kt in key_types {
        resolver.add_default(certified(Pki::get().server(*kt)));
    }
    ServerConfig::new(Arc::new(resolver))
}

fn ferro(config: ServerConfig) -> Ferro {
    Ferro(ServerConnection::new(Arc::new(config)).unwrap())
}

const ECDHE_SUITES: [CipherSuite; 6] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

const GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
];

/// The certificates a suite can be served with.
fn key_types_for(suite: CipherSuite) -> Vec<KeyType> {
    match suite.to_string().contains("ECDSA") {
        true => vec![KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519],
        false => vec![KeyType::Rsa2048],
    }
}

fn scheme_for(kt: KeyType) -> SignatureScheme {
    match kt {
        KeyType::EcdsaP256 => SignatureScheme::EcdsaSecp256r1Sha256,
        KeyType::EcdsaP384 => SignatureScheme::EcdsaSecp384r1Sha384,
        KeyType::Rsa2048 => SignatureScheme::RsaPssRsaeSha256,
        KeyType::Ed25519 => SignatureScheme::Ed25519,
    }
}

// ---- checks -------------------------------------------------------------

struct Expect {
    suite: CipherSuite,
    group: NamedGroup,
    scheme: SignatureScheme,
    client_auth: bool,
}

fn check_agreement(client: &Rustls, server: &Ferro, want: &Expect) {
    let n = server.0.negotiated();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(n.cipher_suite, Some(want.suite));
    assert_eq!(n.group, Some(want.group));
    assert_eq!(n.signature_scheme, Some(want.scheme));
    assert_eq!(n.client_auth, want.client_auth);
    assert_eq!(n.peer_certificates.is_empty(), !want.client_auth);
    assert_eq!(n.server_name.as_deref(), Some(SERVER_NAME));
    assert!(!n.resumed);

    let c = &client.0;
    assert_eq!(c.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_2));
    assert_eq!(
        u16::from(c.negotiated_cipher_suite().unwrap().suite()),
        want.suite.to_wire()
    );
    assert_eq!(
        u16::from(c.negotiated_key_exchange_group().unwrap().name()),
        want.group.to_wire()
    );
}

/// Runs the handshake while keeping the server's first flight.
fn handshake_keeping_server_hello(client: &mut Rustls, server: &mut Ferro) -> Vec<u8> {
    let hello = client.take_tls();
    server.receive_tls(&hello).unwrap();
    let flight = server.take_tls();
    client.receive_tls(&flight).unwrap();
    pair::handshake(client, server);
    flight
}

/// The random of the ServerHello at the start of `flight` (record header
/// 5, handshake header 4, version 2).
fn server_random(flight: &[u8]) -> [u8; 32] {
    assert_eq!(flight[0], 22, "a handshake record");
    assert_eq!(flight[5], 2, "a ServerHello");
    flight[11..43].try_into().unwrap()
}

// ---- tests --------------------------------------------------------------

#[test]
fn every_ecdhe_suite_group_and_certificate() {
    for suite in ECDHE_SUITES {
        for group in GROUPS {
            for kt in key_types_for(suite) {
                let key_log = Arc::new(Logged::default());
                // RFC 8422 §5.1: the client's curves bind the curve of
                // an ECDSA certificate too.
                let mut groups = vec![group];
                match kt {
                    KeyType::EcdsaP256 => groups.push(NamedGroup::Secp256r1),
                    KeyType::EcdsaP384 => groups.push(NamedGroup::Secp384r1),
                    _ => {}
                }
                groups.dedup();
                let mut client = rustls_client(ClientSpec {
                    suites: vec![suite],
                    groups,
                    key_log: key_log.clone(),
                    ..ClientSpec::default()
                });
                let mut config = server_config(&[kt]);
                config.hooks.keylog = Some(key_log.clone());
                // RFC 7627: rustls offers the extended master secret, and
                // with it required the handshake must still work.
                config.require_extended_master_secret = true;
                // Our order puts the case's group first.
                config.policy.groups.retain(|g| *g != group);
                config.policy.groups.insert(0, group);
                let mut server = ferro(config);
                let flight = handshake_keeping_server_hello(&mut client, &mut server);
                // The server supports TLS 1.3 too: the downgrade sentinel.
                assert_eq!(
                    server_random(&flight)[24..],
                    DOWNGRADE_TLS12,
                    "{suite} {group} {kt:?}"
                );
                let want = Expect {
                    suite,
                    group,
                    scheme: scheme_for(kt),
                    client_auth: false,
                };
                check_agreement(&client, &server, &want);
                pair::exchange_data(&mut client, &mut server);
                // Both ends derived the same (extended) master secret.
                let secrets = key_log.master_secrets();
                assert_eq!(secrets.len(), 2, "{suite} {group} {kt:?}");
                assert_eq!(secrets[0], secrets[1], "{suite} {group} {kt:?}");
            }
        }
    }
}

/// RFC 8446 §4.1.3: offered both, the server picks TLS 1.3; a server
/// without TLS 1.3 writes no sentinel.
#[test]
fn version_negotiation_and_downgrade_sentinel() {
    let mut client = rustls_client(ClientSpec {
        versions: vec![&rustls::version::TLS13, &rustls::version::TLS12],
        ..ClientSpec::default()
    });
    let mut server12 = ferro(server_config(&[KeyType::EcdsaP256]));
    pair::handshake(&mut client, &mut server12);
    assert_eq!(
        server12.0.negotiated().version,
        Some(ProtocolVersion::TLSv1_3)
    );
    assert_eq!(
        client.0.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_3)
    );
    pair::exchange_data(&mut client, &mut server12);

    let mut client = rustls_client(ClientSpec::default());
    let mut config = server_config(&[KeyType::EcdsaP256]);
    config.policy.versions = vec![ProtocolVersion::TLSv1_2];
    let mut server = ferro(config);
    let flight = handshake_keeping_server_hello(&mut client, &mut server);
    assert_ne!(server_random(&flight)[24..], DOWNGRADE_TLS12);
    assert_eq!(
        server.0.negotiated().version,
        Some(ProtocolVersion::TLSv1_2)
    );
    pair::exchange_data(&mut client, &mut server);
}

/// A server with only an RSA certificate serves the ECDHE_RSA suite even
/// when the client prefers ECDHE_ECDSA; one with no certificate for any
/// offered suite refuses with handshake_failure.
#[test]
fn suite_follows_the_certificate_type() {
    let mut client = rustls_client(ClientSpec::default());
    let mut server = ferro(server_config(&[KeyType::Rsa2048]));
    pair::handshake(&mut client, &mut server);
    let want = Expect {
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        group: NamedGroup::X25519,
        scheme: SignatureScheme::RsaPssRsaeSha256,
        client_auth: false,
    };
    check_agreement(&client, &server, &want);
    pair::exchange_data(&mut client, &mut server);

    let mut client = rustls_client(ClientSpec {
        suites: vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
        ..ClientSpec::default()
    });
    let mut server = ferro(server_config(&[KeyType::Rsa2048]));
    let failures = pair::pump(&mut client, &mut server);
    assert!(failures.server.unwrap().contains("cipher suite"));
    assert!(failures.client.unwrap().contains("HandshakeFailure"));
}

/// RFC 5246 §7.4.4-§7.4.8: a client certificate that verifies and a
/// CertificateVerify over the handshake messages; without one, the
/// anonymous client is accepted only if the verifier allows it.
#[test]
fn client_certificates() {
    for kt in [KeyType::EcdsaP256, KeyType::Rsa2048, KeyType::Ed25519] {
        let mut client = rustls_client(ClientSpec {
            client_cert: Some(Pki::get().client(kt)),
            ..ClientSpec::default()
        });
        let mut config = server_config(&[KeyType::EcdsaP256]);
        let mut roots = RootStore::empty();
        roots.add_all(&Pki::get().roots()).unwrap();
        config.client_verifier = Some(Arc::new(ClientCertVerifier::new(Arc::new(roots))));
        let mut server = ferro(config);
        pair::handshake(&mut client, &mut server);
        let want = Expect {
            suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            group: NamedGroup::X25519,
            scheme: SignatureScheme::EcdsaSecp256r1Sha256,
            client_auth: true,
        };
        check_agreement(&client, &server, &want);
        pair::exchange_data(&mut client, &mut server);
    }

    for anonymous in [true, false] {
        let mut client = rustls_client(ClientSpec::default());
        let mut config = server_config(&[KeyType::EcdsaP256]);
        let mut roots = RootStore::empty();
        roots.add_all(&Pki::get().roots()).unwrap();
        config.client_verifier = Some(Arc::new(
            ClientCertVerifier::new(Arc::new(roots)).allow_anonymous(anonymous),
        ));
        let mut server = ferro(config);
        let failures = pair::pump(&mut client, &mut server);
        if anonymous {
            assert!(failures.is_empty(), "{failures:?}");
            let want = Expect {
                suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                group: NamedGroup::X25519,
                scheme: SignatureScheme::EcdsaSecp256r1Sha256,
                client_auth: false,
            };
            check_agreement(&client, &server, &want);
            pair::exchange_data(&mut client, &mut server);
        } else {
            // RFC 5246 §7.4.6: no certificate when one is required is
            // handshake_failure.
            assert!(failures.server.is_some(), "{failures:?}");
            assert!(
                failures.client.unwrap().contains("HandshakeFailure"),
                "{:?}",
                server.0.error()
            );
        }
    }
}

/// RFC 5246 §7.3 abbreviated handshakes: rustls resumes by ticket
/// (RFC 5077) and, with our tickets off, by session ID; both ends agree
/// the second handshake resumed, and the key logs agree.
#[test]
fn resumption_by_ticket_and_session_id() {
    for tickets in [true, false] {
        let key_log = Arc::new(Logged::default());
        let client_config = rustls_config(ClientSpec {
            key_log: key_log.clone(),
            ..ClientSpec::default()
        });
        let mut config = server_config(&[KeyType::EcdsaP256]);
        config.hooks.keylog = Some(key_log.clone());
        if !tickets {
            config.ticket_keys = None;
        }
        let want = Expect {
            suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            group: NamedGroup::X25519,
            scheme: SignatureScheme::EcdsaSecp256r1Sha256,
            client_auth: false,
        };

        let mut client = connect(client_config.clone());
        let mut server = ferro(config.clone());
        pair::handshake(&mut client, &mut server);
        check_agreement(&client, &server, &want);
        pair::exchange_data(&mut client, &mut server);
        assert_eq!(client.0.handshake_kind(), Some(rustls::HandshakeKind::Full));

        let mut client = connect(client_config.clone());
        let mut server = ferro(config.clone());
        pair::handshake(&mut client, &mut server);
        assert_eq!(
            client.0.handshake_kind(),
            Some(rustls::HandshakeKind::Resumed),
            "tickets={tickets}"
        );
        let n = server.0.negotiated();
        assert!(n.resumed, "tickets={tickets}");
        assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
        assert_eq!(n.cipher_suite, Some(want.suite));
        assert_eq!(n.server_name.as_deref(), Some(SERVER_NAME));
        pair::exchange_data(&mut client, &mut server);
        // The resumed handshake logs the same master secret on both ends,
        // the one of the first handshake.
        let secrets = key_log.master_secrets();
        assert_eq!(secrets.len(), 4);
        assert_eq!(secrets[2], secrets[3]);
        assert_eq!(secrets[0].1, secrets[2].1);
    }
}

/// A session offered when the server no longer has its suite falls back
/// to a full handshake (RFC 5246 §7.4.1.3).
#[test]
fn resumption_with_another_suite_is_a_full_handshake() {
    let client_config = rustls_config(ClientSpec::default());
    let config = server_config(&[KeyType::EcdsaP256]);
    let mut client = connect(client_config.clone());
    let mut server = ferro(config.clone());
    pair::handshake(&mut client, &mut server);
    pair::exchange_data(&mut client, &mut server);

    let mut config = config;
    config
        .policy
        .cipher_suites
        .retain(|s| *s != CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    let mut client = connect(client_config);
    let mut server = ferro(config);
    pair::handshake(&mut client, &mut server);
    assert_eq!(client.0.handshake_kind(), Some(rustls::HandshakeKind::Full));
    let n = server.0.negotiated();
    assert!(!n.resumed);
    assert_eq!(
        n.cipher_suite,
        Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
    );
    pair::exchange_data(&mut client, &mut server);
}

/// RFC 5746 §4.4 / RFC 5246 §7.2.2: after the handshake, a ClientHello
/// (a renegotiation, which ferrotls does not do) is answered with a
/// no_renegotiation warning and the connection goes on. rustls cannot
/// renegotiate, so the test seals the ClientHello itself with the
/// client's write key, derived from the master secret our key log gives
/// (RFC 5246 §6.3), and keeps sealing the client's records after it.
#[test]
fn renegotiation_is_refused_and_the_connection_goes_on() {
    use ferrotls::crypto::aead::AeadAlgorithm;
    use ferrotls::crypto::hash::HashAlgorithm;
    use ferrotls::keys::tls12::{KeyBlockLayout, MasterSecret};
    use ferrotls::msgs::enums::{AlertDescription, AlertLevel, ContentType};
    use ferrotls::msgs::handshake::{HandshakeMessage, HandshakePayload};
    use ferrotls::record::protect::RecordCipher;

    let key_log = Arc::new(Logged::default());
    let mut client = rustls_client(ClientSpec::default());
    let mut config = server_config(&[KeyType::EcdsaP256]);
    config.hooks.keylog = Some(key_log.clone());
    let mut server = ferro(config);
    let flight = handshake_keeping_server_hello(&mut client, &mut server);
    pair::exchange_data(&mut client, &mut server);

    // The client's write key (AES-128-GCM suite, SHA-256 PRF).
    let (client_random, master) = key_log.master_secrets().remove(0);
    let master = MasterSecret::from_bytes(HashAlgorithm::Sha256, &master).unwrap();
    let kb = master.key_block(
        KeyBlockLayout::AES_128_GCM,
        &client_random.try_into().unwrap(),
        &server_random(&flight),
    );
    let mut sealer = RecordCipher::tls12(
        AeadAlgorithm::Aes128Gcm,
        kb.client_write_key(),
        kb.client_write_iv(),
    )
    .unwrap();
    // rustls sent its Finished (sequence 0) and one data record (1).
    let mut scratch = Vec::new();
    for _ in 0..2 {
        sealer
            .seal(ContentType::Handshake, b"already sent", &mut scratch)
            .unwrap();
    }

    let hello = ferrotls::msgs::client_hello::ClientHello {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: [9; 32],
        legacy_session_id: ferrotls::codec::Bytes(vec![]),
        cipher_suites: vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
        legacy_compression_methods: vec![ferrotls::msgs::enums::CompressionMethod::Null],
        extensions: None,
    };
    let hello = HandshakeMessage::new(HandshakePayload::ClientHello(hello));
    let mut record = Vec::new();
    sealer
        .seal(ContentType::Handshake, hello.encoded(), &mut record)
        .unwrap();
    server.receive_tls(&record).unwrap();
    // One protected alert record: 8-byte explicit nonce, 2 bytes, 16-byte tag.
    let answer = server.take_tls();
    assert_eq!(answer[..5], [21, 3, 3, 0, 26]);
    assert_eq!(answer.len(), 5 + 26);
    assert!(!server.is_handshaking());
    assert!(server.0.error().is_none());
    // It is a no_renegotiation warning (the server's third record under
    // its key, after its Finished and one data record).
    let mut opener = RecordCipher::tls12(
        AeadAlgorithm::Aes128Gcm,
        kb.server_write_key(),
        kb.server_write_iv(),
    )
    .unwrap();
    let mut scratch = answer.clone();
    for _ in 0..2 {
        opener
            .seal(ContentType::Alert, b"skip", &mut Vec::new())
            .unwrap();
    }
    let (header, payload) = scratch.split_at_mut(5);
    let opened = opener.open(header, payload).unwrap();
    assert_eq!(opened.typ, ContentType::Alert);
    assert_eq!(
        payload[opened.plaintext],
        [
            AlertLevel::Warning.to_wire(),
            AlertDescription::NoRenegotiation.to_wire()
        ]
    );
    // rustls reads the warning and goes on.
    client.receive_tls(&answer).unwrap();

    // Data still flows: server to client through rustls...
    pair::send(&mut server, &mut client, b"still here");
    // ...and client to server under the next sequence number.
    let mut record = Vec::new();
    sealer
        .seal(ContentType::ApplicationData, b"me too", &mut record)
        .unwrap();
    server.receive_tls(&record).unwrap();
    assert_eq!(server.read_plain(), b"me too");
}

// ---- hostile second flights ------------------------------------------------

/// A server that has sent its flight to rustls, and rustls's answer split
/// into records (ClientKeyExchange, ChangeCipherSpec, Finished).
fn after_server_flight(key_log: Arc<Logged>) -> (Ferro, Vec<Vec<u8>>, [u8; 32]) {
    let mut client = rustls_client(ClientSpec::default());
    let mut config = server_config(&[KeyType::EcdsaP256]);
    config.hooks.keylog = Some(key_log);
    let mut server = ferro(config);
    server.receive_tls(&client.take_tls()).unwrap();
    let flight = server.take_tls();
    client.receive_tls(&flight).unwrap();
    let mut answer = client.take_tls();
    let mut records = Vec::new();
    while !answer.is_empty() {
        let len = 5 + usize::from(u16::from_be_bytes([answer[3], answer[4]]));
        records.push(answer.drain(..len).collect::<Vec<u8>>());
    }
    assert_eq!(records.len(), 3);
    (server, records, server_random(&flight))
}

/// Feeds `bytes`; the server must fail and answer with one plaintext
/// fatal alert `want`.
fn assert_refused(server: &mut Ferro, bytes: &[u8], want: ferrotls::msgs::enums::AlertDescription) {
    let err = server.receive_tls(bytes);
    assert!(err.is_err(), "accepted");
    assert_eq!(
        server.take_tls(),
        [21, 3, 3, 0, 2, 2, want.to_wire()],
        "{err:?}"
    );
}

fn handshake_record(typ: u8, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).unwrap().to_be_bytes();
    let mut msg = vec![typ, len[1], len[2], len[3]];
    msg.extend_from_slice(body);
    let rlen = u16::try_from(msg.len()).unwrap().to_be_bytes();
    let mut out = vec![22, 3, 3, rlen[0], rlen[1]];
    out.extend_from_slice(&msg);
    out
}

#[test]
fn hostile_client_flights() {
    use ferrotls::crypto::aead::AeadAlgorithm;
    use ferrotls::crypto::hash::HashAlgorithm;
    use ferrotls::keys::tls12::{KeyBlockLayout, MasterSecret};
    use ferrotls::msgs::enums::{AlertDescription as A, ContentType};
    use ferrotls::record::protect::RecordCipher;

    const CCS: [u8; 6] = [20, 3, 3, 0, 1, 1];

    // CVE-2014-0224: a ChangeCipherSpec before the keys exist.
    let (mut server, ..) = after_server_flight(Arc::default());
    assert_refused(&mut server, &CCS, A::UnexpectedMessage);

    // Two ChangeCipherSpecs.
    let (mut server, records, _) = after_server_flight(Arc::default());
    server.receive_tls(&records[0]).unwrap();
    server.receive_tls(&CCS).unwrap();
    let err = server.receive_tls(&CCS);
    assert!(err.is_err());

    // A Finished before the ClientKeyExchange (unprotected).
    let (mut server, ..) = after_server_flight(Arc::default());
    assert_refused(
        &mut server,
        &handshake_record(20, &[0; 12]),
        A::UnexpectedMessage,
    );

    // Application data before the handshake ends.
    let (mut server, ..) = after_server_flight(Arc::default());
    assert_refused(&mut server, &[23, 3, 3, 0, 1, 0], A::UnexpectedMessage);

    // ClientKeyExchange: an x25519 share of the wrong length, an empty
    // one, trailing bytes.
    let (mut server, ..) = after_server_flight(Arc::default());
    let mut body = vec![31];
    body.extend_from_slice(&[9; 31]);
    assert_refused(
        &mut server,
        &handshake_record(16, &body),
        A::IllegalParameter,
    );
    let (mut server, ..) = after_server_flight(Arc::default());
    assert_refused(&mut server, &handshake_record(16, &[0]), A::DecodeError);
    let (mut server, ..) = after_server_flight(Arc::default());
    let mut body = vec![32];
    body.extend_from_slice(&[9; 33]);
    assert_refused(&mut server, &handshake_record(16, &body), A::DecodeError);

    // RFC 5246 §7.4.9: a Finished that does not verify is decrypt_error.
    let key_log = Arc::new(Logged::default());
    let (mut server, records, server_random) = after_server_flight(key_log.clone());
    server.receive_tls(&records[0]).unwrap();
    server.receive_tls(&records[1]).unwrap();
    let (client_random, master) = key_log.master_secrets().remove(0);
    let kb = MasterSecret::from_bytes(HashAlgorithm::Sha256, &master)
        .unwrap()
        .key_block(
            KeyBlockLayout::AES_128_GCM,
            &client_random.try_into().unwrap(),
            &server_random,
        );
    let mut sealer = RecordCipher::tls12(
        AeadAlgorithm::Aes128Gcm,
        kb.client_write_key(),
        kb.client_write_iv(),
    )
    .unwrap();
    let mut finished = Vec::new();
    sealer
        .seal(
            ContentType::Handshake,
            &[20, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
            &mut finished,
        )
        .unwrap();
    assert_refused(&mut server, &finished, A::DecryptError);

    // A Finished record whose protection does not verify: bad_record_mac.
    let (mut server, mut records, _) = after_server_flight(Arc::default());
    server.receive_tls(&records[0]).unwrap();
    server.receive_tls(&records[1]).unwrap();
    let last = records[2].len() - 1;
    records[2][last] ^= 1;
    assert_refused(&mut server, &records[2], A::BadRecordMac);
}

/// RFC 5246 §7.4.7.1: static RSA key transport must not reveal whether
/// the premaster secret decrypted well. A ciphertext that is garbage and
/// one that decrypts to the wrong client_version both pass the
/// ClientKeyExchange silently and fail only at the client's Finished,
/// with the same alert.
#[test]
fn static_rsa_failures_look_alike() {
    use ferrotls::codec::Bytes;
    use ferrotls::crypto::aead::AeadAlgorithm;
    use ferrotls::crypto::kx::rsa::{encrypt_premaster, RsaDecryptingKey};
    use ferrotls::crypto::rand::SystemRandom;
    use ferrotls::msgs::client_hello::ClientHello;
    use ferrotls::msgs::enums::{AlertDescription, CompressionMethod, ContentType};
    use ferrotls::msgs::handshake::{HandshakeMessage, HandshakePayload};
    use ferrotls::record::protect::RecordCipher;
    use ferrotls::server::StaticRsaKey;
    use rcgen::PublicKeyData;

    const SUITE: CipherSuite = CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256;
    let id = Pki::get().server(KeyType::Rsa2048);
    let spki = rcgen::KeyPair::try_from(id.private_key().secret_der())
        .unwrap()
        .subject_public_key_info();
    let valid_but_old_version = encrypt_premaster(&spki, ProtocolVersion::TLSv1_1, &SystemRandom)
        .unwrap()
        .0;
    let garbage = vec![0x5a; 256];

    let mut outcomes = Vec::new();
    for encrypted in [garbage, valid_but_old_version] {
        let mut config = server_config(&[KeyType::Rsa2048]);
        config.policy.cipher_suites.push(SUITE);
        config.static_rsa = Some(Arc::new(StaticRsaKey {
            certified: certified(id),
            decrypter: RsaDecryptingKey::from_pkcs8_der(id.private_key().secret_der()).unwrap(),
        }));
        let mut server = ferro(config);
        let hello = HandshakeMessage::new(HandshakePayload::ClientHello(ClientHello {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: [4; 32],
            legacy_session_id: Bytes(vec![]),
            cipher_suites: vec![SUITE],
            legacy_compression_methods: vec![CompressionMethod::Null],
            extensions: None,
        }));
        server
            .receive_tls(&handshake_record(1, &hello.encoded()[4..]))
            .unwrap();
        assert!(!server.take_tls().is_empty());
        assert_eq!(server.0.negotiated().cipher_suite, Some(SUITE));

        let mut body = u16::try_from(encrypted.len())
            .unwrap()
            .to_be_bytes()
            .to_vec();
        body.extend_from_slice(&encrypted);
        // Nothing observable yet.
        server.receive_tls(&handshake_record(16, &body)).unwrap();
        assert!(server.take_tls().is_empty());
        server.receive_tls(&[20, 3, 3, 0, 1, 1]).unwrap();
        assert!(server.take_tls().is_empty());

        // The client's Finished, under keys the client believes in.
        let mut sealer = RecordCipher::tls12(AeadAlgorithm::Aes128Gcm, &[7; 16], &[8; 4]).unwrap();
        let mut finished = Vec::new();
        sealer
            .seal(
                ContentType::Handshake,
                &[20, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                &mut finished,
            )
            .unwrap();
        let err = server.receive_tls(&finished).unwrap_err();
        outcomes.push((err, server.take_tls()));
    }
    assert_eq!(outcomes[0], outcomes[1]);
    assert_eq!(
        outcomes[0].1,
        [21, 3, 3, 0, 2, 2, AlertDescription::BadRecordMac.to_wire()]
    );
}

/// RFC 7301 §3.1: ALPN in the TLS 1.2 ServerHello, in a full and in an
/// abbreviated handshake.
#[test]
fn alpn_in_full_and_resumed_handshakes() {
    let mut spec = rustls_config(ClientSpec::default());
    Arc::get_mut(&mut spec).unwrap().alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let mut config = server_config(&[KeyType::EcdsaP256]);
    config.policy.alpn_protocols = vec![b"h2".to_vec()];
    for resumed in [false, true] {
        let mut client = connect(spec.clone());
        let mut server = ferro(config.clone());
        pair::handshake(&mut client, &mut server);
        pair::exchange_data(&mut client, &mut server);
        assert_eq!(server.0.negotiated().resumed, resumed);
        assert_eq!(server.0.negotiated().alpn.as_deref(), Some(&b"h2"[..]));
        assert_eq!(client.0.alpn_protocol(), Some(&b"h2"[..]));
    }
}
