//! TLS 1.2 static RSA key transport (RFC 5246 §7.4.7.1): the client
//! encrypts a 48-byte premaster secret to the server's RSA key with
//! PKCS#1 v1.5; the server decrypts it without revealing whether the
//! padding was valid.

use aws_lc_rs::rsa::{
    Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};

use super::SharedSecret;
use crate::crypto::rand::SecureRandom;
use crate::error::CryptoError;
use crate::msgs::enums::ProtocolVersion;

/// Length of the RSA-transported pre_master_secret (RFC 5246 §7.4.7.1).
pub const PREMASTER_LEN: usize = 48;

/// Client side: a fresh premaster secret `client_version || random[46]`
/// and its encryption to the server's key (`spki_der`, the certificate's
/// SubjectPublicKeyInfo). Returns (EncryptedPreMasterSecret body, premaster).
pub fn encrypt_premaster(
    spki_der: &[u8],
    client_version: ProtocolVersion,
    rng: &dyn SecureRandom,
) -> Result<(Vec<u8>, SharedSecret), CryptoError> {
    let key = PublicEncryptingKey::from_der(spki_der)
        .ok()
        .and_then(|k| Pkcs1PublicEncryptingKey::new(k).ok())
        .ok_or(CryptoError::InvalidKey {
            what: "server RSA key for key transport",
        })?;
    // RFC 5246 §7.4.7.1: "client_version: The latest (newest) version
    // supported by the client ... random: 46 securely-generated random bytes."
    let mut pms = SharedSecret::new(vec![0u8; PREMASTER_LEN]);
    let [hi, lo] = client_version.to_wire().to_be_bytes();
    if let Some((version, random)) = pms.0.split_first_chunk_mut::<2>() {
        *version = [hi, lo];
        rng.fill(random)?;
    }
    let mut out = vec![0u8; key.ciphertext_size()];
    let len = key
        .encrypt(pms.expose(), &mut out)
        .map_err(|_| CryptoError::Internal {
            what: "RSA encryption",
        })?
        .len();
    out.truncate(len);
    Ok((out, pms))
}

/// A server's RSA private key for static RSA key transport.
pub struct RsaDecryptingKey(Pkcs1PrivateDecryptingKey);

impl core::fmt::Debug for RsaDecryptingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaDecryptingKey(..)")
    }
}

impl RsaDecryptingKey {
    /// From an unencrypted PKCS#8 RSA key (2048 to 8192 bits).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        PrivateDecryptingKey::from_pkcs8(der)
            .ok()
            .and_then(|k| Pkcs1PrivateDecryptingKey::new(k).ok())
            .map(Self)
            .ok_or(CryptoError::InvalidKey {
                what: "RSA PKCS#8 private key",
            })
    }

    /// Recovers the premaster secret. Never fails on the client's bytes:
    /// RFC 5246 §7.4.7.1 (the Bleichenbacher countermeasure) "1. Generate
    /// a string R of 48 random bytes ... 3. If the PKCS#1 padding is not
    /// correct, or the length of message M is not exactly 48 bytes:
    /// pre_master_secret = R ... else If M[0..1] != ClientHello.client_version:
    /// premaster secret = R". The choice between M and R is made with a
    /// mask, not a branch; the handshake then fails at Finished.
    pub fn decrypt_premaster(
        &self,
        encrypted: &[u8],
        client_version: ProtocolVersion,
        rng: &dyn SecureRandom,
    ) -> Result<SharedSecret, CryptoError> {
        let mut r = SharedSecret::new(vec![0u8; PREMASTER_LEN]);
        rng.fill(&mut r.0)?;

        let mut buf = zeroize::Zeroizing::new(vec![0u8; self.0.min_output_size()]);
        let (decrypted_ok, m_len) = match self.0.decrypt(encrypted, &mut buf) {
            Ok(m) => (1u8, m.len()),
            Err(_) => (0u8, 0),
        };
        let m = buf.get(..PREMASTER_LEN).unwrap_or_default();
        let [vh, vl] = client_version.to_wire().to_be_bytes();
        let version_ok = ct_eq_byte(m.first().copied().unwrap_or(0), vh)
            & ct_eq_byte(m.get(1).copied().unwrap_or(0), vl);
        let len_ok = u8::from(m_len == PREMASTER_LEN);
        let good = decrypted_ok & len_ok & version_ok; // 1 or 0
        let mask = 0u8.wrapping_sub(good); // 0xff keeps M, 0x00 keeps R

        let mut out = SharedSecret::new(vec![0u8; PREMASTER_LEN]);
        for ((o, m), r) in out.0.iter_mut().zip(m.iter()).zip(r.0.iter()) {
            *o = (m & mask) | (r & !mask);
        }
        Ok(out)
    }
}

/// 1 if `a == b`, else 0, without a data-dependent branch.
fn ct_eq_byte(a: u8, b: u8) -> u8 {
    let x = u16::from(a ^ b);
    // x - 1 underflows (top bit set) only when x == 0.
    u8::from(x.wrapping_sub(1) >> 15 == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::rand::{FixedRandom, SystemRandom};

    #[test]
    fn ct_eq() {
        assert_eq!(ct_eq_byte(3, 3), 1);
        assert_eq!(ct_eq_byte(0, 0), 1);
        assert_eq!(ct_eq_byte(3, 4), 0);
        assert_eq!(ct_eq_byte(0, 255), 0);
    }

    #[test]
    fn round_trip_and_countermeasure() {
        let pkcs8 = crate::crypto::sign::generate_rsa_pkcs8(2048).unwrap();
        let key = RsaDecryptingKey::from_pkcs8_der(&pkcs8).unwrap();
        let spki = {
            use aws_lc_rs::encoding::AsDer;
            PrivateDecryptingKey::from_pkcs8(&pkcs8)
                .unwrap()
                .public_key()
                .as_der()
                .unwrap()
                .as_ref()
                .to_vec()
        };
        let v = ProtocolVersion::TLSv1_2;
        let (ct, pms) = encrypt_premaster(&spki, v, &SystemRandom).unwrap();
        assert_eq!(&pms.expose()[..2], [3, 3]);
        let fallback = FixedRandom(vec![0xaa]);
        assert_eq!(key.decrypt_premaster(&ct, v, &fallback).unwrap(), pms);
        // Wrong version in the premaster: R.
        let got = key
            .decrypt_premaster(&ct, ProtocolVersion::TLSv1_1, &fallback)
            .unwrap();
        assert_eq!(got.expose(), [0xaa; 48]);
        // Corrupted ciphertext or wrong length: R, no error.
        let mut bad = ct.clone();
        bad[10] ^= 1;
        assert_eq!(
            key.decrypt_premaster(&bad, v, &fallback).unwrap().expose(),
            [0xaa; 48]
        );
        assert_eq!(
            key.decrypt_premaster(&ct[1..], v, &fallback)
                .unwrap()
                .expose(),
            [0xaa; 48]
        );
    }
}
