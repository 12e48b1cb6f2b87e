//! Elliptic-curve Diffie-Hellman: x25519, secp256r1, secp384r1.

use aws_lc_rs::agreement;

use super::SharedSecret;
use crate::crypto::rand::SecureRandom;
use crate::error::CryptoError;

/// The curves offered for (EC)DHE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Curve {
    X25519,
    P256,
    P384,
}

impl Curve {
    fn alg(self) -> &'static agreement::Algorithm {
        match self {
            Self::X25519 => &agreement::X25519,
            Self::P256 => &agreement::ECDH_P256,
            Self::P384 => &agreement::ECDH_P384,
        }
    }

    pub(super) const fn name(self) -> &'static str {
        match self {
            Self::X25519 => "x25519",
            Self::P256 => "secp256r1",
            Self::P384 => "secp384r1",
        }
    }

    /// Private scalar length (RFC 7748 §5; SEC 1 field size).
    pub(super) const fn private_len(self) -> usize {
        match self {
            Self::X25519 | Self::P256 => 32,
            Self::P384 => 48,
        }
    }

    /// Length of a key share: RFC 8446 §4.2.8.2, 32 bytes for x25519 and
    /// an UncompressedPointRepresentation (1 + 2 * field size) for NIST curves.
    pub(super) const fn public_len(self) -> usize {
        match self {
            Self::X25519 => 32,
            Self::P256 => 65,
            Self::P384 => 97,
        }
    }

    fn invalid(self) -> CryptoError {
        CryptoError::InvalidPeerKey { group: self.name() }
    }

    /// Checks the form of a peer's share before aws-lc-rs sees it, which
    /// would also accept SubjectPublicKeyInfo and compressed points.
    ///
    /// RFC 8446 §4.2.8.2: only the uncompressed form (legacy_form = 4) is
    /// allowed for secp256r1/secp384r1, and x25519 shares are exactly 32
    /// bytes; RFC 8422 §5.1.2 leaves TLS 1.2 with the same uncompressed
    /// format since no other point format is negotiated.
    fn check_share(self, share: &[u8]) -> Result<(), CryptoError> {
        if share.len() != self.public_len() {
            return Err(self.invalid());
        }
        match self {
            Self::X25519 => Ok(()),
            Self::P256 | Self::P384 => match share.first() {
                Some(4) => Ok(()),
                _ => Err(self.invalid()),
            },
        }
    }
}

/// An ephemeral ECDH private key and its public share.
pub(super) struct EcdhKey {
    curve: Curve,
    key: agreement::PrivateKey,
    public: Vec<u8>,
}

impl EcdhKey {
    /// A fresh key whose scalar is drawn from `rng`, so tests can inject it.
    pub(super) fn generate(curve: Curve, rng: &dyn SecureRandom) -> Result<Self, CryptoError> {
        let mut scalar = zeroize::Zeroizing::new(vec![0u8; curve.private_len()]);
        // A NIST scalar must lie in [1, n-1]; a uniformly random string is
        // outside that range with probability below 2^-32, so a few draws
        // always suffice. Every 32-byte string is an x25519 key (RFC 7748 §5).
        for _ in 0..8 {
            rng.fill(&mut scalar)?;
            if let Ok(k) = Self::from_private_key(curve, &scalar) {
                return Ok(k);
            }
        }
        Err(CryptoError::Internal {
            what: "ECDH key generation",
        })
    }

    /// The key with the given private scalar (big-endian for NIST curves,
    /// RFC 7748 little-endian bytes for x25519).
    pub(super) fn from_private_key(curve: Curve, private: &[u8]) -> Result<Self, CryptoError> {
        let key = agreement::PrivateKey::from_private_key(curve.alg(), private).map_err(|_| {
            CryptoError::InvalidKey {
                what: "ECDH private key",
            }
        })?;
        let public = key
            .compute_public_key()
            .map_err(|_| CryptoError::Internal {
                what: "ECDH public key",
            })?
            .as_ref()
            .to_vec();
        Ok(Self { curve, key, public })
    }

    pub(super) fn public(&self) -> &[u8] {
        &self.public
    }

    /// The shared secret with `peer`: for NIST curves the x-coordinate
    /// (RFC 8446 §7.4.2, RFC 8422 §5.10), for x25519 the RFC 7748 output.
    pub(super) fn agree(&self, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
        self.curve.check_share(peer)?;
        let secret = agreement::agree(
            &self.key,
            agreement::UnparsedPublicKey::new(self.curve.alg(), peer),
            self.curve.invalid(),
            |z| Ok(SharedSecret::new(z.to_vec())),
        )?;
        // RFC 8446 §7.4.2: "For X25519 and X448, ... implementations MUST
        // check whether the computed Diffie-Hellman shared secret is the
        // all-zero value and abort if so" (a small-order peer point).
        let nonzero = secret.expose().iter().fold(0u8, |acc, b| acc | b);
        if nonzero == 0 {
            return Err(self.curve.invalid());
        }
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::rand::SystemRandom;

    #[test]
    fn agreement_and_share_checks() {
        for curve in [Curve::X25519, Curve::P256, Curve::P384] {
            let a = EcdhKey::generate(curve, &SystemRandom).unwrap();
            let b = EcdhKey::generate(curve, &SystemRandom).unwrap();
            assert_eq!(a.public().len(), curve.public_len());
            let s1 = a.agree(b.public()).unwrap();
            let s2 = b.agree(a.public()).unwrap();
            assert_eq!(s1.expose(), s2.expose());
            assert_eq!(s1.len(), curve.private_len());
            // Truncated, extended and empty shares.
            let p = b.public();
            assert!(a.agree(&p[..p.len() - 1]).is_err());
            assert!(a.agree(&[p, &[0]].concat()).is_err());
            assert!(a.agree(&[]).is_err());
        }
    }

    #[test]
    fn nist_points_must_be_uncompressed_and_on_curve() {
        let a = EcdhKey::generate(Curve::P256, &SystemRandom).unwrap();
        let b = EcdhKey::generate(Curve::P256, &SystemRandom).unwrap();
        let mut compressed_tag = b.public().to_vec();
        compressed_tag[0] = 2;
        assert_eq!(
            a.agree(&compressed_tag).unwrap_err().alert(),
            crate::msgs::enums::AlertDescription::IllegalParameter
        );
        let mut off_curve = b.public().to_vec();
        off_curve[64] ^= 1;
        assert!(a.agree(&off_curve).is_err());
        assert!(a.agree(&[4; 65]).is_err());
    }

    #[test]
    fn x25519_small_order_point_is_refused() {
        let a = EcdhKey::generate(Curve::X25519, &SystemRandom).unwrap();
        // The all-zero point has order 1: the shared secret would be zero.
        assert!(a.agree(&[0; 32]).is_err());
        let mut one = [0u8; 32];
        one[0] = 1;
        assert!(a.agree(&one).is_err());
    }
}
