//! Key schedules and the transcript hash: TLS 1.3 (RFC 8446 §7) and TLS 1.2
//! (RFC 5246 §6.3, RFC 7627).
