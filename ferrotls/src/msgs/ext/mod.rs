//! Extension bodies (RFC 8446 §4.2 and the RFCs it names), one file per
//! family. The `Extension` enum that dispatches on the extension type and
//! the extension block live in `msgs/extensions.rs`.

pub mod allowed;
pub mod alpn;
pub mod authorities;
pub mod key_share;
pub mod psk;
pub mod server_name;
pub mod status_request;

#[cfg(test)]
pub(crate) mod strategies;

mod lookup;

#[cfg(test)]
mod extensions_tests;
