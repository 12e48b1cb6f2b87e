//! TLS 1.2 peers played by the test, to misbehave against the ferrotls
//! client and server: each follows RFC 5246 §7.3-§7.4 with ferrotls's own
//! `msgs`, `keys::tls12`, `crypto` and `record::protect` modules, so every
//! bad flight is built, signed and encrypted as a real peer's would be,
//! and what the ferrotls side answers (its alert, under whatever keys it
//! is sent) is decrypted and read back.
//!
//! This file holds the server (and what both share); the client is in
//! `scripted_tls12_client.rs`. Both peers use
//! TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with x25519 and the extended
//! master secret unless a case changes it.

use std::sync::Arc;

use crate::pki::{Identity, KeyType, Pki, SERVER_NAME};
use ferrotls::auth::{provider_key, CertifiedKey, RootStore, ServerCertVerifier, SigningKey};
use ferrotls::codec::Bytes;
use ferrotls::config::ClientConfig;
use ferrotls::crypto::aead::AeadAlgorithm;
use ferrotls::crypto::hash::HashAlgorithm;
use ferrotls::crypto::kx::{ActiveKeyExchange, KxGroup};
use ferrotls::crypto::rand::SystemRandom;
use ferrotls::keys::tls12::{KeyBlockLayout, MasterSecret};
use ferrotls::msgs::certificate::CertificateTls12;
use ferrotls::msgs::certificate_verify::DigitallySigned;
use ferrotls::msgs::client_hello::ClientHello;
use ferrotls::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, EcPointFormat, ProtocolVersion,
    SignatureScheme,
};
use ferrotls::msgs::extensions::{Extension, Extensions};
use ferrotls::msgs::finished::Finished;
use ferrotls::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use ferrotls::msgs::key_exchange::{
    ClientKeyExchange, KeyExchangeKind, ServerEcdhParams, ServerKeyExchange,
    ServerKeyExchangeParams,
};
use ferrotls::msgs::server_hello::ServerHello;
use ferrotls::record::protect::RecordCipher;
use ferrotls::{ClientConnection, Error};
use rustls_pki_types::ServerName as PkiServerName;

pub use crate::scripted_server::{raw_message, record, split_records};

pub const SUITE: CipherSuite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
pub const HANDSHAKE: u8 = 22;
pub const CCS: u8 = 20;
pub const ALERT: u8 = 21;
pub const APPLICATION_DATA: u8 = 23;

pub(crate) fn sha256(bytes: &[u8]) -> ferrotls::crypto::hash::HashOutput {
    let mut h = HashAlgorithm::Sha256.start();
    h.update(bytes);
    h.finish()
}

/// Client and server record ciphers for AES-128-GCM from `master`.
pub(crate) fn ciphers(
    master: &MasterSecret,
    cr: &[u8; 32],
    sr: &[u8; 32],
) -> (RecordCipher, RecordCipher) {
    let kb = master.key_block(KeyBlockLayout::AES_128_GCM, cr, sr);
    let c = RecordCipher::tls12(
        AeadAlgorithm::Aes128Gcm,
        kb.client_write_key(),
        kb.client_write_iv(),
    );
    let s = RecordCipher::tls12(
        AeadAlgorithm::Aes128Gcm,
        kb.server_write_key(),
        kb.server_write_iv(),
    );
    (c.unwrap(), s.unwrap())
}

/// The handshake messages (whole, with headers) in a run of plaintext
/// handshake record bodies.
pub(crate) fn messages(bodies: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let joined: Vec<u8> = bodies.concat();
    let mut out = Vec::new();
    let mut rest = &joined[..];
    while rest.len() >= 4 {
        let len =
            4 + (usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]));
        out.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    out
}

/// Opens what a ferrotls endpoint sent: (content type, plaintext) per
/// record. Records after its ChangeCipherSpec are opened with `read`.
pub(crate) fn open_all(
    out: &[u8],
    encrypted: &mut bool,
    read: &mut Option<RecordCipher>,
) -> Vec<(ContentType, Vec<u8>)> {
    let mut records = Vec::new();
    for (header, mut payload) in split_records(out) {
        let typ = ContentType::from_wire(header[0]);
        if !*encrypted || typ == ContentType::ChangeCipherSpec {
            if typ == ContentType::ChangeCipherSpec {
                *encrypted = true;
            }
            records.push((typ, payload));
            continue;
        }
        let cipher = read.as_mut().expect("protected record before keys");
        let opened = cipher.open(&header, &mut payload).unwrap();
        records.push((opened.typ, payload[opened.plaintext].to_vec()));
    }
    records
}

// ---- a scripted server against the ferrotls client ------------------------

/// What a server case changes in the client's configuration or the
/// server's certificate.
pub struct ServerSetup {
    pub identity: &'static Identity,
    pub config: fn(&mut ClientConfig),
}

impl Default for ServerSetup {
    fn default() -> Self {
        Self {
            identity: Pki::get().server(KeyType::EcdsaP256),
            config: |_| {},
        }
    }
}

/// The client configuration of `setup`: TLS 1.3 and 1.2, trusting the
/// test PKI.
pub fn client_config(setup: &ServerSetup) -> ClientConfig {
    let mut roots = RootStore::empty();
    roots.add_all(&Pki::get().roots()).unwrap();
    let mut config = ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(roots))));
    config.policy.versions = vec![ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];
    (setup.config)(&mut config);
    config
}

/// A TLS 1.2 server played by the test, one message at a time.
pub struct ScriptedServer12 {
    pub client: ClientConnection,
    pub hello: ClientHello,
    pub transcript: Vec<u8>,
    pub server_random: [u8; 32],
    pub key: CertifiedKey,
    /// Signs the ServerKeyExchange instead of the certificate's key.
    pub signer: Option<Arc<dyn SigningKey>>,
    kx: Option<ActiveKeyExchange>,
    pub send: Option<RecordCipher>,
    read: Option<RecordCipher>,
    client_encrypted: bool,
    master: Option<MasterSecret>,
}

impl ScriptedServer12 {
    /// A ferrotls client (TLS 1.3 and 1.2) for [`SERVER_NAME`] trusting
    /// the test PKI; its ClientHello is read.
    pub fn new(setup: &ServerSetup) -> Self {
        Self::with_config(Arc::new(client_config(setup)), setup.identity)
    }

    /// A client of `config` (shared, e.g. for its session store) against
    /// a server with `identity`.
    pub fn with_config(config: Arc<ClientConfig>, identity: &'static Identity) -> Self {
        let mut client =
            ClientConnection::new(config, PkiServerName::try_from(SERVER_NAME).unwrap()).unwrap();
        let out = client.pending_tls().to_vec();
        client.consume_tls(out.len());
        let (_, ch) = split_records(&out).remove(0);
        let msg = HandshakeMessage::from_bytes(&ch, DecodeContext::Hello).unwrap();
        let HandshakePayload::ClientHello(hello) = msg.into_payload() else {
            panic!("not a ClientHello")
        };
        let id = identity;
        let key = CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap();
        let mut server_random = [0x52; 32];
        server_random[0] = 1;
        Self {
            client,
            hello,
            transcript: ch,
            server_random,
            key,
            signer: None,
            kx: None,
            send: None,
            read: None,
            client_encrypted: false,
            master: None,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.client.feed_tls(bytes);
        self.client.process_new_packets()
    }

    pub fn plain(&mut self, typ: u8, body: &[u8]) -> Result<(), Error> {
        self.feed(&record(typ, body))
    }

    pub fn ccs(&mut self) -> Result<(), Error> {
        self.plain(CCS, &[1])
    }

    /// Encodes a handshake message and adds it to the transcript.
    pub fn message(&mut self, payload: HandshakePayload) -> Vec<u8> {
        let msg = HandshakeMessage::new(payload);
        self.transcript.extend_from_slice(msg.encoded());
        msg.encoded().to_vec()
    }

    /// One handshake message in a plaintext record.
    pub fn handshake(&mut self, payload: HandshakePayload) -> Result<(), Error> {
        let m = self.message(payload);
        self.plain(HANDSHAKE, &m)
    }

    /// A protected record under the server's write keys.
    pub fn seal(&mut self, typ: ContentType, content: &[u8]) -> Result<(), Error> {
        let mut out = Vec::new();
        self.send
            .as_mut()
            .expect("no keys yet")
            .seal(typ, content, &mut out)
            .unwrap();
        self.feed(&out)
    }

    pub fn server_hello_payload(&self, f: impl FnOnce(&mut ServerHello)) -> ServerHello {
        let mut sh = ServerHello {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: self.server_random,
            legacy_session_id_echo: Bytes(vec![0x5e; 32]),
            cipher_suite: SUITE,
            legacy_compression_method: CompressionMethod::Null,
            extensions: Some(Extensions(vec![
                Extension::RenegotiationInfo(Bytes(Vec::new())),
                Extension::ExtendedMasterSecret,
                Extension::EcPointFormats(vec![EcPointFormat::Uncompressed]),
            ])),
        };
        f(&mut sh);
        sh
    }

    pub fn hello_with(&mut self, f: impl FnOnce(&mut ServerHello)) -> Result<(), Error> {
        let sh = self.server_hello_payload(f);
        self.server_random = sh.random;
        self.handshake(HandshakePayload::ServerHello(sh))
    }

    pub fn hello(&mut self) -> Result<(), Error> {
        self.hello_with(|_| {})
    }

    pub fn certificate_chain(&mut self, chain: Vec<Bytes>) -> Result<(), Error> {
        self.handshake(HandshakePayload::CertificateTls12(CertificateTls12 {
            chain,
        }))
    }

    pub fn certificate(&mut self) -> Result<(), Error> {
        let chain = self
            .key
            .chain()
            .iter()
            .map(|c| Bytes(c.as_ref().to_vec()))
            .collect();
        self.certificate_chain(chain)
    }

    /// An ECDHE ServerKeyExchange (RFC 8422 §5.4) for `group`: `params`
    /// changes the parameters before they are signed with `sign_as`,
    /// labelled `claim`; `corrupt` flips a signature bit.
    pub fn key_exchange_with(
        &mut self,
        group: KxGroup,
        params: impl FnOnce(&mut ServerEcdhParams),
        sign_as: SignatureScheme,
        claim: SignatureScheme,
        corrupt: bool,
    ) -> Result<(), Error> {
        let kx = group.start(&SystemRandom).unwrap();
        let mut ecdh = ServerEcdhParams {
            group: group.named_group(),
            public: Bytes(kx.public_share().to_vec()),
        };
        params(&mut ecdh);
        self.kx = Some(kx);
        self.signed_key_exchange(
            ServerKeyExchangeParams::Ecdhe(ecdh),
            sign_as,
            claim,
            corrupt,
        )
    }

    /// Signs `params` (RFC 5246 §7.4.3: client_random + server_random +
    /// params) and sends the ServerKeyExchange.
    pub fn signed_key_exchange(
        &mut self,
        params: ServerKeyExchangeParams,
        sign_as: SignatureScheme,
        claim: SignatureScheme,
        corrupt: bool,
    ) -> Result<(), Error> {
        let mut signed = Vec::new();
        signed.extend_from_slice(&self.hello.random);
        signed.extend_from_slice(&self.server_random);
        signed.extend_from_slice(&params.to_bytes());
        let signer = match &self.signer {
            Some(k) => k.as_ref(),
            None => self.key.key(),
        };
        let mut signature = signer.sign(sign_as, &signed, &SystemRandom).unwrap();
        if corrupt {
            let at = signature.len() - 3;
            signature[at] ^= 1;
        }
        let ske = ServerKeyExchange::new(
            params,
            DigitallySigned {
                scheme: claim,
                signature: Bytes(signature),
            },
        );
        self.handshake(HandshakePayload::ServerKeyExchange(ske))
    }

    pub fn key_exchange(&mut self) -> Result<(), Error> {
        let scheme = SignatureScheme::EcdsaSecp256r1Sha256;
        self.key_exchange_with(KxGroup::X25519, |_| {}, scheme, scheme, false)
    }

    pub fn done(&mut self) -> Result<(), Error> {
        self.handshake(HandshakePayload::ServerHelloDone)
    }

    /// ServerHello through ServerHelloDone, all correct.
    pub fn first_flight(&mut self) -> Result<(), Error> {
        self.hello()?;
        self.certificate()?;
        self.key_exchange()?;
        self.done()
    }

    /// Reads the client's ClientKeyExchange, ChangeCipherSpec and
    /// Finished; derives both directions' keys (extended master secret).
    pub fn read_client_flight(&mut self) {
        let out = self.client.pending_tls().to_vec();
        self.client.consume_tls(out.len());
        let recs = split_records(&out);
        let cke = &recs[0].1;
        let msg = HandshakeMessage::from_bytes(
            cke,
            DecodeContext::Tls12 {
                kx: KeyExchangeKind::Ecdhe,
            },
        )
        .unwrap();
        let HandshakePayload::ClientKeyExchange(ClientKeyExchange::Ecdhe { public }) =
            msg.payload()
        else {
            panic!("not an ECDHE ClientKeyExchange")
        };
        self.transcript.extend_from_slice(cke);
        let pms = self.kx.take().unwrap().complete_tls12(&public.0).unwrap();
        let master = MasterSecret::extended(
            HashAlgorithm::Sha256,
            pms.expose(),
            &sha256(&self.transcript),
        );
        let (mut read, send) = ciphers(&master, &self.hello.random, &self.server_random);
        assert_eq!(recs[1].0[0], CCS);
        let (header, mut sealed) = recs[2].clone();
        let opened = read.open(&header, &mut sealed).unwrap();
        self.transcript.extend_from_slice(&sealed[opened.plaintext]);
        self.read = Some(read);
        self.send = Some(send);
        self.client_encrypted = true;
        self.master = Some(master);
    }

    /// The server's Finished, protected; `corrupt` flips a bit.
    pub fn finished_with(&mut self, corrupt: bool) -> Result<(), Error> {
        let master = self.master.as_ref().unwrap();
        let mut verify_data = master
            .server_verify_data(&sha256(&self.transcript))
            .to_vec();
        if corrupt {
            verify_data[0] ^= 1;
        }
        let fin = HandshakeMessage::new(HandshakePayload::Finished(Finished {
            verify_data: Bytes(verify_data),
        }));
        self.seal(ContentType::Handshake, fin.encoded())
    }

    pub fn finished(&mut self) -> Result<(), Error> {
        self.finished_with(false)
    }

    /// The whole handshake, correct.
    pub fn full(&mut self) -> Result<(), Error> {
        self.first_flight()?;
        self.read_client_flight();
        self.ccs()?;
        self.finished()
    }

    /// What the client sent since the last read, opened.
    pub fn drain(&mut self) -> Vec<(ContentType, Vec<u8>)> {
        let out = self.client.pending_tls().to_vec();
        self.client.consume_tls(out.len());
        open_all(&out, &mut self.client_encrypted, &mut self.read)
    }
}

/// One misbehaving server and the alert the client must send.
pub struct ServerCase {
    pub name: &'static str,
    pub setup: ServerSetup,
    pub script: fn(&mut ScriptedServer12) -> Result<(), Error>,
    pub alert: AlertDescription,
}

/// Checks that `sent` holds exactly one alert, fatal `want`, and that it
/// is the last record.
pub(crate) fn check_alert(
    name: &str,
    sent: &[(ContentType, Vec<u8>)],
    err: &Error,
    want: AlertDescription,
) {
    let alerts: Vec<&Vec<u8>> = sent
        .iter()
        .filter(|(t, _)| *t == ContentType::Alert)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(
        alerts,
        [&vec![2, want.to_wire()]],
        "{name}: want one fatal {want}; error {err:?}, sent {sent:?}"
    );
    assert_eq!(
        sent.last().unwrap().0,
        ContentType::Alert,
        "{name}: sent after the alert"
    );
    assert_eq!(err.alert(), Some(want), "{name}: {err:?}");
}

/// Runs a server case: the client's one fatal alert, then a connection
/// that refuses more input, sends nothing more and takes no data.
pub fn run_server_case(case: &ServerCase) {
    let name = case.name;
    let mut s = ScriptedServer12::new(&case.setup);
    let err = match (case.script)(&mut s) {
        Ok(()) => panic!("{name}: the client went on"),
        Err(e) => e,
    };
    let sent = s.drain();
    check_alert(name, &sent, &err, case.alert);
    assert!(s.client.error().is_some(), "{name}: no error kept");
    assert!(
        s.client.write_plaintext(b"data").is_err(),
        "{name}: took data"
    );
    assert!(
        s.plain(APPLICATION_DATA, &[0; 32]).is_err(),
        "{name}: recovered"
    );
    assert!(s.client.pending_tls().is_empty(), "{name}: sent more");
}

/// Runs every case (`run`), then reports all the failing rows at once,
/// each under its `name`.
pub fn run_all<C>(cases: &[C], run: fn(&C), name: fn(&C) -> &'static str) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(c)))
                .err()
                .map(|e| {
                    let why = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    format!("[{}] {why}", name(c))
                })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
