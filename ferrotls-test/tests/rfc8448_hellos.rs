//! The hello messages and EncryptedExtensions of RFC 8448 §3-§7 decode to
//! the typed values the RFC describes and re-encode to the same bytes.
//!
//! The RFC prints each handshake message with its 4-byte header (type,
//! u24 length); the header belongs to `msgs::handshake`, so it is checked
//! and stripped here.
// Test code: fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use ferrotls::codec::{Bytes, Codec};
use ferrotls::msgs::client_hello::ClientHello;
use ferrotls::msgs::encrypted_extensions::EncryptedExtensions;
use ferrotls::msgs::enums::{
    CipherSuite, CompressionMethod, ExtensionType, NamedGroup, ProtocolVersion, PskKeyExchangeMode,
    SignatureScheme,
};
use ferrotls::msgs::extensions::{Extension, ExtensionContext};
use ferrotls::msgs::server_hello::{ServerHello, HELLO_RETRY_REQUEST_RANDOM};
use ferrotls_test::rfc8448::section;

/// Checks the handshake header and returns the body.
fn body(msg: &[u8], typ: u8) -> &[u8] {
    assert_eq!(msg[0], typ);
    let len = u32::from_be_bytes([0, msg[1], msg[2], msg[3]]) as usize;
    assert_eq!(len, msg.len() - 4);
    &msg[4..]
}

fn client_hello(msg: &[u8]) -> ClientHello {
    let body = body(msg, 1);
    let ch = ClientHello::from_bytes(body).unwrap();
    assert_eq!(ch.to_bytes(), body, "ClientHello re-encodes identically");
    ch.extensions()
        .check_allowed(ExtensionContext::ClientHello)
        .unwrap();
    ch
}

fn server_hello(msg: &[u8]) -> ServerHello {
    let body = body(msg, 2);
    let sh = ServerHello::from_bytes(body).unwrap();
    assert_eq!(sh.to_bytes(), body, "ServerHello re-encodes identically");
    sh.extensions().check_allowed(sh.context()).unwrap();
    sh
}

fn encrypted_extensions(msg: &[u8]) -> EncryptedExtensions {
    let body = body(msg, 8);
    let ee = EncryptedExtensions::from_bytes(body).unwrap();
    assert_eq!(ee.to_bytes(), body);
    ee.extensions
        .check_allowed(ExtensionContext::EncryptedExtensions)
        .unwrap();
    ee
}

/// What every ClientHello of RFC 8448 offers.
fn check_common_offer(ch: &ClientHello) {
    use SignatureScheme as S;
    assert_eq!(ch.legacy_version, ProtocolVersion::TLSv1_2);
    assert_eq!(
        ch.cipher_suites,
        [
            CipherSuite::TLS_AES_128_GCM_SHA256,
            CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
            CipherSuite::TLS_AES_256_GCM_SHA384,
        ]
    );
    assert_eq!(ch.legacy_compression_methods, [CompressionMethod::Null]);
    let exts = ch.extensions();
    assert_eq!(exts.host_name(), Some("server"));
    assert_eq!(
        exts.supported_versions().unwrap(),
        [ProtocolVersion::TLSv1_3]
    );
    assert_eq!(exts.key_shares().unwrap()[0].group, NamedGroup::X25519);
    assert_eq!(exts.key_shares().unwrap()[0].key_exchange.len(), 32);
    assert_eq!(
        &exts.signature_algorithms().unwrap()[..4],
        [
            S::EcdsaSecp256r1Sha256,
            S::EcdsaSecp384r1Sha384,
            S::EcdsaSecp521r1Sha512,
            S::EcdsaSha1
        ]
    );
    assert_eq!(exts.psk_modes().unwrap(), [PskKeyExchangeMode::PskDheKe]);
    assert_eq!(exts.record_size_limit(), Some(0x4001));
    assert_eq!(exts.renegotiation_info(), Some(&Bytes::default()));
}

#[test]
fn section3_simple_1rtt() {
    let t = section(3);
    let ch = client_hello(t.value("client", "construct a ClientHello", "ClientHello"));
    check_common_offer(&ch);
    assert!(ch.legacy_session_id.is_empty());
    assert_eq!(
        ch.extensions().key_shares().unwrap()[0].key_exchange.0,
        t.value(
            "client",
            "create an ephemeral x25519 key pair",
            "public key"
        )
    );
    assert_eq!(
        ch.extensions().supported_groups().unwrap(),
        [
            NamedGroup::X25519,
            NamedGroup::Secp256r1,
            NamedGroup::Secp384r1,
            NamedGroup::Secp521r1,
            NamedGroup::Ffdhe2048,
            NamedGroup::Ffdhe3072,
            NamedGroup::Ffdhe4096,
            NamedGroup::Ffdhe6144,
            NamedGroup::Ffdhe8192,
        ]
    );
    assert_eq!(ch.binders_encoded_len(), None);

    let sh = server_hello(t.value("server", "construct a ServerHello", "ServerHello"));
    assert!(!sh.is_hello_retry_request());
    assert_eq!(sh.downgrade_sentinel(), None);
    assert_eq!(sh.cipher_suite, CipherSuite::TLS_AES_128_GCM_SHA256);
    assert_eq!(
        sh.extensions().selected_version(),
        Some(ProtocolVersion::TLSv1_3)
    );
    let share = sh.extensions().server_key_share().unwrap();
    assert_eq!(share.group, NamedGroup::X25519);
    assert_eq!(
        share.key_exchange.0,
        t.value(
            "server",
            "create an ephemeral x25519 key pair",
            "public key"
        )
    );

    let ee = encrypted_extensions(t.value(
        "server",
        "construct an EncryptedExtensions",
        "EncryptedExtensions",
    ));
    let ee = ee.extensions;
    assert_eq!(ee.supported_groups().unwrap().len(), 9);
    assert_eq!(ee.record_size_limit(), Some(0x4001));
    assert_eq!(
        ee.get(ExtensionType::ServerName),
        Some(&Extension::ServerNameAck)
    );
}

#[test]
fn section4_resumed_0rtt() {
    let t = section(4);
    // The "construct" step prints Truncate(ClientHello) (§4.2.11.2); the
    // whole message is the payload of the record sent next.
    let prefix = t.value("client", "construct a ClientHello", "ClientHello");
    let sent = t.value("client", "send handshake record", "payload");
    let ch = client_hello(sent);
    check_common_offer(&ch);
    assert!(ch.extensions().early_data());
    let offer = ch.extensions().offered_psks().unwrap();
    assert_eq!(offer.identities.len(), 1);
    assert_eq!(offer.identities[0].identity.len(), 178);
    assert_eq!(offer.identities[0].obfuscated_ticket_age, 0xfad6aacb);
    assert_eq!(
        ch.extensions().0.last().unwrap().typ(),
        ExtensionType::PreSharedKey
    );
    assert!(matches!(
        ch.extensions().get(ExtensionType::Padding),
        Some(p) if p.padding() == Some(true)
    ));
    // Binder helpers: the received bytes and our own encoding both give
    // the RFC's prefix, and the binder is the one the RFC computes.
    assert_eq!(ch.binders_encoded_len(), Some(35));
    assert_eq!(ch.strip_binders(sent).unwrap(), prefix);
    assert_eq!(ch.encode_truncated_for_binders().unwrap(), prefix);
    let binder = t.value("client", "calculate PSK binder", "finished");
    assert_eq!(offer.binders[0].0, binder);
    let mut patched = ch.clone();
    patched
        .set_binders(vec![Bytes::new(binder.to_vec())])
        .unwrap();
    assert_eq!(patched, ch);

    let sh = server_hello(t.value("server", "construct a ServerHello", "ServerHello"));
    assert_eq!(sh.extensions().selected_psk(), Some(0));
    assert_eq!(
        sh.extensions().server_key_share().unwrap().group,
        NamedGroup::X25519
    );

    let ee = encrypted_extensions(t.value(
        "server",
        "construct an EncryptedExtensions",
        "EncryptedExtensions",
    ));
    assert!(ee.extensions.early_data());
}

#[test]
fn section5_hello_retry_request() {
    let t = section(5);
    let ch1 = client_hello(
        t.nth_step("client", "construct a ClientHello", 0)
            .value("ClientHello"),
    );
    check_common_offer(&ch1);
    assert!(ch1.extensions().cookie().is_none());

    let hrr = server_hello(
        t.nth_step("server", "construct a ServerHello", 0)
            .value("ServerHello"),
    );
    assert!(hrr.is_hello_retry_request());
    assert_eq!(hrr.random, HELLO_RETRY_REQUEST_RANDOM);
    assert_eq!(hrr.context(), ExtensionContext::HelloRetryRequest);
    assert_eq!(hrr.extensions().retry_group(), Some(NamedGroup::Secp256r1));
    assert_eq!(
        hrr.extensions().selected_version(),
        Some(ProtocolVersion::TLSv1_3)
    );
    let cookie = hrr.extensions().cookie().unwrap();
    assert_eq!(cookie.len(), 0x72);

    let ch2 = client_hello(
        t.nth_step("client", "construct a ClientHello", 1)
            .value("ClientHello"),
    );
    assert_eq!(ch2.extensions().cookie(), Some(cookie));
    let shares = ch2.extensions().key_shares().unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].group, NamedGroup::Secp256r1);
    assert_eq!(shares[0].key_exchange.len(), 65);

    let sh = server_hello(
        t.nth_step("server", "construct a ServerHello", 1)
            .value("ServerHello"),
    );
    assert!(!sh.is_hello_retry_request());
    assert_eq!(
        sh.extensions().server_key_share().unwrap().group,
        NamedGroup::Secp256r1
    );

    encrypted_extensions(t.value(
        "server",
        "construct an EncryptedExtensions",
        "EncryptedExtensions",
    ));
}

#[test]
fn section6_client_authentication() {
    let t = section(6);
    let ch = client_hello(t.value("client", "construct a ClientHello", "ClientHello"));
    check_common_offer(&ch);
    let sh = server_hello(t.value("server", "construct a ServerHello", "ServerHello"));
    assert_eq!(
        sh.extensions().server_key_share().unwrap().group,
        NamedGroup::X25519
    );
    encrypted_extensions(t.value(
        "server",
        "construct an EncryptedExtensions",
        "EncryptedExtensions",
    ));
}

#[test]
fn section7_compatibility_mode() {
    let t = section(7);
    let ch = client_hello(t.value("client", "construct a ClientHello", "ClientHello"));
    check_common_offer(&ch);
    // RFC 8446 §D.4: a non-empty legacy_session_id in compatibility mode.
    assert_eq!(ch.legacy_session_id.len(), 32);
    let sh = server_hello(t.value("server", "construct a ServerHello", "ServerHello"));
    assert_eq!(sh.legacy_session_id_echo, ch.legacy_session_id);
    encrypted_extensions(t.value(
        "server",
        "construct an EncryptedExtensions",
        "EncryptedExtensions",
    ));
}
