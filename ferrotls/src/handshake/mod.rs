//! What the client and server state machines share.

pub mod flows;
pub mod traffic13;
