//! Trust anchors: the roots a peer's chain must lead to.
//!
//! Three sources, selectable through [`RootSource`]: PEM (bytes or a file),
//! Mozilla's set as shipped by webpki-roots, and the operating system's
//! store read by rustls-native-certs. Certificates are converted to webpki
//! `TrustAnchor`s once, when the store is built.

use std::path::PathBuf;

use rustls_pki_types::{CertificateDer, TrustAnchor};

use super::pem::{certs_from_pem, certs_from_pem_file, LoadError};
use super::x509::wrap_name;
use crate::codec::Bytes;

/// Where a [`RootStore`] comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RootSource {
    /// PEM text holding one or more `CERTIFICATE` sections.
    Pem(Vec<u8>),
    /// A PEM file.
    PemFile(PathBuf),
    /// Mozilla's root program, compiled in (webpki-roots).
    Mozilla,
    /// The operating system's store (rustls-native-certs).
    Native,
}

/// A set of trust anchors.
#[derive(Clone, Debug, Default)]
pub struct RootStore {
    anchors: Vec<TrustAnchor<'static>>,
}

/// What loading the system store skipped: certificates that did not parse
/// and stores that could not be read. Loading still succeeds if at least
/// one root was found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NativeSkipped {
    pub unparsable: usize,
    pub read_errors: Vec<String>,
}

impl RootStore {
    /// A store that trusts nothing.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Builds a store from `source`. PEM sources must hold at least one
    /// certificate, and every certificate must parse; the native store
    /// skips what does not parse (system stores often hold oddities).
    pub fn load(source: &RootSource) -> Result<Self, LoadError> {
        match source {
            RootSource::Pem(pem) => Self::from_pem(pem),
            RootSource::PemFile(path) => {
                let mut store = Self::empty();
                store.add_all(&certs_from_pem_file(path)?)?;
                Ok(store)
            }
            RootSource::Mozilla => Ok(Self::mozilla()),
            RootSource::Native => Self::native().map(|(store, _)| store),
        }
    }

    /// Every certificate in `pem`.
    pub fn from_pem(pem: &[u8]) -> Result<Self, LoadError> {
        let mut store = Self::empty();
        store.add_all(&certs_from_pem(pem)?)?;
        Ok(store)
    }

    /// Mozilla's roots (webpki-roots).
    pub fn mozilla() -> Self {
        Self {
            anchors: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }
    }

    /// The system's roots, and what was skipped on the way. Fails only if
    /// no root at all could be loaded.
    pub fn native() -> Result<(Self, NativeSkipped), LoadError> {
        let found = rustls_native_certs::load_native_certs();
        let mut store = Self::empty();
        let mut skipped = NativeSkipped {
            unparsable: 0,
            read_errors: found.errors.iter().map(|e| e.to_string()).collect(),
        };
        for cert in &found.certs {
            if store.add(cert).is_err() {
                skipped.unparsable += 1;
            }
        }
        if store.is_empty() {
            return Err(LoadError::Native {
                detail: skipped
                    .read_errors
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "no certificates found".into()),
            });
        }
        Ok((store, skipped))
    }

    /// Adds one root certificate.
    pub fn add(&mut self, cert: &CertificateDer<'_>) -> Result<(), LoadError> {
        let anchor =
            webpki::anchor_from_trusted_cert(cert).map_err(|e| LoadError::BadCertificate {
                index: self.anchors.len(),
                detail: format!("{e:?}"),
            })?;
        self.anchors.push(anchor.to_owned());
        Ok(())
    }

    /// Adds every certificate of `certs`; stops at the first that does not parse.
    pub fn add_all(&mut self, certs: &[CertificateDer<'_>]) -> Result<(), LoadError> {
        for (index, cert) in certs.iter().enumerate() {
            self.add(cert).map_err(|e| match e {
                LoadError::BadCertificate { detail, .. } => {
                    LoadError::BadCertificate { index, detail }
                }
                e => e,
            })?;
        }
        Ok(())
    }

    /// Adds the anchors of another store.
    pub fn extend(&mut self, other: &RootStore) {
        self.anchors.extend(other.anchors.iter().cloned());
    }

    pub fn anchors(&self) -> &[TrustAnchor<'static>] {
        &self.anchors
    }

    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The roots' subject names as `DistinguishedName`s, for a server's
    /// CertificateRequest `certificate_authorities` (RFC 8446 §4.2.4:
    /// "the distinguished names of acceptable certificate authorities,
    /// represented in DER-encoded format").
    pub fn subjects(&self) -> Vec<Bytes> {
        self.anchors
            .iter()
            .map(|a| Bytes(wrap_name(a.subject.as_ref())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::x509::cert_fields;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

    fn ca_pem(name: &str) -> (String, Vec<u8>) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::default();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), cert.der().to_vec())
    }

    #[test]
    fn pem_bytes_and_files() {
        let (a, a_der) = ca_pem("root A");
        let (b, _) = ca_pem("root B");
        let both = format!("{a}\n{b}");
        let store = RootStore::load(&RootSource::Pem(both.clone().into_bytes())).unwrap();
        assert_eq!(store.len(), 2);

        // The DistinguishedName sent in certificate_authorities is the
        // certificate's subject Name exactly as encoded.
        let subject = cert_fields(&a_der).unwrap().subject.to_vec();
        assert_eq!(store.subjects()[0].0, subject);

        let path = std::env::temp_dir().join(format!("ferrotls-roots-{}.pem", std::process::id()));
        std::fs::write(&path, both).unwrap();
        let from_file = RootStore::load(&RootSource::PemFile(path.clone())).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(from_file.anchors(), store.anchors());
    }

    #[test]
    fn bad_pem_sources() {
        assert!(matches!(
            RootStore::from_pem(b""),
            Err(LoadError::NotFound { .. })
        ));
        // A well-formed PEM section whose contents are not a certificate.
        let junk = "-----BEGIN CERTIFICATE-----\nAAECAwQ=\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            RootStore::from_pem(junk.as_bytes()),
            Err(LoadError::BadCertificate { index: 0, .. })
        ));
    }

    #[test]
    fn mozilla_and_native() {
        let mozilla = RootStore::load(&RootSource::Mozilla).unwrap();
        assert!(mozilla.len() > 100);
        // The system store may be absent in a minimal container: either a
        // non-empty store or a typed error, never a panic.
        match RootStore::native() {
            Ok((store, _)) => assert!(!store.is_empty()),
            Err(e) => assert!(matches!(e, LoadError::Native { .. })),
        }
    }
}
