//! ferrotls: a TLS 1.2 and TLS 1.3 implementation, sans-I/O.
//!
//! Layers, bottom up: [`codec`] (the presentation language), [`msgs`]
//! (typed messages), [`crypto`] (the aws-lc-rs provider), [`keys`] (key
//! schedules and transcript).
#![forbid(unsafe_code)]

pub mod auth;
pub mod client;
pub mod codec;
pub mod config;
pub mod conn;
pub mod crypto;
pub mod error;
pub(crate) mod handshake;
pub mod keys;
pub mod msgs;
pub mod record;
pub mod server;
pub mod session;
pub mod stream;
pub mod trace;

pub use client::ClientConnection;
pub use error::{Error, InvalidMessage};
/// The legal message sequences of each kind of handshake.
pub use handshake::flows;
pub use server::ServerConnection;
