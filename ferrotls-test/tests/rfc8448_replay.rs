//! RFC 8448 §3 (simple 1-RTT handshake) and §5 (HelloRetryRequest)
//! replayed through ferrotls's client and server state machines, with the
//! RFC's random values and ephemeral keys injected through
//! `hooks.rng`, comparing every message and every record with the RFC.
//!
//! What stands in for the RFC's peer, and why:
//! - The client's ClientHello carries extensions ferrotls does not send by
//!   default (renegotiation_info, session_ticket, record_size_limit,
//!   psk_key_exchange_modes, the RFC's group and scheme lists, §5's
//!   padding). The `hello_extensions` rewrite takes those from the RFC's
//!   message; server_name, supported_versions, key_share and cookie stay
//!   the ones ferrotls built, so the comparison checks them.
//! - The RFC's server certificate has a 1024-bit RSA key, below what
//!   aws-lc-rs accepts, and RSA-PSS signatures are randomized. So the
//!   client's signature check and the server's signer are test stand-ins
//!   (`RfcSignatureCheck`, `RfcSigner`) for that one step; the RFC's
//!   signature itself is checked with the RFC's public key by OpenSSL's
//!   command line tool in `rfc_certificate_verify_signature_verifies`.
//! - The §3 server's EncryptedExtensions lists groups ferrotls does not
//!   implement (secp521r1, ffdhe6144, ffdhe8192); the server's
//!   `encrypted_extensions` rewrite puts the RFC's list in.
//! - The §5 HelloRetryRequest carries the RFC server's cookie, which only
//!   that server could compute; the server's `hello_retry_extensions`
//!   rewrite adds those bytes as an opaque cookie (ferrotls's stateful
//!   server needs none and ignores the echo).
//!
//! Not compared: the §3 server's own application_data and alert records
//! (the RFC's server sent a NewSessionTicket before them, which ferrotls
//! does not issue yet, so the sequence numbers differ).
// Test code: fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use ferrotls::codec::Codec;
use ferrotls::config::Rewrite;
use ferrotls::crypto::rand::SequenceRandom;
use ferrotls::msgs::enums::{CipherSuite, ExtensionType, NamedGroup, SignatureScheme};
use ferrotls::msgs::extensions::{Extension, Extensions};
use ferrotls::msgs::server_hello::ServerHello;
use ferrotls::{ClientConnection, ServerConnection};
use ferrotls_test::pair::Endpoint;
use ferrotls_test::rfc8448::section;
use ferrotls_test::rfc8448_stand_ins::{
    body, client_config, like_rfc, message, message_hash, random_of, record, records,
    rfc_certificate, rfc_certificate_verify, rfc_server_groups, rfc_signed_content, same,
    server_config, server_name, with_record_size_limit, Received, RfcSignatureCheck,
};
use rustls_pki_types::ServerName;

// ---------------------------------------------------------------- §3

#[test]
fn section3_client_byte_for_byte() {
    let t = section(3);
    let ch = message(t, "client", "ClientHello", 0);
    let (scheme, signature) = rfc_certificate_verify(t);
    let content = rfc_signed_content(&[
        ch,
        message(t, "server", "ServerHello", 0),
        message(t, "server", "EncryptedExtensions", 0),
        message(t, "server", "Certificate", 0),
    ]);
    // ferrotls's client draws its random, then (no legacy_session_id in
    // this mode) the x25519 private key.
    let rng = [
        random_of(ch),
        t.value(
            "client",
            "create an ephemeral x25519 key pair",
            "private key",
        ),
    ]
    .concat();
    let verifier = RfcSignatureCheck {
        certificate: rfc_certificate(t),
        content,
        scheme,
        signature,
    };
    let config = client_config(rng, verifier, like_rfc(ch, None));
    let mut client = ClientConnection::new(config, server_name()).unwrap();

    same(
        &client.take_tls(),
        record(t, "client", "send handshake record", 0),
        "ClientHello record",
    );

    // The server's ServerHello record, then its protected flight.
    client.feed_tls(record(t, "server", "send handshake record", 0));
    client.process_new_packets().unwrap();
    assert!(
        client.take_tls().is_empty(),
        "nothing to send after ServerHello"
    );
    client.feed_tls(record(t, "server", "send handshake record", 1));
    client.process_new_packets().unwrap();
    same(
        &client.take_tls(),
        record(t, "client", "send handshake record", 1),
        "client Finished record",
    );
    assert!(!client.is_handshaking());
    let n = client.negotiated();
    assert_eq!(n.cipher_suite, Some(CipherSuite::TLS_AES_128_GCM_SHA256));
    assert_eq!(n.group, Some(NamedGroup::X25519));

    // The NewSessionTicket is accepted (and dropped: no resumption yet).
    client.feed_tls(record(t, "server", "send handshake record", 2));
    client.process_new_packets().unwrap();

    // Application data both ways, then the client's close_notify.
    let data = t.step("client", "send application_data record");
    client.write_plaintext(data.value("payload")).unwrap();
    same(
        &client.take_tls(),
        data.value("complete record"),
        "client application_data record",
    );
    let data = t.step("server", "send application_data record");
    client.feed_tls(data.value("complete record"));
    client.process_new_packets().unwrap();
    let mut buf = [0u8; 100];
    let len = client.read_plaintext(&mut buf).unwrap();
    same(
        &buf[..len],
        data.value("payload"),
        "server application data",
    );
    client.send_close_notify();
    same(
        &client.take_tls(),
        record(t, "client", "send alert record", 0),
        "client close_notify record",
    );
    client.feed_tls(record(t, "server", "send alert record", 0));
    client.process_new_packets().unwrap();
    assert!(client.peer_closed());
}

#[test]
fn section3_server_byte_for_byte() {
    let t = section(3);
    let ch = message(t, "client", "ClientHello", 0);
    let sh = message(t, "server", "ServerHello", 0);
    let ee = message(t, "server", "EncryptedExtensions", 0);
    let cert = message(t, "server", "Certificate", 0);
    let content = rfc_signed_content(&[ch, sh, ee, cert]);
    // ferrotls's server draws its x25519 private key (answering the
    // client's share), then its random.
    let rng = Arc::new(SequenceRandom::new(
        [
            t.value(
                "server",
                "create an ephemeral x25519 key pair",
                "private key",
            ),
            random_of(sh),
        ]
        .concat(),
    ));
    let groups = vec![
        NamedGroup::X25519,
        NamedGroup::Secp256r1,
        NamedGroup::Secp384r1,
        NamedGroup::Ffdhe2048,
        NamedGroup::Ffdhe3072,
        NamedGroup::Ffdhe4096,
    ];
    let (config, sent) = server_config(t, rng.clone(), groups, content);
    let mut config = Arc::try_unwrap(config).unwrap();
    config.encrypted_extensions = Some(rfc_server_groups(ee));
    let mut server = ServerConnection::new(Arc::new(config)).unwrap();

    server.feed_tls(record(t, "client", "send handshake record", 0));
    server.process_new_packets().unwrap();
    let out = server.take_tls();
    let sh_record = record(t, "server", "send handshake record", 0);
    let flight = record(t, "server", "send handshake record", 1);
    let messages = sent.messages();
    let names = [
        "ServerHello",
        "EncryptedExtensions",
        "Certificate",
        "CertificateVerify",
        "Finished",
    ];
    assert_eq!(messages.len(), names.len());
    for (got, name) in messages.iter().zip(names) {
        same(got, message(t, "server", name, 0), name);
    }
    same(&out, &[sh_record, flight].concat(), "server records");
    assert_eq!(rng.remaining(), 0, "every injected random byte was used");

    // The client's Finished completes the handshake; then the data and
    // the close_notify of the trace.
    server.feed_tls(record(t, "client", "send handshake record", 1));
    server.process_new_packets().unwrap();
    assert!(!server.is_handshaking());
    let data = t.step("client", "send application_data record");
    server.feed_tls(data.value("complete record"));
    server.process_new_packets().unwrap();
    let mut buf = [0u8; 100];
    let len = server.read_plaintext(&mut buf).unwrap();
    same(
        &buf[..len],
        data.value("payload"),
        "client application data",
    );
    server.feed_tls(record(t, "client", "send alert record", 0));
    server.process_new_packets().unwrap();
    assert!(server.peer_closed());
    // The server's own application_data and alert records are not
    // compared: the RFC's server sent a NewSessionTicket first, which
    // ferrotls's server does not issue yet, so its records carry other
    // sequence numbers (RFC 8446 §5.3) and differ.
}

// ---------------------------------------------------------------- §5

#[test]
fn section5_client_byte_for_byte() {
    let t = section(5);
    let ch1 = message(t, "client", "ClientHello", 0);
    let ch2 = message(t, "client", "ClientHello", 1);
    let (scheme, signature) = rfc_certificate_verify(t);
    // RFC 8446 §4.4.1: after a HelloRetryRequest the transcript starts
    // with message_hash = 0xfe, 00 00 20, Hash(ClientHello1).
    let ch1_hash = message_hash(ch1);
    let content = rfc_signed_content(&[
        &ch1_hash,
        message(t, "server", "ServerHello", 0),
        ch2,
        message(t, "server", "ServerHello", 1),
        message(t, "server", "EncryptedExtensions", 0),
        message(t, "server", "Certificate", 0),
    ]);
    let rng = [
        random_of(ch1),
        t.value(
            "client",
            "create an ephemeral x25519 key pair",
            "private key",
        ),
        t.value(
            "client",
            "create an ephemeral P-256 key pair",
            "private key",
        ),
    ]
    .concat();
    let verifier = RfcSignatureCheck {
        certificate: rfc_certificate(t),
        content,
        scheme,
        signature,
    };
    let config = client_config(rng, verifier, like_rfc(ch1, Some(ch2)));
    let mut client = ClientConnection::new(config, server_name()).unwrap();
    same(
        &client.take_tls(),
        record(t, "client", "send handshake record", 0),
        "first ClientHello record",
    );
    client.feed_tls(record(t, "server", "send handshake record", 0));
    client.process_new_packets().unwrap();
    same(
        &client.take_tls(),
        record(t, "client", "send handshake record", 1),
        "second ClientHello record",
    );
    client.feed_tls(record(t, "server", "send handshake record", 1));
    client.process_new_packets().unwrap();
    client.feed_tls(record(t, "server", "send handshake record", 2));
    client.process_new_packets().unwrap();
    same(
        &client.take_tls(),
        record(t, "client", "send handshake record", 2),
        "client Finished record",
    );
    assert!(!client.is_handshaking());
    let n = client.negotiated();
    assert_eq!(n.group, Some(NamedGroup::Secp256r1));
    assert!(n.hello_retry);

    client.send_close_notify();
    same(
        &client.take_tls(),
        record(t, "client", "send alert record", 0),
        "client close_notify record",
    );
    client.feed_tls(record(t, "server", "send alert record", 0));
    client.process_new_packets().unwrap();
    assert!(client.peer_closed());
}

/// §5 server. The RFC's HelloRetryRequest carries a cookie of the RFC's
/// server (state it keeps in the client), which ferrotls's stateful server
/// does not need; the server's `hello_retry_extensions` rewrite adds the
/// RFC's cookie bytes as an opaque value the client echoes and ferrotls
/// ignores (RFC 8446 §4.2.2). Everything else, and everything that
/// follows (keys, records, signed content, Finished), is ferrotls's own.
#[test]
fn section5_server_byte_for_byte() {
    let t = section(5);
    let ch1 = message(t, "client", "ClientHello", 0);
    let ch2 = message(t, "client", "ClientHello", 1);
    let hrr = message(t, "server", "ServerHello", 0);
    let sh = message(t, "server", "ServerHello", 1);
    let ee = message(t, "server", "EncryptedExtensions", 0);
    let cert = message(t, "server", "Certificate", 0);
    let ch1_hash = message_hash(ch1);
    let content = rfc_signed_content(&[&ch1_hash, hrr, ch2, sh, ee, cert]);

    let rfc_cookie = ServerHello::from_bytes(body(hrr))
        .unwrap()
        .extensions()
        .iter()
        .find(|e| e.typ() == ExtensionType::Cookie)
        .unwrap()
        .clone();
    // ferrotls's server draws nothing for the HelloRetryRequest, then its
    // P-256 private key (answering the second share), then its random.
    let rng = Arc::new(SequenceRandom::new(
        [
            t.value(
                "server",
                "create an ephemeral P-256 key pair",
                "private key",
            ),
            random_of(sh),
        ]
        .concat(),
    ));
    // The RFC's server prefers P-256, then P-384, then x25519.
    let groups = vec![
        NamedGroup::Secp256r1,
        NamedGroup::Secp384r1,
        NamedGroup::X25519,
    ];
    let (config, sent) = server_config(t, rng.clone(), groups, content);
    let mut config = Arc::try_unwrap(config).unwrap();
    config.hello_retry_extensions = Some(Rewrite::new(move |e: &mut Extensions| {
        // RFC 8448 §5 order: key_share, cookie, supported_versions.
        e.0.insert(1, rfc_cookie.clone());
    }));
    let mut server = ServerConnection::new(Arc::new(config)).unwrap();

    server.feed_tls(record(t, "client", "send handshake record", 0));
    server.process_new_packets().unwrap();
    same(
        &server.take_tls(),
        record(t, "server", "send handshake record", 0),
        "HelloRetryRequest record",
    );

    server.feed_tls(record(t, "client", "send handshake record", 1));
    server.process_new_packets().unwrap();
    let messages = sent.messages();
    let names = [
        "ServerHello",
        "ServerHello",
        "EncryptedExtensions",
        "Certificate",
        "CertificateVerify",
        "Finished",
    ];
    assert_eq!(messages.len(), names.len());
    for (i, (got, name)) in messages.iter().zip(names).enumerate() {
        let n = usize::from(i == 1);
        same(got, message(t, "server", name, n), name);
    }
    same(
        &server.take_tls(),
        &[
            record(t, "server", "send handshake record", 1),
            record(t, "server", "send handshake record", 2),
        ]
        .concat(),
        "ServerHello and protected flight records",
    );
    assert_eq!(rng.remaining(), 0, "every injected random byte was used");

    server.feed_tls(record(t, "client", "send handshake record", 2));
    server.process_new_packets().unwrap();
    assert!(!server.is_handshaking());
    assert!(server.negotiated().hello_retry);
    assert_eq!(server.negotiated().group, Some(NamedGroup::Secp256r1));
    server.feed_tls(record(t, "client", "send alert record", 0));
    server.process_new_packets().unwrap();
    assert!(server.peer_closed());
    // The server's close_notify is the RFC's too: no NewSessionTicket
    // precedes it in §5.
    server.send_close_notify();
    same(
        &server.take_tls(),
        record(t, "server", "send alert record", 0),
        "server close_notify record",
    );
}

// ---------------------------------------------------------------- signature

/// The RFC's CertificateVerify signatures (§3 and §5) verify with the
/// RFC's 1024-bit RSA public key, as RSA-PSS-RSAE-SHA256 (salt length 32,
/// RFC 8446 §4.2.3) over the content computed from the RFC's messages.
/// aws-lc-rs refuses keys under 2048 bits, so OpenSSL's command line tool
/// checks this.
#[test]
fn rfc_certificate_verify_signature_verifies() {
    if !ferrotls_test::peers::require_tool("openssl") {
        return;
    }
    let t3 = section(3);
    let content3 = rfc_signed_content(&[
        message(t3, "client", "ClientHello", 0),
        message(t3, "server", "ServerHello", 0),
        message(t3, "server", "EncryptedExtensions", 0),
        message(t3, "server", "Certificate", 0),
    ]);
    let t5 = section(5);
    let ch1 = message(t5, "client", "ClientHello", 0);
    let ch1_hash = message_hash(ch1);
    let content5 = rfc_signed_content(&[
        &ch1_hash,
        message(t5, "server", "ServerHello", 0),
        message(t5, "client", "ClientHello", 1),
        message(t5, "server", "ServerHello", 1),
        message(t5, "server", "EncryptedExtensions", 0),
        message(t5, "server", "Certificate", 0),
    ]);
    for (t, content) in [(t3, content3), (t5, content5)] {
        let dir = tempfile::tempdir().unwrap();
        let path = |n: &str| dir.path().join(n);
        std::fs::write(path("cert.der"), rfc_certificate(t).as_ref()).unwrap();
        std::fs::write(path("content"), &content).unwrap();
        let (scheme, sig) = rfc_certificate_verify(t);
        assert_eq!(scheme, SignatureScheme::RsaPssRsaeSha256);
        std::fs::write(path("sig"), sig).unwrap();
        let run = |args: &[&str]| {
            let out = std::process::Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        };
        let (ok, _) = run(&[
            "x509", "-inform", "DER", "-in", "cert.der", "-pubkey", "-noout", "-out", "pub.pem",
        ]);
        assert!(ok, "openssl x509 -pubkey");
        let verify = |content: &str| {
            run(&[
                "dgst",
                "-sha256",
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:32",
                "-verify",
                "pub.pem",
                "-signature",
                "sig",
                content,
            ])
        };
        let (ok, stdout) = verify("content");
        assert!(ok && stdout.contains("Verified OK"), "openssl: {stdout}");
        // And a changed content does not verify.
        let mut bad = content.clone();
        bad[100] ^= 1;
        std::fs::write(path("bad"), bad).unwrap();
        assert!(!verify("bad").0);
    }
}

// ------------------------------------- the replay's options, in real use

/// RFC 8449 §4: a client offering record_size_limit gets the server's
/// (2^14+1: ferrotls takes records of any size), and each side keeps the
/// protected records it sends within the limit the other announced. The
/// server's EncryptedExtensions also carries its groups (RFC 8446 §4.2.7).
#[test]
fn record_size_limit_is_answered_and_honoured() {
    use ferrotls::msgs::handshake::HandshakePayload;
    use ferrotls_test::loopback;
    use ferrotls_test::pair::{self, Endpoint};
    use ferrotls_test::pki::{KeyType, SERVER_NAME};

    let mut client_config = loopback::client_config();
    client_config.hello_extensions = Some(with_record_size_limit(100));
    let received = Arc::new(Received::default());
    client_config.hooks.observer = Some(received.clone());
    let server_config = loopback::server_config(KeyType::EcdsaP256);
    let groups: Vec<NamedGroup> = server_config
        .policy
        .kx_groups()
        .map(|g| g.named_group())
        .collect();
    let name = ServerName::try_from(SERVER_NAME).unwrap();
    let mut client = ClientConnection::new(Arc::new(client_config), name.clone()).unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config)).unwrap();
    pair::handshake(&mut client, &mut server);

    let ee = received
        .0
        .lock()
        .unwrap()
        .iter()
        .find_map(|m| match m.payload() {
            HandshakePayload::EncryptedExtensions(ee) => Some(ee.extensions.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(ee.record_size_limit(), Some(0x4001));
    assert_eq!(ee.supported_groups(), Some(&groups[..]));

    // The server sends at most 99 bytes of data per record (the limit
    // counts the inner content type); 16 is the AEAD tag.
    let data = vec![0x5a; 1000];
    server.write_plain(&data);
    let wire = server.take_tls();
    let lens = records(&wire);
    assert_eq!(lens.len(), 11, "{lens:?}");
    assert!(lens.iter().all(|(_, len)| *len <= 100 + 16), "{lens:?}");
    client.receive_tls(&wire).unwrap();
    assert_eq!(client.read_plain(), data);
    // The client's records are not limited: the server announced 2^14+1.
    client.write_plain(&data);
    let wire = client.take_tls();
    assert_eq!(records(&wire), [(23, 1000 + 1 + 16)]);
    server.receive_tls(&wire).unwrap();
    assert_eq!(server.read_plain(), data);

    // A server announcing a smaller limit (through its rewrite) gets
    // records within it from the client.
    let mut client_config = loopback::client_config();
    client_config.hello_extensions = Some(with_record_size_limit(0x4001));
    let mut server_config = loopback::server_config(KeyType::EcdsaP256);
    server_config.encrypted_extensions = Some(Rewrite::new(|e: &mut Extensions| {
        e.push(Extension::RecordSizeLimit(64));
    }));
    let mut client = ClientConnection::new(Arc::new(client_config), name).unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config)).unwrap();
    pair::handshake(&mut client, &mut server);
    client.write_plain(&data);
    let wire = client.take_tls();
    let lens = records(&wire);
    assert!(lens.iter().all(|(_, len)| *len <= 64 + 16), "{lens:?}");
    server.receive_tls(&wire).unwrap();
    assert_eq!(server.read_plain(), data);
}

/// Without record_size_limit in the ClientHello, the server sends none.
#[test]
fn no_record_size_limit_unless_offered() {
    use ferrotls::msgs::handshake::HandshakePayload;
    use ferrotls_test::loopback;
    use ferrotls_test::pair;
    use ferrotls_test::pki::{KeyType, SERVER_NAME};

    let mut client_config = loopback::client_config();
    let received = Arc::new(Received::default());
    client_config.hooks.observer = Some(received.clone());
    let name = ServerName::try_from(SERVER_NAME).unwrap();
    let mut client = ClientConnection::new(Arc::new(client_config), name).unwrap();
    let mut server =
        ServerConnection::new(Arc::new(loopback::server_config(KeyType::EcdsaP256))).unwrap();
    pair::handshake(&mut client, &mut server);
    let msgs = received.0.lock().unwrap();
    let ee = msgs
        .iter()
        .find_map(|m| match m.payload() {
            HandshakePayload::EncryptedExtensions(ee) => Some(&ee.extensions),
            _ => None,
        })
        .unwrap();
    assert_eq!(ee.record_size_limit(), None);
    assert!(ee.supported_groups().is_some());
}
