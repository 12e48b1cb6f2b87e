//! The ferrotls TLS 1.2 client against `gnutls-serv` (GnuTLS 3.7) limited
//! to TLS 1.2, over loopback: ECDHE with ECDSA and RSA certificates, DHE
//! with the RFC 7919 ffdhe2048 group negotiated through supported_groups
//! (RFC 7919 §3-§4), and session resumption by session ID and by ticket.
//! Both ends' views are checked: ours through `negotiated()`, gnutls-serv's
//! through its session description; data crosses both ways (gnutls-serv
//! echoes each line).
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::ffi::OsString;
use std::io::Write;
use std::time::Duration;

use ferrotls::config::{ClientConfig, DEFAULT_TLS13_SUITES};
use ferrotls::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use ferrotls_test::loopback::{self, ClientStream};
use ferrotls_test::peers::{self, gnutls, GnutlsServer};
use ferrotls_test::pki::{KeyType, Pki, PkiFiles};

const WAIT: Duration = Duration::from_secs(5);

fn gnutls_serv(
    files: &PkiFiles,
    key_type: KeyType,
    priority: &str,
    extra: &[&str],
) -> GnutlsServer {
    let mut args: Vec<OsString> = gnutls::server_identity_args(files.server(key_type));
    args.extend(["--priority".into(), priority.into()]);
    args.extend(extra.iter().map(OsString::from));
    GnutlsServer::spawn(&args)
}

fn config12(suite: CipherSuite, groups: &[NamedGroup]) -> ClientConfig {
    let mut config = loopback::client_config();
    config.policy.versions = vec![ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];
    config.policy.cipher_suites = DEFAULT_TLS13_SUITES.to_vec();
    config.policy.cipher_suites.push(suite);
    config.policy.groups = groups.to_vec();
    config.key_share_groups = vec![groups[0]];
    config
}

fn echo(stream: &mut ClientStream, server: &GnutlsServer, line: &str) {
    loopback::write_all(stream, format!("{line}\n").as_bytes());
    loopback::read_until(stream, line).unwrap_or_else(|e| panic!("{e}\n{}", server.output()));
}

fn connect(config: ClientConfig, server: &GnutlsServer) -> ClientStream {
    let mut stream = loopback::connect(config, server.addr())
        .unwrap_or_else(|(e, io)| panic!("handshake: {e:?} ({io})\n{}", server.output()));
    echo(&mut stream, server, "ping-from-ferrotls");
    stream
}

fn check(
    stream: &ClientStream,
    server: &GnutlsServer,
    suite: CipherSuite,
    group: NamedGroup,
    kx: &str,
) {
    let n = stream.conn.negotiated();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(n.cipher_suite, Some(suite));
    assert_eq!(n.group, Some(group));
    assert!(n.extended_master_secret);
    server.expect_output("- Description:", WAIT);
    let d = gnutls::description(&server.output()).unwrap();
    assert_eq!(d.version, "TLS1.2", "{d:?}");
    assert_eq!(d.kx, kx, "{d:?}");
    // RFC 7627 and RFC 5746 on gnutls-serv's side.
    let out = server.output();
    assert!(
        out.contains("- Options: extended master secret, safe renegotiation"),
        "{out}"
    );
}

const TLS12_PRIORITY: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.2:+DHE-RSA:+GROUP-FFDHE2048";

#[test]
fn ecdhe_and_ffdhe_against_gnutls_serv() {
    if !peers::require_tool("gnutls-serv") {
        return;
    }
    let files = Pki::get().write_pem_files();
    // Offered groups, and the one gnutls-serv (client preference) picks.
    for (suite, key_type, groups, group, kx) in [
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            KeyType::EcdsaP256,
            &[NamedGroup::X25519, NamedGroup::Secp256r1][..],
            NamedGroup::X25519,
            "ECDHE-X25519",
        ),
        (
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            KeyType::Rsa2048,
            &[NamedGroup::Secp384r1][..],
            NamedGroup::Secp384r1,
            "ECDHE-SECP384R1",
        ),
        (
            CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
            KeyType::Rsa2048,
            &[NamedGroup::X25519, NamedGroup::Ffdhe2048][..],
            NamedGroup::Ffdhe2048,
            "DHE-FFDHE2048",
        ),
    ] {
        let server = gnutls_serv(&files, key_type, TLS12_PRIORITY, &[]);
        let stream = connect(config12(suite, groups), &server);
        check(&stream, &server, suite, group, kx);
    }
}

/// Resumption against gnutls-serv: by session ID with `--noticket`, by
/// RFC 5077 ticket otherwise.
#[test]
fn resumption_against_gnutls_serv() {
    if !peers::require_tool("gnutls-serv") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for extra in [&["--noticket"][..], &[][..]] {
        let server = gnutls_serv(&files, KeyType::EcdsaP256, TLS12_PRIORITY, extra);
        let config = config12(
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            &[NamedGroup::X25519, NamedGroup::Secp256r1],
        );
        let mut first = connect(config.clone(), &server);
        assert!(!first.conn.negotiated().resumed);
        first.conn.send_close_notify();
        let _ = first.flush();
        drop(first);
        let second = connect(config, &server);
        let n = second.conn.negotiated();
        assert!(n.resumed, "{extra:?}\n{}", server.output());
        assert!(n.extended_master_secret);
        assert_eq!(
            n.cipher_suite,
            Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
        );
        // gnutls-serv's own view of the second connection.
        server.expect_output("*** This is a resumed session", WAIT);
        let out = server.output();
        let resumed = out.split("*** This is a resumed session").nth(1).unwrap();
        assert!(
            resumed.contains("- Options: extended master secret"),
            "{out}"
        );
    }
}
