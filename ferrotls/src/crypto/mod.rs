//! The cryptographic provider: the only module that names aws-lc-rs.
//!
//! Everything above it (record layer, key schedule, handshake) uses these
//! types. Randomness and ephemeral keys come through here too, so tests can
//! inject fixed values (the RFC 8448 traces).

pub mod aead;
pub mod hash;
pub mod hkdf;
pub mod hmac;
pub mod kx;
pub mod prf;
pub mod rand;
pub mod sign;
pub mod suites;
