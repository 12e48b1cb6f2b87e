//! Test support for ferrotls: the RFC 8448 traces, and (as they are needed)
//! in-memory client/server pairs, a test PKI and loopback peer spawners.
//!
//! This crate is test code: it fails loudly instead of returning errors.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

pub mod loopback;
pub mod matrix;
pub mod pair;
pub mod peers;
pub mod pki;
pub mod replay;
pub mod rfc8448;
pub mod rfc8448_stand_ins;
pub mod scripted_server;
pub mod scripted_tls12;
pub mod scripted_tls12_client;
