//! The record AEADs (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305) with the
//! nonce and additional-data rules of TLS 1.3 and TLS 1.2.
//!
//! Records are protected where they lie: [`AeadKey::seal`] encrypts the
//! caller's plaintext in place and writes the tag into the caller's
//! buffer; [`AeadKey::open`] decrypts in place and returns the plaintext
//! sub-slice. Nothing is allocated per record.

use aws_lc_rs::aead;
use zeroize::Zeroize;

use crate::error::CryptoError;
use crate::msgs::enums::{ContentType, ProtocolVersion};

/// Length of every AEAD nonce here (RFC 5116 §3.2 N_MAX for these AEADs).
pub const NONCE_LEN: usize = 12;
/// Length of every AEAD tag here.
pub const TAG_LEN: usize = 16;
/// Length of the TLS 1.3 additional data: the record header (RFC 8446 §5.2).
pub const TLS13_AAD_LEN: usize = 5;
/// Length of the TLS 1.2 additional data (RFC 5246 §6.2.3.3).
pub const TLS12_AAD_LEN: usize = 13;

/// An AEAD algorithm of a cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AeadAlgorithm {
    Aes128Gcm,
    Aes256Gcm,
    Chacha20Poly1305,
}

impl AeadAlgorithm {
    fn aws_alg(self) -> &'static aead::Algorithm {
        match self {
            Self::Aes128Gcm => &aead::AES_128_GCM,
            Self::Aes256Gcm => &aead::AES_256_GCM,
            Self::Chacha20Poly1305 => &aead::CHACHA20_POLY1305,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Self::Aes128Gcm => "AES-128-GCM",
            Self::Aes256Gcm => "AES-256-GCM",
            Self::Chacha20Poly1305 => "ChaCha20-Poly1305",
        }
    }

    /// Key length in bytes (RFC 5116 §5.1, §5.2; RFC 8439 §2.8).
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes256Gcm | Self::Chacha20Poly1305 => 32,
        }
    }

    pub const fn tag_len(self) -> usize {
        TAG_LEN
    }

    pub const fn nonce_len(self) -> usize {
        NONCE_LEN
    }

    /// TLS 1.3 `iv_length` (RFC 8446 §5.3: N_MIN of the AEAD = 12).
    pub const fn tls13_iv_len(self) -> usize {
        NONCE_LEN
    }

    /// TLS 1.2 `SecurityParameters.fixed_iv_length`: the 4-byte GCM salt
    /// (RFC 5288 §3), or the whole 12-byte IV for ChaCha20-Poly1305
    /// (RFC 7905 §2).
    pub const fn tls12_fixed_iv_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 4,
            Self::Chacha20Poly1305 => 12,
        }
    }

    /// TLS 1.2 `record_iv_length`: the explicit nonce carried in each
    /// record (8 bytes for GCM, RFC 5288 §3; none for ChaCha20-Poly1305,
    /// RFC 7905 §2).
    pub const fn tls12_explicit_nonce_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 8,
            Self::Chacha20Poly1305 => 0,
        }
    }

    /// How many full-size records one key may protect before it must be
    /// replaced (a TLS 1.3 KeyUpdate, or a new handshake in TLS 1.2).
    ///
    /// RFC 8446 §5.5: "For AES-GCM, up to 2^24.5 full-size records (about
    /// 24 million) may be encrypted on a given connection ... For
    /// ChaCha20/Poly1305, the record sequence number would wrap before the
    /// safety limit is reached."
    pub const fn confidentiality_limit(self) -> u64 {
        match self {
            // floor(2^24.5)
            Self::Aes128Gcm | Self::Aes256Gcm => 23_726_566,
            Self::Chacha20Poly1305 => u64::MAX,
        }
    }
}

/// A per-record nonce.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Nonce(pub [u8; NONCE_LEN]);

impl core::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Nonce(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl Nonce {
    /// RFC 8446 §5.3: "The 64-bit record sequence number is encoded in
    /// network byte order and padded to the left with zeros to iv_length.
    /// The padded sequence number is XORed with either the static
    /// client_write_iv or server_write_iv".
    pub fn tls13(iv: &Iv, seq: u64) -> Self {
        Self::xor_seq(&iv.0, seq)
    }

    /// RFC 7905 §2: the TLS 1.2 ChaCha20-Poly1305 nonce is built exactly as
    /// the TLS 1.3 one, from the 12-byte client/server_write_IV.
    pub fn tls12_chacha(iv: &Iv, seq: u64) -> Self {
        Self::xor_seq(&iv.0, seq)
    }

    /// RFC 5288 §3: `struct { opaque salt[4]; opaque nonce_explicit[8]; }`,
    /// the salt being the 4-byte client/server_write_IV and the explicit
    /// part the 8 bytes carried at the start of the record.
    pub fn tls12_gcm(salt: &[u8; 4], explicit: &[u8; 8]) -> Self {
        let mut n = [0u8; NONCE_LEN];
        for (d, s) in n.iter_mut().zip(salt.iter().chain(explicit.iter())) {
            *d = *s;
        }
        Self(n)
    }

    fn xor_seq(iv: &[u8; NONCE_LEN], seq: u64) -> Self {
        let mut n = *iv;
        let seq = seq.to_be_bytes();
        // The 8 sequence bytes line up with the last 8 IV bytes; the first
        // 4 are XORed with the zero padding and stay as they are.
        for (d, s) in n.iter_mut().rev().zip(seq.iter().rev()) {
            *d ^= *s;
        }
        Self(n)
    }
}

/// The explicit nonce a TLS 1.2 GCM sender puts in a record: the record
/// sequence number, which never repeats under one key (RFC 5288 §3 lets
/// the sender choose it; RFC 5116 §3.2 requires uniqueness).
pub fn tls12_gcm_explicit_nonce(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

/// A 12-byte TLS 1.3 or TLS 1.2 ChaCha20-Poly1305 write IV; zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Iv([u8; NONCE_LEN]);

impl Iv {
    pub fn new(bytes: [u8; NONCE_LEN]) -> Self {
        Self(bytes)
    }

    /// From the bytes of the key schedule; anything but 12 bytes is refused.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr = <[u8; NONCE_LEN]>::try_from(bytes).map_err(|_| CryptoError::InvalidKey {
            what: "AEAD IV length",
        })?;
        Ok(Self(arr))
    }

    pub fn as_bytes(&self) -> &[u8; NONCE_LEN] {
        &self.0
    }
}

impl Drop for Iv {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl core::fmt::Debug for Iv {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Iv(..)")
    }
}

/// TLS 1.3 additional data (RFC 8446 §5.2): `additional_data =
/// TLSCiphertext.opaque_type || TLSCiphertext.legacy_record_version ||
/// TLSCiphertext.length`, i.e. the header of the record as sent, where
/// `ciphertext_len` counts the encrypted inner plaintext and the tag.
pub fn tls13_aad(ciphertext_len: u16) -> [u8; TLS13_AAD_LEN] {
    let [hi, lo] = ciphertext_len.to_be_bytes();
    let [vh, vl] = ProtocolVersion::TLSv1_2.to_wire().to_be_bytes();
    [ContentType::ApplicationData.to_wire(), vh, vl, hi, lo]
}

/// TLS 1.2 additional data (RFC 5246 §6.2.3.3): `seq_num +
/// TLSCompressed.type + TLSCompressed.version + TLSCompressed.length`,
/// where the length is that of the plaintext (no explicit nonce, no tag).
pub fn tls12_aad(
    seq: u64,
    typ: ContentType,
    version: ProtocolVersion,
    plaintext_len: u16,
) -> [u8; TLS12_AAD_LEN] {
    let mut aad = [0u8; TLS12_AAD_LEN];
    let parts = seq
        .to_be_bytes()
        .into_iter()
        .chain([typ.to_wire()])
        .chain(version.to_wire().to_be_bytes())
        .chain(plaintext_len.to_be_bytes());
    for (d, s) in aad.iter_mut().zip(parts) {
        *d = s;
    }
    aad
}

/// A keyed AEAD for one direction of one connection epoch.
///
/// The key lives inside aws-lc-rs, which wipes it when the key is dropped.
pub struct AeadKey {
    alg: AeadAlgorithm,
    key: aead::LessSafeKey,
}

impl core::fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AeadKey").field("alg", &self.alg).finish()
    }
}

impl AeadKey {
    /// Keys `alg` with `key`, which must be exactly `alg.key_len()` bytes.
    pub fn new(alg: AeadAlgorithm, key: &[u8]) -> Result<Self, CryptoError> {
        if key.len() != alg.key_len() {
            return Err(CryptoError::InvalidKey {
                what: "AEAD key length",
            });
        }
        let unbound = aead::UnboundKey::new(alg.aws_alg(), key)
            .map_err(|_| CryptoError::InvalidKey { what: "AEAD key" })?;
        Ok(Self {
            alg,
            key: aead::LessSafeKey::new(unbound),
        })
    }

    pub fn algorithm(&self) -> AeadAlgorithm {
        self.alg
    }

    /// Encrypts `plaintext` in place and writes the tag to `tag_out`
    /// (exactly [`TAG_LEN`] bytes).
    pub fn seal(
        &self,
        nonce: Nonce,
        aad: &[u8],
        plaintext: &mut [u8],
        tag_out: &mut [u8],
    ) -> Result<(), CryptoError> {
        if tag_out.len() != TAG_LEN {
            return Err(CryptoError::Internal {
                what: "AEAD tag buffer length",
            });
        }
        let tag = self
            .key
            .seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(nonce.0),
                aead::Aad::from(aad),
                plaintext,
            )
            .map_err(|_| CryptoError::Internal { what: "AEAD seal" })?;
        tag_out.copy_from_slice(tag.as_ref());
        Ok(())
    }

    /// Encrypts `buf[..buf.len() - TAG_LEN]` in place and writes the tag
    /// into the last [`TAG_LEN`] bytes: the record layer reserves the tag
    /// room after the plaintext and hands over the whole span.
    pub fn seal_with_trailing_tag(
        &self,
        nonce: Nonce,
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<(), CryptoError> {
        let split = buf
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(CryptoError::Internal {
                what: "AEAD buffer shorter than the tag",
            })?;
        let (plaintext, tag) = buf.split_at_mut(split);
        self.seal(nonce, aad, plaintext, tag)
    }

    /// Decrypts `ciphertext || tag` in place and returns the plaintext,
    /// the front of the same buffer. Any failure, a truncated input
    /// included, is [`CryptoError::DecryptFailed`]: RFC 8446 §5.2 "If the
    /// decryption fails, the receiver MUST terminate the connection with a
    /// \"bad_record_mac\" alert" (RFC 5246 §6.2.3.3 likewise).
    pub fn open<'a>(
        &self,
        nonce: Nonce,
        aad: &[u8],
        ciphertext_and_tag: &'a mut [u8],
    ) -> Result<&'a mut [u8], CryptoError> {
        if ciphertext_and_tag.len() < TAG_LEN {
            return Err(CryptoError::DecryptFailed);
        }
        self.key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce.0),
                aead::Aad::from(aad),
                ciphertext_and_tag,
            )
            .map_err(|_| CryptoError::DecryptFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls13_nonce_xors_sequence_into_last_eight_bytes() {
        let iv = Iv::new([0xff; 12]);
        assert_eq!(Nonce::tls13(&iv, 0).0, [0xff; 12]);
        let n = Nonce::tls13(&iv, 0x0102_0304_0506_0708);
        assert_eq!(
            n.0,
            [0xff, 0xff, 0xff, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7]
        );
        let iv = Iv::new([0; 12]);
        assert_eq!(
            Nonce::tls13(&iv, u64::MAX).0,
            [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
    }

    #[test]
    fn tls12_chacha_nonce_is_the_tls13_construction() {
        let iv = Iv::from_slice(&[0x11; 12]).unwrap();
        assert_eq!(Nonce::tls12_chacha(&iv, 1), Nonce::tls13(&iv, 1));
        assert_eq!(Nonce::tls12_chacha(&iv, 1).0[11], 0x10);
        assert!(Iv::from_slice(&[0; 4]).is_err());
    }

    #[test]
    fn tls12_gcm_nonce_is_salt_then_explicit() {
        let n = Nonce::tls12_gcm(&[1, 2, 3, 4], &tls12_gcm_explicit_nonce(0x0a0b));
        assert_eq!(n.0, [1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0x0a, 0x0b]);
    }

    #[test]
    fn aad_layouts() {
        assert_eq!(tls13_aad(0x0043), [0x17, 0x03, 0x03, 0x00, 0x43]);
        assert_eq!(
            tls12_aad(5, ContentType::Handshake, ProtocolVersion::TLSv1_2, 0x0110),
            [0, 0, 0, 0, 0, 0, 0, 5, 0x16, 0x03, 0x03, 0x01, 0x10]
        );
    }

    #[test]
    fn parameters_per_algorithm() {
        use AeadAlgorithm::*;
        assert_eq!(
            (
                Aes128Gcm.key_len(),
                Aes256Gcm.key_len(),
                Chacha20Poly1305.key_len()
            ),
            (16, 32, 32)
        );
        assert_eq!(Aes128Gcm.tls12_fixed_iv_len(), 4);
        assert_eq!(Aes128Gcm.tls12_explicit_nonce_len(), 8);
        assert_eq!(Chacha20Poly1305.tls12_fixed_iv_len(), 12);
        assert_eq!(Chacha20Poly1305.tls12_explicit_nonce_len(), 0);
        assert!(Aes256Gcm.confidentiality_limit() < 1 << 25);
        assert!(AeadKey::new(Aes128Gcm, &[0; 32]).is_err());
    }

    #[test]
    fn seal_open_round_trip_and_tamper() {
        for alg in [
            AeadAlgorithm::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm,
            AeadAlgorithm::Chacha20Poly1305,
        ] {
            let key = AeadKey::new(alg, &vec![7; alg.key_len()]).unwrap();
            let nonce = Nonce::tls13(&Iv::new([3; 12]), 9);
            let mut buf = b"hello record\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
            key.seal_with_trailing_tag(nonce, b"aad", &mut buf).unwrap();
            let mut copy = buf.clone();
            assert_eq!(key.open(nonce, b"aad", &mut copy).unwrap(), b"hello record");
            let mut bad = buf.clone();
            bad[0] ^= 1;
            assert_eq!(
                key.open(nonce, b"aad", &mut bad),
                Err(CryptoError::DecryptFailed)
            );
            let mut copy = buf.clone();
            assert_eq!(
                key.open(nonce, b"aaD", &mut copy),
                Err(CryptoError::DecryptFailed)
            );
            assert_eq!(
                key.open(nonce, b"aad", &mut [0u8; 15]),
                Err(CryptoError::DecryptFailed)
            );
            assert!(key
                .seal_with_trailing_tag(nonce, b"", &mut [0u8; 15])
                .is_err());
        }
    }
}
