//! Hostile first flights against the ferrotls TLS 1.3 server: each must
//! be answered with the exact alert RFC 8446 names, after which the
//! connection carries nothing more.
//!
//! Test code: helpers panic on failure like the tests themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use ferrotls::auth::{provider_key, CertifiedKey, ServerCertResolver};
use ferrotls::codec::Bytes;
use ferrotls::config::ServerConfig;
use ferrotls::crypto::kx::KxGroup;
use ferrotls::crypto::rand::SystemRandom;
use ferrotls::msgs::client_hello::ClientHello;
use ferrotls::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ExtensionType, NamedGroup, ProtocolVersion,
    SignatureScheme,
};
use ferrotls::msgs::ext::key_share::KeyShareEntry;
use ferrotls::msgs::ext::server_name::ServerName;
use ferrotls::msgs::extensions::{Extension, Extensions};
use ferrotls::msgs::handshake::{HandshakeMessage, HandshakePayload};
use ferrotls::ServerConnection;
use ferrotls_test::pki::{KeyType, Pki};

const HANDSHAKE: u8 = 22;
const CCS: u8 = 20;
const ALERT: u8 = 21;
const APPLICATION_DATA: u8 = 23;

fn server() -> ServerConnection {
    let id = Pki::get().server(KeyType::EcdsaP256);
    let key = CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap();
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(Arc::new(key));
    // This table is about the TLS 1.3 server: with TLS 1.2 off, a client
    // offering only TLS 1.2 must get protocol_version.
    let mut config = ServerConfig::new(Arc::new(resolver));
    config.policy.versions = vec![ProtocolVersion::TLSv1_3];
    ServerConnection::new(Arc::new(config)).unwrap()
}

fn x25519_share() -> Vec<u8> {
    KxGroup::X25519
        .start(&SystemRandom)
        .unwrap()
        .public_share()
        .to_vec()
}

/// A ClientHello the server accepts.
fn good_hello() -> ClientHello {
    ClientHello {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: [0x42; 32],
        legacy_session_id: Bytes(vec![0x11; 32]),
        cipher_suites: vec![
            CipherSuite::TLS_AES_128_GCM_SHA256,
            CipherSuite::TLS_AES_256_GCM_SHA384,
        ],
        legacy_compression_methods: vec![CompressionMethod::Null],
        extensions: Some(Extensions(vec![
            Extension::ServerName(vec![ServerName::host_name("localhost")]),
            Extension::SupportedVersions(vec![ProtocolVersion::TLSv1_3]),
            Extension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::Secp256r1]),
            Extension::SignatureAlgorithms(vec![
                SignatureScheme::EcdsaSecp256r1Sha256,
                SignatureScheme::RsaPssRsaeSha256,
                SignatureScheme::Ed25519,
            ]),
            Extension::KeyShares(vec![KeyShareEntry::new(NamedGroup::X25519, x25519_share())]),
        ])),
    }
}

fn handshake_bytes(ch: ClientHello) -> Vec<u8> {
    HandshakeMessage::new(HandshakePayload::ClientHello(ch))
        .encoded()
        .to_vec()
}

fn record(typ: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(body.len()).unwrap().to_be_bytes();
    let mut out = vec![typ, 3, 1, len[0], len[1]];
    out.extend_from_slice(body);
    out
}

fn hello_record(ch: ClientHello) -> Vec<u8> {
    record(HANDSHAKE, &handshake_bytes(ch))
}

fn without(ext: ExtensionType) -> ClientHello {
    let mut ch = good_hello();
    ch.extensions.as_mut().unwrap().0.retain(|e| e.typ() != ext);
    ch
}

fn with_ext(f: impl FnOnce(&mut Vec<Extension>)) -> ClientHello {
    let mut ch = good_hello();
    f(&mut ch.extensions.as_mut().unwrap().0);
    ch
}

fn replace(ext: Extension) -> ClientHello {
    with_ext(|exts| {
        for e in exts.iter_mut() {
            if e.typ() == ext.typ() {
                *e = ext.clone();
            }
        }
    })
}

/// Feeds `bytes` and checks the server answers with exactly one fatal
/// `want` alert, then refuses to go on.
fn assert_refused(name: &str, bytes: &[u8], want: AlertDescription) {
    let mut s = server();
    s.feed_tls(bytes);
    let err = s.process_new_packets();
    assert!(err.is_err(), "{name}: accepted");
    let out = s.pending_tls().to_vec();
    s.consume_tls(out.len());
    assert_eq!(
        out,
        [ALERT, 3, 3, 0, 2, 2, want.to_wire()],
        "{name}: got {:?} ({err:?}), want a fatal {want}",
        out.get(6).map(|d| AlertDescription::from_wire(*d))
    );
    // The connection is over: more input is not processed, nothing more
    // is sent, and no data can be written.
    s.feed_tls(&hello_record(good_hello()));
    assert!(s.process_new_packets().is_err(), "{name}: recovered");
    assert!(s.pending_tls().is_empty(), "{name}: sent more");
    assert!(s.write_plaintext(b"data").is_err(), "{name}: took data");
    assert!(s.error().is_some());
}

#[test]
fn the_good_hello_is_accepted() {
    let mut s = server();
    s.feed_tls(&hello_record(good_hello()));
    s.process_new_packets().unwrap();
    let out = s.pending_tls();
    // ServerHello, then the compatibility ChangeCipherSpec (RFC 8446 §D.4).
    assert_eq!(out[0], HANDSHAKE);
    let sh_len = usize::from(u16::from_be_bytes([out[3], out[4]]));
    assert_eq!(&out[5 + sh_len..5 + sh_len + 6], &[CCS, 3, 3, 0, 1, 1]);
    assert!(s.is_handshaking());
}

#[test]
fn hostile_client_hellos() {
    use AlertDescription as A;
    let truncated = {
        // The handshake header is consistent with the body, but the body
        // stops one byte short of its extensions.
        let mut hs = handshake_bytes(good_hello());
        hs.pop();
        let len = u32::try_from(hs.len() - 4).unwrap().to_be_bytes();
        hs[1..4].copy_from_slice(&len[1..]);
        record(HANDSHAKE, &hs)
    };
    let trailing = {
        let mut hs = handshake_bytes(good_hello());
        hs.extend_from_slice(&[0xde, 0xad]);
        let len = u32::try_from(hs.len() - 4).unwrap().to_be_bytes();
        hs[1..4].copy_from_slice(&len[1..]);
        record(HANDSHAKE, &hs)
    };
    let only_tls11 = {
        let mut ch = without(ExtensionType::SupportedVersions);
        ch.legacy_version = ProtocolVersion::TLSv1_1;
        hello_record(ch)
    };
    let compression = {
        let mut ch = good_hello();
        ch.legacy_compression_methods = vec![CompressionMethod::Null, CompressionMethod::Deflate];
        hello_record(ch)
    };
    let legacy_version = {
        let mut ch = good_hello();
        ch.legacy_version = ProtocolVersion::TLSv1_0;
        hello_record(ch)
    };
    let duplicate_ext = hello_record(with_ext(|e| {
        e.insert(0, Extension::SupportedGroups(vec![NamedGroup::X25519]))
    }));
    let duplicate_share = hello_record(replace(Extension::KeyShares(vec![
        KeyShareEntry::new(NamedGroup::X25519, x25519_share()),
        KeyShareEntry::new(NamedGroup::X25519, x25519_share()),
    ])));
    let share_not_supported =
        hello_record(replace(Extension::KeyShares(vec![KeyShareEntry::new(
            NamedGroup::Secp384r1,
            vec![4; 97],
        )])));
    let bad_share = hello_record(replace(Extension::KeyShares(vec![KeyShareEntry::new(
        NamedGroup::X25519,
        vec![9; 31],
    )])));
    let no_suite = {
        let mut ch = good_hello();
        ch.cipher_suites = vec![CipherSuite::Unknown(0x1301 + 0x100)];
        hello_record(ch)
    };
    let no_group = hello_record(with_ext(|e| {
        for x in e.iter_mut() {
            match x {
                Extension::SupportedGroups(g) => *g = vec![NamedGroup::Unknown(0x0aaa)],
                Extension::KeyShares(s) => *s = vec![],
                _ => {}
            }
        }
    }));
    let cookie = hello_record(with_ext(|e| {
        e.push(Extension::Cookie(Bytes(vec![1, 2, 3])))
    }));
    let overflow = {
        let body = vec![0u8; (1 << 14) + 1];
        let len = u16::try_from(body.len()).unwrap().to_be_bytes();
        let mut r = vec![HANDSHAKE, 3, 1, len[0], len[1]];
        r.extend_from_slice(&body);
        r
    };
    let finished_first = {
        let mut m = vec![20, 0, 0, 32];
        m.extend_from_slice(&[0; 32]);
        record(HANDSHAKE, &m)
    };
    let unknown_content_type = record(0x80, &[1, 2, 3]);

    let cases: Vec<(&str, Vec<u8>, AlertDescription)> = vec![
        ("truncated ClientHello", truncated, A::DecodeError),
        (
            "trailing garbage after the ClientHello",
            trailing,
            A::DecodeError,
        ),
        (
            "compression other than null",
            compression,
            A::IllegalParameter,
        ),
        (
            "legacy_version 0x0301 with supported_versions",
            legacy_version,
            A::IllegalParameter,
        ),
        (
            "no supported_versions, TLS 1.1 only",
            only_tls11,
            A::ProtocolVersion,
        ),
        (
            "supported_versions with TLS 1.2 only",
            hello_record(replace(Extension::SupportedVersions(vec![
                ProtocolVersion::TLSv1_2,
            ]))),
            A::ProtocolVersion,
        ),
        (
            "missing key_share",
            hello_record(without(ExtensionType::KeyShare)),
            A::MissingExtension,
        ),
        (
            "missing supported_groups",
            hello_record(without(ExtensionType::SupportedGroups)),
            A::MissingExtension,
        ),
        (
            "missing signature_algorithms",
            hello_record(without(ExtensionType::SignatureAlgorithms)),
            A::MissingExtension,
        ),
        (
            "key_share group not in supported_groups",
            share_not_supported,
            A::IllegalParameter,
        ),
        ("duplicate extension", duplicate_ext, A::IllegalParameter),
        (
            "two key shares for one group",
            duplicate_share,
            A::IllegalParameter,
        ),
        ("malformed x25519 share", bad_share, A::IllegalParameter),
        ("no cipher suite in common", no_suite, A::HandshakeFailure),
        ("no group in common", no_group, A::HandshakeFailure),
        ("cookie in a first ClientHello", cookie, A::IllegalParameter),
        ("record overflow", overflow, A::RecordOverflow),
        (
            "ChangeCipherSpec before ClientHello",
            record(CCS, &[1]),
            A::UnexpectedMessage,
        ),
        (
            "application data before the handshake",
            record(APPLICATION_DATA, b"GET / HTTP/1.1\r\n\r\n"),
            A::UnexpectedMessage,
        ),
        (
            "Finished before ClientHello",
            finished_first,
            A::UnexpectedMessage,
        ),
        (
            "empty handshake record",
            record(HANDSHAKE, &[]),
            A::UnexpectedMessage,
        ),
        (
            "unknown content type",
            unknown_content_type,
            A::UnexpectedMessage,
        ),
    ];
    assert!(cases.len() >= 15);
    for (name, bytes, want) in cases {
        assert_refused(name, &bytes, want);
    }
}

/// A second ClientHello after a HelloRetryRequest that does not follow
/// RFC 8446 §4.1.2.
#[test]
fn hostile_second_client_hellos() {
    use AlertDescription as A;
    let ch1 = || {
        // Supports P-256 but sends only an x25519 share, to a server that
        // prefers P-256.
        with_ext(|e| {
            for x in e.iter_mut() {
                if let Extension::SupportedGroups(g) = x {
                    *g = vec![NamedGroup::Secp256r1, NamedGroup::X25519];
                }
            }
        })
    };
    let p256 = || {
        KxGroup::Secp256r1
            .start(&SystemRandom)
            .unwrap()
            .public_share()
            .to_vec()
    };
    let mut wrong_group = ch1();
    let mut changed_random = ch1();
    let mut again_x25519 = ch1();
    for (ch, group, share) in [
        (&mut wrong_group, NamedGroup::X25519, x25519_share()),
        (&mut changed_random, NamedGroup::Secp256r1, p256()),
        (&mut again_x25519, NamedGroup::X25519, x25519_share()),
    ] {
        for x in ch.extensions.as_mut().unwrap().0.iter_mut() {
            if let Extension::KeyShares(s) = x {
                *s = vec![KeyShareEntry::new(group, share.clone())];
            }
        }
    }
    changed_random.random[0] ^= 1;
    let mut two_shares = ch1();
    for x in two_shares.extensions.as_mut().unwrap().0.iter_mut() {
        if let Extension::KeyShares(s) = x {
            s.push(KeyShareEntry::new(NamedGroup::Secp256r1, p256()));
        }
    }
    let cases = [
        (
            "key share for the wrong group",
            wrong_group,
            A::IllegalParameter,
        ),
        ("random changed", changed_random, A::IllegalParameter),
        (
            "still no share for the group asked for",
            again_x25519,
            A::IllegalParameter,
        ),
        (
            "two shares after the retry",
            two_shares,
            A::IllegalParameter,
        ),
    ];
    for (name, ch2, want) in cases {
        let id = Pki::get().server(KeyType::EcdsaP256);
        let key = CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap();
        let mut resolver = ServerCertResolver::new();
        resolver.add_default(Arc::new(key));
        let mut config = ServerConfig::new(Arc::new(resolver));
        config.policy.groups = vec![NamedGroup::Secp256r1, NamedGroup::X25519];
        let mut s = ServerConnection::new(Arc::new(config)).unwrap();
        s.feed_tls(&hello_record(ch1()));
        s.process_new_packets().unwrap();
        assert!(s.negotiated().hello_retry, "{name}: no HelloRetryRequest");
        let n = s.pending_tls().len();
        s.consume_tls(n);
        // The compatibility ChangeCipherSpec is allowed before ClientHello2.
        let mut flight = record(CCS, &[1]);
        flight.extend_from_slice(&hello_record(ch2));
        s.feed_tls(&flight);
        assert!(s.process_new_packets().is_err(), "{name}: accepted");
        assert_eq!(
            s.pending_tls(),
            [ALERT, 3, 3, 0, 2, 2, want.to_wire()],
            "{name}"
        );
        assert!(s.write_plaintext(b"x").is_err());
    }
}

// ---- after the server's flight ------------------------------------------

use ferrotls::crypto::suites::tls13_suite;
use ferrotls::keys::tls13::{EarlySecret, HandshakeTrafficSecret};
use ferrotls::keys::transcript::TranscriptHash;
use ferrotls::msgs::enums::ContentType;
use ferrotls::msgs::handshake::DecodeContext;
use ferrotls::record::protect::RecordCipher;

/// Splits TLS bytes into (header, payload) records.
fn split_records(mut bytes: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        out.push((bytes[..5].to_vec(), bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    out
}

/// A client written out step by step, so it can send what a real one
/// would not. It reads the server's flight with the handshake keys and
/// keeps the keys to send with and to read the server's alerts.
struct ScriptedClient {
    server: ServerConnection,
    suite: ferrotls::crypto::suites::Tls13Suite,
    client_hs: HandshakeTrafficSecret,
    /// Through the server's Finished.
    transcript: TranscriptHash,
    send_hs: RecordCipher,
    send_app: RecordCipher,
    recv_app: RecordCipher,
}

impl ScriptedClient {
    fn connect() -> Self {
        let kx = KxGroup::X25519.start(&SystemRandom).unwrap();
        let ch = replace(Extension::KeyShares(vec![KeyShareEntry::new(
            NamedGroup::X25519,
            kx.public_share().to_vec(),
        )]));
        let ch = handshake_bytes(ch);
        let mut server = server();
        server.feed_tls(&record(HANDSHAKE, &ch));
        server.process_new_packets().unwrap();
        let flight = server.pending_tls().to_vec();
        server.consume_tls(flight.len());
        let mut records = split_records(&flight).into_iter();

        let (_, sh) = records.next().unwrap();
        let msg = HandshakeMessage::from_bytes(&sh, DecodeContext::Hello).unwrap();
        let HandshakePayload::ServerHello(hello) = msg.payload() else {
            panic!("not a ServerHello: {msg:?}");
        };
        let suite = tls13_suite(hello.cipher_suite).unwrap();
        let share = hello.extensions().server_key_share().unwrap();
        let shared = kx.complete(&share.key_exchange).unwrap();
        let mut transcript = TranscriptHash::new(suite.hash);
        transcript.add(&ch);
        transcript.add(&sh);
        let hs = EarlySecret::new(suite.hash, None)
            .into_handshake_secret(Some(shared.expose()))
            .unwrap();
        let client_hs = hs
            .client_handshake_traffic_secret(&transcript.current())
            .unwrap();
        let server_hs = hs
            .server_handshake_traffic_secret(&transcript.current())
            .unwrap();
        let cipher = |keys: ferrotls::keys::tls13::TrafficKeys| {
            RecordCipher::tls13(suite.aead, keys.key(), keys.iv()).unwrap()
        };
        let key_len = suite.aead.key_len();
        let mut recv_hs = cipher(server_hs.traffic_keys(key_len).unwrap());
        for (header, mut payload) in records {
            if header[0] == CCS {
                continue;
            }
            let opened = recv_hs.open(&header, &mut payload).unwrap();
            assert_eq!(opened.typ, ContentType::Handshake);
            transcript.add(&payload[opened.plaintext]);
        }
        let master = hs.into_master_secret().unwrap();
        let finished_hash = transcript.current();
        let client_app = master
            .client_application_traffic_secret(&finished_hash)
            .unwrap();
        let server_app = master
            .server_application_traffic_secret(&finished_hash)
            .unwrap();
        Self {
            server,
            suite,
            send_hs: cipher(client_hs.traffic_keys(key_len).unwrap()),
            send_app: cipher(client_app.traffic_keys(key_len).unwrap()),
            recv_app: cipher(server_app.traffic_keys(key_len).unwrap()),
            client_hs,
            transcript,
        }
    }

    /// The client Finished this handshake needs.
    fn finished(&self) -> Vec<u8> {
        let verify_data = self
            .client_hs
            .finished_key()
            .unwrap()
            .verify_data(&self.transcript.current());
        let mut m = vec![
            20,
            0,
            0,
            u8::try_from(self.suite.hash.output_len()).unwrap(),
        ];
        m.extend_from_slice(verify_data.as_ref());
        m
    }

    /// Seals `content` under the client's handshake (or application) keys
    /// and hands it to the server.
    fn send(&mut self, app_keys: bool, typ: ContentType, content: &[u8]) -> Result<(), String> {
        let mut out = Vec::new();
        let cipher = match app_keys {
            true => &mut self.send_app,
            false => &mut self.send_hs,
        };
        cipher.seal(typ, content, &mut out).unwrap();
        self.send_raw(&out)
    }

    fn send_raw(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.server.feed_tls(bytes);
        self.server.process_new_packets().map_err(|e| e.to_string())
    }

    /// The one alert the server sent, decrypted with its application keys.
    fn alert(&mut self) -> AlertDescription {
        let out = self.server.pending_tls().to_vec();
        self.server.consume_tls(out.len());
        let mut records = split_records(&out);
        assert_eq!(records.len(), 1, "{out:?}");
        let (header, payload) = &mut records[0];
        let opened = self.recv_app.open(header, payload).unwrap();
        assert_eq!(opened.typ, ContentType::Alert);
        let alert = &payload[opened.plaintext];
        assert_eq!(alert.len(), 2);
        assert_eq!(alert[0], 2, "not fatal");
        AlertDescription::from_wire(alert[1])
    }

    fn assert_refused(mut self, name: &str, result: Result<(), String>, want: AlertDescription) {
        assert!(result.is_err(), "{name}: accepted");
        assert_eq!(self.alert(), want, "{name}: {result:?}");
        assert!(self.server.write_plaintext(b"x").is_err(), "{name}");
        let finished = self.finished();
        assert!(
            self.send(false, ContentType::Handshake, &finished).is_err(),
            "{name}: recovered"
        );
        assert!(self.server.pending_tls().is_empty(), "{name}: sent more");
    }
}

#[test]
fn scripted_client_completes_the_handshake() {
    let mut c = ScriptedClient::connect();
    let finished = c.finished();
    c.send(false, ContentType::Handshake, &finished).unwrap();
    assert!(!c.server.is_handshaking());
    c.send(true, ContentType::ApplicationData, b"hello")
        .unwrap();
    let mut buf = [0u8; 16];
    let n = c.server.read_plaintext(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello");
}

#[test]
fn hostile_client_flights() {
    use AlertDescription as A;
    // A Finished that does not verify.
    let c = ScriptedClient::connect();
    let mut bad = c.finished();
    *bad.last_mut().unwrap() ^= 1;
    let mut c = c;
    let r = c.send(false, ContentType::Handshake, &bad);
    c.assert_refused("wrong verify_data", r, A::DecryptError);

    // A Finished of the wrong length.
    let mut c = ScriptedClient::connect();
    let mut short = c.finished();
    short.pop();
    short[3] -= 1;
    let r = c.send(false, ContentType::Handshake, &short);
    c.assert_refused("short Finished", r, A::DecodeError);

    // A Certificate nobody asked for.
    let mut c = ScriptedClient::connect();
    let r = c.send(false, ContentType::Handshake, &[11, 0, 0, 4, 0, 0, 0, 0]);
    c.assert_refused("unrequested Certificate", r, A::UnexpectedMessage);

    // Application data before the client's Finished.
    let mut c = ScriptedClient::connect();
    let r = c.send(false, ContentType::ApplicationData, b"early");
    c.assert_refused("data before Finished", r, A::UnexpectedMessage);

    // A plaintext ClientHello where encrypted records are due: a
    // protected record's outer type is always application_data (RFC 8446
    // §5.2), so this is an unexpected record type (§5).
    let mut c = ScriptedClient::connect();
    let r = c.send_raw(&hello_record(good_hello()));
    c.assert_refused("plaintext after the key change", r, A::UnexpectedMessage);

    // Garbage under the right outer type does not decrypt (§5.2).
    let mut c = ScriptedClient::connect();
    let r = c.send_raw(&record(APPLICATION_DATA, &[0x55; 40]));
    c.assert_refused("undecryptable record", r, A::BadRecordMac);

    // After the handshake: a ClientHello (no renegotiation in TLS 1.3)
    // and a KeyUpdate with an unknown request.
    for (name, msg, want) in [
        (
            "ClientHello after the handshake",
            handshake_bytes(good_hello()),
            A::UnexpectedMessage,
        ),
        (
            "KeyUpdate request 2",
            vec![24, 0, 0, 1, 2],
            A::IllegalParameter,
        ),
        (
            "KeyUpdate longer than its body",
            vec![24, 0, 0, 2, 0, 0],
            A::DecodeError,
        ),
    ] {
        let mut c = ScriptedClient::connect();
        let finished = c.finished();
        c.send(false, ContentType::Handshake, &finished).unwrap();
        let r = c.send(true, ContentType::Handshake, &msg);
        // The server's alert goes under its application keys either way.
        c.assert_refused(name, r, want);
    }
}
