//! The server's flight once a ClientHello is accepted (RFC 8446 §2):
//!
//! ```text
//! ServerHello, [ChangeCipherSpec], {EncryptedExtensions},
//! {CertificateRequest*}, {Certificate}, {CertificateVerify}, {Finished}
//! ```
//!
//! One `emit_*` function per message, called in this order by [`start`],
//! which also steps the key schedule (RFC 8446 §7.1) and installs the keys.

use std::sync::Arc;

use super::finish::{ClientAuth, ClientFlight, ExpectCertificate, ExpectFinished};
use super::tls13::middlebox_compat;
use super::State;
use crate::auth::{
    tls13_certificate_verify_content, CertifiedKey, ClientCertVerifier, Offer, Selected, Signer,
    TLS13_VERIFY_SCHEMES,
};
use crate::codec::Bytes;
use crate::config::{Policy, ServerConfig};
use crate::conn::common::CommonState;
use crate::crypto::kx::KxGroup;
use crate::crypto::rand::{random_array, SecureRandom};
use crate::crypto::suites::Tls13Suite;
use crate::error::{Error, PeerMisbehaved};
use crate::handshake::traffic13::{cipher_for, Traffic13};
use crate::keys::tls13::{EarlySecret, HandshakeTrafficSecret};
use crate::keys::transcript::TranscriptHash;
use crate::msgs::certificate::{CertificateEntry, CertificateTls13};
use crate::msgs::certificate_request::CertificateRequestTls13;
use crate::msgs::certificate_verify::CertificateVerify;
use crate::msgs::client_hello::ClientHello;
use crate::msgs::encrypted_extensions::EncryptedExtensions;
use crate::msgs::enums::{CompressionMethod, ProtocolVersion, SignatureScheme};
use crate::msgs::ext::key_share::KeyShareEntry;
use crate::msgs::extensions::{Extension, Extensions};
use crate::msgs::finished::Finished;
use crate::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use crate::msgs::server_hello::ServerHello;
use crate::trace::Protection;

/// A ClientHello the server goes on with, and what it chose from it.
pub(crate) struct Accepted<'a> {
    pub config: Arc<ServerConfig>,
    pub hello: &'a ClientHello,
    pub suite: Tls13Suite,
    pub group: KxGroup,
    /// The client's key share for `group`.
    pub share: Vec<u8>,
    /// Every handshake message so far, the ClientHello last.
    pub transcript: TranscriptHash,
    /// Whether the compatibility ChangeCipherSpec went out already.
    pub ccs_sent: bool,
}

/// Sends one handshake message and adds it to the transcript.
fn send(cx: &mut CommonState, transcript: &mut TranscriptHash, payload: HandshakePayload) {
    let msg = HandshakeMessage::new(payload);
    transcript.add(msg.encoded());
    cx.send_handshake(&msg);
}

/// RFC 7301 §3.2: the server picks by its own preference among the
/// client's protocols; "In the event that the server supports no protocols
/// that the client advertises, then the server SHALL respond with a fatal
/// "no_application_protocol" alert." A server without protocols ignores
/// the extension. TLS 1.2 (`server::tls12`) chooses the same way.
pub(crate) fn choose_alpn(
    offered: Option<&[Bytes]>,
    ours: &[Vec<u8>],
) -> Result<Option<Vec<u8>>, Error> {
    let Some(offered) = offered else {
        return Ok(None);
    };
    if ours.is_empty() {
        return Ok(None);
    }
    ours.iter()
        .find(|p| offered.iter().any(|o| o.0 == **p))
        .cloned()
        .map(Some)
        .ok_or_else(|| PeerMisbehaved::NoCommonApplicationProtocol.into())
}

/// Runs the server's flight and returns the state waiting for the client's.
pub(crate) fn start(cx: &mut CommonState, a: Accepted<'_>) -> Result<State, Error> {
    let Accepted {
        config,
        hello,
        suite,
        group,
        share,
        mut transcript,
        ccs_sent,
    } = a;
    let rng: &dyn SecureRandom = &*config.hooks.rng;
    let exts = hello.extensions();

    // Everything that can fail on what the client offered is settled
    // before the first byte of the flight, so the alert goes in plaintext.
    let sni = exts.host_name();
    let selected = config.certificates.resolve(
        sni,
        &Offer {
            version: ProtocolVersion::TLSv1_3,
            signature_schemes: exts.signature_algorithms().unwrap_or_default(),
            signature_schemes_cert: exts.signature_algorithms_cert(),
            certificate_authorities: exts.certificate_authorities().unwrap_or_default(),
        },
    )?;
    let alpn = choose_alpn(exts.alpn(), &config.policy.alpn_protocols)?;
    // RFC 8446 §4.2.8.1-2: a malformed client share is illegal_parameter.
    let (server_share, shared_secret) = group.accept(&share, rng)?;

    let n = &mut cx.negotiated;
    n.version = Some(ProtocolVersion::TLSv1_3);
    n.cipher_suite = Some(suite.suite);
    n.group = Some(group.named_group());
    // Both ends report the scheme the server signed the handshake with.
    n.signature_scheme = Some(selected.scheme);
    n.alpn = alpn.clone();
    n.server_name = sni.map(str::to_owned);
    cx.decode_ctx = DecodeContext::Tls13 {
        hash_len: suite.hash.output_len(),
    };

    emit_server_hello(cx, &mut transcript, hello, suite, group, server_share, rng)?;

    // RFC 8446 §7.1: Handshake Secret from the (EC)DHE secret; no PSK yet.
    let handshake_secret =
        EarlySecret::new(suite.hash, None).into_handshake_secret(Some(shared_secret.expose()))?;
    let hello_hash = transcript.current();
    let client_hs = handshake_secret.client_handshake_traffic_secret(&hello_hash)?;
    let server_hs = handshake_secret.server_handshake_traffic_secret(&hello_hash)?;
    cx.log_secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", client_hs.expose());
    cx.log_secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", server_hs.expose());

    if !ccs_sent && middlebox_compat(hello) {
        cx.send_ccs()?;
    }
    cx.set_encrypter(cipher_for(suite, &server_hs)?, Protection::Handshake)?;

    // RFC 8449 §4: "an endpoint MUST NOT generate a protected record with
    // plaintext that is larger than the RecordSizeLimit value it receives
    // from its peer"; in TLS 1.3 the value counts the content type byte.
    let record_size_limit = exts.record_size_limit();
    if let Some(limit) = record_size_limit {
        cx.max_fragment = cx.max_fragment.min(usize::from(limit).saturating_sub(1));
    }
    emit_encrypted_extensions(
        cx,
        &mut transcript,
        &config,
        EncryptedAnswers {
            ack_server_name: sni.is_some(),
            record_size_limit: record_size_limit.is_some(),
            alpn,
        },
    );
    let client_auth = match &config.client_verifier {
        Some(verifier) => Some((
            Arc::clone(verifier),
            emit_certificate_request(cx, &mut transcript, verifier, &config.policy),
        )),
        None => None,
    };
    emit_certificate(cx, &mut transcript, &selected.key);
    emit_certificate_verify(cx, &mut transcript, &selected, rng)?;
    emit_finished(cx, &mut transcript, &server_hs)?;

    // RFC 8446 §7.1: the application secrets and the exporter secret come
    // from the transcript up to the server Finished.
    let master = handshake_secret.into_master_secret()?;
    let finished_hash = transcript.current();
    let client_app = master.client_application_traffic_secret(&finished_hash)?;
    let server_app = master.server_application_traffic_secret(&finished_hash)?;
    let exporter = master.exporter_master_secret(&finished_hash)?;
    cx.log_secret("CLIENT_TRAFFIC_SECRET_0", client_app.expose());
    cx.log_secret("SERVER_TRAFFIC_SECRET_0", server_app.expose());
    cx.log_secret("EXPORTER_SECRET", exporter.expose());

    let traffic = Traffic13::new(suite, server_app, client_app);
    // The flight goes out under the handshake keys; what we send after it
    // uses the application keys (RFC 8446 §2: the server may send data
    // before the client's Finished arrives).
    traffic.install_send(cx)?;
    cx.set_decrypter(cipher_for(suite, &client_hs)?, Protection::Handshake)?;

    let flight = ClientFlight {
        transcript,
        client_hs,
        traffic,
    };
    Ok(match client_auth {
        Some((verifier, offered)) => State::ExpectCertificate(Box::new(ExpectCertificate {
            flight,
            verifier,
            offered,
        })),
        None => State::ExpectFinished(Box::new(ExpectFinished {
            flight,
            client: ClientAuth::NotRequested,
        })),
    })
}

/// RFC 8446 §4.1.3: ServerHello with a fresh random, the client's
/// legacy_session_id echoed ("A client which receives a
/// legacy_session_id_echo field that does not match what it sent in the
/// ClientHello MUST abort"), compression 0, supported_versions and
/// key_share. The downgrade sentinels are for TLS 1.2 and older only.
fn emit_server_hello(
    cx: &mut CommonState,
    transcript: &mut TranscriptHash,
    hello: &ClientHello,
    suite: Tls13Suite,
    group: KxGroup,
    server_share: Vec<u8>,
    rng: &dyn SecureRandom,
) -> Result<(), Error> {
    let sh = ServerHello {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: random_array(rng)?,
        legacy_session_id_echo: hello.legacy_session_id.clone(),
        cipher_suite: suite.suite,
        legacy_compression_method: CompressionMethod::Null,
        // key_share before supported_versions, as in the RFC 8448 traces
        // (RFC 8446 §4.2 leaves the order free).
        extensions: Some(Extensions(vec![
            Extension::KeyShare(KeyShareEntry::new(group.named_group(), server_share)),
            Extension::SelectedVersion(ProtocolVersion::TLSv1_3),
        ])),
    };
    send(cx, transcript, HandshakePayload::ServerHello(sh));
    Ok(())
}

/// What the EncryptedExtensions answer, settled from the ClientHello.
struct EncryptedAnswers {
    ack_server_name: bool,
    record_size_limit: bool,
    alpn: Option<Vec<u8>>,
}

/// RFC 8449 §4: "TLS 1.3 uses a limit of 2^14+1 octets": ferrotls
/// receives records of any size the protocol allows.
const OUR_RECORD_SIZE_LIMIT: u16 = 0x4001;

/// RFC 8446 §4.3.1: the extensions "not needed to establish the
/// cryptographic context", in this order: our supported_groups (§4.2.7:
/// servers "MAY send "supported_groups" to the client", so a client can
/// send a share we prefer next time), record_size_limit when the client
/// offered it (RFC 8449 §4: "the server sends the "record_size_limit"
/// extension in the EncryptedExtensions message"), an empty server_name
/// when the client's was used (RFC 6066 §3), and the ALPN protocol
/// (RFC 7301 §3.1). The configured rewrite, if any, sees them last.
fn emit_encrypted_extensions(
    cx: &mut CommonState,
    transcript: &mut TranscriptHash,
    config: &ServerConfig,
    answers: EncryptedAnswers,
) {
    let mut extensions = Extensions::default();
    extensions.push(Extension::SupportedGroups(
        config
            .policy
            .kx_groups()
            .map(KxGroup::named_group)
            .collect(),
    ));
    if answers.record_size_limit {
        extensions.push(Extension::RecordSizeLimit(OUR_RECORD_SIZE_LIMIT));
    }
    if answers.ack_server_name {
        extensions.push(Extension::ServerNameAck);
    }
    if let Some(proto) = answers.alpn {
        extensions.push(Extension::Alpn(vec![Bytes(proto)]));
    }
    if let Some(rewrite) = &config.encrypted_extensions {
        rewrite.apply(&mut extensions);
    }
    send(
        cx,
        transcript,
        HandshakePayload::EncryptedExtensions(EncryptedExtensions { extensions }),
    );
}

/// RFC 8446 §4.3.2: signature_algorithms "MUST be specified"; the
/// certificate_authorities the client's chain should lead to are named
/// when we have them. Returns the schemes offered, which the client's
/// CertificateVerify must use (§4.4.3).
fn emit_certificate_request(
    cx: &mut CommonState,
    transcript: &mut TranscriptHash,
    verifier: &ClientCertVerifier,
    policy: &Policy,
) -> Vec<SignatureScheme> {
    let schemes: Vec<SignatureScheme> = policy
        .signature_schemes
        .iter()
        .copied()
        .filter(|s| TLS13_VERIFY_SCHEMES.contains(s))
        .collect();
    let mut extensions = Extensions(vec![Extension::SignatureAlgorithms(schemes.clone())]);
    let authorities = verifier.root_subjects();
    if !authorities.is_empty() {
        extensions.push(Extension::CertificateAuthorities(authorities));
    }
    send(
        cx,
        transcript,
        HandshakePayload::CertificateRequestTls13(CertificateRequestTls13 {
            // RFC 8446 §4.3.2: "SHALL be zero length unless used for the
            // post-handshake authentication".
            context: Bytes(Vec::new()),
            extensions,
        }),
    );
    schemes
}

/// RFC 8446 §4.4.2: our chain, end-entity first, with an empty request context.
fn emit_certificate(cx: &mut CommonState, transcript: &mut TranscriptHash, key: &CertifiedKey) {
    let entries = key
        .chain()
        .iter()
        .map(|c| CertificateEntry {
            cert_data: Bytes::from(c.as_ref()),
            extensions: Extensions::default(),
        })
        .collect();
    send(
        cx,
        transcript,
        HandshakePayload::CertificateTls13(CertificateTls13 {
            context: Bytes(Vec::new()),
            entries,
        }),
    );
}

/// RFC 8446 §4.4.3: a signature over the transcript through Certificate,
/// with the scheme chosen from the client's signature_algorithms.
fn emit_certificate_verify(
    cx: &mut CommonState,
    transcript: &mut TranscriptHash,
    selected: &Selected,
    rng: &dyn SecureRandom,
) -> Result<(), Error> {
    let content = tls13_certificate_verify_content(Signer::Server, transcript.current().as_ref());
    let signature = selected.key.key().sign(selected.scheme, &content, rng)?;
    send(
        cx,
        transcript,
        HandshakePayload::CertificateVerify(CertificateVerify {
            scheme: selected.scheme,
            signature: Bytes(signature),
        }),
    );
    Ok(())
}

/// RFC 8446 §4.4.4: `verify_data = HMAC(finished_key,
/// Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*))`.
fn emit_finished(
    cx: &mut CommonState,
    transcript: &mut TranscriptHash,
    server_hs: &HandshakeTrafficSecret,
) -> Result<(), Error> {
    let verify_data = server_hs.finished_key()?.verify_data(&transcript.current());
    send(
        cx,
        transcript,
        HandshakePayload::Finished(Finished {
            verify_data: Bytes::from(verify_data.as_ref()),
        }),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;

    #[test]
    fn alpn_by_server_preference() {
        let offered = [Bytes::new(b"http/1.1".to_vec()), Bytes::new(b"h2".to_vec())];
        let ours = [b"h2".to_vec(), b"http/1.1".to_vec()];
        assert_eq!(
            choose_alpn(Some(&offered), &ours).unwrap(),
            Some(b"h2".to_vec())
        );
        assert_eq!(choose_alpn(None, &ours).unwrap(), None);
        assert_eq!(choose_alpn(Some(&offered), &[]).unwrap(), None);
        let err = choose_alpn(Some(&offered), &[b"spdy".to_vec()]).unwrap_err();
        assert_eq!(err.alert(), Some(AlertDescription::NoApplicationProtocol));
    }
}
