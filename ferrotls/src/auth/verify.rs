//! Verifying the peer's certificate chain with webpki: path validation to
//! a trusted root at a given time, extended key usage, optional revocation
//! lists, and (for servers) the name the client asked for.
//!
//! Each webpki error becomes a [`CertificateError`], which knows its alert
//! (RFC 8446 §6.2, RFC 5246 §7.2.2).

use std::sync::Arc;

use rustls_pki_types::{
    CertificateDer, CertificateRevocationListDer, ServerName, SignatureVerificationAlgorithm,
    UnixTime,
};
use webpki::{EndEntityCert, KeyUsage};

use super::pem::LoadError;
use super::roots::RootStore;
use crate::codec::Bytes;
use crate::error::CertificateError;

/// Signature algorithms accepted on certificates in a chain. None uses
/// SHA-1 or MD5 (RFC 8446 §4.4.2.4: a certificate needing MD5 MUST be
/// refused, SHA-1 is RECOMMENDED to be refused; roots are not checked).
pub static CHAIN_SIGNATURE_ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::aws_lc_rs::ECDSA_P256_SHA256,
    webpki::aws_lc_rs::ECDSA_P256_SHA384,
    webpki::aws_lc_rs::ECDSA_P384_SHA256,
    webpki::aws_lc_rs::ECDSA_P384_SHA384,
    webpki::aws_lc_rs::ECDSA_P521_SHA256,
    webpki::aws_lc_rs::ECDSA_P521_SHA384,
    webpki::aws_lc_rs::ECDSA_P521_SHA512,
    webpki::aws_lc_rs::ED25519,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA384,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA512,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

/// Proof that a server's chain was verified for the name asked for; only
/// [`ServerCertVerifier`] makes one, so a state holding it cannot have
/// skipped the check.
#[derive(Debug)]
pub struct ServerCertVerified(());

impl ServerCertVerified {
    /// For [`super::ServerVerifier`] implementations: the proof their
    /// chain check passed. Make it only once the chain and name verified.
    pub fn assertion() -> Self {
        Self(())
    }
}

/// Proof that a client's chain was verified.
#[derive(Debug)]
pub struct ClientCertVerified(());

/// What client authentication established.
#[derive(Debug)]
pub enum ClientIdentity {
    /// The client sent a chain that verified.
    Verified(ClientCertVerified),
    /// The client sent no certificate and the server allows that.
    Anonymous,
}

/// Roots, revocation lists and the algorithm list that both verifiers share.
#[derive(Clone)]
struct ChainPolicy {
    roots: Arc<RootStore>,
    crls: Arc<Vec<webpki::CertRevocationList<'static>>>,
}

impl ChainPolicy {
    fn new(roots: Arc<RootStore>) -> Self {
        Self {
            roots,
            crls: Arc::new(Vec::new()),
        }
    }

    fn with_crls(mut self, crls: &[CertificateRevocationListDer<'_>]) -> Result<Self, LoadError> {
        let mut parsed = Vec::with_capacity(crls.len());
        for (index, crl) in crls.iter().enumerate() {
            let owned = webpki::OwnedCertRevocationList::from_der(crl.as_ref()).map_err(|e| {
                LoadError::BadCertificate {
                    index,
                    detail: format!("revocation list: {e:?}"),
                }
            })?;
            parsed.push(webpki::CertRevocationList::from(owned));
        }
        self.crls = Arc::new(parsed);
        Ok(self)
    }

    /// Path validation (RFC 5280 §6) of `chain` (end-entity first, then
    /// the intermediates the peer sent, in any order) for `usage` at `now`.
    fn verify<'c>(
        &self,
        chain: &'c [CertificateDer<'c>],
        usage: KeyUsage,
        now: UnixTime,
    ) -> Result<EndEntityCert<'c>, CertificateError> {
        let (end_entity, intermediates) =
            chain
                .split_first()
                .ok_or_else(|| CertificateError::BadCertificate {
                    detail: "empty certificate chain".into(),
                })?;
        let cert = EndEntityCert::try_from(end_entity).map_err(from_webpki)?;
        let crl_refs: Vec<&webpki::CertRevocationList<'_>> = self.crls.iter().collect();
        // Revocation is checked for the whole chain when lists are given;
        // a certificate no list covers is accepted (its status is unknown,
        // not revoked), and a list past its nextUpdate is still used.
        let revocation = webpki::RevocationOptionsBuilder::new(&crl_refs)
            .ok()
            .map(|b| {
                b.with_depth(webpki::RevocationCheckDepth::Chain)
                    .with_status_policy(webpki::UnknownStatusPolicy::Allow)
                    .with_expiration_policy(webpki::ExpirationPolicy::Ignore)
                    .build()
            });
        cert.verify_for_usage(
            CHAIN_SIGNATURE_ALGORITHMS,
            self.roots.anchors(),
            intermediates,
            now,
            usage,
            revocation,
            None,
        )
        .map_err(from_webpki)?;
        Ok(cert)
    }
}

/// Verifies a server's chain and name (client side).
#[derive(Clone)]
pub struct ServerCertVerifier {
    policy: ChainPolicy,
}

impl core::fmt::Debug for ServerCertVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ServerCertVerifier")
    }
}

impl core::fmt::Debug for ClientCertVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientCertVerifier")
            .field("anonymous_allowed", &self.anonymous_allowed)
            .finish_non_exhaustive()
    }
}

impl ServerCertVerifier {
    pub fn new(roots: Arc<RootStore>) -> Self {
        Self {
            policy: ChainPolicy::new(roots),
        }
    }

    /// Also refuses certificates these revocation lists name.
    pub fn with_crls(self, crls: &[CertificateRevocationListDer<'_>]) -> Result<Self, LoadError> {
        Ok(Self {
            policy: self.policy.with_crls(crls)?,
        })
    }

    /// Verifies `chain` (end-entity first) at the current time.
    pub fn verify(
        &self,
        chain: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
    ) -> Result<ServerCertVerified, CertificateError> {
        self.verify_at(chain, server_name, UnixTime::now())
    }

    /// Verifies `chain` for `server_name` (a DNS name, matched against the
    /// subjectAltName dNSName entries with wildcards, or an IP address,
    /// matched against iPAddress entries only) as of `now`.
    pub fn verify_at(
        &self,
        chain: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<ServerCertVerified, CertificateError> {
        let cert = self.policy.verify(chain, KeyUsage::server_auth(), now)?;
        cert.verify_is_valid_for_subject_name(server_name)
            .map_err(from_webpki)?;
        Ok(ServerCertVerified(()))
    }
}

/// Verifies a client's chain (server side).
#[derive(Clone)]
pub struct ClientCertVerifier {
    policy: ChainPolicy,
    anonymous_allowed: bool,
}

impl ClientCertVerifier {
    /// A verifier that requires a client certificate.
    pub fn new(roots: Arc<RootStore>) -> Self {
        Self {
            policy: ChainPolicy::new(roots),
            anonymous_allowed: false,
        }
    }

    /// Lets clients that send no certificate continue unauthenticated
    /// (RFC 8446 §4.4.2.4: the server "MAY at its discretion either
    /// continue the handshake without client authentication or abort").
    pub fn allow_anonymous(mut self, allowed: bool) -> Self {
        self.anonymous_allowed = allowed;
        self
    }

    /// Also refuses certificates these revocation lists name.
    pub fn with_crls(self, crls: &[CertificateRevocationListDer<'_>]) -> Result<Self, LoadError> {
        Ok(Self {
            policy: self.policy.with_crls(crls)?,
            anonymous_allowed: self.anonymous_allowed,
        })
    }

    pub fn anonymous_allowed(&self) -> bool {
        self.anonymous_allowed
    }

    /// The `certificate_authorities` to put in a CertificateRequest
    /// (RFC 8446 §4.2.4) or the TLS 1.2 CertificateRequest's list
    /// (RFC 5246 §7.4.4): the subjects of the client roots.
    pub fn root_subjects(&self) -> Vec<Bytes> {
        self.policy.roots.subjects()
    }

    /// Verifies the client's `chain` at the current time.
    pub fn verify(&self, chain: &[CertificateDer<'_>]) -> Result<ClientIdentity, CertificateError> {
        self.verify_at(chain, UnixTime::now())
    }

    /// Verifies the client's `chain` (end-entity first) as of `now`. An
    /// empty chain is anonymous if allowed, else `certificate_required`
    /// (RFC 8446 §4.4.2.4).
    pub fn verify_at(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientIdentity, CertificateError> {
        if chain.is_empty() {
            return match self.anonymous_allowed {
                true => Ok(ClientIdentity::Anonymous),
                false => Err(CertificateError::CertificateRequired),
            };
        }
        self.policy.verify(chain, KeyUsage::client_auth(), now)?;
        Ok(ClientIdentity::Verified(ClientCertVerified(())))
    }
}

/// The one mapping from webpki's verdicts to ours.
#[allow(deprecated)] // the deprecated variants are still produced by older paths
pub fn from_webpki(e: webpki::Error) -> CertificateError {
    use webpki::Error as W;
    match e {
        W::UnknownIssuer => CertificateError::UnknownIssuer,
        W::CertExpired { .. } => CertificateError::Expired,
        W::CertNotValidYet { .. } => CertificateError::NotValidYet,
        W::CertNotValidForName(_) => CertificateError::NotValidForName,
        W::CertRevoked => CertificateError::Revoked,
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            CertificateError::UnsupportedSignatureAlgorithm
        }
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => {
            CertificateError::InvalidPurpose
        }
        other => CertificateError::BadCertificate {
            detail: format!("{other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::test_pki::{at, Chain, Leaf, TestCa};
    use crate::msgs::enums::AlertDescription;

    fn server(ca: &TestCa) -> ServerCertVerifier {
        ServerCertVerifier::new(Arc::new(ca.roots()))
    }

    fn name(s: &str) -> ServerName<'static> {
        ServerName::try_from(s.to_string()).unwrap()
    }

    #[test]
    fn valid_chains_of_each_key_type() {
        for alg in TestCa::ALGS {
            let ca = TestCa::new(alg);
            let chain = ca.issue(&Leaf::server("example.test")).chain;
            server(&ca)
                .verify_at(&chain, &name("example.test"), at(2030))
                .unwrap();
        }
    }

    #[test]
    fn unknown_ca_expired_and_not_yet_valid() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let other = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let chain = ca.issue(&Leaf::server("example.test")).chain;
        let check = |v: &ServerCertVerifier, when, want: AlertDescription| {
            let e = v
                .verify_at(&chain, &name("example.test"), when)
                .unwrap_err();
            assert_eq!(e.alert(), want, "{e}");
        };
        check(&server(&other), at(2030), AlertDescription::UnknownCa);
        // Without the intermediate the path cannot be built either.
        let e = server(&ca)
            .verify_at(&chain[..1], &name("example.test"), at(2030))
            .unwrap_err();
        assert_eq!(e, CertificateError::UnknownIssuer);
        // Test leaves are valid from 2025 to 2035.
        check(&server(&ca), at(2040), AlertDescription::CertificateExpired);
        check(&server(&ca), at(2020), AlertDescription::CertificateExpired);
    }

    #[test]
    fn names_and_addresses() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let v = server(&ca);
        let chain = ca
            .issue(&Leaf::server("*.example.test").with_ip("127.0.0.1"))
            .chain;
        v.verify_at(&chain, &name("www.example.test"), at(2030))
            .unwrap();
        v.verify_at(&chain, &name("127.0.0.1"), at(2030)).unwrap();
        for wrong in [
            "example.test",
            "a.b.example.test",
            "other.test",
            "127.0.0.2",
        ] {
            let e = v.verify_at(&chain, &name(wrong), at(2030)).unwrap_err();
            assert_eq!(e, CertificateError::NotValidForName, "{wrong}");
            assert_eq!(e.alert(), AlertDescription::BadCertificate);
        }
    }

    #[test]
    fn client_chains_and_anonymous_clients() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let v = ClientCertVerifier::new(Arc::new(ca.roots()));
        let client: Chain = ca.issue(&Leaf::client("alice"));
        assert!(matches!(
            v.verify_at(&client.chain, at(2030)),
            Ok(ClientIdentity::Verified(_))
        ));
        let server_only = ca.issue(&Leaf::server("example.test")).chain;
        let e = v.verify_at(&server_only, at(2030)).unwrap_err();
        assert_eq!(e, CertificateError::InvalidPurpose);
        assert_eq!(e.alert(), AlertDescription::BadCertificate);

        let e = v.verify_at(&[], at(2030)).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::CertificateRequired);
        let v = v.allow_anonymous(true);
        assert!(matches!(
            v.verify_at(&[], at(2030)),
            Ok(ClientIdentity::Anonymous)
        ));
        assert_eq!(v.root_subjects().len(), 1);
    }

    #[test]
    fn revoked_certificates() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let leaf = ca.issue(&Leaf::server("example.test").with_serial(77));
        let crl = ca.crl_revoking(77);
        let v = server(&ca).with_crls(&[crl]).unwrap();
        let e = v
            .verify_at(&leaf.chain, &name("example.test"), at(2030))
            .unwrap_err();
        assert_eq!(e.alert(), AlertDescription::CertificateRevoked);
        let fine = ca.issue(&Leaf::server("example.test").with_serial(78));
        v.verify_at(&fine.chain, &name("example.test"), at(2030))
            .unwrap();
    }

    #[test]
    fn garbage_and_empty_chains() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let v = server(&ca);
        let junk = [CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00])];
        for chain in [&junk[..], &[]] {
            let e = v
                .verify_at(chain, &name("example.test"), at(2030))
                .unwrap_err();
            assert_eq!(e.alert(), AlertDescription::BadCertificate);
        }
    }
}
