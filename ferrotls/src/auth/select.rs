//! Choosing our certificate and signature scheme from what the peer offered.
//!
//! Server side (RFC 8446 §4.4.2.2): the name in `server_name` picks the
//! candidates (exact name, then wildcard, then the default); the key must
//! sign with a scheme in `signature_algorithms`; chains signed only with
//! algorithms in `signature_algorithms_cert` (or `signature_algorithms`
//! when that is absent) are preferred, but another chain may be sent.
//!
//! Client side (RFC 8446 §4.3.2, §4.4.2.3): a CertificateRequest names the
//! schemes and, optionally, the certificate authorities it accepts.

use std::sync::Arc;

use super::certified_key::CertifiedKey;
use crate::codec::Bytes;
use crate::error::CertificateError;
use crate::msgs::enums::{ProtocolVersion, SignatureScheme};

/// A certificate and the scheme to sign the handshake with.
#[derive(Clone, Debug)]
pub struct Selected {
    pub key: Arc<CertifiedKey>,
    pub scheme: SignatureScheme,
}

/// What the peer asked for, as the selection needs it.
#[derive(Clone, Copy, Debug)]
pub struct Offer<'a> {
    /// The negotiated version: in TLS 1.3, RSASSA-PKCS1-v1_5 and SHA-1
    /// cannot sign the handshake (RFC 8446 §4.4.3).
    pub version: ProtocolVersion,
    /// `signature_algorithms` (for a TLS 1.2 peer that sent none, the
    /// caller passes the RFC 5246 §7.4.1.4.1 defaults).
    pub signature_schemes: &'a [SignatureScheme],
    /// `signature_algorithms_cert`, if sent.
    pub signature_schemes_cert: Option<&'a [SignatureScheme]>,
    /// `certificate_authorities` (DER `DistinguishedName`s), empty if not sent.
    pub certificate_authorities: &'a [Bytes],
}

impl Offer<'_> {
    /// The first of the key's schemes (its own preference order) that the
    /// peer offered and the version allows.
    fn scheme_for(&self, key: &CertifiedKey) -> Option<SignatureScheme> {
        key.key()
            .schemes()
            .iter()
            .copied()
            .find(|s| self.signature_schemes.contains(s) && allowed_in(self.version, *s))
    }

    /// RFC 8446 §4.2.3: "If no "signature_algorithms_cert" extension is
    /// present, then the "signature_algorithms" extension also applies to
    /// signatures appearing in certificates."
    fn cert_schemes(&self) -> &[SignatureScheme] {
        self.signature_schemes_cert
            .unwrap_or(self.signature_schemes)
    }

    /// Whether every certificate of the chain is signed with an algorithm
    /// the peer listed. The last certificate may be a root or be issued by
    /// one; RFC 8446 §4.4.2.2 exempts "certificates that are self-signed
    /// or certificates that are expected to be trust anchors", so a
    /// self-signed certificate is not checked.
    fn chain_signatures_offered(&self, key: &CertifiedKey) -> bool {
        let schemes = self.cert_schemes();
        key.fields()
            .filter(|f| f.issuer != f.subject)
            .all(|f| f.signature_algorithm.offered_in(schemes))
    }

    /// RFC 8446 §4.4.2.2: a fallback chain "MUST NOT" use SHA-1 unless the
    /// peer's advertisement permits it.
    fn sha1_permitted(&self, key: &CertifiedKey) -> bool {
        let schemes = self.cert_schemes();
        key.fields()
            .filter(|f| f.issuer != f.subject)
            .map(|f| f.signature_algorithm)
            .filter(|a| a.is_sha1())
            .all(|a| a.offered_in(schemes))
    }

    /// Whether the chain leads to one of the authorities named (RFC 8446
    /// §4.2.4): one of its certificates is issued by, or is, a listed CA.
    fn issued_by_listed_ca(&self, key: &CertifiedKey) -> bool {
        key.fields().any(|f| {
            self.certificate_authorities
                .iter()
                .any(|dn| dn.0 == f.issuer || dn.0 == f.subject)
        })
    }
}

/// Whether `scheme` may sign handshake messages in `version`.
fn allowed_in(version: ProtocolVersion, scheme: SignatureScheme) -> bool {
    use SignatureScheme as S;
    match scheme {
        // Never: SHA-1 is for legacy certificates only (RFC 8446 §4.2.3).
        S::RsaPkcs1Sha1 | S::EcdsaSha1 => false,
        // RFC 8446 §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm".
        S::RsaPkcs1Sha256 | S::RsaPkcs1Sha384 | S::RsaPkcs1Sha512 => {
            version != ProtocolVersion::TLSv1_3
        }
        _ => true,
    }
}

/// Picks the best candidate: keys that can sign with an offered scheme,
/// preferring chains signed with offered algorithms, then (if the peer
/// named any) chains from a listed CA.
fn best(candidates: &[Arc<CertifiedKey>], offer: &Offer<'_>) -> Option<Selected> {
    let usable = candidates
        .iter()
        .filter_map(|k| Some((k, offer.scheme_for(k)?)))
        .filter(|(k, _)| offer.sha1_permitted(k));
    let rank = |k: &CertifiedKey| {
        (
            offer.chain_signatures_offered(k),
            offer.certificate_authorities.is_empty() || offer.issued_by_listed_ca(k),
        )
    };
    // `max_by_key` keeps the last of equal maxima; reverse so the first
    // configured key wins ties.
    let (key, scheme) = usable.rev().max_by_key(|(k, _)| rank(k))?;
    Some(Selected {
        key: Arc::clone(key),
        scheme,
    })
}

/// The server's certificates, chosen per connection by SNI and the
/// client's signature algorithms.
#[derive(Clone, Debug, Default)]
pub struct ServerCertResolver {
    keys: Vec<Arc<CertifiedKey>>,
    default: Vec<Arc<CertifiedKey>>,
}

impl ServerCertResolver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a certificate, served for the DNS names in it.
    pub fn add(&mut self, key: Arc<CertifiedKey>) {
        self.keys.push(key);
    }

    /// Adds a certificate, served for the names in it and to clients whose
    /// name matches no certificate (or that send no `server_name`).
    /// Several defaults may be given, e.g. an ECDSA and an RSA one.
    pub fn add_default(&mut self, key: Arc<CertifiedKey>) {
        self.keys.push(Arc::clone(&key));
        self.default.push(key);
    }

    /// Chooses the certificate for a ClientHello.
    ///
    /// `server_name` is the `host_name` of the `server_name` extension
    /// (RFC 6066 §3), compared without regard to ASCII case. Exact names
    /// are tried first, then wildcards (`*.example.com` stands for exactly
    /// one leftmost label, RFC 6125 §6.4.3), then the defaults; if there
    /// are no defaults, every certificate is a candidate.
    ///
    /// Fails with `handshake_failure` if no candidate's key can sign with
    /// a scheme the client offered (RFC 8446 §4.1.1: the server "MUST
    /// abort the handshake with either a \"handshake_failure\" or an
    /// \"insufficient_security\" fatal alert" when it cannot negotiate
    /// a supported set of parameters; RFC 8446 §4.4.2.2 lets a server send
    /// a chain whose signatures the client did not list, but the key itself
    /// must be "compatible with the selected authentication algorithm").
    pub fn resolve(
        &self,
        server_name: Option<&str>,
        offer: &Offer<'_>,
    ) -> Result<Selected, CertificateError> {
        let name = server_name.map(|n| n.trim_end_matches('.').to_ascii_lowercase());
        let by_name = |m: fn(&str, &str) -> bool| -> Vec<Arc<CertifiedKey>> {
            match &name {
                Some(name) => self
                    .keys
                    .iter()
                    .filter(|k| k.dns_names().iter().any(|d| m(d, name)))
                    .cloned()
                    .collect(),
                None => Vec::new(),
            }
        };
        let fallback = match self.default.is_empty() {
            true => &self.keys,
            false => &self.default,
        };
        [by_name(exact_match), by_name(wildcard_match)]
            .iter()
            .chain(std::iter::once(fallback))
            .find_map(|candidates| best(candidates, offer))
            .ok_or(CertificateError::NoSuitableCertificate)
    }
}

fn exact_match(presented: &str, name: &str) -> bool {
    presented == name
}

/// `*.example.com` matches `www.example.com`, not `example.com` or
/// `a.b.example.com` (RFC 6125 §6.4.3).
fn wildcard_match(presented: &str, name: &str) -> bool {
    let Some(suffix) = presented.strip_prefix("*.") else {
        return false;
    };
    match name.split_once('.') {
        Some((label, rest)) => !label.is_empty() && rest == suffix,
        None => false,
    }
}

/// The client's certificates, chosen when a server sends CertificateRequest.
#[derive(Clone, Debug, Default)]
pub struct ClientCertChooser {
    keys: Vec<Arc<CertifiedKey>>,
}

impl ClientCertChooser {
    pub fn new(keys: Vec<Arc<CertifiedKey>>) -> Self {
        Self { keys }
    }

    /// Chooses a certificate for a CertificateRequest, or `None` to answer
    /// with an empty Certificate message (RFC 8446 §4.4.2: "If the server
    /// requests client authentication but no suitable certificate is
    /// available, the client MUST send a Certificate message containing no
    /// certificates").
    ///
    /// The key must sign with a scheme in the request's
    /// `signature_algorithms` (RFC 8446 §4.4.3). If the request lists
    /// `certificate_authorities`, only chains from a listed CA are sent
    /// (RFC 8446 §4.4.2.3: "at least one of the certificates in the
    /// certificate chain SHOULD be issued by one of the listed CAs"):
    /// a chain the server cannot verify would only fail the handshake,
    /// where an empty Certificate lets a server that makes authentication
    /// optional go on.
    pub fn choose(&self, offer: &Offer<'_>) -> Option<Selected> {
        let candidates: Vec<Arc<CertifiedKey>> = self
            .keys
            .iter()
            .filter(|k| offer.certificate_authorities.is_empty() || offer.issued_by_listed_ca(k))
            .cloned()
            .collect();
        best(&candidates, offer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::certified_key::tests::certified;
    use crate::auth::test_pki::{Leaf, TestCa};
    use crate::auth::x509::{cert_fields, CertSignatureAlgorithm};
    use SignatureScheme as S;

    fn offer<'a>(version: ProtocolVersion, schemes: &'a [S]) -> Offer<'a> {
        Offer {
            version,
            signature_schemes: schemes,
            signature_schemes_cert: None,
            certificate_authorities: &[],
        }
    }

    const ALL13: &[S] = &[
        S::EcdsaSecp256r1Sha256,
        S::EcdsaSecp384r1Sha384,
        S::Ed25519,
        S::RsaPssRsaeSha256,
        S::RsaPkcs1Sha256,
    ];

    #[test]
    fn by_server_name() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let exact = certified(&ca, Leaf::server("www.example.test"));
        let wild = certified(&ca, Leaf::server("*.example.test"));
        let other = certified(&ca, Leaf::server("other.test"));
        let mut r = ServerCertResolver::new();
        r.add(Arc::clone(&wild));
        r.add(Arc::clone(&exact));
        r.add_default(Arc::clone(&other));
        let o = offer(ProtocolVersion::TLSv1_3, ALL13);
        let pick = |name| r.resolve(name, &o).unwrap().key;

        assert!(Arc::ptr_eq(&pick(Some("WWW.example.test.")), &exact));
        assert!(Arc::ptr_eq(&pick(Some("api.example.test")), &wild));
        assert!(Arc::ptr_eq(&pick(Some("a.b.example.test")), &other));
        assert!(Arc::ptr_eq(&pick(Some("example.test")), &other));
        assert!(Arc::ptr_eq(&pick(None), &other));
        assert!(wildcard_match("*.example.test", "x.example.test"));
        assert!(!wildcard_match("*.example.test", ".example.test"));
        assert!(!wildcard_match("example.test", "example.test"));
    }

    #[test]
    fn by_offered_schemes() {
        let ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let name = "example.test";
        let ecdsa = certified(&ca, Leaf::server(name));
        let ed = certified(&ca, Leaf::server(name).with_key(&rcgen::PKCS_ED25519));
        // The test RSA key signs only rsa_pkcs1_sha256: usable in 1.2 only.
        let rsa = certified(&ca, Leaf::server(name).with_key(&rcgen::PKCS_RSA_SHA256));
        let mut r = ServerCertResolver::new();
        for k in [&ecdsa, &ed, &rsa] {
            r.add(Arc::clone(k));
        }
        let pick = |v, schemes: &[S]| r.resolve(Some(name), &offer(v, schemes));

        let s = pick(ProtocolVersion::TLSv1_3, &[S::Ed25519]).unwrap();
        assert!(Arc::ptr_eq(&s.key, &ed));
        assert_eq!(s.scheme, S::Ed25519);
        let s = pick(ProtocolVersion::TLSv1_3, ALL13).unwrap();
        assert!(Arc::ptr_eq(&s.key, &ecdsa), "first configured wins ties");
        assert_eq!(s.scheme, S::EcdsaSecp256r1Sha256);
        let s = pick(ProtocolVersion::TLSv1_2, &[S::RsaPkcs1Sha256]).unwrap();
        assert!(Arc::ptr_eq(&s.key, &rsa));

        // RFC 8446 §4.4.3: PKCS#1 cannot sign a 1.3 CertificateVerify, and
        // P-384 is not our ECDSA key's curve: no key fits.
        for schemes in [&[S::RsaPkcs1Sha256][..], &[S::EcdsaSecp384r1Sha384], &[]] {
            let e = pick(ProtocolVersion::TLSv1_3, schemes).unwrap_err();
            assert_eq!(e, CertificateError::NoSuitableCertificate);
            assert_eq!(
                e.alert(),
                crate::msgs::enums::AlertDescription::HandshakeFailure
            );
        }
    }

    #[test]
    fn prefers_chains_signed_with_offered_algorithms() {
        let p256_ca = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let ed_ca = TestCa::new(&rcgen::PKCS_ED25519);
        let name = "example.test";
        let from_p256 = certified(&p256_ca, Leaf::server(name));
        let from_ed = certified(&ed_ca, Leaf::server(name));
        let mut r = ServerCertResolver::new();
        r.add(Arc::clone(&from_p256));
        r.add(Arc::clone(&from_ed));
        let schemes = [S::EcdsaSecp256r1Sha256];

        // Leaf keys are both P-256; the chains differ in how they are signed.
        let mut o = offer(ProtocolVersion::TLSv1_3, &schemes);
        let cert_schemes = [S::Ed25519];
        o.signature_schemes_cert = Some(&cert_schemes);
        assert!(Arc::ptr_eq(
            &r.resolve(Some(name), &o).unwrap().key,
            &from_ed
        ));
        o.signature_schemes_cert = None;
        assert!(Arc::ptr_eq(
            &r.resolve(Some(name), &o).unwrap().key,
            &from_p256
        ));
        // Nothing matches signature_algorithms_cert: a chain is still sent
        // (RFC 8446 §4.4.2.2 "SHOULD continue the handshake").
        let none = [S::RsaPssRsaeSha512];
        o.signature_schemes_cert = Some(&none);
        assert!(r.resolve(Some(name), &o).is_ok());
    }

    #[test]
    fn client_choice_by_authorities_and_schemes() {
        let ca_a = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let ca_b = TestCa::new(&rcgen::PKCS_ECDSA_P256_SHA256);
        let from_a = certified(&ca_a, Leaf::client("alice"));
        let from_b = certified(&ca_b, Leaf::client("alice").with_key(&rcgen::PKCS_ED25519));
        let chooser = ClientCertChooser::new(vec![Arc::clone(&from_a), Arc::clone(&from_b)]);

        let root_b = ca_b.roots().subjects();
        let mut o = offer(ProtocolVersion::TLSv1_3, ALL13);
        o.certificate_authorities = &root_b;
        let s = chooser.choose(&o).unwrap();
        assert!(Arc::ptr_eq(&s.key, &from_b));
        assert_eq!(s.scheme, S::Ed25519);

        // The intermediate's name is accepted as well.
        let int_a = [Bytes(
            cert_fields(&from_a.chain()[1]).unwrap().subject.to_vec(),
        )];
        o.certificate_authorities = &int_a;
        assert!(Arc::ptr_eq(&chooser.choose(&o).unwrap().key, &from_a));

        // A listed CA whose chain's key cannot sign an offered scheme, or
        // an unknown CA: no certificate (an empty Certificate message).
        o.signature_schemes = &[S::RsaPssRsaeSha256];
        assert!(chooser.choose(&o).is_none());
        let unknown = [Bytes(vec![0x30, 0])];
        let o = Offer {
            certificate_authorities: &unknown,
            ..offer(ProtocolVersion::TLSv1_3, ALL13)
        };
        assert!(chooser.choose(&o).is_none());
        // No authorities listed: any usable key.
        let o = offer(ProtocolVersion::TLSv1_2, &[S::Ed25519]);
        assert!(Arc::ptr_eq(&chooser.choose(&o).unwrap().key, &from_b));
    }

    #[test]
    fn cert_algorithm_mapping_used_by_selection() {
        let ca = TestCa::new(&rcgen::PKCS_ED25519);
        let k = certified(&ca, Leaf::server("example.test"));
        let algs: Vec<_> = k.fields().map(|f| f.signature_algorithm).collect();
        assert_eq!(
            algs,
            [
                CertSignatureAlgorithm::Scheme(S::Ed25519),
                CertSignatureAlgorithm::Scheme(S::Ed25519)
            ]
        );
    }
}
