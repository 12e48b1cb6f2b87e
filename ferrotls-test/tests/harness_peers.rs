//! Proves the interop harness (rcgen PKI + loopback peer spawners) by running the real
//! peers against each other: OpenSSL <-> OpenSSL with every key type, GnuTLS <-> OpenSSL
//! both ways, and rejection of a chain from an unknown CA or for another host name.
//!
//! Test code: helpers shared by the tests panic on failure like the tests themselves.
#![allow(clippy::panic)]

use std::process::Command;
use std::time::Duration;

use ferrotls_test::peers::{
    self, gnutls, openssl, GnutlsClient, GnutlsServer, OpensslClient, OpensslServer, PeerProcess,
};
use ferrotls_test::pki::{KeyType, Pki, CLIENT_CN};

const WAIT: Duration = Duration::from_secs(5);

/// Sends a line each way over an established connection and checks that it arrives.
fn exchange_data(client: &mut PeerProcess, server: &mut PeerProcess) {
    // Lines start with 'p': s_client/s_server treat some other first letters as commands.
    client.send_line("ping-from-client");
    server.expect_output("ping-from-client", WAIT);
    server.send_line("pong-from-server");
    client.expect_output("pong-from-server", WAIT);
}

/// Closes the client's stdin (it then closes the connection) and waits for a clean exit.
fn finish(client: &mut PeerProcess) {
    client.close_stdin();
    let status = client.wait_exit(WAIT);
    assert!(
        status.is_some_and(|s| s.success()),
        "client exit {status:?}\n{}",
        client.output()
    );
}

#[test]
fn openssl_accepts_the_rcgen_pki() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let verify = |purpose: &str, cert: &std::path::Path, ca: &std::path::Path| {
        Command::new("openssl")
            .arg("verify")
            .arg("-CAfile")
            .arg(ca)
            .args(["-purpose", purpose])
            .arg(cert)
            .output()
            .unwrap()
    };
    for kt in KeyType::ALL {
        let out = verify("sslserver", &files.server(kt).cert, &files.ca_bundle);
        assert!(out.status.success(), "{kt:?}: {out:?}");
        let out = verify("sslclient", &files.client(kt).cert, &files.ca_bundle);
        assert!(out.status.success(), "{kt:?}: {out:?}");
        // EKU is enforced: a server leaf is no client certificate.
        let out = verify("sslclient", &files.server(kt).cert, &files.ca_bundle);
        assert!(!out.status.success(), "{kt:?}: {out:?}");
    }
    let out = verify("sslserver", &files.untrusted_server.cert, &files.ca_bundle);
    assert!(!out.status.success());
    let out = verify("sslserver", &files.untrusted_server.cert, &files.unknown_ca);
    assert!(out.status.success(), "{out:?}");
}

/// s_client <-> s_server, TLS 1.3, chain verified against the CA bundle with
/// `-verify_return_error`, data both ways.
fn openssl_tls13(key_type: KeyType, peer_signature_type: &str) {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut server = OpensslServer::spawn(&openssl::server_identity_args(files.server(key_type)));
    let mut client = OpensslClient::builder(server.port())
        .args(openssl::client_verify_args(&files.ca_bundle))
        .arg("-tls1_3")
        .spawn();
    client.expect_output("Verify return code:", WAIT);
    let out = client.output();
    let session = openssl::session(&out).unwrap_or_else(|| panic!("no session line\n{out}"));
    assert_eq!(session.version, "TLSv1.3");
    assert!(!session.reused);
    assert_eq!(session.cipher, "TLS_AES_256_GCM_SHA384");
    assert_eq!(openssl::verify_return_code(&out), Some(0), "{out}");
    assert_eq!(
        openssl::field(&out, "Peer signature type").as_deref(),
        Some(peer_signature_type)
    );
    assert!(openssl::field(&out, "Server Temp Key").is_some(), "{out}");
    exchange_data(&mut client, &mut server);
    finish(&mut client);
}

#[test]
fn openssl_tls13_ecdsa_p256() {
    openssl_tls13(KeyType::EcdsaP256, "ECDSA");
}

#[test]
fn openssl_tls13_ecdsa_p384() {
    openssl_tls13(KeyType::EcdsaP384, "ECDSA");
}

#[test]
fn openssl_tls13_rsa() {
    openssl_tls13(KeyType::Rsa2048, "RSA-PSS");
}

#[test]
fn openssl_tls13_ed25519() {
    openssl_tls13(KeyType::Ed25519, "ed25519");
}

#[test]
fn openssl_tls12_brief_and_mutual_auth() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut server_args = openssl::server_identity_args(files.server(KeyType::EcdsaP256));
    server_args.extend(["-Verify".into(), "1".into(), "-CAfile".into()]);
    server_args.push(files.ca_bundle.clone().into());
    server_args.push("-verify_return_error".into());
    let server = OpensslServer::spawn(&server_args);
    let mut client_args = openssl::client_verify_args(&files.ca_bundle);
    client_args.extend(openssl::server_identity_args(
        files.client(KeyType::EcdsaP256),
    ));
    client_args.extend(
        [
            "-tls1_2",
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "-brief",
        ]
        .map(Into::into),
    );
    let run = OpensslClient::run(server.port(), &client_args, b"ping\n", WAIT);
    assert!(run.succeeded(), "{run:?}");
    let out = run.output();
    assert_eq!(
        openssl::field(out, "Protocol version").as_deref(),
        Some("TLSv1.2")
    );
    assert_eq!(
        openssl::field(out, "Ciphersuite").as_deref(),
        Some("ECDHE-ECDSA-AES128-GCM-SHA256")
    );
    // -brief says `Signature type:` where the full output says `Peer signature type:`.
    assert_eq!(
        openssl::field(out, "Signature type").as_deref(),
        Some("ECDSA"),
        "{out}"
    );
    assert_eq!(openssl::field(out, "Verification").as_deref(), Some("OK"));
    assert_eq!(
        openssl::field(out, "Verified peername").as_deref(),
        Some("localhost")
    );
    server.expect_output("ping", WAIT);
    assert!(
        server.contains(&format!("{CLIENT_CN} ecdsa")),
        "{}",
        server.output()
    );
}

#[test]
fn openssl_client_rejects_unknown_ca_and_wrong_host() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for (leaf, reason) in [
        (
            &files.untrusted_server,
            "verify error:num=19:self-signed certificate in certificate chain",
        ),
        (
            &files.wrong_host_server,
            "verify error:num=62:hostname mismatch",
        ),
    ] {
        let server = OpensslServer::spawn(&openssl::server_identity_args(leaf));
        let mut args = openssl::client_verify_args(&files.ca_bundle);
        args.push("-tls1_3".into());
        let run = OpensslClient::run(server.port(), &args, b"ping\n", WAIT);
        assert!(!run.timed_out(), "{run:?}");
        assert!(!run.succeeded(), "accepted a bad chain: {run:?}");
        run.assert_contains(&[reason, "certificate verify failed"]);
        // s_client prints its `New, TLSv1.3, Cipher is ...` summary even when it aborts,
        // so the verify code and the exit status are what tell failure apart.
        assert_ne!(openssl::verify_return_code(run.output()), Some(0));
        assert!(!server.contains("ping"), "{}", server.output());
    }
}

#[test]
fn gnutls_client_to_openssl_server() {
    if !peers::require_tool("openssl") || !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut server = OpensslServer::spawn(&openssl::server_identity_args(
        files.server(KeyType::Rsa2048),
    ));
    let mut client = GnutlsClient::builder(server.port())
        .args(gnutls::client_verify_args(&files.ca_bundle))
        .args(["--priority", gnutls::TLS13])
        .spawn();
    client.expect_output("- Handshake was completed", WAIT);
    let out = client.output();
    assert!(
        out.contains("- Status: The certificate is trusted."),
        "{out}"
    );
    let d = gnutls::description(&out).unwrap_or_else(|| panic!("no description\n{out}"));
    assert_eq!(d.version, "TLS1.3");
    assert_eq!(d.sig, "RSA-PSS-RSAE-SHA256");
    exchange_data(&mut client, &mut server);
    finish(&mut client);
}

#[test]
fn gnutls_client_rejects_unknown_ca() {
    if !peers::require_tool("openssl") || !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let server = OpensslServer::spawn(&openssl::server_identity_args(&files.untrusted_server));
    let run = GnutlsClient::run(
        server.port(),
        &gnutls::client_verify_args(&files.ca_bundle),
        b"ping\n",
        WAIT,
    );
    assert!(!run.timed_out(), "{run:?}");
    assert!(!run.succeeded(), "accepted a bad chain: {run:?}");
    assert!(
        !gnutls::handshake_completed(run.output()),
        "{}",
        run.output()
    );
}

#[test]
fn openssl_client_to_gnutls_server() {
    if !peers::require_tool("openssl") || !peers::require_tool("gnutls-serv") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let server = GnutlsServer::spawn(&gnutls::server_identity_args(
        files.server(KeyType::EcdsaP256),
    ));
    let mut args = openssl::client_verify_args(&files.ca_bundle);
    args.push("-tls1_3".into());
    // gnutls-serv --echo sends every line back.
    let run = OpensslClient::builder(server.port())
        .args(&args)
        .wait_for("Verify return code:")
        .send(b"ping-echo\n")
        .wait_for("ping-echo")
        .timeout(WAIT)
        .run();
    assert!(run.script_ok && run.succeeded(), "{run:?}");
    let session = openssl::session(run.output()).unwrap();
    assert_eq!(session.version, "TLSv1.3");
    assert_eq!(openssl::verify_return_code(run.output()), Some(0));
    assert_eq!(
        openssl::field(run.output(), "Peer signature type").as_deref(),
        Some("ECDSA")
    );
    server.expect_output("- Description: (TLS1.3-X.509)", WAIT);

    // TLS 1.2 against the same server, with the shortcut runner.
    let mut args = openssl::client_verify_args(&files.ca_bundle);
    args.extend(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"].map(Into::into));
    let run = OpensslClient::run(server.port(), &args, b"ping-twelve\n", WAIT);
    assert!(run.succeeded(), "{run:?}");
    let session = openssl::session(run.output()).unwrap();
    assert_eq!(session.version, "TLSv1.2");
    assert_eq!(session.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
    run.assert_contains(&["Extended master secret: yes", "ping-twelve"]);
}

#[test]
fn gnutls_client_to_gnutls_server_echo() {
    if !peers::require_tool("gnutls-serv") || !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let server = GnutlsServer::spawn(&gnutls::server_identity_args(
        files.server(KeyType::Ed25519),
    ));
    let run = GnutlsClient::builder(server.port())
        .args(gnutls::client_verify_args(&files.ca_bundle))
        .args(["--priority", gnutls::TLS13])
        .wait_for("- Handshake was completed")
        .send(b"ping-gnutls\n")
        .wait_for("ping-gnutls")
        .timeout(WAIT)
        .run();
    assert!(run.script_ok && run.succeeded(), "{run:?}");
    let d = gnutls::description(run.output()).unwrap();
    assert_eq!(
        (d.version.as_str(), d.sig.as_str()),
        ("TLS1.3", "EdDSA-Ed25519")
    );
}
