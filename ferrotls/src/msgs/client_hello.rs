//! ClientHello. Placeholder: kept raw until the typed form lands.

use crate::codec::{Bytes, Codec, Reader, Writer};
use crate::error::InvalidMessage;

/// ClientHello body, kept raw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    pub body: Bytes,
}

impl Codec for ClientHello {
    fn encode(&self, w: &mut Writer<'_>) {
        w.bytes(&self.body);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            body: Bytes::from(r.take_rest()),
        })
    }
}
