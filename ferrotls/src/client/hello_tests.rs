//! The client's checks of ServerHello and HelloRetryRequest (RFC 8446
//! §4.1.3, §4.1.4, §4.2.1, §4.2.8), each fed a crafted answer.

use std::sync::Arc;

use rustls_pki_types::ServerName as PkiServerName;

use super::ClientConnection;
use crate::auth::{RootStore, ServerCertVerifier};
use crate::codec::Bytes;
use crate::config::ClientConfig;
use crate::crypto::kx::KxGroup;
use crate::crypto::rand::SystemRandom;
use crate::error::Error;
use crate::msgs::client_hello::ClientHello;
use crate::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, ExtensionType, HandshakeType,
    NamedGroup, ProtocolVersion,
};
use crate::msgs::ext::key_share::KeyShareEntry;
use crate::msgs::extensions::{Extension, Extensions};
use crate::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use crate::msgs::server_hello::{DowngradeSentinel, ServerHello};
use crate::record::protect::write_plaintext;

pub(super) fn config() -> ClientConfig {
    ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(
        RootStore::empty(),
    ))))
}

pub(super) fn connect(config: ClientConfig) -> (ClientConnection, ClientHello) {
    let mut client = ClientConnection::new(
        Arc::new(config),
        PkiServerName::try_from("example.com").unwrap(),
    )
    .unwrap();
    let hello = take_client_hello(&mut client);
    (client, hello)
}

/// The ClientHello in the pending bytes (after a ChangeCipherSpec, if any).
pub(super) fn take_client_hello(client: &mut ClientConnection) -> ClientHello {
    let mut bytes = client.pending_tls().to_vec();
    client.consume_tls(bytes.len());
    if bytes[0] == ContentType::ChangeCipherSpec.to_wire() {
        bytes.drain(..6);
    }
    assert_eq!(bytes[0], ContentType::Handshake.to_wire());
    let msg = HandshakeMessage::from_bytes(&bytes[5..], DecodeContext::Hello).unwrap();
    match msg.into_payload() {
        HandshakePayload::ClientHello(ch) => ch,
        other => panic!("{other:?}"),
    }
}

pub(super) fn server_hello(
    ch: &ClientHello,
    suite: CipherSuite,
    exts: Vec<Extension>,
) -> ServerHello {
    ServerHello {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: [7; 32],
        legacy_session_id_echo: ch.legacy_session_id.clone(),
        cipher_suite: suite,
        legacy_compression_method: CompressionMethod::Null,
        extensions: Some(Extensions(exts)),
    }
}

fn retry(ch: &ClientHello, exts: Vec<Extension>) -> ServerHello {
    ServerHello::hello_retry_request(
        ch.legacy_session_id.clone(),
        CipherSuite::TLS_AES_128_GCM_SHA256,
        Extensions(exts),
    )
}

fn share(group: NamedGroup) -> Extension {
    let kx = KxGroup::from_named_group(group)
        .unwrap()
        .start(&SystemRandom)
        .unwrap();
    Extension::KeyShare(KeyShareEntry::new(group, kx.public_share()))
}

const V13: Extension = Extension::SelectedVersion(ProtocolVersion::TLSv1_3);

pub(super) fn feed(client: &mut ClientConnection, sh: ServerHello) -> Result<(), Error> {
    let msg = HandshakeMessage::new(HandshakePayload::ServerHello(sh));
    let mut record = Vec::new();
    write_plaintext(
        &mut record,
        ContentType::Handshake,
        ProtocolVersion::TLSv1_2,
        msg.encoded(),
    );
    client.feed_tls(&record);
    client.process_new_packets()
}

pub(super) fn alert_of(result: Result<(), Error>) -> AlertDescription {
    result.unwrap_err().alert().unwrap()
}

#[test]
fn first_client_hello_offers_what_the_config_says() {
    let (client, ch) = connect(config());
    assert_eq!(ch.legacy_version, ProtocolVersion::TLSv1_2);
    assert_eq!(
        ch.legacy_session_id.0.len(),
        32,
        "RFC 8446 §D.4 compat mode"
    );
    assert_eq!(ch.legacy_compression_methods, vec![CompressionMethod::Null]);
    let exts = ch.extensions();
    assert_eq!(
        exts.supported_versions().unwrap(),
        &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2]
    );
    assert_eq!(exts.host_name(), Some("example.com"));
    let shares = exts.key_shares().unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].group, NamedGroup::X25519);
    assert!(exts.signature_algorithms().is_some());
    assert!(exts.alpn().is_none());
    assert_eq!(client.common.client_random, ch.random);
}

#[test]
fn ip_addresses_get_no_server_name_and_no_compat_means_empty_session_id() {
    let mut config = config();
    config.middlebox_compat = false;
    let mut client = ClientConnection::new(
        Arc::new(config),
        PkiServerName::try_from("10.0.0.1").unwrap(),
    )
    .unwrap();
    let ch = take_client_hello(&mut client);
    assert!(!ch.has_extension(ExtensionType::ServerName));
    assert!(ch.legacy_session_id.0.is_empty());
}

/// RFC 8446 §4.1.2: the second ClientHello keeps everything but the
/// key_share, and echoes the cookie; in compat mode a ChangeCipherSpec
/// goes first (§D.4).
#[test]
fn second_client_hello_after_retry() {
    let (mut client, ch1) = connect(config());
    let cookie = Extension::Cookie(Bytes(vec![1, 2, 3]));
    feed(
        &mut client,
        retry(
            &ch1,
            vec![
                V13,
                Extension::KeyShareRetry(NamedGroup::Secp256r1),
                cookie.clone(),
            ],
        ),
    )
    .unwrap();
    assert_eq!(
        client.pending_tls()[0],
        ContentType::ChangeCipherSpec.to_wire()
    );
    let ch2 = take_client_hello(&mut client);
    assert_eq!(ch2.random, ch1.random);
    assert_eq!(ch2.legacy_session_id, ch1.legacy_session_id);
    assert_eq!(ch2.cipher_suites, ch1.cipher_suites);
    let shares = ch2.extensions().key_shares().unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].group, NamedGroup::Secp256r1);
    assert_eq!(ch2.extensions().cookie(), Some(&Bytes(vec![1, 2, 3])));
    assert!(client.negotiated().hello_retry);
}

//= https://www.rfc-editor.org/rfc/rfc8446#section-4.1.4
//# If a client receives a second HelloRetryRequest in the same connection
//# ... it MUST abort the handshake with an "unexpected_message" alert.
#[test]
fn second_retry_is_unexpected_message() {
    let (mut client, ch) = connect(config());
    let hrr = retry(
        &ch,
        vec![V13, Extension::KeyShareRetry(NamedGroup::Secp256r1)],
    );
    feed(&mut client, hrr.clone()).unwrap();
    let err = feed(&mut client, hrr).unwrap_err();
    assert_eq!(err.alert(), Some(AlertDescription::UnexpectedMessage));
    assert!(err
        .to_string()
        .contains(&HandshakeType::ServerHello.to_string()));
}

//= https://www.rfc-editor.org/rfc/rfc8446#section-4.1.4
//# Clients MUST abort the handshake with an "illegal_parameter" alert if
//# the HelloRetryRequest would not result in any change in the ClientHello.
#[test]
fn retry_changing_nothing_is_illegal() {
    let (mut client, ch) = connect(config());
    let r = feed(&mut client, retry(&ch, vec![V13]));
    assert_eq!(alert_of(r), AlertDescription::IllegalParameter);
}

//= https://www.rfc-editor.org/rfc/rfc8446#section-4.2.8
//# If either of these checks fails, then the client MUST abort the
//# handshake with an "illegal_parameter" alert.
#[test]
fn retry_group_must_be_offered_and_not_shared() {
    let mut cfg = config();
    cfg.policy.groups = vec![NamedGroup::X25519, NamedGroup::Secp256r1];
    for group in [
        NamedGroup::X25519,
        NamedGroup::Secp384r1,
        NamedGroup::Unknown(0x1234),
    ] {
        let (mut client, ch) = connect(cfg.clone());
        let r = feed(
            &mut client,
            retry(&ch, vec![V13, Extension::KeyShareRetry(group)]),
        );
        assert_eq!(alert_of(r), AlertDescription::IllegalParameter, "{group}");
    }
}

//= https://www.rfc-editor.org/rfc/rfc8446#section-4.1.4
//# clients MUST check that the cipher suite supplied in the ServerHello is
//# the same as that in the HelloRetryRequest and otherwise abort the
//# handshake with an "illegal_parameter" alert.
#[test]
fn server_hello_suite_must_match_the_retry() {
    let (mut client, ch) = connect(config());
    feed(
        &mut client,
        retry(
            &ch,
            vec![V13, Extension::KeyShareRetry(NamedGroup::Secp256r1)],
        ),
    )
    .unwrap();
    let sh = server_hello(
        &ch,
        CipherSuite::TLS_AES_256_GCM_SHA384,
        vec![V13, share(NamedGroup::Secp256r1)],
    );
    assert_eq!(
        alert_of(feed(&mut client, sh)),
        AlertDescription::IllegalParameter
    );
}

#[test]
fn server_hello_group_must_match_the_retry() {
    let (mut client, ch) = connect(config());
    feed(
        &mut client,
        retry(
            &ch,
            vec![V13, Extension::KeyShareRetry(NamedGroup::Secp256r1)],
        ),
    )
    .unwrap();
    let sh = server_hello(
        &ch,
        CipherSuite::TLS_AES_128_GCM_SHA256,
        vec![V13, share(NamedGroup::X25519)],
    );
    assert_eq!(
        alert_of(feed(&mut client, sh)),
        AlertDescription::IllegalParameter
    );
}

#[test]
fn server_hello_field_checks() {
    type Tweak = fn(&mut ServerHello);
    let cases: [(&str, Tweak, AlertDescription); 8] = [
        // §4.1.3: legacy_session_id_echo must echo ours.
        (
            "session id",
            |sh| sh.legacy_session_id_echo = Bytes(vec![1]),
            AlertDescription::IllegalParameter,
        ),
        // §4.1.3: a cipher suite not offered.
        (
            "suite",
            |sh| sh.cipher_suite = CipherSuite::TLS_AES_128_CCM_SHA256,
            AlertDescription::IllegalParameter,
        ),
        // §4.1.3: compression must be null.
        (
            "compression",
            |sh| sh.legacy_compression_method = CompressionMethod::Unknown(1),
            AlertDescription::IllegalParameter,
        ),
        // §4.2.1: supported_versions must name TLS 1.3.
        (
            "version",
            |sh| {
                sh.extensions
                    .as_mut()
                    .unwrap()
                    .push(Extension::SelectedVersion(ProtocolVersion::TLSv1_2))
            },
            AlertDescription::IllegalParameter,
        ),
        // §4.1.3: a TLS 1.2 answer with the downgrade sentinel.
        (
            "sentinel",
            |sh| {
                sh.extensions = None;
                DowngradeSentinel::Tls12.apply(&mut sh.random);
            },
            AlertDescription::IllegalParameter,
        ),
        // §4.2: an extension we did not offer.
        (
            "unsolicited",
            |sh| {
                sh.extensions.as_mut().unwrap().push(Extension::Unknown {
                    typ: ExtensionType::Unknown(0x7777),
                    body: Bytes(vec![]),
                })
            },
            AlertDescription::UnsupportedExtension,
        ),
        // §4.2: an extension a ServerHello may not carry.
        (
            "not allowed",
            |sh| {
                sh.extensions
                    .as_mut()
                    .unwrap()
                    .push(Extension::Alpn(vec![Bytes(b"h2".to_vec())]))
            },
            AlertDescription::IllegalParameter,
        ),
        // §4.2.8: a share of a group we did not share.
        (
            "group",
            |sh| {
                sh.extensions
                    .as_mut()
                    .unwrap()
                    .push(share(NamedGroup::Secp256r1))
            },
            AlertDescription::IllegalParameter,
        ),
    ];
    for (what, tweak, alert) in cases {
        let (mut client, ch) = connect(config());
        let mut sh = server_hello(
            &ch,
            CipherSuite::TLS_AES_128_GCM_SHA256,
            vec![V13, share(NamedGroup::X25519)],
        );
        tweak(&mut sh);
        assert_eq!(alert_of(feed(&mut client, sh)), alert, "{what}");
    }
}

#[test]
fn tls12_answers() {
    let tls12 = |ch: &ClientHello| ServerHello {
        extensions: None,
        ..server_hello(
            ch,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            vec![],
        )
    };
    // TLS 1.2 enabled: the TLS 1.2 handshake goes on and waits for the
    // server's Certificate.
    let (mut client, ch) = connect(config());
    let fresh = ServerHello {
        legacy_session_id_echo: Bytes(vec![9; 32]),
        ..tls12(&ch)
    };
    feed(&mut client, fresh).unwrap();
    assert_eq!(client.negotiated().version, Some(ProtocolVersion::TLSv1_2));
    // RFC 5246 §7.4.1.3: echoing our session ID claims a resumption we
    // did not offer.
    let (mut client, ch) = connect(config());
    assert_eq!(
        alert_of(feed(&mut client, tls12(&ch))),
        AlertDescription::IllegalParameter
    );
    // TLS 1.2 disabled: protocol_version.
    let mut cfg = config();
    cfg.policy.versions = vec![ProtocolVersion::TLSv1_3];
    let (mut client, ch) = connect(cfg);
    assert_eq!(
        alert_of(feed(&mut client, tls12(&ch))),
        AlertDescription::ProtocolVersion
    );
}

#[test]
fn missing_key_share_is_missing_extension() {
    let (mut client, ch) = connect(config());
    let sh = server_hello(&ch, CipherSuite::TLS_AES_128_GCM_SHA256, vec![V13]);
    assert_eq!(
        alert_of(feed(&mut client, sh)),
        AlertDescription::MissingExtension
    );
}

#[test]
fn a_valid_server_hello_moves_on_to_encrypted_extensions() {
    let (mut client, ch) = connect(config());
    let sh = server_hello(
        &ch,
        CipherSuite::TLS_AES_128_GCM_SHA256,
        vec![V13, share(NamedGroup::X25519)],
    );
    feed(&mut client, sh).unwrap();
    assert_eq!(
        client.negotiated().cipher_suite,
        Some(CipherSuite::TLS_AES_128_GCM_SHA256)
    );
    assert_eq!(client.negotiated().group, Some(NamedGroup::X25519));
    // Compat mode: a ChangeCipherSpec before anything encrypted.
    assert_eq!(
        client.pending_tls()[0],
        ContentType::ChangeCipherSpec.to_wire()
    );
}

/// `ClientConfig::hello_extensions`: the rewritten hello is what is sent
/// (both hellos), and the server's answers are checked against it.
#[test]
fn rewritten_hellos_are_sent_and_answers_checked_against_them() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::config::HelloRewrite;

    let calls = Arc::new(AtomicUsize::new(0));
    let mut cfg = config();
    let counted = Arc::clone(&calls);
    cfg.hello_extensions = Some(HelloRewrite::new(move |h: &mut ClientHello| {
        counted.fetch_add(1, Ordering::SeqCst);
        let exts = h.extensions.as_mut().unwrap();
        exts.push(Extension::RecordSizeLimit(0x4001));
        exts.0.retain(|e| e.typ() != ExtensionType::SupportedGroups);
        exts.0.insert(
            0,
            Extension::SupportedGroups(vec![
                NamedGroup::X25519,
                NamedGroup::Secp256r1,
                NamedGroup::Secp521r1,
            ]),
        );
    }));

    let (mut client, ch1) = connect(cfg.clone());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(ch1.extensions().record_size_limit(), Some(0x4001));
    assert_eq!(
        ch1.extensions().iter().next().unwrap().typ(),
        ExtensionType::SupportedGroups
    );
    let hrr = retry(
        &ch1,
        vec![V13, Extension::KeyShareRetry(NamedGroup::Secp256r1)],
    );
    feed(&mut client, hrr).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let ch2 = take_client_hello(&mut client);
    assert_eq!(ch2.extensions().record_size_limit(), Some(0x4001));
    assert_eq!(
        ch2.extensions().key_shares().unwrap()[0].group,
        NamedGroup::Secp256r1
    );

    // The rewrite offered secp521r1, which ferrotls cannot do: a retry
    // asking for it is a local failure, not a protocol violation.
    let (mut client, ch1) = connect(cfg);
    let hrr = retry(
        &ch1,
        vec![V13, Extension::KeyShareRetry(NamedGroup::Secp521r1)],
    );
    let err = feed(&mut client, hrr).unwrap_err();
    assert_eq!(err.alert(), Some(AlertDescription::InternalError), "{err}");
}

/// A rewrite may not offer a PSK or early data: ferrotls holds no PSK.
#[test]
fn rewrite_adding_early_data_is_refused() {
    use crate::config::HelloRewrite;

    let mut cfg = config();
    cfg.hello_extensions = Some(HelloRewrite::new(|h: &mut ClientHello| {
        h.extensions.as_mut().unwrap().push(Extension::EarlyData);
    }));
    let err = ClientConnection::new(
        Arc::new(cfg),
        PkiServerName::try_from("example.com").unwrap(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("early_data"), "{err}");
}
