//! X25519MLKEM768 (codepoint 0x11ec), the hybrid of ML-KEM-768 (FIPS 203)
//! and x25519 from draft-ietf-tls-ecdhe-mlkem.
//!
//! The draft's layout, ML-KEM first for this group:
//! - client share: ML-KEM-768 encapsulation key (1184) || x25519 public (32)
//! - server share: ML-KEM-768 ciphertext (1088) || x25519 public (32)
//! - shared secret: ML-KEM shared secret (32) || x25519 shared secret (32)
//!
//! The ML-KEM randomness (key generation, encapsulation) is drawn inside
//! aws-lc-rs, which offers no way to supply it; the x25519 half comes from
//! the provider's generator like every other ephemeral key.

use aws_lc_rs::kem;

use super::ecdh::{Curve, EcdhKey};
use super::SharedSecret;
use crate::crypto::rand::SecureRandom;
use crate::error::CryptoError;

const NAME: &str = "X25519MLKEM768";
/// ML-KEM-768 encapsulation key length (FIPS 203 §8, Table 3).
pub(super) const MLKEM_EK_LEN: usize = 1184;
/// ML-KEM-768 ciphertext length (FIPS 203 §8, Table 3).
pub(super) const MLKEM_CT_LEN: usize = 1088;
const X25519_LEN: usize = 32;
pub(super) const CLIENT_SHARE_LEN: usize = MLKEM_EK_LEN + X25519_LEN;
pub(super) const SERVER_SHARE_LEN: usize = MLKEM_CT_LEN + X25519_LEN;

fn invalid() -> CryptoError {
    CryptoError::InvalidPeerKey { group: NAME }
}

fn internal(what: &'static str) -> CryptoError {
    CryptoError::Internal { what }
}

/// The client's half: an ML-KEM decapsulation key and an x25519 key.
pub(super) struct HybridKey {
    decap: kem::DecapsulationKey,
    x25519: EcdhKey,
    public: Vec<u8>,
}

impl HybridKey {
    pub(super) fn generate(rng: &dyn SecureRandom) -> Result<Self, CryptoError> {
        let decap = kem::DecapsulationKey::generate(&kem::ML_KEM_768)
            .map_err(|_| internal("ML-KEM key generation"))?;
        let x25519 = EcdhKey::generate(Curve::X25519, rng)?;
        Self::assemble(decap, x25519)
    }

    /// With a fixed x25519 private key (the ML-KEM half is still fresh).
    pub(super) fn with_x25519_private_key(private: &[u8]) -> Result<Self, CryptoError> {
        let decap = kem::DecapsulationKey::generate(&kem::ML_KEM_768)
            .map_err(|_| internal("ML-KEM key generation"))?;
        let x25519 = EcdhKey::from_private_key(Curve::X25519, private)?;
        Self::assemble(decap, x25519)
    }

    fn assemble(decap: kem::DecapsulationKey, x25519: EcdhKey) -> Result<Self, CryptoError> {
        let ek = decap
            .encapsulation_key()
            .and_then(|ek| ek.key_bytes())
            .map_err(|_| internal("ML-KEM encapsulation key"))?;
        let mut public = Vec::with_capacity(CLIENT_SHARE_LEN);
        public.extend_from_slice(ek.as_ref());
        public.extend_from_slice(x25519.public());
        Ok(Self {
            decap,
            x25519,
            public,
        })
    }

    pub(super) fn public(&self) -> &[u8] {
        &self.public
    }

    /// The client's completion with the server's share.
    pub(super) fn complete(&self, server_share: &[u8]) -> Result<SharedSecret, CryptoError> {
        // RFC 8446 §4.2.8 / the draft: a share of the wrong length is
        // malformed and gets illegal_parameter.
        if server_share.len() != SERVER_SHARE_LEN {
            return Err(invalid());
        }
        let (ct, x_pub) = server_share.split_at(MLKEM_CT_LEN);
        let kem_secret = self
            .decap
            .decapsulate(kem::Ciphertext::from(ct))
            .map_err(|_| invalid())?;
        let x_secret = self.x25519.agree(x_pub).map_err(|_| invalid())?;
        Ok(SharedSecret::concat(kem_secret.as_ref(), x_secret.expose()))
    }
}

/// The server's one-step answer to a client's share: the server share and
/// the shared secret.
pub(super) fn accept(
    client_share: &[u8],
    rng: &dyn SecureRandom,
) -> Result<(Vec<u8>, SharedSecret), CryptoError> {
    if client_share.len() != CLIENT_SHARE_LEN {
        return Err(invalid());
    }
    let (ek, x_pub) = client_share.split_at(MLKEM_EK_LEN);
    // aws-lc-rs checks the encapsulation key (FIPS 203 §7.2 modulus check).
    let ek = kem::EncapsulationKey::new(&kem::ML_KEM_768, ek).map_err(|_| invalid())?;
    let (ct, kem_secret) = ek
        .encapsulate()
        .map_err(|_| internal("ML-KEM encapsulation"))?;
    let x25519 = EcdhKey::generate(Curve::X25519, rng)?;
    let x_secret = x25519.agree(x_pub).map_err(|_| invalid())?;
    let mut share = Vec::with_capacity(SERVER_SHARE_LEN);
    share.extend_from_slice(ct.as_ref());
    share.extend_from_slice(x25519.public());
    Ok((
        share,
        SharedSecret::concat(kem_secret.as_ref(), x_secret.expose()),
    ))
}
