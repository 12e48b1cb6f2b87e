//! Typed TLS messages: one module per message family, each with its wire
//! encoding and decoding.

pub(crate) mod wire_enum;

pub mod client_hello;
pub mod enums;
pub mod extensions;
pub mod server_hello;
