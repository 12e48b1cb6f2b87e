//! The TLS 1.3 client after the ServerHello (RFC 8446 §2, §4.3, §4.4):
//! EncryptedExtensions, the server's Certificate (after an optional
//! CertificateRequest), CertificateVerify and Finished; then the client's
//! second flight and the traffic phase (§4.6).

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName as PkiServerName, UnixTime};

use super::{unexpected, State};
use crate::auth::{
    tls13_certificate_verify_content, Offer, Selected, ServerCertVerified, SignatureVerified,
    Signer,
};
use crate::codec::Bytes;
use crate::config::ClientConfig;
use crate::conn::common::CommonState;
use crate::crypto::kx::SharedSecret;
use crate::crypto::suites::Tls13Suite;
use crate::error::{Error, InvalidMessage, LocalError, PeerMisbehaved};
use crate::handshake::traffic13::{cipher_for, Traffic13};
use crate::keys::tls13::{EarlySecret, HandshakeSecret};
use crate::keys::tls13_traffic::HandshakeTrafficSecret;
use crate::keys::transcript::TranscriptHash;
use crate::msgs::certificate::{CertificateEntry, CertificateTls13};
use crate::msgs::certificate_request::CertificateRequestTls13;
use crate::msgs::certificate_verify::DigitallySigned;
use crate::msgs::enums::{ExtensionType, ProtocolVersion};
use crate::msgs::extensions::{ExtensionContext, Extensions};
use crate::msgs::finished::Finished;
use crate::msgs::handshake::{DecodeContext, HandshakeMessage, HandshakePayload};
use crate::trace::Protection;

/// Proof that the server's Finished verified; only
/// [`ExpectFinished::handle`] makes one.
mod proof {
    #[derive(Debug)]
    pub(crate) struct FinishedVerified(());

    impl FinishedVerified {
        /// Called only once the verify_data matched.
        pub(super) fn after_check() -> Self {
            Self(())
        }
    }
}
use proof::FinishedVerified;

/// What the handshake carries from the ServerHello to the Finished.
pub(crate) struct Hs13 {
    config: Arc<ClientConfig>,
    server_name: PkiServerName<'static>,
    suite: Tls13Suite,
    transcript: TranscriptHash,
    secret: HandshakeSecret,
    client_hs: HandshakeTrafficSecret,
    server_hs: HandshakeTrafficSecret,
    /// The extension types of our ClientHello: a server may only answer those.
    offered: Vec<ExtensionType>,
}

impl Hs13 {
    /// Derives the handshake secrets (RFC 8446 §7.1) from the (EC)DHE
    /// secret and the transcript up to the ServerHello, and switches both
    /// directions to the handshake keys.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start(
        cx: &mut CommonState,
        config: Arc<ClientConfig>,
        server_name: PkiServerName<'static>,
        suite: Tls13Suite,
        transcript: TranscriptHash,
        shared: &SharedSecret,
        offered: Vec<ExtensionType>,
        sent_ccs: bool,
    ) -> Result<Self, Error> {
        let early = EarlySecret::new(suite.hash, None);
        let secret = early.into_handshake_secret(Some(shared.expose()))?;
        let hello_hash = transcript.current();
        let client_hs = secret.client_handshake_traffic_secret(&hello_hash)?;
        let server_hs = secret.server_handshake_traffic_secret(&hello_hash)?;
        cx.log_secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", client_hs.expose());
        cx.log_secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", server_hs.expose());

        cx.decode_ctx = DecodeContext::Tls13 {
            hash_len: suite.hash.output_len(),
        };
        cx.plaintext_version = ProtocolVersion::TLSv1_2;
        cx.set_decrypter(cipher_for(suite, &server_hs)?, Protection::Handshake)?;
        // RFC 8446 §D.4: in compatibility mode the client sends a dummy
        // ChangeCipherSpec "immediately before its second flight": that
        // flight (or an alert ending the handshake) is what we encrypt next.
        if config.middlebox_compat && !sent_ccs {
            cx.send_ccs()?;
        }
        cx.set_encrypter(cipher_for(suite, &client_hs)?, Protection::Handshake)?;

        Ok(Self {
            config,
            server_name,
            suite,
            transcript,
            secret,
            client_hs,
            server_hs,
            offered,
        })
    }
}

/// RFC 8446 §4.2: an extension not allowed in the message is
/// "illegal_parameter"; "Upon receiving such an extension [a response to
/// an extension not requested], an endpoint MUST abort the handshake with
/// an "unsupported_extension" alert."
fn check_answered(
    exts: &Extensions,
    ctx: ExtensionContext,
    offered: &[ExtensionType],
) -> Result<(), Error> {
    exts.check_allowed(ctx)?;
    match exts.types().find(|t| !offered.contains(t)) {
        Some(typ) => Err(PeerMisbehaved::UnsolicitedExtension { typ }.into()),
        None => Ok(()),
    }
}

/// Waiting for EncryptedExtensions (RFC 8446 §4.3.1).
pub(crate) struct ExpectEncryptedExtensions {
    hs: Hs13,
}

impl ExpectEncryptedExtensions {
    pub(crate) fn new(hs: Hs13) -> Self {
        Self { hs }
    }

    pub(crate) fn handle(
        self: Box<Self>,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        let HandshakePayload::EncryptedExtensions(ee) = msg.payload() else {
            return Err(unexpected("ExpectEncryptedExtensions", &msg));
        };
        let mut hs = self.hs;
        check_answered(
            &ee.extensions,
            ExtensionContext::EncryptedExtensions,
            &hs.offered,
        )?;
        if ee.extensions.alpn().is_some() {
            // RFC 7301 §3.1: the server's "ProtocolNameList" MUST contain
            // exactly one "ProtocolName"; it must be one we offered.
            let chosen = ee
                .extensions
                .selected_alpn()
                .ok_or(PeerMisbehaved::IllegalParameter {
                    what: "ALPN answer with other than one protocol",
                })?;
            if !hs.config.policy.alpn_protocols.contains(&chosen.0) {
                return Err(PeerMisbehaved::IllegalParameter {
                    what: "ALPN protocol not offered",
                }
                .into());
            }
            cx.negotiated.alpn = Some(chosen.0.clone());
        }
        // RFC 8449 §4: "an endpoint MUST NOT generate a protected record
        // with plaintext that is larger than the RecordSizeLimit value it
        // receives from its peer"; in TLS 1.3 the value counts the content
        // type byte. (check_answered made sure we offered the extension.)
        if let Some(limit) = ee.extensions.record_size_limit() {
            cx.max_fragment = cx.max_fragment.min(usize::from(limit).saturating_sub(1));
        }
        hs.transcript.add(msg.encoded());
        Ok(State::Certificate(Box::new(ExpectCertificate {
            hs,
            request: None,
        })))
    }
}

/// A CertificateRequest received (RFC 8446 §4.3.2), and our answer to it.
struct ClientAuth {
    context: Bytes,
    selected: Option<Selected>,
}

/// Waiting for the server's Certificate (RFC 8446 §4.4.2), or a
/// CertificateRequest before it (§4.3.2).
pub(crate) struct ExpectCertificate {
    hs: Hs13,
    request: Option<ClientAuth>,
}

impl ExpectCertificate {
    pub(crate) fn handle(
        self: Box<Self>,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        match msg.payload() {
            HandshakePayload::CertificateRequestTls13(req) if self.request.is_none() => {
                self.handle_request(req, &msg)
            }
            HandshakePayload::CertificateTls13(cert) => self.handle_certificate(cx, cert, &msg),
            _ => Err(unexpected("ExpectCertificate", &msg)),
        }
    }

    fn handle_request(
        self: Box<Self>,
        req: &CertificateRequestTls13,
        msg: &HandshakeMessage,
    ) -> Result<State, Error> {
        // RFC 8446 §4.3.2: "certificate_request_context ... SHALL be zero
        // length unless used for the post-handshake authentication".
        if !req.context.0.is_empty() {
            return Err(PeerMisbehaved::IllegalParameter {
                what: "certificate_request_context in the handshake",
            }
            .into());
        }
        req.extensions
            .check_allowed(ExtensionContext::CertificateRequest)?;
        // RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be
        // specified".
        let schemes =
            req.extensions
                .signature_algorithms()
                .ok_or(PeerMisbehaved::MissingExtension {
                    what: "signature_algorithms in CertificateRequest",
                })?;
        let mut hs = self.hs;
        let selected = hs.config.client_auth.as_ref().and_then(|chooser| {
            chooser.choose(&Offer {
                version: ProtocolVersion::TLSv1_3,
                signature_schemes: schemes,
                signature_schemes_cert: req.extensions.signature_algorithms_cert(),
                certificate_authorities: req.extensions.certificate_authorities().unwrap_or(&[]),
            })
        });
        hs.transcript.add(msg.encoded());
        Ok(State::Certificate(Box::new(ExpectCertificate {
            hs,
            request: Some(ClientAuth {
                context: req.context.clone(),
                selected,
            }),
        })))
    }

    fn handle_certificate(
        self: Box<Self>,
        cx: &mut CommonState,
        cert: &CertificateTls13,
        msg: &HandshakeMessage,
    ) -> Result<State, Error> {
        // RFC 8446 §4.4.2: "In the case of server authentication, this
        // field SHALL be zero length."
        if !cert.context.0.is_empty() {
            return Err(PeerMisbehaved::IllegalParameter {
                what: "certificate_request_context in the server's Certificate",
            }
            .into());
        }
        // RFC 8446 §4.4.2.4: "If the server supplies an empty Certificate
        // message, the client MUST abort the handshake with a
        // "decode_error" alert."
        if cert.entries.is_empty() {
            return Err(InvalidMessage::LengthOutOfRange {
                what: "server certificate_list",
                len: 0,
                floor: 1,
                ceiling: 0xff_ffff,
            }
            .into());
        }
        let mut hs = self.hs;
        // RFC 8446 §4.4.2: "Extensions in the Certificate message from the
        // server MUST correspond to ones from the ClientHello message."
        for entry in &cert.entries {
            check_answered(
                &entry.extensions,
                ExtensionContext::Certificate,
                &hs.offered,
            )?;
        }
        let chain: Vec<CertificateDer<'static>> = cert
            .certificates()
            .map(|c| CertificateDer::from(c.to_vec()))
            .collect();
        let verified = hs
            .config
            .verifier
            .verify_chain(&chain, &hs.server_name, UnixTime::now())?;
        cx.negotiated.peer_certificates = chain.clone();
        hs.transcript.add(msg.encoded());
        Ok(State::CertificateVerify(Box::new(
            ExpectCertificateVerify {
                hs,
                request: self.request,
                chain,
                verified,
            },
        )))
    }
}

/// Waiting for the server's CertificateVerify (RFC 8446 §4.4.3).
pub(crate) struct ExpectCertificateVerify {
    hs: Hs13,
    request: Option<ClientAuth>,
    chain: Vec<CertificateDer<'static>>,
    verified: ServerCertVerified,
}

impl ExpectCertificateVerify {
    pub(crate) fn handle(
        self: Box<Self>,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        let HandshakePayload::CertificateVerify(cv) = msg.payload() else {
            return Err(unexpected("ExpectCertificateVerify", &msg));
        };
        let mut this = *self;
        let end_entity = this.chain.first().ok_or(LocalError::Internal {
            what: "verified chain without an end-entity certificate",
        })?;
        // RFC 8446 §4.4.3: the signature covers the transcript up to the
        // Certificate, with the server's context string; its scheme must
        // be one we offered in signature_algorithms.
        let content =
            tls13_certificate_verify_content(Signer::Server, this.hs.transcript.current().as_ref());
        let signature = this.hs.config.verifier.verify_tls13_signature(
            end_entity,
            cv.scheme,
            &this.hs.config.policy.signature_schemes,
            &content,
            &cv.signature.0,
        )?;
        cx.negotiated.signature_scheme = Some(cv.scheme);
        this.hs.transcript.add(msg.encoded());
        Ok(State::Finished(Box::new(ExpectFinished {
            hs: this.hs,
            request: this.request,
            cert: this.verified,
            signature,
        })))
    }
}

/// Waiting for the server's Finished (RFC 8446 §4.4.4).
pub(crate) struct ExpectFinished {
    hs: Hs13,
    request: Option<ClientAuth>,
    cert: ServerCertVerified,
    signature: SignatureVerified,
}

impl ExpectFinished {
    pub(crate) fn handle(
        self: Box<Self>,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        let HandshakePayload::Finished(fin) = msg.payload() else {
            return Err(unexpected("ExpectFinished", &msg));
        };
        let this = *self;
        let mut hs = this.hs;
        // RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify
        // that the contents are correct and if incorrect MUST terminate
        // the connection with a "decrypt_error" alert."
        hs.server_hs
            .finished_key()?
            .verify(&hs.transcript.current(), &fin.verify_data.0)
            .map_err(|_| PeerMisbehaved::BadVerifyData {
                what: "server Finished",
            })?;
        let finished = FinishedVerified::after_check();
        hs.transcript.add(msg.encoded());

        // RFC 8446 §7.1: the application secrets and the exporter secret
        // hash the transcript up to the server Finished.
        let server_finished_hash = hs.transcript.current();
        let suite = hs.suite;
        let master = hs.secret.into_master_secret()?;
        let client_ap = master.client_application_traffic_secret(&server_finished_hash)?;
        let server_ap = master.server_application_traffic_secret(&server_finished_hash)?;
        let exporter = master.exporter_master_secret(&server_finished_hash)?;
        cx.log_secret("CLIENT_TRAFFIC_SECRET_0", client_ap.expose());
        cx.log_secret("SERVER_TRAFFIC_SECRET_0", server_ap.expose());
        cx.log_secret("EXPORTER_SECRET", exporter.expose());

        let traffic = Traffic13::new(suite, client_ap, server_ap);
        // What follows the server Finished is under the application keys;
        // RFC 8446 §5: a ChangeCipherSpec is no longer acceptable.
        traffic.install_recv(cx)?;
        cx.ignore_compat_ccs = false;

        if let Some(request) = this.request {
            emit_client_auth(cx, &mut hs.transcript, &hs.config, request)?;
        }
        emit_finished(cx, &mut hs.transcript, &hs.client_hs)?;
        traffic.install_send(cx)?;
        cx.start_traffic()?;

        Ok(State::Traffic(Box::new(ExpectTraffic {
            traffic,
            _cert: this.cert,
            _signature: this.signature,
            _finished: finished,
        })))
    }
}

/// RFC 8446 §4.4.2: "If the server requests client authentication but no
/// suitable certificate is available, the client MUST send a Certificate
/// message containing no certificates"; otherwise Certificate and
/// CertificateVerify (§4.4.3) with the client's context string.
fn emit_client_auth(
    cx: &mut CommonState,
    transcript: &mut TranscriptHash,
    config: &ClientConfig,
    request: ClientAuth,
) -> Result<(), Error> {
    let entries = request.selected.as_ref().map_or_else(Vec::new, |s| {
        s.key
            .chain()
            .iter()
            .map(|c| CertificateEntry {
                cert_data: Bytes(c.as_ref().to_vec()),
                extensions: Extensions::default(),
            })
            .collect()
    });
    // RFC 8446 §4.4.2: the context echoes the CertificateRequest's.
    let cert = HandshakeMessage::new(HandshakePayload::CertificateTls13(CertificateTls13 {
        context: request.context,
        entries,
    }));
    cx.send_handshake(&cert);
    transcript.add(cert.encoded());

    let Some(selected) = request.selected else {
        return Ok(());
    };
    let content = tls13_certificate_verify_content(Signer::Client, transcript.current().as_ref());
    let signature = selected
        .key
        .key()
        .sign(selected.scheme, &content, &*config.hooks.rng)?;
    let cv = HandshakeMessage::new(HandshakePayload::CertificateVerify(DigitallySigned {
        scheme: selected.scheme,
        signature: Bytes(signature),
    }));
    cx.send_handshake(&cv);
    transcript.add(cv.encoded());
    cx.negotiated.client_auth = true;
    Ok(())
}

/// RFC 8446 §4.4.4: the client's Finished, over the transcript up to its
/// last message.
fn emit_finished(
    cx: &mut CommonState,
    transcript: &mut TranscriptHash,
    client_hs: &HandshakeTrafficSecret,
) -> Result<(), Error> {
    let verify_data = client_hs.finished_key()?.verify_data(&transcript.current());
    let fin = HandshakeMessage::new(HandshakePayload::Finished(Finished {
        verify_data: Bytes(verify_data.as_ref().to_vec()),
    }));
    cx.send_handshake(&fin);
    transcript.add(fin.encoded());
    Ok(())
}

/// The handshake is done: application data flows (RFC 8446 §4.6). Its
/// fields hold the proofs that every check of the server was made.
pub(crate) struct ExpectTraffic {
    traffic: Traffic13,
    _cert: ServerCertVerified,
    _signature: SignatureVerified,
    _finished: FinishedVerified,
}

impl ExpectTraffic {
    pub(crate) fn handle(
        mut self: Box<Self>,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        match msg.payload() {
            // Resumption is not offered yet: tickets are accepted and
            // dropped (RFC 8446 §4.6.1 lets a client ignore them).
            HandshakePayload::NewSessionTicketTls13(_) => {}
            HandshakePayload::KeyUpdate(ku) => self.traffic.handle_key_update(cx, ku)?,
            _ => return Err(unexpected("ExpectTraffic", &msg)),
        }
        Ok(State::Traffic(self))
    }

    /// Application data arrived: KeyUpdates are no longer in a row.
    pub(crate) fn application_data(&mut self) {
        self.traffic.made_progress();
    }

    pub(crate) fn update_send_key(
        &mut self,
        cx: &mut CommonState,
        request_peer: bool,
    ) -> Result<(), Error> {
        self.traffic.update_send(cx, request_peer)
    }
}
