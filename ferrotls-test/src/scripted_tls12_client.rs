//! A TLS 1.2 client played by the test, to misbehave against the ferrotls
//! server (RFC 5246 §7.3-§7.4 with ferrotls's own `msgs`, `keys::tls12`,
//! `crypto` and `record::protect`): it offers
//! TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with x25519 and P-256, the
//! extended master secret and renegotiation_info, reads the server's
//! flight, and sends what each case says; the server's answer is opened
//! whatever keys it is sent under.

use std::sync::Arc;

use crate::pki::{Identity, KeyType, Pki};
use crate::scripted_server::{record, split_records};
use crate::scripted_tls12::{
    check_alert, ciphers, messages, open_all, sha256, APPLICATION_DATA, CCS, HANDSHAKE, SUITE,
};
use ferrotls::auth::{
    provider_key, CertifiedKey, ClientCertVerifier, RootStore, ServerCertResolver,
};
use ferrotls::codec::Bytes;
use ferrotls::config::ServerConfig;
use ferrotls::crypto::hash::HashAlgorithm;
use ferrotls::crypto::kx::rsa::RsaDecryptingKey;
use ferrotls::crypto::kx::KxGroup;
use ferrotls::crypto::rand::SystemRandom;
use ferrotls::keys::tls12::MasterSecret;
use ferrotls::msgs::certificate::CertificateTls12;
use ferrotls::msgs::certificate_verify::DigitallySigned;
use ferrotls::msgs::client_hello::ClientHello;
use ferrotls::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, EcPointFormat, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use ferrotls::msgs::extensions::{Extension, Extensions};
use ferrotls::msgs::finished::Finished;
use ferrotls::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use ferrotls::msgs::key_exchange::{
    ClientKeyExchange, KeyExchangeKind, ServerDhParams, ServerKeyExchangeParams,
};
use ferrotls::record::protect::RecordCipher;
use ferrotls::server::StaticRsaKey;
use ferrotls::{Error, ServerConnection};

/// A server with TLS 1.3 and 1.2 and an ECDSA P-256 certificate, changed
/// by a case.
pub fn server_config(config: fn(&mut ServerConfig)) -> ServerConfig {
    let id = Pki::get().server(KeyType::EcdsaP256);
    let certified =
        CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap();
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(Arc::new(certified));
    let mut c = ServerConfig::new(Arc::new(resolver));
    config(&mut c);
    c
}

/// A TLS 1.2 client played by the test, one message at a time.
pub struct ScriptedClient12 {
    pub server: ServerConnection,
    pub client_random: [u8; 32],
    pub server_random: [u8; 32],
    pub transcript: Vec<u8>,
    /// The server's ECDHE share, from its ServerKeyExchange.
    pub server_share: Vec<u8>,
    pub server_group: Option<NamedGroup>,
    /// The server's DHE parameters, from its ServerKeyExchange.
    pub dh: Option<ServerDhParams>,
    /// The types of the server's first-flight messages.
    pub flight: Vec<u8>,
    pub send: Option<RecordCipher>,
    read: Option<RecordCipher>,
    server_encrypted: bool,
    master: Option<MasterSecret>,
}

impl ScriptedClient12 {
    pub fn new(config: fn(&mut ServerConfig)) -> Self {
        let server = ServerConnection::new(Arc::new(server_config(config))).unwrap();
        Self {
            server,
            client_random: [0x43; 32],
            server_random: [0; 32],
            transcript: Vec::new(),
            server_share: Vec::new(),
            server_group: None,
            dh: None,
            flight: Vec::new(),
            send: None,
            read: None,
            server_encrypted: false,
            master: None,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.server.feed_tls(bytes);
        self.server.process_new_packets()
    }

    pub fn plain(&mut self, typ: u8, body: &[u8]) -> Result<(), Error> {
        self.feed(&record(typ, body))
    }

    pub fn ccs(&mut self) -> Result<(), Error> {
        self.plain(CCS, &[1])
    }

    pub fn handshake(&mut self, payload: HandshakePayload) -> Result<(), Error> {
        let msg = HandshakeMessage::new(payload);
        self.transcript.extend_from_slice(msg.encoded());
        self.plain(HANDSHAKE, msg.encoded())
    }

    pub fn seal(&mut self, typ: ContentType, content: &[u8]) -> Result<(), Error> {
        let mut out = Vec::new();
        self.send
            .as_mut()
            .expect("no keys yet")
            .seal(typ, content, &mut out)
            .unwrap();
        self.feed(&out)
    }

    /// A TLS 1.2-only ClientHello offering [`SUITE`], x25519, EMS and the
    /// renegotiation_info extension, changed by `f`.
    pub fn hello_payload(&self, f: impl FnOnce(&mut ClientHello)) -> ClientHello {
        let mut ch = ClientHello {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: self.client_random,
            legacy_session_id: Bytes(vec![]),
            cipher_suites: vec![SUITE],
            legacy_compression_methods: vec![CompressionMethod::Null],
            extensions: Some(Extensions(vec![
                Extension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::Secp256r1]),
                Extension::EcPointFormats(vec![EcPointFormat::Uncompressed]),
                Extension::SignatureAlgorithms(vec![SignatureScheme::EcdsaSecp256r1Sha256]),
                Extension::RenegotiationInfo(Bytes(Vec::new())),
                Extension::ExtendedMasterSecret,
            ])),
        };
        f(&mut ch);
        ch
    }

    /// Sends the ClientHello and reads the server's flight.
    pub fn hello_with(&mut self, f: impl FnOnce(&mut ClientHello)) -> Result<(), Error> {
        let ch = self.hello_payload(f);
        self.handshake(HandshakePayload::ClientHello(ch))?;
        self.read_server_flight();
        Ok(())
    }

    pub fn hello(&mut self) -> Result<(), Error> {
        self.hello_with(|_| {})
    }

    fn read_server_flight(&mut self) {
        let out = self.server.pending_tls().to_vec();
        self.server.consume_tls(out.len());
        let bodies: Vec<Vec<u8>> = split_records(&out)
            .into_iter()
            .filter(|(h, _)| h[0] == HANDSHAKE)
            .map(|(_, b)| b)
            .collect();
        for m in messages(&bodies) {
            self.transcript.extend_from_slice(&m);
            self.flight.push(m[0]);
            match m[0] {
                2 => self.server_random.copy_from_slice(&m[6..38]),
                12 => {
                    // ECParameters start with curve_type named_curve (3);
                    // ServerDHParams with the length of dh_p.
                    let kx = if m.get(4) == Some(&3) {
                        KeyExchangeKind::Ecdhe
                    } else {
                        KeyExchangeKind::Dhe
                    };
                    let Ok(msg) = HandshakeMessage::from_bytes(&m, DecodeContext::Tls12 { kx })
                    else {
                        continue;
                    };
                    if let HandshakePayload::ServerKeyExchange(ske) = msg.payload() {
                        match ske.params() {
                            ServerKeyExchangeParams::Ecdhe(p) => {
                                self.server_share = p.public.0.clone();
                                self.server_group = Some(p.group);
                            }
                            ServerKeyExchangeParams::Dhe(p) => self.dh = Some(p.clone()),
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// A ClientKeyExchange with `public` as its ECDHE share.
    pub fn key_exchange_raw(&mut self, public: Vec<u8>) -> Result<(), Error> {
        self.handshake(HandshakePayload::ClientKeyExchange(
            ClientKeyExchange::Ecdhe {
                public: Bytes(public),
            },
        ))
    }

    /// A correct ClientKeyExchange; derives both directions' keys.
    pub fn key_exchange(&mut self) -> Result<(), Error> {
        let group = KxGroup::from_named_group(self.server_group.unwrap()).unwrap();
        let kx = group.start(&SystemRandom).unwrap();
        let public = kx.public_share().to_vec();
        let result = self.key_exchange_raw(public);
        let pms = kx.complete_tls12(&self.server_share).unwrap();
        self.derive(pms.expose());
        result
    }

    /// Both directions' keys from `premaster` (extended master secret
    /// over the transcript so far, RFC 7627 §4).
    pub fn derive(&mut self, premaster: &[u8]) {
        let master =
            MasterSecret::extended(HashAlgorithm::Sha256, premaster, &sha256(&self.transcript));
        let (send, read) = ciphers(&master, &self.client_random, &self.server_random);
        self.send = Some(send);
        self.read = Some(read);
        self.master = Some(master);
    }

    /// The client's Finished, protected; `corrupt` flips a bit.
    pub fn finished_with(&mut self, corrupt: bool) -> Result<(), Error> {
        let mut verify_data = self
            .master
            .as_ref()
            .unwrap()
            .client_verify_data(&sha256(&self.transcript))
            .to_vec();
        if corrupt {
            verify_data[0] ^= 1;
        }
        let fin = HandshakeMessage::new(HandshakePayload::Finished(Finished {
            verify_data: Bytes(verify_data),
        }));
        self.transcript.extend_from_slice(fin.encoded());
        self.seal(ContentType::Handshake, fin.encoded())
    }

    pub fn finished(&mut self) -> Result<(), Error> {
        self.finished_with(false)
    }

    /// The whole handshake, correct.
    pub fn full(&mut self) -> Result<(), Error> {
        self.hello()?;
        self.key_exchange()?;
        self.ccs()?;
        self.finished()
    }

    /// What the server sent since the last read, opened.
    pub fn drain(&mut self) -> Vec<(ContentType, Vec<u8>)> {
        let out = self.server.pending_tls().to_vec();
        self.server.consume_tls(out.len());
        open_all(&out, &mut self.server_encrypted, &mut self.read)
    }
}

// ---- what several cases share ----------------------------------------------

pub const DHE_SUITE: CipherSuite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;
pub const RSA_SUITE: CipherSuite = CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256;
const ECDSA: SignatureScheme = SignatureScheme::EcdsaSecp256r1Sha256;

/// A test PKI identity as a certified key.
pub fn certified(id: &Identity) -> Arc<CertifiedKey> {
    Arc::new(CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap())
}

/// Client certificates from the test PKI: required.
pub fn require_client_cert(c: &mut ServerConfig) {
    let mut roots = RootStore::empty();
    roots.add_all(&Pki::get().roots()).unwrap();
    c.client_verifier = Some(Arc::new(ClientCertVerifier::new(Arc::new(roots))));
}

/// Client certificates from the test PKI: asked for, not required.
pub fn optional_client_cert(c: &mut ServerConfig) {
    let mut roots = RootStore::empty();
    roots.add_all(&Pki::get().roots()).unwrap();
    let verifier = ClientCertVerifier::new(Arc::new(roots)).allow_anonymous(true);
    c.client_verifier = Some(Arc::new(verifier));
}

/// The PKI client's ECDSA P-256 chain, as a Certificate carries it.
pub fn client_chain() -> Vec<Bytes> {
    Pki::get()
        .client(KeyType::EcdsaP256)
        .chain()
        .iter()
        .map(|c| Bytes(c.as_ref().to_vec()))
        .collect()
}

/// A client Certificate (RFC 5246 §7.4.6) carrying `chain`.
pub fn client_certificate(c: &mut ScriptedClient12, chain: Vec<Bytes>) -> Result<(), Error> {
    c.handshake(HandshakePayload::CertificateTls12(CertificateTls12 {
        chain,
    }))
}

/// A CertificateVerify over the transcript so far (RFC 5246 §7.4.8),
/// signed with the PKI client key; `corrupt` flips a signature bit.
pub fn certificate_verify(c: &mut ScriptedClient12, corrupt: bool) -> Result<(), Error> {
    let key = provider_key(&Pki::get().client(KeyType::EcdsaP256).private_key()).unwrap();
    let mut signature = key.sign(ECDSA, &c.transcript, &SystemRandom).unwrap();
    if corrupt {
        let at = signature.len() - 3;
        signature[at] ^= 1;
    }
    c.handshake(HandshakePayload::CertificateVerify(DigitallySigned {
        scheme: ECDSA,
        signature: Bytes(signature),
    }))
}

/// The server also offers TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, with an
/// RSA certificate.
pub fn dhe_server(c: &mut ServerConfig) {
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(certified(Pki::get().server(KeyType::Rsa2048)));
    c.certificates = Arc::new(resolver);
    c.policy.cipher_suites.push(DHE_SUITE);
}

/// A DHE ClientHello, then a ClientKeyExchange with dh_Yc = `yc(p)`.
pub fn dhe_client(c: &mut ScriptedClient12, yc: fn(&[u8]) -> Vec<u8>) -> Result<(), Error> {
    c.hello_with(|ch| {
        ch.cipher_suites = vec![DHE_SUITE];
        ch.extensions.as_mut().unwrap().0[0] =
            Extension::SupportedGroups(vec![NamedGroup::Ffdhe2048]);
        ch.extensions.as_mut().unwrap().0[2] =
            Extension::SignatureAlgorithms(vec![SignatureScheme::RsaPssRsaeSha256]);
    })?;
    let p = c.dh.as_ref().expect("no DHE parameters").p.0.clone();
    c.handshake(HandshakePayload::ClientKeyExchange(
        ClientKeyExchange::Dhe {
            public: Bytes(yc(&p)),
        },
    ))
}

/// The server also offers static RSA key transport
/// (TLS_RSA_WITH_AES_128_GCM_SHA256) with its RSA key.
pub fn static_rsa_server(c: &mut ServerConfig) {
    let id = Pki::get().server(KeyType::Rsa2048);
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(certified(id));
    c.certificates = Arc::new(resolver);
    c.policy.cipher_suites.push(RSA_SUITE);
    c.static_rsa = Some(Arc::new(StaticRsaKey {
        certified: certified(id),
        decrypter: RsaDecryptingKey::from_pkcs8_der(id.private_key().secret_der()).unwrap(),
    }));
}

/// A static RSA handshake (RFC 5246 §7.4.7.1) whose ClientKeyExchange
/// carries `encrypted`, then ChangeCipherSpec and a Finished under keys
/// from `premaster` (what the client believes it sent); `corrupt` flips a
/// bit of verify_data.
pub fn static_rsa(
    c: &mut ScriptedClient12,
    encrypted: Vec<u8>,
    premaster: &[u8],
    corrupt: bool,
) -> Result<(), Error> {
    c.hello_with(|ch| {
        ch.cipher_suites = vec![RSA_SUITE];
        ch.extensions.as_mut().unwrap().0[2] =
            Extension::SignatureAlgorithms(vec![SignatureScheme::RsaPssRsaeSha256]);
    })?;
    c.handshake(HandshakePayload::ClientKeyExchange(
        ClientKeyExchange::Rsa {
            encrypted_pre_master_secret: Bytes(encrypted),
        },
    ))?;
    c.derive(premaster);
    c.ccs()?;
    c.finished_with(corrupt)
}

/// The SubjectPublicKeyInfo of the PKI's RSA server key, to encrypt a
/// premaster secret to.
pub fn server_spki() -> Vec<u8> {
    use rcgen::PublicKeyData;
    let id = Pki::get().server(KeyType::Rsa2048);
    rcgen::KeyPair::try_from(id.private_key().secret_der())
        .unwrap()
        .subject_public_key_info()
}

/// One misbehaving client and the alert the server must send.
pub struct ClientCase {
    pub name: &'static str,
    pub config: fn(&mut ServerConfig),
    pub script: fn(&mut ScriptedClient12) -> Result<(), Error>,
    pub alert: AlertDescription,
}

/// Runs a client case: the server's one fatal alert, then a connection
/// that refuses more input, sends nothing more and takes no data.
pub fn run_client_case(case: &ClientCase) {
    let name = case.name;
    let mut c = ScriptedClient12::new(case.config);
    let err = match (case.script)(&mut c) {
        Ok(()) => panic!("{name}: the server went on"),
        Err(e) => e,
    };
    let sent = c.drain();
    check_alert(name, &sent, &err, case.alert);
    assert!(c.server.error().is_some(), "{name}: no error kept");
    assert!(
        c.server.write_plaintext(b"data").is_err(),
        "{name}: took data"
    );
    assert!(
        c.plain(APPLICATION_DATA, &[0; 32]).is_err(),
        "{name}: recovered"
    );
    assert!(c.server.pending_tls().is_empty(), "{name}: sent more");
}
