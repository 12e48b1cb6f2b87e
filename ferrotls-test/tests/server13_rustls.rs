//! The ferrotls TLS 1.3 server against a rustls client, in memory.
//!
//! Every test checks what both ends agreed on (version, suite, group,
//! signature scheme) and that application data crosses both ways.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod rustls_peer;
mod server13_support;

use std::sync::{Arc, Mutex};

use ferrotls::auth::{ClientCertVerifier, RootStore, ServerCertResolver};
use ferrotls::config::ServerConfig;
use ferrotls::msgs::enums::{CipherSuite, NamedGroup, SignatureScheme};
use ferrotls::ServerConnection;
use ferrotls_test::pair::{self, Endpoint};
use ferrotls_test::pki::{KeyType, Pki, SERVER_NAME, WRONG_HOST_NAME};
use rustls_peer::{rustls_group, rustls_suite};
use server13_support::{
    certified, check_agreement, rustls_client, server, server_config, ClientSpec, Expect, Ferro,
};

fn scheme_for(kt: KeyType) -> SignatureScheme {
    match kt {
        KeyType::EcdsaP256 => SignatureScheme::EcdsaSecp256r1Sha256,
        KeyType::EcdsaP384 => SignatureScheme::EcdsaSecp384r1Sha384,
        KeyType::Rsa2048 => SignatureScheme::RsaPssRsaeSha256,
        KeyType::Ed25519 => SignatureScheme::Ed25519,
    }
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

// ---- tests --------------------------------------------------------------

#[test]
fn every_suite_group_and_certificate() {
    for suite in SUITES {
        for group in GROUPS {
            for kt in KeyType::ALL {
                let (mut client, recorded) = rustls_client(ClientSpec {
                    suites: vec![rustls_suite(suite)],
                    groups: vec![rustls_group(group)],
                    ..ClientSpec::default()
                });
                let mut server = server(server_config(&[kt]));
                pair::handshake(&mut client, &mut server);
                let want = Expect {
                    suite,
                    group,
                    scheme: scheme_for(kt),
                    hello_retry: false,
                };
                check_agreement(&client, &recorded, &server, &want);
                pair::exchange_data(&mut client, &mut server);
            }
        }
    }
}

/// rustls sends a key share for the first group of its list only (and,
/// with prefer-post-quantum, an X25519 share beside an X25519MLKEM768 one),
/// so a server without that group, or preferring another, must ask again.
#[test]
fn hello_retry_request_stateful_and_stateless() {
    for stateless in [false, true] {
        for server_groups in [
            vec![NamedGroup::Secp256r1],
            vec![NamedGroup::Secp256r1, NamedGroup::X25519],
        ] {
            let (mut client, recorded) = rustls_client(ClientSpec {
                groups: vec![
                    rustls_group(NamedGroup::X25519),
                    rustls_group(NamedGroup::Secp256r1),
                ],
                ..ClientSpec::default()
            });
            let mut config = server_config(&[KeyType::EcdsaP256]);
            config.policy.groups = server_groups;
            config.stateless_retry = stateless;
            let mut server = server(config);
            pair::handshake(&mut client, &mut server);
            // rustls lists AES-256 first; the server goes by its own
            // order (AES-128 first) by default.
            let want = Expect {
                suite: CipherSuite::TLS_AES_128_GCM_SHA256,
                group: NamedGroup::Secp256r1,
                scheme: SignatureScheme::EcdsaSecp256r1Sha256,
                hello_retry: true,
            };
            check_agreement(&client, &recorded, &server, &want);
            pair::exchange_data(&mut client, &mut server);
        }
    }
}

/// The client's suite order wins when the server does not impose its own.
#[test]
fn client_order_when_server_order_is_off() {
    let (mut client, recorded) = rustls_client(ClientSpec {
        suites: vec![
            rustls_suite(CipherSuite::TLS_CHACHA20_POLY1305_SHA256),
            rustls_suite(CipherSuite::TLS_AES_128_GCM_SHA256),
        ],
        groups: vec![
            rustls_group(NamedGroup::Secp384r1),
            rustls_group(NamedGroup::X25519),
        ],
        ..ClientSpec::default()
    });
    let mut config = server_config(&[KeyType::Ed25519]);
    config.prefer_server_order = false;
    let mut server = server(config);
    pair::handshake(&mut client, &mut server);
    let want = Expect {
        suite: CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
        group: NamedGroup::Secp384r1,
        scheme: SignatureScheme::Ed25519,
        hello_retry: false,
    };
    check_agreement(&client, &recorded, &server, &want);
    pair::exchange_data(&mut client, &mut server);
}

#[test]
fn alpn_agreed_by_server_preference() {
    let (mut client, recorded) = rustls_client(ClientSpec {
        alpn: vec![b"http/1.1".to_vec(), b"h2".to_vec()],
        ..ClientSpec::default()
    });
    let mut config = server_config(&[KeyType::EcdsaP256]);
    config.policy.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let mut server = server(config);
    pair::handshake(&mut client, &mut server);
    assert_eq!(server.0.negotiated().alpn.as_deref(), Some(&b"h2"[..]));
    assert_eq!(client.conn.alpn_protocol(), Some(&b"h2"[..]));
    let want = Expect {
        suite: CipherSuite::TLS_AES_128_GCM_SHA256,
        group: NamedGroup::X25519,
        scheme: SignatureScheme::EcdsaSecp256r1Sha256,
        hello_retry: false,
    };
    check_agreement(&client, &recorded, &server, &want);
    pair::exchange_data(&mut client, &mut server);
}

#[test]
fn alpn_refused_with_no_application_protocol() {
    let (mut client, _) = rustls_client(ClientSpec {
        alpn: vec![b"h2".to_vec()],
        ..ClientSpec::default()
    });
    let mut config = server_config(&[KeyType::EcdsaP256]);
    config.policy.alpn_protocols = vec![b"imap".to_vec()];
    let mut server = server(config);
    let failures = pair::pump(&mut client, &mut server);
    assert!(failures.server.is_some());
    assert_eq!(
        client.error,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::NoApplicationProtocol
        ))
    );
    assert!(server.0.write_plaintext(b"x").is_err());
}

#[test]
fn server_name_selects_the_certificate() {
    let pki = Pki::get();
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(certified(pki.server(KeyType::EcdsaP256)));
    resolver.add(certified(&pki.wrong_host_server));
    let config = Arc::new(ServerConfig::new(Arc::new(resolver)));
    for (name, cert) in [
        (SERVER_NAME, &pki.server(KeyType::EcdsaP256).cert),
        (WRONG_HOST_NAME, &pki.wrong_host_server.cert),
    ] {
        let (mut client, recorded) = rustls_client(ClientSpec {
            name,
            ..ClientSpec::default()
        });
        let mut server = Ferro(ServerConnection::new(config.clone()).unwrap());
        pair::handshake(&mut client, &mut server);
        assert_eq!(server.0.negotiated().server_name.as_deref(), Some(name));
        assert_eq!(&client.conn.peer_certificates().unwrap()[0], cert);
        let want = Expect {
            suite: CipherSuite::TLS_AES_128_GCM_SHA256,
            group: NamedGroup::X25519,
            scheme: SignatureScheme::EcdsaSecp256r1Sha256,
            hello_retry: false,
        };
        check_agreement(&client, &recorded, &server, &want);
        pair::exchange_data(&mut client, &mut server);
    }
}

#[test]
fn key_updates_both_ways() {
    let (mut client, recorded) = rustls_client(ClientSpec::default());
    let mut server = server(server_config(&[KeyType::Rsa2048]));
    pair::handshake(&mut client, &mut server);
    let want = Expect {
        suite: CipherSuite::TLS_AES_128_GCM_SHA256,
        group: NamedGroup::X25519,
        scheme: SignatureScheme::RsaPssRsaeSha256,
        hello_retry: false,
    };
    check_agreement(&client, &recorded, &server, &want);
    for _ in 0..3 {
        // Ours, asking rustls to update too.
        server.0.refresh_traffic_keys().unwrap();
        pair::exchange_data(&mut client, &mut server);
        // rustls's, asking us to update too.
        client.conn.refresh_traffic_keys().unwrap();
        pair::exchange_data(&mut client, &mut server);
    }
}

#[test]
fn client_certificates() {
    let pki = Pki::get();
    let mut roots = RootStore::empty();
    roots.add_all(&pki.roots()).unwrap();
    let roots = Arc::new(roots);
    for kt in KeyType::ALL {
        let (mut client, recorded) = rustls_client(ClientSpec {
            client_cert: Some(pki.client(kt)),
            ..ClientSpec::default()
        });
        let mut config = server_config(&[KeyType::EcdsaP384]);
        config.client_verifier = Some(Arc::new(ClientCertVerifier::new(roots.clone())));
        let mut server = server(config);
        pair::handshake(&mut client, &mut server);
        let n = server.0.negotiated();
        assert!(n.client_auth);
        assert_eq!(n.peer_certificates, pki.client(kt).chain());
        let want = Expect {
            suite: CipherSuite::TLS_AES_128_GCM_SHA256,
            group: NamedGroup::X25519,
            scheme: SignatureScheme::EcdsaSecp384r1Sha384,
            hello_retry: false,
        };
        check_agreement(&client, &recorded, &server, &want);
        pair::exchange_data(&mut client, &mut server);
    }
}

#[test]
fn missing_client_certificate_is_certificate_required_unless_anonymous_allowed() {
    let pki = Pki::get();
    let mut roots = RootStore::empty();
    roots.add_all(&pki.roots()).unwrap();
    let roots = Arc::new(roots);
    for anonymous in [false, true] {
        let (mut client, _) = rustls_client(ClientSpec::default());
        let mut config = server_config(&[KeyType::EcdsaP256]);
        config.client_verifier = Some(Arc::new(
            ClientCertVerifier::new(roots.clone()).allow_anonymous(anonymous),
        ));
        let mut server = server(config);
        let failures = pair::pump(&mut client, &mut server);
        if anonymous {
            assert!(failures.is_empty(), "{failures:?}");
            assert!(!server.0.negotiated().client_auth);
            pair::exchange_data(&mut client, &mut server);
        } else {
            assert!(failures.server.is_some());
            assert_eq!(
                client.error,
                Some(rustls::Error::AlertReceived(
                    rustls::AlertDescription::CertificateRequired
                ))
            );
        }
    }
}

/// A stateless server keeps nothing between the hellos: the second
/// ClientHello may reach another connection (even another server with the
/// same cookie key), which finishes the handshake from the cookie alone.
#[test]
fn stateless_retry_finishes_on_a_fresh_connection() {
    let (mut client, recorded) = rustls_client(ClientSpec {
        groups: vec![
            rustls_group(NamedGroup::X25519),
            rustls_group(NamedGroup::Secp384r1),
        ],
        ..ClientSpec::default()
    });
    let mut config = server_config(&[KeyType::Ed25519]);
    config.policy.groups = vec![NamedGroup::Secp384r1];
    config.stateless_retry = true;
    config.retry_cookie_key = Arc::new(ferrotls::server::cookie::CookieKey::with_secret(
        b"shared by the whole fleet",
    ));
    let mut first = server(config.clone());
    let ch1 = client.take_tls();
    first.receive_tls(&ch1).unwrap();
    let hrr = first.take_tls();
    client.receive_tls(&hrr).unwrap();
    // The same key, another configuration object: another machine.
    config.retry_cookie_key = Arc::new(ferrotls::server::cookie::CookieKey::with_secret(
        b"shared by the whole fleet",
    ));
    let mut second = server(config);
    pair::handshake(&mut client, &mut second);
    let want = Expect {
        suite: CipherSuite::TLS_AES_128_GCM_SHA256,
        group: NamedGroup::Secp384r1,
        scheme: SignatureScheme::Ed25519,
        hello_retry: true,
    };
    check_agreement(&client, &recorded, &second, &want);
    pair::exchange_data(&mut client, &mut second);

    // A server with another key refuses the cookie.
    let (mut client, _) = rustls_client(ClientSpec {
        groups: vec![
            rustls_group(NamedGroup::X25519),
            rustls_group(NamedGroup::Secp384r1),
        ],
        ..ClientSpec::default()
    });
    let mut config = server_config(&[KeyType::Ed25519]);
    config.policy.groups = vec![NamedGroup::Secp384r1];
    config.stateless_retry = true;
    let mut first = server(config.clone());
    first.receive_tls(&client.take_tls()).unwrap();
    client.receive_tls(&first.take_tls()).unwrap();
    config.retry_cookie_key = Arc::default();
    let mut other = server(config);
    let failures = pair::pump(&mut client, &mut other);
    assert!(failures.server.is_some());
    assert_eq!(
        client.error,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::IllegalParameter
        ))
    );
}

/// Key log lines, from either library.
#[derive(Debug, Default)]
struct Lines(Mutex<Vec<Line>>);

/// Label, client random, secret.
type Line = (String, Vec<u8>, Vec<u8>);

impl Lines {
    fn sorted(&self) -> Vec<Line> {
        let mut v = self.0.lock().unwrap().clone();
        v.sort();
        v
    }
}

impl rustls::KeyLog for Lines {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.to_owned(), client_random.to_vec(), secret.to_vec()));
    }
}

impl ferrotls::trace::KeyLog for Lines {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        rustls::KeyLog::log(self, label, client_random, secret);
    }
}

/// What the server's observer saw, in order.
#[derive(Default)]
struct Events(Mutex<Vec<String>>);

impl ferrotls::trace::Observer for Events {
    fn message(
        &self,
        dir: ferrotls::trace::Direction,
        protection: ferrotls::trace::Protection,
        msg: &ferrotls::msgs::handshake::HandshakeMessage,
    ) {
        let name = match msg.payload() {
            ferrotls::msgs::handshake::HandshakePayload::ServerHello(sh)
                if sh.is_hello_retry_request() =>
            {
                "HelloRetryRequest".to_owned()
            }
            _ => msg.typ().to_string(),
        };
        self.0
            .lock()
            .unwrap()
            .push(format!("{dir:?} {name} ({protection})"));
    }

    fn change_cipher_spec(&self, dir: ferrotls::trace::Direction) {
        self.0.lock().unwrap().push(format!("{dir:?} CCS"));
    }

    fn state(&self, name: &'static str) {
        self.0.lock().unwrap().push(format!("-> {name}"));
    }
}

/// Both libraries derive the same secrets (each key log line matches),
/// and the server's flight follows RFC 8446 §2 message by message.
#[test]
fn secrets_and_flow_match_the_rfc() {
    for retry in [false, true] {
        let client_log = Arc::new(Lines::default());
        let (mut client, recorded) = rustls_client(ClientSpec {
            groups: vec![
                rustls_group(NamedGroup::X25519),
                rustls_group(NamedGroup::Secp256r1),
            ],
            key_log: Some(client_log.clone()),
            ..ClientSpec::default()
        });
        let server_log = Arc::new(Lines::default());
        let events = Arc::new(Events::default());
        let mut config = server_config(&[KeyType::EcdsaP256]);
        config.hooks.keylog = Some(server_log.clone());
        config.hooks.observer = Some(events.clone());
        if retry {
            config.policy.groups = vec![NamedGroup::Secp256r1];
        }
        let mut server = server(config);
        pair::handshake(&mut client, &mut server);
        pair::exchange_data(&mut client, &mut server);
        let want = Expect {
            suite: CipherSuite::TLS_AES_128_GCM_SHA256,
            group: match retry {
                true => NamedGroup::Secp256r1,
                false => NamedGroup::X25519,
            },
            scheme: SignatureScheme::EcdsaSecp256r1Sha256,
            hello_retry: retry,
        };
        check_agreement(&client, &recorded, &server, &want);

        let ours = server_log.sorted();
        let labels: Vec<&str> = ours.iter().map(|l| l.0.as_str()).collect();
        assert_eq!(
            labels,
            [
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0",
                "EXPORTER_SECRET",
                "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "SERVER_TRAFFIC_SECRET_0",
            ]
        );
        assert_eq!(ours, client_log.sorted());

        let mut flow = vec!["Received client_hello (plaintext)"];
        if retry {
            flow.extend([
                "Sent HelloRetryRequest (plaintext)",
                "Sent CCS",
                "-> ExpectClientHello2",
                // The client's compatibility CCS precedes its second
                // flight (RFC 8446 §D.4), here the second ClientHello.
                "Received CCS",
                "Received client_hello (plaintext)",
            ]);
        }
        flow.extend([
            "Sent server_hello (plaintext)",
            "Sent encrypted_extensions (handshake keys)",
            "Sent certificate (handshake keys)",
            "Sent certificate_verify (handshake keys)",
            "Sent finished (handshake keys)",
            "-> ExpectFinished",
            "Received finished (handshake keys)",
            "-> ExpectTraffic",
        ]);
        if !retry {
            // The compatibility CCS follows the first handshake message,
            // and the client's precedes its Finished (RFC 8446 §D.4).
            flow.insert(2, "Sent CCS");
            let finished = flow.len() - 2;
            flow.insert(finished, "Received CCS");
        }
        assert_eq!(*events.0.lock().unwrap(), flow);
    }
}
