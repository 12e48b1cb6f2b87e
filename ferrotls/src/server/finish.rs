//! The TLS 1.3 server after its flight: the client's Certificate and
//! CertificateVerify (when asked for, RFC 8446 §4.4.2-§4.4.3), its
//! Finished (§4.4.4), then the traffic phase (§4.6.3).

use std::sync::Arc;

use rustls_pki_types::CertificateDer;

use super::{expect, unexpected, State};
use crate::auth::{
    tls13_certificate_verify_content, verify_tls13_signature, ClientCertVerified,
    ClientCertVerifier, ClientIdentity, SignatureVerified, Signer,
};
use crate::conn::common::CommonState;
use crate::conn::Input;
use crate::error::{Error, LocalError, PeerMisbehaved};
use crate::handshake::traffic13::Traffic13;
use crate::keys::tls13::HandshakeTrafficSecret;
use crate::keys::transcript::TranscriptHash;
use crate::msgs::enums::SignatureScheme;
use crate::msgs::finished::Finished;
use crate::msgs::handshake::HandshakePayload;

/// What the server keeps while the client's flight arrives.
pub(crate) struct ClientFlight {
    pub transcript: TranscriptHash,
    /// For the client's Finished key.
    pub client_hs: HandshakeTrafficSecret,
    /// Application secrets; the sending side is installed already.
    pub traffic: Traffic13,
}

/// How the client authenticated.
pub(crate) enum ClientAuth {
    /// No CertificateRequest was sent.
    NotRequested,
    /// Asked, sent no certificate, and the verifier allows that.
    Anonymous,
    /// A chain that verified and a CertificateVerify made with its key.
    Verified {
        _chain: ClientCertVerified,
        _signature: SignatureVerified,
    },
}

/// Proof that the client's Finished verified; only
/// [`verify_client_finished`] makes one.
pub(crate) struct FinishedVerified(());

/// RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the
/// contents are correct and if incorrect MUST terminate the connection
/// with a "decrypt_error" alert."
fn verify_client_finished(flight: &ClientFlight, f: &Finished) -> Result<FinishedVerified, Error> {
    flight
        .client_hs
        .finished_key()?
        .verify(&flight.transcript.current(), &f.verify_data)?;
    Ok(FinishedVerified(()))
}

/// Waits for the client's Certificate (we sent a CertificateRequest).
pub(crate) struct ExpectCertificate {
    pub flight: ClientFlight,
    pub verifier: Arc<ClientCertVerifier>,
    /// The signature_algorithms of our CertificateRequest.
    pub offered: Vec<SignatureScheme>,
}

impl ExpectCertificate {
    pub(crate) fn handle(mut self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        let (msg, cert) = expect("ExpectCertificate", input, |p| match p {
            HandshakePayload::CertificateTls13(x) => Some(x.clone()),
            _ => None,
        })?;
        // RFC 8446 §4.4.2: in answer to a CertificateRequest the context
        // is the request's, which was empty.
        if !cert.context.is_empty() {
            return Err(PeerMisbehaved::IllegalParameter {
                what: "certificate_request_context of the client's Certificate",
            }
            .into());
        }
        self.flight.transcript.add(msg.encoded());
        let chain: Vec<CertificateDer<'static>> = cert
            .certificates()
            .map(|c| CertificateDer::from(c.to_vec()))
            .collect();
        // RFC 8446 §4.4.2.4: an empty Certificate when one is required is
        // "certificate_required"; a chain that does not verify gets the
        // alert the verifier names.
        Ok(match self.verifier.verify(&chain)? {
            ClientIdentity::Anonymous => State::ExpectFinished(Box::new(ExpectFinished {
                flight: self.flight,
                client: ClientAuth::Anonymous,
            })),
            ClientIdentity::Verified(proof) => {
                cx.negotiated.peer_certificates = chain.clone();
                State::ExpectCertificateVerify(Box::new(ExpectCertificateVerify {
                    flight: self.flight,
                    chain,
                    chain_verified: proof,
                    offered: self.offered,
                }))
            }
        })
    }
}

/// Waits for the client's CertificateVerify.
pub(crate) struct ExpectCertificateVerify {
    flight: ClientFlight,
    chain: Vec<CertificateDer<'static>>,
    chain_verified: ClientCertVerified,
    offered: Vec<SignatureScheme>,
}

impl ExpectCertificateVerify {
    pub(crate) fn handle(mut self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        let (msg, cv) = expect("ExpectCertificateVerify", input, |p| match p {
            HandshakePayload::CertificateVerify(x) => Some(x.clone()),
            _ => None,
        })?;
        let end_entity = self.chain.first().ok_or(LocalError::Internal {
            what: "verified client chain is empty",
        })?;
        // RFC 8446 §4.4.3: the signature covers the transcript through the
        // client's Certificate, with the client's context string, and
        // uses a scheme from our CertificateRequest.
        let content = tls13_certificate_verify_content(
            Signer::Client,
            self.flight.transcript.current().as_ref(),
        );
        let signature = verify_tls13_signature(
            end_entity,
            cv.scheme,
            &self.offered,
            &content,
            &cv.signature,
        )?;
        self.flight.transcript.add(msg.encoded());
        cx.negotiated.client_auth = true;
        Ok(State::ExpectFinished(Box::new(ExpectFinished {
            flight: self.flight,
            client: ClientAuth::Verified {
                _chain: self.chain_verified,
                _signature: signature,
            },
        })))
    }
}

/// Waits for the client's Finished.
pub(crate) struct ExpectFinished {
    pub flight: ClientFlight,
    pub client: ClientAuth,
}

impl ExpectFinished {
    pub(crate) fn handle(self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        let (msg, finished) = expect("ExpectFinished", input, |p| match p {
            HandshakePayload::Finished(x) => Some(x.clone()),
            _ => None,
        })?;
        let verified = verify_client_finished(&self.flight, &finished)?;
        let mut flight = self.flight;
        flight.transcript.add(msg.encoded());
        flight.traffic.install_recv(cx)?;
        // RFC 8446 §5: compatibility ChangeCipherSpecs end with the
        // peer's Finished.
        cx.ignore_compat_ccs = false;
        cx.start_traffic()?;
        Ok(State::ExpectTraffic(Box::new(ExpectTraffic {
            traffic: flight.traffic,
            _finished: verified,
            _client: self.client,
        })))
    }
}

/// The handshake is complete; only KeyUpdate may arrive (no tickets or
/// post-handshake authentication are offered yet).
pub(crate) struct ExpectTraffic {
    traffic: Traffic13,
    _finished: FinishedVerified,
    _client: ClientAuth,
}

impl ExpectTraffic {
    pub(crate) fn handle(mut self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        match input {
            Input::Handshake(m) => match m.payload() {
                HandshakePayload::KeyUpdate(ku) => {
                    self.traffic.handle_key_update(cx, ku)?;
                    Ok(State::ExpectTraffic(Box::new(self)))
                }
                _ => Err(unexpected("ExpectTraffic", &Input::Handshake(m))),
            },
            other => Err(unexpected("ExpectTraffic", &other)),
        }
    }

    pub(crate) fn update_send_key(
        &mut self,
        cx: &mut CommonState,
        request_peer: bool,
    ) -> Result<(), Error> {
        self.traffic.update_send(cx, request_peer)
    }
}
