//! The `ferrotls` binary against OpenSSL over loopback: the commands, the
//! summary line, echo, and errors as a person sees them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use ferrotls_test::peers::{self, openssl, OpensslClient, OpensslServer, PeerProcess};
use ferrotls_test::pki::{KeyType, Pki};

const BIN: &str = env!("CARGO_BIN_EXE_ferrotls");
const WAIT: Duration = Duration::from_secs(20);

#[test]
fn demo_draws_every_scenario() {
    let out = std::process::Command::new(BIN)
        .arg("demo")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "== TLS 1.3 full handshake ==",
        "== TLS 1.3 handshake with HelloRetryRequest ==",
        "HelloRetryRequest",
        "{EncryptedExtensions}",
        "[Application Data]",
        "handshake: version=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 group=x25519",
        "group=secp256r1",
        "29 bytes echoed back intact",
        "== TLS 1.2 full handshake ==",
        "== TLS 1.2 session-ID resumption ==",
        "ServerKeyExchange",
        "[ChangeCipherSpec]",
        "{Finished}",
        "TLS 1.2: [ChangeCipherSpec]",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // The TLS 1.3 scenarios come first, then the two TLS 1.2 ones.
    let sections: Vec<&str> = text.split("== ").skip(1).collect();
    assert_eq!(sections.len(), 4, "{text}");
    for (section, (version, resumed)) in sections.iter().zip([
        ("TLSv1.3", "no"),
        ("TLSv1.3", "no"),
        ("TLSv1.2", "no"),
        ("TLSv1.2", "yes"),
    ]) {
        assert!(
            section.contains(&format!("handshake: version={version} "))
                && section.contains(&format!("resumed={resumed} ")),
            "{section}"
        );
    }
    // RFC 5246 §7.3 abbreviated handshake: after its ServerHello the server
    // sends ChangeCipherSpec and Finished, before the client's.
    let resumption = sections[3];
    let server_hello = resumption.find("ServerHello").unwrap();
    let server_ccs = resumption.find("[ChangeCipherSpec]").unwrap();
    let server_finished = resumption.find("<--------                       {Finished}");
    assert!(server_hello < server_ccs, "{resumption}");
    assert!(
        server_finished.is_some_and(|f| server_ccs < f),
        "{resumption}"
    );
    assert!(!resumption.contains("Certificate"), "{resumption}");
}

#[test]
fn server_echoes_to_openssl_s_client() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let id = files.server(KeyType::EcdsaP256);
    let port = peers::free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = PeerProcess::spawn(
        BIN,
        [
            "server".as_ref(),
            "--listen".as_ref(),
            listen.as_ref(),
            "--once".as_ref(),
            "--cert".as_ref(),
            id.chain.as_os_str(),
            "--key".as_ref(),
            id.key.as_os_str(),
        ],
    );
    server.expect_output("listening on", WAIT);
    let run = OpensslClient::builder(port)
        .args(openssl::client_verify_args(&files.ca_bundle))
        .arg("-tls1_3")
        .send(b"ping from s_client\n")
        .wait_for("ping from s_client")
        .run();
    let out = run.output();
    assert_eq!(openssl::verify_return_code(out), Some(0), "{out}");
    assert!(out.matches("ping from s_client").count() >= 1, "{out}");
    assert!(
        server.wait_for("handshake: version=TLSv1.3 cipher=", WAIT),
        "{}",
        server.output()
    );
    assert!(
        server.output().contains("signature=ecdsa_secp256r1_sha256"),
        "{}",
        server.output()
    );
}

#[test]
fn client_talks_to_openssl_s_server() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut args = openssl::server_identity_args(files.server(KeyType::Rsa2048));
    args.push("-rev".into());
    let server = OpensslServer::spawn(&args);
    let addr = format!("127.0.0.1:{}", server.port());
    let mut client = PeerProcess::spawn(
        BIN,
        [
            "client".as_ref(),
            addr.as_ref(),
            "--ca".as_ref(),
            files.ca_bundle.as_os_str(),
            "--server-name".as_ref(),
            "localhost".as_ref(),
        ],
    );
    client.send(b"hello\n");
    // s_server -rev answers each line reversed.
    assert!(client.wait_for("olleh", WAIT), "{}", client.output());
    client.close_stdin();
    let status = client.wait_exit(WAIT).expect("client exits");
    let out = client.output();
    assert!(status.success(), "{out}");
    assert!(
        out.contains("handshake: version=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256")
            && out.contains("signature=rsa_pss_rsae_sha256"),
        "{out}"
    );
}

#[test]
fn client_reports_an_unknown_ca() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let server = OpensslServer::spawn(&openssl::server_identity_args(
        files.server(KeyType::EcdsaP256),
    ));
    let addr = format!("127.0.0.1:{}", server.port());
    let mut client = PeerProcess::spawn(
        BIN,
        [
            "client".as_ref(),
            addr.as_ref(),
            "--ca".as_ref(),
            files.unknown_ca.as_os_str(),
            "--server-name".as_ref(),
            "localhost".as_ref(),
        ],
    );
    client.close_stdin();
    let status = client.wait_exit(WAIT).expect("client exits");
    let out = client.output();
    assert!(!status.success(), "{out}");
    assert!(out.contains("error:"), "{out}");
    assert!(server.wait_for("unknown ca", WAIT), "{}", server.output());
}

fn spawn_server(extra: &[&std::ffi::OsStr]) -> (PeerProcess, u16, ferrotls_test::pki::PkiFiles) {
    let files = Pki::get().write_pem_files();
    let id = files.server(KeyType::EcdsaP256);
    let port = peers::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "server".as_ref(),
        "--listen".as_ref(),
        listen.as_ref(),
        "--once".as_ref(),
        "--cert".as_ref(),
        id.chain.as_os_str(),
        "--key".as_ref(),
        id.key.as_os_str(),
    ];
    args.extend_from_slice(extra);
    let server = PeerProcess::spawn(BIN, args);
    server.expect_output("listening on", WAIT);
    (server, port, files)
}

#[test]
fn server_requires_client_certificates_from_s_client() {
    if !peers::require_tool("openssl") {
        return;
    }
    let ca = Pki::get().write_pem_files();
    let bundle = ca.ca_bundle.clone();
    let (server, port, files) = spawn_server(&[
        "--client-ca".as_ref(),
        bundle.as_os_str(),
        "--require-client-cert".as_ref(),
    ]);
    let client = files.client(KeyType::EcdsaP256);
    let run = OpensslClient::builder(port)
        .args(openssl::client_verify_args(&files.ca_bundle))
        .args([
            "-cert".as_ref(),
            client.cert.as_os_str(),
            "-key".as_ref(),
            client.key.as_os_str(),
        ])
        .send(b"mutual\n")
        .wait_for("mutual")
        .run();
    assert_eq!(
        openssl::verify_return_code(run.output()),
        Some(0),
        "{}",
        run.output()
    );
    assert!(
        server.wait_for("client_auth=yes", WAIT),
        "{}",
        server.output()
    );

    // Without a certificate the server refuses: certificate_required (116).
    let (server, port, files) = spawn_server(&[
        "--client-ca".as_ref(),
        bundle.as_os_str(),
        "--require-client-cert".as_ref(),
    ]);
    let run = OpensslClient::builder(port)
        .args(openssl::client_verify_args(&files.ca_bundle))
        .send(b"anonymous\n")
        // The alert comes after the client's Finished; keep s_client
        // running until it has read it.
        .wait_for("alert number 116")
        .run();
    assert!(
        run.output().contains("alert number 116"),
        "{}",
        run.output()
    );
    assert!(server.wait_for("error:", WAIT), "{}", server.output());
}

#[test]
fn client_presents_its_certificate_to_s_server() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut args = openssl::server_identity_args(files.server(KeyType::EcdsaP256));
    args.extend([
        "-rev".into(),
        "-Verify".into(),
        "1".into(),
        "-verify_return_error".into(),
        "-CAfile".into(),
        files.ca_bundle.clone().into_os_string(),
    ]);
    let server = OpensslServer::spawn(&args);
    let addr = format!("127.0.0.1:{}", server.port());
    let id = files.client(KeyType::Rsa2048);
    let mut client = PeerProcess::spawn(
        BIN,
        [
            "client".as_ref(),
            addr.as_ref(),
            "--ca".as_ref(),
            files.ca_bundle.as_os_str(),
            "--server-name".as_ref(),
            "localhost".as_ref(),
            "--cert".as_ref(),
            id.chain.as_os_str(),
            "--key".as_ref(),
            id.key.as_os_str(),
        ],
    );
    client.send(b"abc\n");
    assert!(client.wait_for("cba", WAIT), "{}", client.output());
    client.close_stdin();
    assert!(
        client.wait_exit(WAIT).expect("client exits").success(),
        "{}",
        client.output()
    );
    assert!(
        client.output().contains("client_auth=yes"),
        "{}",
        client.output()
    );
    assert!(
        server.wait_for("Test TLS Client", WAIT),
        "{}",
        server.output()
    );
}

/// The handshake summary lines in `output`, in order.
fn summaries(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|l| l.starts_with("handshake: "))
        .collect()
}

/// Asserts one full handshake then `n` resumed ones, all TLS 1.2.
fn assert_full_then_resumed(output: &str, n: usize) {
    let lines = summaries(output);
    assert_eq!(lines.len(), n + 1, "{output}");
    for (i, line) in lines.iter().enumerate() {
        let resumed = if i == 0 { "resumed=no" } else { "resumed=yes" };
        assert!(
            line.contains("version=TLSv1.2") && line.contains(resumed),
            "connection {i}: {line}\n{output}"
        );
    }
}

#[test]
fn client_reconnects_with_session_ids_to_s_server() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut args = openssl::server_identity_args(files.server(KeyType::EcdsaP256));
    // No tickets: RFC 5246 §7.4.1.2 session-ID resumption.
    args.extend(["-tls1_2".into(), "-no_ticket".into(), "-rev".into()]);
    let server = OpensslServer::spawn(&args);
    let addr = format!("127.0.0.1:{}", server.port());
    let mut client = PeerProcess::spawn(
        BIN,
        [
            "client".as_ref(),
            addr.as_ref(),
            "--ca".as_ref(),
            files.ca_bundle.as_os_str(),
            "--server-name".as_ref(),
            "localhost".as_ref(),
            "--reconnect".as_ref(),
            "2".as_ref(),
        ],
    );
    // With --reconnect the client reads all of stdin first, then sends it
    // on every connection.
    client.send(b"hello\n");
    client.close_stdin();
    let status = client.wait_exit(WAIT).expect("client exits");
    let out = client.output();
    assert!(status.success(), "{out}");
    assert_eq!(out.matches("olleh").count(), 3, "{out}");
    assert_full_then_resumed(&out, 2);
}

#[test]
fn client_reconnects_to_our_server_without_tickets() {
    let files = Pki::get().write_pem_files();
    let id = files.server(KeyType::EcdsaP256);
    let port = peers::free_port();
    let listen = format!("127.0.0.1:{port}");
    // Not --once: one server process, so all connections share its cache.
    let server = PeerProcess::spawn(
        BIN,
        [
            "server".as_ref(),
            "--listen".as_ref(),
            listen.as_ref(),
            "--no-tickets".as_ref(),
            "--cert".as_ref(),
            id.chain.as_os_str(),
            "--key".as_ref(),
            id.key.as_os_str(),
        ],
    );
    server.expect_output("listening on", WAIT);
    let mut client = PeerProcess::spawn(
        BIN,
        [
            "client".as_ref(),
            listen.as_ref(),
            "--ca".as_ref(),
            files.ca_bundle.as_os_str(),
            "--server-name".as_ref(),
            "localhost".as_ref(),
            "--tls".as_ref(),
            "1.2".as_ref(),
            "--reconnect".as_ref(),
            "2".as_ref(),
        ],
    );
    client.send(b"echo me\n");
    client.close_stdin();
    let status = client.wait_exit(WAIT).expect("client exits");
    let out = client.output();
    assert!(status.success(), "{out}");
    assert_eq!(out.matches("echo me").count(), 3, "{out}");
    assert_full_then_resumed(&out, 2);
    assert!(server.wait_for("resumed=yes", WAIT), "{}", server.output());
    let deadline = std::time::Instant::now() + WAIT;
    while summaries(&server.output()).len() < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_full_then_resumed(&server.output(), 2);
}

#[test]
fn server_resumes_s_client_by_ticket() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let id = files.server(KeyType::EcdsaP256);
    let port = peers::free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = PeerProcess::spawn(
        BIN,
        [
            "server".as_ref(),
            "--listen".as_ref(),
            listen.as_ref(),
            "--cert".as_ref(),
            id.chain.as_os_str(),
            "--key".as_ref(),
            id.key.as_os_str(),
        ],
    );
    server.expect_output("listening on", WAIT);
    let sess = std::env::temp_dir().join(format!("ferrotls-cli-ticket-{}.pem", std::process::id()));
    let run = |flag: &str, line: &str| {
        OpensslClient::builder(port)
            .args(openssl::client_verify_args(&files.ca_bundle))
            .args(["-tls1_2".as_ref(), flag.as_ref(), sess.as_os_str()])
            .send(format!("{line}\n").as_bytes())
            .wait_for(line)
            .run()
    };
    let first = run("-sess_out", "first visit");
    let session = openssl::session(first.output()).expect("session line");
    assert!(!session.reused, "{}", first.output());
    assert_eq!(session.version, "TLSv1.2");
    let second = run("-sess_in", "second visit");
    let session = openssl::session(second.output()).expect("session line");
    assert!(session.reused, "{}", second.output());
    let _ = std::fs::remove_file(&sess);
    assert!(server.wait_for("resumed=yes", WAIT), "{}", server.output());
    assert_full_then_resumed(&server.output(), 1);
}
