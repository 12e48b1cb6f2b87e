//! The synthetic `message_hash` handshake message (RFC 8446 §4.4.1).
//!
//! After a HelloRetryRequest the transcript replaces ClientHello1 with
//! `handshake_type message_hash(254) || 00 00 Hash.length || Hash(ClientHello1)`,
//! so a server can keep its state in the cookie. It never appears on the
//! wire; it is a message type so the transcript code and traces can name it.

use crate::codec::{Bytes, Reader, Writer};
use crate::error::InvalidMessage;

/// `Hash(ClientHello1)` in the message_hash construction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageHash {
    pub hash: Bytes,
}

impl MessageHash {
    /// Reads a body that must be exactly one hash of `hash_len` bytes.
    pub fn read(r: &mut Reader<'_>, hash_len: usize) -> Result<Self, InvalidMessage> {
        let hash = Bytes::from(r.take(hash_len, "message_hash")?);
        r.finish("message_hash")?;
        Ok(Self { hash })
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        w.bytes(&self.hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_exactly_one_hash() {
        let h = [3u8; 32];
        let m = MessageHash::read(&mut Reader::new(&h), 32).unwrap();
        let mut out = Vec::new();
        m.encode(&mut Writer::new(&mut out));
        assert_eq!(out, h);
        assert!(MessageHash::read(&mut Reader::new(&h), 48).is_err());
        assert!(MessageHash::read(&mut Reader::new(&h), 20).is_err());
    }
}
