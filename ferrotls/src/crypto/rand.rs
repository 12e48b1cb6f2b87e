//! Randomness for the handshake (client/server random, session IDs, ticket
//! nonces, ephemeral private keys, the Bleichenbacher premaster).
//!
//! Every consumer takes a `&dyn SecureRandom`, so a test can replace the
//! system generator with fixed bytes and replay a recorded trace such as
//! RFC 8448's.

use std::sync::Mutex;

use crate::error::CryptoError;

/// A source of cryptographically secure random bytes.
pub trait SecureRandom: Send + Sync + core::fmt::Debug {
    /// Fills `dest` entirely with random bytes.
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError>;
}

/// `N` random bytes.
pub fn random_array<const N: usize>(rng: &dyn SecureRandom) -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    rng.fill(&mut out)?;
    Ok(out)
}

/// The operating system's generator, through aws-lc-rs.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemRandom;

impl SecureRandom for SystemRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        aws_lc_rs::rand::fill(dest).map_err(|_| CryptoError::Internal {
            what: "system random generator",
        })
    }
}

/// For tests only: hands out the given bytes in order, across calls, and
/// fails once they are used up (so a test notices an unexpected draw).
#[derive(Debug)]
pub struct SequenceRandom {
    state: Mutex<(Vec<u8>, usize)>,
}

impl SequenceRandom {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self {
            state: Mutex::new((bytes, 0)),
        }
    }

    /// Bytes not handed out yet.
    pub fn remaining(&self) -> usize {
        self.state
            .lock()
            .map(|s| s.0.len().saturating_sub(s.1))
            .unwrap_or(0)
    }
}

impl SecureRandom for SequenceRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        let exhausted = CryptoError::Internal {
            what: "test random sequence exhausted",
        };
        let mut state = self.state.lock().map_err(|_| exhausted.clone())?;
        let (bytes, pos) = &mut *state;
        let end = pos.checked_add(dest.len()).ok_or(exhausted.clone())?;
        let src = bytes.get(*pos..end).ok_or(exhausted)?;
        dest.copy_from_slice(src);
        *pos = end;
        Ok(())
    }
}

/// For tests only: every call fills with the same repeating pattern
/// (a single byte such as `[0x42]` fills with that byte).
#[derive(Clone, Debug)]
pub struct FixedRandom(pub Vec<u8>);

impl SecureRandom for FixedRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        if self.0.is_empty() {
            return Err(CryptoError::Internal {
                what: "empty fixed random pattern",
            });
        }
        for (d, s) in dest.iter_mut().zip(self.0.iter().cycle()) {
            *d = *s;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_random_fills() {
        let a: [u8; 32] = random_array(&SystemRandom).unwrap();
        let b: [u8; 32] = random_array(&SystemRandom).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn sequence_hands_out_in_order_then_fails() {
        let r = SequenceRandom::new(vec![1, 2, 3, 4, 5]);
        let mut a = [0u8; 2];
        r.fill(&mut a).unwrap();
        assert_eq!(a, [1, 2]);
        let mut b = [0u8; 3];
        r.fill(&mut b).unwrap();
        assert_eq!(b, [3, 4, 5]);
        assert_eq!(r.remaining(), 0);
        assert!(r.fill(&mut [0u8; 1]).is_err());
        r.fill(&mut []).unwrap();
    }

    #[test]
    fn fixed_repeats_pattern() {
        let mut a = [0u8; 5];
        FixedRandom(vec![7, 8]).fill(&mut a).unwrap();
        assert_eq!(a, [7, 8, 7, 8, 7]);
        assert!(FixedRandom(vec![]).fill(&mut a).is_err());
    }
}
