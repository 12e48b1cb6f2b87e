//! The client's checks of the server's encrypted flight (RFC 8446 §4.3,
//! §4.4), against a scripted server that follows the key schedule and
//! sends what each test says.

use std::sync::Arc;

use rustls_pki_types::ServerName as PkiServerName;

use super::ClientConnection;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, PKCS_ECDSA_P256_SHA256};

use crate::auth::{
    tls13_certificate_verify_content, CertifiedKey, RootStore, ServerCertVerifier, Signer,
};
use crate::codec::Bytes;
use crate::config::ClientConfig;
use crate::crypto::kx::KxGroup;
use crate::crypto::rand::SystemRandom;
use crate::crypto::suites::{tls13_suite, Tls13Suite};
use crate::error::Error;
use crate::handshake::traffic13::cipher_for;
use crate::keys::tls13::EarlySecret;
use crate::keys::tls13_traffic::HandshakeTrafficSecret;
use crate::keys::transcript::TranscriptHash;
use crate::msgs::certificate::{CertificateEntry, CertificateTls13};
use crate::msgs::certificate_verify::DigitallySigned;
use crate::msgs::encrypted_extensions::EncryptedExtensions;
use crate::msgs::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, NamedGroup, ProtocolVersion,
    SignatureScheme,
};
use crate::msgs::ext::key_share::KeyShareEntry;
use crate::msgs::extensions::{Extension, Extensions};
use crate::msgs::finished::Finished;
use crate::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use crate::msgs::server_hello::ServerHello;
use crate::record::protect::{write_plaintext, RecordCipher};

/// A server played by the test: it answers the ClientHello, then sends
/// whatever each test gives it under the server handshake keys.
struct ScriptedServer {
    suite: Tls13Suite,
    transcript: TranscriptHash,
    server_hs: HandshakeTrafficSecret,
    enc: RecordCipher,
    key: Arc<CertifiedKey>,
}

/// A CA (as a root store) and an ECDSA P-256 leaf for example.com.
fn pki() -> (RootStore, Arc<CertifiedKey>) {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf = CertificateParams::new(vec!["example.com".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let key = crate::crypto::sign::SigningKey::from_pkcs8_der(&leaf_key.serialize_der()).unwrap();
    let certified = CertifiedKey::new(vec![leaf.der().clone()], Arc::new(key)).unwrap();
    (
        RootStore::from_pem(ca.pem().as_bytes()).unwrap(),
        Arc::new(certified),
    )
}

fn setup(alpn: &[&[u8]]) -> (ClientConnection, ScriptedServer) {
    let (roots, key) = pki();
    let mut config = ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(roots))));
    config.policy.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let mut client = ClientConnection::new(
        Arc::new(config),
        PkiServerName::try_from("example.com").unwrap(),
    )
    .unwrap();

    let bytes = client.pending_tls().to_vec();
    client.consume_tls(bytes.len());
    let ch_msg = HandshakeMessage::from_bytes(&bytes[5..], DecodeContext::Hello).unwrap();
    let HandshakePayload::ClientHello(ch) = ch_msg.payload() else {
        panic!("no ClientHello")
    };
    let share = &ch.extensions().key_shares().unwrap()[0];
    let (server_share, shared) = KxGroup::X25519
        .accept(&share.key_exchange.0, &SystemRandom)
        .unwrap();
    let suite = tls13_suite(CipherSuite::TLS_AES_128_GCM_SHA256).unwrap();
    let sh = HandshakeMessage::new(HandshakePayload::ServerHello(ServerHello {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: [9; 32],
        legacy_session_id_echo: ch.legacy_session_id.clone(),
        cipher_suite: suite.suite,
        legacy_compression_method: CompressionMethod::Null,
        extensions: Some(Extensions(vec![
            Extension::SelectedVersion(ProtocolVersion::TLSv1_3),
            Extension::KeyShare(KeyShareEntry::new(NamedGroup::X25519, server_share)),
        ])),
    }));
    let mut transcript = TranscriptHash::new(suite.hash);
    transcript.add(ch_msg.encoded());
    transcript.add(sh.encoded());
    let secret = EarlySecret::new(suite.hash, None)
        .into_handshake_secret(Some(shared.expose()))
        .unwrap();
    let server_hs = secret
        .server_handshake_traffic_secret(&transcript.current())
        .unwrap();
    let enc = cipher_for(suite, &server_hs).unwrap();

    let mut record = Vec::new();
    write_plaintext(
        &mut record,
        ContentType::Handshake,
        ProtocolVersion::TLSv1_2,
        sh.encoded(),
    );
    client.feed_tls(&record);
    client.process_new_packets().unwrap();
    let server = ScriptedServer {
        suite,
        transcript,
        server_hs,
        enc,
        key,
    };
    (client, server)
}

impl ScriptedServer {
    fn send(
        &mut self,
        client: &mut ClientConnection,
        payload: HandshakePayload,
    ) -> Result<(), Error> {
        let msg = HandshakeMessage::new(payload);
        self.transcript.add(msg.encoded());
        let mut out = Vec::new();
        self.enc
            .seal(ContentType::Handshake, msg.encoded(), &mut out)
            .unwrap();
        client.feed_tls(&out);
        client.process_new_packets()
    }

    fn encrypted_extensions(
        &mut self,
        client: &mut ClientConnection,
        exts: Vec<Extension>,
    ) -> Result<(), Error> {
        self.send(
            client,
            HandshakePayload::EncryptedExtensions(EncryptedExtensions {
                extensions: Extensions(exts),
            }),
        )
    }

    fn certificate(&mut self, client: &mut ClientConnection) -> Result<(), Error> {
        let entries = self
            .key
            .chain()
            .iter()
            .map(|c| CertificateEntry {
                cert_data: Bytes(c.as_ref().to_vec()),
                extensions: Extensions::default(),
            })
            .collect();
        self.send(
            client,
            HandshakePayload::CertificateTls13(CertificateTls13 {
                context: Bytes(vec![]),
                entries,
            }),
        )
    }

    fn certificate_verify(
        &mut self,
        client: &mut ClientConnection,
        corrupt: bool,
    ) -> Result<(), Error> {
        let scheme = SignatureScheme::EcdsaSecp256r1Sha256;
        let content =
            tls13_certificate_verify_content(Signer::Server, self.transcript.current().as_ref());
        let mut signature = self
            .key
            .key()
            .sign(scheme, &content, &SystemRandom)
            .unwrap();
        if corrupt {
            let last = signature.len() - 3;
            signature[last] ^= 1;
        }
        self.send(
            client,
            HandshakePayload::CertificateVerify(DigitallySigned {
                scheme,
                signature: Bytes(signature),
            }),
        )
    }

    fn finished(&mut self, client: &mut ClientConnection, corrupt: bool) -> Result<(), Error> {
        let mut verify_data = self
            .server_hs
            .finished_key()
            .unwrap()
            .verify_data(&self.transcript.current())
            .as_ref()
            .to_vec();
        assert_eq!(verify_data.len(), self.suite.hash.output_len());
        if corrupt {
            verify_data[0] ^= 1;
        }
        self.send(
            client,
            HandshakePayload::Finished(Finished {
                verify_data: Bytes(verify_data),
            }),
        )
    }
}

fn alert_of(result: Result<(), Error>) -> AlertDescription {
    result.unwrap_err().alert().unwrap()
}

#[test]
fn scripted_handshake_completes() {
    let (mut client, mut server) = setup(&[b"h2"]);
    server
        .encrypted_extensions(
            &mut client,
            vec![Extension::Alpn(vec![Bytes(b"h2".to_vec())])],
        )
        .unwrap();
    server.certificate(&mut client).unwrap();
    server.certificate_verify(&mut client, false).unwrap();
    server.finished(&mut client, false).unwrap();
    assert!(!client.is_handshaking());
    let n = client.negotiated();
    assert_eq!(n.alpn.as_deref(), Some(&b"h2"[..]));
    assert_eq!(
        n.signature_scheme,
        Some(SignatureScheme::EcdsaSecp256r1Sha256)
    );
    assert_eq!(n.peer_certificates.len(), 1);
}

//= https://www.rfc-editor.org/rfc/rfc8446#section-4.4.4
//# Recipients of Finished messages MUST verify that the contents are
//# correct and if incorrect MUST terminate the connection with a
//# "decrypt_error" alert.
#[test]
fn bad_server_finished_is_decrypt_error() {
    let (mut client, mut server) = setup(&[]);
    server.encrypted_extensions(&mut client, vec![]).unwrap();
    server.certificate(&mut client).unwrap();
    server.certificate_verify(&mut client, false).unwrap();
    let r = server.finished(&mut client, true);
    assert_eq!(alert_of(r), AlertDescription::DecryptError);
}

//= https://www.rfc-editor.org/rfc/rfc8446#section-4.4.3
//# If the verification fails, the receiver MUST terminate the handshake
//# with a "decrypt_error" alert.
#[test]
fn bad_certificate_verify_is_decrypt_error() {
    let (mut client, mut server) = setup(&[]);
    server.encrypted_extensions(&mut client, vec![]).unwrap();
    server.certificate(&mut client).unwrap();
    let r = server.certificate_verify(&mut client, true);
    assert_eq!(alert_of(r), AlertDescription::DecryptError);
}

//= https://www.rfc-editor.org/rfc/rfc8446#section-4.4.2.4
//# If the server supplies an empty Certificate message, the client MUST
//# abort the handshake with a "decode_error" alert.
#[test]
fn empty_server_certificate_is_decode_error() {
    let (mut client, mut server) = setup(&[]);
    server.encrypted_extensions(&mut client, vec![]).unwrap();
    let r = server.send(
        &mut client,
        HandshakePayload::CertificateTls13(CertificateTls13 {
            context: Bytes(vec![]),
            entries: vec![],
        }),
    );
    assert_eq!(alert_of(r), AlertDescription::DecodeError);
}

#[test]
fn encrypted_extensions_checks() {
    /// What is offered as ALPN, what EncryptedExtensions carries, the alert.
    type Case = (
        &'static str,
        &'static [&'static [u8]],
        Vec<Extension>,
        AlertDescription,
    );
    let cases: [Case; 4] = [
        // RFC 7301: the protocol must be one we offered.
        (
            "alpn not offered",
            &[b"h2"],
            vec![Extension::Alpn(vec![Bytes(b"http/1.1".to_vec())])],
            AlertDescription::IllegalParameter,
        ),
        // RFC 8446 §4.2: ALPN when we sent none is unsolicited.
        (
            "alpn unsolicited",
            &[],
            vec![Extension::Alpn(vec![Bytes(b"h2".to_vec())])],
            AlertDescription::UnsupportedExtension,
        ),
        // RFC 8446 §4.2: early_data was not offered.
        (
            "early_data",
            &[],
            vec![Extension::EarlyData],
            AlertDescription::UnsupportedExtension,
        ),
        // RFC 8446 §4.2: a cookie may not appear in EncryptedExtensions.
        (
            "cookie",
            &[],
            vec![Extension::Cookie(Bytes(vec![1]))],
            AlertDescription::IllegalParameter,
        ),
    ];
    for (what, alpn, exts, alert) in cases {
        let (mut client, mut server) = setup(alpn);
        let r = server.encrypted_extensions(&mut client, exts);
        assert_eq!(alert_of(r), alert, "{what}");
    }
}

#[test]
fn messages_out_of_order_are_unexpected() {
    // A Certificate where EncryptedExtensions is due.
    let (mut client, mut server) = setup(&[]);
    let r = server.certificate(&mut client);
    assert_eq!(alert_of(r), AlertDescription::UnexpectedMessage);
    // A Finished where the CertificateVerify is due.
    let (mut client, mut server) = setup(&[]);
    server.encrypted_extensions(&mut client, vec![]).unwrap();
    server.certificate(&mut client).unwrap();
    let r = server.finished(&mut client, false);
    assert_eq!(alert_of(r), AlertDescription::UnexpectedMessage);
}
