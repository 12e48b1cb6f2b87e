//! What a handshake signature covers, and checking a peer's signature with
//! the public key of its end-entity certificate.
//!
//! - TLS 1.3 CertificateVerify (RFC 8446 §4.4.3): 64 spaces, a context
//!   string naming the signer's role, a zero byte, the transcript hash.
//! - TLS 1.2 ServerKeyExchange (RFC 5246 §7.4.3): both randoms, then the
//!   key exchange parameters as sent.
//!
//! Signatures are checked through webpki's aws-lc-rs algorithms, which
//! read the key from the certificate's SubjectPublicKeyInfo and refuse a
//! key that does not fit the algorithm.

use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm};
use webpki::EndEntityCert;

use super::verify::from_webpki;
use crate::error::{CertificateError, CryptoError, Error};
use crate::msgs::enums::SignatureScheme;

/// Who signs a TLS 1.3 CertificateVerify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    Server,
    Client,
}

impl Signer {
    /// RFC 8446 §4.4.3: "The context string for a server signature is
    /// "TLS 1.3, server CertificateVerify". The context string for a
    /// client signature is "TLS 1.3, client CertificateVerify"."
    pub const fn context(self) -> &'static [u8] {
        match self {
            Self::Server => b"TLS 1.3, server CertificateVerify",
            Self::Client => b"TLS 1.3, client CertificateVerify",
        }
    }
}

/// The bytes a TLS 1.3 CertificateVerify signs (RFC 8446 §4.4.3):
/// octet 32 repeated 64 times, the context string, a single 0 byte, then
/// `Transcript-Hash(Handshake Context, Certificate)`.
pub fn tls13_certificate_verify_content(signer: Signer, transcript_hash: &[u8]) -> Vec<u8> {
    let context = signer.context();
    let mut out = Vec::with_capacity(64 + context.len() + 1 + transcript_hash.len());
    out.extend_from_slice(&[0x20; 64]);
    out.extend_from_slice(context);
    out.push(0x00);
    out.extend_from_slice(transcript_hash);
    out
}

/// The bytes a TLS 1.2 ServerKeyExchange signs (RFC 5246 §7.4.3):
/// `ClientHello.random + ServerHello.random + ServerDHParams` (or the
/// ECDHE `ServerECDHParams` of RFC 8422 §5.4), `params` as sent.
pub fn tls12_server_key_exchange_content(
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    params: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + params.len());
    out.extend_from_slice(client_random);
    out.extend_from_slice(server_random);
    out.extend_from_slice(params);
    out
}

/// Schemes ferrotls can verify in TLS 1.3 CertificateVerify, in order of
/// preference: what to offer in `signature_algorithms` for 1.3. No RSA
/// PKCS#1 v1.5 and no SHA-1 (RFC 8446 §4.4.3).
pub const TLS13_VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::EcdsaSecp521r1Sha512,
    SignatureScheme::Ed25519,
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
];

/// Schemes ferrotls can verify in TLS 1.2 ServerKeyExchange and
/// CertificateVerify: the 1.3 set plus RSA PKCS#1 v1.5 with SHA-2.
pub const TLS12_VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::EcdsaSecp521r1Sha512,
    SignatureScheme::Ed25519,
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

/// Proof that a handshake signature verified with the peer's certificate key.
#[derive(Debug)]
pub struct SignatureVerified(());

impl SignatureVerified {
    /// For [`super::ServerVerifier`] implementations: the proof their
    /// signature check passed. Make it only once the signature verified.
    pub fn assertion() -> Self {
        Self(())
    }
}

/// TLS 1.3: one algorithm per scheme; ECDSA binds the curve (RFC 8446
/// §4.2.3: "ecdsa_secp256r1_sha256 ... on the secp256r1 curve").
fn tls13_algorithm(scheme: SignatureScheme) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    use webpki::aws_lc_rs as alg;
    Some(match scheme {
        SignatureScheme::EcdsaSecp256r1Sha256 => alg::ECDSA_P256_SHA256,
        SignatureScheme::EcdsaSecp384r1Sha384 => alg::ECDSA_P384_SHA384,
        SignatureScheme::EcdsaSecp521r1Sha512 => alg::ECDSA_P521_SHA512,
        SignatureScheme::Ed25519 => alg::ED25519,
        SignatureScheme::RsaPssRsaeSha256 => alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        SignatureScheme::RsaPssRsaeSha384 => alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        SignatureScheme::RsaPssRsaeSha512 => alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        _ => return None,
    })
}

type Algs = &'static [&'static dyn SignatureVerificationAlgorithm];

mod tls12 {
    use super::Algs;
    use webpki::aws_lc_rs as alg;

    pub static ECDSA_SHA256: Algs = &[
        alg::ECDSA_P256_SHA256,
        alg::ECDSA_P384_SHA256,
        alg::ECDSA_P521_SHA256,
    ];
    pub static ECDSA_SHA384: Algs = &[
        alg::ECDSA_P256_SHA384,
        alg::ECDSA_P384_SHA384,
        alg::ECDSA_P521_SHA384,
    ];
    pub static ECDSA_SHA512: Algs = &[
        alg::ECDSA_P256_SHA512,
        alg::ECDSA_P384_SHA512,
        alg::ECDSA_P521_SHA512,
    ];
    pub static ED25519: Algs = &[alg::ED25519];
    pub static PSS_SHA256: Algs = &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY];
    pub static PSS_SHA384: Algs = &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY];
    pub static PSS_SHA512: Algs = &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY];
    pub static PKCS1_SHA256: Algs = &[alg::RSA_PKCS1_2048_8192_SHA256];
    pub static PKCS1_SHA384: Algs = &[alg::RSA_PKCS1_2048_8192_SHA384];
    pub static PKCS1_SHA512: Algs = &[alg::RSA_PKCS1_2048_8192_SHA512];
}

/// TLS 1.2: an ECDSA "scheme" names only the hash; the key may be on any
/// curve we support (RFC 8446 §4.2.3: "the old semantics did not constrain
/// the signing curve").
fn tls12_algorithms(scheme: SignatureScheme) -> Algs {
    match scheme {
        SignatureScheme::EcdsaSecp256r1Sha256 => tls12::ECDSA_SHA256,
        SignatureScheme::EcdsaSecp384r1Sha384 => tls12::ECDSA_SHA384,
        SignatureScheme::EcdsaSecp521r1Sha512 => tls12::ECDSA_SHA512,
        SignatureScheme::Ed25519 => tls12::ED25519,
        SignatureScheme::RsaPssRsaeSha256 => tls12::PSS_SHA256,
        SignatureScheme::RsaPssRsaeSha384 => tls12::PSS_SHA384,
        SignatureScheme::RsaPssRsaeSha512 => tls12::PSS_SHA512,
        SignatureScheme::RsaPkcs1Sha256 => tls12::PKCS1_SHA256,
        SignatureScheme::RsaPkcs1Sha384 => tls12::PKCS1_SHA384,
        SignatureScheme::RsaPkcs1Sha512 => tls12::PKCS1_SHA512,
        _ => &[],
    }
}

/// Verifies a TLS 1.3 CertificateVerify signature over `content`
/// (from [`tls13_certificate_verify_content`]) with the key of
/// `end_entity`, the first certificate of the peer's Certificate message.
///
/// `offered` is the `signature_algorithms` list we sent (in ClientHello,
/// or in CertificateRequest when verifying a client).
///
/// Errors: a scheme not offered, or one RFC 8446 §4.4.3 forbids
/// (RSASSA-PKCS1-v1_5, SHA-1), is `illegal_parameter` (a field
/// inconsistent with what was negotiated, RFC 8446 §6.2); a scheme that
/// does not fit the certificate's key is `illegal_parameter` (§4.4.3: "MUST
/// be compatible with the key"); a signature that does not verify is
/// `decrypt_error` (§4.4.3: "MUST terminate the handshake with a
/// \"decrypt_error\" alert").
pub fn verify_tls13_signature(
    end_entity: &CertificateDer<'_>,
    scheme: SignatureScheme,
    offered: &[SignatureScheme],
    content: &[u8],
    signature: &[u8],
) -> Result<SignatureVerified, Error> {
    let not_offered = CertificateError::SignatureSchemeNotOffered {
        scheme: scheme.to_wire(),
    };
    // RFC 8446 §4.4.3: the scheme must be one we offered; "RSA signatures
    // MUST use an RSASSA-PSS algorithm"; "The SHA-1 algorithm MUST NOT be
    // used in any signatures of CertificateVerify messages."
    if !offered.contains(&scheme) {
        return Err(not_offered.into());
    }
    let alg = tls13_algorithm(scheme).ok_or(not_offered)?;
    verify_with(end_entity, scheme, &[alg], content, signature)
}

/// Verifies a TLS 1.2 signature (ServerKeyExchange over
/// [`tls12_server_key_exchange_content`], or a client's CertificateVerify
/// over the handshake messages) with the key of `end_entity`.
///
/// RFC 5246 §7.4.1.4.1 / §7.4.8: the scheme must be one of those we
/// offered (`illegal_parameter` otherwise); SHA-1 schemes are never
/// accepted, even if offered. A bad signature is `decrypt_error`
/// (RFC 5246 §7.2.2: "a handshake cryptographic operation failed,
/// including being unable to correctly verify a signature").
pub fn verify_tls12_signature(
    end_entity: &CertificateDer<'_>,
    scheme: SignatureScheme,
    offered: &[SignatureScheme],
    content: &[u8],
    signature: &[u8],
) -> Result<SignatureVerified, Error> {
    let not_offered = CertificateError::SignatureSchemeNotOffered {
        scheme: scheme.to_wire(),
    };
    let algs = tls12_algorithms(scheme);
    if !offered.contains(&scheme) || algs.is_empty() {
        return Err(not_offered.into());
    }
    verify_with(end_entity, scheme, algs, content, signature)
}

/// Tries each algorithm the scheme may stand for; the first one that fits
/// the key decides.
fn verify_with(
    end_entity: &CertificateDer<'_>,
    scheme: SignatureScheme,
    algs: &[&dyn SignatureVerificationAlgorithm],
    content: &[u8],
    signature: &[u8],
) -> Result<SignatureVerified, Error> {
    let cert = EndEntityCert::try_from(end_entity).map_err(from_webpki)?;
    for alg in algs {
        match cert.verify_signature(*alg, content, signature) {
            Ok(()) => return Ok(SignatureVerified(())),
            Err(webpki::Error::InvalidSignatureForPublicKey) => {
                return Err(CryptoError::BadSignature.into())
            }
            // The key is of another type or curve: try the next reading.
            Err(_) => continue,
        }
    }
    Err(CertificateError::SchemeKeyMismatch {
        scheme: scheme.to_wire(),
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::test_pki::{Leaf, TestCa};
    use crate::msgs::enums::AlertDescription;
    use rcgen::SigningKey;

    #[test]
    fn rfc8446_example_layout() {
        // RFC 8446 §4.4.3: the example with a transcript hash of 32 bytes of 01.
        let content = tls13_certificate_verify_content(Signer::Server, &[0x01; 32]);
        let want = concat!(
            "2020202020202020202020202020202020202020202020202020202020202020",
            "2020202020202020202020202020202020202020202020202020202020202020",
            "544c5320312e332c207365727665722043657274696669636174655665726966",
            "79",
            "00",
            "0101010101010101010101010101010101010101010101010101010101010101",
        );
        assert_eq!(hex::encode(content), want);
        let client = tls13_certificate_verify_content(Signer::Client, &[0x01; 32]);
        assert_eq!(&client[64..97], b"TLS 1.3, client CertificateVerify");
    }

    #[test]
    fn tls12_content_is_randoms_then_params() {
        let c = tls12_server_key_exchange_content(&[1; 32], &[2; 32], &[3, 0, 23]);
        assert_eq!(c.len(), 67);
        assert_eq!(&c[..32], &[1; 32]);
        assert_eq!(&c[32..64], &[2; 32]);
        assert_eq!(&c[64..], &[3, 0, 23]);
    }

    fn check(r: Result<SignatureVerified, Error>, want: AlertDescription) {
        let e = r.unwrap_err();
        assert_eq!(e.alert(), Some(want), "{e}");
    }

    #[test]
    fn ecdsa_signatures_in_both_versions() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let leaf = ca.issue(&Leaf::server("example.test"));
        let ee = &leaf.chain[0];
        let content = tls13_certificate_verify_content(Signer::Server, &[7; 32]);
        let sig = leaf.key.sign(&content).unwrap();
        let p256 = SignatureScheme::EcdsaSecp256r1Sha256;

        verify_tls13_signature(ee, p256, TLS13_VERIFY_SCHEMES, &content, &sig).unwrap();
        verify_tls12_signature(ee, p256, TLS12_VERIFY_SCHEMES, &content, &sig).unwrap();

        // A flipped bit in the content or the signature: decrypt_error.
        let mut bad = content.clone();
        bad[100] ^= 1;
        check(
            verify_tls13_signature(ee, p256, TLS13_VERIFY_SCHEMES, &bad, &sig),
            AlertDescription::DecryptError,
        );
        let mut bad_sig = sig.clone();
        let last = bad_sig.len() - 1;
        bad_sig[last] ^= 1;
        check(
            verify_tls13_signature(ee, p256, TLS13_VERIFY_SCHEMES, &content, &bad_sig),
            AlertDescription::DecryptError,
        );

        // Not offered: illegal_parameter.
        check(
            verify_tls13_signature(ee, p256, &[SignatureScheme::Ed25519], &content, &sig),
            AlertDescription::IllegalParameter,
        );
        // A P-256 key under the P-384 scheme: in 1.3 the curve is bound to
        // the scheme, so the key does not fit.
        check(
            verify_tls13_signature(
                ee,
                SignatureScheme::EcdsaSecp384r1Sha384,
                TLS13_VERIFY_SCHEMES,
                &content,
                &sig,
            ),
            AlertDescription::IllegalParameter,
        );
        // Wrong key type for the scheme.
        check(
            verify_tls13_signature(
                ee,
                SignatureScheme::RsaPssRsaeSha256,
                TLS13_VERIFY_SCHEMES,
                &content,
                &sig,
            ),
            AlertDescription::IllegalParameter,
        );
        // SHA-1 is refused even when offered, in both versions.
        let with_sha1 = [SignatureScheme::EcdsaSha1, p256];
        for r in [
            verify_tls13_signature(ee, SignatureScheme::EcdsaSha1, &with_sha1, &content, &sig),
            verify_tls12_signature(ee, SignatureScheme::EcdsaSha1, &with_sha1, &content, &sig),
        ] {
            check(r, AlertDescription::IllegalParameter);
        }
    }

    #[test]
    fn rsa_pkcs1_only_in_tls12() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let leaf = ca.issue(&Leaf::server("example.test").with_key(&rcgen::PKCS_RSA_SHA256));
        let ee = &leaf.chain[0];
        let content = tls12_server_key_exchange_content(&[1; 32], &[2; 32], b"params");
        // rcgen's RSA key signs RSASSA-PKCS1-v1_5 with SHA-256.
        let sig = leaf.key.sign(&content).unwrap();
        let pkcs1 = SignatureScheme::RsaPkcs1Sha256;
        verify_tls12_signature(ee, pkcs1, TLS12_VERIFY_SCHEMES, &content, &sig).unwrap();
        // RFC 8446 §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm,
        // regardless of whether RSASSA-PKCS1-v1_5 algorithms appear".
        check(
            verify_tls13_signature(ee, pkcs1, TLS12_VERIFY_SCHEMES, &content, &sig),
            AlertDescription::IllegalParameter,
        );
        // A PKCS#1 signature presented as PSS does not verify.
        check(
            verify_tls12_signature(
                ee,
                SignatureScheme::RsaPssRsaeSha256,
                TLS12_VERIFY_SCHEMES,
                &content,
                &sig,
            ),
            AlertDescription::DecryptError,
        );
    }

    #[test]
    fn ed25519_signatures() {
        let ca = TestCa::new(&rcgen::PKCS_ED25519);
        let leaf = ca.issue(&Leaf::client("alice").with_key(&rcgen::PKCS_ED25519));
        let content = tls13_certificate_verify_content(Signer::Client, &[9; 48]);
        let sig = leaf.key.sign(&content).unwrap();
        let ed = SignatureScheme::Ed25519;
        verify_tls13_signature(&leaf.chain[0], ed, &[ed], &content, &sig).unwrap();
        check(
            verify_tls13_signature(
                &leaf.chain[0],
                SignatureScheme::EcdsaSecp256r1Sha256,
                TLS13_VERIFY_SCHEMES,
                &content,
                &sig,
            ),
            AlertDescription::IllegalParameter,
        );
    }

    #[test]
    fn garbage_certificate() {
        let junk = CertificateDer::from(vec![1, 2, 3]);
        check(
            verify_tls13_signature(
                &junk,
                SignatureScheme::Ed25519,
                TLS13_VERIFY_SCHEMES,
                b"x",
                b"y",
            ),
            AlertDescription::BadCertificate,
        );
    }
}
