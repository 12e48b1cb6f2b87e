//! application_layer_protocol_negotiation (RFC 7301 §3.1).

use crate::codec::{Bytes, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;

/// `opaque ProtocolName<1..2^8-1>`.
const PROTOCOL_NAME: VecSpec = VecSpec::opaque("ProtocolName", 1, 0xff);
/// `ProtocolName protocol_name_list<2..2^16-1>`.
const PROTOCOL_NAME_LIST: VecSpec = VecSpec::opaque("protocol_name_list", 2, 0xffff);

/// Reads a `ProtocolNameList`. The server's answer uses the same form with
/// exactly one name (RFC 7301 §3.1); the handshake checks that count,
/// since the same decoding serves both directions.
pub fn read_list(r: &mut Reader<'_>) -> Result<Vec<Bytes>, InvalidMessage> {
    r.list(PROTOCOL_NAME_LIST, |r| r.opaque(PROTOCOL_NAME))
}

/// Writes a `ProtocolNameList`.
pub fn encode_list(w: &mut Writer<'_>, names: &[Bytes]) {
    w.vec(LengthPrefix::U16, |w| {
        for n in names {
            w.opaque(LengthPrefix::U8, n);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounds() {
        let names = vec![Bytes::new(b"h2".to_vec()), Bytes::new(b"http/1.1".to_vec())];
        let mut buf = Vec::new();
        encode_list(&mut Writer::new(&mut buf), &names);
        assert_eq!(&buf[..5], b"\x00\x0c\x02h2");
        assert_eq!(read_list(&mut Reader::new(&buf)).unwrap(), names);
        // Empty list, empty name.
        assert!(read_list(&mut Reader::new(&[0, 0])).is_err());
        assert!(matches!(
            read_list(&mut Reader::new(&[0, 2, 0, 0])),
            Err(InvalidMessage::LengthOutOfRange {
                what: "ProtocolName",
                ..
            })
        ));
    }
}
