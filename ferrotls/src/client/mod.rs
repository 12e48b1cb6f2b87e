//! The client: [`ClientConnection`] and its handshake state machine.
//!
//! The states read like the RFC 8446 §2 message flow: `hello.rs` sends the
//! ClientHello and reads the ServerHello or HelloRetryRequest; `tls13.rs`
//! reads the server's encrypted flight, sends ours and carries the
//! traffic phase. A server that picks TLS 1.2 continues in `tls12.rs`
//! (its flight up to the ServerHelloDone) and `tls12_flight.rs` (ours, the
//! server's ChangeCipherSpec and Finished, traffic); `tls12_resume.rs`
//! offers stored sessions and checks their resumption.

mod hello;
mod tls12;
mod tls12_flight;
mod tls12_resume;
mod tls13;

#[cfg(test)]
mod hello_tests;
#[cfg(test)]
mod tls12_hostile_tests;
#[cfg(test)]
mod tls12_resume_tests;
#[cfg(test)]
mod tls12_tests;
#[cfg(test)]
mod tls13_tests;

use std::sync::Arc;

use rustls_pki_types::ServerName;

use crate::config::ClientConfig;
use crate::conn::common::{CommonState, Side};
use crate::conn::{ConnectionCore, Input, StateMachine};
use crate::error::{Error, LocalError, PeerMisbehaved};
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};

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
    Certificate12(Box<tls12::ExpectCertificate>),
    ServerKx12(Box<tls12::ExpectServerKx>),
    ServerDone12(Box<tls12_flight::ExpectServerDone>),
    Ccs12(Box<tls12_flight::ExpectCcs>),
    Finished12(Box<tls12_flight::ExpectFinished>),
    Traffic12(Box<tls12_flight::ExpectTraffic>),
}

impl State {
    /// A TLS 1.2 state before the handshake is done.
    fn is_tls12_handshake(&self) -> bool {
        matches!(
            self,
            Self::Certificate12(_)
                | Self::ServerKx12(_)
                | Self::ServerDone12(_)
                | Self::Ccs12(_)
                | Self::Finished12(_)
        )
    }
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

/// Hands `msg` to the state that waits for it.
fn dispatch(state: State, cx: &mut CommonState, msg: HandshakeMessage) -> Result<State, Error> {
    match state {
        State::ServerHello(s) => s.handle(cx, msg),
        State::EncryptedExtensions(s) => s.handle(cx, msg),
        State::Certificate(s) => s.handle(cx, msg),
        State::CertificateVerify(s) => s.handle(cx, msg),
        State::Finished(s) => s.handle(cx, msg),
        State::Traffic(s) => s.handle(cx, msg),
        State::Certificate12(s) => s.handle(cx, msg),
        State::ServerKx12(s) => s.handle(cx, msg),
        State::ServerDone12(s) => s.handle(cx, msg),
        State::Ccs12(s) => s.handle(cx, msg),
        State::Finished12(s) => s.handle(cx, msg),
        State::Traffic12(s) => s.handle(cx, msg),
    }
}

impl StateMachine for ClientState {
    fn handle(self, cx: &mut CommonState, input: Input) -> Result<Self, Error> {
        let (msg, state) = match (input, self.0) {
            (Input::Handshake(msg), state) => (msg, state),
            // RFC 5246 §7.1: the server's ChangeCipherSpec comes right
            // before its Finished.
            (Input::ChangeCipherSpec, State::Ccs12(s)) => return Ok(Self(s.handle_ccs(cx)?)),
            // TLS 1.3 compatibility ChangeCipherSpecs are dropped by the
            // record layer; any other one is unexpected (RFC 8446 §5), as
            // is a TLS 1.2 one anywhere but before the server's Finished
            // (the CCS-injection attack, CVE-2014-0224).
            (Input::ChangeCipherSpec, _) => return Err(tls12_flight::unexpected_ccs()),
        };
        // RFC 5246 §7.4.1.1: a HelloRequest "will be ignored by the client
        // if the client is currently negotiating a session"; it is not
        // part of the transcript.
        if state.is_tls12_handshake() && matches!(msg.payload(), HandshakePayload::HelloRequest) {
            return Ok(Self(state));
        }
        // The session being resumed, if this step can end its handshake.
        let resuming = match &state {
            State::ServerHello(s) => s.offered_tls12_store(),
            State::Ccs12(s) if cx.negotiated.resumed => s.session_store(),
            State::Finished12(s) if cx.negotiated.resumed => s.session_store(),
            _ => None,
        };
        let result = dispatch(state, cx, msg);
        if let (Err(_), Some(store), Some(name)) =
            (&result, resuming, cx.negotiated.server_name.as_deref())
        {
            // RFC 5246 §7.2: "Alert messages with a level of fatal result
            // in the immediate termination of the connection. In this case,
            // other connections corresponding to the session may continue,
            // but the session identifier MUST be invalidated, preventing
            // the failed session from being used to establish new
            // connections".
            store.remove_tls12(name);
        }
        Ok(Self(result?))
    }

    fn name(&self) -> &'static str {
        match &self.0 {
            State::ServerHello(_) => "ExpectServerHello",
            State::EncryptedExtensions(_) => "ExpectEncryptedExtensions",
            State::Certificate(_) => "ExpectCertificate",
            State::CertificateVerify(_) => "ExpectCertificateVerify",
            State::Finished(_) => "ExpectFinished",
            State::Traffic(_) => "ExpectTraffic",
            State::Certificate12(_) => "ExpectCertificate12",
            State::ServerKx12(_) => "ExpectServerKeyExchange",
            State::ServerDone12(_) => "ExpectServerHelloDone",
            State::Ccs12(_) => "ExpectChangeCipherSpec",
            State::Finished12(_) => "ExpectFinished12",
            State::Traffic12(_) => "ExpectTraffic12",
        }
    }

    fn application_data(&mut self) {
        match &mut self.0 {
            State::Traffic(t) => t.application_data(),
            State::Traffic12(t) => t.application_data(),
            _ => {}
        }
    }

    fn update_send_key(&mut self, cx: &mut CommonState, request_peer: bool) -> Result<(), Error> {
        match &mut self.0 {
            State::Traffic(t) => t.update_send_key(cx, request_peer),
            State::Traffic12(_) => Err(LocalError::NoKeyUpdateInTls12.into()),
            _ => Err(LocalError::HandshakeNotComplete.into()),
        }
    }
}
