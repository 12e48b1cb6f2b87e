//! The few X.509 fields certificate selection needs and webpki does not
//! expose: the issuer and subject names as sent in `certificate_authorities`
//! (RFC 8446 §4.2.4), and the algorithm each certificate is signed with, to
//! compare against `signature_algorithms_cert` (RFC 8446 §4.2.3, §4.4.2.2).
//!
//! Only the outer structure of RFC 5280 §4.1 is walked; validation is
//! webpki's job.

use crate::msgs::enums::SignatureScheme;

/// A DER tag-length-value walker over a byte slice; never panics.
struct Der<'a>(&'a [u8]);

/// One DER element.
struct Tlv<'a> {
    tag: u8,
    /// The content octets.
    value: &'a [u8],
    /// The whole element, tag and length included.
    whole: &'a [u8],
}

const SEQUENCE: u8 = 0x30;
const OID: u8 = 0x06;
const CONTEXT_0: u8 = 0xa0;

impl<'a> Der<'a> {
    fn next(&mut self) -> Option<Tlv<'a>> {
        let input = self.0;
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            // Long form: 1 to 3 length octets are enough for any certificate
            // a TLS handshake can carry (at most 2^24-1 bytes).
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 3 {
                return None;
            }
            let (octets, rest) = rest.split_at_checked(n)?;
            let len = octets
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, rest)
        };
        let (value, rest) = rest.split_at_checked(len)?;
        let header = input.len().checked_sub(rest.len())?;
        let whole = input.get(..header)?;
        self.0 = rest;
        Some(Tlv { tag, value, whole })
    }

    fn expect(&mut self, tag: u8) -> Option<Tlv<'a>> {
        self.next().filter(|t| t.tag == tag)
    }
}

/// The outer fields of a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertFields<'a> {
    /// The issuer `Name`, a whole DER SEQUENCE: the form a
    /// `DistinguishedName` takes in `certificate_authorities`.
    pub issuer: &'a [u8],
    /// The subject `Name`, a whole DER SEQUENCE.
    pub subject: &'a [u8],
    /// The `signatureAlgorithm` the issuer signed this certificate with.
    pub signature_algorithm: CertSignatureAlgorithm,
}

/// Reads the outer fields of a DER certificate (RFC 5280 §4.1), or `None`
/// if it is not shaped like one.
pub fn cert_fields(der: &[u8]) -> Option<CertFields<'_>> {
    let cert = Der(der).expect(SEQUENCE)?;
    let mut cert_body = Der(cert.value);
    let tbs = cert_body.expect(SEQUENCE)?;
    let sig_alg = cert_body.expect(SEQUENCE)?;

    let mut tbs = Der(tbs.value);
    let mut field = tbs.next()?;
    if field.tag == CONTEXT_0 {
        // [0] EXPLICIT version; the serial number follows.
        field = tbs.next()?;
    }
    let _serial = field;
    let _signature = tbs.expect(SEQUENCE)?;
    let issuer = tbs.expect(SEQUENCE)?;
    let _validity = tbs.expect(SEQUENCE)?;
    let subject = tbs.expect(SEQUENCE)?;
    Some(CertFields {
        issuer: issuer.whole,
        subject: subject.whole,
        signature_algorithm: CertSignatureAlgorithm::from_algorithm_identifier(sig_alg.value),
    })
}

/// The algorithm a certificate is signed with, in the terms of
/// `signature_algorithms_cert` (RFC 8446 §4.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertSignatureAlgorithm {
    /// One scheme names it exactly (PKCS#1 v1.5, EdDSA, ECDSA by hash).
    Scheme(SignatureScheme),
    /// RSASSA-PSS with this hash: `rsa_pss_rsae_*` or `rsa_pss_pss_*`
    /// depending on the issuer's key, which this certificate does not carry;
    /// either one offered is accepted.
    RsaPss(SignatureScheme, SignatureScheme),
    /// Anything else (SHA-224, DSA, PSS with SHA-1, ...).
    Unknown,
}

impl CertSignatureAlgorithm {
    /// Whether the peer's list admits this algorithm.
    pub fn offered_in(self, schemes: &[SignatureScheme]) -> bool {
        match self {
            Self::Scheme(s) => schemes.contains(&s),
            Self::RsaPss(rsae, pss) => schemes.contains(&rsae) || schemes.contains(&pss),
            Self::Unknown => false,
        }
    }

    /// Whether the algorithm uses SHA-1 (RFC 8446 §4.4.2.2: a fallback chain
    /// "MUST NOT" use it unless the peer's advertisement permits it).
    pub fn is_sha1(self) -> bool {
        matches!(
            self,
            Self::Scheme(SignatureScheme::RsaPkcs1Sha1 | SignatureScheme::EcdsaSha1)
        )
    }

    fn from_algorithm_identifier(alg_id: &[u8]) -> Self {
        let mut body = Der(alg_id);
        let Some(oid) = body.expect(OID) else {
            return Self::Unknown;
        };
        use SignatureScheme as S;
        match oid.value {
            oids::SHA1_WITH_RSA => Self::Scheme(S::RsaPkcs1Sha1),
            oids::SHA256_WITH_RSA => Self::Scheme(S::RsaPkcs1Sha256),
            oids::SHA384_WITH_RSA => Self::Scheme(S::RsaPkcs1Sha384),
            oids::SHA512_WITH_RSA => Self::Scheme(S::RsaPkcs1Sha512),
            oids::ECDSA_SHA1 => Self::Scheme(S::EcdsaSha1),
            // In certificates ECDSA names only the hash; the curve is the
            // issuer's. The TLS names pair them as RFC 8446 §4.2.3 does.
            oids::ECDSA_SHA256 => Self::Scheme(S::EcdsaSecp256r1Sha256),
            oids::ECDSA_SHA384 => Self::Scheme(S::EcdsaSecp384r1Sha384),
            oids::ECDSA_SHA512 => Self::Scheme(S::EcdsaSecp521r1Sha512),
            oids::ED25519 => Self::Scheme(S::Ed25519),
            oids::ED448 => Self::Scheme(S::Ed448),
            oids::RSASSA_PSS => match pss_hash(body.next()) {
                Some(oids::SHA256) => Self::RsaPss(S::RsaPssRsaeSha256, S::RsaPssPssSha256),
                Some(oids::SHA384) => Self::RsaPss(S::RsaPssRsaeSha384, S::RsaPssPssSha384),
                Some(oids::SHA512) => Self::RsaPss(S::RsaPssRsaeSha512, S::RsaPssPssSha512),
                _ => Self::Unknown,
            },
            _ => Self::Unknown,
        }
    }
}

/// The hash OID of `RSASSA-PSS-params` (RFC 4055 §3.1): `hashAlgorithm
/// [0] HashAlgorithm`; absent means SHA-1.
fn pss_hash(params: Option<Tlv<'_>>) -> Option<&[u8]> {
    let params = params.filter(|p| p.tag == SEQUENCE)?;
    let hash = Der(params.value).expect(CONTEXT_0)?;
    let alg = Der(hash.value).expect(SEQUENCE)?;
    let oid = Der(alg.value).expect(OID)?;
    Some(oid.value)
}

/// Wraps the content of a `Name` (as webpki's trust anchors hold it) into
/// the whole DER SEQUENCE a `DistinguishedName` carries (RFC 8446 §4.2.4).
pub fn wrap_name(content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 5);
    out.push(SEQUENCE);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let octets = len.to_be_bytes();
        let skip = octets.iter().take_while(|&&b| b == 0).count();
        let significant = octets.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

/// Object identifiers, DER content octets.
mod oids {
    pub const SHA1_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
    pub const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    pub const SHA256_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    pub const SHA384_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
    pub const SHA512_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
    pub const ECDSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
    pub const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    pub const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    pub const ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
    pub const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    pub const ED448: &[u8] = &[0x2b, 0x65, 0x71];
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    pub const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    pub const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};

    fn self_signed(alg: &'static rcgen::SignatureAlgorithm) -> Vec<u8> {
        let key = KeyPair::generate_for(alg).unwrap();
        let mut params = CertificateParams::new(vec!["example.test".into()]).unwrap();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "x509 test");
        params.distinguished_name = dn;
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn reads_signature_algorithms() {
        use SignatureScheme as S;
        let cases: [(&'static rcgen::SignatureAlgorithm, CertSignatureAlgorithm); 3] = [
            (
                &rcgen::PKCS_ECDSA_P256_SHA256,
                CertSignatureAlgorithm::Scheme(S::EcdsaSecp256r1Sha256),
            ),
            (
                &rcgen::PKCS_ECDSA_P384_SHA384,
                CertSignatureAlgorithm::Scheme(S::EcdsaSecp384r1Sha384),
            ),
            (
                &rcgen::PKCS_ED25519,
                CertSignatureAlgorithm::Scheme(S::Ed25519),
            ),
        ];
        for (alg, want) in cases {
            let der = self_signed(alg);
            let fields = cert_fields(&der).unwrap();
            assert_eq!(fields.signature_algorithm, want);
            // Self-signed: issuer and subject are the same Name.
            assert_eq!(fields.issuer, fields.subject);
            assert_eq!(fields.issuer.first(), Some(&SEQUENCE));
        }
    }

    #[test]
    fn truncated_certificates_are_refused() {
        let der = self_signed(&rcgen::PKCS_ECDSA_P256_SHA256);
        for n in 0..der.len() {
            assert!(cert_fields(&der[..n]).is_none(), "prefix of {n} bytes");
        }
    }

    #[test]
    fn pss_needs_either_name() {
        let alg = CertSignatureAlgorithm::RsaPss(
            SignatureScheme::RsaPssRsaeSha256,
            SignatureScheme::RsaPssPssSha256,
        );
        assert!(alg.offered_in(&[SignatureScheme::RsaPssPssSha256]));
        assert!(alg.offered_in(&[SignatureScheme::RsaPssRsaeSha256]));
        assert!(!alg.offered_in(&[SignatureScheme::RsaPkcs1Sha256]));
    }

    #[test]
    fn wraps_names_of_any_length() {
        assert_eq!(wrap_name(&[1, 2]), vec![0x30, 2, 1, 2]);
        let long = vec![7u8; 300];
        let wrapped = wrap_name(&long);
        assert_eq!(&wrapped[..4], &[0x30, 0x82, 0x01, 0x2c]);
        let mut d = Der(&wrapped);
        let t = d.next().unwrap();
        assert_eq!(t.value, &long[..]);
    }
}
