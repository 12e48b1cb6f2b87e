//! HMAC over the suites' hashes (RFC 2104; RFC 5246 §5, RFC 8446 §4.4.4).
//!
//! Used for the TLS 1.2 PRF, HKDF-Extract, Finished messages and PSK
//! binders. Verification compares in constant time, so a peer cannot learn
//! how many leading bytes of a forged Finished or binder were right.

use aws_lc_rs::{constant_time, hmac};

use super::hash::HashAlgorithm;

fn hmac_alg(alg: HashAlgorithm) -> hmac::Algorithm {
    match alg {
        HashAlgorithm::Sha256 => hmac::HMAC_SHA256,
        HashAlgorithm::Sha384 => hmac::HMAC_SHA384,
    }
}

/// An HMAC key bound to its hash function.
///
/// The key material lives inside aws-lc-rs; `Debug` shows only the hash.
#[derive(Clone)]
pub struct HmacKey {
    alg: HashAlgorithm,
    key: hmac::Key,
}

impl HmacKey {
    /// A key for HMAC-`alg` (any length, RFC 2104 §2).
    pub fn new(alg: HashAlgorithm, key: &[u8]) -> Self {
        Self {
            alg,
            key: hmac::Key::new(hmac_alg(alg), key),
        }
    }

    /// The hash function this key is used with.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    /// HMAC(key, data) in one call.
    pub fn sign(&self, data: &[u8]) -> Tag {
        Tag(hmac::sign(&self.key, data))
    }

    /// HMAC(key, parts[0] || parts[1] || ...), without concatenating first.
    pub fn sign_parts(&self, parts: &[&[u8]]) -> Tag {
        let mut ctx = hmac::Context::with_key(&self.key);
        for part in parts {
            ctx.update(part);
        }
        Tag(ctx.sign())
    }

    /// Checks `tag` against HMAC(key, data) in constant time. A tag of the
    /// wrong length fails too.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> Result<(), BadTag> {
        hmac::verify(&self.key, data, tag).map_err(|_| BadTag)
    }
}

impl core::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HmacKey")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// An HMAC output (Hash.length bytes).
#[derive(Clone)]
pub struct Tag(hmac::Tag);

impl AsRef<[u8]> for Tag {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref()
    }
}

impl core::fmt::Debug for Tag {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.as_ref() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl PartialEq for Tag {
    /// Constant-time comparison.
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(self.as_ref(), other.as_ref())
    }
}

impl Eq for Tag {}

/// A MAC that did not verify. The caller knows what it was checking and
/// turns this into its own error (a Finished or binder mismatch is
/// `decrypt_error`, RFC 8446 §6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadTag;

/// Equality of two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    constant_time::verify_slices_are_equal(a, b).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 §4.3: Key = "Jefe", Data = "what do ya want for nothing?".
        let key = HmacKey::new(HashAlgorithm::Sha256, b"Jefe");
        let tag = key.sign(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(&tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let key384 = HmacKey::new(HashAlgorithm::Sha384, b"Jefe");
        assert_eq!(
            hex::encode(key384.sign(b"what do ya want for nothing?")),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
             8e2240ca5e69e2c78b3239ecfab21649"
        );
        assert_eq!(
            key.sign_parts(&[b"what do ya ", b"", b"want for nothing?"]),
            tag
        );
    }

    #[test]
    fn verify_is_exact() {
        let key = HmacKey::new(HashAlgorithm::Sha256, b"k");
        let tag = key.sign(b"data");
        assert_eq!(key.verify(b"data", tag.as_ref()), Ok(()));
        assert_eq!(key.verify(b"datb", tag.as_ref()), Err(BadTag));
        let mut bad = tag.as_ref().to_vec();
        bad[31] ^= 1;
        assert_eq!(key.verify(b"data", &bad), Err(BadTag));
        assert_eq!(key.verify(b"data", &bad[..31]), Err(BadTag));
        assert_eq!(key.verify(b"data", &[]), Err(BadTag));
        assert_eq!(format!("{key:?}"), "HmacKey { alg: Sha256, .. }");
    }
}
