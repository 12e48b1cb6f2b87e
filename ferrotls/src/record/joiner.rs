//! Reassembles handshake messages from the fragments records carry.
//!
//! RFC 8446 §5.1: handshake messages may be coalesced into one record or
//! fragmented across several; they must not be interleaved with other
//! record types and must not span a key change. Only handshake bytes are
//! copied here (application data never passes through).

use crate::msgs::handshake::{HandshakeHeader, HEADER_LEN};

/// Default cap on one handshake message (header included).
pub const DEFAULT_MAX_MESSAGE: usize = 64 * 1024;

/// Why handshake fragments cannot be joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinError {
    /// A message longer than the configured cap.
    TooLarge { len: usize, max: usize },
    /// A zero-length handshake record (RFC 8446 §5.1: "Implementations
    /// MUST NOT send zero-length fragments of Handshake types").
    EmptyFragment,
}

/// Handshake bytes received and not yet handed out as whole messages.
#[derive(Debug)]
pub struct HandshakeJoiner {
    buf: Vec<u8>,
    /// Bytes of `buf` already handed out; dropped on the next `push`.
    taken: usize,
    max_message: usize,
}

impl Default for HandshakeJoiner {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_MESSAGE)
    }
}

impl HandshakeJoiner {
    pub fn new(max_message: usize) -> Self {
        Self {
            buf: Vec::new(),
            taken: 0,
            max_message,
        }
    }

    /// Changes the cap (certificate chains may be allowed more).
    pub fn set_max_message(&mut self, max: usize) {
        self.max_message = max;
    }

    /// Adds the payload of one handshake record.
    pub fn push(&mut self, fragment: &[u8]) -> Result<(), JoinError> {
        if fragment.is_empty() {
            return Err(JoinError::EmptyFragment);
        }
        if self.taken > 0 {
            self.buf.drain(..self.taken.min(self.buf.len()));
            self.taken = 0;
        }
        self.buf.extend_from_slice(fragment);
        // Check the announced length as soon as the header is in, so a
        // peer cannot make us buffer a huge message before we object.
        self.check_next()
    }

    fn check_next(&self) -> Result<(), JoinError> {
        match self.next_len() {
            Some(len) if len > self.max_message => Err(JoinError::TooLarge {
                len,
                max: self.max_message,
            }),
            _ => Ok(()),
        }
    }

    fn next_len(&self) -> Option<usize> {
        let rest = self.buf.get(self.taken..)?;
        let header =
            HandshakeHeader::read(&mut crate::codec::Reader::new(rest.get(..HEADER_LEN)?)).ok()?;
        Some(header.message_len())
    }

    /// The next whole message (header included), if it has fully arrived.
    /// The slice stays valid until the next `push`.
    pub fn next_message(&mut self) -> Result<Option<&[u8]>, JoinError> {
        let Some(len) = self.next_len() else {
            return Ok(None);
        };
        if len > self.max_message {
            return Err(JoinError::TooLarge {
                len,
                max: self.max_message,
            });
        }
        let start = self.taken;
        let Some(end) = start.checked_add(len).filter(|end| *end <= self.buf.len()) else {
            return Ok(None);
        };
        self.taken = end;
        Ok(self.buf.get(start..end))
    }

    /// Whether part of a message is waiting for more records. RFC 8446
    /// §5.1: at a key change this must be false, else `unexpected_message`;
    /// and no other record type may arrive while it is true.
    pub fn has_partial(&self) -> bool {
        self.buf.len() > self.taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![typ];
        out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn joins_fragments_and_splits_coalesced_messages() {
        let a = msg(1, &[7; 300]);
        let b = msg(2, b"xy");
        let c = msg(20, &[]);
        let mut stream = a.clone();
        stream.extend(&b);
        stream.extend(&c);
        let mut j = HandshakeJoiner::default();
        let mut got = Vec::new();
        for piece in stream.chunks(7) {
            j.push(piece).unwrap();
            while let Some(m) = j.next_message().unwrap() {
                got.push(m.to_vec());
            }
        }
        assert_eq!(got, [a, b, c]);
        assert!(!j.has_partial());
    }

    #[test]
    fn partial_messages_are_visible_for_key_change_checks() {
        let mut j = HandshakeJoiner::default();
        j.push(&msg(20, &[1; 32])[..10]).unwrap();
        assert!(j.next_message().unwrap().is_none());
        assert!(j.has_partial());
    }

    #[test]
    fn oversized_messages_are_refused_from_the_header() {
        let mut j = HandshakeJoiner::new(1000);
        assert_eq!(
            j.push(&[11, 0x01, 0x00, 0x00]),
            Err(JoinError::TooLarge {
                len: 0x10000 + 4,
                max: 1000
            })
        );
        let mut j = HandshakeJoiner::default();
        assert_eq!(j.push(&[]), Err(JoinError::EmptyFragment));
    }
}
