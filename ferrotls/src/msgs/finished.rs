//! Finished (RFC 8446 §4.4.4, RFC 5246 §7.4.9).
//!
//! The body is `opaque verify_data[N]` with no length prefix: its length
//! comes from the negotiated parameters (the handshake hash length in
//! TLS 1.3, `verify_data_length` in TLS 1.2), so decoding takes it as an
//! argument.

use crate::codec::{Bytes, Reader, Writer};
use crate::error::InvalidMessage;

/// RFC 5246 §7.4.9: "Any cipher suite which does not explicitly specify
/// verify_data_length has a verify_data_length equal to 12", which covers
/// every TLS 1.2 suite this library knows.
pub const TLS12_VERIFY_DATA_LEN: usize = 12;

/// `struct { opaque verify_data[Hash.length]; } Finished;`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    pub verify_data: Bytes,
}

impl Finished {
    /// Reads a body that must be exactly `len` bytes: a Finished of another
    /// length cannot be this connection's and is a `decode_error`
    /// (RFC 8446 §6.2: "the length of the message was incorrect").
    pub fn read(r: &mut Reader<'_>, len: usize) -> Result<Self, InvalidMessage> {
        let verify_data = Bytes::from(r.take(len, "verify_data")?);
        r.finish("Finished")?;
        Ok(Self { verify_data })
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        w.bytes(&self.verify_data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn length_comes_from_the_context() {
        let body = [7u8; 32];
        let f = Finished::read(&mut Reader::new(&body), 32).unwrap();
        assert_eq!(f.verify_data.0, body);
        assert!(matches!(
            Finished::read(&mut Reader::new(&body), 48),
            Err(InvalidMessage::Truncated { .. })
        ));
        assert!(matches!(
            Finished::read(&mut Reader::new(&body), TLS12_VERIFY_DATA_LEN),
            Err(InvalidMessage::TrailingBytes { extra: 20, .. })
        ));
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let f = Finished { verify_data: data.clone().into() };
            let mut out = Vec::new();
            f.encode(&mut Writer::new(&mut out));
            prop_assert_eq!(Finished::read(&mut Reader::new(&out), data.len()).unwrap(), f);
        }
    }
}
