//! Key schedules and the transcript hash: TLS 1.3 (RFC 8446 §7) and TLS 1.2
//! (RFC 5246 §6.3, RFC 7627).
//!
//! - [`transcript`]: the transcript hash, with the HelloRetryRequest
//!   `message_hash` rule (RFC 8446 §4.4.1).
//! - [`tls13`]: the stages Early → Handshake → Master Secret and every
//!   secret derived from them; [`tls13_traffic`] holds the derived secrets.
//! - [`tls12`]: master secret, extended master secret, key block, Finished
//!   and exporters through the TLS 1.2 PRF.

pub mod tls12;
pub mod tls13;
pub mod tls13_traffic;
pub mod transcript;
