//! The ferrotls TLS 1.2 server against `gnutls-cli` over loopback: ECDHE
//! and DHE suites (RFC 7919 group negotiation), `-r` resumption by ticket
//! and by session ID (RFC 5246 §7.3, RFC 5077), the extended master
//! secret optional or required (RFC 7627), and a refused renegotiation
//! (RFC 5746 §4.4).
//!
//! gnutls-cli's view comes from its `- Description:` line and markers,
//! ours from `negotiated()`; a line typed into gnutls-cli crosses to our
//! server, which echoes it back.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::ffi::OsString;
use std::io::{ErrorKind, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use ferrotls::config::ServerConfig;
use ferrotls::conn::Negotiated;
use ferrotls::msgs::enums::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion};
use ferrotls::{Error, ServerConnection};
use ferrotls_test::loopback;
use ferrotls_test::peers::{self, gnutls, ClientRun, GnutlsClient};
use ferrotls_test::pki::{KeyType, Pki, PkiFiles};

/// What one served connection saw.
#[derive(Debug)]
struct Served {
    negotiated: Negotiated,
    received: Vec<u8>,
    error: Option<Error>,
}

/// Serves one TLS connection on `sock`, echoing each line as `echo: ...`.
fn serve(config: Arc<ServerConfig>, mut sock: TcpStream) -> Served {
    sock.set_read_timeout(Some(loopback::PEER_WAIT)).unwrap();
    let mut conn = ServerConnection::new(config).unwrap();
    let mut received = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    'conn: loop {
        while conn.wants_write() {
            if conn.write_tls(&mut sock).is_err() {
                break 'conn;
            }
        }
        if conn.error().is_some() || conn.sent_close_notify() {
            break;
        }
        let n = match sock.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        conn.feed_tls(&buf[..n]);
        if conn.process_new_packets().is_err() {
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
                Err(_) => break,
            }
        }
    }
    Served {
        negotiated: conn.negotiated().clone(),
        received,
        error: conn.error().cloned(),
    }
}

/// Serves `count` connections one after the other with `config` (so
/// `gnutls-cli -r` finds the same server, and session cache, twice).
fn serve_many(config: ServerConfig, count: usize) -> (u16, JoinHandle<Vec<Served>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Arc::new(config);
    let handle = std::thread::spawn(move || {
        (0..count)
            .map_while(|_| {
                let (sock, _) = listener.accept().ok()?;
                Some(serve(Arc::clone(&config), sock))
            })
            .collect()
    });
    (port, handle)
}

fn run_gnutls_cli(
    files: &PkiFiles,
    port: u16,
    priority: &str,
    extra: &[&str],
    ready: &str,
) -> ClientRun {
    GnutlsClient::builder(port)
        .args(gnutls::client_verify_args(&files.ca_bundle))
        .args(["--priority".into(), OsString::from(priority)])
        .args(extra)
        .wait_for(ready)
        .send(b"ping-from-gnutls\n")
        .wait_for("echo: ping-from-gnutls")
        .timeout(Duration::from_secs(20))
        .run()
}

fn check_ours(served: &Served, suite: CipherSuite, group: Option<NamedGroup>, resumed: bool) {
    assert_eq!(served.error, None);
    let n = &served.negotiated;
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(n.cipher_suite, Some(suite));
    assert_eq!(n.resumed, resumed);
    if !resumed {
        assert_eq!(n.group, group);
    }
    assert_eq!(n.server_name.as_deref(), Some("localhost"));
}

/// ECDHE_ECDSA and ECDHE_RSA with AES-GCM and ChaCha20.
#[test]
fn ecdhe_suites() {
    if !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for (kt, suite, cipher, kx, sig) in [
        (
            KeyType::EcdsaP256,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            "AES-256-GCM",
            "ECDHE-X25519",
            "ECDSA-SHA256",
        ),
        (
            KeyType::Rsa2048,
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            "CHACHA20-POLY1305",
            "ECDHE-X25519",
            "RSA-PSS-RSAE-SHA256",
        ),
    ] {
        let (port, server) = serve_many(loopback::server_config(kt), 1);
        let priority =
            format!("NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+{cipher}:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1");
        let run = run_gnutls_cli(&files, port, &priority, &[], "- Handshake was completed");
        let served = server.join().unwrap();
        let out = run.output();
        assert!(gnutls::handshake_completed(out), "{out}");
        let d = gnutls::description(run.stdout()).unwrap_or_else(|| panic!("{out}"));
        assert_eq!(d.version, "TLS1.2", "{out}");
        assert_eq!(d.kx, kx, "{out}");
        assert_eq!(d.sig, sig, "{out}");
        assert_eq!(d.cipher, cipher, "{out}");
        assert!(run.stdout().contains("echo: ping-from-gnutls\n"), "{out}");
        assert_eq!(served.len(), 1);
        assert_eq!(served[0].received, b"ping-from-gnutls\n", "{out}");
        check_ours(&served[0], suite, Some(NamedGroup::X25519), false);
    }
}

/// RFC 7919 §4: DHE_RSA with the ffdhe group gnutls-cli names (GnuTLS
/// lists its FFDHE groups in supported_groups).
#[test]
fn dhe_with_an_ffdhe_group() {
    if !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for (group, gnutls_group) in [
        (NamedGroup::Ffdhe2048, "FFDHE2048"),
        (NamedGroup::Ffdhe3072, "FFDHE3072"),
    ] {
        let mut config = loopback::server_config(KeyType::Rsa2048);
        config
            .policy
            .cipher_suites
            .push(CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256);
        let (port, server) = serve_many(config, 1);
        let priority = format!(
            "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:-GROUP-ALL:+GROUP-{gnutls_group}"
        );
        let run = run_gnutls_cli(&files, port, &priority, &[], "- Handshake was completed");
        let served = server.join().unwrap();
        let out = run.output();
        assert!(gnutls::handshake_completed(out), "{out}");
        let d = gnutls::description(run.stdout()).unwrap_or_else(|| panic!("{out}"));
        assert_eq!(d.version, "TLS1.2", "{out}");
        assert_eq!(d.kx, format!("DHE-{gnutls_group}"), "{out}");
        assert_eq!(d.cipher, "AES-128-GCM", "{out}");
        assert!(run.stdout().contains("echo: ping-from-gnutls\n"), "{out}");
        assert_eq!(served[0].received, b"ping-from-gnutls\n", "{out}");
        check_ours(
            &served[0],
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
            Some(group),
            false,
        );
    }
}

/// `gnutls-cli -r`: the second connection resumes the first session, by
/// ticket (RFC 5077) or, with tickets off, by session ID.
#[test]
fn resumption_with_dash_r() {
    if !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for tickets in [true, false] {
        let mut config = loopback::server_config(KeyType::EcdsaP256);
        if !tickets {
            config.ticket_keys = None;
        }
        let (port, server) = serve_many(config, 2);
        let run = run_gnutls_cli(
            &files,
            port,
            "NORMAL:-VERS-ALL:+VERS-TLS1.2",
            &["-r"],
            "*** This is a resumed session",
        );
        let served = server.join().unwrap();
        let out = run.output();
        assert!(gnutls::resumed(out), "tickets={tickets}\n{out}");
        assert!(run.stdout().contains("echo: ping-from-gnutls\n"), "{out}");
        assert_eq!(served.len(), 2, "{out}");
        let suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
        check_ours(&served[0], suite, Some(NamedGroup::X25519), false);
        check_ours(&served[1], suite, None, true);
        assert_eq!(served[1].received, b"ping-from-gnutls\n", "{out}");
    }
}

/// RFC 5746 §4.4 / RFC 5246 §7.2.2: a renegotiating ClientHello
/// (`gnutls-cli --rehandshake`) gets a no_renegotiation warning and our
/// connection does not fail on it. (gnutls-cli itself gives up, with an
/// internal_error alert, when its rehandshake fails; `server12_rustls.rs`
/// shows data flowing on after the refusal.)
#[test]
fn renegotiation_refused_with_a_warning() {
    if !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let (port, server) = serve_many(loopback::server_config(KeyType::EcdsaP256), 1);
    let run = GnutlsClient::builder(port)
        .args(gnutls::client_verify_args(&files.ca_bundle))
        .args([
            "--priority",
            "NORMAL:-VERS-ALL:+VERS-TLS1.2",
            "--rehandshake",
        ])
        .wait_for("- Simple Client Mode")
        .timeout(Duration::from_secs(20))
        .run();
    let served = server.join().unwrap();
    let out = run.output();
    assert!(
        out.contains("Received alert [100]: No renegotiation is allowed"),
        "{out}"
    );
    assert_eq!(served.len(), 1);
    // Our side refused with warnings only; the fatal alert that ends the
    // connection is gnutls-cli's own.
    assert_eq!(
        served[0].error,
        Some(Error::AlertReceived(AlertDescription::InternalError)),
        "{out}"
    );
    let n = &served[0].negotiated;
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(
        n.cipher_suite,
        Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
    );
}

/// RFC 7627: a client without the extended master secret
/// (`%NO_SESSION_HASH`) gets a handshake without it, or handshake_failure
/// from a server that requires it (§5.3).
#[test]
fn extended_master_secret_optional_or_required() {
    if !peers::require_tool("gnutls-cli") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let priority = "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH";

    let (port, server) = serve_many(loopback::server_config(KeyType::EcdsaP256), 1);
    let run = run_gnutls_cli(&files, port, priority, &[], "- Handshake was completed");
    let served = server.join().unwrap();
    let out = run.output();
    assert!(gnutls::handshake_completed(out), "{out}");
    assert!(!out.contains("extended master secret"), "{out}");
    assert!(out.contains("safe renegotiation"), "{out}");
    assert!(run.stdout().contains("echo: ping-from-gnutls\n"), "{out}");
    check_ours(
        &served[0],
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        Some(NamedGroup::X25519),
        false,
    );

    let mut config = loopback::server_config(KeyType::EcdsaP256);
    config.require_extended_master_secret = true;
    let (port, server) = serve_many(config, 1);
    let run = GnutlsClient::builder(port)
        .args(gnutls::client_verify_args(&files.ca_bundle))
        .args(["--priority", priority])
        .timeout(Duration::from_secs(20))
        .run();
    let served = server.join().unwrap();
    let out = run.output();
    assert!(!gnutls::handshake_completed(out), "{out}");
    assert!(out.contains("Handshake failed"), "{out}");
    let error = served[0].error.clone().expect("our server failed");
    assert_eq!(error.alert(), Some(AlertDescription::HandshakeFailure));
}
