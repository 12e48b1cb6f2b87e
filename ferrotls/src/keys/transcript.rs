//! The transcript hash (RFC 8446 §4.4.1; RFC 5246 §7.4.9 `handshake_messages`).
//!
//! Fed the exact bytes of each handshake message as sent or received
//! (header included), never a re-encoding. A client does not know which
//! hash to use until the ServerHello names the cipher suite, so the
//! transcript starts as a [`TranscriptBuffer`] and becomes a
//! [`TranscriptHash`] once the hash is known.

use crate::crypto::hash::{HashAlgorithm, HashContext, HashOutput};
use crate::error::InvalidMessage;
use crate::msgs::enums::HandshakeType;

/// Handshake messages kept verbatim until the transcript's hash is known.
#[derive(Clone, Debug, Default)]
pub struct TranscriptBuffer {
    messages: Vec<u8>,
}

impl TranscriptBuffer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one handshake message (header and body, as on the wire).
    pub fn add(&mut self, message: &[u8]) {
        self.messages.extend_from_slice(message);
    }

    /// The messages so far.
    pub fn messages(&self) -> &[u8] {
        &self.messages
    }

    /// Hash of the buffered messages followed by `extra`, leaving the
    /// buffer as it is. A client computes its PSK binders this way before
    /// it knows the suite: `extra` is the truncated ClientHello
    /// (RFC 8446 §4.2.11.2).
    pub fn hash_with(&self, alg: HashAlgorithm, extra: &[u8]) -> HashOutput {
        let mut ctx = alg.start();
        ctx.update(&self.messages);
        ctx.update(extra);
        ctx.finish()
    }

    /// The hash is now known: hash what was buffered and go on hashing.
    pub fn start_hash(self, alg: HashAlgorithm) -> TranscriptHash {
        let mut ctx = alg.start();
        ctx.update(&self.messages);
        TranscriptHash { ctx, kept: None }
    }

    /// Like [`TranscriptBuffer::start_hash`], but keeps every message too:
    /// a TLS 1.2 CertificateVerify signs `handshake_messages` themselves,
    /// not their hash (RFC 5246 §7.4.8).
    pub fn start_hash_keeping_messages(self, alg: HashAlgorithm) -> TranscriptHash {
        let mut ctx = alg.start();
        ctx.update(&self.messages);
        TranscriptHash {
            ctx,
            kept: Some(self.messages),
        }
    }
}

/// The running transcript hash, once its hash function is known.
#[derive(Clone)]
pub struct TranscriptHash {
    ctx: HashContext,
    /// Every message, when the TLS 1.2 CertificateVerify needs them.
    kept: Option<Vec<u8>>,
}

impl TranscriptHash {
    /// An empty transcript hashed with `alg` (a server picks the suite
    /// before it hashes the ClientHello).
    pub fn new(alg: HashAlgorithm) -> Self {
        TranscriptBuffer::new().start_hash(alg)
    }

    /// RFC 8446 §4.4.1: a server that sent a HelloRetryRequest without
    /// keeping state rebuilds the transcript from the hash of ClientHello1
    /// it stored in the cookie. The transcript then starts with the
    /// synthetic `message_hash` message in place of ClientHello1; the
    /// caller adds the HelloRetryRequest next.
    ///
    /// The hash length must be the suite's Hash.length.
    pub fn from_client_hello1_hash(
        alg: HashAlgorithm,
        client_hello1_hash: &[u8],
    ) -> Result<Self, InvalidMessage> {
        let message = message_hash(alg, client_hello1_hash)?;
        let mut transcript = Self::new(alg);
        transcript.add(&message);
        Ok(transcript)
    }

    pub fn algorithm(&self) -> HashAlgorithm {
        self.ctx.algorithm()
    }

    /// Appends one handshake message (header and body, as on the wire).
    pub fn add(&mut self, message: &[u8]) {
        self.ctx.update(message);
        if let Some(kept) = self.kept.as_mut() {
            kept.extend_from_slice(message);
        }
    }

    /// Transcript-Hash of every message added so far; the transcript goes on.
    pub fn current(&self) -> HashOutput {
        self.ctx.current()
    }

    /// Hash of the transcript followed by `extra`, without adding `extra`:
    /// the PSK binder of a second ClientHello covers ClientHello1
    /// (as `message_hash`), the HelloRetryRequest and the truncated
    /// ClientHello2 (RFC 8446 §4.2.11.2).
    pub fn hash_with(&self, extra: &[u8]) -> HashOutput {
        let mut ctx = self.ctx.clone();
        ctx.update(extra);
        ctx.finish()
    }

    /// The messages themselves, if this transcript was started with
    /// [`TranscriptBuffer::start_hash_keeping_messages`].
    pub fn messages(&self) -> Option<&[u8]> {
        self.kept.as_deref()
    }

    /// Stops keeping the messages (after the TLS 1.2 CertificateVerify).
    pub fn forget_messages(&mut self) {
        self.kept = None;
    }

    /// RFC 8446 §4.4.1: "When the server responds to a ClientHello with a
    /// HelloRetryRequest, the value of ClientHello1 is replaced with a
    /// special synthetic handshake message of handshake type
    /// "message_hash" containing Hash(ClientHello1)."
    ///
    /// Call this when the transcript holds ClientHello1 and nothing else,
    /// before adding the HelloRetryRequest. Returns the new transcript and
    /// Hash(ClientHello1) (what a stateless server puts in its cookie).
    pub fn replace_client_hello1_with_message_hash(self) -> (Self, HashOutput) {
        let alg = self.algorithm();
        let ch1_hash = self.ctx.finish();
        let mut transcript = Self::new(alg);
        transcript.add(&message_hash_header(alg));
        transcript.add(ch1_hash.as_ref());
        (transcript, ch1_hash)
    }
}

impl core::fmt::Debug for TranscriptHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TranscriptHash")
            .field("alg", &self.algorithm())
            .field("current", &self.current())
            .field("keeps_messages", &self.kept.is_some())
            .finish()
    }
}

/// The 4-byte header of the synthetic `message_hash` message:
/// `message_hash (254) || 00 00 || Hash.length` (RFC 8446 §4.4.1).
fn message_hash_header(alg: HashAlgorithm) -> [u8; 4] {
    // Hash.length is 32 or 48, so it fits in the low byte.
    let len = u8::try_from(alg.output_len()).unwrap_or(u8::MAX);
    [HandshakeType::MessageHash.to_wire(), 0, 0, len]
}

/// The synthetic `message_hash` handshake message that stands for
/// ClientHello1 after a HelloRetryRequest (RFC 8446 §4.4.1), given
/// Hash(ClientHello1). A hash of the wrong length (e.g. from a forged or
/// stale cookie) is `illegal_parameter`.
pub fn message_hash(
    alg: HashAlgorithm,
    client_hello1_hash: &[u8],
) -> Result<Vec<u8>, InvalidMessage> {
    if client_hello1_hash.len() != alg.output_len() {
        return Err(InvalidMessage::IllegalParameter {
            what: "ClientHello1 hash length",
        });
    }
    let mut message = message_hash_header(alg).to_vec();
    message.extend_from_slice(client_hello1_hash);
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CH1: &[u8] = &[1, 0, 0, 2, 0xaa, 0xbb];
    const HRR: &[u8] = &[2, 0, 0, 1, 0xcc];
    const CH2: &[u8] = &[1, 0, 0, 1, 0xdd];

    #[test]
    fn buffering_then_hashing_equals_hashing_everything() {
        let mut buffer = TranscriptBuffer::new();
        buffer.add(CH1);
        let mut t = buffer.start_hash(HashAlgorithm::Sha384);
        assert_eq!(t.current(), HashAlgorithm::Sha384.hash(CH1));
        t.add(HRR);
        assert_eq!(
            t.current(),
            HashAlgorithm::Sha384.hash(&[CH1, HRR].concat())
        );
        assert_eq!(t.messages(), None);
        assert_eq!(
            t.hash_with(CH2),
            HashAlgorithm::Sha384.hash(&[CH1, HRR, CH2].concat())
        );
        // hash_with does not add.
        assert_eq!(
            t.current(),
            HashAlgorithm::Sha384.hash(&[CH1, HRR].concat())
        );
    }

    #[test]
    fn buffer_hash_with() {
        let mut buffer = TranscriptBuffer::new();
        buffer.add(CH1);
        assert_eq!(
            buffer.hash_with(HashAlgorithm::Sha256, CH2),
            HashAlgorithm::Sha256.hash(&[CH1, CH2].concat())
        );
        assert_eq!(buffer.messages(), CH1);
    }

    #[test]
    fn keeps_messages_for_tls12_certificate_verify() {
        let mut buffer = TranscriptBuffer::new();
        buffer.add(CH1);
        let mut t = buffer.start_hash_keeping_messages(HashAlgorithm::Sha256);
        t.add(HRR);
        assert_eq!(t.messages(), Some(&[CH1, HRR].concat()[..]));
        t.forget_messages();
        t.add(CH2);
        assert_eq!(t.messages(), None);
        assert_eq!(
            t.current(),
            HashAlgorithm::Sha256.hash(&[CH1, HRR, CH2].concat())
        );
    }

    #[test]
    fn hello_retry_request_rule() {
        for alg in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            let mut t = TranscriptHash::new(alg);
            t.add(CH1);
            let (mut t, ch1_hash) = t.replace_client_hello1_with_message_hash();
            assert_eq!(ch1_hash, alg.hash(CH1));
            t.add(HRR);
            t.add(CH2);
            // Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
            // Hash(message_hash || 00 00 Hash.length || Hash(ClientHello1) ||
            //      HelloRetryRequest || ... || Mn)
            let len = alg.output_len() as u8;
            let expected = [&[254, 0, 0, len], ch1_hash.as_ref(), HRR, CH2].concat();
            assert_eq!(t.current(), alg.hash(&expected));

            // A stateless server gets the same transcript from the cookie.
            let mut rebuilt =
                TranscriptHash::from_client_hello1_hash(alg, ch1_hash.as_ref()).unwrap();
            rebuilt.add(HRR);
            rebuilt.add(CH2);
            assert_eq!(rebuilt.current(), t.current());
        }
    }

    #[test]
    fn cookie_hash_of_wrong_length_is_rejected() {
        let err = TranscriptHash::from_client_hello1_hash(HashAlgorithm::Sha384, &[0; 32]);
        assert!(matches!(err, Err(InvalidMessage::IllegalParameter { .. })));
        assert!(message_hash(HashAlgorithm::Sha256, &[]).is_err());
    }
}
