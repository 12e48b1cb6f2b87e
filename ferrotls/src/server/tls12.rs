//! The TLS 1.2 server's answer to a ClientHello (RFC 5246 §7.3):
//!
//! ```text
//! ClientHello  -->  ServerHello, Certificate, ServerKeyExchange*,
//!                   CertificateRequest*, ServerHelloDone
//! ```
//!
//! [`start`] settles everything that can fail on the ClientHello first,
//! then calls one `emit_*` function per message. The states waiting for
//! the client's flight are in `tls12_finish.rs`.

use std::sync::Arc;

use super::flight::choose_alpn;
use super::tls12_choose::{check_hello, choose, Choice, Exchange};
use super::tls12_finish::{ExpectCertificate, ExpectClientKeyExchange, Handshake12, KeyExchange};
use super::tls12_resume::{emit_abbreviated, find_session, Resumable};
use super::State;
use crate::auth::{tls12_server_key_exchange_content, ClientCertVerifier, TLS12_VERIFY_SCHEMES};
use crate::codec::Bytes;
use crate::config::ServerConfig;
use crate::conn::common::CommonState;
use crate::crypto::kx::ffdhe_prime;
use crate::crypto::rand::{random_array, SecureRandom};
use crate::error::{Error, LocalError, PeerMisbehaved};
use crate::keys::transcript::{TranscriptBuffer, TranscriptHash};
use crate::msgs::certificate::CertificateTls12;
use crate::msgs::certificate_request::CertificateRequestTls12;
use crate::msgs::certificate_verify::DigitallySigned;
use crate::msgs::client_hello::ClientHello;
use crate::msgs::enums::{
    ClientCertificateType, CompressionMethod, EcPointFormat, ProtocolVersion, SignatureScheme,
};
use crate::msgs::extensions::{Extension, Extensions};
use crate::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use crate::msgs::key_exchange::{
    KeyExchangeKind, ServerDhParams, ServerEcdhParams, ServerKeyExchange, ServerKeyExchangeParams,
};
use crate::msgs::server_hello::{DowngradeSentinel, ServerHello};
use crate::session::id_cache::new_session_id;
use crate::session::SessionKeys;

/// Sends one handshake message and adds it to the transcript.
pub(super) fn send(
    cx: &mut CommonState,
    transcript: &mut TranscriptHash,
    payload: HandshakePayload,
) {
    let msg = HandshakeMessage::new(payload);
    transcript.add(msg.encoded());
    cx.send_handshake(&msg);
}

/// The wire shape of a suite's key exchange messages.
pub(super) fn kx_kind(suite: &crate::crypto::suites::Tls12Suite) -> KeyExchangeKind {
    use crate::crypto::suites::KeyExchangeAlgorithm as K;
    match suite.kx {
        K::Ecdhe => KeyExchangeKind::Ecdhe,
        K::Dhe => KeyExchangeKind::Dhe,
        K::Rsa => KeyExchangeKind::Rsa,
    }
}

/// A ClientHello for which TLS 1.2 was negotiated: runs the server's
/// flight and returns the state waiting for the client's.
pub(crate) fn start(
    cx: &mut CommonState,
    config: Arc<ServerConfig>,
    msg: &HandshakeMessage,
    ch: &ClientHello,
) -> Result<State, Error> {
    let rng: &dyn SecureRandom = &*config.hooks.rng;
    cx.client_random = ch.random;
    let secure_renegotiation = check_hello(ch, &config)?;
    let exts = ch.extensions();
    let alpn = choose_alpn(exts.alpn(), &config.policy.alpn_protocols)?;
    let ems = exts.extended_master_secret();
    let sni = exts.host_name();
    if let Some(resumable) = find_session(ch, &config)? {
        return resume(cx, config, msg, ch, resumable, alpn, secure_renegotiation);
    }
    let choice = choose(ch, &config)?;

    let n = &mut cx.negotiated;
    n.version = Some(ProtocolVersion::TLSv1_2);
    n.cipher_suite = Some(choice.suite.suite);
    n.alpn = alpn.clone();
    n.server_name = sni.map(str::to_owned);
    match &choice.exchange {
        Exchange::Ephemeral { group, selected } => {
            n.group = Some(group.named_group());
            n.signature_scheme = Some(selected.scheme);
        }
        Exchange::Rsa(_) => {
            n.group = None;
            n.signature_scheme = None;
        }
    }
    cx.decode_ctx = DecodeContext::Tls12 {
        kx: kx_kind(&choice.suite),
    };
    // RFC 5246 §7.4.8: a client's CertificateVerify signs the handshake
    // messages themselves, so they are kept while one may come.
    let mut buffer = TranscriptBuffer::new();
    buffer.add(msg.encoded());
    let transcript = match config.client_verifier {
        Some(_) => buffer.start_hash_keeping_messages(choice.suite.hash),
        None => buffer.start_hash(choice.suite.hash),
    };

    // RFC 5246 §7.4.1.3: a session ID names the new session in our
    // cache; without a cache, an empty one says it will not be resumed.
    let session_id = match config.session_cache {
        Some(_) => Bytes(new_session_id(rng)?.to_vec()),
        None => Bytes(Vec::new()),
    };
    let mut hs = Handshake12 {
        config: Arc::clone(&config),
        suite: choice.suite,
        client_version: ch.legacy_version,
        client_random: ch.random,
        server_random: server_random(&config, rng)?,
        session_id,
        ems,
        secure_renegotiation,
        // RFC 5077 §3.2: a client that sent the SessionTicket extension
        // (empty or not) may get a new ticket.
        issue_ticket: exts.session_ticket().is_some() && config.ticket_keys.is_some(),
        transcript,
    };

    emit_server_hello(
        cx,
        &mut hs,
        ServerHelloAnswers {
            ec_point_formats: exts.ec_point_formats().is_some()
                && choice.suite.kx == crate::crypto::suites::KeyExchangeAlgorithm::Ecdhe,
            ack_server_name: sni.is_some(),
            alpn,
        },
    );
    emit_certificate(cx, &mut hs.transcript, &choice);
    let kx = emit_server_key_exchange(cx, &mut hs, &choice, rng)?;
    let offered = config.client_verifier.as_ref().map(|v| {
        (
            Arc::clone(v),
            emit_certificate_request(cx, &mut hs.transcript, v, &config),
        )
    });
    send(cx, &mut hs.transcript, HandshakePayload::ServerHelloDone);
    Ok(match offered {
        Some((verifier, offered)) => State::Tls12Certificate(Box::new(ExpectCertificate {
            hs,
            kx,
            verifier,
            offered,
        })),
        None => State::Tls12ClientKeyExchange(Box::new(ExpectClientKeyExchange {
            hs,
            kx,
            client: None,
        })),
    })
}

/// Our random. RFC 8446 §4.1.3: "TLS 1.3 servers which negotiate TLS 1.2
/// or below in response to a ClientHello MUST set the last 8 bytes of
/// their Random value specially ... 44 4F 57 4E 47 52 44 01".
fn server_random(config: &ServerConfig, rng: &dyn SecureRandom) -> Result<[u8; 32], Error> {
    let mut random: [u8; 32] = random_array(rng)?;
    if config.policy.supports(ProtocolVersion::TLSv1_3) {
        DowngradeSentinel::Tls12.apply(&mut random);
    }
    Ok(random)
}

/// The abbreviated handshake (RFC 5246 §7.3) for a session we may resume:
/// RFC 5246 §7.4.1.3 "the server ... responds with the same value as was
/// supplied by the client" as session ID, and the session's suite; RFC
/// 5077 §3.4: "If the server accepts the ticket and the Session ID is not
/// empty, then it MUST respond with the same Session ID present in the
/// ClientHello."
fn resume(
    cx: &mut CommonState,
    config: Arc<ServerConfig>,
    msg: &HandshakeMessage,
    ch: &ClientHello,
    resumable: Resumable,
    alpn: Option<Vec<u8>>,
    secure_renegotiation: bool,
) -> Result<State, Error> {
    let rng: &dyn SecureRandom = &*config.hooks.rng;
    let SessionKeys::Tls12 { suite, .. } = resumable.session.keys else {
        return Err(LocalError::Internal {
            what: "TLS 1.2 resumption of another version's session",
        }
        .into());
    };
    let exts = ch.extensions();
    let sni = exts.host_name();
    let n = &mut cx.negotiated;
    n.version = Some(ProtocolVersion::TLSv1_2);
    n.cipher_suite = Some(suite.suite);
    n.alpn = alpn.clone();
    n.server_name = sni.map(str::to_owned);
    cx.decode_ctx = DecodeContext::Tls12 {
        kx: kx_kind(&suite),
    };
    let mut transcript = TranscriptHash::new(suite.hash);
    transcript.add(msg.encoded());
    let mut hs = Handshake12 {
        config: Arc::clone(&config),
        suite,
        client_version: ch.legacy_version,
        client_random: ch.random,
        server_random: server_random(&config, rng)?,
        session_id: ch.legacy_session_id.clone(),
        // find_session allows only a resumption with the extension on
        // both sides (RFC 7627 §5.3).
        ems: true,
        secure_renegotiation,
        issue_ticket: false,
        transcript,
    };
    emit_server_hello(
        cx,
        &mut hs,
        ServerHelloAnswers {
            ec_point_formats: false,
            // RFC 6066 §3: "When resuming a session, the server MUST NOT
            // include a server_name extension in the server hello."
            ack_server_name: false,
            alpn,
        },
    );
    emit_abbreviated(cx, hs, resumable)
}

/// What the ServerHello answers, settled from the ClientHello.
struct ServerHelloAnswers {
    ec_point_formats: bool,
    ack_server_name: bool,
    alpn: Option<Vec<u8>>,
}

/// RFC 5246 §7.4.1.3: our random, the session ID, the suite, null
/// compression, and an extension only for each one the client sent
/// (RFC 5246 §7.4.1.4: "the server MUST NOT send an extension response
/// unless the same extension type appeared in the corresponding
/// ClientHello").
fn emit_server_hello(cx: &mut CommonState, hs: &mut Handshake12, answers: ServerHelloAnswers) {
    let mut exts = Extensions::default();
    // RFC 5746 §3.6: a client that signalled secure renegotiation gets
    // "an empty "renegotiation_info" extension".
    if hs.secure_renegotiation {
        exts.push(Extension::RenegotiationInfo(Bytes(Vec::new())));
    }
    // RFC 7627 §5.2: a server that uses the extended master secret
    // "MUST include an empty "extended_master_secret" extension".
    if hs.ems {
        exts.push(Extension::ExtendedMasterSecret);
    }
    // RFC 8422 §5.2: the server's ec_point_formats lists what it can
    // parse; only uncompressed (§5.1.2).
    if answers.ec_point_formats {
        exts.push(Extension::EcPointFormats(vec![EcPointFormat::Uncompressed]));
    }
    // RFC 6066 §3: an empty server_name says the name was used.
    if answers.ack_server_name {
        exts.push(Extension::ServerNameAck);
    }
    if let Some(proto) = answers.alpn {
        exts.push(Extension::Alpn(vec![Bytes(proto)]));
    }
    // RFC 5077 §3.2: an empty SessionTicket extension promises a
    // NewSessionTicket.
    if hs.issue_ticket {
        exts.push(Extension::SessionTicket(Bytes(Vec::new())));
    }
    let sh = ServerHello {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: hs.server_random,
        legacy_session_id_echo: hs.session_id.clone(),
        cipher_suite: hs.suite.suite,
        legacy_compression_method: CompressionMethod::Null,
        extensions: (!exts.is_empty()).then_some(exts),
    };
    send(cx, &mut hs.transcript, HandshakePayload::ServerHello(sh));
}

/// RFC 5246 §7.4.2: our chain, end-entity first.
fn emit_certificate(cx: &mut CommonState, transcript: &mut TranscriptHash, choice: &Choice) {
    let chain = choice
        .certified()
        .chain()
        .iter()
        .map(|c| Bytes::from(c.as_ref()))
        .collect();
    send(
        cx,
        transcript,
        HandshakePayload::CertificateTls12(CertificateTls12 { chain }),
    );
}

/// RFC 5246 §7.4.3 / RFC 8422 §5.4: our ephemeral share, signed over
/// `client_random + server_random + params`; static RSA sends nothing
/// ("It is not legal to send the server key exchange message for ...
/// RSA"). RFC 7919 §4: DHE uses the named group's p and g = 2.
fn emit_server_key_exchange(
    cx: &mut CommonState,
    hs: &mut Handshake12,
    choice: &Choice,
    rng: &dyn SecureRandom,
) -> Result<KeyExchange, Error> {
    let (group, selected) = match &choice.exchange {
        Exchange::Rsa(key) => return Ok(KeyExchange::Rsa(Arc::clone(key))),
        Exchange::Ephemeral { group, selected } => (*group, selected),
    };
    let active = group.start(rng)?;
    let public = Bytes::from(active.public_share());
    let params = match ffdhe_prime(group) {
        Some(p) => ServerKeyExchangeParams::Dhe(ServerDhParams {
            p: Bytes(p),
            g: Bytes(vec![2]),
            ys: public,
        }),
        None => ServerKeyExchangeParams::Ecdhe(ServerEcdhParams {
            group: group.named_group(),
            public,
        }),
    };
    let content =
        tls12_server_key_exchange_content(&hs.client_random, &hs.server_random, &params.to_bytes());
    let signature = selected.key.key().sign(selected.scheme, &content, rng)?;
    send(
        cx,
        &mut hs.transcript,
        HandshakePayload::ServerKeyExchange(ServerKeyExchange::new(
            params,
            DigitallySigned {
                scheme: selected.scheme,
                signature: Bytes(signature),
            },
        )),
    );
    Ok(KeyExchange::Ephemeral(active))
}

/// RFC 5246 §7.4.4: the certificate types (RFC 8422 §5.5 adds
/// ecdsa_sign), the schemes we verify, and the names of our CAs. Returns
/// the schemes, which the client's CertificateVerify must use (§7.4.8).
fn emit_certificate_request(
    cx: &mut CommonState,
    transcript: &mut TranscriptHash,
    verifier: &ClientCertVerifier,
    config: &ServerConfig,
) -> Vec<SignatureScheme> {
    let schemes: Vec<SignatureScheme> = config
        .policy
        .signature_schemes
        .iter()
        .copied()
        .filter(|s| TLS12_VERIFY_SCHEMES.contains(s))
        .collect();
    send(
        cx,
        transcript,
        HandshakePayload::CertificateRequestTls12(CertificateRequestTls12 {
            certificate_types: vec![
                ClientCertificateType::RsaSign,
                ClientCertificateType::EcdsaSign,
            ],
            signature_schemes: schemes.clone(),
            certificate_authorities: verifier.root_subjects(),
        }),
    );
    schemes
}

/// The ClientHello of a connection whose TLS 1.2 handshake is done: a
/// renegotiation, which ferrotls does not do. RFC 5746 §4.4 / RFC 5246
/// §7.2.2: the server answers with a `no_renegotiation` warning and the
/// connection goes on.
pub(super) fn refuse_renegotiation(cx: &mut CommonState) {
    cx.send_alert(
        crate::msgs::enums::AlertLevel::Warning,
        crate::msgs::enums::AlertDescription::NoRenegotiation,
    );
}

/// A TLS 1.2 ClientHello after a HelloRetryRequest cannot be (the retry
/// was for TLS 1.3): RFC 8446 §4.1.4 "the client MUST send the same
/// ClientHello" apart from what may change.
pub(crate) fn not_after_retry() -> Error {
    PeerMisbehaved::Inconsistent {
        what: "second ClientHello without TLS 1.3 after a HelloRetryRequest",
    }
    .into()
}
