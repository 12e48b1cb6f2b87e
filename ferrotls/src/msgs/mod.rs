//! Typed TLS messages: one module per message family, each with its wire
//! encoding and decoding.

pub(crate) mod wire_enum;

pub mod alert;
pub mod ccs;
pub mod certificate;
pub mod certificate_request;
pub mod certificate_verify;
pub mod client_hello;
pub mod encrypted_extensions;
pub mod enums;
pub mod ext;
pub mod extensions;
pub mod finished;
pub mod handshake;
pub mod key_exchange;
pub mod key_update;
pub mod message_hash;
pub mod record;
pub mod server_hello;
pub mod supplemental_data;
pub mod tickets;
