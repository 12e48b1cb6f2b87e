//! Signature schemes (RFC 8446 §4.2.3; in TLS 1.2 the same codepoints are
//! the SignatureAndHashAlgorithm pairs of RFC 5246 §7.4.1.4.1): signing
//! with our own key, and verifying a peer's signature.

use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, KeyPair, VerificationAlgorithm};

use super::rand::SecureRandom;
use crate::error::CryptoError;
use crate::msgs::enums::SignatureScheme;

/// Schemes verified by default in TLS 1.2: everything implemented except
/// the SHA-1 ones (RFC 9155 deprecates SHA-1 signatures in TLS 1.2).
pub const TLS12_VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::Ed25519,
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

/// Schemes verified by default in a TLS 1.3 CertificateVerify. RFC 8446
/// §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm", so the
/// PKCS#1 v1.5 ones are left out (they remain valid in certificates).
pub const TLS13_VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::Ed25519,
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
];

/// The SHA-1 schemes, verify-only and off unless a caller adds them to the
/// allowed set (for old TLS 1.2 peers).
pub const LEGACY_SHA1_SCHEMES: &[SignatureScheme] =
    &[SignatureScheme::RsaPkcs1Sha1, SignatureScheme::EcdsaSha1];

/// Every scheme [`verify`] can check, SHA-1 ones included.
pub fn verify_supported(scheme: SignatureScheme) -> bool {
    verification_alg(scheme).is_some()
}

fn verification_alg(scheme: SignatureScheme) -> Option<&'static dyn VerificationAlgorithm> {
    use SignatureScheme as S;
    Some(match scheme {
        S::EcdsaSecp256r1Sha256 => &signature::ECDSA_P256_SHA256_ASN1,
        S::EcdsaSecp384r1Sha384 => &signature::ECDSA_P384_SHA384_ASN1,
        S::Ed25519 => &signature::ED25519,
        // RFC 8446 §4.2.3: PSS with "the length of the salt MUST be equal
        // to the length of the digest algorithm" (the aws-lc-rs default).
        S::RsaPssRsaeSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        S::RsaPssRsaeSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        S::RsaPssRsaeSha512 => &signature::RSA_PSS_2048_8192_SHA512,
        S::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        S::RsaPkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        S::RsaPkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        S::RsaPkcs1Sha1 => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        // aws-lc-rs offers ECDSA-SHA1 on P-256 (and P-521) only.
        S::EcdsaSha1 => &signature::ECDSA_P256_SHA1_ASN1,
        _ => return None,
    })
}

/// Verifies `signature` over `message` with the peer's `public_key`: a
/// SubjectPublicKeyInfo (DER), or the bare key (an uncompressed EC point,
/// a PKCS#1 RSAPublicKey, 32 Ed25519 bytes).
///
/// - a scheme outside `allowed`, or not implemented: [`CryptoError::SchemeNotAllowed`]
/// - a key that is not of the scheme's type or curve: [`CryptoError::SchemeKeyMismatch`]
/// - a signature that does not verify: [`CryptoError::BadSignature`]
pub fn verify(
    scheme: SignatureScheme,
    public_key: &[u8],
    message: &[u8],
    sig: &[u8],
    allowed: &[SignatureScheme],
) -> Result<(), CryptoError> {
    let not_allowed = CryptoError::SchemeNotAllowed {
        scheme: scheme.to_wire(),
    };
    if !allowed.contains(&scheme) {
        return Err(not_allowed);
    }
    let alg = verification_alg(scheme).ok_or(not_allowed)?;
    let key = signature::ParsedPublicKey::new(alg, public_key).map_err(|_| {
        CryptoError::SchemeKeyMismatch {
            scheme: scheme.to_wire(),
        }
    })?;
    key.verify_sig(message, sig)
        .map_err(|_| CryptoError::BadSignature)
}

enum KeyInner {
    Ecdsa(signature::EcdsaKeyPair, SignatureScheme),
    Rsa(signature::RsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
}

/// A private key that signs handshakes (CertificateVerify,
/// ServerKeyExchange). The key material lives inside aws-lc-rs, which
/// wipes it on drop.
pub struct SigningKey {
    inner: KeyInner,
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKey")
            .field("schemes", &self.schemes())
            .finish_non_exhaustive()
    }
}

const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

fn unusable(what: &'static str) -> CryptoError {
    CryptoError::InvalidKey { what }
}

impl SigningKey {
    /// From an unencrypted PKCS#8 document: ECDSA P-256/P-384, Ed25519, or
    /// RSA (2048 to 8192 bits).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        Self::ecdsa(der, signature::EcdsaKeyPair::from_pkcs8)
            .or_else(|_| {
                signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                    .map(|k| Self::from_inner(KeyInner::Ed25519(k)))
            })
            .or_else(|_| signature::RsaKeyPair::from_pkcs8(der).map(Self::rsa))
            .map_err(|_| unusable("not a supported PKCS#8 private key"))
    }

    /// From a SEC 1 ECPrivateKey (RFC 5915) for P-256 or P-384.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, CryptoError> {
        Self::ecdsa(der, signature::EcdsaKeyPair::from_private_key_der)
            .map_err(|_| unusable("not a P-256/P-384 SEC 1 private key"))
    }

    /// From a PKCS#1 RSAPrivateKey.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError> {
        signature::RsaKeyPair::from_der(der)
            .map(Self::rsa)
            .map_err(|_| unusable("not a PKCS#1 RSA private key of 2048 to 8192 bits"))
    }

    /// Whichever of PKCS#8, SEC 1 or PKCS#1 `der` is.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        Self::from_pkcs8_der(der)
            .or_else(|_| Self::from_sec1_der(der))
            .or_else(|_| Self::from_pkcs1_der(der))
            .map_err(|_| unusable("unrecognised private key"))
    }

    fn from_inner(inner: KeyInner) -> Self {
        Self { inner }
    }

    fn rsa(k: signature::RsaKeyPair) -> Self {
        Self::from_inner(KeyInner::Rsa(k))
    }

    fn ecdsa<E>(
        der: &[u8],
        parse: fn(
            &'static signature::EcdsaSigningAlgorithm,
            &[u8],
        ) -> Result<signature::EcdsaKeyPair, E>,
    ) -> Result<Self, E> {
        parse(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, der)
            .map(|k| KeyInner::Ecdsa(k, SignatureScheme::EcdsaSecp256r1Sha256))
            .or_else(|_| {
                parse(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, der)
                    .map(|k| KeyInner::Ecdsa(k, SignatureScheme::EcdsaSecp384r1Sha384))
            })
            .map(Self::from_inner)
    }

    /// The schemes this key can produce, best first. An ECDSA key is bound
    /// to its curve's scheme (RFC 8446 §4.2.3).
    pub fn schemes(&self) -> &'static [SignatureScheme] {
        match &self.inner {
            KeyInner::Ecdsa(_, SignatureScheme::EcdsaSecp256r1Sha256) => {
                &[SignatureScheme::EcdsaSecp256r1Sha256]
            }
            KeyInner::Ecdsa(..) => &[SignatureScheme::EcdsaSecp384r1Sha384],
            KeyInner::Rsa(_) => RSA_SCHEMES,
            KeyInner::Ed25519(_) => &[SignatureScheme::Ed25519],
        }
    }

    /// The first of `offered` (the peer's preference order) this key can
    /// produce.
    pub fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<SignatureScheme> {
        offered.iter().copied().find(|s| self.schemes().contains(s))
    }

    /// The public key in the form [`verify`] takes (uncompressed point,
    /// PKCS#1 RSAPublicKey, or Ed25519 bytes).
    pub fn public_key(&self) -> Vec<u8> {
        match &self.inner {
            KeyInner::Ecdsa(k, _) => k.public_key().as_ref().to_vec(),
            KeyInner::Rsa(k) => k.public_key().as_ref().to_vec(),
            KeyInner::Ed25519(k) => k.public_key().as_ref().to_vec(),
        }
    }

    /// Signs `message` with `scheme`, which must be one of [`Self::schemes`]
    /// (else [`CryptoError::SchemeKeyMismatch`]).
    ///
    /// `rng` is the provider's generator; aws-lc-rs draws the ECDSA nonce
    /// and PSS salt from its own DRBG and ignores it, so it is kept for
    /// providers that can take it.
    pub fn sign(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        _rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, CryptoError> {
        if !self.schemes().contains(&scheme) {
            return Err(CryptoError::SchemeKeyMismatch {
                scheme: scheme.to_wire(),
            });
        }
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let failed = CryptoError::Internal { what: "signing" };
        match &self.inner {
            KeyInner::Ecdsa(k, _) => k
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| failed),
            KeyInner::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
            KeyInner::Rsa(k) => {
                let encoding: &'static dyn signature::RsaEncoding = match scheme {
                    SignatureScheme::RsaPssRsaeSha256 => &signature::RSA_PSS_SHA256,
                    SignatureScheme::RsaPssRsaeSha384 => &signature::RSA_PSS_SHA384,
                    SignatureScheme::RsaPssRsaeSha512 => &signature::RSA_PSS_SHA512,
                    SignatureScheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
                    SignatureScheme::RsaPkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
                    _ => &signature::RSA_PKCS1_SHA512,
                };
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(encoding, &rng, message, &mut sig)
                    .map_err(|_| failed)?;
                Ok(sig)
            }
        }
    }
}

/// For tests: a fresh RSA key of `bits` (2048, 3072 or 4096) as PKCS#8.
pub fn generate_rsa_pkcs8(bits: usize) -> Result<Vec<u8>, CryptoError> {
    use aws_lc_rs::encoding::AsDer;
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        _ => return Err(unusable("RSA key size")),
    };
    signature::RsaKeyPair::generate(size)
        .and_then(|k| k.as_der())
        .map(|d| d.as_ref().to_vec())
        .map_err(|_| CryptoError::Internal {
            what: "RSA key generation",
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::rand::SystemRandom;

    fn p256_pkcs8() -> Vec<u8> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .unwrap()
            .as_ref()
            .to_vec()
    }

    #[test]
    fn p256_signs_and_verifies_only_its_scheme() {
        let key = SigningKey::from_pkcs8_der(&p256_pkcs8()).unwrap();
        assert_eq!(key.schemes(), [SignatureScheme::EcdsaSecp256r1Sha256]);
        let s = SignatureScheme::EcdsaSecp256r1Sha256;
        let sig = key.sign(s, b"msg", &SystemRandom).unwrap();
        let pk = key.public_key();
        verify(s, &pk, b"msg", &sig, TLS13_VERIFY_SCHEMES).unwrap();
        assert_eq!(
            verify(s, &pk, b"msh", &sig, TLS13_VERIFY_SCHEMES),
            Err(CryptoError::BadSignature)
        );
        assert!(matches!(
            key.sign(SignatureScheme::RsaPssRsaeSha256, b"msg", &SystemRandom),
            Err(CryptoError::SchemeKeyMismatch { .. })
        ));
        assert!(matches!(
            verify(
                SignatureScheme::EcdsaSecp384r1Sha384,
                &pk,
                b"msg",
                &sig,
                TLS13_VERIFY_SCHEMES
            ),
            Err(CryptoError::SchemeKeyMismatch { .. })
        ));
        assert!(matches!(
            verify(s, &pk, b"msg", &sig, &[]),
            Err(CryptoError::SchemeNotAllowed { .. })
        ));
        assert!(SigningKey::from_der(b"junk").is_err());
    }
}
