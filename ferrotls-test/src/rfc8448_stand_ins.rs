//! What the RFC 8448 replays (`tests/rfc8448_replay.rs`) put in place of
//! the RFC's peers, and accessors for the trace's messages and records.
//!
//! - [`RfcSignatureCheck`] stands in for the client's check of the RFC's
//!   server (its certificate has a 1024-bit RSA key, which aws-lc-rs and
//!   webpki refuse) and [`RfcSigner`] for that server's key (RSA-PSS is
//!   randomized, so only the RFC's own signature reproduces its bytes).
//! - [`like_rfc`] rewrites ferrotls's ClientHello into the RFC's extension
//!   list, keeping the extensions ferrotls computes ([`OURS`]).
//! - [`Sent`] / [`Received`] record the handshake messages a connection
//!   sends or receives.

use std::sync::{Arc, Mutex};

use ferrotls::auth::{
    CertifiedKey, ServerCertResolver, ServerCertVerified, ServerVerifier, SignatureVerified,
    SigningKey,
};
use ferrotls::codec::Codec;
use ferrotls::config::{ClientConfig, HelloRewrite, Rewrite, ServerConfig};
use ferrotls::crypto::hash::HashAlgorithm;
use ferrotls::crypto::rand::{SecureRandom, SequenceRandom};
use ferrotls::error::{CryptoError, Error};
use ferrotls::msgs::client_hello::ClientHello;
use ferrotls::msgs::enums::{
    CipherSuite, ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use ferrotls::msgs::extensions::{Extension, Extensions};
use ferrotls::msgs::handshake::HandshakeMessage;
use ferrotls::trace::{Direction, Observer, Protection};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::rfc8448::Trace;

/// Asserts two byte strings are equal, printing both in hex.
#[track_caller]
pub fn same(got: &[u8], want: &[u8], what: &str) {
    assert_eq!(
        hex::encode(got),
        hex::encode(want),
        "{what} differs from RFC 8448"
    );
}

/// The body of a handshake message as printed by the RFC (4-byte header).
pub fn body(msg: &[u8]) -> &[u8] {
    &msg[4..]
}

/// The value of a "construct a <name> handshake message" step.
pub fn message<'a>(t: &'a Trace, who: &str, name: &str, n: usize) -> &'a [u8] {
    let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    t.nth_step(
        who,
        &format!("construct {article} {name} handshake message"),
        n,
    )
    .value(name)
}

/// The "complete record" of the `n`th step `what` of `who`.
pub fn record<'a>(t: &'a Trace, who: &str, what: &str, n: usize) -> &'a [u8] {
    t.nth_step(who, what, n).value("complete record")
}

/// The RFC's server certificate (the one entry of its Certificate).
pub fn rfc_certificate(t: &Trace) -> CertificateDer<'static> {
    // Certificate: context length 0, u24 list length, u24 cert length.
    let msg = body(message(t, "server", "Certificate", 0));
    let len = u32::from_be_bytes([0, msg[4], msg[5], msg[6]]) as usize;
    CertificateDer::from(msg[7..7 + len].to_vec())
}

/// The RFC's CertificateVerify: scheme and signature.
pub fn rfc_certificate_verify(t: &Trace) -> (SignatureScheme, Vec<u8>) {
    let msg = body(message(t, "server", "CertificateVerify", 0));
    let scheme = SignatureScheme::from_wire(u16::from_be_bytes([msg[0], msg[1]]));
    (scheme, msg[4..].to_vec())
}

/// RFC 8446 §4.4.1: the transcript's stand-in for ClientHello1 after a
/// HelloRetryRequest: `message_hash`, a u24 length of 32, SHA-256(ClientHello1).
pub fn message_hash(client_hello1: &[u8]) -> Vec<u8> {
    [
        &[0xfe, 0, 0, 32][..],
        HashAlgorithm::Sha256.hash(client_hello1).as_ref(),
    ]
    .concat()
}

/// RFC 8446 §4.4.3: what the server's CertificateVerify signs, from the
/// RFC's own messages (the transcript up to the Certificate).
pub fn rfc_signed_content(messages: &[&[u8]]) -> Vec<u8> {
    let transcript: Vec<u8> = messages.concat();
    let mut out = vec![0x20; 64];
    out.extend_from_slice(b"TLS 1.3, server CertificateVerify");
    out.push(0);
    out.extend_from_slice(HashAlgorithm::Sha256.hash(&transcript).as_ref());
    out
}

/// Records every handshake message a connection sends.
#[derive(Default)]
pub struct Sent(Mutex<Vec<(Protection, Vec<u8>)>>);

impl Observer for Sent {
    fn message(&self, dir: Direction, protection: Protection, msg: &HandshakeMessage) {
        if dir == Direction::Sent {
            self.0
                .lock()
                .unwrap()
                .push((protection, msg.encoded().to_vec()));
        }
    }
}

impl Sent {
    /// The encoded messages sent so far, in order.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.0.lock().unwrap().iter().map(|m| m.1.clone()).collect()
    }
}

/// Test stand-in for the client's checks of the RFC's server: the chain
/// must be exactly the RFC's certificate (pinned, since its 1024-bit key
/// and 2016 issuance pass no webpki policy), and the CertificateVerify
/// must sign exactly the content computed from the RFC's messages with the
/// RFC's signature. That the RFC's signature verifies with the RFC's key
/// is checked by OpenSSL in `rfc_certificate_verify_signature_verifies`.
#[derive(Debug)]
pub struct RfcSignatureCheck {
    pub certificate: CertificateDer<'static>,
    pub content: Vec<u8>,
    pub scheme: SignatureScheme,
    pub signature: Vec<u8>,
}

impl ServerVerifier for RfcSignatureCheck {
    fn verify_chain(
        &self,
        chain: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        assert_eq!(
            chain,
            std::slice::from_ref(&self.certificate),
            "the RFC's chain"
        );
        assert_eq!(server_name.to_str(), "server");
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls13_signature(
        &self,
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        offered: &[SignatureScheme],
        content: &[u8],
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        assert_eq!(*end_entity, self.certificate);
        assert!(offered.contains(&scheme));
        assert_eq!(scheme, self.scheme);
        same(content, &self.content, "CertificateVerify signed content");
        same(signature, &self.signature, "CertificateVerify signature");
        Ok(SignatureVerified::assertion())
    }
}

/// Test stand-in for the RFC server's 1024-bit RSA key: returns the RFC's
/// signature after checking it is asked to sign exactly what the RFC's
/// server signed (RSA-PSS is randomized, and aws-lc-rs refuses 1024-bit
/// keys, so no real signature could reproduce the RFC's bytes).
pub struct RfcSigner {
    pub content: Vec<u8>,
    pub signature: Vec<u8>,
}

impl SigningKey for RfcSigner {
    fn schemes(&self) -> &[SignatureScheme] {
        &[SignatureScheme::RsaPssRsaeSha256]
    }

    fn sign(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        _rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, CryptoError> {
        assert_eq!(scheme, SignatureScheme::RsaPssRsaeSha256);
        same(message, &self.content, "content the server signs");
        Ok(self.signature.clone())
    }
}

/// Extensions ferrotls builds itself; everything else in the rewritten
/// ClientHello is taken from the RFC's.
pub const OURS: &[ExtensionType] = &[
    ExtensionType::ServerName,
    ExtensionType::SupportedVersions,
    ExtensionType::KeyShare,
    ExtensionType::Cookie,
];

/// The ClientHello rewrite: the RFC's extensions in the RFC's order, with
/// ferrotls's own for the types in [`OURS`] (which must all be present).
pub fn like_rfc(first: &[u8], second: Option<&[u8]>) -> HelloRewrite {
    let first = ClientHello::from_bytes(body(first)).unwrap();
    let second = second.map(|m| ClientHello::from_bytes(body(m)).unwrap());
    HelloRewrite::new(move |hello: &mut ClientHello| {
        let is_second = hello.has_extension(ExtensionType::Cookie);
        let rfc = match (is_second, &second) {
            (true, Some(second)) => second,
            (false, _) => &first,
            (true, None) => panic!("no second ClientHello in this trace"),
        };
        let ours = hello.extensions.take().unwrap();
        let exts = rfc
            .extensions()
            .iter()
            .map(|e| match OURS.contains(&e.typ()) {
                true => ours
                    .iter()
                    .find(|o| o.typ() == e.typ())
                    .unwrap_or_else(|| panic!("ferrotls sent no {}", e.typ()))
                    .clone(),
                false => e.clone(),
            })
            .collect();
        hello.extensions = Some(Extensions(exts));
    })
}

/// The name the RFC's client connects to.
pub fn server_name() -> ServerName<'static> {
    ServerName::try_from("server").unwrap()
}

/// The suites of the RFC's clients, in their order (and the only ones
/// ferrotls's client then offers: TLS 1.3 only).
pub const RFC_SUITES: &[CipherSuite] = &[
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
];

/// A TLS 1.3 client like the RFC's: its suites, an x25519 share, no
/// middlebox compatibility, `rng` as its randomness, `verifier` for the
/// server and `rewrite` for its hellos.
pub fn client_config(
    rng: Vec<u8>,
    verifier: RfcSignatureCheck,
    rewrite: HelloRewrite,
) -> Arc<ClientConfig> {
    let mut c = ClientConfig::new(Arc::new(verifier));
    c.policy.versions = vec![ProtocolVersion::TLSv1_3];
    c.policy.cipher_suites = RFC_SUITES.to_vec();
    c.policy.groups = vec![
        NamedGroup::X25519,
        NamedGroup::Secp256r1,
        NamedGroup::Secp384r1,
    ];
    c.key_share_groups = vec![NamedGroup::X25519];
    // The RFC's client sends an empty legacy_session_id: no middlebox
    // compatibility mode (RFC 8446 §D.4), so no ChangeCipherSpec either.
    c.middlebox_compat = false;
    c.hello_extensions = Some(rewrite);
    c.hooks.rng = Arc::new(SequenceRandom::new(rng));
    Arc::new(c)
}

/// A TLS 1.3 server with the RFC's certificate (signing with
/// [`RfcSigner`], which expects `content`), `groups` in preference order,
/// `rng` as its randomness; the observer records what it sends.
pub fn server_config(
    t: &Trace,
    rng: Arc<SequenceRandom>,
    groups: Vec<NamedGroup>,
    content: Vec<u8>,
) -> (Arc<ServerConfig>, Arc<Sent>) {
    let (_, signature) = rfc_certificate_verify(t);
    let key = CertifiedKey::new_unchecked(
        vec![rfc_certificate(t)],
        Arc::new(RfcSigner { content, signature }),
    )
    .unwrap();
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(Arc::new(key));
    let mut c = ServerConfig::new(Arc::new(resolver));
    c.policy.versions = vec![ProtocolVersion::TLSv1_3];
    c.policy.cipher_suites = RFC_SUITES.to_vec();
    c.policy.groups = groups;
    c.hooks.rng = rng;
    let sent = Arc::new(Sent::default());
    c.hooks.observer = Some(sent.clone());
    (Arc::new(c), sent)
}

/// The random is bytes 6..38 of a ClientHello or ServerHello
/// message as printed (after the header and legacy_version).
pub fn random_of(msg: &[u8]) -> &[u8] {
    &msg[6..38]
}

/// The §3 server's EncryptedExtensions lists groups ferrotls does not
/// implement; the rewrite puts in the RFC's list (test only: a real
/// server must not announce groups it cannot use).
pub fn rfc_server_groups(ee: &[u8]) -> Rewrite<Extensions> {
    let rfc = ferrotls::msgs::encrypted_extensions::EncryptedExtensions::from_bytes(body(ee))
        .unwrap()
        .extensions;
    Rewrite::new(move |exts: &mut Extensions| {
        for e in exts.0.iter_mut() {
            if let Extension::SupportedGroups(_) = e {
                *e = rfc
                    .iter()
                    .find(|r| r.typ() == ExtensionType::SupportedGroups)
                    .unwrap()
                    .clone();
            }
        }
    })
}

/// Every handshake message a connection receives.
#[derive(Default)]
pub struct Received(pub Mutex<Vec<HandshakeMessage>>);

impl Observer for Received {
    fn message(&self, dir: Direction, _protection: Protection, msg: &HandshakeMessage) {
        if dir == Direction::Received {
            self.0.lock().unwrap().push(msg.clone());
        }
    }
}

/// The lengths of the records in `wire` (content type, fragment length).
pub fn records(mut wire: &[u8]) -> Vec<(u8, usize)> {
    let mut out = Vec::new();
    while wire.len() >= 5 {
        let len = u16::from_be_bytes([wire[3], wire[4]]) as usize;
        out.push((wire[0], len));
        wire = &wire[5 + len..];
    }
    assert!(wire.is_empty(), "partial record");
    out
}

/// A ClientHello rewrite adding record_size_limit (RFC 8449 §4) = `limit`.
pub fn with_record_size_limit(limit: u16) -> HelloRewrite {
    HelloRewrite::new(move |h: &mut ClientHello| {
        h.extensions
            .as_mut()
            .unwrap()
            .push(Extension::RecordSizeLimit(limit));
    })
}
