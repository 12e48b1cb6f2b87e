//! The client's view of server authentication as a trait, so an
//! application can replace how a server's chain and handshake signature
//! are checked (certificate pinning, a private PKI, a test trace whose key
//! is too small for the default policy). [`ServerCertVerifier`] (webpki
//! path validation) is the implementation every default configuration
//! uses.

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::signed_content::{verify_tls13_signature, SignatureVerified};
use super::verify::{ServerCertVerified, ServerCertVerifier};
use crate::error::Error;
use crate::msgs::enums::SignatureScheme;

/// Checks a server's identity for a client.
///
/// Both methods return proof tokens that the client's handshake states
/// must hold before application data flows; an implementation makes them
/// with [`ServerCertVerified::assertion`] and
/// [`SignatureVerified::assertion`] once its own checks passed.
pub trait ServerVerifier: Send + Sync + core::fmt::Debug {
    /// Checks `chain` (end-entity first, then what the server sent after
    /// it) for `server_name` as of `now` (RFC 8446 §4.4.2.4: a chain that
    /// does not verify ends the handshake with the matching alert).
    fn verify_chain(
        &self,
        chain: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error>;

    /// Checks the server's TLS 1.3 CertificateVerify (RFC 8446 §4.4.3):
    /// `signature` by the key of `end_entity` over `content` with
    /// `scheme`, which must be one of `offered`. The default is
    /// [`verify_tls13_signature`] (aws-lc-rs through webpki).
    fn verify_tls13_signature(
        &self,
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        offered: &[SignatureScheme],
        content: &[u8],
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        verify_tls13_signature(end_entity, scheme, offered, content, signature)
    }
}

impl ServerVerifier for ServerCertVerifier {
    fn verify_chain(
        &self,
        chain: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(self.verify_at(chain, server_name, now)?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::auth::test_pki::{at, Leaf, TestCa};
    use crate::msgs::enums::AlertDescription;

    #[test]
    fn webpki_verifier_through_the_trait() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let chain = ca.issue(&Leaf::server("example.test")).chain;
        let v: Arc<dyn ServerVerifier> = Arc::new(ServerCertVerifier::new(Arc::new(ca.roots())));
        let name = ServerName::try_from("example.test").unwrap();
        v.verify_chain(&chain, &name, at(2030)).unwrap();
        let other = ServerName::try_from("other.test").unwrap();
        let e = v.verify_chain(&chain, &other, at(2030)).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::BadCertificate));
        // The default signature check refuses a scheme that was not offered.
        let e = v
            .verify_tls13_signature(
                &chain[0],
                SignatureScheme::EcdsaSecp256r1Sha256,
                &[SignatureScheme::Ed25519],
                b"content",
                b"sig",
            )
            .unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter));
    }
}
