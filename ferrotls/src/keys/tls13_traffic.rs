//! The secrets the TLS 1.3 key schedule hands out (RFC 8446 §7.1-§7.5):
//! traffic secrets and their keys, Finished keys, exporter and resumption
//! secrets. The stages that produce them are in [`super::tls13`].

use core::marker::PhantomData;

use crate::crypto::hash::{HashAlgorithm, HashOutput};
use crate::crypto::hkdf::{Prk, SecretBytes};
use crate::crypto::hmac::{HmacKey, Tag};
use crate::error::CryptoError;

/// Length of every TLS 1.3 AEAD nonce and so of the write IV
/// (RFC 8446 §5.3: "iv_length ... MUST be set to 12 bytes" in practice,
/// max(8 bytes, N_MIN) for every AEAD TLS 1.3 defines).
pub const IV_LEN: usize = 12;

/// Marker: a traffic secret for 0-RTT data (`client_early_traffic_secret`).
#[derive(Debug)]
pub enum Early {}
/// Marker: a handshake traffic secret (`[sender]_handshake_traffic_secret`).
#[derive(Debug)]
pub enum Handshake {}
/// Marker: an application traffic secret (`[sender]_application_traffic_secret_N`).
#[derive(Debug)]
pub enum Application {}

/// A traffic secret of one direction (RFC 8446 §7.1), typed by what it
/// protects: only handshake secrets give Finished keys (§4.4.4), only
/// application secrets can be updated (§7.2).
pub struct TrafficSecret<K> {
    prk: Prk,
    kind: PhantomData<K>,
}

/// `client_early_traffic_secret`.
pub type EarlyTrafficSecret = TrafficSecret<Early>;
/// `client_handshake_traffic_secret` / `server_handshake_traffic_secret`.
pub type HandshakeTrafficSecret = TrafficSecret<Handshake>;
/// `client_application_traffic_secret_N` / `server_application_traffic_secret_N`.
pub type ApplicationTrafficSecret = TrafficSecret<Application>;

impl<K> TrafficSecret<K> {
    pub(crate) fn new(prk: Prk) -> Self {
        Self {
            prk,
            kind: PhantomData,
        }
    }

    pub fn algorithm(&self) -> HashAlgorithm {
        self.prk.algorithm()
    }

    /// The secret's bytes (for key logging and tests).
    pub fn expose(&self) -> &[u8] {
        self.prk.expose()
    }

    /// RFC 8446 §7.3:
    /// `[sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)`,
    /// `[sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)`.
    /// `key_len` is the AEAD's key length; the IV is [`IV_LEN`] bytes.
    pub fn traffic_keys(&self, key_len: usize) -> Result<TrafficKeys, CryptoError> {
        let key = self.prk.expand_label(b"key", b"", key_len)?;
        let iv_bytes = self.prk.expand_label(b"iv", b"", IV_LEN)?;
        let mut iv = [0u8; IV_LEN];
        for (dst, src) in iv.iter_mut().zip(iv_bytes.expose()) {
            *dst = *src;
        }
        Ok(TrafficKeys { key, iv })
    }
}

impl TrafficSecret<Handshake> {
    /// `finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)`
    /// with this handshake traffic secret as BaseKey (RFC 8446 §4.4.4).
    pub fn finished_key(&self) -> Result<FinishedKey, CryptoError> {
        Ok(FinishedKey(self.prk.finished_key()?))
    }
}

impl TrafficSecret<Application> {
    /// RFC 8446 §7.2: `application_traffic_secret_N+1 =
    /// HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)`.
    pub fn next(&self) -> Result<Self, CryptoError> {
        Ok(Self::new(self.prk.expand_label_prk(b"traffic upd", b"")?))
    }
}

impl<K> Clone for TrafficSecret<K> {
    fn clone(&self) -> Self {
        Self::new(self.prk.clone())
    }
}

impl<K> core::fmt::Debug for TrafficSecret<K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TrafficSecret")
            .field("alg", &self.algorithm())
            .finish_non_exhaustive()
    }
}

/// Write key and IV of one direction (RFC 8446 §7.3).
pub struct TrafficKeys {
    key: SecretBytes,
    iv: [u8; IV_LEN],
}

impl TrafficKeys {
    /// `[sender]_write_key`.
    pub fn key(&self) -> &[u8] {
        self.key.expose()
    }

    /// `[sender]_write_iv`, XORed with the sequence number to form each
    /// record's nonce (RFC 8446 §5.3).
    pub fn iv(&self) -> &[u8; IV_LEN] {
        &self.iv
    }
}

impl Drop for TrafficKeys {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.iv);
    }
}

impl core::fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TrafficKeys({}-byte key, iv)", self.key.len())
    }
}

/// The HMAC key of a Finished message or a PSK binder (RFC 8446 §4.4.4,
/// §4.2.11.2).
#[derive(Clone, Debug)]
pub struct FinishedKey(pub(crate) HmacKey);

impl FinishedKey {
    /// `verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context,
    /// Certificate*, CertificateVerify*))` (RFC 8446 §4.4.4).
    pub fn verify_data(&self, transcript_hash: &HashOutput) -> Tag {
        self.0.sign(transcript_hash.as_ref())
    }

    /// Checks a received Finished body in constant time. RFC 8446 §4.4.4:
    /// "Recipients of Finished messages MUST verify that the contents are
    /// correct and if incorrect MUST terminate the connection with a
    /// "decrypt_error" alert."
    pub fn verify(&self, transcript_hash: &HashOutput, received: &[u8]) -> Result<(), CryptoError> {
        self.0
            .verify(transcript_hash.as_ref(), received)
            .map_err(|_| CryptoError::BadVerifyData { what: "Finished" })
    }
}

/// `exporter_master_secret` or `early_exporter_master_secret` (RFC 8446 §7.5).
#[derive(Clone)]
pub struct ExporterSecret(pub(crate) Prk);

impl ExporterSecret {
    /// The secret's bytes (for key logging and tests).
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }

    /// RFC 8446 §7.5:
    /// `TLS-Exporter(label, context_value, key_length) =
    ///   HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
    ///                     "exporter", Hash(context_value), key_length)`.
    /// "A context_value of zero length" is the same as none. `label` is
    /// at most 249 bytes (it gets the "tls13 " prefix in an `opaque<7..255>`).
    pub fn export(&self, label: &[u8], context: &[u8], out: &mut [u8]) -> Result<(), CryptoError> {
        let alg = self.0.algorithm();
        let secret = self.0.derive_secret(label, &alg.hash(b""))?;
        let okm = secret.expand_label(b"exporter", alg.hash(context).as_ref(), out.len())?;
        out.copy_from_slice(okm.expose());
        Ok(())
    }
}

impl core::fmt::Debug for ExporterSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExporterSecret").finish_non_exhaustive()
    }
}

/// `resumption_master_secret` (RFC 8446 §7.1), from which each
/// NewSessionTicket's PSK is derived.
#[derive(Clone)]
pub struct ResumptionMasterSecret(pub(crate) Prk);

impl ResumptionMasterSecret {
    pub fn algorithm(&self) -> HashAlgorithm {
        self.0.algorithm()
    }

    /// The secret's bytes (for tests).
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }

    /// RFC 8446 §4.6.1: the PSK of a ticket is
    /// `HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)`.
    pub fn ticket_psk(&self, ticket_nonce: &[u8]) -> Result<SecretBytes, CryptoError> {
        self.0
            .expand_label(b"resumption", ticket_nonce, self.0.algorithm().output_len())
    }
}

impl core::fmt::Debug for ResumptionMasterSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResumptionMasterSecret")
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_secret() -> ApplicationTrafficSecret {
        TrafficSecret::new(Prk::from_bytes(HashAlgorithm::Sha256, &[3; 32]).unwrap())
    }

    #[test]
    fn key_update_is_traffic_upd() {
        let s0 = app_secret();
        let s1 = s0.next().unwrap();
        let expected = Prk::from_bytes(HashAlgorithm::Sha256, &[3; 32])
            .unwrap()
            .expand_label(b"traffic upd", b"", 32)
            .unwrap();
        assert_eq!(s1.expose(), expected.expose());
        assert_ne!(s1.next().unwrap().expose(), s1.expose());
    }

    #[test]
    fn traffic_keys_lengths() {
        let keys = app_secret().traffic_keys(32).unwrap();
        assert_eq!(keys.key().len(), 32);
        assert_eq!(format!("{keys:?}"), "TrafficKeys(32-byte key, iv)");
        // The key is a prefix-independent expansion: a 16-byte key is not
        // the start of the 32-byte one (the length is in the HkdfLabel).
        let short = app_secret().traffic_keys(16).unwrap();
        assert_ne!(short.key(), &keys.key()[..16]);
        assert_eq!(short.iv(), keys.iv());
    }

    #[test]
    fn exporter_empty_context_is_hash_of_empty() {
        let exp = ExporterSecret(Prk::from_bytes(HashAlgorithm::Sha256, &[9; 32]).unwrap());
        let mut a = [0u8; 20];
        let mut b = [0u8; 20];
        exp.export(b"EXPORTER-test", b"", &mut a).unwrap();
        exp.export(b"EXPORTER-test", b"x", &mut b).unwrap();
        assert_ne!(a, b);
        assert!(exp.export(&[b'l'; 250], b"", &mut a).is_err());
    }
}
