//! The client: [`ClientConnection`] and its handshake state machine.
//!
//! The states read like the RFC 8446 §2 message flow: `hello.rs` sends the
//! ClientHello and reads the ServerHello or HelloRetryRequest; `tls13.rs`
//! reads the server's encrypted flight, sends ours and carries the
//! traffic phase.

mod hello;
mod tls13;

#[cfg(test)]
mod hello_tests;
#[cfg(test)]
mod tls13_tests;

use std::sync::Arc;

use rustls_pki_types::ServerName;

use crate::config::ClientConfig;
use crate::conn::common::{CommonState, Side};
use crate::conn::{ConnectionCore, Input, StateMachine};
use crate::error::{Error, LocalError, PeerMisbehaved};
use crate::msgs::handshake::HandshakeMessage;

/// A client connection, sans-I/O: feed it the server's bytes, send what
/// [`ConnectionCore::pending_tls`] holds, read and write plaintext.
#[derive(Debug)]
pub struct ClientConnection {
    core: ConnectionCore<ClientState>,
}

impl ClientConnection {
    /// Starts a connection to `server_name`: checks the configuration and
    /// queues the ClientHello.
    pub fn new(config: Arc<ClientConfig>, server_name: ServerName<'static>) -> Result<Self, Error> {
        config.validate()?;
        let mut common = CommonState::new(Side::Client);
        common.observer = config.hooks.observer.clone();
        common.keylog = config.hooks.keylog.clone();
        let first = hello::emit_client_hello(config, server_name, &mut common)?;
        common.flush_flight()?;
        let state = ClientState(State::ServerHello(Box::new(first)));
        common.trace_state(state.name());
        Ok(Self {
            core: ConnectionCore::new(common, state),
        })
    }
}

impl core::ops::Deref for ClientConnection {
    type Target = ConnectionCore<ClientState>;

    fn deref(&self) -> &Self::Target {
        &self.core
    }
}

impl core::ops::DerefMut for ClientConnection {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.core
    }
}

/// The client's handshake state (opaque to applications).
pub struct ClientState(State);

impl core::fmt::Debug for ClientState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// One boxed struct per state, named for what it waits for.
pub(crate) enum State {
    ServerHello(Box<hello::ExpectServerHello>),
    EncryptedExtensions(Box<tls13::ExpectEncryptedExtensions>),
    Certificate(Box<tls13::ExpectCertificate>),
    CertificateVerify(Box<tls13::ExpectCertificateVerify>),
    Finished(Box<tls13::ExpectFinished>),
    Traffic(Box<tls13::ExpectTraffic>),
}

/// RFC 8446 §B.3 state machine: a message the state does not expect is
/// "unexpected_message" (RFC 8446 §6.2).
pub(crate) fn unexpected(state: &'static str, msg: &HandshakeMessage) -> Error {
    PeerMisbehaved::UnexpectedMessage {
        state,
        got: msg.typ(),
    }
    .into()
}

impl StateMachine for ClientState {
    fn handle(self, cx: &mut CommonState, input: Input) -> Result<Self, Error> {
        let msg = match input {
            Input::Handshake(msg) => msg,
            // TLS 1.3 compatibility ChangeCipherSpecs are dropped by the
            // record layer; any other one is unexpected (RFC 8446 §5).
            Input::ChangeCipherSpec => {
                return Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into())
            }
        };
        let next = match self.0 {
            State::ServerHello(s) => s.handle(cx, msg)?,
            State::EncryptedExtensions(s) => s.handle(cx, msg)?,
            State::Certificate(s) => s.handle(cx, msg)?,
            State::CertificateVerify(s) => s.handle(cx, msg)?,
            State::Finished(s) => s.handle(cx, msg)?,
            State::Traffic(s) => s.handle(cx, msg)?,
        };
        Ok(Self(next))
    }

    fn name(&self) -> &'static str {
        match &self.0 {
            State::ServerHello(_) => "ExpectServerHello",
            State::EncryptedExtensions(_) => "ExpectEncryptedExtensions",
            State::Certificate(_) => "ExpectCertificate",
            State::CertificateVerify(_) => "ExpectCertificateVerify",
            State::Finished(_) => "ExpectFinished",
            State::Traffic(_) => "ExpectTraffic",
        }
    }

    fn application_data(&mut self) {
        if let State::Traffic(t) = &mut self.0 {
            t.application_data();
        }
    }

    fn update_send_key(&mut self, cx: &mut CommonState, request_peer: bool) -> Result<(), Error> {
        match &mut self.0 {
            State::Traffic(t) => t.update_send_key(cx, request_peer),
            _ => Err(LocalError::HandshakeNotComplete.into()),
        }
    }
}
