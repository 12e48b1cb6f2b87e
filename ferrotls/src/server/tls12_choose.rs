//! What a TLS 1.2 server chooses from a ClientHello: the suite together
//! with the certificate and the key exchange group that make it usable
//! (RFC 5246 §7.4.1.2-§7.4.2, RFC 8422 §5.1, RFC 7919 §4), and the rules
//! of the TLS 1.2 extensions it answers (RFC 7627, RFC 5746).
//!
//! Pure functions of the ClientHello and the configuration, unit-tested
//! here; `tls12.rs` calls them in order.

use std::sync::Arc;

use crate::auth::{CertifiedKey, Offer, Selected};
use crate::config::ServerConfig;
use crate::crypto::kx::rsa::RsaDecryptingKey;
use crate::crypto::kx::KxGroup;
use crate::crypto::suites::{
    tls12_suite, AuthenticationAlgorithm, KeyExchangeAlgorithm, Tls12Suite,
};
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::client_hello::ClientHello;
use crate::msgs::enums::{
    CipherSuite, CompressionMethod, EcPointFormat, NamedGroup, ProtocolVersion, SignatureScheme,
};

/// The certificate and RSA private key a server uses for static RSA key
/// transport (RFC 5246 §7.4.7.1), the only case where the server decrypts
/// with its key rather than signs.
pub struct StaticRsaKey {
    pub certified: Arc<CertifiedKey>,
    pub decrypter: RsaDecryptingKey,
}

impl core::fmt::Debug for StaticRsaKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StaticRsaKey")
            .field("certified", &self.certified)
            .finish_non_exhaustive()
    }
}

/// How the premaster secret will be agreed.
#[derive(Clone, Debug)]
pub(crate) enum Exchange {
    /// (EC)DHE with this group; the server signs its share with `selected`.
    Ephemeral { group: KxGroup, selected: Selected },
    /// Static RSA: no ServerKeyExchange, the client encrypts to this key.
    Rsa(Arc<StaticRsaKey>),
}

/// A suite with everything needed to use it.
#[derive(Clone, Debug)]
pub(crate) struct Choice {
    pub suite: Tls12Suite,
    pub exchange: Exchange,
}

impl Choice {
    /// The chain we send in Certificate.
    pub fn certified(&self) -> &Arc<CertifiedKey> {
        match &self.exchange {
            Exchange::Ephemeral { selected, .. } => &selected.key,
            Exchange::Rsa(k) => &k.certified,
        }
    }
}

/// RFC 5246 §7.4.1.4.1: "If the client does not send the
/// signature_algorithms extension, the server MUST do the following: ... If
/// the negotiated key exchange algorithm is one of (RSA, DHE_RSA, ...),
/// behave as if client had sent the value {sha1,rsa}. ... (ECDHE_ECDSA ...)
/// {sha1,ecdsa}." ferrotls never signs with SHA-1, so such a client can only
/// get a suite that needs no signature (static RSA).
const DEFAULT_SCHEMES: &[SignatureScheme] =
    &[SignatureScheme::RsaPkcs1Sha1, SignatureScheme::EcdsaSha1];

/// Whether `scheme` is made by a key of the suite's authentication type:
/// ECDHE_ECDSA needs an ECDSA (or EdDSA, RFC 8422 §2) certificate, the
/// `_RSA` suites an RSA one (RFC 5246 §7.4.2).
fn scheme_fits(auth: AuthenticationAlgorithm, scheme: SignatureScheme) -> bool {
    use SignatureScheme as S;
    match auth {
        AuthenticationAlgorithm::Ecdsa => matches!(
            scheme,
            S::EcdsaSecp256r1Sha256
                | S::EcdsaSecp384r1Sha384
                | S::EcdsaSecp521r1Sha512
                | S::Ed25519
                | S::EcdsaSha1
        ),
        AuthenticationAlgorithm::Rsa => matches!(
            scheme,
            S::RsaPssRsaeSha256
                | S::RsaPssRsaeSha384
                | S::RsaPssRsaeSha512
                | S::RsaPkcs1Sha256
                | S::RsaPkcs1Sha384
                | S::RsaPkcs1Sha512
                | S::RsaPkcs1Sha1
        ),
    }
}

/// RFC 8422 §5.1: "when a client uses these extensions, servers MUST NOT
/// negotiate the use of an ECC cipher suite unless they can complete the
/// handshake while respecting the choice of curves specified by the
/// client", which covers the curve of an ECDSA certificate too. An ECDSA
/// key signs only with its own curve's scheme, so the scheme stands for
/// the certificate's curve.
fn curve_offered(ch: &ClientHello, scheme: SignatureScheme) -> bool {
    let curve = match scheme {
        SignatureScheme::EcdsaSecp256r1Sha256 => NamedGroup::Secp256r1,
        SignatureScheme::EcdsaSecp384r1Sha384 => NamedGroup::Secp384r1,
        SignatureScheme::EcdsaSecp521r1Sha512 => NamedGroup::Secp521r1,
        _ => return true,
    };
    ch.extensions()
        .supported_groups()
        .is_none_or(|groups| groups.contains(&curve))
}

/// RFC 8422 §5.1.2: a client that sends ec_point_formats must list
/// `uncompressed` ("the uncompressed point format ... MUST be supported"),
/// which is the only format we send; without the extension it is assumed.
fn uncompressed_points(ch: &ClientHello) -> bool {
    ch.extensions()
        .ec_point_formats()
        .is_none_or(|f| f.contains(&EcPointFormat::Uncompressed))
}

/// The (EC)DHE group for a suite, or `None` to try another suite.
fn choose_group(
    ch: &ClientHello,
    config: &ServerConfig,
    kx: KeyExchangeAlgorithm,
) -> Option<KxGroup> {
    let offered = ch.extensions().supported_groups();
    let ours = config.policy.kx_groups().filter(|g| g.usable_in_tls12());
    let pick = |candidates: Vec<KxGroup>, client: &[NamedGroup]| -> Option<KxGroup> {
        match config.prefer_server_order {
            true => candidates
                .iter()
                .copied()
                .find(|g| client.contains(&g.named_group())),
            false => client
                .iter()
                .find_map(|n| candidates.iter().copied().find(|g| g.named_group() == *n)),
        }
    };
    match kx {
        KeyExchangeAlgorithm::Ecdhe => {
            if !uncompressed_points(ch) {
                return None;
            }
            let ours: Vec<KxGroup> = ours.filter(|g| !g.is_ffdhe()).collect();
            match offered {
                // RFC 8422 §5.1.1: the server picks among the curves the
                // client listed, and must not negotiate ECC otherwise.
                Some(client) => pick(ours, client),
                // RFC 8422 §4: a client without the extension gets a
                // curve of the server's choosing; secp256r1 is the one
                // every ECC implementation has.
                None => ours.into_iter().find(|g| *g == KxGroup::Secp256r1),
            }
        }
        KeyExchangeAlgorithm::Dhe => {
            let ours: Vec<KxGroup> = ours.filter(|g| g.is_ffdhe()).collect();
            let client_ffdhe: Vec<NamedGroup> = offered
                .unwrap_or_default()
                .iter()
                .copied()
                .filter(|n| is_ffdhe_codepoint(*n))
                .collect();
            match client_ffdhe.is_empty() {
                // RFC 7919 §4: a client that names no FFDHE group gets
                // one of the server's choosing (ours are all RFC 7919
                // groups, never arbitrary parameters).
                true => ours.first().copied(),
                // RFC 7919 §4: "If none of the client-proposed FFDHE
                // groups are known and acceptable to the server, then the
                // server MUST NOT select an FFDHE cipher suite."
                false => pick(ours, &client_ffdhe),
            }
        }
        KeyExchangeAlgorithm::Rsa => None,
    }
}

/// RFC 7919 §2: the FFDHE code points are 256 to 511.
fn is_ffdhe_codepoint(group: NamedGroup) -> bool {
    (256..512).contains(&group.to_wire())
}

/// Tries to make `suite` work: a certificate of its authentication type
/// that can sign with a scheme the client offered, and a group.
fn try_suite(ch: &ClientHello, config: &ServerConfig, suite: Tls12Suite) -> Option<Choice> {
    if suite.kx == KeyExchangeAlgorithm::Rsa {
        return config.static_rsa.as_ref().map(|k| Choice {
            suite,
            exchange: Exchange::Rsa(Arc::clone(k)),
        });
    }
    let group = choose_group(ch, config, suite.kx)?;
    let exts = ch.extensions();
    let schemes: Vec<SignatureScheme> = exts
        .signature_algorithms()
        .unwrap_or(DEFAULT_SCHEMES)
        .iter()
        .copied()
        .filter(|s| scheme_fits(suite.auth, *s))
        .filter(|s| curve_offered(ch, *s))
        .collect();
    let selected = config
        .certificates
        .resolve(
            exts.host_name(),
            &Offer {
                version: ProtocolVersion::TLSv1_2,
                signature_schemes: &schemes,
                signature_schemes_cert: exts.signature_algorithms_cert(),
                certificate_authorities: &[],
            },
        )
        .ok()?;
    Some(Choice {
        suite,
        exchange: Exchange::Ephemeral { group, selected },
    })
}

/// Picks the TLS 1.2 suite (ours or the client's order, per
/// `prefer_server_order`) among those we can serve. RFC 5246 §7.4.1.3:
/// the server picks "from the list in ClientHello.cipher_suites"; nothing
/// usable is `handshake_failure` (§7.4.1.2: "If ... no acceptable choices,
/// it MUST respond with a handshake failure alert").
pub(crate) fn choose(ch: &ClientHello, config: &ServerConfig) -> Result<Choice, Error> {
    let ours: Vec<Tls12Suite> = config
        .policy
        .cipher_suites
        .iter()
        .filter_map(|s| tls12_suite(*s))
        .collect();
    let order: Vec<Tls12Suite> = match config.prefer_server_order {
        true => ours
            .iter()
            .copied()
            .filter(|s| ch.cipher_suites.contains(&s.suite))
            .collect(),
        false => ch
            .cipher_suites
            .iter()
            .filter_map(|c| ours.iter().copied().find(|s| s.suite == *c))
            .collect(),
    };
    order
        .into_iter()
        .find_map(|s| try_suite(ch, config, s))
        .ok_or_else(|| PeerMisbehaved::NoCommonCipherSuite.into())
}

/// The rules of a TLS 1.2 ClientHello beyond version and suite. Returns
/// whether the client signalled RFC 5746 secure renegotiation.
pub(crate) fn check_hello(ch: &ClientHello, config: &ServerConfig) -> Result<bool, Error> {
    // RFC 5246 §7.4.1.2: the list "MUST contain" the null method, the
    // only one ferrotls uses.
    if !ch
        .legacy_compression_methods
        .contains(&CompressionMethod::Null)
    {
        return Err(PeerMisbehaved::IllegalParameter {
            what: "compression_methods without null",
        }
        .into());
    }
    let exts = ch.extensions();
    // RFC 7627 §5.3: a server that requires the extended master secret
    // "MUST abort the handshake" when a client does not offer it.
    if config.require_extended_master_secret && !exts.extended_master_secret() {
        return Err(PeerMisbehaved::HandshakeFailure {
            what: "client does not offer extended_master_secret, which is required",
        }
        .into());
    }
    // RFC 5746 §3.6: "If the extension is present, set
    // secure_renegotiation flag to TRUE. The server MUST then verify that
    // the length of the "renegotiated_connection" field is zero, and if it
    // is not, MUST abort the handshake" (this is an initial handshake).
    let scsv = ch
        .cipher_suites
        .contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    match exts.renegotiation_info() {
        Some(info) if !info.is_empty() => Err(PeerMisbehaved::HandshakeFailure {
            what: "non-empty renegotiation_info in an initial ClientHello",
        }
        .into()),
        Some(_) => Ok(true),
        // RFC 5746 §3.6: "When a ClientHello is received, the server MUST
        // check if it includes the TLS_EMPTY_RENEGOTIATION_INFO_SCSV
        // SCSV. If it does, set the secure_renegotiation flag to TRUE."
        None => Ok(scsv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ServerCertResolver;
    use crate::codec::Bytes;
    use crate::msgs::enums::AlertDescription;
    use crate::msgs::extensions::{Extension, Extensions};

    /// A self-signed `localhost` certificate with a key of `alg`.
    fn certified(alg: &'static rcgen::SignatureAlgorithm) -> Arc<CertifiedKey> {
        let key = rcgen::KeyPair::generate_for(alg).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let signer = crate::crypto::sign::SigningKey::from_der(&key.serialize_der()).unwrap();
        Arc::new(CertifiedKey::new(vec![cert.der().clone()], Arc::new(signer)).unwrap())
    }

    fn config(keys: &[Arc<CertifiedKey>]) -> ServerConfig {
        let mut resolver = ServerCertResolver::new();
        for k in keys {
            resolver.add_default(Arc::clone(k));
        }
        let mut c = ServerConfig::new(Arc::new(resolver));
        c.policy.cipher_suites.extend([
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        ]);
        c
    }

    fn hello(suites: &[CipherSuite], exts: Vec<Extension>) -> ClientHello {
        ClientHello {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: [7; 32],
            legacy_session_id: Bytes(vec![]),
            cipher_suites: suites.to_vec(),
            legacy_compression_methods: vec![CompressionMethod::Null],
            extensions: Some(Extensions(exts)),
        }
    }

    fn sigalgs() -> Extension {
        Extension::SignatureAlgorithms(vec![
            SignatureScheme::EcdsaSecp256r1Sha256,
            SignatureScheme::RsaPssRsaeSha256,
            SignatureScheme::RsaPkcs1Sha256,
        ])
    }

    fn alert<T>(r: Result<T, Error>) -> AlertDescription {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.alert().unwrap(),
        }
    }

    const ECDSA: CipherSuite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    const RSA: CipherSuite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    const DHE: CipherSuite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;

    #[test]
    fn suite_follows_the_certificate_and_its_curve() {
        let p256 = certified(&rcgen::PKCS_ECDSA_P256_SHA256);
        let c = config(&[p256]);
        let groups = |g: &[NamedGroup]| Extension::SupportedGroups(g.to_vec());
        let ch = hello(
            &[RSA, ECDSA],
            vec![
                sigalgs(),
                groups(&[NamedGroup::X25519, NamedGroup::Secp256r1]),
            ],
        );
        let choice = choose(&ch, &c).unwrap();
        assert_eq!(choice.suite.suite, ECDSA);
        assert!(matches!(
            choice.exchange,
            Exchange::Ephemeral {
                group: KxGroup::X25519,
                ..
            }
        ));
        // RFC 8422 §5.1: a P-256 certificate needs secp256r1 listed.
        let ch = hello(&[ECDSA], vec![sigalgs(), groups(&[NamedGroup::X25519])]);
        assert_eq!(alert(choose(&ch, &c)), AlertDescription::HandshakeFailure);
        // Only ECDHE_RSA offered, no RSA certificate.
        let ch = hello(&[RSA], vec![sigalgs()]);
        assert_eq!(alert(choose(&ch, &c)), AlertDescription::HandshakeFailure);
        // RFC 5246 §7.4.1.4.1: no signature_algorithms means SHA-1, which
        // ferrotls never signs with.
        let ch = hello(&[ECDSA], vec![]);
        assert_eq!(alert(choose(&ch, &c)), AlertDescription::HandshakeFailure);
        // RFC 8422 §5.1.2: no uncompressed points, no ECDHE.
        let ch = hello(
            &[ECDSA],
            vec![
                sigalgs(),
                Extension::EcPointFormats(vec![EcPointFormat::Unknown(1)]),
            ],
        );
        assert_eq!(alert(choose(&ch, &c)), AlertDescription::HandshakeFailure);
    }

    #[test]
    fn dhe_follows_rfc7919() {
        let rsa = certified(&rcgen::PKCS_RSA_SHA256);
        let c = config(&[rsa]);
        let dhe_group = |ch: &ClientHello| match choose(ch, &c).map(|c| c.exchange) {
            Ok(Exchange::Ephemeral { group, .. }) => Ok(group),
            Ok(Exchange::Rsa(_)) => panic!("static RSA"),
            Err(e) => Err(e),
        };
        // No FFDHE group named: one of ours.
        let ch = hello(&[DHE], vec![sigalgs()]);
        assert_eq!(dhe_group(&ch).unwrap(), KxGroup::Ffdhe2048);
        let ch = hello(
            &[DHE],
            vec![
                sigalgs(),
                Extension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::Ffdhe3072]),
            ],
        );
        assert_eq!(dhe_group(&ch).unwrap(), KxGroup::Ffdhe3072);
        // RFC 7919 §4: FFDHE groups named, none ours: no DHE suite; with
        // an ECDHE suite offered too, that one is chosen.
        let ch = hello(
            &[DHE],
            vec![
                sigalgs(),
                Extension::SupportedGroups(vec![NamedGroup::Ffdhe8192]),
            ],
        );
        assert_eq!(alert(dhe_group(&ch)), AlertDescription::HandshakeFailure);
        let ch = hello(
            &[DHE, RSA],
            vec![
                sigalgs(),
                Extension::SupportedGroups(vec![NamedGroup::Ffdhe8192, NamedGroup::Secp256r1]),
            ],
        );
        assert_eq!(choose(&ch, &c).unwrap().suite.suite, RSA);
    }

    #[test]
    fn static_rsa_only_with_its_key() {
        let rsa = certified(&rcgen::PKCS_RSA_SHA256);
        let mut c = config(&[Arc::clone(&rsa)]);
        let ch = hello(&[CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256], vec![]);
        assert_eq!(alert(choose(&ch, &c)), AlertDescription::HandshakeFailure);
        let pkcs8 = crate::crypto::sign::generate_rsa_pkcs8(2048).unwrap();
        c.static_rsa = Some(Arc::new(StaticRsaKey {
            certified: rsa,
            decrypter: RsaDecryptingKey::from_pkcs8_der(&pkcs8).unwrap(),
        }));
        assert!(matches!(
            choose(&ch, &c).unwrap().exchange,
            Exchange::Rsa(_)
        ));
    }

    #[test]
    fn hello_rules() {
        let mut c = config(&[]);
        // RFC 5746 §3.6: the extension or the SCSV signal secure
        // renegotiation; a non-empty one in an initial hello is fatal.
        let empty = Extension::RenegotiationInfo(Bytes(vec![]));
        assert!(check_hello(&hello(&[RSA], vec![empty]), &c).unwrap());
        let scsv = CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV;
        assert!(check_hello(&hello(&[RSA, scsv], vec![]), &c).unwrap());
        assert!(!check_hello(&hello(&[RSA], vec![]), &c).unwrap());
        let bad = Extension::RenegotiationInfo(Bytes(vec![1; 12]));
        assert_eq!(
            alert(check_hello(&hello(&[RSA], vec![bad]), &c)),
            AlertDescription::HandshakeFailure
        );
        // RFC 7627 §5.3: required and not offered.
        c.require_extended_master_secret = true;
        assert_eq!(
            alert(check_hello(&hello(&[RSA], vec![]), &c)),
            AlertDescription::HandshakeFailure
        );
        let ems = Extension::ExtendedMasterSecret;
        assert!(!check_hello(&hello(&[RSA], vec![ems]), &c).unwrap());
        // RFC 5246 §7.4.1.2: the null compression method must be there.
        let mut ch = hello(&[RSA], vec![Extension::ExtendedMasterSecret]);
        ch.legacy_compression_methods = vec![CompressionMethod::Unknown(1)];
        assert_eq!(
            alert(check_hello(&ch, &c)),
            AlertDescription::IllegalParameter
        );
    }
}
