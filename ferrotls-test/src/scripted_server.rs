//! A TLS 1.3 server played by the test, to misbehave against the ferrotls
//! client: it follows the RFC 8446 §7 key schedule with ferrotls's own
//! `keys`, `crypto` and `msgs` modules, so each bad flight is encrypted
//! exactly as a real server's would be, and it decrypts what the client
//! sends back (its alert, under whatever keys it is sent).
//!
//! [`run`] plays one [`Case`] and checks the client's alert and that the
//! connection then refuses to carry anything.

use std::sync::Arc;

use crate::pki::{Identity, KeyType, Pki, SERVER_NAME};
use ferrotls::auth::{
    provider_key, tls13_certificate_verify_content, CertifiedKey, RootStore, ServerCertVerifier,
    Signer,
};
use ferrotls::codec::Bytes;
use ferrotls::config::ClientConfig;
use ferrotls::crypto::kx::KxGroup;
use ferrotls::crypto::rand::SystemRandom;
use ferrotls::crypto::suites::{tls13_suite, Tls13Suite};
use ferrotls::keys::tls13::{
    ApplicationTrafficSecret, EarlySecret, HandshakeSecret, HandshakeTrafficSecret, TrafficKeys,
};
use ferrotls::keys::transcript::TranscriptHash;
use ferrotls::msgs::certificate::{CertificateEntry, CertificateTls13};
use ferrotls::msgs::certificate_verify::DigitallySigned;
use ferrotls::msgs::client_hello::ClientHello;
use ferrotls::msgs::encrypted_extensions::EncryptedExtensions;
use ferrotls::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, NamedGroup, ProtocolVersion,
    SignatureScheme,
};
use ferrotls::msgs::ext::key_share::KeyShareEntry;
use ferrotls::msgs::extensions::{Extension, Extensions};
use ferrotls::msgs::finished::Finished;
use ferrotls::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use ferrotls::msgs::server_hello::ServerHello;
use ferrotls::record::protect::RecordCipher;
use ferrotls::{ClientConnection, Error};
use rustls_pki_types::ServerName as PkiServerName;

pub const HANDSHAKE: u8 = 22;
pub const CCS: u8 = 20;
pub const ALERT: u8 = 21;
pub const APPLICATION_DATA: u8 = 23;

/// Every scripted server picks this suite (SHA-256 transcript).
pub const SUITE: CipherSuite = CipherSuite::TLS_AES_128_GCM_SHA256;

fn suite() -> Tls13Suite {
    tls13_suite(SUITE).unwrap()
}

/// Splits TLS bytes into (header, payload) records.
pub fn split_records(mut bytes: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        out.push((bytes[..5].to_vec(), bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    out
}

pub fn record(typ: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(body.len()).unwrap().to_be_bytes();
    let mut out = vec![typ, 3, 3, len[0], len[1]];
    out.extend_from_slice(body);
    out
}

fn cipher(keys: TrafficKeys) -> RecordCipher {
    RecordCipher::tls13(suite().aead, keys.key(), keys.iv()).unwrap()
}

fn key_len() -> usize {
    suite().aead.key_len()
}

/// A handshake message with a body of `body`, header written by hand.
pub fn raw_message(typ: u8, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).unwrap().to_be_bytes();
    let mut m = vec![typ, len[1], len[2], len[3]];
    m.extend_from_slice(body);
    m
}

/// `msg` with `extra` bytes inside its body (the length covers them).
pub fn with_trailing(msg: &[u8], extra: &[u8]) -> Vec<u8> {
    let mut body = msg[4..].to_vec();
    body.extend_from_slice(extra);
    raw_message(msg[0], &body)
}

/// A KeyUpdate (RFC 8446 §4.6.3) with request value `request`.
pub fn key_update(request: u8) -> Vec<u8> {
    raw_message(24, &[request])
}

/// A well-formed NewSessionTicket (RFC 8446 §4.6.1).
pub fn new_session_ticket() -> Vec<u8> {
    let mut body = vec![0, 0, 0x0e, 0x10, 1, 2, 3, 4, 0];
    body.extend_from_slice(&[0, 1, 0xaa, 0, 0]);
    raw_message(4, &body)
}

/// What a case changes in the client's configuration or the server's
/// certificate.
pub struct Setup {
    /// The server's certificate chain and key.
    pub identity: &'static Identity,
    /// Applied to the client's default configuration.
    pub config: fn(&mut ClientConfig),
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            identity: Pki::get().server(KeyType::EcdsaP256),
            config: |_| {},
        }
    }
}

/// A server played by the test. It reads the client's ClientHello, keeps
/// the transcript and the keys of both directions, and sends what each
/// case says; the client's records are decrypted as they come, so its
/// alert can be read whatever keys it is sent under.
pub struct ScriptedServer {
    pub client: ClientConnection,
    /// The ClientHello the client last sent.
    pub hello: ClientHello,
    transcript: TranscriptHash,
    key: CertifiedKey,
    secret: Option<HandshakeSecret>,
    server_hs: Option<HandshakeTrafficSecret>,
    server_app: Option<ApplicationTrafficSecret>,
    /// Seals what the server sends (handshake, then application keys).
    send: Option<RecordCipher>,
    /// Opens what the client sends (handshake, then application keys).
    read: Option<RecordCipher>,
    /// The client's application keys, once its Finished is read.
    read_next: Option<RecordCipher>,
}

impl ScriptedServer {
    /// Starts a ferrotls client for [`SERVER_NAME`] trusting the test PKI,
    /// and reads its ClientHello.
    pub fn new(setup: &Setup) -> Self {
        let mut roots = RootStore::empty();
        roots.add_all(&Pki::get().roots()).unwrap();
        let mut config = ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(roots))));
        (setup.config)(&mut config);
        let mut client = ClientConnection::new(
            Arc::new(config),
            PkiServerName::try_from(SERVER_NAME).unwrap(),
        )
        .unwrap();
        let out = client.pending_tls().to_vec();
        client.consume_tls(out.len());
        let (_, ch) = split_records(&out).remove(0);
        let hello = Self::client_hello(&ch);
        let mut transcript = TranscriptHash::new(suite().hash);
        transcript.add(&ch);
        let id = setup.identity;
        let key = CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap();
        Self {
            client,
            hello,
            transcript,
            key,
            secret: None,
            server_hs: None,
            server_app: None,
            send: None,
            read: None,
            read_next: None,
        }
    }

    fn client_hello(bytes: &[u8]) -> ClientHello {
        let msg = HandshakeMessage::from_bytes(bytes, DecodeContext::Hello).unwrap();
        match msg.into_payload() {
            HandshakePayload::ClientHello(ch) => ch,
            other => panic!("not a ClientHello: {other:?}"),
        }
    }

    /// Hands `bytes` to the client and lets it process them.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.client.feed_tls(bytes);
        self.client.process_new_packets()
    }

    pub fn plain(&mut self, typ: u8, body: &[u8]) -> Result<(), Error> {
        self.feed(&record(typ, body))
    }

    /// The bytes of a protected record of inner type `typ`.
    pub fn sealed(&mut self, typ: ContentType, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.send
            .as_mut()
            .expect("no keys yet")
            .seal(typ, content, &mut out)
            .unwrap();
        out
    }

    pub fn seal(&mut self, typ: ContentType, content: &[u8]) -> Result<(), Error> {
        let bytes = self.sealed(typ, content);
        self.feed(&bytes)
    }

    /// Encodes a handshake message and adds it to the transcript.
    pub fn message(&mut self, payload: HandshakePayload) -> Vec<u8> {
        let msg = HandshakeMessage::new(payload);
        self.transcript.add(msg.encoded());
        msg.encoded().to_vec()
    }

    pub fn handshake(&mut self, payload: HandshakePayload) -> Result<(), Error> {
        let m = self.message(payload);
        self.seal(ContentType::Handshake, &m)
    }

    // ---- the hellos ----------------------------------------------------

    /// A ServerHello answering the first key share of the last ClientHello,
    /// altered by `f`; derives the handshake keys (RFC 8446 §7.1) from the
    /// unaltered share and returns the encoded message.
    pub fn server_hello(&mut self, f: impl FnOnce(&mut ServerHello)) -> Vec<u8> {
        let share = &self.hello.extensions().key_shares().unwrap()[0];
        let (server_share, shared) = KxGroup::from_named_group(share.group)
            .unwrap()
            .accept(&share.key_exchange.0, &SystemRandom)
            .unwrap();
        let mut sh = ServerHello {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: [9; 32],
            legacy_session_id_echo: self.hello.legacy_session_id.clone(),
            cipher_suite: SUITE,
            legacy_compression_method: CompressionMethod::Null,
            extensions: Some(Extensions(vec![
                Extension::SelectedVersion(ProtocolVersion::TLSv1_3),
                Extension::KeyShare(KeyShareEntry::new(share.group, server_share)),
            ])),
        };
        f(&mut sh);
        let m = self.message(HandshakePayload::ServerHello(sh));
        let secret = EarlySecret::new(suite().hash, None)
            .into_handshake_secret(Some(shared.expose()))
            .unwrap();
        let hash = self.transcript.current();
        let client_hs = secret.client_handshake_traffic_secret(&hash).unwrap();
        let server_hs = secret.server_handshake_traffic_secret(&hash).unwrap();
        self.send = Some(cipher(server_hs.traffic_keys(key_len()).unwrap()));
        self.read = Some(cipher(client_hs.traffic_keys(key_len()).unwrap()));
        self.secret = Some(secret);
        self.server_hs = Some(server_hs);
        m
    }

    /// The ServerHello, altered by `f`, in a plaintext record.
    pub fn hello_with(&mut self, f: impl FnOnce(&mut ServerHello)) -> Result<(), Error> {
        let m = self.server_hello(f);
        self.plain(HANDSHAKE, &m)
    }

    pub fn hello(&mut self) -> Result<(), Error> {
        self.hello_with(|_| {})
    }

    /// A HelloRetryRequest asking for a P-256 share, altered by `f`. If
    /// the client accepts it, reads its second ClientHello.
    pub fn retry_with(&mut self, f: impl FnOnce(&mut ServerHello)) -> Result<(), Error> {
        let mut hrr = ServerHello::hello_retry_request(
            self.hello.legacy_session_id.clone(),
            SUITE,
            Extensions(vec![
                Extension::SelectedVersion(ProtocolVersion::TLSv1_3),
                Extension::KeyShareRetry(NamedGroup::Secp256r1),
            ]),
        );
        f(&mut hrr);
        let msg = HandshakeMessage::new(HandshakePayload::ServerHello(hrr));
        self.plain(HANDSHAKE, msg.encoded())?;
        // RFC 8446 §4.4.1: ClientHello1 becomes message_hash in the transcript.
        let transcript = std::mem::replace(&mut self.transcript, TranscriptHash::new(suite().hash));
        let (mut transcript, _) = transcript.replace_client_hello1_with_message_hash();
        transcript.add(msg.encoded());
        let out = self.client.pending_tls().to_vec();
        self.client.consume_tls(out.len());
        let (_, ch2) = split_records(&out)
            .into_iter()
            .find(|(h, _)| h[0] == HANDSHAKE)
            .expect("no second ClientHello");
        transcript.add(&ch2);
        self.transcript = transcript;
        self.hello = Self::client_hello(&ch2);
        Ok(())
    }

    pub fn retry(&mut self) -> Result<(), Error> {
        self.retry_with(|_| {})
    }

    // ---- the encrypted flight -------------------------------------------

    pub fn encrypted_extensions(&mut self, exts: Vec<Extension>) -> Result<(), Error> {
        self.handshake(HandshakePayload::EncryptedExtensions(EncryptedExtensions {
            extensions: Extensions(exts),
        }))
    }

    pub fn ee(&mut self) -> Result<(), Error> {
        self.encrypted_extensions(vec![])
    }

    pub fn certificate_payload(&self) -> HandshakePayload {
        HandshakePayload::CertificateTls13(CertificateTls13 {
            context: Bytes(vec![]),
            entries: self
                .key
                .chain()
                .iter()
                .map(|c| CertificateEntry {
                    cert_data: Bytes(c.as_ref().to_vec()),
                    extensions: Extensions::default(),
                })
                .collect(),
        })
    }

    pub fn certificate(&mut self) -> Result<(), Error> {
        let payload = self.certificate_payload();
        self.handshake(payload)
    }

    /// A CertificateVerify (RFC 8446 §4.4.3) signed with `sign_as`,
    /// labelled `claim`, its signature's last bytes flipped if `corrupt`.
    pub fn certificate_verify_as(
        &mut self,
        sign_as: SignatureScheme,
        claim: SignatureScheme,
        corrupt: bool,
    ) -> Result<(), Error> {
        let content =
            tls13_certificate_verify_content(Signer::Server, self.transcript.current().as_ref());
        let mut signature = self
            .key
            .key()
            .sign(sign_as, &content, &SystemRandom)
            .unwrap();
        if corrupt {
            let at = signature.len() - 3;
            signature[at] ^= 1;
        }
        self.handshake(HandshakePayload::CertificateVerify(DigitallySigned {
            scheme: claim,
            signature: Bytes(signature),
        }))
    }

    pub fn certificate_verify(&mut self) -> Result<(), Error> {
        let scheme = self.key.key().schemes()[0];
        self.certificate_verify_as(scheme, scheme, false)
    }

    pub fn finished_payload(&self, corrupt: bool) -> HandshakePayload {
        let mut verify_data = self
            .server_hs
            .as_ref()
            .unwrap()
            .finished_key()
            .unwrap()
            .verify_data(&self.transcript.current())
            .as_ref()
            .to_vec();
        if corrupt {
            verify_data[0] ^= 1;
        }
        HandshakePayload::Finished(Finished {
            verify_data: Bytes(verify_data),
        })
    }

    /// The server Finished (RFC 8446 §4.4.4); then both directions move to
    /// the application keys (§7.1).
    pub fn finished_with(&mut self, corrupt: bool) -> Result<(), Error> {
        let payload = self.finished_payload(corrupt);
        let m = self.message(payload);
        let hash = self.transcript.current();
        let master = self.secret.take().unwrap().into_master_secret().unwrap();
        let server_app = master.server_application_traffic_secret(&hash).unwrap();
        let client_app = master.client_application_traffic_secret(&hash).unwrap();
        let bytes = self.sealed(ContentType::Handshake, &m);
        self.send = Some(cipher(server_app.traffic_keys(key_len()).unwrap()));
        self.read_next = Some(cipher(client_app.traffic_keys(key_len()).unwrap()));
        self.server_app = Some(server_app);
        self.feed(&bytes)
    }

    pub fn finished(&mut self) -> Result<(), Error> {
        self.finished_with(false)
    }

    /// ServerHello through Finished, all correct.
    pub fn flight(&mut self) -> Result<(), Error> {
        self.hello()?;
        self.ee()?;
        self.certificate()?;
        self.certificate_verify()?;
        self.finished()
    }

    /// A KeyUpdate under the current application keys; the server's next
    /// records use the next generation (RFC 8446 §7.2).
    pub fn send_key_update(&mut self, request: u8) -> Result<(), Error> {
        self.seal(ContentType::Handshake, &key_update(request))?;
        let next = self.server_app.as_ref().unwrap().next().unwrap();
        self.send = Some(cipher(next.traffic_keys(key_len()).unwrap()));
        self.server_app = Some(next);
        Ok(())
    }

    // ---- what the client sent -------------------------------------------

    /// Takes the client's output and opens it: (content type, plaintext)
    /// per record, compatibility ChangeCipherSpecs included.
    pub fn drain(&mut self) -> Vec<(ContentType, Vec<u8>)> {
        let out = self.client.pending_tls().to_vec();
        self.client.consume_tls(out.len());
        let mut records = Vec::new();
        for (header, mut payload) in split_records(&out) {
            if header[0] != APPLICATION_DATA {
                records.push((ContentType::from_wire(header[0]), payload));
                continue;
            }
            let opened = self
                .read
                .as_mut()
                .expect("protected record before keys")
                .open(&header, &mut payload)
                .unwrap();
            let plain = payload[opened.plaintext].to_vec();
            if opened.typ == ContentType::Handshake && plain.first() == Some(&20) {
                // The client's Finished (alone in its record: no client
                // authentication here): it sends under its application
                // keys next.
                self.read = self.read_next.take();
            }
            records.push((opened.typ, plain));
        }
        records
    }
}

/// One misbehaving server: what it does, and the alert the client must
/// send (`None`: the server's own fatal alert ends the connection and the
/// client sends nothing back).
pub struct Case {
    pub name: &'static str,
    pub setup: Setup,
    pub script: fn(&mut ScriptedServer) -> Result<(), Error>,
    pub alert: Option<AlertDescription>,
}

/// A case with the default [`Setup`].
pub fn case(
    name: &'static str,
    script: fn(&mut ScriptedServer) -> Result<(), Error>,
    alert: AlertDescription,
) -> Case {
    Case {
        name,
        setup: Setup::default(),
        script,
        alert: Some(alert),
    }
}

/// A case with its own [`Setup`].
pub fn case_with(
    name: &'static str,
    setup: Setup,
    script: fn(&mut ScriptedServer) -> Result<(), Error>,
    alert: AlertDescription,
) -> Case {
    Case {
        name,
        setup,
        script,
        alert: Some(alert),
    }
}

/// Runs `case` and checks the client's one fatal alert, then that the
/// connection is over: more input is refused, nothing more is sent, no
/// data can be written.
pub fn run(case: &Case) {
    let name = case.name;
    let mut s = ScriptedServer::new(&case.setup);
    let result = (case.script)(&mut s);
    let err = match result {
        Ok(()) => panic!("{name}: the client went on"),
        Err(e) => e,
    };
    let sent = s.drain();
    let alerts: Vec<&Vec<u8>> = sent
        .iter()
        .filter(|(t, _)| *t == ContentType::Alert)
        .map(|(_, body)| body)
        .collect();
    match case.alert {
        Some(want) => {
            assert_eq!(
                alerts,
                [&vec![2, want.to_wire()]],
                "{name}: want one fatal {want}; error {err:?}, sent {sent:?}"
            );
            let (last, _) = sent.last().unwrap();
            assert_eq!(*last, ContentType::Alert, "{name}: sent after the alert");
            assert_eq!(err.alert(), Some(want), "{name}: {err:?}");
        }
        None => {
            assert!(alerts.is_empty(), "{name}: answered an alert: {sent:?}");
            assert!(
                matches!(err, Error::AlertReceived(_)),
                "{name}: {err:?} is not AlertReceived"
            );
        }
    }
    assert!(s.client.error().is_some(), "{name}: no error kept");
    assert!(
        s.client.write_plaintext(b"data").is_err(),
        "{name}: took data"
    );
    assert!(
        s.feed(&record(APPLICATION_DATA, &[0; 32])).is_err(),
        "{name}: recovered"
    );
    assert!(s.client.pending_tls().is_empty(), "{name}: sent more");
}
