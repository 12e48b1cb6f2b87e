//! Hash functions of the cipher suites (SHA-256, SHA-384) and the
//! running hash contexts the transcript is built on.

use aws_lc_rs::digest;

/// A hash function a cipher suite names (RFC 8446 §B.4, RFC 5246 §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
}

impl HashAlgorithm {
    fn digest_alg(self) -> &'static digest::Algorithm {
        match self {
            Self::Sha256 => &digest::SHA256,
            Self::Sha384 => &digest::SHA384,
        }
    }

    /// Output length in bytes (`Hash.length` in RFC 8446 §7.1).
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
        }
    }

    /// Hash of `data` in one call.
    pub fn hash(self, data: &[u8]) -> HashOutput {
        HashOutput(digest::digest(self.digest_alg(), data))
    }

    /// A running hash context.
    pub fn start(self) -> HashContext {
        HashContext {
            alg: self,
            ctx: digest::Context::new(self.digest_alg()),
        }
    }
}

/// A finished hash value.
#[derive(Clone)]
pub struct HashOutput(digest::Digest);

impl AsRef<[u8]> for HashOutput {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref()
    }
}

impl core::fmt::Debug for HashOutput {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.as_ref() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl PartialEq for HashOutput {
    fn eq(&self, other: &Self) -> bool {
        self.as_ref() == other.as_ref()
    }
}

/// A running hash; cloning it forks the computation (the transcript hash
/// is read at several points of the handshake without being finished).
#[derive(Clone)]
pub struct HashContext {
    alg: HashAlgorithm,
    ctx: digest::Context,
}

impl HashContext {
    pub fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    pub fn update(&mut self, data: &[u8]) {
        self.ctx.update(data);
    }

    /// The hash of everything fed so far; the context can go on.
    pub fn current(&self) -> HashOutput {
        HashOutput(self.ctx.clone().finish())
    }

    pub fn finish(self) -> HashOutput {
        HashOutput(self.ctx.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_hashes() {
        // SHA-256("") as used by Derive-Secret(., "derived", "") (RFC 8448 §3).
        assert_eq!(
            hex::encode(HashAlgorithm::Sha256.hash(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut ctx = HashAlgorithm::Sha384.start();
        let fork = ctx.current();
        ctx.update(b"abc");
        assert_eq!(fork, HashAlgorithm::Sha384.hash(b""));
        assert_eq!(ctx.current(), HashAlgorithm::Sha384.hash(b"abc"));
        assert_eq!(ctx.finish().as_ref().len(), 48);
    }
}
