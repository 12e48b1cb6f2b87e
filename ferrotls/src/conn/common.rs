//! What every connection has whatever its side and version: the record
//! layer in both directions, the handshake joiner, alerts, buffered
//! application data, and the parameters negotiated so far.
//!
//! The handshake states drive it through a small surface: send handshake
//! messages (coalesced per flight), switch keys, start traffic. Everything
//! else (splitting records, decrypting in place, alerts, ChangeCipherSpec
//! rules) happens here, once for all states.

use std::sync::Arc;

use crate::conn::negotiated::Negotiated;
use crate::error::{Error, LocalError, PeerMisbehaved};
use crate::msgs::alert::Alert;
use crate::msgs::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::msgs::handshake::{DecodeContext, HandshakeMessage};
use crate::record::deframer::{
    RecordSpan, RecvBuffer, MAX_CIPHERTEXT_TLS12, MAX_CIPHERTEXT_TLS13, MAX_PLAINTEXT,
};
use crate::record::joiner::{HandshakeJoiner, JoinError};
use crate::record::protect::{write_plaintext, RecordCipher};
use crate::trace::{Direction, KeyLog, Observer, Protection};

/// Which end of the connection this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// How many warnings, empty records or KeyUpdates may arrive in a row
/// before the peer is taken to be wasting our time.
pub(crate) const MAX_IN_A_ROW: usize = 32;

/// How much plaintext a caller may write before the handshake ends.
const MAX_PENDING_PLAINTEXT: usize = 64 * 1024;

/// What a received record turned into, for the connection to act on.
pub(crate) enum Received {
    /// A whole handshake message, decoded.
    Handshake(HandshakeMessage),
    /// A TLS 1.2 ChangeCipherSpec (TLS 1.3 compatibility ones are dropped here).
    ChangeCipherSpec,
    /// Application data is waiting to be read.
    ApplicationData,
    /// Nothing more to do until more bytes arrive or data is read.
    Nothing,
}

/// Plaintext of one application-data record, decrypted in place.
#[derive(Debug)]
struct AppData {
    /// Stream range of the unread plaintext.
    unread: core::ops::Range<usize>,
    /// Stream offset where the record ends (consumed once all is read).
    record_end: usize,
}

/// The side- and version-independent half of a connection.
pub struct CommonState {
    pub(crate) side: Side,
    recv: RecvBuffer,
    joiner: HandshakeJoiner,
    decrypter: Option<RecordCipher>,
    encrypter: Option<RecordCipher>,
    pub(crate) recv_protection: Protection,
    pub(crate) send_protection: Protection,
    /// TLS bytes to send, and how many of them have been taken.
    send: Vec<u8>,
    sent: usize,
    /// Handshake messages of the flight being built, sent as records at
    /// the next flush (so a flight shares records, as RFC 8448 shows).
    flight: Vec<u8>,
    /// Plaintext written before the handshake completed.
    pending_plaintext: Vec<u8>,
    app_data: Option<AppData>,
    pub(crate) negotiated: Negotiated,
    /// How the next handshake message is read.
    pub(crate) decode_ctx: DecodeContext,
    /// RFC 8446 §5: between the first ClientHello and the peer's Finished,
    /// an unencrypted ChangeCipherSpec of one byte 0x01 is dropped.
    pub(crate) ignore_compat_ccs: bool,
    /// Application data may flow (the handshake is complete).
    pub(crate) traffic: bool,
    /// Record version of unprotected records: 0x0301 for the initial
    /// ClientHello, then 0x0303 (RFC 8446 §5.1).
    pub(crate) plaintext_version: ProtocolVersion,
    /// Largest plaintext per record we send (2^14, or less by record_size_limit).
    pub(crate) max_fragment: usize,
    pub(crate) client_random: [u8; 32],
    pub(crate) observer: Option<Arc<dyn Observer>>,
    pub(crate) keylog: Option<Arc<dyn KeyLog>>,
    peer_closed: bool,
    sent_close: bool,
    error: Option<Error>,
    in_a_row: usize,
}

impl core::fmt::Debug for CommonState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CommonState")
            .field("side", &self.side)
            .field("negotiated", &self.negotiated)
            .field("traffic", &self.traffic)
            .finish_non_exhaustive()
    }
}

impl CommonState {
    pub(crate) fn new(side: Side) -> Self {
        Self {
            side,
            recv: RecvBuffer::new(),
            joiner: HandshakeJoiner::default(),
            decrypter: None,
            encrypter: None,
            recv_protection: Protection::Plaintext,
            send_protection: Protection::Plaintext,
            send: Vec::new(),
            sent: 0,
            flight: Vec::new(),
            pending_plaintext: Vec::new(),
            app_data: None,
            negotiated: Negotiated::default(),
            decode_ctx: DecodeContext::Hello,
            ignore_compat_ccs: false,
            traffic: false,
            plaintext_version: ProtocolVersion::TLSv1_2,
            max_fragment: MAX_PLAINTEXT,
            client_random: [0; 32],
            observer: None,
            keylog: None,
            peer_closed: false,
            sent_close: false,
            error: None,
            in_a_row: 0,
        }
    }

    // ---- used by the handshake states -------------------------------

    /// Queues a handshake message of the current flight.
    pub(crate) fn send_handshake(&mut self, msg: &HandshakeMessage) {
        if let Some(o) = &self.observer {
            o.message(Direction::Sent, self.send_protection, msg);
        }
        self.flight.extend_from_slice(msg.encoded());
    }

    /// Sends the queued flight as records under the current keys.
    pub(crate) fn flush_flight(&mut self) -> Result<(), Error> {
        if self.flight.is_empty() {
            return Ok(());
        }
        let flight = core::mem::take(&mut self.flight);
        let result = self.send_records(ContentType::Handshake, &flight);
        // Keep the allocation for the next flight.
        self.flight = flight;
        self.flight.clear();
        result
    }

    /// Sends a ChangeCipherSpec record (TLS 1.2, or TLS 1.3 middlebox
    /// compatibility, RFC 8446 §D.4). It is never encrypted.
    pub(crate) fn send_ccs(&mut self) -> Result<(), Error> {
        self.flush_flight()?;
        write_plaintext(
            &mut self.send,
            ContentType::ChangeCipherSpec,
            ProtocolVersion::TLSv1_2,
            &[1],
        );
        if let Some(o) = &self.observer {
            o.change_cipher_spec(Direction::Sent);
        }
        Ok(())
    }

    /// From now on, records we send are protected by `cipher`.
    pub(crate) fn set_encrypter(
        &mut self,
        cipher: RecordCipher,
        level: Protection,
    ) -> Result<(), Error> {
        self.flush_flight()?;
        self.encrypter = Some(cipher);
        self.send_protection = level;
        if let Some(o) = &self.observer {
            o.keys_changed(Direction::Sent, level);
        }
        Ok(())
    }

    /// From now on, records we receive are protected by `cipher`.
    pub(crate) fn set_decrypter(
        &mut self,
        cipher: RecordCipher,
        level: Protection,
    ) -> Result<(), Error> {
        // RFC 8446 §5.1: "Handshake messages MUST NOT span key changes ...
        // if not, then they MUST terminate the connection with an
        // 'unexpected_message' alert."
        if self.joiner.has_partial() {
            return Err(PeerMisbehaved::HandshakeSpansKeyChange.into());
        }
        self.decrypter = Some(cipher);
        self.recv_protection = level;
        if let Some(o) = &self.observer {
            o.keys_changed(Direction::Received, level);
        }
        Ok(())
    }

    /// Whether the sending key has protected as many records as its AEAD
    /// safely allows (RFC 8446 §5.5).
    pub(crate) fn send_key_near_limit(&self) -> bool {
        self.encrypter
            .as_ref()
            .is_some_and(RecordCipher::near_limit)
    }

    /// The handshake is complete: application data may flow, and what the
    /// caller wrote early is sent now.
    pub(crate) fn start_traffic(&mut self) -> Result<(), Error> {
        self.flush_flight()?;
        self.traffic = true;
        let pending = core::mem::take(&mut self.pending_plaintext);
        self.send_records(ContentType::ApplicationData, &pending)
    }

    /// Hands a secret to the key log, if one is configured.
    pub(crate) fn log_secret(&self, label: &str, secret: &[u8]) {
        if let Some(k) = &self.keylog {
            k.log(label, &self.client_random, secret);
        }
    }

    /// Tells the observer the state machine moved on.
    pub(crate) fn trace_state(&self, name: &'static str) {
        if let Some(o) = &self.observer {
            o.state(name);
        }
    }

    // ---- the record layer ------------------------------------------

    fn send_records(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        for chunk in data.chunks(self.max_fragment.max(1)) {
            match &mut self.encrypter {
                Some(enc) => enc.seal(typ, chunk, &mut self.send)?,
                None => write_plaintext(&mut self.send, typ, self.plaintext_version, chunk),
            }
        }
        Ok(())
    }

    /// Writes application data (all of it, once traffic flows; before
    /// that, up to a bounded amount that is sent when the handshake ends).
    pub(crate) fn write_plaintext(&mut self, data: &[u8]) -> Result<usize, Error> {
        if self.sent_close {
            return Err(LocalError::Closed.into());
        }
        if !self.traffic {
            let room = MAX_PENDING_PLAINTEXT.saturating_sub(self.pending_plaintext.len());
            let take = room.min(data.len());
            self.pending_plaintext
                .extend_from_slice(data.get(..take).unwrap_or_default());
            return Ok(take);
        }
        self.send_records(ContentType::ApplicationData, data)?;
        Ok(data.len())
    }

    /// Sends an alert under the current keys.
    pub(crate) fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        let alert = Alert { level, description };
        // A failure here leaves nothing better to do than to stop sending.
        let _ = self.flush_flight();
        let _ = self.send_records(
            ContentType::Alert,
            &[level.to_wire(), description.to_wire()],
        );
        if let Some(o) = &self.observer {
            o.alert(Direction::Sent, &alert);
        }
    }

    /// Sends close_notify (RFC 8446 §6.1) once.
    pub(crate) fn send_close_notify(&mut self) {
        if !self.sent_close && self.error.is_none() {
            self.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
            self.sent_close = true;
        }
    }

    /// Records the first fatal error; the alert it names goes to the peer.
    /// From then on the connection refuses to carry data.
    pub(crate) fn fail(&mut self, err: Error) -> Error {
        if self.error.is_none() {
            if let Some(alert) = err.alert() {
                self.send_alert(AlertLevel::Fatal, alert);
            }
            self.error = Some(err.clone());
        }
        err
    }

    pub(crate) fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    pub(crate) fn check_ok(&self) -> Result<(), Error> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Bytes waiting to go to the peer.
    pub(crate) fn pending_tls(&self) -> &[u8] {
        self.send.get(self.sent..).unwrap_or_default()
    }

    /// Marks `n` of [`Self::pending_tls`] as sent.
    pub(crate) fn consume_tls(&mut self, n: usize) {
        self.sent = (self.sent + n).min(self.send.len());
        if self.sent == self.send.len() {
            self.send.clear();
            self.sent = 0;
        } else if self.sent > self.send.len() / 2 {
            // Drop the sent half now and then: linear in bytes sent.
            self.send.drain(..self.sent);
            self.sent = 0;
        }
    }

    pub(crate) fn recv_buffer(&mut self) -> &mut RecvBuffer {
        &mut self.recv
    }

    pub(crate) fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    pub(crate) fn sent_close(&self) -> bool {
        self.sent_close
    }

    /// The longest record the current receive state allows.
    fn recv_limit(&self) -> usize {
        match (&self.decrypter, self.negotiated.version) {
            (None, _) => MAX_PLAINTEXT,
            (Some(_), Some(ProtocolVersion::TLSv1_2)) => MAX_CIPHERTEXT_TLS12,
            (Some(_), _) => MAX_CIPHERTEXT_TLS13,
        }
    }

    fn count_in_a_row(&mut self, what: &'static str) -> Result<(), Error> {
        self.in_a_row += 1;
        if self.in_a_row > MAX_IN_A_ROW {
            return Err(PeerMisbehaved::TooManyInARow { what }.into());
        }
        Ok(())
    }

    /// Progress was made: resets the counter of idle records.
    pub(crate) fn made_progress(&mut self) {
        self.in_a_row = 0;
    }

    /// Takes the next thing the peer sent out of the received bytes.
    /// `state` names the handshake state, for errors.
    pub(crate) fn receive(&mut self, state: &'static str) -> Result<Received, Error> {
        loop {
            if self.app_data.is_some() {
                return Ok(Received::ApplicationData);
            }
            if self.peer_closed {
                return Ok(Received::Nothing);
            }
            // A message already joined from an earlier record comes first.
            if let Some(msg) = self.next_joined_message()? {
                return Ok(Received::Handshake(msg));
            }
            let Some(span) = self
                .recv
                .next_record(self.recv_limit())
                .map_err(|e| match e {
                    crate::record::deframer::DeframeError::Overflow { len, limit } => {
                        Error::Record(crate::record::protect::RecordError::RecordOverflow {
                            len,
                            limit,
                        })
                    }
                    crate::record::deframer::DeframeError::UnknownContentType(t) => {
                        PeerMisbehaved::UnexpectedRecord {
                            state,
                            got: ContentType::from_wire(t),
                        }
                        .into()
                    }
                })?
            else {
                return Ok(Received::Nothing);
            };
            if let Some(r) = self.take_record(span, state)? {
                return Ok(r);
            }
        }
    }

    fn next_joined_message(&mut self) -> Result<Option<HandshakeMessage>, Error> {
        let ctx = self.decode_ctx;
        let msg = match self.joiner.next_message() {
            Ok(Some(bytes)) => HandshakeMessage::from_bytes(bytes, ctx)?,
            Ok(None) => return Ok(None),
            Err(JoinError::TooLarge { len, max }) => {
                return Err(PeerMisbehaved::HandshakeMessageTooLarge { len, max }.into())
            }
            Err(JoinError::EmptyFragment) => {
                return Err(PeerMisbehaved::EmptyRecord {
                    typ: ContentType::Handshake,
                }
                .into())
            }
        };
        if let Some(o) = &self.observer {
            o.message(Direction::Received, self.recv_protection, &msg);
        }
        Ok(Some(msg))
    }

    /// Opens one record and acts on its type.
    fn take_record(
        &mut self,
        span: RecordSpan,
        state: &'static str,
    ) -> Result<Option<Received>, Error> {
        // RFC 8446 §5: an unprotected ChangeCipherSpec is handled before
        // any decryption, whatever the current keys.
        if span.typ == ContentType::ChangeCipherSpec {
            let ok = self.recv.bytes(span.payload.clone()) == [1];
            self.recv.consume_to(span.record.end);
            if self.joiner.has_partial() {
                return Err(PeerMisbehaved::HandshakeInterleaved.into());
            }
            if matches!(self.decode_ctx, DecodeContext::Tls12 { .. }) && ok {
                if let Some(o) = &self.observer {
                    o.change_cipher_spec(Direction::Received);
                }
                return Ok(Some(Received::ChangeCipherSpec));
            }
            if self.ignore_compat_ccs && ok {
                self.count_in_a_row("ChangeCipherSpec records")?;
                if let Some(o) = &self.observer {
                    o.change_cipher_spec(Direction::Received);
                }
                return Ok(None);
            }
            return Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into());
        }

        // A TLS 1.3 peer that rejects our flight may not have switched its
        // own writes to handshake keys yet, and sends its alert unprotected
        // (OpenSSL does). During the handshake such an alert is read as
        // plaintext so the application learns which alert it was.
        let plaintext_alert = span.typ == ContentType::Alert
            && !self.traffic
            && self.negotiated.version != Some(ProtocolVersion::TLSv1_2);
        let (typ, plain) = match &mut self.decrypter {
            Some(dec) if !plaintext_alert => {
                let header: [u8; 5] = self
                    .recv
                    .bytes(span.record.start..span.payload.start)
                    .try_into()
                    .map_err(|_| LocalError::Internal {
                        what: "record header",
                    })?;
                let opened = dec.open(&header, self.recv.bytes_mut(span.payload.clone()))?;
                let start = span.payload.start;
                (
                    opened.typ,
                    start + opened.plaintext.start..start + opened.plaintext.end,
                )
            }
            _ => (span.typ, span.payload.clone()),
        };

        if self.joiner.has_partial() && typ != ContentType::Handshake {
            // RFC 8446 §5.1: "Handshake messages MUST NOT be interleaved
            // with other record types."
            return Err(PeerMisbehaved::HandshakeInterleaved.into());
        }

        match typ {
            ContentType::Handshake => {
                let pushed = self.joiner.push(self.recv.bytes(plain));
                self.recv.consume_to(span.record.end);
                pushed.map_err(|e| match e {
                    JoinError::EmptyFragment => Error::from(PeerMisbehaved::EmptyRecord {
                        typ: ContentType::Handshake,
                    }),
                    JoinError::TooLarge { len, max } => {
                        PeerMisbehaved::HandshakeMessageTooLarge { len, max }.into()
                    }
                })?;
                Ok(self.next_joined_message()?.map(Received::Handshake))
            }
            ContentType::Alert => {
                let bytes = self.recv.bytes(plain);
                let alert = match bytes {
                    // RFC 8446 §5.4: a zero-length alert record is
                    // unexpected_message.
                    [] => {
                        return Err(PeerMisbehaved::EmptyRecord {
                            typ: ContentType::Alert,
                        }
                        .into())
                    }
                    [level, desc] => Alert {
                        level: AlertLevel::from_wire(*level),
                        description: AlertDescription::from_wire(*desc),
                    },
                    // RFC 8446 §5.1: "a record with an Alert type MUST
                    // contain exactly one message".
                    _ => return Err(PeerMisbehaved::MalformedAlert.into()),
                };
                self.recv.consume_to(span.record.end);
                self.handle_alert(&alert)?;
                Ok(None)
            }
            ContentType::ApplicationData => {
                if !self.traffic || self.decrypter.is_none() {
                    return Err(PeerMisbehaved::UnexpectedRecord {
                        state,
                        got: ContentType::ApplicationData,
                    }
                    .into());
                }
                if plain.is_empty() {
                    // RFC 8446 §5.4: zero-length application data is allowed.
                    self.recv.consume_to(span.record.end);
                    self.count_in_a_row("empty records")?;
                    return Ok(None);
                }
                self.made_progress();
                self.app_data = Some(AppData {
                    unread: plain,
                    record_end: span.record.end,
                });
                Ok(Some(Received::ApplicationData))
            }
            other => Err(PeerMisbehaved::UnexpectedRecord { state, got: other }.into()),
        }
    }

    fn handle_alert(&mut self, alert: &Alert) -> Result<(), Error> {
        if let Some(o) = &self.observer {
            o.alert(Direction::Received, alert);
        }
        match alert.description {
            // RFC 8446 §6.1: close_notify says the sender "will not send
            // any more messages on this connection", so a handshake it
            // interrupts cannot complete: it ends as a received alert.
            AlertDescription::CloseNotify if !self.traffic => {
                Err(Error::AlertReceived(AlertDescription::CloseNotify))
            }
            AlertDescription::CloseNotify => {
                // RFC 8446 §6.1: data received after close_notify is ignored.
                self.peer_closed = true;
                Ok(())
            }
            // RFC 8446 §6.1: user_canceled is followed by close_notify.
            AlertDescription::UserCanceled => self.count_in_a_row("warning alerts"),
            // RFC 5246 §7.2: TLS 1.2 warnings do not end the connection.
            // RFC 8446 §6: in TLS 1.3 every other alert is fatal whatever
            // its level.
            desc if alert.level == AlertLevel::Warning
                && self.negotiated.version != Some(ProtocolVersion::TLSv1_3) =>
            {
                let _ = desc;
                self.count_in_a_row("warning alerts")
            }
            desc => Err(Error::AlertReceived(desc)),
        }
    }

    /// Copies received application data into `buf`.
    pub(crate) fn read_app_data(&mut self, buf: &mut [u8]) -> usize {
        let Some(app) = &mut self.app_data else {
            return 0;
        };
        let src = self.recv.bytes(app.unread.clone());
        let n = src.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
        app.unread.start += n;
        if app.unread.is_empty() {
            let end = app.record_end;
            self.app_data = None;
            self.recv.consume_to(end);
        }
        n
    }

    /// Whether unread application data is waiting.
    pub(crate) fn has_app_data(&self) -> bool {
        self.app_data.is_some()
    }
}
