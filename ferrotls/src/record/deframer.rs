//! Splits received bytes into records where they lie.
//!
//! Received TLS bytes are written once into [`RecvBuffer`]; each complete
//! record is handed out as byte ranges into that buffer so the record
//! protection can decrypt it in place and the layers above read the
//! plaintext from the same memory. Consumed bytes are dropped by moving the
//! unread tail to the front only when the consumed part is at least as large
//! as the tail, which keeps the cost linear in the bytes received.

use core::ops::Range;

use crate::msgs::enums::{ContentType, ProtocolVersion};

/// Size of the record header: type, legacy_record_version, length (RFC 8446 §5.1).
pub const HEADER_LEN: usize = 5;

/// RFC 8446 §5.1: "The length MUST NOT exceed 2^14 bytes" (TLSPlaintext).
pub const MAX_PLAINTEXT: usize = 1 << 14;

/// RFC 8446 §5.2: TLSCiphertext.length "MUST NOT exceed 2^14 + 256 bytes".
pub const MAX_CIPHERTEXT_TLS13: usize = MAX_PLAINTEXT + 256;

/// RFC 5246 §6.2.3: TLSCiphertext.length "MUST NOT exceed 2^14 + 2048".
pub const MAX_CIPHERTEXT_TLS12: usize = MAX_PLAINTEXT + 2048;

/// The largest record any version allows, header included: the buffer
/// never needs to hold more than this to make progress.
pub const MAX_RECORD: usize = HEADER_LEN + MAX_CIPHERTEXT_TLS12;

/// A complete record found in the buffer. Its ranges are stream offsets
/// (counted from the first byte ever received), so they stay valid when
/// the buffer moves its contents to make room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSpan {
    pub typ: ContentType,
    pub version: ProtocolVersion,
    /// The whole record, header included (the TLS 1.3 AAD is its header).
    pub record: Range<usize>,
    /// The fragment after the header.
    pub payload: Range<usize>,
}

impl RecordSpan {
    /// The 5 header bytes as they were received.
    pub fn header<'a>(&self, buf: &'a RecvBuffer) -> &'a [u8] {
        buf.bytes(self.record.start..self.payload.start)
    }
}

/// Why the byte stream is not a sequence of records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeframeError {
    /// A record longer than `limit` (RFC 8446 §5.1/§5.2: `record_overflow`).
    Overflow { len: usize, limit: usize },
    /// A content type no version of TLS defines; RFC 8446 §5: "If a TLS
    /// implementation receives an unexpected record type, it MUST terminate
    /// the connection with an unexpected_message alert."
    UnknownContentType(u8),
}

/// Received bytes not yet consumed, with room to read more into.
#[derive(Debug, Default)]
pub struct RecvBuffer {
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: usize,
    /// First byte not yet consumed.
    start: usize,
    /// End of the received bytes (`buf[end..]` is free space).
    end: usize,
    /// First byte not yet split into a record.
    scanned: usize,
}

impl RecvBuffer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes received and not yet consumed.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes received but not yet part of a complete record.
    pub fn pending(&self) -> usize {
        self.end - self.scanned
    }

    fn index(&self, range: Range<usize>) -> Range<usize> {
        range.start.saturating_sub(self.base)..range.end.saturating_sub(self.base)
    }

    /// Reads the stream range `range` (empty if no longer or not yet held).
    pub fn bytes(&self, range: Range<usize>) -> &[u8] {
        self.buf.get(self.index(range)).unwrap_or_default()
    }

    /// Mutable access to a stream range, for decryption in place.
    pub fn bytes_mut(&mut self, range: Range<usize>) -> &mut [u8] {
        let range = self.index(range);
        self.buf.get_mut(range).unwrap_or_default()
    }

    /// Free space after the received bytes, at least `want` bytes long,
    /// for a reader to fill; report what was written with [`Self::filled`].
    /// Consumed bytes are dropped first when that makes enough room.
    pub fn spare(&mut self, want: usize) -> &mut [u8] {
        if self.buf.len() - self.end < want {
            self.compact();
        }
        if self.buf.len() - self.end < want {
            self.buf.resize(self.end + want, 0);
        }
        self.buf.get_mut(self.end..).unwrap_or_default()
    }

    /// Records that `n` bytes were written into [`Self::spare`].
    pub fn filled(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Copies `data` in (the sans-I/O entry point).
    pub fn extend(&mut self, data: &[u8]) {
        let spare = self.spare(data.len());
        if let Some(dst) = spare.get_mut(..data.len()) {
            dst.copy_from_slice(data);
        }
        self.filled(data.len());
    }

    /// Reads from `rd` into the free space.
    pub fn read_from(&mut self, rd: &mut dyn std::io::Read) -> std::io::Result<usize> {
        // Room for at least one whole record, so a reader is never limited
        // to tiny reads by a nearly full buffer.
        let n = rd.read(self.spare(MAX_RECORD))?;
        self.filled(n);
        Ok(n)
    }

    /// The next complete record, if all its bytes have arrived. `limit` is
    /// the largest fragment length the current protection state allows.
    pub fn next_record(&mut self, limit: usize) -> Result<Option<RecordSpan>, DeframeError> {
        let head = self.buf.get(self.scanned..self.end).unwrap_or_default();
        let Some(&[typ, v0, v1, l0, l1]) = head.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let typ = ContentType::from_wire(typ);
        if !matches!(
            typ,
            ContentType::ChangeCipherSpec
                | ContentType::Alert
                | ContentType::Handshake
                | ContentType::ApplicationData
        ) {
            return Err(DeframeError::UnknownContentType(typ.to_wire()));
        }
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        // The length is checked before waiting for the body, so a peer
        // cannot make us buffer more than one legal record.
        if len > limit {
            return Err(DeframeError::Overflow { len, limit });
        }
        if head.len() < HEADER_LEN + len {
            return Ok(None);
        }
        let start = self.base + self.scanned;
        let payload = start + HEADER_LEN..start + HEADER_LEN + len;
        self.scanned += HEADER_LEN + len;
        Ok(Some(RecordSpan {
            typ,
            version: ProtocolVersion::from_wire(u16::from_be_bytes([v0, v1])),
            record: start..payload.end,
            payload,
        }))
    }

    /// Marks everything before stream offset `pos` as consumed (read by
    /// the layers above).
    pub fn consume_to(&mut self, pos: usize) {
        self.start = pos.saturating_sub(self.base).clamp(self.start, self.end);
        self.scanned = self.scanned.max(self.start);
        if self.start == self.end {
            // Nothing left: restart at the front without moving anything.
            self.base += self.end;
            self.start = 0;
            self.end = 0;
            self.scanned = 0;
        }
    }

    /// Moves the unconsumed bytes to the front when the consumed prefix is
    /// at least as long as them, so each byte moves O(1) times on average.
    fn compact(&mut self) {
        if self.start == 0 || self.start < self.len() {
            return;
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.base += self.start;
        self.end -= self.start;
        self.scanned -= self.start;
        self.start = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![typ, 3, 3];
        out.extend_from_slice(&(body.len() as u16).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn splits_records_fed_byte_by_byte() {
        let mut stream = record(22, b"hello");
        stream.extend(record(23, b""));
        stream.extend(record(21, &[1, 0]));
        let mut buf = RecvBuffer::new();
        let mut found = Vec::new();
        for b in &stream {
            buf.extend(&[*b]);
            while let Some(span) = buf.next_record(MAX_CIPHERTEXT_TLS13).unwrap() {
                found.push((span.typ, buf.bytes(span.payload.clone()).to_vec()));
                buf.consume_to(span.record.end);
            }
        }
        assert_eq!(
            found,
            [
                (ContentType::Handshake, b"hello".to_vec()),
                (ContentType::ApplicationData, vec![]),
                (ContentType::Alert, vec![1, 0]),
            ]
        );
        assert!(buf.is_empty());
    }

    #[test]
    fn several_records_in_one_read_and_in_place_access() {
        let mut stream = record(23, b"abc");
        stream.extend(record(23, b"defg"));
        let mut buf = RecvBuffer::new();
        buf.extend(&stream);
        let a = buf.next_record(MAX_PLAINTEXT).unwrap().unwrap();
        let b = buf.next_record(MAX_PLAINTEXT).unwrap().unwrap();
        assert!(buf.next_record(MAX_PLAINTEXT).unwrap().is_none());
        buf.bytes_mut(b.payload.clone()).make_ascii_uppercase();
        assert_eq!(a.header(&buf), [23, 3, 3, 0, 3]);
        assert_eq!(buf.bytes(b.payload.clone()), b"DEFG");
        assert_eq!(b.version, ProtocolVersion::TLSv1_2);
    }

    #[test]
    fn overflow_is_detected_from_the_header_alone() {
        let mut buf = RecvBuffer::new();
        buf.extend(&[23, 3, 3, 0x41, 0x01]); // 2^14 + 257
        assert_eq!(
            buf.next_record(MAX_CIPHERTEXT_TLS13),
            Err(DeframeError::Overflow {
                len: MAX_CIPHERTEXT_TLS13 + 1,
                limit: MAX_CIPHERTEXT_TLS13
            })
        );
        let mut buf = RecvBuffer::new();
        buf.extend(&[22, 3, 3, 0x40, 0x01]); // 2^14 + 1 plaintext
        assert!(matches!(
            buf.next_record(MAX_PLAINTEXT),
            Err(DeframeError::Overflow { .. })
        ));
    }

    #[test]
    fn unknown_content_type_is_rejected() {
        let mut buf = RecvBuffer::new();
        buf.extend(&record(99, b"x"));
        assert_eq!(
            buf.next_record(MAX_PLAINTEXT),
            Err(DeframeError::UnknownContentType(99))
        );
    }

    #[test]
    fn buffer_stays_bounded_under_a_long_stream() {
        // Records arrive in chunks that do not line up with record
        // boundaries, so a tail is always left over and must be moved.
        let rec = record(23, &[7u8; 1000]);
        let stream: Vec<u8> = rec
            .iter()
            .copied()
            .cycle()
            .take(rec.len() * 5_000)
            .collect();
        let mut buf = RecvBuffer::new();
        let mut seen = 0;
        for chunk in stream.chunks(777) {
            buf.extend(chunk);
            while let Some(span) = buf.next_record(MAX_PLAINTEXT).unwrap() {
                assert_eq!(buf.bytes(span.payload.clone()), &[7u8; 1000][..]);
                buf.consume_to(span.record.end);
                seen += 1;
            }
        }
        assert_eq!(seen, 5_000);
        assert!(buf.buf.len() <= 4 * rec.len(), "grew to {}", buf.buf.len());
    }

    #[test]
    fn spans_survive_compaction() {
        let mut buf = RecvBuffer::new();
        buf.extend(&record(23, &[1; 100]));
        buf.extend(&record(23, b"kept"));
        let first = buf.next_record(MAX_PLAINTEXT).unwrap().unwrap();
        let second = buf.next_record(MAX_PLAINTEXT).unwrap().unwrap();
        buf.consume_to(first.record.end);
        // Asking for room moves "kept" to the front of the buffer.
        buf.spare(MAX_RECORD);
        assert_eq!(buf.bytes(second.payload.clone()), b"kept");
        buf.bytes_mut(second.payload.clone())[0] = b'K';
        assert_eq!(buf.bytes(second.payload), b"Kept");
    }

    #[test]
    fn partial_consumption_keeps_the_tail() {
        let mut buf = RecvBuffer::new();
        buf.extend(&record(23, b"one"));
        buf.extend(&record(23, b"two")[..4]);
        let one = buf.next_record(MAX_PLAINTEXT).unwrap().unwrap();
        buf.consume_to(one.record.end);
        assert!(buf.next_record(MAX_PLAINTEXT).unwrap().is_none());
        buf.extend(&record(23, b"two")[4..]);
        let two = buf.next_record(MAX_PLAINTEXT).unwrap().unwrap();
        assert_eq!(buf.bytes(two.payload), b"two");
    }
}
