//! The TLS 1.2 server after its flight (RFC 5246 §7.3):
//!
//! ```text
//! Certificate*, ClientKeyExchange, CertificateVerify*,
//! [ChangeCipherSpec], Finished  -->  [ChangeCipherSpec], Finished
//! ```
//!
//! One state per message awaited. A ChangeCipherSpec anywhere but right
//! before the client's Finished is `unexpected_message` (the CCS
//! injection of CVE-2014-0224: keys must not switch before they exist).

use std::sync::Arc;

use rustls_pki_types::CertificateDer;

use super::tls12::{refuse_renegotiation, send};
use super::tls12_choose::StaticRsaKey;
use super::tls12_resume::{emit_new_session_ticket, store_session};
use super::{expect, unexpected, State};
use crate::auth::{
    verify_tls12_signature, ClientCertVerified, ClientCertVerifier, ClientIdentity,
    SignatureVerified,
};
use crate::codec::Bytes;
use crate::config::ServerConfig;
use crate::conn::common::CommonState;
use crate::conn::Input;
use crate::crypto::aead::AeadAlgorithm;
use crate::crypto::kx::{ActiveKeyExchange, SharedSecret};
use crate::crypto::suites::Tls12Suite;
use crate::error::{CryptoError, Error, LocalError, PeerMisbehaved};
use crate::keys::tls12::{KeyBlockLayout, MasterSecret};
use crate::keys::transcript::TranscriptHash;
use crate::msgs::enums::{AlertDescription, ProtocolVersion, SignatureScheme};
use crate::msgs::finished::Finished;
use crate::msgs::handshake::HandshakePayload;
use crate::msgs::key_exchange::ClientKeyExchange;
use crate::record::protect::RecordCipher;
use crate::trace::Protection;

/// What the whole TLS 1.2 handshake keeps, from the ClientHello on.
pub(crate) struct Handshake12 {
    pub config: Arc<ServerConfig>,
    pub suite: Tls12Suite,
    /// ClientHello.client_version, which an RSA premaster secret repeats.
    pub client_version: ProtocolVersion,
    pub client_random: [u8; 32],
    pub server_random: [u8; 32],
    pub session_id: Bytes,
    /// RFC 7627: both sides use the extended master secret.
    pub ems: bool,
    /// RFC 5746: the client signalled secure renegotiation.
    pub secure_renegotiation: bool,
    /// RFC 5077 §3.3: a NewSessionTicket goes before our ChangeCipherSpec.
    pub issue_ticket: bool,
    pub transcript: TranscriptHash,
}

/// Our half of the key exchange, waiting for the ClientKeyExchange.
pub(crate) enum KeyExchange {
    Ephemeral(ActiveKeyExchange),
    Rsa(Arc<StaticRsaKey>),
}

/// A client certificate chain that verified, waiting for its
/// CertificateVerify.
pub(crate) struct ClientChain {
    chain: Vec<CertificateDer<'static>>,
    verified: ClientCertVerified,
    offered: Vec<SignatureScheme>,
}

/// How the client authenticated.
pub(crate) enum ClientAuth {
    NotRequested,
    Anonymous,
    /// An abbreviated handshake: whatever the original session settled.
    Resumed,
    Verified {
        _chain: ClientCertVerified,
        _signature: SignatureVerified,
    },
}

/// Waits for the client's Certificate (we sent a CertificateRequest).
pub(crate) struct ExpectCertificate {
    pub hs: Handshake12,
    pub kx: KeyExchange,
    pub verifier: Arc<ClientCertVerifier>,
    pub offered: Vec<SignatureScheme>,
}

impl ExpectCertificate {
    pub(crate) fn handle(mut self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        let (msg, cert) = expect("Tls12ExpectCertificate", input, |p| match p {
            HandshakePayload::CertificateTls12(x) => Some(x.clone()),
            _ => None,
        })?;
        self.hs.transcript.add(msg.encoded());
        let chain: Vec<CertificateDer<'static>> = cert
            .chain
            .iter()
            .map(|c| CertificateDer::from(c.0.clone()))
            .collect();
        // RFC 5246 §7.4.6: "If the client does not send any certificates,
        // the server MAY at its discretion either continue the handshake
        // without client authentication, or respond with a fatal
        // handshake_failure alert."
        if chain.is_empty() && !self.verifier.anonymous_allowed() {
            return Err(PeerMisbehaved::CertificateRequired {
                alert: AlertDescription::HandshakeFailure,
            }
            .into());
        }
        let client = match self.verifier.verify(&chain)? {
            ClientIdentity::Anonymous => None,
            ClientIdentity::Verified(verified) => {
                cx.negotiated.peer_certificates = chain.clone();
                Some(ClientChain {
                    chain,
                    verified,
                    offered: self.offered,
                })
            }
        };
        Ok(State::Tls12ClientKeyExchange(Box::new(
            ExpectClientKeyExchange {
                hs: self.hs,
                kx: self.kx,
                client: Some(client),
            },
        )))
    }
}

/// Waits for the ClientKeyExchange.
pub(crate) struct ExpectClientKeyExchange {
    pub hs: Handshake12,
    pub kx: KeyExchange,
    /// `None`: no certificate was asked for; `Some(None)`: asked, none sent.
    pub client: Option<Option<ClientChain>>,
}

/// RFC 5246 §6.3 key block sizes of an AEAD suite.
fn layout(aead: AeadAlgorithm) -> KeyBlockLayout {
    match aead {
        AeadAlgorithm::Aes128Gcm => KeyBlockLayout::AES_128_GCM,
        AeadAlgorithm::Aes256Gcm => KeyBlockLayout::AES_256_GCM,
        AeadAlgorithm::Chacha20Poly1305 => KeyBlockLayout::CHACHA20_POLY1305,
    }
}

/// The record protection of both directions, from the master secret.
pub(crate) struct Tls12Keys {
    pub master: MasterSecret,
    pub client_write: RecordCipher,
    /// `None` once installed (an abbreviated handshake sends its
    /// ChangeCipherSpec and Finished first, RFC 5246 §7.3).
    pub server_write: Option<RecordCipher>,
}

impl Tls12Keys {
    pub(crate) fn new(hs: &Handshake12, master: MasterSecret) -> Result<Self, Error> {
        let aead = hs.suite.aead;
        let kb = master.key_block(layout(aead), &hs.client_random, &hs.server_random);
        Ok(Self {
            client_write: RecordCipher::tls12(aead, kb.client_write_key(), kb.client_write_iv())?,
            server_write: Some(RecordCipher::tls12(
                aead,
                kb.server_write_key(),
                kb.server_write_iv(),
            )?),
            master,
        })
    }
}

impl ExpectClientKeyExchange {
    pub(crate) fn handle(mut self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        let (msg, cke) = expect("Tls12ExpectClientKeyExchange", input, |p| match p {
            HandshakePayload::ClientKeyExchange(x) => Some(x.clone()),
            _ => None,
        })?;
        let rng = &*self.hs.config.hooks.rng;
        let premaster: SharedSecret = match (self.kx, &cke) {
            // RFC 8422 §5.7: the client's share; an invalid point is
            // illegal_parameter.
            (KeyExchange::Ephemeral(active), ClientKeyExchange::Ecdhe { public }) => {
                active.complete_tls12(public)?
            }
            // RFC 7919 §4: "If dh_Yc is out of range, the server MUST
            // terminate the connection with a fatal handshake_failure(40)
            // alert."
            (KeyExchange::Ephemeral(active), ClientKeyExchange::Dhe { public }) => {
                active.complete_tls12(public).map_err(|e| match e {
                    CryptoError::InvalidPeerKey { .. } => {
                        Error::from(PeerMisbehaved::HandshakeFailure {
                            what: "dh_Yc out of range",
                        })
                    }
                    other => other.into(),
                })?
            }
            // RFC 5246 §7.4.7.1: decrypted without revealing whether the
            // padding or the version was right (a random premaster secret
            // instead, and the handshake fails at Finished).
            (
                KeyExchange::Rsa(key),
                ClientKeyExchange::Rsa {
                    encrypted_pre_master_secret,
                },
            ) => key.decrypter.decrypt_premaster(
                encrypted_pre_master_secret,
                self.hs.client_version,
                rng,
            )?,
            _ => {
                return Err(PeerMisbehaved::IllegalParameter {
                    what: "ClientKeyExchange of another key exchange",
                }
                .into())
            }
        };
        self.hs.transcript.add(msg.encoded());
        let alg = self.hs.suite.hash;
        let master = match self.hs.ems {
            // RFC 7627 §4: the session hash covers the handshake "up to
            // and including the ClientKeyExchange message".
            true => MasterSecret::extended(alg, premaster.expose(), &self.hs.transcript.current()),
            false => MasterSecret::new(
                alg,
                premaster.expose(),
                &self.hs.client_random,
                &self.hs.server_random,
            ),
        };
        cx.log_secret("CLIENT_RANDOM", master.expose());
        let keys = Tls12Keys::new(&self.hs, master)?;
        Ok(match self.client {
            Some(Some(chain)) => State::Tls12CertificateVerify(Box::new(ExpectCertificateVerify {
                hs: self.hs,
                keys,
                chain,
            })),
            Some(None) => State::Tls12ChangeCipherSpec(Box::new(ExpectChangeCipherSpec {
                hs: self.hs,
                keys,
                client: ClientAuth::Anonymous,
            })),
            None => State::Tls12ChangeCipherSpec(Box::new(ExpectChangeCipherSpec {
                hs: self.hs,
                keys,
                client: ClientAuth::NotRequested,
            })),
        })
    }
}

/// Waits for the client's CertificateVerify.
pub(crate) struct ExpectCertificateVerify {
    hs: Handshake12,
    keys: Tls12Keys,
    chain: ClientChain,
}

impl ExpectCertificateVerify {
    pub(crate) fn handle(mut self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        let (msg, cv) = expect("Tls12ExpectCertificateVerify", input, |p| match p {
            HandshakePayload::CertificateVerify(x) => Some(x.clone()),
            _ => None,
        })?;
        let end_entity = self.chain.chain.first().ok_or(LocalError::Internal {
            what: "verified client chain is empty",
        })?;
        // RFC 5246 §7.4.8: the signature covers "handshake_messages",
        // every message from the ClientHello up to (not including) this
        // one, with a scheme from our CertificateRequest.
        let messages = self.hs.transcript.messages().ok_or(LocalError::Internal {
            what: "TLS 1.2 handshake messages were not kept",
        })?;
        let signature = verify_tls12_signature(
            end_entity,
            cv.scheme,
            &self.chain.offered,
            messages,
            &cv.signature,
        )?;
        self.hs.transcript.add(msg.encoded());
        self.hs.transcript.forget_messages();
        cx.negotiated.client_auth = true;
        Ok(State::Tls12ChangeCipherSpec(Box::new(
            ExpectChangeCipherSpec {
                hs: self.hs,
                keys: self.keys,
                client: ClientAuth::Verified {
                    _chain: self.chain.verified,
                    _signature: signature,
                },
            },
        )))
    }
}

/// Waits for the client's ChangeCipherSpec.
pub(crate) struct ExpectChangeCipherSpec {
    pub hs: Handshake12,
    pub keys: Tls12Keys,
    pub client: ClientAuth,
}

impl ExpectChangeCipherSpec {
    pub(crate) fn handle(self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        if !matches!(input, Input::ChangeCipherSpec) {
            return Err(unexpected("Tls12ExpectChangeCipherSpec", &input));
        }
        let Tls12Keys {
            master,
            client_write,
            server_write,
        } = self.keys;
        // RFC 5246 §7.1: from the ChangeCipherSpec on, the client's
        // records are protected with the pending keys.
        cx.set_decrypter(client_write, Protection::Application)?;
        Ok(State::Tls12Finished(Box::new(ExpectFinished {
            hs: self.hs,
            master,
            server_write,
            client: self.client,
        })))
    }
}

/// Waits for the client's Finished.
pub(crate) struct ExpectFinished {
    hs: Handshake12,
    master: MasterSecret,
    /// `None`: our Finished went first (abbreviated handshake).
    server_write: Option<RecordCipher>,
    client: ClientAuth,
}

/// Proof that the client's Finished verified; only
/// [`ExpectFinished::handle`] makes one.
pub(crate) struct FinishedVerified(());

impl ExpectFinished {
    pub(crate) fn handle(mut self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        let (msg, finished) = expect("Tls12ExpectFinished", input, |p| match p {
            HandshakePayload::Finished(x) => Some(x.clone()),
            _ => None,
        })?;
        // RFC 5246 §7.4.9: "Recipients of Finished messages MUST verify
        // that the contents are correct" (decrypt_error otherwise).
        let expected = self
            .master
            .client_verify_data(&self.hs.transcript.current());
        MasterSecret::check_verify_data(&expected, &finished.verify_data)?;
        let verified = FinishedVerified(());
        self.hs.transcript.add(msg.encoded());

        // RFC 5246 §7.3: in a full handshake our ChangeCipherSpec and
        // Finished end it; the Finished covers the client's Finished too.
        if let Some(server_write) = self.server_write {
            let session = store_session(cx, &self.hs, &self.master)?;
            emit_new_session_ticket(cx, &mut self.hs, &session)?;
            cx.send_ccs()?;
            cx.set_encrypter(server_write, Protection::Application)?;
            emit_finished(cx, &mut self.hs, &self.master);
        }
        cx.start_traffic()?;
        Ok(State::Tls12Traffic(Box::new(ExpectTraffic {
            _finished: verified,
            _client: self.client,
        })))
    }
}

/// RFC 5246 §7.4.9: our Finished, `PRF(master_secret, "server finished",
/// Hash(handshake_messages))`.
pub(crate) fn emit_finished(cx: &mut CommonState, hs: &mut Handshake12, master: &MasterSecret) {
    let verify_data = master.server_verify_data(&hs.transcript.current());
    send(
        cx,
        &mut hs.transcript,
        HandshakePayload::Finished(Finished {
            verify_data: Bytes(verify_data.to_vec()),
        }),
    );
}

/// The handshake is complete; only a renegotiation attempt may arrive.
pub(crate) struct ExpectTraffic {
    _finished: FinishedVerified,
    _client: ClientAuth,
}

impl ExpectTraffic {
    pub(crate) fn handle(self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        match &input {
            Input::Handshake(m) if matches!(m.payload(), HandshakePayload::ClientHello(_)) => {
                refuse_renegotiation(cx);
                Ok(State::Tls12Traffic(Box::new(self)))
            }
            _ => Err(unexpected("Tls12ExpectTraffic", &input)),
        }
    }
}
