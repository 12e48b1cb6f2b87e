//! The ferrotls TLS 1.3 client against `openssl s_server` over loopback.
//!
//! - the full matrix: every TLS 1.3 suite × {x25519, secp256r1, secp384r1} ×
//!   server certificates {ECDSA P-256, ECDSA P-384, RSA-2048 (PSS), Ed25519};
//! - HelloRetryRequest (RFC 8446 §4.1.4) to P-256 and to P-384;
//! - ALPN agreed and refused (RFC 7301 §3.2);
//! - a certificate for another host and one from an unknown CA, which we
//!   must refuse with bad_certificate / unknown_ca (RFC 8446 §6.2).
//!
//! Both ends' views are checked: ours through `negotiated()`, OpenSSL's
//! through `s_server -trace` (the messages it sent and the alerts it got);
//! data crosses both ways.
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

use ferrotls::config::ClientConfig;
use ferrotls::error::{CertificateError, Error};
use ferrotls::msgs::enums::{AlertDescription, NamedGroup, ProtocolVersion};
use ferrotls_test::loopback::{self, ClientStream};
use ferrotls_test::matrix::{self, Case};
use ferrotls_test::peers::{self, openssl, OpensslServer};
use ferrotls_test::pki::{IdentityFiles, KeyType, Pki};

const WAIT: Duration = Duration::from_secs(5);

/// `s_server -tls1_3 -trace` serving `identity`, plus `extra` arguments.
fn s_server(identity: &IdentityFiles, extra: &[&str]) -> OpensslServer {
    let mut args: Vec<OsString> = openssl::server_identity_args(identity);
    args.extend(["-tls1_3", "-trace"].map(OsString::from));
    args.extend(extra.iter().map(OsString::from));
    OpensslServer::spawn(&args)
}

/// Sends a line to s_server (which prints it) and has s_server type one
/// back; returns once both crossed.
fn exchange_data(stream: &mut ClientStream, server: &mut OpensslServer) {
    // 'p' first: s_server reads some single letters typed on stdin as commands.
    // Counted: an s_server that served an earlier connection printed
    // the line already, and its trace of this one may still be coming.
    let before = server.output().matches("ping-from-ferrotls").count();
    loopback::write_all(stream, b"ping-from-ferrotls\n");
    server.expect_count("ping-from-ferrotls", before + 1, WAIT);
    server.send_line("pong-from-openssl");
    loopback::read_until(stream, "pong-from-openssl")
        .unwrap_or_else(|e| panic!("{e}\n{}", server.output()));
}

/// Checks our view and s_server's trace agree on `case`.
fn check_both_views(stream: &ClientStream, server: &OpensslServer, case: &Case, hello_retry: bool) {
    let out = server.stdout();
    // Ours.
    let n = stream.conn.negotiated();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_3), "{out}");
    assert_eq!(n.cipher_suite, Some(case.suite), "{out}");
    assert_eq!(n.group, Some(case.group), "{out}");
    assert_eq!(n.signature_scheme, Some(case.scheme()), "{out}");
    assert_eq!(n.hello_retry, hello_retry, "{out}");
    assert_eq!(n.server_name.as_deref(), Some("localhost"));

    // s_server's, from the trace of what it sent.
    let hellos: Vec<&str> = out
        .split("Sent Record")
        .filter(|r| r.contains("ServerHello, Length="))
        .collect();
    assert_eq!(hellos.len(), if hello_retry { 2 } else { 1 }, "{out}");
    let last = hellos.last().unwrap();
    // RFC 8446 §4.2.1: the ServerHello's supported_versions selects TLS 1.3.
    assert!(last.contains("TLS 1.3 (772)"), "no TLS 1.3 in\n{last}");
    let suite_hex = format!(
        "cipher_suite {{0x{:02X}, 0x{:02X}}}",
        case.suite.to_wire() >> 8,
        case.suite.to_wire() & 0xff
    );
    assert!(last.contains(&suite_hex), "{suite_hex} not in\n{last}");
    let group_line = last
        .lines()
        .find(|l| l.contains("NamedGroup:"))
        .unwrap_or_else(|| panic!("no key_share in\n{last}"));
    assert!(
        group_line
            .trim_end()
            .ends_with(&format!("({})", case.group.to_wire())),
        "{group_line} is not group {}",
        case.group
    );
    let cv = out
        .split("CertificateVerify, Length=")
        .nth(1)
        .unwrap_or_else(|| panic!("no CertificateVerify in\n{out}"));
    let line = cv
        .lines()
        .find(|l| l.contains("Signature Algorithm:"))
        .unwrap();
    let scheme_id = format!("(0x{:04x})", case.scheme().to_wire());
    assert!(line.contains(&scheme_id), "{line} is not {scheme_id}");
}

/// One connection: s_server with the case's certificate, our client limited
/// to the case's suite and group.
fn run_case(files: &ferrotls_test::pki::PkiFiles, case: &Case) {
    let mut server = s_server(files.server(case.key_type), &[]);
    let mut stream = loopback::connect(loopback::client_config_for(case), server.addr())
        .unwrap_or_else(|(e, io)| panic!("handshake: {e:?} ({io})\n{}", server.output()));
    exchange_data(&mut stream, &mut server);
    check_both_views(&stream, &server, case, false);
}

#[test]
fn matrix_against_s_server() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    matrix::run_cases(
        "ferrotls client vs s_server",
        &matrix::full_matrix(),
        |case| run_case(&files, case),
    );
}

/// RFC 8446 §4.1.4: the client shares x25519 only; s_server accepts only
/// the other group and asks again with a HelloRetryRequest.
#[test]
fn hello_retry_request_from_s_server() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let cases = [
        Case {
            suite: matrix::SUITES[0],
            group: NamedGroup::Secp256r1,
            key_type: KeyType::EcdsaP256,
        },
        Case {
            suite: matrix::SUITES[2],
            group: NamedGroup::Secp384r1,
            key_type: KeyType::Rsa2048,
        },
    ];
    matrix::run_cases("HelloRetryRequest from s_server", &cases, |case| {
        let mut server = s_server(
            files.server(case.key_type),
            &["-groups", matrix::openssl_group(case.group)],
        );
        let mut config = loopback::client_config_for(case);
        config.policy.groups = vec![NamedGroup::X25519, case.group];
        config.key_share_groups = vec![NamedGroup::X25519];
        let mut stream = loopback::connect(config, server.addr())
            .unwrap_or_else(|(e, io)| panic!("handshake: {e:?} ({io})\n{}", server.output()));
        exchange_data(&mut stream, &mut server);
        check_both_views(&stream, &server, case, true);
        // The HelloRetryRequest names the group, and is marked by its
        // special random (RFC 8446 §4.1.3).
        let out = server.stdout();
        let hrr = out
            .split("Sent Record")
            .find(|r| r.contains("ServerHello, Length="))
            .unwrap();
        assert!(hrr.contains("gmt_unix_time=0xCF21AD74"), "{hrr}");
        assert!(
            hrr.contains(&format!("({})", case.group.to_wire())),
            "{hrr}"
        );
    });
}

fn alpn_config(protocols: &[&[u8]]) -> ClientConfig {
    let mut config = loopback::client_config();
    config.policy.alpn_protocols = protocols.iter().map(|p| p.to_vec()).collect();
    config
}

/// RFC 7301 §3.2: the server picks one of the client's protocols.
#[test]
fn alpn_agreed_with_s_server() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut server = s_server(files.server(KeyType::EcdsaP256), &["-alpn", "http/1.1,h2"]);
    let mut stream = loopback::connect(alpn_config(&[b"h2", b"http/1.1"]), server.addr())
        .unwrap_or_else(|(e, io)| panic!("handshake: {e:?} ({io})\n{}", server.output()));
    exchange_data(&mut stream, &mut server);
    // s_server's order decides between the two both offer.
    assert_eq!(
        stream.conn.negotiated().alpn.as_deref(),
        Some(&b"http/1.1"[..])
    );
    let out = server.stdout();
    assert!(
        out.contains("ALPN protocols advertised by the client: h2, http/1.1"),
        "{out}"
    );
    assert!(out.contains("ALPN protocols selected: http/1.1"), "{out}");
}

/// No protocol in common. RFC 7301 §3.2 lets the server choose between
/// ignoring the extension and aborting with no_application_protocol;
/// OpenSSL 3.0 aborts while reading the ClientHello, so our client ends
/// with that alert received (and sends none back).
#[test]
fn alpn_refused_by_s_server() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let server = s_server(files.server(KeyType::EcdsaP256), &["-alpn", "http/1.1"]);
    let (error, io) = match loopback::connect(alpn_config(&[b"h2"]), server.addr()) {
        Ok(_) => panic!("handshake succeeded\n{}", server.output()),
        Err(e) => e,
    };
    assert_eq!(
        error,
        Some(Error::AlertReceived(
            AlertDescription::NoApplicationProtocol
        )),
        "{io}"
    );
    assert_eq!(error.unwrap().alert(), None);
    server.expect_output("tls_handle_alpn:no application protocol", WAIT);
    let out = server.output();
    assert!(!out.contains("ServerHello, Length="), "{out}");
    assert!(!out.contains("ALPN protocols selected"), "{out}");
}

/// Our client must refuse the chain and send `alert` (RFC 8446 §6.2);
/// s_server must report that alert.
fn rejected(
    identity: &IdentityFiles,
    want: CertificateError,
    alert: AlertDescription,
    openssl_text: &str,
) {
    let server = s_server(identity, &[]);
    let (error, io) = match loopback::connect(loopback::client_config(), server.addr()) {
        Ok(_) => panic!("handshake succeeded\n{}", server.output()),
        Err(e) => e,
    };
    assert_eq!(error, Some(Error::Certificate(want)), "{io}");
    assert_eq!(error.unwrap().alert(), Some(alert));
    let number = format!("SSL alert number {}", alert.to_wire());
    server.expect_output(&number, WAIT);
    let out = server.output();
    assert!(out.contains(openssl_text), "{out}");
    // s_server sent its whole flight, but never got our Finished: we
    // stopped at its Certificate.
    let trace = server.stdout();
    let sent: Vec<&str> = trace.split("Sent Record").collect();
    assert!(
        sent.iter().any(|r| r.contains("Certificate, Length=")),
        "{trace}"
    );
    let received: Vec<&str> = trace
        .split("Received Record")
        .skip(1)
        .map(|r| r.split("Sent Record").next().unwrap())
        .collect();
    assert!(
        received.iter().any(|r| r.contains("ClientHello, Length=")),
        "{trace}"
    );
    assert!(
        !received.iter().any(|r| r.contains("Finished, Length=")),
        "{trace}"
    );
}

#[test]
fn wrong_hostname_gets_bad_certificate() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    rejected(
        &files.wrong_host_server,
        CertificateError::NotValidForName,
        AlertDescription::BadCertificate,
        "alert bad certificate",
    );
}

#[test]
fn unknown_ca_gets_unknown_ca() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    rejected(
        &files.untrusted_server,
        CertificateError::UnknownIssuer,
        AlertDescription::UnknownCa,
        "alert unknown ca",
    );
}
