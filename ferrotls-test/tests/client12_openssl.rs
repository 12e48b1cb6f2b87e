//! The ferrotls TLS 1.2 client against `openssl s_server -tls1_2` over
//! loopback (RFC 5246 §7.3 full handshake).
//!
//! - every TLS 1.2 ECDHE suite with the matching certificate (ECDSA P-256
//!   for ECDHE_ECDSA, RSA for ECDHE_RSA) and each curve;
//! - DHE_RSA with ffdhe2048 (RFC 7919) given to s_server as `-dhparam`,
//!   with s_server's own default group (RFC 3526 MODP 2048: not a named
//!   group, accepted as a 2048-bit custom group), and a 1536-bit group we
//!   must refuse with insufficient_security;
//! - static RSA key transport when enabled;
//! - a client certificate (RFC 5246 §7.4.6, §7.4.8);
//! - a HelloRequest after the handshake, declined with no_renegotiation.
//!
//! Our client offers TLS 1.3 too (s_server limited to 1.2 writes no
//! downgrade sentinel), so the version branch itself is exercised. Both
//! ends' views are checked: ours through `negotiated()`, s_server's
//! through `-trace` (its ServerHello) and its connection summary; data
//! crosses both ways.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use ferrotls::auth::{provider_key, CertifiedKey, ClientCertChooser};
use ferrotls::config::{ClientConfig, DEFAULT_TLS13_SUITES};
use ferrotls::error::{CryptoError, Error};
use ferrotls::msgs::enums::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion};
use ferrotls_test::loopback::{self, ClientStream};
use ferrotls_test::matrix;
use ferrotls_test::peers::{self, openssl, OpensslServer};
use ferrotls_test::pki::{IdentityFiles, KeyType, Pki, PkiFiles};

const WAIT: Duration = Duration::from_secs(5);

/// `s_server -tls1_2 -trace` serving `identity`, plus `extra` arguments.
fn s_server(identity: &IdentityFiles, extra: &[&str]) -> OpensslServer {
    let mut args: Vec<OsString> = openssl::server_identity_args(identity);
    args.extend(["-tls1_2", "-trace"].map(OsString::from));
    args.extend(extra.iter().map(OsString::from));
    OpensslServer::spawn(&args)
}

/// TLS 1.3 and TLS 1.2 offered, the only TLS 1.2 suite `suite`, groups `groups`.
fn config12(suite: CipherSuite, groups: &[NamedGroup]) -> ClientConfig {
    let mut config = loopback::client_config();
    config.policy.versions = vec![ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];
    config.policy.cipher_suites = DEFAULT_TLS13_SUITES.to_vec();
    config.policy.cipher_suites.push(suite);
    config.policy.groups = groups.to_vec();
    config.key_share_groups = vec![groups[0]];
    config
}

fn exchange_data(stream: &mut ClientStream, server: &mut OpensslServer) {
    // Counted: an s_server that served an earlier connection printed
    // the line already, and its trace of this one may still be coming.
    let before = server.output().matches("ping-from-ferrotls").count();
    loopback::write_all(stream, b"ping-from-ferrotls\n");
    server.expect_count("ping-from-ferrotls", before + 1, WAIT);
    server.send_line("pong-from-openssl");
    loopback::read_until(stream, "pong-from-openssl")
        .unwrap_or_else(|e| panic!("{e}\n{}", server.output()));
}

/// The trace of the ServerHello s_server sent.
fn sent_server_hello(out: &str) -> &str {
    out.split("Sent Record")
        .find(|r| r.contains("ServerHello, Length="))
        .unwrap_or_else(|| panic!("no ServerHello in\n{out}"))
}

/// What both ends must agree on.
struct Expect {
    suite: CipherSuite,
    group: Option<NamedGroup>,
    client_auth: bool,
}

fn check_both_views(stream: &ClientStream, server: &OpensslServer, want: &Expect) {
    let out = server.stdout();
    let n = stream.conn.negotiated();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2), "{out}");
    assert_eq!(n.cipher_suite, Some(want.suite), "{out}");
    assert_eq!(n.group, want.group, "{out}");
    assert_eq!(n.client_auth, want.client_auth);
    assert!(!n.resumed);
    assert!(n.extended_master_secret, "{out}");
    assert!(!n.peer_certificates.is_empty());
    if want.suite.to_string().starts_with("TLS_RSA_") {
        assert_eq!(n.signature_scheme, None);
    } else {
        assert!(n.signature_scheme.is_some());
    }

    let sh = sent_server_hello(&out);
    assert!(sh.contains("server_version=0x303 (TLS 1.2)"), "{sh}");
    let suite_hex = format!(
        "cipher_suite {{0x{:02X}, 0x{:02X}}}",
        want.suite.to_wire() >> 8,
        want.suite.to_wire() & 0xff
    );
    assert!(sh.contains(&suite_hex), "{suite_hex} not in\n{sh}");
    // RFC 7627: s_server answered extended_master_secret; RFC 5746: and
    // renegotiation_info.
    assert!(sh.contains("extended_master_secret"), "{sh}");
    assert!(sh.contains("renegotiate"), "{sh}");
    assert!(out.contains("Secure Renegotiation IS supported"), "{out}");
    if let Some(group) = want.group.filter(|g| !g.is_ffdhe()) {
        let ske = out
            .split("ServerKeyExchange, Length=")
            .nth(1)
            .unwrap_or_else(|| panic!("no ServerKeyExchange in\n{out}"));
        let line = ske.lines().find(|l| l.contains("named_curve:")).unwrap();
        assert!(
            line.trim_end().ends_with(&format!("({})", group.to_wire())),
            "{line} is not {group}"
        );
    }
}

fn run(
    files: &PkiFiles,
    key_type: KeyType,
    config: ClientConfig,
    extra: &[&str],
    want: &Expect,
) -> (ClientStream, OpensslServer) {
    let mut server = s_server(files.server(key_type), extra);
    let mut stream = loopback::connect(config, server.addr())
        .unwrap_or_else(|(e, io)| panic!("handshake: {e:?} ({io})\n{}", server.output()));
    exchange_data(&mut stream, &mut server);
    check_both_views(&stream, &server, want);
    (stream, server)
}

const ECDHE_ECDSA: [CipherSuite; 3] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
];
const ECDHE_RSA: [CipherSuite; 3] = [
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];
const DHE_RSA: [CipherSuite; 3] = [
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

/// Every ECDHE suite × curve with its certificate type.
#[test]
fn ecdhe_suites_against_s_server() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let mut cases = Vec::new();
    for suite in ECDHE_ECDSA {
        for group in matrix::GROUPS {
            cases.push((suite, group, KeyType::EcdsaP256));
        }
    }
    for suite in ECDHE_RSA {
        for group in matrix::GROUPS {
            cases.push((suite, group, KeyType::Rsa2048));
        }
    }
    let mut failed = Vec::new();
    for (suite, group, key_type) in cases {
        // RFC 8422 §5.1: in TLS 1.2 supported_groups also limits the curve
        // of the server's ECDSA certificate (P-256 here); the group under
        // test comes first, so s_server (client preference) picks it.
        let mut groups = vec![group];
        if group != NamedGroup::Secp256r1 {
            groups.push(NamedGroup::Secp256r1);
        }
        let result = std::panic::catch_unwind(|| {
            run(
                &files,
                key_type,
                config12(suite, &groups),
                &[],
                &Expect {
                    suite,
                    group: Some(group),
                    client_auth: false,
                },
            );
        });
        if result.is_err() {
            failed.push(format!("{suite} / {group}"));
        }
    }
    assert!(failed.is_empty(), "failed: {failed:?}");
}

/// DH parameters written by `openssl genpkey` for a named group.
fn dhparam(files: &PkiFiles, group: &str) -> PathBuf {
    let path = files.dir().join(format!("dh-{group}.pem"));
    let status = Command::new("openssl")
        .args(["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt"])
        .arg(format!("group:{group}"))
        .arg("-out")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    path
}

/// RFC 7919 §4: s_server given the ffdhe2048 parameters sends that
/// group's prime, which we recognise as the named group we offered.
#[test]
fn dhe_with_ffdhe2048() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let dh = dhparam(&files, "ffdhe2048");
    for suite in DHE_RSA {
        let (_stream, server) = run(
            &files,
            KeyType::Rsa2048,
            config12(suite, &[NamedGroup::X25519, NamedGroup::Ffdhe2048]),
            &["-dhparam", dh.to_str().unwrap()],
            &Expect {
                suite,
                group: Some(NamedGroup::Ffdhe2048),
                client_auth: false,
            },
        );
        let out = server.stdout();
        assert!(
            out.contains("dh_p (len=256): FFFFFFFFFFFFFFFFADF85458"),
            "{out}"
        );
    }
}

/// OpenSSL 3.0 s_server without `-dhparam` sends the RFC 3526 2048-bit
/// MODP group ("Using default temp DH parameters"): not an RFC 7919 group,
/// but 2048 bits, so accepted as a custom group (no named group reported).
#[test]
fn dhe_with_s_server_default_group() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let suite = DHE_RSA[0];
    let (_stream, server) = run(
        &files,
        KeyType::Rsa2048,
        config12(suite, &[NamedGroup::X25519, NamedGroup::Ffdhe2048]),
        &[],
        &Expect {
            suite,
            group: None,
            client_auth: false,
        },
    );
    let out = server.stdout();
    assert!(
        out.contains("dh_p (len=256): FFFFFFFFFFFFFFFFC90FDAA2"),
        "{out}"
    );
}

/// A 1536-bit DH group is refused with insufficient_security (RFC 7919
/// §3.1, RFC 5246 §7.2.2).
#[test]
fn dhe_weak_group_is_refused() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let dh = dhparam(&files, "modp_1536");
    let server = s_server(
        files.server(KeyType::Rsa2048),
        &[
            "-dhparam",
            dh.to_str().unwrap(),
            "-cipher",
            "ALL:@SECLEVEL=0",
        ],
    );
    let config = config12(DHE_RSA[0], &[NamedGroup::X25519, NamedGroup::Ffdhe2048]);
    let Err((err, _)) = loopback::connect(config, server.addr()) else {
        panic!("a 1536-bit group was accepted\n{}", server.output());
    };
    let err = err.unwrap();
    assert!(
        matches!(
            err,
            Error::Crypto(CryptoError::WeakDhGroup { bits: 1536, .. })
        ),
        "{err:?}"
    );
    assert_eq!(err.alert(), Some(AlertDescription::InsufficientSecurity));
    server.expect_output("insufficient security", WAIT);
}

/// RFC 5246 §7.4.7.1: static RSA key transport, off by default, enabled
/// by listing the suite.
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
        run(
            &files,
            KeyType::Rsa2048,
            config12(suite, &[NamedGroup::X25519]),
            &[],
            &Expect {
                suite,
                group: None,
                client_auth: false,
            },
        );
    }
}

fn client_cert_chooser(key_type: KeyType) -> Arc<ClientCertChooser> {
    let id = Pki::get().client(key_type);
    let key = CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap();
    Arc::new(ClientCertChooser::new(vec![Arc::new(key)]))
}

/// RFC 5246 §7.4.4, §7.4.6, §7.4.8: s_server asks for and verifies a
/// client certificate; we send ours and a CertificateVerify over the
/// handshake messages. Without one, we send an empty Certificate.
#[test]
fn client_certificate() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let ca = files.ca_bundle.to_str().unwrap().to_owned();
    for (suite, key_type, client_key) in [
        (ECDHE_ECDSA[0], KeyType::EcdsaP256, KeyType::EcdsaP256),
        (ECDHE_RSA[1], KeyType::Rsa2048, KeyType::Rsa2048),
        (ECDHE_RSA[0], KeyType::Rsa2048, KeyType::EcdsaP384),
    ] {
        // OpenSSL checks the curve of an ECDSA client certificate against
        // our supported_groups too (RFC 8422 §5.1), so P-384 is listed.
        let groups = [
            NamedGroup::X25519,
            NamedGroup::Secp256r1,
            NamedGroup::Secp384r1,
        ];
        let mut config = config12(suite, &groups);
        config.client_auth = Some(client_cert_chooser(client_key));
        let (_stream, server) = run(
            &files,
            key_type,
            config,
            &["-Verify", "2", "-CAfile", &ca, "-verify_return_error"],
            &Expect {
                suite,
                group: Some(NamedGroup::X25519),
                client_auth: true,
            },
        );
        let out = server.stdout();
        assert!(out.contains("Client certificate"), "{out}");
        assert!(out.contains("CertificateVerify, Length="), "{out}");
    }
    // Asked (optionally) but holding no certificate: an empty Certificate.
    let (_stream, server) = run(
        &files,
        KeyType::EcdsaP256,
        config12(ECDHE_ECDSA[0], &[NamedGroup::X25519, NamedGroup::Secp256r1]),
        &["-verify", "2", "-CAfile", &ca],
        &Expect {
            suite: ECDHE_ECDSA[0],
            group: Some(NamedGroup::X25519),
            client_auth: false,
        },
    );
    let out = server.stdout();
    let received = out
        .split("Received Record")
        .filter_map(|r| r.split("Sent Record").next())
        .find(|r| r.contains("certificate_list, length="))
        .unwrap_or_else(|| panic!("no client Certificate in\n{out}"));
    assert!(
        received.contains("certificate_list, length=0"),
        "{received}"
    );
    assert!(!out.contains("CertificateVerify, Length="), "{out}");
}

/// After the handshake s_server's `r` command sends a HelloRequest; we
/// answer with a no_renegotiation warning (RFC 5746 §4.5, RFC 5246
/// §7.2.2) instead of a new ClientHello. OpenSSL then ends the connection
/// itself ("no renegotiation" is fatal to a server that asked), which is
/// its policy; we only check it got our warning and that our side did not
/// fail on the HelloRequest.
#[test]
fn hello_request_is_declined() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    let suite = ECDHE_ECDSA[0];
    let (mut stream, server) = run(
        &files,
        KeyType::EcdsaP256,
        config12(suite, &[NamedGroup::X25519, NamedGroup::Secp256r1]),
        &[],
        &Expect {
            suite,
            group: Some(NamedGroup::X25519),
            client_auth: false,
        },
    );
    let mut server = server;
    server.send_line("r");
    // Reading processes the HelloRequest; what s_server does next ends
    // the connection (its handshake_failure alert).
    let _ = loopback::read_until(&mut stream, "never-sent");
    server.expect_output("no renegotiation", WAIT);
    let out = server.stdout();
    assert!(out.contains("HelloRequest"), "{out}");
    match stream.conn.error() {
        None | Some(Error::AlertReceived(AlertDescription::HandshakeFailure)) => {}
        Some(e) => panic!("our side failed on the HelloRequest: {e:?}"),
    }
}

/// Two connections sharing one config (and so one session store): the
/// second resumes the first's session (RFC 5246 §7.3 abbreviated
/// handshake). Returns s_server's output and the two client streams.
fn connect_twice(server: &mut OpensslServer, config: ClientConfig) -> (ClientStream, ClientStream) {
    let mut first = loopback::connect(config.clone(), server.addr())
        .unwrap_or_else(|(e, io)| panic!("handshake: {e:?} ({io})\n{}", server.output()));
    exchange_data(&mut first, server);
    assert!(!first.conn.negotiated().resumed);
    first.conn.send_close_notify();
    let _ = first.flush();
    let mut second = loopback::connect(config, server.addr())
        .unwrap_or_else(|(e, io)| panic!("resumption: {e:?} ({io})\n{}", server.output()));
    exchange_data(&mut second, server);
    (first, second)
}

/// RFC 5246 §7.4.1.2: session-ID resumption (s_server with `-no_ticket`
/// keeps the session in its cache) and RFC 5077 ticket resumption, each
/// reported as resumed by both ends, with the same suite and the EMS
/// state kept (RFC 7627 §5.3).
#[test]
fn resumption_by_session_id_and_ticket() {
    if !peers::require_tool("openssl") {
        return;
    }
    let files = Pki::get().write_pem_files();
    for (suite, key_type, extra) in [
        (ECDHE_ECDSA[0], KeyType::EcdsaP256, &["-no_ticket"][..]),
        (ECDHE_RSA[1], KeyType::Rsa2048, &["-no_ticket"][..]),
        (ECDHE_ECDSA[2], KeyType::EcdsaP256, &[][..]),
        (DHE_RSA[0], KeyType::Rsa2048, &[][..]),
    ] {
        let mut server = s_server(files.server(key_type), extra);
        let config = config12(
            suite,
            &[
                NamedGroup::X25519,
                NamedGroup::Secp256r1,
                NamedGroup::Ffdhe2048,
            ],
        );
        let (_first, second) = connect_twice(&mut server, config);
        let n = second.conn.negotiated();
        assert!(n.resumed, "{suite}: not resumed\n{}", server.stdout());
        assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
        assert_eq!(n.cipher_suite, Some(suite));
        assert!(n.extended_master_secret);
        assert!(!n.peer_certificates.is_empty());
        let out = server.stdout();
        assert!(
            out.contains("Reused session-id"),
            "{suite}: s_server did not resume\n{out}"
        );
        // The abbreviated flow: the second connection's server flight has
        // no Certificate, and its ServerHello echoes the session.
        let hellos: Vec<&str> = out
            .split("Sent Record")
            .filter(|r| r.contains("ServerHello, Length="))
            .collect();
        assert_eq!(hellos.len(), 2, "{out}");
        let with_ticket = extra.is_empty();
        assert_eq!(out.contains("NewSessionTicket"), with_ticket, "{out}");
    }
}
