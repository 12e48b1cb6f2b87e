//! The TLS 1.2 client from the ServerHelloDone on (RFC 5246 §7.3): our
//! flight (Certificate*, ClientKeyExchange, CertificateVerify*,
//! ChangeCipherSpec, Finished), then the server's NewSessionTicket*,
//! ChangeCipherSpec and Finished, and the traffic phase.

use std::sync::Arc;

use super::tls12::{Hs12, KxSignature, ServerIdentity};
use super::tls12_resume::{store_session, Learnt};
use super::{unexpected, State};
use crate::auth::{Offer, Selected};
use crate::codec::Bytes;
use crate::conn::common::{CommonState, MAX_IN_A_ROW};
use crate::crypto::aead::AeadAlgorithm;
use crate::crypto::kx::rsa::encrypt_premaster;
use crate::crypto::kx::SharedSecret;
use crate::error::{CertificateError, CryptoError, Error, LocalError, PeerMisbehaved};
use crate::keys::tls12::{KeyBlockLayout, MasterSecret};
use crate::msgs::certificate::CertificateTls12;
use crate::msgs::certificate_request::CertificateRequestTls12;
use crate::msgs::certificate_verify::DigitallySigned;
use crate::msgs::enums::{
    AlertDescription, AlertLevel, ClientCertificateType, ProtocolVersion, SignatureScheme,
};
use crate::msgs::finished::Finished;
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::key_exchange::ClientKeyExchange;
use crate::record::protect::RecordCipher;
use crate::session::ClientSessionStore;
use crate::trace::Protection;

/// Our side of the key exchange, as far as the server's messages settled it.
pub(crate) enum KeyExchange {
    /// (EC)DHE done when the ServerKeyExchange arrived.
    Ready {
        message: ClientKeyExchange,
        premaster: SharedSecret,
    },
    /// Static RSA: the premaster secret is made and encrypted to this
    /// SubjectPublicKeyInfo when we send the ClientKeyExchange.
    Rsa { spki: Vec<u8> },
}

/// Waiting for a CertificateRequest (RFC 5246 §7.4.4) or the
/// ServerHelloDone (§7.4.5).
pub(crate) struct ExpectServerDone {
    hs: Hs12,
    server: ServerIdentity,
    kx: KeyExchange,
    signature: KxSignature,
    /// A CertificateRequest arrived; what we answer it with.
    request: Option<Option<Selected>>,
}

impl ExpectServerDone {
    pub(crate) fn new(
        hs: Hs12,
        server: ServerIdentity,
        kx: KeyExchange,
        signature: KxSignature,
    ) -> Self {
        Self {
            hs,
            server,
            kx,
            signature,
            request: None,
        }
    }

    pub(crate) fn handle(
        mut self: Box<Self>,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        match msg.payload() {
            HandshakePayload::CertificateRequestTls12(req) if self.request.is_none() => {
                self.request = Some(self.choose(req));
                self.hs.transcript.add(msg.encoded());
                Ok(State::ServerDone12(self))
            }
            HandshakePayload::ServerHelloDone => {
                self.hs.transcript.add(msg.encoded());
                self.emit_flight(cx)
            }
            _ => Err(unexpected("ExpectServerHelloDone", &msg)),
        }
    }

    /// RFC 5246 §7.4.4: a certificate fitting the requested signature
    /// algorithms and authorities, if we have one; §7.4.6: its key "MUST
    /// be compatible with the certificate types listed in
    /// CertificateRequest" (rsa_sign; RFC 8422 §5.5 ecdsa_sign, also for
    /// EdDSA keys, RFC 8422 §2.3).
    fn choose(&self, req: &CertificateRequestTls12) -> Option<Selected> {
        let selected = self.hs.config.client_auth.as_ref().and_then(|chooser| {
            chooser.choose(&Offer {
                version: ProtocolVersion::TLSv1_2,
                signature_schemes: &req.signature_schemes,
                signature_schemes_cert: None,
                certificate_authorities: &req.certificate_authorities,
            })
        })?;
        let typ = match selected.scheme {
            SignatureScheme::RsaPkcs1Sha256
            | SignatureScheme::RsaPkcs1Sha384
            | SignatureScheme::RsaPkcs1Sha512
            | SignatureScheme::RsaPssRsaeSha256
            | SignatureScheme::RsaPssRsaeSha384
            | SignatureScheme::RsaPssRsaeSha512 => ClientCertificateType::RsaSign,
            _ => ClientCertificateType::EcdsaSign,
        };
        req.certificate_types.contains(&typ).then_some(selected)
    }

    /// Our flight, in RFC 5246 §7.3's order.
    fn emit_flight(self: Box<Self>, cx: &mut CommonState) -> Result<State, Error> {
        let this = *self;
        let mut hs = this.hs;
        let rng = &*hs.config.hooks.rng;

        // RFC 5246 §7.4.6: "This is the first message the client can send
        // after receiving a ServerHelloDone message. This message is only
        // sent if the server requests a certificate. If no suitable
        // certificate is available, the client MUST send a certificate
        // message containing no certificates."
        let selected = match this.request {
            Some(selected) => {
                let chain = selected.as_ref().map_or_else(Vec::new, |s| {
                    s.key
                        .chain()
                        .iter()
                        .map(|c| Bytes(c.as_ref().to_vec()))
                        .collect()
                });
                let cert =
                    HandshakeMessage::new(HandshakePayload::CertificateTls12(CertificateTls12 {
                        chain,
                    }));
                cx.send_handshake(&cert);
                hs.transcript.add(cert.encoded());
                selected
            }
            None => None,
        };

        // RFC 5246 §7.4.7: ClientKeyExchange.
        let (message, premaster) = match this.kx {
            KeyExchange::Ready { message, premaster } => (message, premaster),
            KeyExchange::Rsa { spki } => {
                // RFC 5246 §7.4.7.1: client_version is the version the
                // ClientHello offered in its version field (0x0303).
                // A certificate whose key cannot encrypt (not RSA) is
                // unusable for this suite: bad_certificate.
                let (encrypted, premaster) =
                    encrypt_premaster(&spki, ProtocolVersion::TLSv1_2, rng).map_err(
                        |e| match e {
                            CryptoError::InvalidKey { .. } => {
                                Error::from(CertificateError::BadCertificate {
                                    detail: "the server key cannot be used for RSA key transport"
                                        .into(),
                                })
                            }
                            e => e.into(),
                        },
                    )?;
                (
                    ClientKeyExchange::Rsa {
                        encrypted_pre_master_secret: Bytes(encrypted),
                    },
                    premaster,
                )
            }
        };
        let cke = HandshakeMessage::new(HandshakePayload::ClientKeyExchange(message));
        cx.send_handshake(&cke);
        hs.transcript.add(cke.encoded());

        // RFC 7627 §4: with the extension, the master secret is bound to
        // the session hash, "the hash of the handshake messages up to and
        // including the ClientKeyExchange"; RFC 5246 §8.1 otherwise.
        let master = match hs.ems {
            true => {
                MasterSecret::extended(hs.suite.hash, premaster.expose(), &hs.transcript.current())
            }
            false => MasterSecret::new(
                hs.suite.hash,
                premaster.expose(),
                &cx.client_random,
                &hs.server_random,
            ),
        };
        drop(premaster);
        cx.log_secret("CLIENT_RANDOM", master.expose());

        // RFC 5246 §7.4.8: CertificateVerify over all handshake messages
        // so far, sent when our Certificate was not empty.
        if let Some(selected) = selected {
            let messages = hs.transcript.messages().ok_or(LocalError::Internal {
                what: "TLS 1.2 transcript kept no messages for CertificateVerify",
            })?;
            let signature = selected.key.key().sign(selected.scheme, messages, rng)?;
            let cv = HandshakeMessage::new(HandshakePayload::CertificateVerify(DigitallySigned {
                scheme: selected.scheme,
                signature: Bytes(signature),
            }));
            cx.send_handshake(&cv);
            hs.transcript.add(cv.encoded());
            cx.negotiated.client_auth = true;
        }
        hs.transcript.forget_messages();

        let (encrypter, decrypter) = record_ciphers(&hs, &master, &cx.client_random)?;
        // RFC 5246 §7.1: ChangeCipherSpec, then Finished under the new keys.
        cx.send_ccs()?;
        cx.set_encrypter(encrypter, Protection::Application)?;
        let verify_data = master.client_verify_data(&hs.transcript.current());
        let fin = HandshakeMessage::new(HandshakePayload::Finished(Finished {
            verify_data: Bytes(verify_data.to_vec()),
        }));
        cx.send_handshake(&fin);
        hs.transcript.add(fin.encoded());
        cx.flush_flight()?;

        Ok(State::Ccs12(Box::new(ExpectCcs::new(
            hs,
            master,
            decrypter,
            None,
            this.server,
            this.signature,
        ))))
    }
}

/// RFC 5246 §6.3: the key block split into our sending and receiving keys.
pub(crate) fn record_ciphers(
    hs: &Hs12,
    master: &MasterSecret,
    client_random: &[u8; 32],
) -> Result<(RecordCipher, RecordCipher), Error> {
    let layout = match hs.suite.aead {
        AeadAlgorithm::Aes128Gcm => KeyBlockLayout::AES_128_GCM,
        AeadAlgorithm::Aes256Gcm => KeyBlockLayout::AES_256_GCM,
        AeadAlgorithm::Chacha20Poly1305 => KeyBlockLayout::CHACHA20_POLY1305,
    };
    let block = master.key_block(layout, client_random, &hs.server_random);
    let enc = RecordCipher::tls12(
        hs.suite.aead,
        block.client_write_key(),
        block.client_write_iv(),
    )?;
    let dec = RecordCipher::tls12(
        hs.suite.aead,
        block.server_write_key(),
        block.server_write_iv(),
    )?;
    Ok((enc, dec))
}

/// Waiting for the server's ChangeCipherSpec, or a NewSessionTicket before
/// it (RFC 5077 §3.3).
pub(crate) struct ExpectCcs {
    hs: Hs12,
    master: MasterSecret,
    decrypter: RecordCipher,
    /// Resumption: our keys, switched to after the server's Finished.
    resumed: Option<RecordCipher>,
    server: ServerIdentity,
    signature: KxSignature,
}

impl ExpectCcs {
    pub(crate) fn new(
        hs: Hs12,
        master: MasterSecret,
        decrypter: RecordCipher,
        resumed: Option<RecordCipher>,
        server: ServerIdentity,
        signature: KxSignature,
    ) -> Self {
        Self {
            hs,
            master,
            decrypter,
            resumed,
            server,
            signature,
        }
    }

    pub(crate) fn handle(
        mut self: Box<Self>,
        _cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        match msg.payload() {
            // RFC 5077 §3.3: "This message MUST NOT be sent if the server
            // did not include a SessionTicket extension in the ServerHello."
            HandshakePayload::NewSessionTicketTls12(t) if self.hs.ticket_expected => {
                self.hs.ticket_expected = false;
                self.hs.new_ticket = Some(t.clone());
                self.hs.transcript.add(msg.encoded());
                Ok(State::Ccs12(self))
            }
            _ => Err(unexpected("ExpectChangeCipherSpec", &msg)),
        }
    }

    /// Where the session being handshaken would be kept.
    pub(crate) fn session_store(&self) -> Option<Arc<ClientSessionStore>> {
        self.hs.config.sessions.clone()
    }

    /// RFC 5246 §7.1: the server's ChangeCipherSpec switches its records
    /// to the new keys.
    pub(crate) fn handle_ccs(self: Box<Self>, cx: &mut CommonState) -> Result<State, Error> {
        let this = *self;
        cx.set_decrypter(this.decrypter, Protection::Application)?;
        Ok(State::Finished12(Box::new(ExpectFinished {
            hs: this.hs,
            master: this.master,
            resumed: this.resumed,
            server: this.server,
            signature: this.signature,
        })))
    }
}

/// Proof that the server's Finished verified; only
/// [`ExpectFinished::handle`] makes one.
mod proof {
    pub(crate) struct FinishedVerified(());

    impl FinishedVerified {
        pub(super) fn after_check() -> Self {
            Self(())
        }
    }
}
use proof::FinishedVerified;

/// Waiting for the server's Finished (RFC 5246 §7.4.9).
pub(crate) struct ExpectFinished {
    hs: Hs12,
    master: MasterSecret,
    resumed: Option<RecordCipher>,
    server: ServerIdentity,
    signature: KxSignature,
}

impl ExpectFinished {
    /// Where the session being handshaken would be kept.
    pub(crate) fn session_store(&self) -> Option<Arc<ClientSessionStore>> {
        self.hs.config.sessions.clone()
    }

    pub(crate) fn handle(
        self: Box<Self>,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        let HandshakePayload::Finished(fin) = msg.payload() else {
            return Err(unexpected("ExpectFinished (TLS 1.2)", &msg));
        };
        let this = *self;
        let mut hs = this.hs;
        // RFC 5246 §7.4.9: "Recipients of Finished messages MUST verify
        // that the contents are correct" (decrypt_error otherwise).
        let expected = this.master.server_verify_data(&hs.transcript.current());
        MasterSecret::check_verify_data(&expected, &fin.verify_data.0)?;
        let finished = FinishedVerified::after_check();
        hs.transcript.add(msg.encoded());

        if let Some(encrypter) = this.resumed {
            // RFC 5246 §7.3: in an abbreviated handshake the client's
            // ChangeCipherSpec and Finished follow the server's.
            cx.send_ccs()?;
            cx.set_encrypter(encrypter, Protection::Application)?;
            let verify_data = this.master.client_verify_data(&hs.transcript.current());
            let ours = HandshakeMessage::new(HandshakePayload::Finished(Finished {
                verify_data: Bytes(verify_data.to_vec()),
            }));
            cx.send_handshake(&ours);
            hs.transcript.add(ours.encoded());
        }
        // A resumption that brought a new ticket replaces the stored one
        // (RFC 5077 §3.4); a full handshake stores its new session.
        let stored_again = cx.negotiated.resumed && hs.new_ticket.is_none();
        if !stored_again {
            let learnt = Learnt {
                server_name: cx.negotiated.server_name.as_deref(),
                alpn: cx.negotiated.alpn.as_deref(),
                peer_certificates: this
                    .server
                    .chain
                    .iter()
                    .map(|c| Bytes(c.as_ref().to_vec()))
                    .collect(),
            };
            store_session(&hs, &this.master, hs.new_ticket.as_ref(), learnt);
        }
        cx.start_traffic()?;
        Ok(State::Traffic12(Box::new(ExpectTraffic {
            hello_requests: 0,
            _server: this.server,
            _signature: this.signature,
            _finished: finished,
        })))
    }
}

/// The TLS 1.2 connection carries application data. Its fields hold the
/// proofs that the server was checked.
pub(crate) struct ExpectTraffic {
    /// HelloRequests since the last application data: a peer repeating
    /// them without progress is cut off like one sending empty records.
    hello_requests: usize,
    _server: ServerIdentity,
    _signature: KxSignature,
    _finished: FinishedVerified,
}

impl ExpectTraffic {
    pub(crate) fn handle(
        mut self: Box<Self>,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        match msg.payload() {
            // RFC 5746 §4.5 / RFC 5246 §7.2.2: renegotiation is not
            // supported; a HelloRequest is declined with a no_renegotiation
            // warning and the connection goes on.
            HandshakePayload::HelloRequest => {
                self.hello_requests += 1;
                if self.hello_requests > MAX_IN_A_ROW {
                    return Err(PeerMisbehaved::TooManyInARow {
                        what: "HelloRequests",
                    }
                    .into());
                }
                cx.send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
                Ok(State::Traffic12(self))
            }
            _ => Err(unexpected("ExpectTraffic (TLS 1.2)", &msg)),
        }
    }

    /// Application data arrived: HelloRequests are no longer in a row.
    pub(crate) fn application_data(&mut self) {
        self.hello_requests = 0;
    }
}

/// RFC 5246 §7.1: a ChangeCipherSpec is only acceptable right before the
/// server's Finished; anywhere else it is the CCS-injection attack
/// (CVE-2014-0224) and ends the handshake with unexpected_message.
pub(crate) fn unexpected_ccs() -> Error {
    PeerMisbehaved::UnexpectedChangeCipherSpec.into()
}
