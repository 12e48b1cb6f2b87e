//! Hooks for 0-RTT anti-replay (RFC 8446 §8). Nothing here accepts early
//! data yet; these are the pieces a TLS 1.3 server will combine:
//!
//! - single-use sessions: [`super::id_cache::SessionIdCache::take`]
//!   (RFC 8446 §8.1);
//! - ClientHello recording: the [`ReplayGuard`] trait (RFC 8446 §8.2);
//! - freshness: [`client_ticket_age_ms`] and [`is_fresh`] with the
//!   `created` time and `age_add` kept in every TLS 1.3
//!   [`super::stored::StoredSession`] (RFC 8446 §8.3).

/// Records ClientHellos that asked for 0-RTT and reports repeats.
///
/// RFC 8446 §8.2: the key must come "only from validated sections of the
/// ClientHello" (its random, or the validated PSK binder). An
/// implementation with false positives (a Bloom filter) is allowed, but
/// then an apparent replay only rejects 0-RTT and never aborts.
pub trait ReplayGuard: Send + Sync + core::fmt::Debug {
    /// Records `key` until Unix second `until` and returns whether it was
    /// not already recorded (0-RTT may then be accepted).
    fn first_seen(&self, key: &[u8], until: u64) -> bool;
}

/// The ticket age as the client sees it, in milliseconds: RFC 8446 §8.3,
/// "subtracting the ticket's \"ticket_age_add\" value from the
/// \"obfuscated_ticket_age\"" (modulo 2^32, §4.2.11.1).
pub fn client_ticket_age_ms(obfuscated_ticket_age: u32, age_add: u32) -> u32 {
    obfuscated_ticket_age.wrapping_sub(age_add)
}

/// RFC 8446 §8.3: `expected_arrival_time = adjusted_creation_time +
/// clients_ticket_age`, compared with the server's clock; 0-RTT is
/// accepted only within `tolerance_ms` of it. All times in milliseconds.
pub fn is_fresh(
    adjusted_creation_ms: u64,
    client_ticket_age_ms: u32,
    now_ms: u64,
    tolerance_ms: u64,
) -> bool {
    let expected = adjusted_creation_ms.saturating_add(u64::from(client_ticket_age_ms));
    expected.abs_diff(now_ms) <= tolerance_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_is_deobfuscated_modulo_2_32() {
        assert_eq!(
            client_ticket_age_ms(5000u32.wrapping_add(0xffff_ff00), 0xffff_ff00),
            5000
        );
        assert_eq!(client_ticket_age_ms(1000, 0), 1000);
    }

    #[test]
    fn freshness_window() {
        assert!(is_fresh(10_000, 5_000, 15_000, 0));
        assert!(is_fresh(10_000, 5_000, 24_000, 10_000));
        assert!(!is_fresh(10_000, 5_000, 26_000, 10_000));
        assert!(!is_fresh(10_000, 20_000, 15_000, 10_000), "from the future");
    }
}
