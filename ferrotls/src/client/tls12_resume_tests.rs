//! TLS 1.2 resumption on the client against the scripted server of
//! `tls12_tests.rs`: an abbreviated handshake (RFC 5246 §7.3) and servers
//! that change the session on resumption (RFC 5246 §7.4.1.3, RFC 7627
//! §5.3).

use super::tls12_tests::{alert_of, config, records, take, HelloCase, Script, Tweaks, SUITE};
use crate::codec::Bytes;
use crate::config::ClientConfig;
use crate::crypto::aead::AeadAlgorithm;
use crate::crypto::hash::HashAlgorithm;
use crate::keys::tls12::{KeyBlockLayout, MasterSecret};
use crate::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, ProtocolVersion,
};
use crate::msgs::extensions::{Extension, Extensions};
use crate::msgs::handshake::HandshakePayload;
use crate::msgs::server_hello::ServerHello;
use crate::record::protect::RecordCipher;

/// A config whose store already holds a session for example.com under
/// session ID [9; 32], made with `suite` and `ems`.
fn config_with_session(suite: CipherSuite, ems: bool) -> (ClientConfig, MasterSecret) {
    use crate::session::{SessionKeys, StoredSession, Tls12Resumption};
    let config = config();
    let master = MasterSecret::from_bytes(HashAlgorithm::Sha256, &[7; 48]).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let session = StoredSession {
        keys: SessionKeys::tls12(
            crate::crypto::suites::tls12_suite(suite).unwrap(),
            &master,
            ems,
        ),
        server_name: Some("example.com".into()),
        alpn: None,
        peer_certificates: vec![Bytes(vec![0x30, 0])],
        created: now,
        lifetime: 3600,
    };
    config.sessions.as_ref().unwrap().set_tls12(
        "example.com",
        Tls12Resumption {
            session_id: Bytes(vec![9; 32]),
            ticket: None,
            session,
        },
    );
    (config, master)
}

/// RFC 5246 §7.3: the offered session resumed: the server's CCS and
/// Finished come first, then ours, under keys from the stored master
/// secret.
#[test]
fn abbreviated_handshake() {
    let (config, master) = config_with_session(SUITE, true);
    let mut s = Script::new(config, Tweaks::default());
    // RFC 8446 §4.1.2: the cached session ID is the legacy_session_id.
    assert_eq!(s.session_id, Bytes(vec![9; 32]));
    let sh = ServerHello {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: s.server_random,
        legacy_session_id_echo: Bytes(vec![9; 32]),
        cipher_suite: SUITE,
        legacy_compression_method: CompressionMethod::Null,
        extensions: Some(Extensions(vec![
            Extension::RenegotiationInfo(Bytes(Vec::new())),
            Extension::ExtendedMasterSecret,
        ])),
    };
    s.send(HandshakePayload::ServerHello(sh)).unwrap();
    let block = master.key_block(
        KeyBlockLayout::AES_128_GCM,
        &s.client_random,
        &s.server_random,
    );
    let mut to_client = RecordCipher::tls12(
        AeadAlgorithm::Aes128Gcm,
        block.server_write_key(),
        block.server_write_iv(),
    )
    .unwrap();
    s.ccs().unwrap();
    s.finished(&mut to_client, &master).unwrap();
    assert!(!s.client.is_handshaking());
    assert!(s.client.negotiated().resumed);
    let sent = records(&take(&mut s.client));
    assert_eq!(sent[0], (ContentType::ChangeCipherSpec.to_wire(), vec![1]));
    assert_eq!(sent[1].0, ContentType::Handshake.to_wire());
}

/// RFC 5246 §7.4.1.3 / RFC 7627 §5.3: a server resuming with another
/// suite, or without the extended master secret of the session, is
/// refused. (A session without EMS is never offered: RFC 7627 §5.3.)
#[test]
fn resumption_that_changes_the_session() {
    let cases: [HelloCase; 2] = [
        (
            "other suite",
            |sh| sh.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            AlertDescription::IllegalParameter,
        ),
        (
            "EMS dropped",
            |sh| {
                sh.extensions
                    .as_mut()
                    .unwrap()
                    .0
                    .retain(|e| *e != Extension::ExtendedMasterSecret)
            },
            AlertDescription::HandshakeFailure,
        ),
    ];
    for (what, tweak, alert) in cases {
        let (config, _) = config_with_session(SUITE, true);
        let store = config.sessions.clone().unwrap();
        let mut s = Script::new(
            config,
            Tweaks {
                echo_session_id: true,
                hello: Some(tweak),
                ..Tweaks::default()
            },
        );
        assert_eq!(alert_of(s.server_hello()), alert, "{what}");
        // RFC 5246 §7.2: the failed session is not offered again.
        assert!(store.tls12("example.com").is_none(), "{what}");
    }
    // A session without EMS stays unoffered: a fresh session ID is sent.
    let (config, _) = config_with_session(SUITE, false);
    let s = Script::new(config, Tweaks::default());
    assert_ne!(s.session_id, Bytes(vec![9; 32]));
}

/// The ferrotls TLS 1.2 server, in memory: a full handshake, then a
/// resumption of its session (session ID or ticket, whichever it uses).
#[test]
fn against_the_ferrotls_server() {
    use std::sync::Arc;

    use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName as PkiServerName};

    use super::ClientConnection;
    use crate::auth::{provider_key, CertifiedKey, ServerCertResolver};
    use crate::config::ServerConfig;
    use crate::ServerConnection;

    let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["example.com".into()])
        .unwrap()
        .self_signed(&key_pair)
        .unwrap();
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    let key = CertifiedKey::new(vec![cert.der().clone()], provider_key(&der).unwrap()).unwrap();
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(Arc::new(key));
    let mut server_config = ServerConfig::new(Arc::new(resolver));
    server_config.policy.versions = vec![ProtocolVersion::TLSv1_2];
    let server_config = Arc::new(server_config);
    let client_config = Arc::new(config());

    for round in 0..2 {
        let mut client = ClientConnection::new(
            client_config.clone(),
            PkiServerName::try_from("example.com").unwrap(),
        )
        .unwrap();
        let mut server = ServerConnection::new(server_config.clone()).unwrap();
        for _ in 0..10 {
            let to_server = take(&mut client);
            server.feed_tls(&to_server);
            server.process_new_packets().unwrap();
            let to_client = server.pending_tls().to_vec();
            server.consume_tls(to_client.len());
            client.feed_tls(&to_client);
            client.process_new_packets().unwrap();
            if to_server.is_empty() && to_client.is_empty() {
                break;
            }
        }
        assert!(!client.is_handshaking() && !server.is_handshaking());
        let n = client.negotiated();
        assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
        assert_eq!(n.resumed, round == 1);
        assert_eq!(server.negotiated().resumed, round == 1);
        assert!(n.extended_master_secret);
        client.write_plaintext(b"ping").unwrap();
        server.feed_tls(&take(&mut client));
        server.process_new_packets().unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(server.read_plaintext(&mut buf).unwrap(), 4);
    }
}
