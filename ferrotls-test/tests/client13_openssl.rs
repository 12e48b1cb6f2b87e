//! The ferrotls TLS 1.3 client against `openssl s_server` over loopback:
//! ECDSA, RSA-PSS and Ed25519 server certificates, and a
//! HelloRetryRequest. `s_server -trace` prints the messages it sends, so
//! the server's view (version, suite, group, signature scheme) is checked
//! too, and data crosses both ways.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use ferrotls::auth::{RootStore, ServerCertVerifier};
use ferrotls::config::ClientConfig;
use ferrotls::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use ferrotls::stream::Stream;
use ferrotls::ClientConnection;
use ferrotls_test::peers::{self, openssl, OpensslServer};
use ferrotls_test::pki::{KeyType, Pki};
use rustls_pki_types::ServerName;

const WAIT: Duration = Duration::from_secs(5);

fn client_config() -> ClientConfig {
    let mut roots = RootStore::empty();
    roots.add_all(&Pki::get().roots()).unwrap();
    let mut config = ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(roots))));
    config.policy.versions = vec![ProtocolVersion::TLSv1_3];
    config.policy.cipher_suites = vec![
        CipherSuite::TLS_AES_128_GCM_SHA256,
        CipherSuite::TLS_AES_256_GCM_SHA384,
        CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
    ];
    config
}

/// What a run expects both ends to settle on.
struct Expect {
    suite: CipherSuite,
    group: NamedGroup,
    scheme: SignatureScheme,
    hello_retry: bool,
}

fn run(key_type: KeyType, extra_server_args: &[&str], config: ClientConfig, expect: Expect) {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut args = openssl::server_identity_args(files.server(key_type));
    args.extend(["-tls1_3", "-trace"].map(Into::into));
    args.extend(extra_server_args.iter().map(Into::into));
    let mut server = OpensslServer::spawn(&args);

    let sock = TcpStream::connect(server.addr()).unwrap();
    sock.set_read_timeout(Some(WAIT)).unwrap();
    let conn = ClientConnection::new(Arc::new(config), ServerName::try_from("localhost").unwrap())
        .unwrap();
    let mut stream = Stream::new(conn, sock);
    stream
        .handshake()
        .unwrap_or_else(|e| panic!("handshake: {e}\n{}", server.output()));

    // The client's view.
    let n = stream.conn.negotiated().clone();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(n.cipher_suite, Some(expect.suite));
    assert_eq!(n.group, Some(expect.group));
    assert_eq!(n.signature_scheme, Some(expect.scheme));
    assert_eq!(n.hello_retry, expect.hello_retry);

    // Data both ways ('p' first: s_server treats some letters as commands).
    stream.write_all(b"ping-from-client\n").unwrap();
    stream.flush().unwrap();
    server.expect_output("ping-from-client", WAIT);
    server.send_line("pong-from-server");
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&got).contains("pong-from-server") {
        let k = stream.read(&mut buf).unwrap();
        assert_ne!(k, 0, "server closed early\n{}", server.output());
        got.extend_from_slice(&buf[..k]);
    }

    // The server's view, from its trace of what it sent.
    let out = server.output();
    assert!(
        out.contains("Protocol version: TLSv1.3") || out.contains("TLS 1.3 (772)"),
        "{out}"
    );
    let hellos: Vec<&str> = out.split("ServerHello, Length=").skip(1).collect();
    assert_eq!(
        hellos.len(),
        if expect.hello_retry { 2 } else { 1 },
        "{out}"
    );
    let last = hellos.last().unwrap();
    let suite_hex = format!(
        "{{0x{:02X}, 0x{:02X}}}",
        expect.suite.to_wire() >> 8,
        expect.suite.to_wire() & 0xff
    );
    assert!(
        last.contains(&suite_hex),
        "suite {suite_hex} not in\n{last}"
    );
    let group_id = format!("({})\n", expect.group.to_wire());
    let group_line = last
        .lines()
        .find(|l| l.contains("NamedGroup:"))
        .unwrap_or_else(|| panic!("no key_share in\n{last}"));
    assert!(
        format!("{group_line}\n").ends_with(&group_id),
        "{group_line} is not group {}",
        expect.group
    );
    let scheme_id = format!("(0x{:04x})", expect.scheme.to_wire());
    let cv = out
        .split("CertificateVerify, Length=")
        .nth(1)
        .unwrap_or_else(|| panic!("no CertificateVerify in\n{out}"));
    let line = cv
        .lines()
        .find(|l| l.contains("Signature Algorithm:"))
        .unwrap();
    assert!(line.contains(&scheme_id), "{line} is not {scheme_id}");
}

#[test]
fn openssl_ecdsa_p256() {
    run(
        KeyType::EcdsaP256,
        &[],
        client_config(),
        Expect {
            suite: CipherSuite::TLS_AES_128_GCM_SHA256,
            group: NamedGroup::X25519,
            scheme: SignatureScheme::EcdsaSecp256r1Sha256,
            hello_retry: false,
        },
    );
}

#[test]
fn openssl_ecdsa_p384_chacha() {
    let mut config = client_config();
    config.policy.cipher_suites = vec![CipherSuite::TLS_CHACHA20_POLY1305_SHA256];
    config.key_share_groups = vec![NamedGroup::Secp384r1];
    run(
        KeyType::EcdsaP384,
        &[],
        config,
        Expect {
            suite: CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
            group: NamedGroup::Secp384r1,
            scheme: SignatureScheme::EcdsaSecp384r1Sha384,
            hello_retry: false,
        },
    );
}

#[test]
fn openssl_rsa_pss() {
    let mut config = client_config();
    config.policy.cipher_suites = vec![CipherSuite::TLS_AES_128_GCM_SHA256];
    run(
        KeyType::Rsa2048,
        &[],
        config,
        Expect {
            suite: CipherSuite::TLS_AES_128_GCM_SHA256,
            group: NamedGroup::X25519,
            scheme: SignatureScheme::RsaPssRsaeSha256,
            hello_retry: false,
        },
    );
}

#[test]
fn openssl_ed25519() {
    run(
        KeyType::Ed25519,
        &[],
        client_config(),
        Expect {
            suite: CipherSuite::TLS_AES_128_GCM_SHA256,
            group: NamedGroup::X25519,
            scheme: SignatureScheme::Ed25519,
            hello_retry: false,
        },
    );
}

/// RFC 8446 §4.1.4: the client shares x25519, the server accepts only
/// P-256 and asks again.
#[test]
fn openssl_hello_retry_request() {
    let mut config = client_config();
    config.key_share_groups = vec![NamedGroup::X25519];
    run(
        KeyType::EcdsaP256,
        &["-groups", "P-256"],
        config,
        Expect {
            suite: CipherSuite::TLS_AES_128_GCM_SHA256,
            group: NamedGroup::Secp256r1,
            scheme: SignatureScheme::EcdsaSecp256r1Sha256,
            hello_retry: true,
        },
    );
}
