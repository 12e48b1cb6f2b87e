//! The ferrotls TLS 1.3 server against `openssl s_client` over loopback.
//!
//! - the full matrix: every TLS 1.3 suite × {x25519, secp256r1, secp384r1} ×
//!   server certificates {ECDSA P-256, ECDSA P-384, RSA-2048 (PSS), Ed25519};
//! - HelloRetryRequest (RFC 8446 §4.1.4), stateful and stateless;
//! - ALPN agreed, and refused with no_application_protocol (RFC 7301 §3.2);
//! - s_client refusing our certificate (unknown CA, wrong name): the alert it
//!   sends is what our server reports;
//! - client certificates (RFC 8446 §4.3.2).
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
use ferrotls::error::{Error, PeerMisbehaved};
use ferrotls::msgs::enums::{AlertDescription, NamedGroup, ProtocolVersion};
use ferrotls_test::loopback::{self, Served};
use ferrotls_test::matrix::{self, Case};
use ferrotls_test::peers::{self, openssl, ClientRun, OpensslClient};
use ferrotls_test::pki::{KeyType, Pki, PkiFiles};

const RUN_TIMEOUT: Duration = Duration::from_secs(15);

/// Serves one connection with `config` and runs s_client against it with
/// the test CA bundle, `-tls1_3 -msg` and `extra` arguments; when the
/// handshake works, a line crosses and comes back echoed.
fn run_s_client(files: &PkiFiles, config: ServerConfig, extra: &[OsString]) -> (ClientRun, Served) {
    let (port, server) = loopback::serve_one(config);
    let run = OpensslClient::builder(port)
        .args(openssl::client_verify_args(&files.ca_bundle))
        .args(["-tls1_3", "-msg"])
        .args(extra)
        .wait_for("Verify return code:")
        .send(b"ping-from-openssl\n")
        .wait_for("echo: ping-from-openssl")
        .timeout(RUN_TIMEOUT)
        .run();
    let served = server.join().unwrap();
    (run, served)
}

/// What both ends must agree on beyond the case itself.
struct Want {
    hello_retry: bool,
    client_auth: bool,
}

const PLAIN: Want = Want {
    hello_retry: false,
    client_auth: false,
};

fn check_both_views(run: &ClientRun, served: &Served, case: &Case, want: &Want) {
    let out = run.stdout();
    assert_eq!(served.error, None, "{out}");

    // s_client's view.
    let session = openssl::session(out).unwrap_or_else(|| panic!("no session line\n{out}"));
    assert_eq!(session.version, "TLSv1.3", "{out}");
    assert!(!session.reused, "{out}");
    assert_eq!(session.cipher, case.suite.to_string(), "{out}");
    assert_eq!(openssl::verify_return_code(out), Some(0), "{out}");
    assert_eq!(
        openssl::field(out, "Peer signature type").as_deref(),
        Some(matrix::openssl_signature_type(case.key_type)),
        "{out}"
    );
    assert_eq!(
        openssl::field(out, "Server Temp Key").as_deref(),
        Some(matrix::openssl_temp_key(case.group)),
        "{out}"
    );
    let client_hellos = out
        .lines()
        .filter(|l| l.starts_with(">>> ") && l.ends_with(", ClientHello"))
        .count();
    assert_eq!(client_hellos, if want.hello_retry { 2 } else { 1 }, "{out}");
    // The data went both ways.
    assert!(run.contains("echo: ping-from-openssl"), "{out}");
    assert_eq!(served.received, b"ping-from-openssl\n", "{out}");

    // Ours.
    let n = &served.negotiated;
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(n.cipher_suite, Some(case.suite));
    assert_eq!(n.group, Some(case.group));
    assert_eq!(n.signature_scheme, Some(case.scheme()));
    assert_eq!(n.hello_retry, want.hello_retry);
    assert_eq!(n.client_auth, want.client_auth);
    assert_eq!(n.peer_certificates.is_empty(), !want.client_auth);
    assert_eq!(n.server_name.as_deref(), Some("localhost"));
}

/// s_client limited to the case's suite and group.
fn case_args(case: &Case) -> Vec<OsString> {
    vec![
        "-ciphersuites".into(),
        case.suite.to_string().into(),
        "-groups".into(),
        matrix::openssl_group(case.group).into(),
    ]
}

#[test]
fn matrix_against_s_client() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    matrix::run_cases(
        "s_client vs ferrotls server",
        &matrix::full_matrix(),
        |case| {
            let (run, served) =
                run_s_client(&files, loopback::server_config_for(case), &case_args(case));
            check_both_views(&run, &served, case, &PLAIN);
        },
    );
}

/// `-groups X25519:<group>` makes s_client send an x25519 share only; our
/// server allows only the other group, so it asks again (RFC 8446 §4.1.4),
/// keeping state or, stateless, carrying it in the cookie (§4.2.2).
#[test]
fn hello_retry_request_to_s_client() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let cases = [
        (
            Case {
                suite: matrix::SUITES[0],
                group: NamedGroup::Secp256r1,
                key_type: KeyType::EcdsaP256,
            },
            false,
        ),
        (
            Case {
                suite: matrix::SUITES[0],
                group: NamedGroup::Secp256r1,
                key_type: KeyType::EcdsaP256,
            },
            true,
        ),
        (
            Case {
                suite: matrix::SUITES[1],
                group: NamedGroup::Secp384r1,
                key_type: KeyType::Ed25519,
            },
            true,
        ),
    ];
    let labelled: Vec<_> = cases
        .iter()
        .map(|(case, stateless)| Labelled(*case, *stateless))
        .collect();
    matrix::run_cases(
        "HelloRetryRequest to s_client",
        &labelled,
        |Labelled(case, stateless)| {
            let mut config = loopback::server_config_for(case);
            config.stateless_retry = *stateless;
            let groups = format!("X25519:{}", matrix::openssl_group(case.group));
            let args: Vec<OsString> = vec![
                "-ciphersuites".into(),
                case.suite.to_string().into(),
                "-groups".into(),
                groups.into(),
            ];
            let (run, served) = run_s_client(&files, config, &args);
            check_both_views(
                &run,
                &served,
                case,
                &Want {
                    hello_retry: true,
                    client_auth: false,
                },
            );
        },
    );
}

/// A case and whether the retry is stateless, for failure messages.
struct Labelled(Case, bool);

impl std::fmt::Display for Labelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (stateless: {})", self.0, self.1)
    }
}

fn alpn_server(protocols: &[&[u8]]) -> ServerConfig {
    let mut config = loopback::server_config(KeyType::EcdsaP256);
    config.policy.alpn_protocols = protocols.iter().map(|p| p.to_vec()).collect();
    config
}

const DEFAULT_CASE: Case = Case {
    suite: matrix::SUITES[0],
    group: NamedGroup::X25519,
    key_type: KeyType::EcdsaP256,
};

/// RFC 7301 §3.2: our server picks by its own preference among s_client's.
#[test]
fn alpn_agreed_with_s_client() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let (run, served) = run_s_client(
        &files,
        alpn_server(&[b"h2", b"http/1.1"]),
        &["-alpn".into(), "http/1.1,h2".into()],
    );
    check_both_views(&run, &served, &DEFAULT_CASE, &PLAIN);
    assert_eq!(served.negotiated.alpn.as_deref(), Some(&b"h2"[..]));
    run.assert_contains(&["ALPN protocol: h2"]);
}

/// RFC 7301 §3.2: "the server SHALL respond with a fatal
/// no_application_protocol alert" when it supports none of the client's.
#[test]
fn alpn_refused_to_s_client() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let (run, served) = run_s_client(
        &files,
        alpn_server(&[b"h2"]),
        &["-alpn".into(), "http/1.1".into()],
    );
    assert!(!run.succeeded(), "{}", run.output());
    run.assert_contains(&[
        "tlsv1 alert no application protocol",
        "SSL alert number 120",
    ]);
    assert!(!run.contains("echo: "), "{}", run.output());
    let error = served.error.expect("our server failed");
    assert_eq!(
        error,
        Error::Peer(PeerMisbehaved::NoCommonApplicationProtocol)
    );
    assert_eq!(error.alert(), Some(AlertDescription::NoApplicationProtocol));
    assert_eq!(served.negotiated.alpn, None);
    assert!(served.received.is_empty());
}

/// s_client with `verify` arguments refuses our chain: it must fail with
/// `verify_error` and send the fatal `alert` (RFC 8446 §6.2). Returns what
/// our server saw.
///
/// s_client fails while reading our Certificate, before it has switched its
/// own writes to the handshake traffic keys, so its alert goes out as an
/// unprotected record (outer type alert, `15 03 03 00 02`) although our
/// server already reads with the client handshake traffic key.
fn refused_by_s_client(
    verify: Vec<OsString>,
    verify_error: &str,
    alert: AlertDescription,
) -> Served {
    let (port, server) = loopback::serve_one(loopback::server_config(KeyType::EcdsaP256));
    let run = OpensslClient::builder(port)
        .args(verify)
        .args(["-tls1_3", "-msg", "-verify_return_error"])
        .send(b"ping-from-openssl\n")
        .timeout(RUN_TIMEOUT)
        .run();
    let served = server.join().unwrap();
    let out = run.output();
    assert!(!run.succeeded(), "{out}");
    assert!(run.contains(verify_error), "{out}");
    assert!(run.contains("certificate verify failed"), "{out}");
    let sent_alert = format!(
        ">>> TLS 1.2, RecordHeader [length 0005]\n    15 03 03 00 02\n>>> TLS 1.3, Alert [length 0002], fatal {alert}\n    02 {:02x}\n",
        alert.to_wire()
    );
    // -msg writes to stdout; stderr lines may land between its lines in `output()`.
    assert!(
        run.stdout().contains(&sent_alert),
        "no {sent_alert:?} in\n{out}"
    );
    assert!(!run.contains("echo: "), "{out}");
    assert!(served.accepted);
    assert!(served.error.is_some(), "our server did not fail\n{out}");
    assert!(served.received.is_empty());
    assert!(!served.negotiated.client_auth);
    served
}

fn unknown_ca_args(files: &PkiFiles) -> Vec<OsString> {
    vec![
        "-servername".into(),
        "localhost".into(),
        "-CAfile".into(),
        files.unknown_ca.clone().into(),
    ]
}

/// Our chain ends in our self-signed CA, which is not in s_client's bundle:
/// s_client reports error 19 and sends unknown_ca.
#[test]
fn unknown_ca_refused_by_s_client() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    refused_by_s_client(
        unknown_ca_args(&files),
        "verify error:num=19:self-signed certificate in certificate chain",
        AlertDescription::UnknownCa,
    );
}

fn wrong_name_args(files: &PkiFiles) -> Vec<OsString> {
    vec![
        "-servername".into(),
        "other.example".into(),
        "-verify_hostname".into(),
        "other.example".into(),
        "-CAfile".into(),
        files.ca_bundle.clone().into(),
    ]
}

/// Our `localhost` certificate checked against another name: s_client
/// reports error 62 and sends bad_certificate.
#[test]
fn wrong_hostname_refused_by_s_client() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    refused_by_s_client(
        wrong_name_args(&files),
        "verify error:num=62:hostname mismatch",
        AlertDescription::BadCertificate,
    );
}

/// RFC 8446 §6: "Upon receiving an error alert, the TLS implementation
/// SHOULD indicate an error to the application": our server should report
/// the alert s_client sent. s_client sends it unprotected, before it
/// switches its writes to handshake keys, while our server already reads
/// with them: the record layer must still read it as an alert.
#[test]
fn refusal_alerts_reach_our_server() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let served = refused_by_s_client(
        unknown_ca_args(&files),
        "verify error:num=19:",
        AlertDescription::UnknownCa,
    );
    assert_eq!(
        served.error,
        Some(Error::AlertReceived(AlertDescription::UnknownCa))
    );
    let served = refused_by_s_client(
        wrong_name_args(&files),
        "verify error:num=62:",
        AlertDescription::BadCertificate,
    );
    assert_eq!(
        served.error,
        Some(Error::AlertReceived(AlertDescription::BadCertificate))
    );
}

/// s_client presents a certificate when our server asks (RFC 8446 §4.3.2).
#[test]
fn client_certificates_from_s_client() {
    if !peers::require_tool("openssl") {
        return;
    }
    let pki = Pki::get();
    let files = pki.write_pem_files();
    let mut roots = RootStore::empty();
    roots.add_all(&pki.roots()).unwrap();
    let verifier = Arc::new(ClientCertVerifier::new(Arc::new(roots)));
    let key_types = [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Rsa2048,
        KeyType::Ed25519,
    ];
    let labels: Vec<&str> = key_types.iter().map(|kt| kt.name()).collect();
    matrix::run_cases("client certificates", &labels, |label| {
        let kt = *key_types.iter().find(|kt| kt.name() == *label).unwrap();
        let mut config = loopback::server_config(KeyType::EcdsaP256);
        config.client_verifier = Some(verifier.clone());
        let args = openssl::server_identity_args(files.client(kt));
        let (run, served) = run_s_client(&files, config, &args);
        check_both_views(
            &run,
            &served,
            &DEFAULT_CASE,
            &Want {
                hello_retry: false,
                client_auth: true,
            },
        );
        assert_eq!(served.negotiated.peer_certificates[0], pki.client(kt).cert);
    });
}
