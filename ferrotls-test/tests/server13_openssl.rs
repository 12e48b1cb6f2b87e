//! The ferrotls TLS 1.3 server against `openssl s_client` over loopback:
//! each key type, a HelloRetryRequest, and a line typed into s_client that
//! our server echoes back.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{ErrorKind, Read};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use ferrotls::auth::{
    provider_key, CertifiedKey, ClientCertVerifier, RootStore, ServerCertResolver,
};
use ferrotls::config::ServerConfig;
use ferrotls::conn::Negotiated;
use ferrotls::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use ferrotls::ServerConnection;
use ferrotls_test::peers::{self, openssl, OpensslClient};
use ferrotls_test::pki::{KeyType, Pki};

/// What the server thread saw.
struct Served {
    negotiated: Negotiated,
    received: Vec<u8>,
    error: Option<String>,
}

/// Accepts one connection and runs it: every complete line received is
/// answered with `echo: <line>`.
fn serve_one(config: ServerConfig) -> (u16, JoinHandle<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Arc::new(config);
    let handle = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let mut conn = ServerConnection::new(config).unwrap();
        let mut received = Vec::new();
        let mut error = None;
        let mut buf = vec![0u8; 1 << 16];
        'conn: loop {
            while conn.wants_write() {
                if conn.write_tls(&mut sock).is_err() {
                    break 'conn;
                }
            }
            if error.is_some() {
                break;
            }
            let n = match sock.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            conn.feed_tls(&buf[..n]);
            if let Err(e) = conn.process_new_packets() {
                error = Some(e.to_string());
                continue;
            }
            loop {
                match conn.read_plaintext(&mut buf) {
                    Ok(0) => {
                        conn.send_close_notify();
                        break;
                    }
                    Ok(n) => {
                        let start = received.len();
                        received.extend_from_slice(&buf[..n]);
                        let text = String::from_utf8_lossy(&received[start..]).into_owned();
                        for line in text.lines() {
                            conn.write_plaintext(format!("echo: {line}\n").as_bytes())
                                .unwrap();
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => {
                        error = Some(e.to_string());
                        break;
                    }
                }
            }
        }
        Served {
            negotiated: conn.negotiated().clone(),
            received,
            error,
        }
    });
    (port, handle)
}

fn server_config(kt: KeyType) -> ServerConfig {
    let id = Pki::get().server(kt);
    let key = CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap();
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(Arc::new(key));
    ServerConfig::new(Arc::new(resolver))
}

struct Want {
    scheme: SignatureScheme,
    /// s_client's "Peer signature type".
    openssl_type: &'static str,
    group: NamedGroup,
    /// The start of s_client's "Server Temp Key".
    openssl_group: &'static str,
    hello_retry: bool,
    suite: CipherSuite,
    client_auth: bool,
}

fn run(config: ServerConfig, extra_args: &[&str], want: Want) {
    let files = Pki::get().write_pem_files();
    let (port, server) = serve_one(config);
    let run = OpensslClient::builder(port)
        .args(openssl::client_verify_args(&files.ca_bundle))
        .args(["-tls1_3", "-msg"])
        .args(extra_args)
        .wait_for("Verify return code:")
        .send(b"ping-from-openssl\n")
        .wait_for("echo: ping-from-openssl")
        .timeout(Duration::from_secs(15))
        .run();
    let out = run.output();
    let served = server.join().unwrap();
    assert_eq!(served.error, None, "{out}");

    // s_client's view.
    let session = openssl::session(out).unwrap_or_else(|| panic!("no session line\n{out}"));
    assert_eq!(session.version, "TLSv1.3");
    assert_eq!(session.cipher, want.suite.to_string());
    assert_eq!(openssl::verify_return_code(out), Some(0), "{out}");
    assert_eq!(
        openssl::field(out, "Peer signature type").as_deref(),
        Some(want.openssl_type),
        "{out}"
    );
    let temp_key = openssl::field(out, "Server Temp Key").unwrap_or_default();
    assert!(
        temp_key.starts_with(want.openssl_group),
        "{temp_key}\n{out}"
    );
    let client_hellos = out
        .lines()
        .filter(|l| l.starts_with(">>> ") && l.ends_with(", ClientHello"))
        .count();
    assert_eq!(client_hellos, if want.hello_retry { 2 } else { 1 }, "{out}");
    // The data went both ways.
    assert!(run.contains("echo: ping-from-openssl"), "{out}");
    assert_eq!(served.received, b"ping-from-openssl\n");

    // Ours.
    let n = served.negotiated;
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(n.cipher_suite, Some(want.suite));
    assert_eq!(n.client_auth, want.client_auth);
    assert_eq!(n.peer_certificates.is_empty(), !want.client_auth);
    assert_eq!(n.group, Some(want.group));
    assert_eq!(n.signature_scheme, Some(want.scheme));
    assert_eq!(n.hello_retry, want.hello_retry);
    assert_eq!(n.server_name.as_deref(), Some("localhost"));
}

fn plain(kt: KeyType, scheme: SignatureScheme, openssl_type: &'static str) {
    if !peers::require_tool("openssl") {
        return;
    }
    run(
        server_config(kt),
        &[],
        Want {
            scheme,
            openssl_type,
            group: NamedGroup::X25519,
            openssl_group: "X25519",
            hello_retry: false,
            suite: CipherSuite::TLS_AES_128_GCM_SHA256,
            client_auth: false,
        },
    );
}

#[test]
fn openssl_ecdsa_p256() {
    plain(
        KeyType::EcdsaP256,
        SignatureScheme::EcdsaSecp256r1Sha256,
        "ECDSA",
    );
}

#[test]
fn openssl_ecdsa_p384() {
    plain(
        KeyType::EcdsaP384,
        SignatureScheme::EcdsaSecp384r1Sha384,
        "ECDSA",
    );
}

#[test]
fn openssl_rsa_pss() {
    plain(
        KeyType::Rsa2048,
        SignatureScheme::RsaPssRsaeSha256,
        "RSA-PSS",
    );
}

#[test]
fn openssl_ed25519() {
    plain(KeyType::Ed25519, SignatureScheme::Ed25519, "ed25519");
}

/// `-groups X25519:P-256` makes s_client send an x25519 share only; our
/// server allows only P-256, so it asks again.
#[test]
fn openssl_hello_retry_request() {
    if !peers::require_tool("openssl") {
        return;
    }
    for stateless in [false, true] {
        let mut config = server_config(KeyType::EcdsaP256);
        config.policy.groups = vec![NamedGroup::Secp256r1];
        config.stateless_retry = stateless;
        run(
            config,
            &["-groups", "X25519:P-256"],
            Want {
                scheme: SignatureScheme::EcdsaSecp256r1Sha256,
                openssl_type: "ECDSA",
                group: NamedGroup::Secp256r1,
                openssl_group: "ECDH, prime256v1",
                hello_retry: true,
                suite: CipherSuite::TLS_AES_128_GCM_SHA256,
                client_auth: false,
            },
        );
    }
}

#[test]
fn openssl_other_suites() {
    if !peers::require_tool("openssl") {
        return;
    }
    for suite in [
        CipherSuite::TLS_AES_256_GCM_SHA384,
        CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
    ] {
        let name = suite.to_string();
        run(
            server_config(KeyType::EcdsaP384),
            &["-ciphersuites", &name],
            Want {
                scheme: SignatureScheme::EcdsaSecp384r1Sha384,
                openssl_type: "ECDSA",
                group: NamedGroup::X25519,
                openssl_group: "X25519",
                hello_retry: false,
                suite,
                client_auth: false,
            },
        );
    }
}

/// s_client presents a certificate when our server asks (RFC 8446 §4.3.2).
#[test]
fn openssl_client_certificates() {
    if !peers::require_tool("openssl") {
        return;
    }
    let pki = Pki::get();
    let files = pki.write_pem_files();
    let mut roots = RootStore::empty();
    roots.add_all(&pki.roots()).unwrap();
    let verifier = Arc::new(ClientCertVerifier::new(Arc::new(roots)));
    for kt in [KeyType::EcdsaP256, KeyType::Rsa2048, KeyType::Ed25519] {
        let mut config = server_config(KeyType::EcdsaP256);
        config.client_verifier = Some(verifier.clone());
        let identity: Vec<String> = openssl::server_identity_args(files.client(kt))
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        let args: Vec<&str> = identity.iter().map(String::as_str).collect();
        run(
            config,
            &args,
            Want {
                scheme: SignatureScheme::EcdsaSecp256r1Sha256,
                openssl_type: "ECDSA",
                group: NamedGroup::X25519,
                openssl_group: "X25519",
                hello_retry: false,
                suite: CipherSuite::TLS_AES_128_GCM_SHA256,
                client_auth: true,
            },
        );
    }
}
