//! The TLS 1.2 client after the ServerHello (RFC 5246 §7.3 full handshake):
//! the server's Certificate, ServerKeyExchange (signed (EC)DHE parameters,
//! RFC 5246 §7.4.3, RFC 8422 §5.4), an optional CertificateRequest and the
//! ServerHelloDone; then our flight (`tls12_flight.rs`).
//!
//! ```text
//!   ClientHello        -------->
//!                                          ServerHello
//!                                          Certificate
//!                                    ServerKeyExchange*
//!                                   CertificateRequest*
//!                      <--------       ServerHelloDone
//!   Certificate*
//!   ClientKeyExchange
//!   CertificateVerify*
//!   [ChangeCipherSpec]
//!   Finished           -------->
//!                                   [NewSessionTicket*]
//!                                   [ChangeCipherSpec]
//!                      <--------              Finished
//! ```
//!
//! A resumed session takes the abbreviated flow of `tls12_resume.rs`.

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName as PkiServerName, UnixTime};

use super::tls12_flight::{record_ciphers, ExpectCcs, ExpectServerDone, KeyExchange};
use super::tls12_resume::check_resumed;
use super::{unexpected, State};
use crate::auth::{
    tls12_server_key_exchange_content, verify_tls12_signature, ServerCertVerified,
    SignatureVerified,
};
use crate::codec::Bytes;
use crate::config::ClientConfig;
use crate::conn::common::CommonState;
use crate::crypto::kx::{dhe_client_custom, ffdhe_prime, KxGroup};
use crate::crypto::suites::{
    tls12_suite, AuthenticationAlgorithm, KeyExchangeAlgorithm, Tls12Suite,
};
use crate::error::{CryptoError, Error, InvalidMessage, LocalError, PeerMisbehaved};
use crate::keys::transcript::{TranscriptBuffer, TranscriptHash};
use crate::msgs::client_hello::ClientHello;
use crate::msgs::enums::{
    CompressionMethod, EcPointFormat, ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use crate::msgs::key_exchange::{
    ClientKeyExchange, KeyExchangeKind, ServerDhParams, ServerEcdhParams, ServerKeyExchangeParams,
};
use crate::msgs::server_hello::ServerHello;
use crate::msgs::tickets::NewSessionTicketTls12;
use crate::session::Tls12Resumption;

/// Custom DHE groups shorter than this are refused with
/// insufficient_security (RFC 7919 §1 on weak groups; RFC 5246 §7.2.2).
pub(crate) const MIN_DH_BITS: usize = 2048;

/// Extensions a TLS 1.2 ServerHello may answer (each only if we offered
/// it): RFC 6066 §3 server_name, RFC 8422 §5.2 ec_point_formats, RFC 7627
/// extended_master_secret, RFC 5077 session_ticket, RFC 5746
/// renegotiation_info, RFC 7301 ALPN.
const SERVER_HELLO_12: &[ExtensionType] = &[
    ExtensionType::ServerName,
    ExtensionType::EcPointFormats,
    ExtensionType::ExtendedMasterSecret,
    ExtensionType::SessionTicket,
    ExtensionType::RenegotiationInfo,
    ExtensionType::ApplicationLayerProtocolNegotiation,
];

/// What the TLS 1.2 handshake carries from the ServerHello to the end.
pub(crate) struct Hs12 {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) suite: Tls12Suite,
    pub(crate) transcript: TranscriptHash,
    pub(crate) server_random: [u8; 32],
    /// Both sides sent extended_master_secret (RFC 7627 §5.2).
    pub(crate) ems: bool,
    /// The server announced a NewSessionTicket (RFC 5077 §3.2).
    pub(crate) ticket_expected: bool,
    /// The session ID of the ServerHello (RFC 5246 §7.4.1.3).
    pub(crate) session_id: Bytes,
    /// The NewSessionTicket received, if any (RFC 5077 §3.3).
    pub(crate) new_ticket: Option<NewSessionTicketTls12>,
}

/// The server chose TLS 1.2 (RFC 5246 §7.4.1.3): checks its ServerHello
/// against our ClientHello and waits for its Certificate.
#[allow(clippy::too_many_arguments)]
pub(crate) fn handle_server_hello(
    cx: &mut CommonState,
    config: Arc<ClientConfig>,
    server_name: PkiServerName<'static>,
    hello: &ClientHello,
    offered: Option<Tls12Resumption>,
    buffered: TranscriptBuffer,
    msg: &HandshakeMessage,
    sh: &ServerHello,
) -> Result<State, Error> {
    // RFC 5246 §7.4.1.3: "cipher_suite: The single cipher suite selected
    // by the server from the list in ClientHello.cipher_suites."
    let suite = tls12_suite(sh.cipher_suite)
        .filter(|_| hello.cipher_suites.contains(&sh.cipher_suite))
        .ok_or(PeerMisbehaved::IllegalParameter {
            what: "cipher suite not offered for TLS 1.2",
        })?;
    // RFC 5246 §7.4.1.3: the compression method is one we offered; we
    // offered only null.
    if sh.legacy_compression_method != CompressionMethod::Null {
        return Err(PeerMisbehaved::IllegalParameter {
            what: "compression method not offered",
        }
        .into());
    }
    // RFC 5246 §7.4.1.3: a ServerHello echoing our session ID resumes the
    // session; RFC 5077 §3.4: so does one accepting our ticket. Without an
    // offered session, an echo of our (compatibility-mode) session ID
    // would claim to resume a session we never had.
    let echoed = !sh.legacy_session_id_echo.0.is_empty()
        && sh.legacy_session_id_echo == hello.legacy_session_id;
    let resumed = match (echoed, offered) {
        (true, Some(offered)) => Some(offered),
        (true, None) => {
            return Err(PeerMisbehaved::IllegalParameter {
                what: "ServerHello resumes a session that was not offered",
            }
            .into())
        }
        (false, _) => None,
    };
    check_extensions(hello, sh)?;

    let exts = sh.extensions();
    // RFC 5746 §3.4: "The client MUST then verify that the length of the
    // "renegotiated_connection" field is zero, and if it is not, MUST
    // abort the handshake (by sending a fatal handshake_failure alert)."
    if exts.renegotiation_info().is_some_and(|r| !r.0.is_empty()) {
        return Err(PeerMisbehaved::HandshakeFailure {
            what: "renegotiation_info not empty on an initial handshake",
        }
        .into());
    }
    let ems = exts.extended_master_secret();
    if let Some(offered) = &resumed {
        check_resumed(&offered.session, sh.cipher_suite, ems)?;
    }
    // RFC 7627 §5.2: "If a client receives a ServerHello without the
    // extension, it SHOULD abort the handshake if it does not wish to
    // interoperate with legacy servers" (handshake_failure).
    if !ems && config.require_extended_master_secret {
        return Err(PeerMisbehaved::HandshakeFailure {
            what: "the server does not support extended_master_secret",
        }
        .into());
    }
    // RFC 8422 §5.2: a server's ec_point_formats "MUST contain the value 0
    // (uncompressed)", the only format we accept.
    if exts
        .ec_point_formats()
        .is_some_and(|f| !f.contains(&EcPointFormat::Uncompressed))
    {
        return Err(PeerMisbehaved::IllegalParameter {
            what: "ec_point_formats without uncompressed",
        }
        .into());
    }
    if exts.alpn().is_some() {
        // RFC 7301 §3.1: exactly one protocol, one we offered.
        let chosen = exts
            .selected_alpn()
            .filter(|p| config.policy.alpn_protocols.contains(&p.0))
            .ok_or(PeerMisbehaved::IllegalParameter {
                what: "ALPN answer is not one protocol we offered",
            })?;
        cx.negotiated.alpn = Some(chosen.0.clone());
    }

    // RFC 5246 §7.4.8: a client CertificateVerify signs the handshake
    // messages themselves, so keep them while we may have to send one.
    let mut transcript = match (&config.client_auth, &resumed) {
        (Some(_), None) => buffered.start_hash_keeping_messages(suite.hash),
        _ => buffered.start_hash(suite.hash),
    };
    transcript.add(msg.encoded());

    cx.negotiated.version = Some(ProtocolVersion::TLSv1_2);
    cx.negotiated.cipher_suite = Some(suite.suite);
    cx.negotiated.extended_master_secret = ems;
    cx.decode_ctx = DecodeContext::Tls12 {
        kx: kx_kind(suite.kx),
    };
    cx.plaintext_version = ProtocolVersion::TLSv1_2;
    // RFC 8446 §5 compatibility records do not exist in TLS 1.2: from now
    // on a ChangeCipherSpec is the real one or unexpected.
    cx.ignore_compat_ccs = false;

    let hs = Hs12 {
        config,
        suite,
        transcript,
        server_random: sh.random,
        ems,
        ticket_expected: exts.session_ticket().is_some(),
        session_id: sh.legacy_session_id_echo.clone(),
        new_ticket: None,
    };
    if let Some(offered) = resumed {
        return resume(cx, hs, offered);
    }
    Ok(State::Certificate12(Box::new(ExpectCertificate {
        hs,
        server_name,
    })))
}

/// RFC 5246 §7.3: the server resumed the session we offered; its
/// ChangeCipherSpec and Finished come next, under keys from the session's
/// master secret and the new randoms (§6.3).
fn resume(cx: &mut CommonState, hs: Hs12, offered: Tls12Resumption) -> Result<State, Error> {
    let master = offered
        .session
        .keys
        .master_secret()
        .ok_or(LocalError::Internal {
            what: "a TLS 1.3 session offered for TLS 1.2 resumption",
        })??;
    cx.log_secret("CLIENT_RANDOM", master.expose());
    cx.negotiated.resumed = true;
    let chain: Vec<CertificateDer<'static>> = offered
        .session
        .peer_certificates
        .iter()
        .map(|c| CertificateDer::from(c.0.clone()))
        .collect();
    cx.negotiated.peer_certificates = chain.clone();
    let (encrypter, decrypter) = record_ciphers(&hs, &master, &cx.client_random)?;
    Ok(State::Ccs12(Box::new(ExpectCcs::new(
        hs,
        master,
        decrypter,
        Some(encrypter),
        ServerIdentity::resumed(chain),
        None,
    ))))
}

fn kx_kind(kx: KeyExchangeAlgorithm) -> KeyExchangeKind {
    match kx {
        KeyExchangeAlgorithm::Ecdhe => KeyExchangeKind::Ecdhe,
        KeyExchangeAlgorithm::Dhe => KeyExchangeKind::Dhe,
        KeyExchangeAlgorithm::Rsa => KeyExchangeKind::Rsa,
    }
}

/// RFC 5246 §7.4.1.4: "If a client receives an extension type in
/// ServerHello that it did not request in the associated ClientHello, it
/// MUST abort the handshake with an unsupported_extension fatal alert."
/// An offered TLS 1.3-only extension in a TLS 1.2 ServerHello is
/// illegal_parameter.
fn check_extensions(hello: &ClientHello, sh: &ServerHello) -> Result<(), Error> {
    for typ in sh.extensions().types() {
        if !hello.extensions().contains(typ) {
            return Err(PeerMisbehaved::UnsolicitedExtension { typ }.into());
        }
        if !SERVER_HELLO_12.contains(&typ) {
            return Err(PeerMisbehaved::IllegalParameter {
                what: "a TLS 1.3 extension in a TLS 1.2 ServerHello",
            }
            .into());
        }
    }
    Ok(())
}

/// Waiting for the server's Certificate (RFC 5246 §7.4.2).
pub(crate) struct ExpectCertificate {
    hs: Hs12,
    server_name: PkiServerName<'static>,
}

impl ExpectCertificate {
    pub(crate) fn handle(
        self,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        let HandshakePayload::CertificateTls12(cert) = msg.payload() else {
            return Err(unexpected("ExpectCertificate (TLS 1.2)", &msg));
        };
        // Every suite we offer authenticates the server with a
        // certificate (RFC 5246 §7.4.2: "The server MUST send a
        // Certificate message whenever the agreed-upon key exchange method
        // uses certificates for authentication").
        if cert.chain.is_empty() {
            return Err(InvalidMessage::LengthOutOfRange {
                what: "server certificate_list",
                len: 0,
                floor: 1,
                ceiling: 0xff_ffff,
            }
            .into());
        }
        let mut hs = self.hs;
        let chain: Vec<CertificateDer<'static>> = cert
            .chain
            .iter()
            .map(|c| CertificateDer::from(c.0.clone()))
            .collect();
        let verified =
            hs.config
                .verifier
                .verify_chain(&chain, &self.server_name, UnixTime::now())?;
        cx.negotiated.peer_certificates = chain.clone();
        hs.transcript.add(msg.encoded());
        let server = ServerIdentity {
            chain,
            _verified: verified,
        };
        if hs.suite.kx == KeyExchangeAlgorithm::Rsa {
            // RFC 5246 §7.4.3: no ServerKeyExchange for static RSA; the
            // premaster secret is encrypted to the certificate's key.
            let spki = rsa_spki(&server)?;
            return Ok(State::ServerDone12(Box::new(ExpectServerDone::new(
                hs,
                server,
                KeyExchange::Rsa { spki },
                None,
            ))));
        }
        Ok(State::ServerKx12(Box::new(ExpectServerKx { hs, server })))
    }
}

/// The server's verified chain.
pub(crate) struct ServerIdentity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    _verified: ServerCertVerified,
}

impl ServerIdentity {
    /// The chain of a resumed session: verified when the session was made
    /// (RFC 5246 §7.3: an abbreviated handshake carries no Certificate).
    fn resumed(chain: Vec<CertificateDer<'static>>) -> Self {
        Self {
            chain,
            _verified: ServerCertVerified::assertion(),
        }
    }

    fn end_entity(&self) -> Result<&CertificateDer<'static>, Error> {
        self.chain.first().ok_or_else(|| {
            crate::error::LocalError::Internal {
                what: "verified chain without an end-entity certificate",
            }
            .into()
        })
    }
}

/// The SubjectPublicKeyInfo of the server's certificate, for RSA key
/// transport (RFC 5246 §7.4.7.1).
fn rsa_spki(server: &ServerIdentity) -> Result<Vec<u8>, Error> {
    let ee = webpki::EndEntityCert::try_from(server.end_entity()?)
        .map_err(crate::auth::verify::from_webpki)?;
    Ok(ee.subject_public_key_info().as_ref().to_vec())
}

/// Waiting for the ServerKeyExchange (RFC 5246 §7.4.3).
pub(crate) struct ExpectServerKx {
    hs: Hs12,
    server: ServerIdentity,
}

impl ExpectServerKx {
    pub(crate) fn handle(
        self,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        let HandshakePayload::ServerKeyExchange(ske) = msg.payload() else {
            return Err(unexpected("ExpectServerKeyExchange", &msg));
        };
        let mut hs = self.hs;
        let scheme = ske.signature().scheme;
        // RFC 5246 §7.4.3: the signature algorithm must fit the suite's
        // authentication (RSA suites: RSA keys; RFC 8422 §5.4 ECDSA
        // suites: ECDSA or EdDSA keys) and be one we offered in
        // signature_algorithms (§7.4.1.4.1).
        if !fits_suite(scheme, hs.suite.auth) {
            return Err(PeerMisbehaved::IllegalParameter {
                what: "ServerKeyExchange signature scheme does not fit the cipher suite",
            }
            .into());
        }
        let content = tls12_server_key_exchange_content(
            &cx.client_random,
            &hs.server_random,
            ske.signed_params(),
        );
        let signature = verify_tls12_signature(
            self.server.end_entity()?,
            scheme,
            &hs.config.policy.signature_schemes,
            &content,
            &ske.signature().signature.0,
        )?;
        cx.negotiated.signature_scheme = Some(scheme);

        let offered_groups: Vec<NamedGroup> = hs
            .config
            .policy
            .kx_groups()
            .map(KxGroup::named_group)
            .collect();
        let rng = &*hs.config.hooks.rng;
        let kx = match (ske.params(), hs.suite.kx) {
            (ServerKeyExchangeParams::Ecdhe(p), KeyExchangeAlgorithm::Ecdhe) => {
                ecdhe(p, &offered_groups, rng)?
            }
            (ServerKeyExchangeParams::Dhe(p), KeyExchangeAlgorithm::Dhe) => {
                dhe(p, &offered_groups, rng)?
            }
            _ => {
                return Err(PeerMisbehaved::IllegalParameter {
                    what: "ServerKeyExchange parameters of another key exchange",
                }
                .into())
            }
        };
        cx.negotiated.group = kx.group;
        hs.transcript.add(msg.encoded());
        Ok(State::ServerDone12(Box::new(ExpectServerDone::new(
            hs,
            self.server,
            KeyExchange::Ready {
                message: kx.message,
                premaster: kx.premaster,
            },
            Some(signature),
        ))))
    }
}

/// Whether a TLS 1.2 ServerKeyExchange signed with `scheme` can come from
/// a certificate of the suite's kind.
fn fits_suite(scheme: SignatureScheme, auth: AuthenticationAlgorithm) -> bool {
    use SignatureScheme as S;
    match auth {
        AuthenticationAlgorithm::Ecdsa => matches!(
            scheme,
            S::EcdsaSecp256r1Sha256
                | S::EcdsaSecp384r1Sha384
                | S::EcdsaSecp521r1Sha512
                | S::Ed25519
        ),
        AuthenticationAlgorithm::Rsa => matches!(
            scheme,
            S::RsaPkcs1Sha256
                | S::RsaPkcs1Sha384
                | S::RsaPkcs1Sha512
                | S::RsaPssRsaeSha256
                | S::RsaPssRsaeSha384
                | S::RsaPssRsaeSha512
        ),
    }
}

/// Our half of the key exchange, done: the ClientKeyExchange to send and
/// the premaster secret.
struct Agreed {
    group: Option<NamedGroup>,
    message: ClientKeyExchange,
    premaster: crate::crypto::kx::SharedSecret,
}

/// RFC 8422 §5.4, §5.10: ECDHE on a named curve we offered.
fn ecdhe(
    p: &ServerEcdhParams,
    offered: &[NamedGroup],
    rng: &dyn crate::crypto::rand::SecureRandom,
) -> Result<Agreed, Error> {
    // RFC 8422 §5.4: the curve must be one the client offered in
    // supported_groups (illegal_parameter otherwise).
    let group = KxGroup::from_named_group(p.group)
        .filter(|g| g.usable_in_tls12() && !g.is_ffdhe() && offered.contains(&p.group))
        .ok_or(PeerMisbehaved::IllegalParameter {
            what: "ServerKeyExchange curve not offered",
        })?;
    // RFC 8422 §5.1.2: only the uncompressed point format was offered, so
    // a NIST point must be 0x04 || X || Y of the curve's size; X25519
    // keys are 32 bytes (RFC 8422 §5.11).
    let uncompressed = match p.group {
        NamedGroup::X25519 => true,
        _ => p.public.0.first() == Some(&0x04),
    };
    if !uncompressed || p.public.0.len() != group.server_share_len() {
        return Err(CryptoError::InvalidPeerKey {
            group: group.name(),
        }
        .into());
    }
    let kx = group.start(rng)?;
    let message = ClientKeyExchange::Ecdhe {
        public: Bytes(kx.public_share().to_vec()),
    };
    // The provider rejects points not on the curve and X25519 results of
    // all zeros (RFC 8422 §5.11).
    let premaster = kx.complete_tls12(&p.public.0)?;
    Ok(Agreed {
        group: Some(p.group),
        message,
        premaster,
    })
}

/// RFC 5246 §7.4.3 with RFC 7919 §4: a named FFDHE group we offered is
/// recognised by its prime and generator 2; any other group must be at
/// least [`MIN_DH_BITS`] long (insufficient_security otherwise).
fn dhe(
    p: &ServerDhParams,
    offered: &[NamedGroup],
    rng: &dyn crate::crypto::rand::SecureRandom,
) -> Result<Agreed, Error> {
    let prime = strip_zeros(&p.p.0);
    let named = (strip_zeros(&p.g.0) == [2])
        .then(|| {
            KxGroup::ALL
                .iter()
                .copied()
                .find(|g| g.is_ffdhe() && ffdhe_prime(*g).is_some_and(|q| strip_zeros(&q) == prime))
        })
        .flatten();
    if let Some(group) = named.filter(|g| offered.contains(&g.named_group())) {
        let kx = group.start(rng)?;
        let message = ClientKeyExchange::Dhe {
            public: Bytes(kx.public_share().to_vec()),
        };
        // RFC 7919 §5.1: the provider checks 1 < Ys < p-1.
        let premaster = kx.complete_tls12(&p.ys.0).map_err(ys_out_of_range)?;
        return Ok(Agreed {
            group: Some(group.named_group()),
            message,
            premaster,
        });
    }
    let (public, premaster) =
        dhe_client_custom(&p.p.0, &p.g.0, &p.ys.0, MIN_DH_BITS, rng).map_err(ys_out_of_range)?;
    Ok(Agreed {
        group: None,
        message: ClientKeyExchange::Dhe {
            public: Bytes(public),
        },
        premaster,
    })
}

/// RFC 7919 §3: "If dh_Ys is not in this range, the client MUST terminate
/// the connection with a fatal handshake_failure(40) alert" (not the
/// illegal_parameter an invalid ECDHE point gets).
fn ys_out_of_range(e: CryptoError) -> Error {
    match e {
        CryptoError::InvalidPeerKey { .. } => PeerMisbehaved::HandshakeFailure {
            what: "dh_Ys out of range",
        }
        .into(),
        other => other.into(),
    }
}

fn strip_zeros(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    v.get(start..).unwrap_or_default()
}

/// Proof that the ServerKeyExchange signature verified; `None` only for
/// static RSA, where the server proves its key by decrypting (its Finished).
pub(crate) type KxSignature = Option<SignatureVerified>;
