//! ferrotls TLS 1.3 against GnuTLS over loopback, both directions:
//! every TLS 1.3 suite × {x25519, secp256r1} × server certificates
//! {ECDSA P-256, RSA-2048 (PSS)}, and one HelloRetryRequest each way
//! (RFC 8446 §4.1.4).
//!
//! GnuTLS's view is its `- Description:` line (version, key exchange,
//! signature, cipher), printed by both `gnutls-cli` and `gnutls-serv`; ours
//! is `negotiated()`. A line crosses each way: `gnutls-serv --echo` and our
//! test server both echo what they receive.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::ffi::OsString;
use std::time::Duration;

use ferrotls::conn::Negotiated;
use ferrotls::msgs::enums::{NamedGroup, ProtocolVersion};
use ferrotls_test::loopback;
use ferrotls_test::matrix::{self, Case};
use ferrotls_test::peers::{self, gnutls, GnutlsClient, GnutlsServer};
use ferrotls_test::pki::{KeyType, Pki, PkiFiles};

const WAIT: Duration = Duration::from_secs(5);

fn gnutls_matrix() -> Vec<Case> {
    matrix::cases(
        &matrix::SUITES,
        &[NamedGroup::X25519, NamedGroup::Secp256r1],
        &[KeyType::EcdsaP256, KeyType::Rsa2048],
    )
}

/// Checks GnuTLS's `- Description:` line names exactly the case.
fn check_description(output: &str, case: &Case) {
    let d = gnutls::description(output).unwrap_or_else(|| panic!("no Description in\n{output}"));
    assert_eq!(d.version, "TLS1.3", "{output}");
    assert_eq!(d.parts[0], "TLS1.3-X.509", "{output}");
    assert_eq!(d.kx, matrix::gnutls_kx(case.group), "{output}");
    assert_eq!(d.sig, matrix::gnutls_signature(case.key_type), "{output}");
    assert_eq!(d.cipher, matrix::gnutls_cipher(case.suite), "{output}");
    // AEAD suites carry no separate MAC part.
    assert_eq!(d.parts.len(), 4, "{output}");
}

fn check_ours(n: &Negotiated, case: &Case, hello_retry: bool) {
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(n.cipher_suite, Some(case.suite));
    assert_eq!(n.group, Some(case.group));
    assert_eq!(n.signature_scheme, Some(case.scheme()));
    assert_eq!(n.hello_retry, hello_retry);
}

// ---- ferrotls client, gnutls-serv ---------------------------------------

/// `gnutls-serv --echo` with the case's certificate, limited to the case's
/// suite and `groups`.
fn gnutls_serv(files: &PkiFiles, case: &Case, groups: &[NamedGroup], debug: bool) -> GnutlsServer {
    let mut args: Vec<OsString> = gnutls::server_identity_args(files.server(case.key_type));
    let groups: String = groups
        .iter()
        .map(|g| format!(":+{}", matrix::gnutls_group(*g)))
        .collect();
    let priority = format!(
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+{}:-GROUP-ALL{groups}",
        matrix::gnutls_cipher(case.suite)
    );
    args.extend(["--priority".into(), priority.into()]);
    if debug {
        args.extend(["-d".into(), "4".into()]);
    }
    GnutlsServer::spawn(&args)
}

fn client_to_gnutls_serv(files: &PkiFiles, case: &Case, hello_retry: bool) {
    let server = gnutls_serv(files, case, &[case.group], hello_retry);
    let mut config = loopback::client_config_for(case);
    if hello_retry {
        // Only an x25519 share, which the server does not take.
        config.policy.groups = vec![NamedGroup::X25519, case.group];
        config.key_share_groups = vec![NamedGroup::X25519];
    }
    let mut stream = loopback::connect(config, server.addr())
        .unwrap_or_else(|(e, io)| panic!("handshake: {e:?} ({io})\n{}", server.output()));
    loopback::write_all(&mut stream, b"ping-from-ferrotls\n");
    let echoed = loopback::read_until(&mut stream, "ping-from-ferrotls\n")
        .unwrap_or_else(|e| panic!("{e}\n{}", server.output()));
    assert_eq!(echoed, "ping-from-ferrotls\n");
    check_ours(stream.conn.negotiated(), case, hello_retry);
    assert_eq!(
        stream.conn.negotiated().server_name.as_deref(),
        Some("localhost")
    );

    server.expect_output("- Description:", WAIT);
    let out = server.stdout();
    check_description(&out, case);
    assert!(out.contains("- Given server name[1]: localhost"), "{out}");
    if hello_retry {
        let full = server.output();
        assert!(full.contains("HELLO RETRY REQUEST was queued"), "{full}");
        assert_eq!(
            full.matches("CLIENT HELLO (1) was received").count(),
            2,
            "{full}"
        );
    }
}

#[test]
fn matrix_client_against_gnutls_serv() {
    if !peers::require_tool("gnutls-serv") {
        return;
    }
    let files = Pki::get().write_pem_files();
    matrix::run_cases("ferrotls client vs gnutls-serv", &gnutls_matrix(), |case| {
        client_to_gnutls_serv(&files, case, false)
    });
}

/// gnutls-serv takes only secp256r1; our client shares x25519 first.
#[test]
fn hello_retry_request_from_gnutls_serv() {
    if !peers::require_tool("gnutls-serv") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let case = Case {
        suite: matrix::SUITES[1],
        group: NamedGroup::Secp256r1,
        key_type: KeyType::Rsa2048,
    };
    client_to_gnutls_serv(&files, &case, true);
}

// ---- gnutls-cli, ferrotls server ----------------------------------------

fn gnutls_cli_to_server(files: &PkiFiles, case: &Case, hello_retry: bool) {
    let mut config = loopback::server_config_for(case);
    let mut priority = matrix::gnutls_priority(case.suite, case.group);
    let mut debug: Vec<OsString> = Vec::new();
    if hello_retry {
        // gnutls-cli sends one share, for x25519, which our server does not take.
        config.policy.groups = vec![case.group];
        priority = format!(
            "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+{}:-GROUP-ALL:+GROUP-X25519:+{}",
            matrix::gnutls_cipher(case.suite),
            matrix::gnutls_group(case.group)
        );
        debug = vec!["--single-key-share".into(), "-d".into(), "4".into()];
    }
    let (port, server) = loopback::serve_one(config);
    let run = GnutlsClient::builder(port)
        .args(gnutls::client_verify_args(&files.ca_bundle))
        .args(["--priority".into(), OsString::from(priority)])
        .args(debug)
        .wait_for("- Handshake was completed")
        .send(b"ping-from-gnutls\n")
        .wait_for("echo: ping-from-gnutls")
        .timeout(Duration::from_secs(15))
        .run();
    let served = server.join().unwrap();
    let out = run.output();
    assert_eq!(served.error, None, "{out}");
    assert!(run.script_ok, "{out}");

    // gnutls-cli's view.
    assert!(gnutls::handshake_completed(out), "{out}");
    check_description(run.stdout(), case);
    assert!(
        run.contains("- Status: The certificate is trusted."),
        "{out}"
    );
    assert_eq!(
        run.contains("HELLO RETRY REQUEST (1025) was received"),
        hello_retry,
        "{out}"
    );
    assert!(run.stdout().contains("echo: ping-from-gnutls\n"), "{out}");

    // Ours.
    assert_eq!(served.received, b"ping-from-gnutls\n");
    check_ours(&served.negotiated, case, hello_retry);
    assert_eq!(served.negotiated.server_name.as_deref(), Some("localhost"));
    assert!(!served.negotiated.client_auth);
}

#[test]
fn matrix_gnutls_cli_against_server() {
    if !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    matrix::run_cases("gnutls-cli vs ferrotls server", &gnutls_matrix(), |case| {
        gnutls_cli_to_server(&files, case, false)
    });
}

/// Our server takes only secp256r1; gnutls-cli shares x25519 alone.
#[test]
fn hello_retry_request_to_gnutls_cli() {
    if !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let case = Case {
        suite: matrix::SUITES[2],
        group: NamedGroup::Secp256r1,
        key_type: KeyType::EcdsaP256,
    };
    gnutls_cli_to_server(&files, &case, true);
}
