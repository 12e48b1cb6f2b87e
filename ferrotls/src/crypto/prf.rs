//! The TLS 1.2 pseudorandom function (RFC 5246 §5).
//!
//! ```text
//! PRF(secret, label, seed) = P_<hash>(secret, label + seed)
//! P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
//!                        HMAC_hash(secret, A(2) + seed) + ...
//! A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
//! ```
//!
//! The hash is the suite's PRF hash: SHA-256 for every RFC 5246 suite and
//! SHA-384 for the `_SHA384` suites (RFC 5289 §3.2).

use super::hash::HashAlgorithm;
use super::hmac::HmacKey;

/// Fills `out` with PRF(secret, label, seed) where the seed is the
/// concatenation of `seed_parts` (RFC 5246 §5). The label is the ASCII
/// string "without a length byte or trailing null character".
pub fn prf(alg: HashAlgorithm, secret: &[u8], label: &[u8], seed_parts: &[&[u8]], out: &mut [u8]) {
    let key = HmacKey::new(alg, secret);
    // The P_hash seed is label + seed.
    let mut seed: Vec<&[u8]> = Vec::with_capacity(seed_parts.len() + 1);
    seed.push(label);
    seed.extend_from_slice(seed_parts);

    // A(1) = HMAC_hash(secret, A(0)) with A(0) = seed.
    let mut a = key.sign_parts(&seed);
    for chunk in out.chunks_mut(alg.output_len()) {
        // HMAC_hash(secret, A(i) + seed); the last block is truncated.
        let mut parts: Vec<&[u8]> = Vec::with_capacity(seed.len() + 1);
        parts.push(a.as_ref());
        parts.extend_from_slice(&seed);
        let block = key.sign_parts(&parts);
        for (dst, src) in chunk.iter_mut().zip(block.as_ref()) {
            *dst = *src;
        }
        // A(i+1) = HMAC_hash(secret, A(i)).
        a = key.sign(a.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_parts_concatenate() {
        let mut one = [0u8; 70];
        let mut two = [0u8; 70];
        prf(HashAlgorithm::Sha256, b"s", b"label", &[b"ab"], &mut one);
        prf(
            HashAlgorithm::Sha256,
            b"s",
            b"lab",
            &[b"el", b"a", b"b"],
            &mut two,
        );
        assert_eq!(one, two);
        // A shorter output is a prefix of a longer one.
        let mut short = [0u8; 33];
        prf(HashAlgorithm::Sha256, b"s", b"label", &[b"ab"], &mut short);
        assert_eq!(short[..], one[..33]);
        let mut none: [u8; 0] = [];
        prf(HashAlgorithm::Sha384, b"s", b"label", &[], &mut none);
    }
}
