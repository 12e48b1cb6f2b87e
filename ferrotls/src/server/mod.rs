//! The server side: [`ServerConnection`] and its handshake state machine.
//!
//! The TLS 1.3 handshake reads top to bottom like RFC 8446 §2:
//!
//! ```text
//! ExpectClientHello --(HelloRetryRequest)--> ExpectClientHello2
//!        |                                          |
//!        +-- emit ServerHello, {EncryptedExtensions}, {CertificateRequest*},
//!            {Certificate}, {CertificateVerify}, {Finished}
//!                          |
//!            ExpectCertificate* -> ExpectCertificateVerify* -> ExpectFinished
//!                                                                   |
//!                                                             ExpectTraffic
//! ```
//!
//! `hello.rs` holds the ClientHello rules and choices, `cookie.rs` the
//! stateless HelloRetryRequest cookie, `tls13.rs` the hello states,
//! `flight.rs` the server's flight, `finish.rs` the states after it.
//!
//! A ClientHello that settles on TLS 1.2 (RFC 5246 §7.3) goes on in
//! `tls12.rs` (the server's flight, choices in `tls12_choose.rs`),
//! `tls12_finish.rs` (the states after it) and `tls12_resume.rs`
//! (session IDs, tickets and the abbreviated handshake):
//!
//! ```text
//! ExpectClientHello -- emit ServerHello, Certificate, ServerKeyExchange*,
//!        |             CertificateRequest*, ServerHelloDone
//!        |
//!        |  Tls12Certificate* -> Tls12ClientKeyExchange
//!        |    -> Tls12CertificateVerify* -> Tls12ChangeCipherSpec
//!        |    -> Tls12Finished -- emit NewSessionTicket*,
//!        |                        [ChangeCipherSpec], Finished
//!        |
//!        +-- (resumed) emit ServerHello, [ChangeCipherSpec], Finished
//!               -> Tls12ChangeCipherSpec -> Tls12Finished
//!                                                  |
//!                                             Tls12Traffic
//! ```

pub mod cookie;
mod finish;
mod flight;
mod hello;
mod tls12;
mod tls12_choose;
mod tls12_finish;
mod tls12_resume;
mod tls13;

pub use tls12_choose::StaticRsaKey;

use core::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::config::ServerConfig;
use crate::conn::common::{CommonState, Side};
use crate::conn::{ConnectionCore, Input, StateMachine};
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::enums::ProtocolVersion;
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};

/// A TLS server connection, sans-I/O: feed it the client's bytes, send
/// what it has to send, read and write plaintext (see [`ConnectionCore`]).
#[derive(Debug)]
pub struct ServerConnection {
    core: ConnectionCore<ServerState>,
}

impl ServerConnection {
    /// A connection waiting for a ClientHello.
    pub fn new(config: Arc<ServerConfig>) -> Result<Self, Error> {
        config.validate()?;
        let mut common = CommonState::new(Side::Server);
        common.observer = config.hooks.observer.clone();
        common.keylog = config.hooks.keylog.clone();
        // RFC 8446 §5.1: a server's unprotected records carry 0x0303.
        common.plaintext_version = ProtocolVersion::TLSv1_2;
        // RFC 8446 §5 allows a compatibility ChangeCipherSpec once the
        // first ClientHello is sent. A stateless server cannot tell a new
        // client from one answering a HelloRetryRequest another
        // connection sent, so it tolerates the CCS that comes before the
        // second ClientHello.
        common.ignore_compat_ccs = config.stateless_retry;
        let state = ServerState(State::ExpectClientHello(Box::new(
            tls13::ExpectClientHello::new(config),
        )));
        Ok(Self {
            core: ConnectionCore::new(common, state),
        })
    }
}

impl Deref for ServerConnection {
    type Target = ConnectionCore<ServerState>;

    fn deref(&self) -> &Self::Target {
        &self.core
    }
}

impl DerefMut for ServerConnection {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.core
    }
}

/// The server's handshake state (opaque: the states are this module's).
pub struct ServerState(State);

enum State {
    ExpectClientHello(Box<tls13::ExpectClientHello>),
    ExpectClientHello2(Box<tls13::ExpectClientHello2>),
    ExpectCertificate(Box<finish::ExpectCertificate>),
    ExpectCertificateVerify(Box<finish::ExpectCertificateVerify>),
    ExpectFinished(Box<finish::ExpectFinished>),
    ExpectTraffic(Box<finish::ExpectTraffic>),
    Tls12Certificate(Box<tls12_finish::ExpectCertificate>),
    Tls12ClientKeyExchange(Box<tls12_finish::ExpectClientKeyExchange>),
    Tls12CertificateVerify(Box<tls12_finish::ExpectCertificateVerify>),
    Tls12ChangeCipherSpec(Box<tls12_finish::ExpectChangeCipherSpec>),
    Tls12Finished(Box<tls12_finish::ExpectFinished>),
    Tls12Traffic(Box<tls12_finish::ExpectTraffic>),
}

impl core::fmt::Debug for ServerState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// RFC 8446 §4: "A peer which receives a handshake message in an
/// unexpected order MUST abort the handshake with an "unexpected_message"
/// alert."
pub(crate) fn unexpected(state: &'static str, input: &Input) -> Error {
    match input {
        Input::Handshake(m) => PeerMisbehaved::UnexpectedMessage {
            state,
            got: m.typ(),
        }
        .into(),
        // The record layer hands states a ChangeCipherSpec only in TLS 1.2.
        Input::ChangeCipherSpec => PeerMisbehaved::UnexpectedChangeCipherSpec.into(),
    }
}

/// The message in `input` if `pick` accepts its payload, else
/// `unexpected_message`.
pub(crate) fn expect<T>(
    state: &'static str,
    input: Input,
    pick: impl FnOnce(&HandshakePayload) -> Option<T>,
) -> Result<(HandshakeMessage, T), Error> {
    match input {
        Input::Handshake(m) => match pick(m.payload()) {
            Some(body) => Ok((m, body)),
            None => Err(unexpected(state, &Input::Handshake(m))),
        },
        other => Err(unexpected(state, &other)),
    }
}

impl StateMachine for ServerState {
    fn handle(self, cx: &mut CommonState, input: Input) -> Result<Self, Error> {
        let next = match self.0 {
            State::ExpectClientHello(s) => s.handle(cx, input)?,
            State::ExpectClientHello2(s) => s.handle(cx, input)?,
            State::ExpectCertificate(s) => s.handle(cx, input)?,
            State::ExpectCertificateVerify(s) => s.handle(cx, input)?,
            State::ExpectFinished(s) => s.handle(cx, input)?,
            State::ExpectTraffic(s) => s.handle(cx, input)?,
            State::Tls12Certificate(s) => s.handle(cx, input)?,
            State::Tls12ClientKeyExchange(s) => s.handle(cx, input)?,
            State::Tls12CertificateVerify(s) => s.handle(cx, input)?,
            State::Tls12ChangeCipherSpec(s) => s.handle(cx, input)?,
            State::Tls12Finished(s) => s.handle(cx, input)?,
            State::Tls12Traffic(s) => s.handle(cx, input)?,
        };
        Ok(Self(next))
    }

    fn name(&self) -> &'static str {
        match &self.0 {
            State::ExpectClientHello(_) => "ExpectClientHello",
            State::ExpectClientHello2(_) => "ExpectClientHello2",
            State::ExpectCertificate(_) => "ExpectCertificate",
            State::ExpectCertificateVerify(_) => "ExpectCertificateVerify",
            State::ExpectFinished(_) => "ExpectFinished",
            State::ExpectTraffic(_) => "ExpectTraffic",
            State::Tls12Certificate(_) => "Tls12ExpectCertificate",
            State::Tls12ClientKeyExchange(_) => "Tls12ExpectClientKeyExchange",
            State::Tls12CertificateVerify(_) => "Tls12ExpectCertificateVerify",
            State::Tls12ChangeCipherSpec(_) => "Tls12ExpectChangeCipherSpec",
            State::Tls12Finished(_) => "Tls12ExpectFinished",
            State::Tls12Traffic(_) => "Tls12ExpectTraffic",
        }
    }

    fn update_send_key(&mut self, cx: &mut CommonState, request_peer: bool) -> Result<(), Error> {
        match &mut self.0 {
            State::ExpectTraffic(s) => s.update_send_key(cx, request_peer),
            State::Tls12Traffic(_) => Err(crate::error::LocalError::NoKeyUpdateInTls12.into()),
            _ => Err(crate::error::LocalError::HandshakeNotComplete.into()),
        }
    }
}
