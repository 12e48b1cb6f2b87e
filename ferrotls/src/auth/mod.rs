//! Certificate authentication: trust anchors, verification of the peer's
//! chain and name (through rustls-webpki), the content of handshake
//! signatures and their verification, and the choice of our own
//! certificate and key.
//!
//! The handshake state machines call in here; nothing in this module
//! knows about states or records.

pub mod certified_key;
pub mod pem;
pub mod roots;
pub mod select;
pub mod server_verifier;
pub mod signed_content;
pub mod verify;
pub mod x509;

#[cfg(test)]
mod test_pki;

pub use certified_key::{provider_key, CertifiedKey, SigningKey};
pub use pem::LoadError;
pub use roots::{RootSource, RootStore};
pub use select::{ClientCertChooser, Offer, Selected, ServerCertResolver};
pub use server_verifier::ServerVerifier;
pub use signed_content::{
    tls12_server_key_exchange_content, tls13_certificate_verify_content, verify_tls12_signature,
    verify_tls13_signature, SignatureVerified, Signer, TLS12_VERIFY_SCHEMES, TLS13_VERIFY_SCHEMES,
};
pub use verify::{
    ClientCertVerified, ClientCertVerifier, ClientIdentity, ServerCertVerified, ServerCertVerifier,
};
