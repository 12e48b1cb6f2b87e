//! Test support for ferrotls: the RFC 8448 traces, and (as they are needed)
//! in-memory client/server pairs, a test PKI and loopback peer spawners.

pub mod rfc8448;
