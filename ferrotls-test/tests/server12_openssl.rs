//! The ferrotls TLS 1.2 server against `openssl s_client -tls1_2` over
//! loopback.
//!
//! - every TLS 1.2 ECDHE suite with the certificates of its type, the
//!   extended master secret seen by s_client (RFC 7627), and the
//!   downgrade sentinel in our random (RFC 8446 §4.1.3);
//! - DHE_RSA with an RFC 7919 group; static RSA when enabled;
//! - TLS_FALLBACK_SCSV (RFC 7507) and TLS 1.1 refused;
//! - client certificates (RFC 5246 §7.4.4-§7.4.8), with and without one;
//! - resumption by session ID and by ticket (`-sess_out` / `-sess_in`),
//!   and full handshakes when the name or the suite changes.
//!
//! s_client's view comes from its printed markers (`-msg`), ours from
//! `negotiated()`; a line typed into s_client crosses to our server, which
//! echoes it back.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::ffi::OsString;
use std::sync::Arc;
use std::time::Duration;

use ferrotls::auth::{ClientCertVerifier, RootStore};
use ferrotls::config::ServerConfig;
use ferrotls::crypto::kx::rsa::RsaDecryptingKey;
use ferrotls::error::{Error, PeerMisbehaved};
use ferrotls::msgs::enums::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion};
use ferrotls::msgs::server_hello::DOWNGRADE_TLS12;
use ferrotls::server::StaticRsaKey;
use ferrotls_test::loopback::{self, Served};
use ferrotls_test::matrix;
use ferrotls_test::peers::{self, openssl, ClientRun, OpensslClient};
use ferrotls_test::pki::{KeyType, Pki, PkiFiles};

const RUN_TIMEOUT: Duration = Duration::from_secs(15);

/// Serves one connection with `config` and runs `s_client -tls1_2 -msg`
/// against it with the test CA bundle and `extra` arguments; when the
/// handshake works, a line crosses and comes back echoed.
fn run_s_client(files: &PkiFiles, config: ServerConfig, extra: &[OsString]) -> (ClientRun, Served) {
    let (port, server) = loopback::serve_one(config);
    let run = OpensslClient::builder(port)
        .args(openssl::client_verify_args(&files.ca_bundle))
        .args(["-tls1_2", "-msg"])
        .args(extra)
        .wait_for("Verify return code:")
        .send(b"ping-from-openssl\n")
        .wait_for("echo: ping-from-openssl")
        .timeout(RUN_TIMEOUT)
        .run();
    let served = server.join().unwrap();
    (run, served)
}

/// OpenSSL's name of a TLS 1.2 suite.
fn openssl_cipher(suite: CipherSuite) -> &'static str {
    match suite {
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => {
            "ECDHE-ECDSA-CHACHA20-POLY1305"
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => "ECDHE-RSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => "ECDHE-RSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-RSA-CHACHA20-POLY1305",
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 => "DHE-RSA-AES128-GCM-SHA256",
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 => "DHE-RSA-AES256-GCM-SHA384",
        CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "DHE-RSA-CHACHA20-POLY1305",
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256 => "AES128-GCM-SHA256",
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384 => "AES256-GCM-SHA384",
        other => panic!("no OpenSSL name for {other}"),
    }
}

const ECDHE_SUITES: [CipherSuite; 6] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

const DHE_SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

/// The bytes of the first ServerHello in `-msg` output (header included).
fn server_hello_bytes(out: &str) -> Vec<u8> {
    let mut lines = out.lines().skip_while(|l| !l.ends_with(", ServerHello"));
    assert!(lines.next().is_some(), "no ServerHello\n{out}");
    lines
        .take_while(|l| l.starts_with(' '))
        .flat_map(|l| l.split_whitespace())
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect()
}

/// What both ends must agree on.
struct Want {
    suite: CipherSuite,
    group: Option<NamedGroup>,
    /// `Server Temp Key` as s_client prints it.
    temp_key: Option<&'static str>,
    client_auth: bool,
    /// The server also speaks TLS 1.3, so the sentinel is in its random.
    sentinel: bool,
}

fn check_both_views(run: &ClientRun, served: &Served, want: &Want) {
    let out = run.stdout();
    assert_eq!(served.error, None, "{out}");

    // s_client's view.
    let session = openssl::session(out).unwrap_or_else(|| panic!("no session line\n{out}"));
    assert_eq!(session.version, "TLSv1.2", "{out}");
    assert!(!session.reused, "{out}");
    assert_eq!(session.cipher, openssl_cipher(want.suite), "{out}");
    assert_eq!(openssl::verify_return_code(out), Some(0), "{out}");
    assert_eq!(
        openssl::field(out, "Server Temp Key").as_deref(),
        want.temp_key,
        "{out}"
    );
    // RFC 7627: s_client reports the extension it saw in our ServerHello.
    assert_eq!(
        openssl::field(out, "Extended master secret").as_deref(),
        Some("yes"),
        "{out}"
    );
    let hello = server_hello_bytes(out);
    let random_tail = &hello[30..38];
    assert_eq!(random_tail == DOWNGRADE_TLS12, want.sentinel, "{out}");
    assert!(run.contains("echo: ping-from-openssl"), "{out}");
    assert_eq!(served.received, b"ping-from-openssl\n", "{out}");

    // Ours.
    let n = &served.negotiated;
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(n.cipher_suite, Some(want.suite));
    assert_eq!(n.group, want.group);
    assert_eq!(n.client_auth, want.client_auth);
    assert_eq!(n.peer_certificates.is_empty(), !want.client_auth);
    assert_eq!(n.server_name.as_deref(), Some("localhost"));
    assert!(!n.resumed);
}

/// `-groups`: the case's group, and the curve of an ECDSA certificate
/// (RFC 8422 §5.1: the client's curves bind the certificate too).
fn groups_arg(group: NamedGroup, kt: KeyType) -> String {
    let curve = match kt {
        KeyType::EcdsaP256 => Some(NamedGroup::Secp256r1),
        KeyType::EcdsaP384 => Some(NamedGroup::Secp384r1),
        _ => None,
    };
    match curve {
        Some(c) if c != group => {
            format!(
                "{}:{}",
                matrix::openssl_group(group),
                matrix::openssl_group(c)
            )
        }
        _ => matrix::openssl_group(group).to_owned(),
    }
}

fn key_types_for(suite: CipherSuite) -> Vec<KeyType> {
    match suite.to_string().contains("ECDSA") {
        true => vec![KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519],
        false => vec![KeyType::Rsa2048],
    }
}

#[test]
fn every_ecdhe_suite_with_its_certificates() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for suite in ECDHE_SUITES {
        for kt in key_types_for(suite) {
            for group in [
                NamedGroup::X25519,
                NamedGroup::Secp256r1,
                NamedGroup::Secp384r1,
            ] {
                // One group per certificate keeps the run short; x25519
                // goes with every pair.
                if group != NamedGroup::X25519 && kt != KeyType::EcdsaP256 && kt != KeyType::Rsa2048
                {
                    continue;
                }
                let mut config = loopback::server_config(kt);
                // Our order puts the case's group first.
                config.policy.groups.retain(|g| *g != group);
                config.policy.groups.insert(0, group);
                let (run, served) = run_s_client(
                    &files,
                    config,
                    &[
                        "-cipher".into(),
                        openssl_cipher(suite).into(),
                        "-groups".into(),
                        groups_arg(group, kt).into(),
                    ],
                );
                check_both_views(
                    &run,
                    &served,
                    &Want {
                        suite,
                        group: Some(group),
                        temp_key: Some(matrix::openssl_temp_key(group)),
                        client_auth: false,
                        sentinel: true,
                    },
                );
                assert_eq!(
                    served.negotiated.signature_scheme,
                    Some(matrix::server_scheme(kt)),
                    "{suite} {kt:?}"
                );
            }
        }
    }
}

/// RFC 7919 §4: DHE_RSA with ffdhe2048. `s_client -tls1_2` (OpenSSL 3.0)
/// lists no FFDHE group in supported_groups, so the server uses the
/// first of its own named groups, never custom parameters.
#[test]
fn dhe_rsa_with_ffdhe2048() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for suite in DHE_SUITES {
        let mut config = loopback::server_config(KeyType::Rsa2048);
        config.policy.cipher_suites.push(suite);
        let (run, served) = run_s_client(
            &files,
            config,
            &["-cipher".into(), openssl_cipher(suite).into()],
        );
        check_both_views(
            &run,
            &served,
            &Want {
                suite,
                group: Some(NamedGroup::Ffdhe2048),
                temp_key: Some("DH, 2048 bits"),
                client_auth: false,
                sentinel: true,
            },
        );
    }
}

/// The static RSA server of `config`'s RSA certificate.
fn with_static_rsa(mut config: ServerConfig) -> ServerConfig {
    let id = Pki::get().server(KeyType::Rsa2048);
    let certified = ferrotls::auth::CertifiedKey::new(
        id.chain(),
        ferrotls::auth::provider_key(&id.private_key()).unwrap(),
    )
    .unwrap();
    config.static_rsa = Some(Arc::new(StaticRsaKey {
        certified: Arc::new(certified),
        decrypter: RsaDecryptingKey::from_pkcs8_der(id.private_key().secret_der()).unwrap(),
    }));
    config
}

/// RFC 5246 §7.4.7.1: static RSA key transport, when enabled; a server
/// without it enabled refuses the suite.
#[test]
fn static_rsa_when_enabled() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for suite in [
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
    ] {
        let mut config = with_static_rsa(loopback::server_config(KeyType::Rsa2048));
        config.policy.cipher_suites.push(suite);
        let (run, served) = run_s_client(
            &files,
            config,
            &["-cipher".into(), openssl_cipher(suite).into()],
        );
        check_both_views(
            &run,
            &served,
            &Want {
                suite,
                group: None,
                temp_key: None,
                client_auth: false,
                sentinel: true,
            },
        );
    }

    // Enabled in the policy but without the key: nothing in common.
    let mut config = loopback::server_config(KeyType::Rsa2048);
    config
        .policy
        .cipher_suites
        .push(CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256);
    let (run, served) = run_s_client(
        &files,
        config,
        &["-cipher".into(), "AES128-GCM-SHA256".into()],
    );
    assert!(!run.succeeded(), "{}", run.output());
    run.assert_contains(&["alert handshake failure"]);
    assert_eq!(
        served.error,
        Some(Error::Peer(PeerMisbehaved::NoCommonCipherSuite))
    );
}

/// A server without TLS 1.3 writes no downgrade sentinel.
#[test]
fn no_sentinel_without_tls13() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut config = loopback::server_config(KeyType::EcdsaP256);
    config.policy.versions = vec![ProtocolVersion::TLSv1_2];
    let (run, served) = run_s_client(&files, config, &[]);
    check_both_views(
        &run,
        &served,
        &Want {
            suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            group: Some(NamedGroup::X25519),
            temp_key: Some("X25519, 253 bits"),
            client_auth: false,
            sentinel: false,
        },
    );
}

/// RFC 7507 §3: s_client falling back to TLS 1.2 against a server that
/// speaks TLS 1.3 gets inappropriate_fallback.
#[test]
fn fallback_scsv_refused() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let (run, served) = run_s_client(
        &files,
        loopback::server_config(KeyType::EcdsaP256),
        &["-fallback_scsv".into()],
    );
    assert!(!run.succeeded(), "{}", run.output());
    run.assert_contains(&["inappropriate fallback"]);
    let error = served.error.expect("our server failed");
    assert_eq!(error, Error::Peer(PeerMisbehaved::InappropriateFallback));
    assert_eq!(error.alert(), Some(AlertDescription::InappropriateFallback));
}

/// RFC 8996: TLS 1.1 is refused with protocol_version.
#[test]
fn tls11_refused() {
    if !peers::require_tool("openssl") {
        return;
    }
    let (port, server) = loopback::serve_one(loopback::server_config(KeyType::EcdsaP256));
    let run = OpensslClient::builder(port)
        .args(["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        .wait_for("Verify return code:")
        .timeout(RUN_TIMEOUT)
        .run();
    let served = server.join().unwrap();
    assert!(!run.succeeded(), "{}", run.output());
    run.assert_contains(&["alert protocol version"]);
    assert_eq!(
        served.error,
        Some(Error::Peer(PeerMisbehaved::NoCommonVersion))
    );
}

fn client_auth_config(anonymous: bool) -> ServerConfig {
    let mut config = loopback::server_config(KeyType::EcdsaP256);
    let mut roots = RootStore::empty();
    roots.add_all(&Pki::get().roots()).unwrap();
    config.client_verifier = Some(Arc::new(
        ClientCertVerifier::new(Arc::new(roots)).allow_anonymous(anonymous),
    ));
    config
}

/// RFC 5246 §7.4.4-§7.4.8: s_client presents its certificate and signs
/// the handshake messages; without one, we go on only if allowed.
#[test]
fn client_certificates() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let want = |client_auth| Want {
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        group: Some(NamedGroup::X25519),
        temp_key: Some("X25519, 253 bits"),
        client_auth,
        sentinel: true,
    };
    for kt in [KeyType::EcdsaP256, KeyType::Rsa2048, KeyType::Ed25519] {
        let id = files.client(kt);
        let (run, served) = run_s_client(
            &files,
            client_auth_config(false),
            &[
                "-cert".into(),
                id.cert.clone().into(),
                "-key".into(),
                id.key.clone().into(),
            ],
        );
        check_both_views(&run, &served, &want(true));
    }

    let (run, served) = run_s_client(&files, client_auth_config(true), &[]);
    check_both_views(&run, &served, &want(false));

    // RFC 5246 §7.4.6: no certificate when one is required.
    let (run, served) = run_s_client(&files, client_auth_config(false), &[]);
    assert!(!run.contains("echo: "), "{}", run.output());
    run.assert_contains(&["alert handshake failure"]);
    let error = served.error.expect("our server failed");
    assert_eq!(error.alert(), Some(AlertDescription::HandshakeFailure));
}

/// One s_client run against a served connection, for resumption: the
/// session is written to or read from `sess` (`-sess_out` / `-sess_in`).
fn run_resumption(
    files: &PkiFiles,
    config: ServerConfig,
    sess_arg: &str,
    sess: &std::path::Path,
    extra: &[&str],
) -> (ClientRun, Served) {
    let mut args: Vec<OsString> = vec![sess_arg.into(), sess.into()];
    args.extend(extra.iter().map(OsString::from));
    run_s_client(files, config, &args)
}

/// RFC 5246 §7.3 abbreviated handshake, by session ID (tickets off) and
/// by RFC 5077 ticket: s_client reports `Reused`, we report resumed; a
/// connection offering the session under another server name or with
/// another suite gets a full handshake.
#[test]
fn session_id_and_ticket_resumption() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for tickets in [false, true] {
        let mut config = loopback::server_config(KeyType::EcdsaP256);
        if !tickets {
            config.ticket_keys = None;
        }
        let sess = files.dir().join(format!("server12-session-{tickets}.pem"));
        let (run, served) = run_resumption(&files, config.clone(), "-sess_out", &sess, &[]);
        check_both_views(
            &run,
            &served,
            &Want {
                suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                group: Some(NamedGroup::X25519),
                temp_key: Some("X25519, 253 bits"),
                client_auth: false,
                sentinel: true,
            },
        );
        let out = run.stdout();
        // s_client shows the ticket it got, or none.
        assert_eq!(
            out.contains("TLS session ticket lifetime hint"),
            tickets,
            "{out}"
        );

        let (run, served) = run_resumption(&files, config.clone(), "-sess_in", &sess, &[]);
        let out = run.stdout();
        assert_eq!(served.error, None, "{out}");
        let session = openssl::session(out).unwrap_or_else(|| panic!("no session line\n{out}"));
        assert!(session.reused, "tickets={tickets}\n{out}");
        assert_eq!(session.version, "TLSv1.2", "{out}");
        assert_eq!(session.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256", "{out}");
        assert_eq!(
            openssl::field(out, "Extended master secret").as_deref(),
            Some("yes"),
            "{out}"
        );
        assert!(run.contains("echo: ping-from-openssl"), "{out}");
        assert_eq!(served.received, b"ping-from-openssl\n", "{out}");
        let n = &served.negotiated;
        assert!(n.resumed, "{out}");
        assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
        assert_eq!(
            n.cipher_suite,
            Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
        );
        // The abbreviated handshake: no Certificate, no key exchange.
        assert!(!out.contains(", Certificate\n"), "{out}");
        assert!(!out.contains("ServerKeyExchange"), "{out}");

        // RFC 6066 §3: a server "MUST NOT accept the request to resume
        // the session if the server_name extension contains a different
        // name"; it does a full handshake.
        let (run, served) = run_resumption(
            &files,
            config.clone(),
            "-sess_in",
            &sess,
            &["-servername", "other.localhost"],
        );
        let out = run.stdout();
        assert_eq!(served.error, None, "{out}");
        assert!(!openssl::session(out).unwrap().reused, "{out}");
        assert!(!served.negotiated.resumed);
        assert_eq!(
            served.negotiated.server_name.as_deref(),
            Some("other.localhost")
        );

        // RFC 5246 §7.4.1.3: a session resumes with its own suite only;
        // offered another one, the server does a full handshake.
        let (run, served) = run_resumption(
            &files,
            config,
            "-sess_in",
            &sess,
            &["-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"],
        );
        let out = run.stdout();
        assert_eq!(served.error, None, "{out}");
        let session = openssl::session(out).unwrap_or_else(|| panic!("no session line\n{out}"));
        assert!(!session.reused, "{out}");
        assert_eq!(session.cipher, "ECDHE-ECDSA-AES256-GCM-SHA384", "{out}");
        assert!(!served.negotiated.resumed);
        assert!(run.contains("echo: ping-from-openssl"), "{out}");
    }
}

/// A client that authenticated keeps its identity across a resumption.
#[test]
fn resumption_keeps_the_client_identity() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let config = client_auth_config(false);
    let id = files.client(KeyType::EcdsaP256);
    let sess = files.dir().join("server12-session-mtls.pem");
    let cert_args = [
        "-cert",
        id.cert.to_str().unwrap(),
        "-key",
        id.key.to_str().unwrap(),
    ];
    let (run, served) = run_resumption(&files, config.clone(), "-sess_out", &sess, &cert_args);
    assert_eq!(served.error, None, "{}", run.stdout());
    assert!(served.negotiated.client_auth);
    let (run, served) = run_resumption(&files, config, "-sess_in", &sess, &cert_args);
    let out = run.stdout();
    assert_eq!(served.error, None, "{out}");
    assert!(openssl::session(out).unwrap().reused, "{out}");
    assert!(served.negotiated.resumed);
    assert!(served.negotiated.client_auth);
    assert_eq!(served.negotiated.peer_certificates.len(), 2);
}
