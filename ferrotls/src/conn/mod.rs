//! Connections, sans-I/O: feed the TLS bytes received, take the TLS bytes
//! to send, read and write plaintext.
//!
//! [`ConnectionCore`] joins the [`CommonState`] (record layer, alerts,
//! buffers) to a handshake state machine; `ClientConnection` and
//! `ServerConnection` are that core with the client's or the server's
//! machine.

pub mod common;
mod machine;
pub mod negotiated;

use std::io;

pub use common::{CommonState, Side};
pub use negotiated::Negotiated;

use crate::error::{Error, LocalError};
use common::Received;
pub(crate) use machine::{Input, StateMachine};

/// The connection machinery shared by both sides.
#[derive(Debug)]
pub struct ConnectionCore<St> {
    pub(crate) common: CommonState,
    /// `None` only after a failure.
    state: Option<St>,
}

impl<St: StateMachine> ConnectionCore<St> {
    pub(crate) fn new(common: CommonState, state: St) -> Self {
        Self {
            common,
            state: Some(state),
        }
    }

    /// Adds TLS bytes received from the peer. Call [`Self::process_new_packets`]
    /// afterwards.
    pub fn feed_tls(&mut self, data: &[u8]) {
        self.common.recv_buffer().extend(data);
    }

    /// Reads TLS bytes from `rd` straight into the receive buffer.
    pub fn read_tls(&mut self, rd: &mut dyn io::Read) -> io::Result<usize> {
        self.common.recv_buffer().read_from(rd)
    }

    /// Processes the TLS bytes received so far: handshake messages move
    /// the handshake on; application data waits to be read. Stops at the
    /// first application-data record until it is read, so records are
    /// decrypted where they lie and copied only into the caller's buffer.
    pub fn process_new_packets(&mut self) -> Result<(), Error> {
        self.common.check_ok()?;
        match self.process() {
            Ok(()) => self.common.flush_flight().map_err(|e| self.common.fail(e)),
            Err(e) => {
                self.state = None;
                Err(self.common.fail(e))
            }
        }
    }

    fn process(&mut self) -> Result<(), Error> {
        loop {
            let name = self.state.as_ref().map_or("failed", StateMachine::name);
            match self.common.receive(name)? {
                Received::Nothing => return Ok(()),
                Received::ApplicationData => {
                    if let Some(state) = self.state.as_mut() {
                        state.application_data();
                    }
                    return Ok(());
                }
                Received::Handshake(msg) => self.step(Input::Handshake(msg))?,
                Received::ChangeCipherSpec => self.step(Input::ChangeCipherSpec)?,
            }
        }
    }

    fn step(&mut self, input: Input) -> Result<(), Error> {
        let state = self.state.take().ok_or(LocalError::Internal {
            what: "no handshake state",
        })?;
        let next = state.handle(&mut self.common, input)?;
        self.common.trace_state(next.name());
        self.state = Some(next);
        Ok(())
    }

    /// TLS bytes waiting to be sent.
    pub fn pending_tls(&self) -> &[u8] {
        self.common.pending_tls()
    }

    /// Marks `n` bytes of [`Self::pending_tls`] as sent.
    pub fn consume_tls(&mut self, n: usize) {
        self.common.consume_tls(n);
    }

    /// Writes pending TLS bytes to `wr`.
    pub fn write_tls(&mut self, wr: &mut dyn io::Write) -> io::Result<usize> {
        let n = wr.write(self.common.pending_tls())?;
        self.common.consume_tls(n);
        Ok(n)
    }

    /// Whether TLS bytes are waiting to be sent.
    pub fn wants_write(&self) -> bool {
        !self.common.pending_tls().is_empty()
    }

    /// Whether the handshake is still under way.
    pub fn is_handshaking(&self) -> bool {
        !self.common.traffic && self.common.error().is_none()
    }

    /// What the handshake has settled so far.
    pub fn negotiated(&self) -> &Negotiated {
        &self.common.negotiated
    }

    /// The error that ended the connection, if any.
    pub fn error(&self) -> Option<&Error> {
        self.common.error()
    }

    /// Reads received application data. `Ok(0)` means the peer closed the
    /// connection with close_notify; `ErrorKind::WouldBlock` means no data
    /// is available until more TLS bytes are processed.
    pub fn read_plaintext(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.common.has_app_data() {
                let n = self.common.read_app_data(buf);
                if !self.common.has_app_data() {
                    // Make the next record readable; an error here is
                    // kept and reported by the next call.
                    let _ = self.process_new_packets();
                }
                return Ok(n);
            }
            if let Some(e) = self.common.error() {
                return Err(io::Error::other(e.clone()));
            }
            if self.common.peer_closed() {
                return Ok(0);
            }
            self.process_new_packets().map_err(io::Error::other)?;
            if !self.common.has_app_data() && !self.common.peer_closed() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
        }
    }

    /// Writes application data; it is encrypted into the TLS bytes to send.
    /// Before the handshake ends a bounded amount is kept and sent when it
    /// does.
    pub fn write_plaintext(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.common.check_ok()?;
        if self.common.traffic && self.common.send_key_near_limit() {
            self.update_send_key(false)?;
        }
        self.common.write_plaintext(data)
    }

    /// Sends a KeyUpdate asking the peer to update too (TLS 1.3).
    pub fn refresh_traffic_keys(&mut self) -> Result<(), Error> {
        self.update_send_key(true)
    }

    fn update_send_key(&mut self, request_peer: bool) -> Result<(), Error> {
        self.common.check_ok()?;
        let state = self.state.as_mut().ok_or(LocalError::Internal {
            what: "no handshake state",
        })?;
        state.update_send_key(&mut self.common, request_peer)
    }

    /// Sends close_notify: no more data will be written.
    pub fn send_close_notify(&mut self) {
        self.common.send_close_notify();
    }

    /// Whether we sent close_notify.
    pub fn sent_close_notify(&self) -> bool {
        self.common.sent_close()
    }

    /// Whether the peer sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.common.peer_closed()
    }
}
