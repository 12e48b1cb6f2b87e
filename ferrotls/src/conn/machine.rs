//! The interface between a connection and its handshake state machine.
//!
//! The items are `pub` so `ConnectionCore`'s public methods may name them
//! in bounds, but the module is private: applications cannot implement or
//! call them.

use crate::conn::common::CommonState;
use crate::error::{Error, LocalError};
use crate::msgs::handshake::HandshakeMessage;

/// What the connection hands a handshake state.
#[derive(Debug)]
pub enum Input {
    Handshake(HandshakeMessage),
    /// A TLS 1.2 ChangeCipherSpec.
    ChangeCipherSpec,
}

/// A handshake state machine: an enum of states, each consuming itself
/// to handle one input and returning the next state.
pub trait StateMachine: Sized {
    /// Handles one input. A message the current state does not expect is
    /// an `unexpected_message` error.
    fn handle(self, cx: &mut CommonState, input: Input) -> Result<Self, Error>;

    /// The name of the current state, for errors and traces.
    fn name(&self) -> &'static str;

    /// Application data arrived: counters of messages without progress
    /// (KeyUpdates in a row) start again.
    fn application_data(&mut self) {}

    /// Sends a KeyUpdate (TLS 1.3, RFC 8446 §4.6.3) and switches to the
    /// next sending key; `request_peer` asks the peer to do the same.
    fn update_send_key(&mut self, _cx: &mut CommonState, _request_peer: bool) -> Result<(), Error> {
        Err(LocalError::HandshakeNotComplete.into())
    }
}
