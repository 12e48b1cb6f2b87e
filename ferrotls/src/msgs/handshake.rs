//! Handshake framing and the enum of every handshake message
//! (RFC 8446 §4, RFC 5246 §7.4).
//!
//! ```text
//! struct {
//!     HandshakeType msg_type;    /* handshake type */
//!     uint24 length;             /* remaining bytes in message */
//!     select (Handshake.msg_type) { ... };
//! } Handshake;
//! ```
//!
//! Several bodies cannot be read from their bytes alone: Certificate,
//! CertificateRequest and NewSessionTicket differ between TLS 1.2 and 1.3,
//! Finished has no length of its own, and ServerKeyExchange /
//! ClientKeyExchange depend on the suite's key exchange. Decoding takes a
//! [`DecodeContext`] saying what has been negotiated so far.
//!
//! Handshake types without a typed form here (HelloVerifyRequest,
//! CertificateStatus, CompressedCertificate, unassigned values) decode to
//! [`HandshakePayload::Unknown`] with their body kept, rather than to an
//! error: the decoder cannot know which messages the current state
//! expects, and the state machine answers every message it does not
//! expect, known or not, with `unexpected_message` (RFC 8446 §4: "A peer
//! which receives a handshake message in an unexpected order MUST abort
//! the handshake with an "unexpected_message" alert"). A known type whose
//! body cannot be read in the given context (a Finished before any version
//! is negotiated, a ServerKeyExchange in TLS 1.3) is an
//! [`InvalidMessage::UnexpectedMessage`] error for the same reason.

use core::fmt;

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, Writer};
use crate::error::InvalidMessage;
use crate::msgs::certificate::{CertificateTls12, CertificateTls13};
use crate::msgs::certificate_request::{CertificateRequestTls12, CertificateRequestTls13};
use crate::msgs::certificate_verify::CertificateVerify;
use crate::msgs::client_hello::ClientHello;
use crate::msgs::encrypted_extensions::EncryptedExtensions;
use crate::msgs::enums::HandshakeType;
use crate::msgs::finished::{Finished, TLS12_VERIFY_DATA_LEN};
use crate::msgs::key_exchange::{ClientKeyExchange, KeyExchangeKind, ServerKeyExchange};
use crate::msgs::key_update::KeyUpdate;
use crate::msgs::message_hash::MessageHash;
use crate::msgs::server_hello::ServerHello;
use crate::msgs::supplemental_data::SupplementalData;
use crate::msgs::tickets::{NewSessionTicketTls12, NewSessionTicketTls13};

/// Bytes in a handshake header: `msg_type` and `uint24 length`.
pub const HEADER_LEN: usize = 4;

/// What has been negotiated when a handshake message arrives: enough to
/// choose how its body is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeContext {
    /// Before a ServerHello has fixed the version: only the hello messages
    /// and the bodies that read the same in both versions can be decoded.
    Hello,
    /// TLS 1.3, with the length of the suite's hash (the Finished and
    /// message_hash lengths, RFC 8446 §4.4.4).
    Tls13 { hash_len: usize },
    /// TLS 1.2, with the suite's key exchange.
    Tls12 { kx: KeyExchangeKind },
}

/// The header of a handshake message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeHeader {
    pub typ: HandshakeType,
    /// Length of the body.
    pub len: u32,
}

impl HandshakeHeader {
    pub fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            typ: HandshakeType::read(r)?,
            len: r.u24("handshake length")?,
        })
    }

    /// Header plus body: what the whole message takes, so a reassembler
    /// knows how many bytes to wait for.
    pub fn message_len(&self) -> usize {
        HEADER_LEN.saturating_add(usize::try_from(self.len).unwrap_or(usize::MAX))
    }
}

/// The body of a handshake message, by type and (where the shape differs)
/// by version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakePayload {
    /// TLS 1.2 HelloRequest: empty body (RFC 5246 §7.4.1.1).
    HelloRequest,
    ClientHello(ClientHello),
    /// A ServerHello or a HelloRetryRequest (same type, RFC 8446 §4.1.3).
    ServerHello(ServerHello),
    NewSessionTicketTls13(NewSessionTicketTls13),
    NewSessionTicketTls12(NewSessionTicketTls12),
    /// Empty body (RFC 8446 §4.5).
    EndOfEarlyData,
    EncryptedExtensions(EncryptedExtensions),
    CertificateTls13(CertificateTls13),
    CertificateTls12(CertificateTls12),
    ServerKeyExchange(ServerKeyExchange),
    CertificateRequestTls13(CertificateRequestTls13),
    CertificateRequestTls12(CertificateRequestTls12),
    /// Empty body (RFC 5246 §7.4.5).
    ServerHelloDone,
    /// Same body in both versions (RFC 8446 §4.4.3, RFC 5246 §7.4.8).
    CertificateVerify(CertificateVerify),
    ClientKeyExchange(ClientKeyExchange),
    Finished(Finished),
    SupplementalData(SupplementalData),
    KeyUpdate(KeyUpdate),
    /// Synthetic; only in transcripts (RFC 8446 §4.4.1).
    MessageHash(MessageHash),
    /// A type without a typed form here, body kept as received.
    Unknown {
        typ: HandshakeType,
        body: Bytes,
    },
}

impl HandshakePayload {
    /// The `msg_type` this payload is sent with.
    pub fn typ(&self) -> HandshakeType {
        match self {
            Self::HelloRequest => HandshakeType::HelloRequest,
            Self::ClientHello(_) => HandshakeType::ClientHello,
            Self::ServerHello(_) => HandshakeType::ServerHello,
            Self::NewSessionTicketTls13(_) | Self::NewSessionTicketTls12(_) => {
                HandshakeType::NewSessionTicket
            }
            Self::EndOfEarlyData => HandshakeType::EndOfEarlyData,
            Self::EncryptedExtensions(_) => HandshakeType::EncryptedExtensions,
            Self::CertificateTls13(_) | Self::CertificateTls12(_) => HandshakeType::Certificate,
            Self::ServerKeyExchange(_) => HandshakeType::ServerKeyExchange,
            Self::CertificateRequestTls13(_) | Self::CertificateRequestTls12(_) => {
                HandshakeType::CertificateRequest
            }
            Self::ServerHelloDone => HandshakeType::ServerHelloDone,
            Self::CertificateVerify(_) => HandshakeType::CertificateVerify,
            Self::ClientKeyExchange(_) => HandshakeType::ClientKeyExchange,
            Self::Finished(_) => HandshakeType::Finished,
            Self::SupplementalData(_) => HandshakeType::SupplementalData,
            Self::KeyUpdate(_) => HandshakeType::KeyUpdate,
            Self::MessageHash(_) => HandshakeType::MessageHash,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    /// Reads one whole message (header and body) from `r`.
    pub fn read(r: &mut Reader<'_>, ctx: DecodeContext) -> Result<Self, InvalidMessage> {
        let header = HandshakeHeader::read(r)?;
        let len = usize::try_from(header.len).unwrap_or(usize::MAX);
        let mut body = Reader::new(r.take(len, "handshake body")?);
        let payload = Self::read_body(header.typ, &mut body, ctx)?;
        // The body must be used exactly (RFC 8446 §6.2 decode_error: "the
        // length of the message was incorrect").
        body.finish(body_name(header.typ))?;
        Ok(payload)
    }

    fn read_body(
        typ: HandshakeType,
        r: &mut Reader<'_>,
        ctx: DecodeContext,
    ) -> Result<Self, InvalidMessage> {
        use DecodeContext::{Hello, Tls12, Tls13};
        let unexpected = |what| Err(InvalidMessage::UnexpectedMessage { what });
        Ok(match (typ, ctx) {
            // Empty bodies: anything left over fails `finish` in `read`.
            (HandshakeType::HelloRequest, _) => Self::HelloRequest,
            (HandshakeType::EndOfEarlyData, _) => Self::EndOfEarlyData,
            (HandshakeType::ServerHelloDone, _) => Self::ServerHelloDone,
            (HandshakeType::ClientHello, _) => Self::ClientHello(ClientHello::read(r)?),
            (HandshakeType::ServerHello, _) => Self::ServerHello(ServerHello::read(r)?),
            (HandshakeType::EncryptedExtensions, _) => {
                Self::EncryptedExtensions(EncryptedExtensions::read(r)?)
            }
            (HandshakeType::CertificateVerify, _) => {
                Self::CertificateVerify(CertificateVerify::read(r)?)
            }
            (HandshakeType::SupplementalData, _) => {
                Self::SupplementalData(SupplementalData::read(r)?)
            }
            (HandshakeType::KeyUpdate, _) => Self::KeyUpdate(KeyUpdate::read(r)?),

            (HandshakeType::NewSessionTicket, Tls13 { .. }) => {
                Self::NewSessionTicketTls13(NewSessionTicketTls13::read(r)?)
            }
            (HandshakeType::NewSessionTicket, Tls12 { .. }) => {
                Self::NewSessionTicketTls12(NewSessionTicketTls12::read(r)?)
            }
            (HandshakeType::NewSessionTicket, Hello) => {
                return unexpected("NewSessionTicket before the version is negotiated")
            }

            (HandshakeType::Certificate, Tls13 { .. }) => {
                Self::CertificateTls13(CertificateTls13::read(r)?)
            }
            (HandshakeType::Certificate, Tls12 { .. }) => {
                Self::CertificateTls12(CertificateTls12::read(r)?)
            }
            (HandshakeType::Certificate, Hello) => {
                return unexpected("Certificate before the version is negotiated")
            }

            (HandshakeType::CertificateRequest, Tls13 { .. }) => {
                Self::CertificateRequestTls13(CertificateRequestTls13::read(r)?)
            }
            (HandshakeType::CertificateRequest, Tls12 { .. }) => {
                Self::CertificateRequestTls12(CertificateRequestTls12::read(r)?)
            }
            (HandshakeType::CertificateRequest, Hello) => {
                return unexpected("CertificateRequest before the version is negotiated")
            }

            (HandshakeType::ServerKeyExchange, Tls12 { kx }) => {
                Self::ServerKeyExchange(ServerKeyExchange::read(r, kx)?)
            }
            (HandshakeType::ServerKeyExchange, _) => {
                return unexpected("ServerKeyExchange outside a TLS 1.2 handshake")
            }
            (HandshakeType::ClientKeyExchange, Tls12 { kx }) => {
                Self::ClientKeyExchange(ClientKeyExchange::read(r, kx)?)
            }
            (HandshakeType::ClientKeyExchange, _) => {
                return unexpected("ClientKeyExchange outside a TLS 1.2 handshake")
            }

            (HandshakeType::Finished, Tls13 { hash_len }) => {
                Self::Finished(Finished::read(r, hash_len)?)
            }
            (HandshakeType::Finished, Tls12 { .. }) => {
                Self::Finished(Finished::read(r, TLS12_VERIFY_DATA_LEN)?)
            }
            (HandshakeType::Finished, Hello) => {
                return unexpected("Finished before the version is negotiated")
            }

            (HandshakeType::MessageHash, Tls13 { hash_len }) => {
                Self::MessageHash(MessageHash::read(r, hash_len)?)
            }
            (HandshakeType::MessageHash, _) => {
                return unexpected("message_hash outside a TLS 1.3 transcript")
            }

            (typ, _) => Self::Unknown {
                typ,
                body: Bytes::from(r.take_rest()),
            },
        })
    }

    /// Writes header and body.
    pub fn encode(&self, w: &mut Writer<'_>) {
        self.typ().encode(w);
        w.vec(LengthPrefix::U24, |w| self.encode_body(w));
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut Writer::new(&mut out));
        out
    }

    fn encode_body(&self, w: &mut Writer<'_>) {
        match self {
            Self::HelloRequest | Self::EndOfEarlyData | Self::ServerHelloDone => {}
            Self::ClientHello(m) => m.encode(w),
            Self::ServerHello(m) => m.encode(w),
            Self::NewSessionTicketTls13(m) => m.encode(w),
            Self::NewSessionTicketTls12(m) => m.encode(w),
            Self::EncryptedExtensions(m) => m.encode(w),
            Self::CertificateTls13(m) => m.encode(w),
            Self::CertificateTls12(m) => m.encode(w),
            Self::ServerKeyExchange(m) => m.encode(w),
            Self::CertificateRequestTls13(m) => m.encode(w),
            Self::CertificateRequestTls12(m) => m.encode(w),
            Self::CertificateVerify(m) => m.encode(w),
            Self::ClientKeyExchange(m) => m.encode(w),
            Self::Finished(m) => m.encode(w),
            Self::SupplementalData(m) => m.encode(w),
            Self::KeyUpdate(m) => m.encode(w),
            Self::MessageHash(m) => m.encode(w),
            Self::Unknown { body, .. } => w.bytes(body),
        }
    }
}

/// The name used when a body has bytes left over.
fn body_name(typ: HandshakeType) -> &'static str {
    typ.iana_name().unwrap_or("handshake message")
}

/// A handshake message with the exact bytes it was received (or built)
/// as: the transcript hashes these, never a re-encoding (RFC 8446 §4.4.1).
#[derive(Clone, PartialEq, Eq)]
pub struct HandshakeMessage {
    payload: HandshakePayload,
    encoded: Bytes,
}

impl HandshakeMessage {
    /// A message to send; its bytes are the payload's encoding.
    pub fn new(payload: HandshakePayload) -> Self {
        let encoded = Bytes(payload.to_bytes());
        Self { payload, encoded }
    }

    /// Reads one message from `r`, keeping its bytes.
    pub fn read(r: &mut Reader<'_>, ctx: DecodeContext) -> Result<Self, InvalidMessage> {
        let start = r.rest();
        let payload = HandshakePayload::read(r, ctx)?;
        let used = start.len().saturating_sub(r.left());
        let encoded = Bytes::from(start.get(..used).unwrap_or_default());
        Ok(Self { payload, encoded })
    }

    /// Decodes a buffer that holds exactly one message.
    pub fn from_bytes(bytes: &[u8], ctx: DecodeContext) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let m = Self::read(&mut r, ctx)?;
        r.finish("handshake message")?;
        Ok(m)
    }

    pub fn typ(&self) -> HandshakeType {
        self.payload.typ()
    }

    pub fn payload(&self) -> &HandshakePayload {
        &self.payload
    }

    pub fn into_payload(self) -> HandshakePayload {
        self.payload
    }

    /// Header and body exactly as received or sent.
    pub fn encoded(&self) -> &[u8] {
        &self.encoded
    }
}

/// Prints the payload: the bytes are in the payload's fields already.
impl fmt::Debug for HandshakeMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.payload.fmt(f)
    }
}

#[cfg(test)]
pub(crate) mod arb;

#[cfg(test)]
mod tests;
