//! Reading certificates and keys from PEM, and the error for local
//! configuration that cannot be loaded (never sent to a peer: it stops
//! a configuration from being built, not a handshake).

use core::fmt;
use std::path::Path;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Why certificates, keys or roots could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The PEM text or file could not be read.
    Pem { detail: String },
    /// The input held no item of the kind wanted.
    NotFound { what: &'static str },
    /// A certificate was not one webpki accepts (as a trust anchor or an
    /// end-entity certificate).
    BadCertificate { index: usize, detail: String },
    /// The private key could not be used.
    BadKey { detail: String },
    /// The key does not belong to the chain's end-entity certificate.
    KeyMismatch,
    /// The system certificate store could not be read.
    Native { detail: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem { detail } => write!(f, "cannot read PEM: {detail}"),
            Self::NotFound { what } => write!(f, "no {what} found"),
            Self::BadCertificate { index, detail } => {
                write!(f, "certificate #{index} is unusable: {detail}")
            }
            Self::BadKey { detail } => write!(f, "private key is unusable: {detail}"),
            Self::KeyMismatch => f.write_str("private key does not match the certificate"),
            Self::Native { detail } => write!(f, "cannot read the system roots: {detail}"),
        }
    }
}

impl std::error::Error for LoadError {}

fn pem_error(e: rustls_pki_types::pem::Error) -> LoadError {
    LoadError::Pem {
        detail: e.to_string(),
    }
}

/// Every `CERTIFICATE` section of `pem`, in order; other sections are skipped.
pub fn certs_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, LoadError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error)?;
    non_empty(certs)
}

/// Every `CERTIFICATE` section of the file at `path`.
pub fn certs_from_pem_file(
    path: impl AsRef<Path>,
) -> Result<Vec<CertificateDer<'static>>, LoadError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(pem_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error)?;
    non_empty(certs)
}

fn non_empty(
    certs: Vec<CertificateDer<'static>>,
) -> Result<Vec<CertificateDer<'static>>, LoadError> {
    if certs.is_empty() {
        return Err(LoadError::NotFound {
            what: "certificate",
        });
    }
    Ok(certs)
}

/// The first private key (PKCS#8, PKCS#1 or SEC1) in `pem`.
pub fn key_from_pem(pem: &[u8]) -> Result<PrivateKeyDer<'static>, LoadError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => LoadError::NotFound {
            what: "private key",
        },
        e => pem_error(e),
    })
}

/// The first private key in the file at `path`.
pub fn key_from_pem_file(path: impl AsRef<Path>) -> Result<PrivateKeyDer<'static>, LoadError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => LoadError::NotFound {
            what: "private key",
        },
        e => pem_error(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_garbage_inputs() {
        assert_eq!(
            certs_from_pem(b"").unwrap_err(),
            LoadError::NotFound {
                what: "certificate"
            }
        );
        assert!(matches!(
            certs_from_pem(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"),
            Err(LoadError::Pem { .. })
        ));
        assert_eq!(
            key_from_pem(b"nothing here").unwrap_err(),
            LoadError::NotFound {
                what: "private key"
            }
        );
        assert!(matches!(
            certs_from_pem_file("/nonexistent/ferrotls.pem"),
            Err(LoadError::Pem { .. })
        ));
    }
}
