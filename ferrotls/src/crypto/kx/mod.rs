//! Key exchange groups: x25519, secp256r1, secp384r1, X25519MLKEM768 and
//! the RFC 7919 finite-field groups, plus TLS 1.2 DHE over a group the
//! server chose.
//!
//! Two shapes of exchange:
//! - [`KxGroup::start`] makes an ephemeral key whose public share is sent
//!   first; [`ActiveKeyExchange::complete`] takes the peer's share (TLS 1.3
//!   clients, both TLS 1.2 sides).
//! - [`KxGroup::accept`] answers a share in one step (TLS 1.3 servers), the
//!   only shape a KEM allows.

mod ecdh;
mod ffdhe;
mod ffdhe_primes;
mod hybrid;
pub mod rsa;

use zeroize::Zeroizing;

use crate::crypto::rand::SecureRandom;
use crate::error::CryptoError;
use crate::msgs::enums::NamedGroup;

pub use ffdhe::MAX_DH_BITS;

/// The result of a key exchange; zeroized on drop, `Debug` shows the length.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedSecret(Zeroizing<Vec<u8>>);

impl SharedSecret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    fn concat(a: &[u8], b: &[u8]) -> Self {
        let mut v = Zeroizing::new(Vec::with_capacity(a.len() + b.len()));
        v.extend_from_slice(a);
        v.extend_from_slice(b);
        Self(v)
    }

    /// The secret: the IKM of the TLS 1.3 handshake secret (RFC 8446 §7.1)
    /// or the TLS 1.2 pre_master_secret (RFC 5246 §8.1).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// RFC 5246 §8.1.2: for TLS 1.2 DHE, "Leading bytes of Z that contain
    /// all zero bits are stripped before it is used as the
    /// pre_master_secret".
    fn strip_leading_zeros(self) -> Self {
        let first = self.0.iter().position(|b| *b != 0).unwrap_or(self.0.len());
        Self::new(self.0.get(first..).unwrap_or_default().to_vec())
    }
}

impl core::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SharedSecret({} bytes)", self.0.len())
    }
}

/// A named group this provider implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KxGroup {
    X25519,
    Secp256r1,
    Secp384r1,
    X25519MlKem768,
    Ffdhe2048,
    Ffdhe3072,
    Ffdhe4096,
}

enum Kind {
    Ec(ecdh::Curve),
    Hybrid,
    Ff(ffdhe::NamedFfdhe),
}

impl KxGroup {
    /// Every group, in a sensible default preference order.
    pub const ALL: &'static [Self] = &[
        Self::X25519MlKem768,
        Self::X25519,
        Self::Secp256r1,
        Self::Secp384r1,
        Self::Ffdhe2048,
        Self::Ffdhe3072,
        Self::Ffdhe4096,
    ];

    pub fn from_named_group(group: NamedGroup) -> Option<Self> {
        Self::ALL.iter().copied().find(|g| g.named_group() == group)
    }

    pub const fn named_group(self) -> NamedGroup {
        match self {
            Self::X25519 => NamedGroup::X25519,
            Self::Secp256r1 => NamedGroup::Secp256r1,
            Self::Secp384r1 => NamedGroup::Secp384r1,
            Self::X25519MlKem768 => NamedGroup::X25519MLKEM768,
            Self::Ffdhe2048 => NamedGroup::Ffdhe2048,
            Self::Ffdhe3072 => NamedGroup::Ffdhe3072,
            Self::Ffdhe4096 => NamedGroup::Ffdhe4096,
        }
    }

    const fn kind(self) -> Kind {
        match self {
            Self::X25519 => Kind::Ec(ecdh::Curve::X25519),
            Self::Secp256r1 => Kind::Ec(ecdh::Curve::P256),
            Self::Secp384r1 => Kind::Ec(ecdh::Curve::P384),
            Self::X25519MlKem768 => Kind::Hybrid,
            Self::Ffdhe2048 => Kind::Ff(ffdhe::NamedFfdhe::Ffdhe2048),
            Self::Ffdhe3072 => Kind::Ff(ffdhe::NamedFfdhe::Ffdhe3072),
            Self::Ffdhe4096 => Kind::Ff(ffdhe::NamedFfdhe::Ffdhe4096),
        }
    }

    pub const fn name(self) -> &'static str {
        match self.kind() {
            Kind::Ec(c) => c.name(),
            Kind::Hybrid => "X25519MLKEM768",
            Kind::Ff(f) => f.name(),
        }
    }

    /// Finite-field groups (RFC 7919): in TLS 1.2 they go with the DHE
    /// suites, the others with ECDHE.
    pub const fn is_ffdhe(self) -> bool {
        matches!(self.kind(), Kind::Ff(_))
    }

    /// Whether the group exists in TLS 1.2: the hybrid is TLS 1.3 only
    /// (draft-ietf-tls-ecdhe-mlkem).
    pub const fn usable_in_tls12(self) -> bool {
        !matches!(self.kind(), Kind::Hybrid)
    }

    /// The exact length of a well-formed key share from a client (or from
    /// either side for the non-KEM groups), RFC 8446 §4.2.8.
    pub fn client_share_len(self) -> usize {
        match self.kind() {
            Kind::Ec(c) => c.public_len(),
            Kind::Hybrid => hybrid::CLIENT_SHARE_LEN,
            Kind::Ff(f) => f.prime().len(),
        }
    }

    /// The exact length of a well-formed key share from a server.
    pub fn server_share_len(self) -> usize {
        match self.kind() {
            Kind::Hybrid => hybrid::SERVER_SHARE_LEN,
            _ => self.client_share_len(),
        }
    }

    /// Starts an exchange with a fresh ephemeral key drawn from `rng`.
    pub fn start(self, rng: &dyn SecureRandom) -> Result<ActiveKeyExchange, CryptoError> {
        let inner = match self.kind() {
            Kind::Ec(c) => Inner::Ec(ecdh::EcdhKey::generate(c, rng)?),
            Kind::Hybrid => Inner::Hybrid(Box::new(hybrid::HybridKey::generate(rng)?)),
            Kind::Ff(f) => Inner::Ff(ffdhe::DhKey::generate(f.group(), rng)?),
        };
        Ok(ActiveKeyExchange { group: self, inner })
    }

    /// For tests: starts with a fixed private key, e.g. the RFC 8448 ones.
    /// x25519 takes its 32 RFC 7748 bytes, the NIST curves a big-endian
    /// scalar of the field size, FFDHE a big-endian exponent, and the
    /// hybrid the x25519 half (its ML-KEM half is always fresh).
    pub fn start_with_private_key(self, private: &[u8]) -> Result<ActiveKeyExchange, CryptoError> {
        let inner = match self.kind() {
            Kind::Ec(c) => Inner::Ec(ecdh::EcdhKey::from_private_key(c, private)?),
            Kind::Hybrid => Inner::Hybrid(Box::new(hybrid::HybridKey::with_x25519_private_key(
                private,
            )?)),
            Kind::Ff(f) => Inner::Ff(ffdhe::DhKey::from_private_key(f.group(), private)?),
        };
        Ok(ActiveKeyExchange { group: self, inner })
    }

    /// A TLS 1.3 server's answer to `client_share`: its own share and the
    /// shared secret.
    pub fn accept(
        self,
        client_share: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<(Vec<u8>, SharedSecret), CryptoError> {
        match self.kind() {
            Kind::Hybrid => hybrid::accept(client_share, rng),
            _ => {
                let kx = self.start(rng)?;
                let share = kx.public_share().to_vec();
                let secret = kx.complete(client_share)?;
                Ok((share, secret))
            }
        }
    }
}

enum Inner {
    Ec(ecdh::EcdhKey),
    Hybrid(Box<hybrid::HybridKey>),
    Ff(ffdhe::DhKey),
}

/// An exchange in progress: our private key, waiting for the peer's share.
pub struct ActiveKeyExchange {
    group: KxGroup,
    inner: Inner,
}

impl core::fmt::Debug for ActiveKeyExchange {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ActiveKeyExchange")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl ActiveKeyExchange {
    pub fn group(&self) -> KxGroup {
        self.group
    }

    /// Our share: the `key_exchange` of a KeyShareEntry (RFC 8446 §4.2.8),
    /// or the TLS 1.2 ECDHE point / dh_Ys / dh_Yc. FFDHE values are
    /// left-padded to the size of p.
    pub fn public_share(&self) -> &[u8] {
        match &self.inner {
            Inner::Ec(k) => k.public(),
            Inner::Hybrid(k) => k.public(),
            Inner::Ff(k) => k.public(),
        }
    }

    /// Completes a TLS 1.3 exchange. Malformed or invalid peer shares are
    /// [`CryptoError::InvalidPeerKey`] (illegal_parameter). FFDHE shares
    /// must be padded to the size of p and the secret is padded likewise
    /// (RFC 8446 §4.2.8.1, §7.4.1).
    pub fn complete(self, peer_share: &[u8]) -> Result<SharedSecret, CryptoError> {
        match &self.inner {
            Inner::Ec(k) => k.agree(peer_share),
            Inner::Hybrid(k) => k.complete(peer_share),
            Inner::Ff(k) => k.agree(peer_share, true),
        }
    }

    /// Completes a TLS 1.2 exchange and returns the pre_master_secret:
    /// the ECDH x-coordinate unchanged (RFC 8422 §5.10), the DH value with
    /// its leading zero bytes stripped (RFC 5246 §8.1.2). The peer's DH
    /// value need not be padded.
    pub fn complete_tls12(self, peer_share: &[u8]) -> Result<SharedSecret, CryptoError> {
        match &self.inner {
            Inner::Ec(k) => k.agree(peer_share),
            Inner::Hybrid(_) => Err(CryptoError::InvalidKey {
                what: "X25519MLKEM768 is not a TLS 1.2 group",
            }),
            Inner::Ff(k) => Ok(k.agree(peer_share, false)?.strip_leading_zeros()),
        }
    }
}

/// The client side of TLS 1.2 DHE with the server's own group (RFC 5246
/// §7.4.3 ServerDHParams: dh_p, dh_g, dh_Ys).
///
/// Refuses p shorter than `min_p_bits` with [`CryptoError::WeakDhGroup`]
/// (the caller's policy; RFC 7919 §3.1 suggests at least 2048), and
/// invalid p, g or Ys with [`CryptoError::InvalidPeerKey`]. Returns dh_Yc
/// (padded to the length of p) and the pre_master_secret with leading
/// zeros stripped (RFC 5246 §8.1.2).
pub fn dhe_client_custom(
    p: &[u8],
    g: &[u8],
    server_public: &[u8],
    min_p_bits: usize,
    rng: &dyn SecureRandom,
) -> Result<(Vec<u8>, SharedSecret), CryptoError> {
    let group = ffdhe::DhGroup::custom(p, g)?;
    if group.p_bits() < min_p_bits {
        return Err(CryptoError::WeakDhGroup {
            bits: group.p_bits(),
            min_bits: min_p_bits,
        });
    }
    let key = ffdhe::DhKey::generate(group, rng)?;
    let secret = key.agree(server_public, false)?.strip_leading_zeros();
    Ok((key.public().to_vec(), secret))
}

/// The prime of a named RFC 7919 group (big-endian), for a TLS 1.2 server
/// writing ServerDHParams; `None` for other groups. The generator is 2.
pub fn ffdhe_prime(group: KxGroup) -> Option<Vec<u8>> {
    match group.kind() {
        Kind::Ff(f) => Some(f.prime()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::rand::SystemRandom;

    #[test]
    fn every_group_agrees_both_ways() {
        for &g in KxGroup::ALL {
            assert_eq!(KxGroup::from_named_group(g.named_group()), Some(g));
            let client = g.start(&SystemRandom).unwrap();
            assert_eq!(client.public_share().len(), g.client_share_len());
            let (server_share, server_secret) =
                g.accept(client.public_share(), &SystemRandom).unwrap();
            assert_eq!(server_share.len(), g.server_share_len());
            let client_secret = client.complete(&server_share).unwrap();
            assert_eq!(client_secret, server_secret, "{}", g.name());
        }
    }

    #[test]
    fn tls12_ffdhe_strips_and_matches() {
        let a = KxGroup::Ffdhe2048.start(&SystemRandom).unwrap();
        let b = KxGroup::Ffdhe2048.start(&SystemRandom).unwrap();
        let (a_pub, b_pub) = (a.public_share().to_vec(), b.public_share().to_vec());
        let sa = a.complete_tls12(&b_pub).unwrap();
        let sb = b.complete_tls12(&a_pub).unwrap();
        assert_eq!(sa, sb);
        assert_ne!(sa.expose().first(), Some(&0));
        let c = KxGroup::Ffdhe2048.start(&SystemRandom).unwrap();
        assert!(matches!(
            c.complete(&[]).unwrap_err(),
            CryptoError::InvalidPeerKey { .. }
        ));
    }

    #[test]
    fn unknown_groups_are_none() {
        assert_eq!(KxGroup::from_named_group(NamedGroup::X448), None);
        assert_eq!(KxGroup::from_named_group(NamedGroup::Unknown(0x0a0a)), None);
        assert!(!KxGroup::X25519MlKem768.usable_in_tls12());
        assert!(KxGroup::Ffdhe3072.is_ffdhe());
    }
}
