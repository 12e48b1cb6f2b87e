//! Record framing: the TLSPlaintext / TLSCiphertext header (RFC 8446 §5.1,
//! §5.2; RFC 5246 §6.2).
//!
//! ```text
//! struct {
//!     ContentType type;
//!     ProtocolVersion legacy_record_version;
//!     uint16 length;
//!     opaque fragment[TLSPlaintext.length];
//! } TLSPlaintext;
//! ```
//!
//! Only the framing lives here; which content types, versions and lengths
//! are acceptable in a given state (and decryption) is the record layer's
//! business. The one check made here is the absolute size bound, so an
//! oversized length is refused as soon as the header is seen.

use core::fmt;

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::{ContentType, ProtocolVersion};

/// Bytes in a record header.
pub const HEADER_LEN: usize = 5;
/// RFC 8446 §5.1: "The length MUST NOT exceed 2^14 bytes" (plaintext, and
/// the inner plaintext of a protected TLS 1.3 record); RFC 5246 §6.2.1.
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;
/// RFC 8446 §5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An endpoint
/// that receives a record that exceeds this length MUST terminate the
/// connection with a "record_overflow" alert." Also enough for every TLS 1.2
/// AEAD record (2^14 plus an 8-byte explicit nonce and a 16-byte tag).
pub const MAX_CIPHERTEXT_LEN: usize = MAX_PLAINTEXT_LEN + 256;
/// RFC 5246 §6.2.3: a TLS 1.2 TLSCiphertext "MUST NOT exceed 2^14 + 2048"
/// (room for CBC padding and MACs).
pub const MAX_TLS12_CIPHERTEXT_LEN: usize = MAX_PLAINTEXT_LEN + 2048;

/// The five header bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    pub typ: ContentType,
    /// `legacy_record_version`: 0x0303 on everything but possibly a first
    /// ClientHello (0x0301) in TLS 1.3 (§5.1); kept as received.
    pub version: ProtocolVersion,
    /// Length of the fragment that follows.
    pub len: u16,
}

impl RecordHeader {
    /// Reads a header whose length must not exceed [`MAX_CIPHERTEXT_LEN`].
    pub fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Self::read_with_limit(r, MAX_CIPHERTEXT_LEN)
    }

    /// Reads a header whose length must not exceed `limit`; a longer one
    /// is [`InvalidMessage::RecordOverflow`] (alert `record_overflow`).
    pub fn read_with_limit(r: &mut Reader<'_>, limit: usize) -> Result<Self, InvalidMessage> {
        let typ = ContentType::read(r)?;
        let version = ProtocolVersion::read(r)?;
        let len = r.u16("record length")?;
        if usize::from(len) > limit {
            return Err(InvalidMessage::RecordOverflow {
                len: usize::from(len),
                max: limit,
            });
        }
        Ok(Self { typ, version, len })
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        self.typ.encode(w);
        self.version.encode(w);
        w.u16(self.len);
    }

    /// Header plus fragment: the bytes the whole record takes.
    pub fn record_len(&self) -> usize {
        HEADER_LEN + usize::from(self.len)
    }
}

/// A record borrowed from a receive buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    pub typ: ContentType,
    pub version: ProtocolVersion,
    pub payload: &'a [u8],
}

impl<'a> Record<'a> {
    /// Reads one whole record (limit [`MAX_CIPHERTEXT_LEN`]).
    pub fn read(r: &mut Reader<'a>) -> Result<Self, InvalidMessage> {
        Self::read_with_limit(r, MAX_CIPHERTEXT_LEN)
    }

    /// Reads one whole record whose length must not exceed `limit`.
    pub fn read_with_limit(r: &mut Reader<'a>, limit: usize) -> Result<Self, InvalidMessage> {
        let header = RecordHeader::read_with_limit(r, limit)?;
        let payload = r.take(usize::from(header.len), "record fragment")?;
        Ok(Self {
            typ: header.typ,
            version: header.version,
            payload,
        })
    }

    /// Splits the first record off `buf`: `Ok(None)` when `buf` does not
    /// hold a whole record yet, otherwise the record and the bytes it used.
    /// An oversized length is an error as soon as the header is complete.
    pub fn split(buf: &'a [u8], limit: usize) -> Result<Option<(Self, usize)>, InvalidMessage> {
        let mut r = Reader::new(buf);
        let header = match RecordHeader::read_with_limit(&mut r, limit) {
            Ok(h) => h,
            Err(InvalidMessage::Truncated { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Ok(payload) = r.take(usize::from(header.len), "record fragment") else {
            return Ok(None);
        };
        let record = Self {
            typ: header.typ,
            version: header.version,
            payload,
        };
        Ok(Some((record, header.record_len())))
    }

    /// Writes header and payload. A payload longer than 2^16-1 is a bug in
    /// the caller (the record layer fragments to 2^14); its length field
    /// saturates rather than panicking.
    pub fn encode(&self, w: &mut Writer<'_>) {
        self.typ.encode(w);
        self.version.encode(w);
        w.opaque(LengthPrefix::U16, self.payload);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.payload.len());
        self.encode(&mut Writer::new(&mut out));
        out
    }

    pub fn to_owned_record(&self) -> OwnedRecord {
        OwnedRecord {
            typ: self.typ,
            version: self.version,
            payload: Bytes::from(self.payload),
        }
    }
}

impl fmt::Debug for Record<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("typ", &self.typ)
            .field("version", &self.version)
            .field("payload", &Hex(self.payload))
            .finish()
    }
}

/// Hex view of borrowed bytes, printed like [`Bytes`].
struct Hex<'a>(&'a [u8]);

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] ", self.0.len())?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A record that owns its payload (records built to send, test fixtures).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedRecord {
    pub typ: ContentType,
    pub version: ProtocolVersion,
    pub payload: Bytes,
}

impl OwnedRecord {
    pub fn borrow(&self) -> Record<'_> {
        Record {
            typ: self.typ,
            version: self.version,
            payload: &self.payload,
        }
    }
}

impl Codec for OwnedRecord {
    fn encode(&self, w: &mut Writer<'_>) {
        self.borrow().encode(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Record::read(r)?.to_owned_record())
    }
}

/// The records of a buffer that holds whole records only (a captured
/// flight, a test vector). Yields an error, then stops, if a record is
/// oversized or the buffer ends inside one.
pub fn records(buf: &[u8]) -> Records<'_> {
    Records {
        r: Reader::new(buf),
        failed: false,
    }
}

/// Iterator returned by [`records`].
#[derive(Clone, Debug)]
pub struct Records<'a> {
    r: Reader<'a>,
    failed: bool,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, InvalidMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.r.is_empty() {
            return None;
        }
        let item = Record::read(&mut self.r);
        self.failed = item.is_err();
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;
    use proptest::prelude::*;

    const CCS: [u8; 6] = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01];

    #[test]
    fn reads_a_record() {
        let rec = Record::read(&mut Reader::new(&CCS)).unwrap();
        assert_eq!(rec.typ, ContentType::ChangeCipherSpec);
        assert_eq!(rec.version, ProtocolVersion::TLSv1_2);
        assert_eq!(rec.payload, [1]);
        assert_eq!(rec.to_bytes(), CCS);
        assert!(format!("{rec:?}").contains("[1] 01"));
    }

    #[test]
    fn oversized_records_are_record_overflow() {
        let mut buf = vec![0x17, 0x03, 0x03, 0x41, 0x01];
        buf.resize(HEADER_LEN + 0x4101, 0);
        let e = Record::read(&mut Reader::new(&buf)).unwrap_err();
        assert_eq!(
            e,
            InvalidMessage::RecordOverflow {
                len: 0x4101,
                max: MAX_CIPHERTEXT_LEN
            }
        );
        assert_eq!(e.alert(), AlertDescription::RecordOverflow);
        // Detected from the header alone.
        assert!(Record::split(&buf[..5], MAX_CIPHERTEXT_LEN).is_err());
        // Exactly the limit is fine; TLS 1.2 allows more.
        buf[3..5].copy_from_slice(&0x4100u16.to_be_bytes());
        buf.truncate(HEADER_LEN + 0x4100);
        assert!(Record::read(&mut Reader::new(&buf)).is_ok());
        buf[3..5].copy_from_slice(&0x4800u16.to_be_bytes());
        buf.resize(HEADER_LEN + 0x4800, 0);
        assert!(Record::read(&mut Reader::new(&buf)).is_err());
        assert!(Record::read_with_limit(&mut Reader::new(&buf), MAX_TLS12_CIPHERTEXT_LEN).is_ok());
    }

    #[test]
    fn split_waits_for_whole_records() {
        for n in 0..CCS.len() {
            assert_eq!(Record::split(&CCS[..n], MAX_CIPHERTEXT_LEN), Ok(None));
        }
        let mut two = CCS.to_vec();
        two.extend_from_slice(&CCS);
        let (rec, used) = Record::split(&two, MAX_CIPHERTEXT_LEN).unwrap().unwrap();
        assert_eq!((rec.payload, used), (&[1u8][..], 6));
    }

    #[test]
    fn records_iterates_and_stops_at_a_partial_record() {
        let mut buf = CCS.to_vec();
        buf.extend_from_slice(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00]);
        buf.extend_from_slice(&[0x16, 0x03]);
        let got: Vec<_> = records(&buf).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].as_ref().unwrap().payload, [1, 0]);
        assert_eq!(
            got[2].as_ref().unwrap_err().alert(),
            AlertDescription::DecodeError
        );
    }

    proptest! {
        #[test]
        fn round_trip(typ: u8, version: u16, payload in proptest::collection::vec(any::<u8>(), 0..600)) {
            let rec = OwnedRecord { typ: typ.into(), version: version.into(), payload: payload.into() };
            prop_assert_eq!(OwnedRecord::from_bytes(&rec.to_bytes()).unwrap(), rec);
        }

        #[test]
        fn random_bytes_never_panic(buf in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = records(&buf).count();
            let _ = Record::split(&buf, MAX_CIPHERTEXT_LEN);
        }
    }
}
