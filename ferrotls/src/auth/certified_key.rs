//! A certificate chain and the private key of its end-entity certificate:
//! what a server (or an authenticating client) presents.

use core::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;

use super::pem::{certs_from_pem, certs_from_pem_file, LoadError};
use super::signed_content::{verify_tls12_signature, verify_tls13_signature};
use super::x509::{cert_fields, CertFields};
use crate::crypto::rand::{SecureRandom, SystemRandom};
use crate::error::CryptoError;
use crate::msgs::enums::SignatureScheme;

/// What certificate selection and the handshake need from a private key.
///
/// The provider's keys (`crypto::sign`) implement it; tests and external
/// signers (an HSM, a remote key) may too.
pub trait SigningKey: Send + Sync {
    /// The schemes this key can sign with, most preferred first. An ECDSA
    /// key lists only the scheme of its own curve (RFC 8446 §4.2.3).
    fn schemes(&self) -> &[SignatureScheme];

    /// Signs `message` with `scheme`, one of [`Self::schemes`].
    fn sign(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, CryptoError>;
}

impl SigningKey for crate::crypto::sign::SigningKey {
    fn schemes(&self) -> &[SignatureScheme] {
        crate::crypto::sign::SigningKey::schemes(self)
    }

    fn sign(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, CryptoError> {
        crate::crypto::sign::SigningKey::sign(self, scheme, message, rng)
    }
}

/// Loads a private key (PKCS#8, SEC 1 or PKCS#1) with the provider.
pub fn provider_key(
    der: &rustls_pki_types::PrivateKeyDer<'_>,
) -> Result<Arc<dyn SigningKey>, LoadError> {
    let key = crate::crypto::sign::SigningKey::from_der(der.secret_der()).map_err(|e| {
        LoadError::BadKey {
            detail: e.to_string(),
        }
    })?;
    Ok(Arc::new(key))
}

/// A chain (end-entity first, then intermediates in issuing order) and the
/// end-entity certificate's key.
#[derive(Clone)]
pub struct CertifiedKey {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<dyn SigningKey>,
    /// `dNSName` entries of the end-entity certificate, lower-cased (for SNI).
    dns_names: Vec<String>,
}

impl fmt::Debug for CertifiedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertifiedKey")
            .field("certificates", &self.chain.len())
            .field("dns_names", &self.dns_names)
            .field("schemes", &self.key.schemes())
            .finish()
    }
}

/// The message signed to check that a key belongs to its certificate.
const KEY_CHECK: &[u8] = b"ferrotls: does this key belong to this certificate?";

impl CertifiedKey {
    /// Pairs `chain` with `key`, checking that the end-entity certificate
    /// parses and that `key` signs for its public key.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: Arc<dyn SigningKey>,
    ) -> Result<Self, LoadError> {
        let this = Self::new_unchecked(chain, key)?;
        if let Some(index) = this.chain.iter().position(|c| cert_fields(c).is_none()) {
            return Err(LoadError::BadCertificate {
                index,
                detail: "not an X.509 certificate".into(),
            });
        }
        this.check_key()?;
        Ok(this)
    }

    /// Like [`Self::new`] but without checking that `key` signs for the
    /// certificate: for a key ferrotls cannot verify itself, e.g. an
    /// external signer whose key type or size the provider refuses (such
    /// as the 1024-bit RSA key of the RFC 8448 traces). A mismatched pair
    /// only shows when peers refuse our CertificateVerify.
    pub fn new_unchecked(
        chain: Vec<CertificateDer<'static>>,
        key: Arc<dyn SigningKey>,
    ) -> Result<Self, LoadError> {
        let end_entity = chain.first().ok_or(LoadError::NotFound {
            what: "certificate",
        })?;
        let parsed =
            webpki::EndEntityCert::try_from(end_entity).map_err(|e| LoadError::BadCertificate {
                index: 0,
                detail: format!("{e:?}"),
            })?;
        let dns_names = parsed
            .valid_dns_names()
            .map(|n| n.to_ascii_lowercase())
            .collect();
        Ok(Self {
            chain,
            key,
            dns_names,
        })
    }

    /// Loads the chain and the key (PKCS#8, SEC 1 or PKCS#1) from PEM,
    /// the key through the provider (`crypto::sign`).
    pub fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, LoadError> {
        Self::from_pem_with(chain_pem, key_pem, provider_key)
    }

    /// As [`Self::from_pem`], from files.
    pub fn from_pem_files(
        chain_path: impl AsRef<Path>,
        key_path: impl AsRef<Path>,
    ) -> Result<Self, LoadError> {
        Self::from_pem_files_with(chain_path, key_path, provider_key)
    }

    /// Loads the chain from PEM and turns the key's PEM into a signing key
    /// with `load_key` (for keys the provider does not hold).
    pub fn from_pem_with(
        chain_pem: &[u8],
        key_pem: &[u8],
        load_key: impl FnOnce(
            &rustls_pki_types::PrivateKeyDer<'_>,
        ) -> Result<Arc<dyn SigningKey>, LoadError>,
    ) -> Result<Self, LoadError> {
        let chain = certs_from_pem(chain_pem)?;
        let key = load_key(&super::pem::key_from_pem(key_pem)?)?;
        Self::new(chain, key)
    }

    /// As [`Self::from_pem_with`], from files.
    pub fn from_pem_files_with(
        chain_path: impl AsRef<Path>,
        key_path: impl AsRef<Path>,
        load_key: impl FnOnce(
            &rustls_pki_types::PrivateKeyDer<'_>,
        ) -> Result<Arc<dyn SigningKey>, LoadError>,
    ) -> Result<Self, LoadError> {
        let chain = certs_from_pem_file(chain_path)?;
        let key = load_key(&super::pem::key_from_pem_file(key_path)?)?;
        Self::new(chain, key)
    }

    /// Signs a test message with the key's first scheme and verifies it
    /// with the certificate, so a mismatched pair fails at load time
    /// rather than in every handshake.
    fn check_key(&self) -> Result<(), LoadError> {
        let end_entity = self.end_entity().ok_or(LoadError::NotFound {
            what: "certificate",
        })?;
        let schemes = self.key.schemes();
        let scheme = *schemes.first().ok_or(LoadError::BadKey {
            detail: "the key supports no signature scheme".into(),
        })?;
        let sig = self
            .key
            .sign(scheme, KEY_CHECK, &SystemRandom)
            .map_err(|e| LoadError::BadKey {
                detail: e.to_string(),
            })?;
        let tls13 = verify_tls13_signature(end_entity, scheme, schemes, KEY_CHECK, &sig);
        let tls12 = || verify_tls12_signature(end_entity, scheme, schemes, KEY_CHECK, &sig);
        match tls13.is_ok() || tls12().is_ok() {
            true => Ok(()),
            false => Err(LoadError::KeyMismatch),
        }
    }

    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    pub fn end_entity(&self) -> Option<&CertificateDer<'static>> {
        self.chain.first()
    }

    pub fn key(&self) -> &dyn SigningKey {
        self.key.as_ref()
    }

    /// The end-entity certificate's `dNSName` entries, lower-cased; a
    /// wildcard entry keeps its leading `*.`.
    pub fn dns_names(&self) -> &[String] {
        &self.dns_names
    }

    /// The outer fields of each certificate of the chain.
    pub(crate) fn fields(&self) -> impl Iterator<Item = CertFields<'_>> {
        self.chain.iter().filter_map(|c| cert_fields(c))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::auth::test_pki::{Leaf, TestCa};

    /// A test signer over an rcgen key: it signs with the one scheme its
    /// algorithm fixes.
    pub struct RcgenKey {
        key: rcgen::KeyPair,
        schemes: Vec<SignatureScheme>,
    }

    impl RcgenKey {
        pub fn shared(key: rcgen::KeyPair) -> Arc<dyn SigningKey> {
            let alg = key.algorithm();
            let scheme = if alg == &rcgen::PKCS_ECDSA_P256_SHA256 {
                SignatureScheme::EcdsaSecp256r1Sha256
            } else if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
                SignatureScheme::EcdsaSecp384r1Sha384
            } else if alg == &rcgen::PKCS_ED25519 {
                SignatureScheme::Ed25519
            } else if alg == &rcgen::PKCS_RSA_SHA256 {
                SignatureScheme::RsaPkcs1Sha256
            } else {
                unreachable!("no test scheme for {alg:?}")
            };
            Arc::new(Self {
                key,
                schemes: vec![scheme],
            })
        }
    }

    impl SigningKey for RcgenKey {
        fn schemes(&self) -> &[SignatureScheme] {
            &self.schemes
        }

        fn sign(
            &self,
            scheme: SignatureScheme,
            message: &[u8],
            _rng: &dyn SecureRandom,
        ) -> Result<Vec<u8>, CryptoError> {
            assert!(self.schemes.contains(&scheme));
            Ok(rcgen::SigningKey::sign(&self.key, message).unwrap())
        }
    }

    pub fn certified(ca: &TestCa, leaf: Leaf) -> Arc<CertifiedKey> {
        let issued = ca.issue(&leaf);
        Arc::new(CertifiedKey::new(issued.chain, RcgenKey::shared(issued.key)).unwrap())
    }

    #[test]
    fn pairs_from_pem_and_mismatches() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let a = ca.issue(&Leaf::server("a.example.test"));
        let b = ca.issue(&Leaf::server("*.b.example.test"));

        let key_pem = a.key.serialize_pem();
        let ck = CertifiedKey::from_pem_with(a.chain_pem.as_bytes(), key_pem.as_bytes(), |der| {
            let pkcs8 = der.secret_der().to_vec();
            let kp = rcgen::KeyPair::try_from(pkcs8.as_slice()).unwrap();
            Ok(RcgenKey::shared(kp))
        })
        .unwrap();
        assert_eq!(ck.chain().len(), 2);
        assert_eq!(ck.dns_names(), ["a.example.test"]);
        // The same files through the provider's key loader.
        let ck = CertifiedKey::from_pem(a.chain_pem.as_bytes(), key_pem.as_bytes()).unwrap();
        assert_eq!(ck.key().schemes(), [SignatureScheme::EcdsaSecp256r1Sha256]);
        let wrong_key = b.key.serialize_pem();
        assert_eq!(
            CertifiedKey::from_pem(a.chain_pem.as_bytes(), wrong_key.as_bytes()).unwrap_err(),
            LoadError::KeyMismatch
        );

        // b's key with a's chain: refused when built, unless unchecked.
        let b_key = RcgenKey::shared(b.key);
        let err = CertifiedKey::new(a.chain.clone(), Arc::clone(&b_key)).unwrap_err();
        assert_eq!(err, LoadError::KeyMismatch);
        let unchecked = CertifiedKey::new_unchecked(a.chain.clone(), b_key).unwrap();
        assert_eq!(unchecked.dns_names(), ["a.example.test"]);
        assert!(matches!(
            CertifiedKey::new_unchecked(
                vec![],
                RcgenKey::shared(rcgen::KeyPair::generate().unwrap())
            ),
            Err(LoadError::NotFound { .. })
        ));
        assert!(matches!(
            CertifiedKey::new(vec![], RcgenKey::shared(a.key)),
            Err(LoadError::NotFound { .. })
        ));
        assert_eq!(
            certified(&ca, Leaf::server("*.b.example.test")).dns_names(),
            ["*.b.example.test"]
        );
    }
}
