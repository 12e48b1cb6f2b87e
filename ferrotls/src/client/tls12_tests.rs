//! The TLS 1.2 client against a scripted server built from the crate's own
//! pieces: a full ECDHE_ECDSA handshake, then one hostile change per case
//! with the exact alert asserted (RFC 5246 §7.2.2, RFC 5746, RFC 7627,
//! RFC 8422, CVE-2014-0224).

use std::sync::Arc;

use rustls_pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName as PkiServerName, UnixTime,
};

use super::ClientConnection;
use crate::auth::{provider_key, ServerCertVerified, ServerVerifier, SigningKey};
use crate::codec::Bytes;
use crate::config::ClientConfig;
use crate::crypto::aead::AeadAlgorithm;
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::kx::{ActiveKeyExchange, KxGroup};
use crate::crypto::rand::SystemRandom;
use crate::error::Error;
use crate::keys::tls12::{KeyBlockLayout, MasterSecret};
use crate::msgs::certificate::CertificateTls12;
use crate::msgs::certificate_verify::DigitallySigned;
use crate::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, EcPointFormat, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use crate::msgs::extensions::{Extension, Extensions};
use crate::msgs::finished::Finished;
use crate::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use crate::msgs::key_exchange::{
    ClientKeyExchange, KeyExchangeKind, ServerEcdhParams, ServerKeyExchange,
    ServerKeyExchangeParams,
};
use crate::msgs::server_hello::ServerHello;
use crate::record::protect::{write_plaintext, RecordCipher};

/// A case: its name, the change to the ServerHello, the alert expected.
pub(super) type HelloCase = (&'static str, fn(&mut ServerHello), AlertDescription);

pub(super) const SUITE: CipherSuite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;

/// Accepts any chain: these tests are about the handshake, not the PKI.
#[derive(Debug)]
struct AnyChain;

impl ServerVerifier for AnyChain {
    fn verify_chain(
        &self,
        _: &[CertificateDer<'_>],
        _: &PkiServerName<'_>,
        _: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }
}

pub(super) fn config() -> ClientConfig {
    let mut config = ClientConfig::new(Arc::new(AnyChain));
    config.policy.versions = vec![ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];
    config
}

/// Splits TLS bytes into (type, body) records.
pub(super) fn records(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        out.push((bytes[0], bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    out
}

pub(super) fn take(client: &mut ClientConnection) -> Vec<u8> {
    let out = client.pending_tls().to_vec();
    client.consume_tls(out.len());
    out
}

pub(super) fn plain(typ: ContentType, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_plaintext(&mut out, typ, ProtocolVersion::TLSv1_2, body);
    out
}

/// What a case may change in the scripted server's behaviour.
#[derive(Clone, Copy, Default)]
pub(super) struct Tweaks {
    pub(super) hello: Option<fn(&mut ServerHello)>,
    pub(super) ske: Option<fn(&mut ServerKeyExchange)>,
    /// Changes the ECDHE parameters before they are signed.
    pub(super) params: Option<fn(&mut ServerEcdhParams)>,
    /// Echo the client's own session ID in the ServerHello.
    pub(super) echo_session_id: bool,
    /// Sign the ServerKeyExchange over other bytes.
    pub(super) bad_signature: bool,
    /// Corrupt the server's Finished verify_data.
    pub(super) bad_finished: bool,
}

/// A scripted TLS 1.2 server, one message at a time.
pub(super) struct Script {
    pub(super) client: ClientConnection,
    pub(super) transcript: Vec<u8>,
    pub(super) client_random: [u8; 32],
    pub(super) server_random: [u8; 32],
    pub(super) key: Arc<dyn SigningKey>,
    pub(super) cert: CertificateDer<'static>,
    pub(super) kx: Option<ActiveKeyExchange>,
    pub(super) tweaks: Tweaks,
    /// The session ID of the ClientHello.
    pub(super) session_id: Bytes,
}

impl Script {
    pub(super) fn new(config: ClientConfig, tweaks: Tweaks) -> Self {
        let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["example.com".into()])
            .unwrap()
            .self_signed(&key_pair)
            .unwrap();
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
        let mut client = ClientConnection::new(
            Arc::new(config),
            PkiServerName::try_from("example.com").unwrap(),
        )
        .unwrap();
        let hello = records(&take(&mut client))
            .into_iter()
            .find(|(t, _)| *t == ContentType::Handshake.to_wire())
            .unwrap()
            .1;
        let msg = HandshakeMessage::from_bytes(&hello, DecodeContext::Hello).unwrap();
        let HandshakePayload::ClientHello(ch) = msg.payload() else {
            panic!("not a ClientHello")
        };
        let session_id = ch.legacy_session_id.clone();
        let mut server_random = [0x52; 32];
        server_random[0] = 1;
        Self {
            client_random: ch.random,
            client,
            transcript: hello,
            server_random,
            key: provider_key(&der).unwrap(),
            cert: cert.der().clone(),
            kx: None,
            tweaks,
            session_id,
        }
    }

    /// Sends one handshake message in a plaintext record.
    pub(super) fn send(&mut self, payload: HandshakePayload) -> Result<(), Error> {
        let msg = HandshakeMessage::new(payload);
        self.transcript.extend_from_slice(msg.encoded());
        self.client
            .feed_tls(&plain(ContentType::Handshake, msg.encoded()));
        self.client.process_new_packets()
    }

    pub(super) fn ccs(&mut self) -> Result<(), Error> {
        self.client
            .feed_tls(&plain(ContentType::ChangeCipherSpec, &[1]));
        self.client.process_new_packets()
    }

    pub(super) fn server_hello(&mut self) -> Result<(), Error> {
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
        if self.tweaks.echo_session_id {
            sh.legacy_session_id_echo = self.session_id.clone();
        }
        if let Some(f) = self.tweaks.hello {
            f(&mut sh);
        }
        self.server_random = sh.random;
        self.send(HandshakePayload::ServerHello(sh))
    }

    pub(super) fn certificate(&mut self) -> Result<(), Error> {
        let chain = vec![Bytes(self.cert.as_ref().to_vec())];
        self.send(HandshakePayload::CertificateTls12(CertificateTls12 {
            chain,
        }))
    }

    pub(super) fn server_key_exchange(&mut self) -> Result<(), Error> {
        let kx = KxGroup::X25519.start(&SystemRandom).unwrap();
        let mut ecdh = ServerEcdhParams {
            group: NamedGroup::X25519,
            public: Bytes(kx.public_share().to_vec()),
        };
        if let Some(f) = self.tweaks.params {
            f(&mut ecdh);
        }
        let params = ServerKeyExchangeParams::Ecdhe(ecdh);
        self.kx = Some(kx);
        let mut signed = Vec::new();
        signed.extend_from_slice(&self.client_random);
        signed.extend_from_slice(&self.server_random);
        signed.extend_from_slice(&params.to_bytes());
        if self.tweaks.bad_signature {
            signed.push(0);
        }
        let scheme = SignatureScheme::EcdsaSecp256r1Sha256;
        let signature = self.key.sign(scheme, &signed, &SystemRandom).unwrap();
        let mut ske = ServerKeyExchange::new(
            params,
            DigitallySigned {
                scheme,
                signature: Bytes(signature),
            },
        );
        if let Some(f) = self.tweaks.ske {
            f(&mut ske);
        }
        self.send(HandshakePayload::ServerKeyExchange(ske))
    }

    /// ServerHello through ServerHelloDone.
    pub(super) fn first_flight(&mut self) -> Result<(), Error> {
        self.server_hello()?;
        self.certificate()?;
        self.server_key_exchange()?;
        self.send(HandshakePayload::ServerHelloDone)
    }

    /// Reads the client's flight (ClientKeyExchange, CCS, Finished) and
    /// returns the server's record keys and master secret.
    pub(super) fn read_client_flight(&mut self) -> (RecordCipher, MasterSecret) {
        let flight = records(&take(&mut self.client));
        let (typ, cke) = &flight[0];
        assert_eq!(*typ, ContentType::Handshake.to_wire());
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
        assert_eq!(
            flight[1],
            (ContentType::ChangeCipherSpec.to_wire(), vec![1])
        );
        let pms = self.kx.take().unwrap().complete_tls12(&public.0).unwrap();
        let hash = |bytes: &[u8]| {
            let mut h = HashAlgorithm::Sha256.start();
            h.update(bytes);
            h.finish()
        };
        let master =
            MasterSecret::extended(HashAlgorithm::Sha256, pms.expose(), &hash(&self.transcript));
        let block = master.key_block(
            KeyBlockLayout::AES_128_GCM,
            &self.client_random,
            &self.server_random,
        );
        let mut from_client = RecordCipher::tls12(
            AeadAlgorithm::Aes128Gcm,
            block.client_write_key(),
            block.client_write_iv(),
        )
        .unwrap();
        let to_client = RecordCipher::tls12(
            AeadAlgorithm::Aes128Gcm,
            block.server_write_key(),
            block.server_write_iv(),
        )
        .unwrap();
        // The client's Finished, checked as a server would.
        let (typ, mut sealed) = flight[2].clone();
        let header = [typ, 3, 3, (sealed.len() >> 8) as u8, sealed.len() as u8];
        let opened = from_client.open(&header, &mut sealed).unwrap();
        let fin = sealed[opened.plaintext].to_vec();
        let expected = master.client_verify_data(&hash(&self.transcript));
        assert_eq!(&fin[4..], &expected[..]);
        self.transcript.extend_from_slice(&fin);
        (to_client, master)
    }

    /// The server's Finished under `cipher`.
    pub(super) fn finished(
        &mut self,
        cipher: &mut RecordCipher,
        master: &MasterSecret,
    ) -> Result<(), Error> {
        let mut h = HashAlgorithm::Sha256.start();
        h.update(&self.transcript);
        let mut verify_data = master.server_verify_data(&h.finish()).to_vec();
        if self.tweaks.bad_finished {
            verify_data[0] ^= 1;
        }
        let fin = HandshakeMessage::new(HandshakePayload::Finished(Finished {
            verify_data: Bytes(verify_data),
        }));
        let mut out = Vec::new();
        cipher
            .seal(ContentType::Handshake, fin.encoded(), &mut out)
            .unwrap();
        self.client.feed_tls(&out);
        self.client.process_new_packets()
    }

    /// The whole handshake.
    pub(super) fn run(&mut self) -> Result<RecordCipher, Error> {
        self.first_flight()?;
        let (mut cipher, master) = self.read_client_flight();
        self.ccs()?;
        self.finished(&mut cipher, &master)?;
        Ok(cipher)
    }
}

pub(super) fn alert_of(result: Result<impl Sized, Error>) -> AlertDescription {
    match result {
        Ok(_) => panic!("accepted"),
        Err(e) => e.alert().unwrap(),
    }
}

/// One key log line: label, client random, secret.
type LogLine = (String, Vec<u8>, Vec<u8>);

/// Keeps what the key log is given.
#[derive(Default)]
struct Logged(std::sync::Mutex<Vec<LogLine>>);

impl crate::trace::KeyLog for Logged {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.into(), client_random.to_vec(), secret.to_vec()));
    }
}

#[test]
fn full_handshake_with_the_scripted_server() {
    let log = Arc::new(Logged::default());
    let mut cfg = config();
    cfg.hooks.keylog = Some(log.clone());
    let mut s = Script::new(cfg, Tweaks::default());
    let mut cipher = s.run().unwrap();
    // NSS key log: `CLIENT_RANDOM <client random> <master secret>`.
    let logged = log.0.lock().unwrap().clone();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].0, "CLIENT_RANDOM");
    assert_eq!(logged[0].1, s.client_random);
    assert_eq!(logged[0].2.len(), 48);
    assert!(!s.client.is_handshaking());
    let n = s.client.negotiated();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(n.cipher_suite, Some(SUITE));
    assert_eq!(n.group, Some(NamedGroup::X25519));
    assert_eq!(
        n.signature_scheme,
        Some(SignatureScheme::EcdsaSecp256r1Sha256)
    );
    assert!(n.extended_master_secret);

    // RFC 5746 §4.5: a HelloRequest after the handshake is declined with a
    // no_renegotiation warning; the connection goes on.
    let hr = HandshakeMessage::new(HandshakePayload::HelloRequest);
    let mut out = Vec::new();
    cipher
        .seal(ContentType::Handshake, hr.encoded(), &mut out)
        .unwrap();
    cipher
        .seal(ContentType::ApplicationData, b"still here", &mut out)
        .unwrap();
    s.client.feed_tls(&out);
    s.client.process_new_packets().unwrap();
    let mut buf = [0u8; 32];
    let n = s.client.read_plaintext(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"still here");
    let sent = records(&take(&mut s.client));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, ContentType::Alert.to_wire());
}

/// The ClientHello offers what TLS 1.2 needs when it is enabled
/// (RFC 7627 §5.1, RFC 5746 §3.4, RFC 8422 §5.1.2, RFC 5077 §3.2,
/// RFC 7919 §3), and none of it for TLS 1.3 alone.
#[test]
fn client_hello_offers_tls12() {
    use crate::msgs::enums::ExtensionType as T;
    let s = Script::new(config(), Tweaks::default());
    let msg = HandshakeMessage::from_bytes(&s.transcript, DecodeContext::Hello).unwrap();
    let HandshakePayload::ClientHello(ch) = msg.payload() else {
        panic!("not a ClientHello")
    };
    let exts = ch.extensions();
    assert!(exts.extended_master_secret());
    assert_eq!(exts.renegotiation_info(), Some(&Bytes(Vec::new())));
    assert_eq!(
        exts.ec_point_formats(),
        Some(&[EcPointFormat::Uncompressed][..])
    );
    assert_eq!(exts.session_ticket(), Some(&Bytes(Vec::new())));
    assert!(exts
        .supported_groups()
        .unwrap()
        .contains(&NamedGroup::Ffdhe2048));
    assert!(ch.cipher_suites.contains(&SUITE));
    assert_eq!(
        exts.supported_versions().unwrap(),
        &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2][..]
    );

    let mut only13 = config();
    only13.policy.versions = vec![ProtocolVersion::TLSv1_3];
    let s = Script::new(only13, Tweaks::default());
    let msg = HandshakeMessage::from_bytes(&s.transcript, DecodeContext::Hello).unwrap();
    let HandshakePayload::ClientHello(ch) = msg.payload() else {
        panic!("not a ClientHello")
    };
    for typ in [
        T::ExtendedMasterSecret,
        T::RenegotiationInfo,
        T::EcPointFormats,
        T::SessionTicket,
    ] {
        assert!(!ch.extensions().contains(typ), "{typ}");
    }
    assert!(!ch.cipher_suites.contains(&SUITE));
}
