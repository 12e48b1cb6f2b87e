//! Client and server configuration: policy as data, checked in one place.
//!
//! A configuration is built once and shared by every connection through an
//! `Arc`. The defaults are what a careful deployment wants: TLS 1.3 and
//! TLS 1.2, AEAD suites only, forward-secret key exchange, SHA-1 refused,
//! middlebox compatibility on.

use std::sync::Arc;

use crate::auth::{
    ClientCertChooser, ClientCertVerifier, ServerCertResolver, ServerVerifier,
    TLS12_VERIFY_SCHEMES, TLS13_VERIFY_SCHEMES,
};
use crate::crypto::kx::KxGroup;
use crate::crypto::rand::{SecureRandom, SystemRandom};
use crate::crypto::suites::SupportedSuite;
use crate::error::LocalError;
use crate::msgs::client_hello::ClientHello;
use crate::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use crate::msgs::extensions::Extensions;
use crate::trace::{KeyLog, Observer};

/// TLS 1.3 suites in default preference order (RFC 8446 §9.1 makes
/// AES-128-GCM mandatory; ChaCha20 goes last so hardware AES is preferred).
pub const DEFAULT_TLS13_SUITES: &[CipherSuite] = &[
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
];

/// TLS 1.2 suites on by default: ECDHE with AEADs only. DHE and static RSA
/// are available but must be asked for.
pub const DEFAULT_TLS12_SUITES: &[CipherSuite] = &[
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

/// Key exchange groups in default preference order.
pub const DEFAULT_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
    NamedGroup::X25519MLKEM768,
    NamedGroup::Ffdhe2048,
    NamedGroup::Ffdhe3072,
    NamedGroup::Ffdhe4096,
];

/// The versions, suites, groups and schemes a side is willing to use.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Enabled versions (TLS 1.2 and/or TLS 1.3; RFC 8996 rules out older).
    pub versions: Vec<ProtocolVersion>,
    /// Enabled suites, in preference order.
    pub cipher_suites: Vec<CipherSuite>,
    /// Enabled key exchange groups, in preference order.
    pub groups: Vec<NamedGroup>,
    /// Signature schemes accepted from the peer, in preference order
    /// (sent in signature_algorithms).
    pub signature_schemes: Vec<SignatureScheme>,
    /// ALPN protocols (RFC 7301), in preference order; empty for none.
    pub alpn_protocols: Vec<Vec<u8>>,
}

impl Default for Policy {
    fn default() -> Self {
        let mut signature_schemes = TLS13_VERIFY_SCHEMES.to_vec();
        for s in TLS12_VERIFY_SCHEMES {
            if !signature_schemes.contains(s) {
                signature_schemes.push(*s);
            }
        }
        Self {
            versions: vec![ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2],
            cipher_suites: DEFAULT_TLS13_SUITES
                .iter()
                .chain(DEFAULT_TLS12_SUITES)
                .copied()
                .collect(),
            groups: DEFAULT_GROUPS.to_vec(),
            signature_schemes,
            alpn_protocols: Vec::new(),
        }
    }
}

impl Policy {
    /// Whether `version` is enabled.
    pub fn supports(&self, version: ProtocolVersion) -> bool {
        self.versions.contains(&version)
    }

    /// Enabled suites of one version, in preference order.
    pub fn suites_for(
        &self,
        version: ProtocolVersion,
    ) -> impl Iterator<Item = SupportedSuite> + '_ {
        self.cipher_suites
            .iter()
            .filter_map(|s| SupportedSuite::lookup(*s))
            .filter(move |s| s.version() == version)
    }

    /// Enabled groups the provider implements, in preference order.
    pub fn kx_groups(&self) -> impl Iterator<Item = KxGroup> + '_ {
        self.groups
            .iter()
            .filter_map(|g| KxGroup::from_named_group(*g))
    }

    /// Checks the policy can work at all.
    pub fn validate(&self) -> Result<(), LocalError> {
        let config = |what: &str| LocalError::Config { what: what.into() };
        if self.versions.is_empty() {
            return Err(config("no protocol version enabled"));
        }
        if let Some(v) = self
            .versions
            .iter()
            .find(|v| !matches!(v, ProtocolVersion::TLSv1_2 | ProtocolVersion::TLSv1_3))
        {
            return Err(LocalError::Config {
                what: format!("{v} is not supported (RFC 8996)"),
            });
        }
        for v in &self.versions {
            if self.suites_for(*v).next().is_none() {
                return Err(LocalError::Config {
                    what: format!("no cipher suite enabled for {v}"),
                });
            }
        }
        if self.kx_groups().next().is_none() {
            return Err(config("no key exchange group enabled"));
        }
        if self.signature_schemes.is_empty() {
            return Err(config("no signature scheme enabled"));
        }
        if self
            .alpn_protocols
            .iter()
            .any(|p| p.is_empty() || p.len() > 255)
        {
            return Err(config(
                "ALPN protocol names are 1 to 255 bytes (RFC 7301 §3.1)",
            ));
        }
        Ok(())
    }
}

/// Things a connection reports to and draws from, shared by both sides.
#[derive(Clone)]
pub struct Hooks {
    /// Where secrets go for packet-capture tools (NSS key log format).
    pub keylog: Option<Arc<dyn KeyLog>>,
    /// Receives every handshake event.
    pub observer: Option<Arc<dyn Observer>>,
    /// Randomness and ephemeral keys (tests inject fixed values here).
    pub rng: Arc<dyn SecureRandom>,
}

impl Default for Hooks {
    fn default() -> Self {
        Self {
            keylog: None,
            observer: None,
            rng: Arc::new(SystemRandom),
        }
    }
}

impl core::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hooks")
            .field("keylog", &self.keylog.is_some())
            .field("observer", &self.observer.is_some())
            .field("rng", &self.rng)
            .finish()
    }
}

/// An advanced option: a function that rewrites a handshake message's
/// content just before it is sent, e.g. to add extensions ferrotls does
/// not send by default or to reorder them to match a fingerprint (see
/// [`HelloRewrite`] and [`ServerConfig::encrypted_extensions`]).
pub struct Rewrite<T>(Arc<dyn Fn(&mut T) + Send + Sync>);

impl<T> Rewrite<T> {
    pub fn new(rewrite: impl Fn(&mut T) + Send + Sync + 'static) -> Self {
        Self(Arc::new(rewrite))
    }

    /// Applies the rewrite to `value`.
    pub fn apply(&self, value: &mut T) {
        (self.0)(value);
    }
}

impl<T> Clone for Rewrite<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> core::fmt::Debug for Rewrite<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Rewrite")
    }
}

/// Rewrites each ClientHello (the first, and the second after a
/// HelloRetryRequest) just before it is sent. The function sees the hello
/// ferrotls built and may change it freely, except that it may not add
/// `pre_shared_key` or `early_data` (ferrotls holds no PSK; such a hello is
/// refused with a configuration error). The rewritten hello is what is
/// sent, hashed and checked against, and the client still only accepts
/// what it implements: a server that picks an added suite, group or key
/// share ferrotls cannot use gets the alert RFC 8446 prescribes. The
/// second ClientHello is recognisable by its `cookie` or changed key share.
pub type HelloRewrite = Rewrite<ClientHello>;

/// Servers whose sessions a client's default session store keeps.
pub const DEFAULT_CLIENT_SESSION_SERVERS: usize = 256;

/// How a client behaves.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub policy: Policy,
    /// Checks the server's chain, name and CertificateVerify signature
    /// (usually a [`crate::auth::ServerCertVerifier`]).
    pub verifier: Arc<dyn ServerVerifier>,
    /// Our certificates for servers that ask (mutual authentication).
    pub client_auth: Option<Arc<ClientCertChooser>>,
    /// Groups to send key shares for in the first ClientHello (RFC 8446
    /// §4.2.8); each must be in `policy.groups`. Other groups are reached
    /// through HelloRetryRequest.
    pub key_share_groups: Vec<NamedGroup>,
    /// Send the server name (RFC 6066 §3) when connecting by DNS name.
    pub enable_sni: bool,
    /// RFC 8446 §D.4 middlebox compatibility mode: a legacy session ID and
    /// a ChangeCipherSpec before the second flight.
    pub middlebox_compat: bool,
    /// Rewrites each ClientHello before it is sent (off by default); see
    /// [`HelloRewrite`].
    pub hello_extensions: Option<HelloRewrite>,
    /// TLS 1.2: refuse a server that does not answer extended_master_secret
    /// (RFC 7627 §5.2 lets a client abort with handshake_failure). Off by
    /// default; the extension is always offered.
    pub require_extended_master_secret: bool,
    /// Sessions kept per server name and offered again (TLS 1.2 session
    /// IDs and RFC 5077 tickets); `None` turns resumption off. Connections
    /// sharing the config share the store.
    pub sessions: Option<Arc<crate::session::ClientSessionStore>>,
    pub hooks: Hooks,
}

impl ClientConfig {
    /// Defaults, verifying servers with `verifier`.
    pub fn new(verifier: Arc<dyn ServerVerifier>) -> Self {
        Self {
            policy: Policy::default(),
            verifier,
            client_auth: None,
            key_share_groups: vec![NamedGroup::X25519],
            enable_sni: true,
            middlebox_compat: true,
            hello_extensions: None,
            require_extended_master_secret: false,
            sessions: Some(Arc::new(crate::session::ClientSessionStore::new(
                DEFAULT_CLIENT_SESSION_SERVERS,
                4,
                Arc::new(crate::session::SystemClock),
            ))),
            hooks: Hooks::default(),
        }
    }

    /// Checks the configuration can work.
    pub fn validate(&self) -> Result<(), LocalError> {
        self.policy.validate()?;
        if let Some(g) = self
            .key_share_groups
            .iter()
            .find(|g| !self.policy.groups.contains(g))
        {
            return Err(LocalError::Config {
                what: format!("key share group {g} is not enabled"),
            });
        }
        Ok(())
    }
}

/// Sessions a server's default session-ID cache holds.
pub const DEFAULT_SESSION_CACHE_SIZE: usize = 1024;

/// How a server behaves.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub policy: Policy,
    /// Picks our certificate by SNI and the client's signature schemes.
    pub certificates: Arc<ServerCertResolver>,
    /// Asks for and checks client certificates when set.
    pub client_verifier: Option<Arc<ClientCertVerifier>>,
    /// Choose suites and groups by our order rather than the client's.
    pub prefer_server_order: bool,
    /// Keep no state across a HelloRetryRequest: the first ClientHello's
    /// hash travels in an authenticated cookie (RFC 8446 §4.2.2).
    pub stateless_retry: bool,
    /// Authenticates the stateless retry cookies; servers sharing one key
    /// accept each other's cookies (random per configuration by default).
    pub retry_cookie_key: Arc<crate::server::cookie::CookieKey>,
    /// Rewrites the extensions of the TLS 1.3 EncryptedExtensions just
    /// before they are sent (off by default). Whatever the rewrite adds is
    /// only announced, never acted on: it must not claim what the server
    /// does not do.
    pub encrypted_extensions: Option<Rewrite<Extensions>>,
    /// Rewrites the extensions of a HelloRetryRequest before it is sent
    /// (off by default), e.g. to add a `cookie` a stateful server does not
    /// need (RFC 8446 §4.2.2: the client echoes it; ferrotls ignores it).
    /// It must be deterministic, and keep the group, the version and (with
    /// `stateless_retry`) the server's own cookie: a stateless server
    /// rebuilds the HelloRetryRequest for the transcript.
    pub hello_retry_extensions: Option<Rewrite<Extensions>>,
    /// TLS 1.2: refuse clients that do not offer extended_master_secret
    /// (RFC 7627 §5.3) with `handshake_failure`. Off by default: the
    /// extension is always used when the client offers it.
    pub require_extended_master_secret: bool,
    /// TLS 1.2 static RSA key transport (`TLS_RSA_WITH_*`, no forward
    /// secrecy): the certificate and key those suites use. Off (`None`)
    /// by default; the suites must also be enabled in `policy`.
    pub static_rsa: Option<Arc<crate::server::StaticRsaKey>>,
    /// TLS 1.2 session-ID cache (RFC 5246 §7.4.1.2); shared by every
    /// connection of this config and its clones. `None`: no session IDs.
    pub session_cache: Option<Arc<crate::session::SessionIdCache>>,
    /// Keys that seal TLS 1.2 session tickets (RFC 5077); `None` turns
    /// tickets off, so TLS 1.2 resumption uses session IDs only.
    pub ticket_keys: Option<Arc<crate::session::TicketKeys>>,
    /// The time sessions are stamped with and checked against.
    pub session_clock: Arc<dyn crate::session::Clock>,
    pub hooks: Hooks,
}

impl ServerConfig {
    /// Defaults, serving the certificates of `certificates`.
    pub fn new(certificates: Arc<ServerCertResolver>) -> Self {
        Self {
            policy: Policy::default(),
            certificates,
            client_verifier: None,
            prefer_server_order: true,
            stateless_retry: false,
            retry_cookie_key: Arc::default(),
            encrypted_extensions: None,
            hello_retry_extensions: None,
            require_extended_master_secret: false,
            static_rsa: None,
            session_cache: Some(Arc::new(crate::session::SessionIdCache::new(
                DEFAULT_SESSION_CACHE_SIZE,
                u64::from(crate::session::stored::TLS12_SUGGESTED_LIFETIME),
                Arc::new(crate::session::SystemClock),
            ))),
            ticket_keys: crate::session::TicketKeys::new(
                crate::session::TicketKeyPolicy::default(),
                Arc::new(SystemRandom),
                Arc::new(crate::session::SystemClock),
            )
            .ok()
            .map(Arc::new),
            session_clock: Arc::new(crate::session::SystemClock),
            hooks: Hooks::default(),
        }
    }

    /// Checks the configuration can work.
    pub fn validate(&self) -> Result<(), LocalError> {
        self.policy.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_valid_and_modern() {
        let p = Policy::default();
        p.validate().unwrap();
        assert!(p.supports(ProtocolVersion::TLSv1_3));
        assert_eq!(p.suites_for(ProtocolVersion::TLSv1_3).count(), 3);
        assert!(p
            .cipher_suites
            .iter()
            .all(|s| !s.to_string().starts_with("TLS_RSA_")));
        assert!(!p.signature_schemes.contains(&SignatureScheme::RsaPkcs1Sha1));
    }

    #[test]
    fn broken_policies_are_refused() {
        let mut p = Policy {
            versions: vec![ProtocolVersion::TLSv1_1],
            ..Policy::default()
        };
        assert!(p.validate().is_err());
        p.versions = vec![ProtocolVersion::TLSv1_3];
        p.cipher_suites = DEFAULT_TLS12_SUITES.to_vec();
        assert!(p.validate().is_err());
        p.cipher_suites = DEFAULT_TLS13_SUITES.to_vec();
        p.groups = vec![NamedGroup::Unknown(0x1234)];
        assert!(p.validate().is_err());
        p.groups = DEFAULT_GROUPS.to_vec();
        p.alpn_protocols = vec![vec![]];
        assert!(p.validate().is_err());
    }
}
