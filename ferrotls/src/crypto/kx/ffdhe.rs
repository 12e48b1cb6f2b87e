//! Finite-field Diffie-Hellman: the RFC 7919 named groups (TLS 1.3 and
//! TLS 1.2 DHE) and the arbitrary groups a TLS 1.2 server may send in
//! ServerDHParams (RFC 5246 §7.4.3).
//!
//! aws-lc-rs has no FFDHE; the exponentiation is crypto-bigint's
//! constant-time Montgomery ladder over a fixed-width integer chosen by the
//! size of p.

use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Uint, U2048, U3072, U4096, U6144, U8192};
use zeroize::{Zeroize, Zeroizing};

use super::ffdhe_primes::{FFDHE2048_P, FFDHE3072_P, FFDHE4096_P};
use super::SharedSecret;
use crate::crypto::rand::SecureRandom;
use crate::error::CryptoError;

/// The largest p handled (bits): the size of ffdhe8192, the largest group
/// RFC 7919 names.
pub const MAX_DH_BITS: usize = 8192;

/// A named RFC 7919 group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NamedFfdhe {
    Ffdhe2048,
    Ffdhe3072,
    Ffdhe4096,
}

impl NamedFfdhe {
    pub(super) const fn name(self) -> &'static str {
        match self {
            Self::Ffdhe2048 => "ffdhe2048",
            Self::Ffdhe3072 => "ffdhe3072",
            Self::Ffdhe4096 => "ffdhe4096",
        }
    }

    /// Private exponent length in bits. RFC 7919 §5.2 allows short
    /// exponents, and Appendix A gives the floor per group: at least 225
    /// bits for ffdhe2048, 275 for ffdhe3072, 325 for ffdhe4096.
    const fn exponent_bits(self) -> usize {
        match self {
            Self::Ffdhe2048 => 256,
            Self::Ffdhe3072 => 320,
            Self::Ffdhe4096 => 384,
        }
    }

    /// p in bytes (RFC 7919 Appendix A).
    pub(super) fn prime(self) -> Vec<u8> {
        decode_hex(match self {
            Self::Ffdhe2048 => FFDHE2048_P,
            Self::Ffdhe3072 => FFDHE3072_P,
            Self::Ffdhe4096 => FFDHE4096_P,
        })
    }

    pub(super) fn group(self) -> DhGroup {
        DhGroup {
            name: self.name(),
            p: self.prime(),
            g: vec![2],
            exponent_bits: self.exponent_bits(),
        }
    }
}

/// Decodes the trusted hex constants of `ffdhe_primes`.
fn decode_hex(hex: &str) -> Vec<u8> {
    let digits: Vec<u8> = hex
        .chars()
        .filter_map(|c| c.to_digit(16))
        .filter_map(|d| u8::try_from(d).ok())
        .collect();
    digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => (hi << 4) | lo,
            _ => 0,
        })
        .collect()
}

/// A Diffie-Hellman group: prime p, generator g, private exponent size.
#[derive(Clone, Debug)]
pub(super) struct DhGroup {
    name: &'static str,
    p: Vec<u8>,
    g: Vec<u8>,
    exponent_bits: usize,
}

fn strip_zeros(v: &[u8]) -> &[u8] {
    let first = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    v.get(first..).unwrap_or_default()
}

/// Big-endian comparison of unsigned integers of any length.
fn cmp_be(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    let (a, b) = (strip_zeros(a), strip_zeros(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn bit_len(v: &[u8]) -> usize {
    let v = strip_zeros(v);
    match v.first() {
        Some(top) => v.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    }
}

impl DhGroup {
    /// A server-chosen group (RFC 5246 §7.4.3 ServerDHParams). p must be
    /// odd and at most [`MAX_DH_BITS`]; 1 < g < p-1. Being prime is not
    /// checked (RFC 7919 §5.1: that needs a primality test and the
    /// factors of p-1), which is why RFC 7919 groups are preferred.
    pub(super) fn custom(p: &[u8], g: &[u8]) -> Result<Self, CryptoError> {
        let invalid = CryptoError::InvalidPeerKey { group: "DHE" };
        let p = strip_zeros(p);
        let bits = bit_len(p);
        if !(3..=MAX_DH_BITS).contains(&bits) || p.last().is_none_or(|b| b & 1 == 0) {
            return Err(invalid);
        }
        let group = Self {
            name: "DHE",
            p: p.to_vec(),
            g: strip_zeros(g).to_vec(),
            // Unknown group order: a full-size exponent (RFC 7919 §5.2's
            // short exponents rely on the known structure of its groups).
            exponent_bits: bits - 1,
        };
        group.check_element(&group.g)?;
        Ok(group)
    }

    pub(super) fn p_bits(&self) -> usize {
        bit_len(&self.p)
    }

    pub(super) fn p_len(&self) -> usize {
        self.p.len()
    }

    /// RFC 7919 §5.1: "Peers MUST validate each other's public key Y ...
    /// by ensuring that 1 < Y < p-1" (else illegal_parameter).
    fn check_element(&self, y: &[u8]) -> Result<(), CryptoError> {
        let mut p_minus_1 = self.p.clone();
        // p is odd, so p-1 only clears the lowest bit.
        if let Some(last) = p_minus_1.last_mut() {
            *last &= 0xfe;
        }
        let above_one = cmp_be(y, &[1]).is_gt();
        let below_p_minus_1 = cmp_be(y, &p_minus_1).is_lt();
        if above_one && below_p_minus_1 {
            Ok(())
        } else {
            Err(CryptoError::InvalidPeerKey { group: self.name })
        }
    }
}

/// An ephemeral DH private exponent with its public value g^x mod p.
pub(super) struct DhKey {
    group: DhGroup,
    x: Zeroizing<Vec<u8>>,
    public: Vec<u8>,
}

impl DhKey {
    /// x is drawn with exactly `exponent_bits` bits (top bit set), so the
    /// time of the exponentiation does not depend on its value.
    pub(super) fn generate(group: DhGroup, rng: &dyn SecureRandom) -> Result<Self, CryptoError> {
        let bits = group.exponent_bits;
        let mut x = Zeroizing::new(vec![0u8; bits.div_ceil(8)]);
        rng.fill(&mut x)?;
        if let Some(top) = x.first_mut() {
            let used = bits - (bits.div_ceil(8) - 1) * 8; // 1..=8 bits in the top byte
            let mask = u8::MAX >> (8 - used);
            *top = (*top & mask) | (1 << (used - 1));
        }
        Self::from_private_key(group, &x)
    }

    /// The key with private exponent `x` (big-endian); 0 < x < p.
    pub(super) fn from_private_key(group: DhGroup, x: &[u8]) -> Result<Self, CryptoError> {
        if bit_len(x) == 0 || cmp_be(x, &group.p).is_ge() {
            return Err(CryptoError::InvalidKey {
                what: "DH private exponent",
            });
        }
        let x = Zeroizing::new(x.to_vec());
        let public = modpow(&group.g, &x, group.exponent_bits.max(bit_len(&x)), &group.p)?;
        Ok(Self {
            public: public.to_vec(),
            group,
            x,
        })
    }

    /// g^x mod p, left-padded to the size of p (RFC 8446 §4.2.8.1).
    pub(super) fn public(&self) -> &[u8] {
        &self.public
    }

    /// Z = Y^x mod p, left-padded to the size of p: RFC 8446 §7.4.1 "the
    /// negotiated key (Z) is converted to a byte string by encoding in
    /// big-endian form and left-padded with zeros up to the size of the
    /// prime". `exact_len` requires the peer's Y to be padded to the size
    /// of p as well (TLS 1.3 key_share, §4.2.8.1); TLS 1.2 dh_Yc/dh_Ys may
    /// be shorter.
    pub(super) fn agree(&self, peer: &[u8], exact_len: bool) -> Result<SharedSecret, CryptoError> {
        let invalid = CryptoError::InvalidPeerKey {
            group: self.group.name,
        };
        if peer.len() > self.group.p_len() || (exact_len && peer.len() != self.group.p_len()) {
            return Err(invalid);
        }
        self.group.check_element(peer)?;
        let z = modpow(
            peer,
            &self.x,
            self.group.exponent_bits.max(bit_len(&self.x)),
            &self.group.p,
        )?;
        Ok(SharedSecret::new(z.to_vec()))
    }
}

/// base^exp mod p as a big-endian string of p's length.
fn modpow(
    base: &[u8],
    exp: &[u8],
    exp_bits: usize,
    p: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    match p.len() {
        0..=256 => modpow_fixed::<{ U2048::LIMBS }>(base, exp, exp_bits, p),
        257..=384 => modpow_fixed::<{ U3072::LIMBS }>(base, exp, exp_bits, p),
        385..=512 => modpow_fixed::<{ U4096::LIMBS }>(base, exp, exp_bits, p),
        513..=768 => modpow_fixed::<{ U6144::LIMBS }>(base, exp, exp_bits, p),
        769..=1024 => modpow_fixed::<{ U8192::LIMBS }>(base, exp, exp_bits, p),
        _ => Err(CryptoError::InvalidKey {
            what: "DH prime too large",
        }),
    }
}

/// Reads a big-endian string into a `Uint<L>`, left-padding it.
fn to_uint<const L: usize>(bytes: &[u8]) -> Result<Uint<L>, CryptoError> {
    let width = Uint::<L>::BYTES;
    let bytes = strip_zeros(bytes);
    let pad = width
        .checked_sub(bytes.len())
        .ok_or(CryptoError::Internal {
            what: "DH value wider than its integer",
        })?;
    let mut buf = Zeroizing::new(vec![0u8; width]);
    if let Some(dst) = buf.get_mut(pad..) {
        dst.copy_from_slice(bytes);
    }
    Ok(Uint::from_be_slice(&buf))
}

fn modpow_fixed<const L: usize>(
    base: &[u8],
    exp: &[u8],
    exp_bits: usize,
    p: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let modulus = to_uint::<L>(p)?;
    if p.last().is_none_or(|b| b & 1 == 0) {
        // Montgomery reduction needs an odd modulus; checked so `new` cannot fail.
        return Err(CryptoError::InvalidKey {
            what: "even DH prime",
        });
    }
    let params = DynResidueParams::new(&modulus);
    let b = DynResidue::new(&to_uint::<L>(base)?, params);
    let mut e = to_uint::<L>(exp)?;
    let mut r = b.pow_bounded_exp(&e, exp_bits).retrieve();
    e.as_words_mut().zeroize();

    let mut out = Zeroizing::new(Vec::with_capacity(Uint::<L>::BYTES));
    for w in r.as_words().iter().rev() {
        out.extend_from_slice(&w.to_be_bytes());
    }
    r.as_words_mut().zeroize();
    let start = out
        .len()
        .checked_sub(p.len())
        .ok_or(CryptoError::Internal {
            what: "DH result width",
        })?;
    let trimmed = Zeroizing::new(out.get(start..).unwrap_or_default().to_vec());
    Ok(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::rand::SystemRandom;

    #[test]
    fn named_primes_have_their_size() {
        for (g, bits) in [
            (NamedFfdhe::Ffdhe2048, 2048),
            (NamedFfdhe::Ffdhe3072, 3072),
            (NamedFfdhe::Ffdhe4096, 4096),
        ] {
            let p = g.prime();
            assert_eq!(p.len() * 8, bits);
            assert_eq!(bit_len(&p), bits);
            assert!(p.starts_with(&[0xff; 8]) && p.ends_with(&[0xff; 8]));
        }
    }

    #[test]
    fn small_group_arithmetic() {
        // p = 23, g = 5: 5^6 mod 23 = 8, 5^15 mod 23 = 19, 19^6 = 8^15 = 2.
        let g = DhGroup::custom(&[23], &[5]).unwrap();
        let a = DhKey::from_private_key(g.clone(), &[6]).unwrap();
        let b = DhKey::from_private_key(g, &[15]).unwrap();
        assert_eq!(a.public(), [8]);
        assert_eq!(b.public(), [19]);
        assert_eq!(a.agree(b.public(), true).unwrap().expose(), [2]);
        assert_eq!(b.agree(a.public(), true).unwrap().expose(), [2]);
    }

    #[test]
    fn peer_value_range() {
        let g = DhGroup::custom(&[23], &[5]).unwrap();
        let a = DhKey::from_private_key(g, &[6]).unwrap();
        for bad in [&[0u8][..], &[1], &[22], &[23], &[24], &[0, 2], &[]] {
            assert!(a.agree(bad, false).is_err(), "{bad:?}");
        }
        assert!(a.agree(&[2], false).is_ok());
        assert!(a.agree(&[21], false).is_ok());
        assert!(DhGroup::custom(&[24], &[5]).is_err());
        assert!(DhGroup::custom(&[23], &[1]).is_err());
        assert!(DhGroup::custom(&[23], &[22]).is_err());
    }

    #[test]
    fn generated_exponent_has_its_bit_length() {
        let k = DhKey::generate(NamedFfdhe::Ffdhe2048.group(), &SystemRandom).unwrap();
        assert_eq!(bit_len(&k.x), 256);
        assert_eq!(k.public().len(), 256);
    }
}
