//! Record protection, in place: TLS 1.3 (RFC 8446 §5.2-§5.4) and the TLS
//! 1.2 AEAD constructions (RFC 5246 §6.2.3.3, RFC 5288 §3, RFC 7905 §2).
//!
//! Sealing appends one whole record to the caller's send buffer and
//! encrypts it where it lies; opening decrypts a received record where it
//! lies and says which part of it is the plaintext. Neither allocates.

use core::ops::Range;

use crate::crypto::aead::{
    tls12_aad, tls12_gcm_explicit_nonce, tls13_aad, AeadAlgorithm, AeadKey, Iv, Nonce, TAG_LEN,
};
use crate::error::CryptoError;
use crate::msgs::enums::{AlertDescription, ContentType, ProtocolVersion};
use crate::record::deframer::{HEADER_LEN, MAX_PLAINTEXT};

/// Why a received record could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// Authentication failed (RFC 8446 §5.2, RFC 5246 §6.2.3.3: `bad_record_mac`).
    BadRecordMac,
    /// The plaintext is longer than 2^14 bytes (RFC 8446 §5.2, RFC 5246
    /// §6.2.3: `record_overflow`).
    PlaintextOverflow { len: usize },
    /// A record longer than the current protection allows, seen from its
    /// header (RFC 8446 §5.1/§5.2, RFC 5246 §6.2: `record_overflow`).
    RecordOverflow { len: usize, limit: usize },
    /// A TLS 1.3 inner plaintext with no non-zero byte (RFC 8446 §5.4:
    /// `unexpected_message`).
    NoContentType,
    /// A record arrived with an outer type the protection does not allow
    /// (RFC 8446 §5.2: protected records are application_data).
    UnexpectedOuterType(ContentType),
    /// The sequence number would wrap (RFC 8446 §5.3: rekey or terminate).
    SequenceExhausted,
    /// The provider failed.
    Crypto(CryptoError),
}

impl RecordError {
    /// The alert this fault is reported with.
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::BadRecordMac => AlertDescription::BadRecordMac,
            Self::PlaintextOverflow { .. } | Self::RecordOverflow { .. } => {
                AlertDescription::RecordOverflow
            }
            Self::NoContentType | Self::UnexpectedOuterType(_) => {
                AlertDescription::UnexpectedMessage
            }
            Self::SequenceExhausted => AlertDescription::InternalError,
            Self::Crypto(e) => e.alert(),
        }
    }
}

impl core::fmt::Display for RecordError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BadRecordMac => f.write_str("record authentication failed"),
            Self::PlaintextOverflow { len } => {
                write!(f, "record plaintext of {len} bytes exceeds 2^14")
            }
            Self::RecordOverflow { len, limit } => {
                write!(f, "record of {len} bytes exceeds the limit of {limit}")
            }
            Self::NoContentType => f.write_str("protected record holds only padding"),
            Self::UnexpectedOuterType(t) => write!(f, "protected record with outer type {t}"),
            Self::SequenceExhausted => f.write_str("record sequence number exhausted"),
            Self::Crypto(e) => e.fmt(f),
        }
    }
}

impl From<CryptoError> for RecordError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::DecryptFailed => Self::BadRecordMac,
            other => Self::Crypto(other),
        }
    }
}

/// The AEAD construction of one direction of one epoch.
#[derive(Debug)]
enum Scheme {
    /// RFC 8446 §5.2/§5.3: nonce = iv XOR seq, inner content type, AAD =
    /// record header.
    Tls13 { iv: Iv },
    /// RFC 5288 §3: nonce = 4-byte salt || 8-byte explicit part sent in
    /// the record (the sequence number here, as §3 suggests).
    Tls12Gcm { salt: [u8; 4] },
    /// RFC 7905 §2: nonce = iv XOR seq, nothing explicit.
    Tls12Chacha { iv: Iv },
}

/// Keys and sequence number for one direction of one epoch.
#[derive(Debug)]
pub struct RecordCipher {
    key: AeadKey,
    scheme: Scheme,
    seq: u64,
}

/// A record opened in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The real content type (TLS 1.3: from the inner plaintext).
    pub typ: ContentType,
    /// Where the plaintext lies, relative to the start of the payload.
    pub plaintext: Range<usize>,
}

impl RecordCipher {
    /// TLS 1.3 keys from `[sender]_write_key` / `[sender]_write_iv` (RFC 8446 §7.3).
    pub fn tls13(alg: AeadAlgorithm, key: &[u8], iv: &[u8]) -> Result<Self, CryptoError> {
        Ok(Self {
            key: AeadKey::new(alg, key)?,
            scheme: Scheme::Tls13 {
                iv: Iv::from_slice(iv)?,
            },
            seq: 0,
        })
    }

    /// TLS 1.2 keys from the key block (RFC 5246 §6.3): `fixed_iv` is the
    /// 4-byte GCM salt or the 12-byte ChaCha20-Poly1305 IV.
    pub fn tls12(alg: AeadAlgorithm, key: &[u8], fixed_iv: &[u8]) -> Result<Self, CryptoError> {
        let scheme = match alg {
            AeadAlgorithm::Chacha20Poly1305 => Scheme::Tls12Chacha {
                iv: Iv::from_slice(fixed_iv)?,
            },
            _ => Scheme::Tls12Gcm {
                salt: fixed_iv.try_into().map_err(|_| CryptoError::InvalidKey {
                    what: "TLS 1.2 GCM salt length",
                })?,
            },
        };
        Ok(Self {
            key: AeadKey::new(alg, key)?,
            scheme,
            seq: 0,
        })
    }

    pub fn algorithm(&self) -> AeadAlgorithm {
        self.key.algorithm()
    }

    /// Records protected so far under this key.
    pub fn sequence(&self) -> u64 {
        self.seq
    }

    /// Whether this key has protected as many records as its AEAD safely
    /// allows (RFC 8446 §5.5); the connection then updates the key.
    pub fn near_limit(&self) -> bool {
        self.seq >= self.algorithm().confidentiality_limit().saturating_sub(1)
    }

    fn next_seq(&mut self) -> Result<u64, RecordError> {
        let seq = self.seq;
        // RFC 8446 §5.3: sequence numbers must not wrap.
        self.seq = seq.checked_add(1).ok_or(RecordError::SequenceExhausted)?;
        Ok(seq)
    }

    /// Bytes a record adds around `len` bytes of content (header, explicit
    /// nonce, inner type, tag), for sizing buffers.
    pub fn overhead(&self) -> usize {
        HEADER_LEN
            + TAG_LEN
            + match self.scheme {
                Scheme::Tls13 { .. } => 1,
                Scheme::Tls12Gcm { .. } => 8,
                Scheme::Tls12Chacha { .. } => 0,
            }
    }

    /// Appends one protected record carrying `content` of type `typ` to
    /// `out`, encrypting it in place. `content` must be at most 2^14 bytes.
    pub fn seal(
        &mut self,
        typ: ContentType,
        content: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        let seq = self.next_seq()?;
        let start = out.len();
        out.reserve(content.len() + self.overhead());
        match &self.scheme {
            Scheme::Tls13 { iv } => {
                // TLSInnerPlaintext = content || type (no padding), then the tag.
                let body_len = content.len() + 1 + TAG_LEN;
                let aad = tls13_aad(wire_len(body_len)?);
                out.extend_from_slice(&aad);
                out.extend_from_slice(content);
                out.push(typ.to_wire());
                out.resize(start + HEADER_LEN + body_len, 0);
                let body = out.get_mut(start + HEADER_LEN..).unwrap_or_default();
                self.key
                    .seal_with_trailing_tag(Nonce::tls13(iv, seq), &aad, body)?;
            }
            Scheme::Tls12Gcm { salt } => {
                let explicit = tls12_gcm_explicit_nonce(seq);
                let body_len = explicit.len() + content.len() + TAG_LEN;
                write_header(out, typ, wire_len(body_len)?);
                out.extend_from_slice(&explicit);
                out.extend_from_slice(content);
                out.resize(start + HEADER_LEN + body_len, 0);
                let aad = tls12_aad(seq, typ, ProtocolVersion::TLSv1_2, wire_len(content.len())?);
                let body = out
                    .get_mut(start + HEADER_LEN + explicit.len()..)
                    .unwrap_or_default();
                self.key
                    .seal_with_trailing_tag(Nonce::tls12_gcm(salt, &explicit), &aad, body)?;
            }
            Scheme::Tls12Chacha { iv } => {
                let body_len = content.len() + TAG_LEN;
                write_header(out, typ, wire_len(body_len)?);
                out.extend_from_slice(content);
                out.resize(start + HEADER_LEN + body_len, 0);
                let aad = tls12_aad(seq, typ, ProtocolVersion::TLSv1_2, wire_len(content.len())?);
                let body = out.get_mut(start + HEADER_LEN..).unwrap_or_default();
                self.key
                    .seal_with_trailing_tag(Nonce::tls12_chacha(iv, seq), &aad, body)?;
            }
        }
        Ok(())
    }

    /// Opens a received record in place: `header` is its 5-byte header as
    /// received, `payload` the bytes after it. Returns the content type and
    /// where the plaintext now lies within `payload`.
    pub fn open(&mut self, header: &[u8], payload: &mut [u8]) -> Result<Opened, RecordError> {
        let outer = header
            .first()
            .map(|t| ContentType::from_wire(*t))
            .unwrap_or(ContentType::Invalid);
        let seq = self.next_seq()?;
        match &self.scheme {
            Scheme::Tls13 { iv } => {
                if outer != ContentType::ApplicationData {
                    return Err(RecordError::UnexpectedOuterType(outer));
                }
                let plain = self.key.open(Nonce::tls13(iv, seq), header, payload)?;
                // RFC 8446 §5.4: scan back from the end for the first
                // non-zero byte; it is the content type.
                let Some(type_at) = plain.iter().rposition(|b| *b != 0) else {
                    return Err(RecordError::NoContentType);
                };
                if type_at > MAX_PLAINTEXT {
                    return Err(RecordError::PlaintextOverflow { len: type_at });
                }
                let typ = plain
                    .get(type_at)
                    .map(|t| ContentType::from_wire(*t))
                    .unwrap_or(ContentType::Invalid);
                Ok(Opened {
                    typ,
                    plaintext: 0..type_at,
                })
            }
            Scheme::Tls12Gcm { salt } => {
                let (explicit, sealed) = payload
                    .split_at_mut_checked(8)
                    .ok_or(RecordError::BadRecordMac)?;
                let explicit: [u8; 8] = (&*explicit)
                    .try_into()
                    .map_err(|_| RecordError::BadRecordMac)?;
                let plain_len = sealed
                    .len()
                    .checked_sub(TAG_LEN)
                    .ok_or(RecordError::BadRecordMac)?;
                let aad = tls12_aad(seq, outer, ProtocolVersion::TLSv1_2, wire_len(plain_len)?);
                let plain = self
                    .key
                    .open(Nonce::tls12_gcm(salt, &explicit), &aad, sealed)?;
                check_tls12_len(plain.len())?;
                Ok(Opened {
                    typ: outer,
                    plaintext: 8..8 + plain.len(),
                })
            }
            Scheme::Tls12Chacha { iv } => {
                let plain_len = payload
                    .len()
                    .checked_sub(TAG_LEN)
                    .ok_or(RecordError::BadRecordMac)?;
                let aad = tls12_aad(seq, outer, ProtocolVersion::TLSv1_2, wire_len(plain_len)?);
                let plain = self.key.open(Nonce::tls12_chacha(iv, seq), &aad, payload)?;
                check_tls12_len(plain.len())?;
                Ok(Opened {
                    typ: outer,
                    plaintext: 0..plain.len(),
                })
            }
        }
    }
}

/// Appends an unprotected record (TLSPlaintext, RFC 8446 §5.1). `version`
/// is 0x0301 for an initial ClientHello and 0x0303 otherwise.
pub fn write_plaintext(
    out: &mut Vec<u8>,
    typ: ContentType,
    version: ProtocolVersion,
    content: &[u8],
) {
    out.push(typ.to_wire());
    out.extend_from_slice(&version.to_wire().to_be_bytes());
    out.extend_from_slice(&(content.len().min(0xffff) as u16).to_be_bytes());
    out.extend_from_slice(content);
}

fn write_header(out: &mut Vec<u8>, typ: ContentType, len: u16) {
    out.push(typ.to_wire());
    out.extend_from_slice(&ProtocolVersion::TLSv1_2.to_wire().to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
}

fn wire_len(len: usize) -> Result<u16, RecordError> {
    u16::try_from(len).map_err(|_| RecordError::PlaintextOverflow { len })
}

fn check_tls12_len(len: usize) -> Result<(), RecordError> {
    if len > MAX_PLAINTEXT {
        return Err(RecordError::PlaintextOverflow { len });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(make: impl Fn() -> RecordCipher) -> (RecordCipher, RecordCipher) {
        (make(), make())
    }

    fn roundtrip(
        sender: &mut RecordCipher,
        receiver: &mut RecordCipher,
        typ: ContentType,
        content: &[u8],
    ) {
        let mut wire = Vec::new();
        sender.seal(typ, content, &mut wire).unwrap();
        let (header, payload) = wire.split_at_mut(HEADER_LEN);
        assert_eq!(
            usize::from(u16::from_be_bytes([header[3], header[4]])),
            payload.len()
        );
        let opened = receiver.open(header, payload).unwrap();
        assert_eq!(opened.typ, typ);
        assert_eq!(&payload[opened.plaintext], content);
    }

    #[test]
    fn every_construction_round_trips_and_counts_sequence_numbers() {
        let key = [7u8; 32];
        let makers: [Box<dyn Fn() -> RecordCipher>; 4] = [
            Box::new(|| {
                RecordCipher::tls13(AeadAlgorithm::Aes128Gcm, &key[..16], &[1; 12]).unwrap()
            }),
            Box::new(|| {
                RecordCipher::tls13(AeadAlgorithm::Chacha20Poly1305, &key, &[1; 12]).unwrap()
            }),
            Box::new(|| RecordCipher::tls12(AeadAlgorithm::Aes256Gcm, &key, &[1; 4]).unwrap()),
            Box::new(|| {
                RecordCipher::tls12(AeadAlgorithm::Chacha20Poly1305, &key, &[1; 12]).unwrap()
            }),
        ];
        for make in makers {
            let (mut tx, mut rx) = pair(&make);
            roundtrip(&mut tx, &mut rx, ContentType::Handshake, b"finished");
            roundtrip(&mut tx, &mut rx, ContentType::ApplicationData, b"");
            roundtrip(&mut tx, &mut rx, ContentType::Alert, &[1, 0]);
            roundtrip(
                &mut tx,
                &mut rx,
                ContentType::ApplicationData,
                &[9; MAX_PLAINTEXT],
            );
            assert_eq!(tx.sequence(), 4);
            assert_eq!(rx.sequence(), 4);
        }
    }

    #[test]
    fn tampering_and_replay_fail_with_bad_record_mac() {
        let mut tx = RecordCipher::tls13(AeadAlgorithm::Aes128Gcm, &[3; 16], &[0; 12]).unwrap();
        let mut rx = RecordCipher::tls13(AeadAlgorithm::Aes128Gcm, &[3; 16], &[0; 12]).unwrap();
        let mut wire = Vec::new();
        tx.seal(ContentType::ApplicationData, b"hello", &mut wire)
            .unwrap();
        let mut flipped = wire.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let (h, p) = flipped.split_at_mut(HEADER_LEN);
        assert_eq!(rx.open(h, p), Err(RecordError::BadRecordMac));
        // The receiver moved on to sequence 1: the genuine record no longer opens.
        let (h, p) = wire.split_at_mut(HEADER_LEN);
        assert_eq!(rx.open(h, p), Err(RecordError::BadRecordMac));
        assert_eq!(
            RecordError::BadRecordMac.alert(),
            AlertDescription::BadRecordMac
        );
    }

    #[test]
    fn tls13_padding_is_stripped_and_padding_only_is_refused() {
        let mut rx = RecordCipher::tls13(AeadAlgorithm::Aes128Gcm, &[3; 16], &[0; 12]).unwrap();
        let key = AeadKey::new(AeadAlgorithm::Aes128Gcm, &[3; 16]).unwrap();
        let iv = Iv::from_slice(&[0; 12]).unwrap();
        let seal_raw = |seq: u64, inner: &[u8]| {
            let mut rec = tls13_aad((inner.len() + TAG_LEN) as u16).to_vec();
            rec.extend_from_slice(inner);
            rec.extend_from_slice(&[0; TAG_LEN]);
            let aad: [u8; 5] = rec[..5].try_into().unwrap();
            key.seal_with_trailing_tag(Nonce::tls13(&iv, seq), &aad, &mut rec[5..])
                .unwrap();
            rec
        };
        let mut padded = seal_raw(0, b"hi\x17\0\0\0\0");
        let (h, p) = padded.split_at_mut(HEADER_LEN);
        let opened = rx.open(h, p).unwrap();
        assert_eq!(
            (opened.typ, &p[opened.plaintext]),
            (ContentType::ApplicationData, &b"hi"[..])
        );
        let mut zeros = seal_raw(1, &[0; 8]);
        let (h, p) = zeros.split_at_mut(HEADER_LEN);
        let err = rx.open(h, p).unwrap_err();
        assert_eq!(err, RecordError::NoContentType);
        assert_eq!(err.alert(), AlertDescription::UnexpectedMessage);
        let mut big = vec![1u8; MAX_PLAINTEXT + 1];
        big.push(0x17);
        let mut over = seal_raw(2, &big);
        let (h, p) = over.split_at_mut(HEADER_LEN);
        assert_eq!(
            rx.open(h, p).unwrap_err().alert(),
            AlertDescription::RecordOverflow
        );
    }

    #[test]
    fn tls12_gcm_carries_the_sequence_as_explicit_nonce() {
        let mut tx = RecordCipher::tls12(AeadAlgorithm::Aes128Gcm, &[5; 16], &[9; 4]).unwrap();
        let mut wire = Vec::new();
        tx.seal(ContentType::Handshake, b"x", &mut wire).unwrap();
        tx.seal(ContentType::Handshake, b"y", &mut wire).unwrap();
        assert_eq!(&wire[..5], [22, 3, 3, 0, 8 + 1 + 16]);
        assert_eq!(&wire[5..13], [0; 8]);
        assert_eq!(&wire[30 + 5..30 + 13], [0, 0, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn tls13_rejects_other_outer_types() {
        let mut rx = RecordCipher::tls13(AeadAlgorithm::Aes128Gcm, &[3; 16], &[0; 12]).unwrap();
        let mut p = [0u8; 20];
        assert_eq!(
            rx.open(&[22, 3, 3, 0, 20], &mut p),
            Err(RecordError::UnexpectedOuterType(ContentType::Handshake))
        );
    }
}
