//! The record layer (RFC 8446 §5, RFC 5246 §6): splitting received bytes
//! into records and, as the handshake engages it, record protection.

pub mod deframer;
pub mod joiner;
pub mod protect;
