//! What the client and server state machines share.

pub mod traffic13;
