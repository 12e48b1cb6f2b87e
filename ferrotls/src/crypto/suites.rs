//! The cipher suites this provider implements: AEAD suites only.
//!
//! A TLS 1.3 suite names only the AEAD and the HKDF hash (RFC 8446 §B.4);
//! a TLS 1.2 suite also fixes the key exchange and the authentication
//! (RFC 5288, RFC 5289, RFC 7905), and its hash is the PRF hash
//! (RFC 5246 §5, RFC 5288 §3).

use super::aead::AeadAlgorithm;
use super::hash::HashAlgorithm;
use crate::msgs::enums::{CipherSuite, ProtocolVersion};

/// How a TLS 1.2 suite agrees on the premaster secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchangeAlgorithm {
    /// ECDHE (RFC 8422 §2).
    Ecdhe,
    /// Finite-field DHE (RFC 5246 §7.4.3, RFC 7919).
    Dhe,
    /// Static RSA key transport (RFC 5246 §7.4.7.1): no forward secrecy.
    Rsa,
}

/// The key type that authenticates the server in a TLS 1.2 suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthenticationAlgorithm {
    Ecdsa,
    Rsa,
}

/// A TLS 1.3 cipher suite (RFC 8446 §B.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tls13Suite {
    pub suite: CipherSuite,
    pub hash: HashAlgorithm,
    pub aead: AeadAlgorithm,
}

/// A TLS 1.2 cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tls12Suite {
    pub suite: CipherSuite,
    /// The PRF hash (and the Finished/handshake hash).
    pub hash: HashAlgorithm,
    pub aead: AeadAlgorithm,
    pub kx: KeyExchangeAlgorithm,
    pub auth: AuthenticationAlgorithm,
}

impl Tls12Suite {
    /// Whether the suite gives forward secrecy (everything but static RSA).
    pub const fn is_forward_secret(&self) -> bool {
        !matches!(self.kx, KeyExchangeAlgorithm::Rsa)
    }
}

/// A suite of either version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SupportedSuite {
    Tls13(Tls13Suite),
    Tls12(Tls12Suite),
}

impl SupportedSuite {
    pub const fn suite(&self) -> CipherSuite {
        match self {
            Self::Tls13(s) => s.suite,
            Self::Tls12(s) => s.suite,
        }
    }

    pub const fn hash(&self) -> HashAlgorithm {
        match self {
            Self::Tls13(s) => s.hash,
            Self::Tls12(s) => s.hash,
        }
    }

    pub const fn aead(&self) -> AeadAlgorithm {
        match self {
            Self::Tls13(s) => s.aead,
            Self::Tls12(s) => s.aead,
        }
    }

    /// The only version the suite can be used with.
    pub const fn version(&self) -> ProtocolVersion {
        match self {
            Self::Tls13(_) => ProtocolVersion::TLSv1_3,
            Self::Tls12(_) => ProtocolVersion::TLSv1_2,
        }
    }

    /// The suite named by `suite`, if implemented.
    pub fn lookup(suite: CipherSuite) -> Option<Self> {
        tls13_suite(suite)
            .map(Self::Tls13)
            .or_else(|| tls12_suite(suite).map(Self::Tls12))
    }
}

const fn t13(suite: CipherSuite, hash: HashAlgorithm, aead: AeadAlgorithm) -> Tls13Suite {
    Tls13Suite { suite, hash, aead }
}

const fn t12(
    suite: CipherSuite,
    hash: HashAlgorithm,
    aead: AeadAlgorithm,
    kx: KeyExchangeAlgorithm,
    auth: AuthenticationAlgorithm,
) -> Tls12Suite {
    Tls12Suite {
        suite,
        hash,
        aead,
        kx,
        auth,
    }
}

use AeadAlgorithm::{Aes128Gcm, Aes256Gcm, Chacha20Poly1305};
use AuthenticationAlgorithm::{Ecdsa, Rsa as RsaAuth};
use HashAlgorithm::{Sha256, Sha384};
use KeyExchangeAlgorithm::{Dhe, Ecdhe, Rsa as RsaKx};

/// TLS 1.3 suites in default preference order (RFC 8446 §B.4, §9.1: the
/// AES-128-GCM suite is mandatory).
pub const TLS13_SUITES: &[Tls13Suite] = &[
    t13(CipherSuite::TLS_AES_128_GCM_SHA256, Sha256, Aes128Gcm),
    t13(CipherSuite::TLS_AES_256_GCM_SHA384, Sha384, Aes256Gcm),
    t13(
        CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
        Sha256,
        Chacha20Poly1305,
    ),
];

/// TLS 1.2 suites in default preference order: ECDHE, then DHE, static
/// RSA last (configs leave static RSA off unless asked).
pub const TLS12_SUITES: &[Tls12Suite] = &[
    // RFC 5289 §3.2 (SHA-384 suites use the SHA-384 PRF).
    t12(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        Sha256,
        Aes128Gcm,
        Ecdhe,
        Ecdsa,
    ),
    t12(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        Sha384,
        Aes256Gcm,
        Ecdhe,
        Ecdsa,
    ),
    // RFC 7905 §2.
    t12(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        Sha256,
        Chacha20Poly1305,
        Ecdhe,
        Ecdsa,
    ),
    t12(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        Sha256,
        Aes128Gcm,
        Ecdhe,
        RsaAuth,
    ),
    t12(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        Sha384,
        Aes256Gcm,
        Ecdhe,
        RsaAuth,
    ),
    t12(
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        Sha256,
        Chacha20Poly1305,
        Ecdhe,
        RsaAuth,
    ),
    // RFC 5288 §3, RFC 7905 §2.
    t12(
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        Sha256,
        Aes128Gcm,
        Dhe,
        RsaAuth,
    ),
    t12(
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        Sha384,
        Aes256Gcm,
        Dhe,
        RsaAuth,
    ),
    t12(
        CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        Sha256,
        Chacha20Poly1305,
        Dhe,
        RsaAuth,
    ),
    // RFC 5288 §3.
    t12(
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        Sha256,
        Aes128Gcm,
        RsaKx,
        RsaAuth,
    ),
    t12(
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
        Sha384,
        Aes256Gcm,
        RsaKx,
        RsaAuth,
    ),
];

pub fn tls13_suite(suite: CipherSuite) -> Option<Tls13Suite> {
    TLS13_SUITES.iter().copied().find(|s| s.suite == suite)
}

pub fn tls12_suite(suite: CipherSuite) -> Option<Tls12Suite> {
    TLS12_SUITES.iter().copied().find(|s| s.suite == suite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_aead_follow_the_suite_name() {
        for s in TLS13_SUITES
            .iter()
            .map(|s| SupportedSuite::Tls13(*s))
            .chain(TLS12_SUITES.iter().map(|s| SupportedSuite::Tls12(*s)))
        {
            let name = s.suite().iana_name().unwrap();
            let hash = if name.ends_with("SHA384") {
                Sha384
            } else {
                Sha256
            };
            assert_eq!(s.hash(), hash, "{name}");
            let aead = if name.contains("AES_128_GCM") {
                Aes128Gcm
            } else if name.contains("AES_256_GCM") {
                Aes256Gcm
            } else {
                Chacha20Poly1305
            };
            assert_eq!(s.aead(), aead, "{name}");
            assert_eq!(SupportedSuite::lookup(s.suite()), Some(s));
            if let SupportedSuite::Tls12(t) = s {
                assert_eq!(t.auth == Ecdsa, name.contains("_ECDSA_"), "{name}");
                let kx = if name.starts_with("TLS_ECDHE_") {
                    Ecdhe
                } else if name.starts_with("TLS_DHE_") {
                    Dhe
                } else {
                    RsaKx
                };
                assert_eq!(t.kx, kx, "{name}");
            }
        }
        assert_eq!(TLS12_SUITES.len(), 11);
    }

    #[test]
    fn unimplemented_suites_are_absent() {
        assert_eq!(
            SupportedSuite::lookup(CipherSuite::TLS_AES_128_CCM_SHA256),
            None
        );
        assert_eq!(
            SupportedSuite::lookup(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA),
            None
        );
        assert_eq!(
            SupportedSuite::lookup(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV),
            None
        );
        assert_eq!(
            SupportedSuite::lookup(CipherSuite::TLS_AES_256_GCM_SHA384).map(|s| s.version()),
            Some(ProtocolVersion::TLSv1_3)
        );
    }
}
