//! The server's session-ID cache for TLS 1.2 abbreviated handshakes
//! (RFC 5246 §7.4.1.2-§7.4.1.3).
//!
//! Bounded in entries (the oldest insertion is evicted first) and in time
//! (an entry is never returned after its lifetime), shared by every
//! connection of a server through `Arc`: one `Mutex` guards the map.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::clock::Clock;
use super::stored::StoredSession;
use crate::crypto::rand::{random_array, SecureRandom};
use crate::error::CryptoError;

/// RFC 5246 §7.4.1.2: `opaque SessionID<0..32>`.
pub const MAX_SESSION_ID_LEN: usize = 32;

/// A fresh session ID: 32 random bytes. RFC 5246 §7.4.1.2: "servers MUST
/// NOT place confidential information in session identifiers", so it is
/// random and says nothing about the session.
pub fn new_session_id(rng: &dyn SecureRandom) -> Result<[u8; MAX_SESSION_ID_LEN], CryptoError> {
    random_array(rng)
}

#[derive(Debug)]
struct Entry {
    /// Position in insertion order (key of `Inner::order`).
    seq: u64,
    /// When the entry stops being returned.
    expires_at: u64,
    session: StoredSession,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Vec<u8>, Entry>,
    /// Insertion order: oldest first.
    order: BTreeMap<u64, Vec<u8>>,
    next_seq: u64,
}

impl Inner {
    fn remove(&mut self, id: &[u8]) -> Option<Entry> {
        let entry = self.entries.remove(id)?;
        self.order.remove(&entry.seq);
        Some(entry)
    }

    /// Drops expired entries from the oldest end while they are expired,
    /// and the oldest entries beyond `keep`.
    fn trim(&mut self, now: u64, keep: usize) {
        while let Some(oldest) = self.order.first_entry() {
            let expired = self
                .entries
                .get(oldest.get())
                .is_none_or(|e| now >= e.expires_at);
            if !expired && self.entries.len() <= keep {
                break;
            }
            let id = oldest.remove();
            self.entries.remove(&id);
        }
    }
}

/// A bounded, expiring map from session ID to session, shared by threads.
#[derive(Debug)]
pub struct SessionIdCache {
    inner: Mutex<Inner>,
    capacity: usize,
    lifetime: u64,
    clock: Arc<dyn Clock>,
}

impl SessionIdCache {
    /// A cache of at most `capacity` sessions, each returned for at most
    /// `lifetime` seconds after insertion (and never past the session's own
    /// expiry). A capacity of 0 stores nothing.
    pub fn new(capacity: usize, lifetime: u64, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            capacity,
            lifetime,
            clock,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The map stays consistent even if a thread panicked while holding
    /// the lock (every update completes before it can panic), so a
    /// poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `session` under `id`, replacing any entry with that ID and
    /// evicting the oldest entries when full. An empty ID means "not
    /// cached" (RFC 5246 §7.4.1.3) and an ID over 32 bytes cannot be sent;
    /// both are ignored, as is a session that has already expired.
    /// Returns whether the session was stored.
    pub fn insert(&self, id: &[u8], session: StoredSession) -> bool {
        if id.is_empty() || id.len() > MAX_SESSION_ID_LEN || self.capacity == 0 {
            return false;
        }
        let now = self.clock.now();
        let expires_at = now.saturating_add(self.lifetime).min(session.expires_at());
        if now >= expires_at {
            return false;
        }
        let mut inner = self.lock();
        inner.remove(id);
        inner.trim(now, self.capacity.saturating_sub(1));
        let seq = inner.next_seq;
        inner.next_seq = seq.wrapping_add(1);
        inner.order.insert(seq, id.to_vec());
        inner.entries.insert(
            id.to_vec(),
            Entry {
                seq,
                expires_at,
                session,
            },
        );
        true
    }

    /// The session stored under `id`, if it has not expired. The entry
    /// stays for later resumptions (a TLS 1.2 session may be resumed many
    /// times); an expired entry is dropped.
    pub fn get(&self, id: &[u8]) -> Option<StoredSession> {
        let now = self.clock.now();
        let mut inner = self.lock();
        match inner.entries.get(id) {
            Some(e) if now < e.expires_at => Some(e.session.clone()),
            Some(_) => {
                inner.remove(id);
                None
            }
            None => None,
        }
    }

    /// Removes and returns the live session stored under `id`: single use,
    /// as RFC 8446 §8.1 describes for anti-replay with a session database.
    pub fn take(&self, id: &[u8]) -> Option<StoredSession> {
        let now = self.clock.now();
        let entry = self.lock().remove(id)?;
        (now < entry.expires_at).then_some(entry.session)
    }

    /// Forgets `id`, e.g. after a fatal alert on a connection of that
    /// session (RFC 5246 §7.2.2: "any session identifier associated with
    /// the connection ... MUST be invalidated").
    pub fn remove(&self, id: &[u8]) {
        self.lock().remove(id);
    }

    /// How many entries are held (expired ones not yet dropped included).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every expired entry.
    pub fn purge_expired(&self) {
        let now = self.clock.now();
        let mut inner = self.lock();
        inner.entries.retain(|_, e| now < e.expires_at);
        let Inner { entries, order, .. } = &mut *inner;
        order.retain(|_, id| entries.contains_key(id));
    }
}

#[cfg(test)]
mod tests {
    use super::super::clock::ManualClock;
    use super::super::stored::tests::tls12;
    use super::*;
    use crate::crypto::rand::FixedRandom;

    fn cache(capacity: usize, lifetime: u64) -> (Arc<ManualClock>, SessionIdCache) {
        let clock = Arc::new(ManualClock::new(1000));
        let c = SessionIdCache::new(capacity, lifetime, clock.clone());
        (clock, c)
    }

    #[test]
    fn stores_and_returns_sessions() {
        let (_, c) = cache(4, 100);
        assert!(c.insert(b"id-1", tls12("a", 1000, 3600)));
        assert_eq!(c.get(b"id-1"), Some(tls12("a", 1000, 3600)));
        // Still there: session IDs may be resumed more than once.
        assert!(c.get(b"id-1").is_some());
        assert_eq!(c.get(b"id-2"), None);
        c.remove(b"id-1");
        assert_eq!(c.get(b"id-1"), None);
        assert!(c.is_empty());
    }

    #[test]
    fn refuses_unusable_ids() {
        let (_, c) = cache(4, 100);
        assert!(!c.insert(b"", tls12("a", 1000, 3600)));
        assert!(!c.insert(&[1; 33], tls12("a", 1000, 3600)));
        assert!(c.insert(&[1; 32], tls12("a", 1000, 3600)));
        assert!(!c.insert(b"x", tls12("a", 0, 10)), "already expired");
        let (_, none) = cache(0, 100);
        assert!(!none.insert(b"x", tls12("a", 1000, 3600)));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn evicts_oldest_first() {
        let (_, c) = cache(3, 100);
        for id in [b"a", b"b", b"c", b"d"] {
            assert!(c.insert(id, tls12("x", 1000, 3600)));
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(b"a"), None);
        assert!(c.get(b"b").is_some() && c.get(b"c").is_some() && c.get(b"d").is_some());
        // Replacing "b" makes it the newest: "c" goes next.
        c.insert(b"b", tls12("y", 1000, 3600));
        c.insert(b"e", tls12("x", 1000, 3600));
        assert_eq!(c.get(b"c"), None);
        assert_eq!(c.get(b"b").unwrap().server_name.as_deref(), Some("y"));
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn expires_with_the_clock() {
        let (clock, c) = cache(10, 100);
        c.insert(b"a", tls12("x", 1000, 3600));
        clock.advance(50);
        c.insert(b"b", tls12("x", 1050, 3600));
        // The session's own lifetime is shorter than the cache's.
        c.insert(b"c", tls12("x", 1000, 60));
        clock.advance(10);
        assert!(c.get(b"c").is_none());
        clock.advance(39);
        assert!(c.get(b"a").is_some());
        clock.advance(1);
        assert!(c.get(b"a").is_none(), "expired at insertion + 100");
        assert!(c.get(b"b").is_some());
        assert_eq!(c.len(), 1, "expired entries are dropped when looked up");
        clock.advance(50);
        assert!(c.take(b"b").is_none());
        c.insert(b"d", tls12("x", 1000, 3600));
        c.insert(b"e", tls12("x", 1000, 3600));
        clock.advance(1000);
        c.purge_expired();
        assert!(c.is_empty());
    }

    #[test]
    fn expired_entries_go_before_live_ones_when_full() {
        let (clock, c) = cache(2, 100);
        c.insert(b"a", tls12("x", 1000, 3600));
        clock.advance(90);
        c.insert(b"b", tls12("x", 1000, 3600));
        clock.advance(20);
        c.insert(b"c", tls12("x", 1000, 3600));
        assert!(c.get(b"b").is_some());
        assert!(c.get(b"c").is_some());
    }

    #[test]
    fn take_is_single_use() {
        let (_, c) = cache(2, 100);
        c.insert(b"a", tls12("x", 1000, 3600));
        assert!(c.take(b"a").is_some());
        assert!(c.take(b"a").is_none());
        assert!(c.get(b"a").is_none());
    }

    #[test]
    fn session_ids_are_random_bytes() {
        assert_eq!(new_session_id(&FixedRandom(vec![7])).unwrap(), [7; 32]);
    }

    #[test]
    fn shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SessionIdCache>();
        let (_, c) = cache(64, 100);
        let c = Arc::new(c);
        let threads: Vec<_> = (0..8u8)
            .map(|t| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for i in 0..200u8 {
                        let id = [t, i];
                        c.insert(&id, tls12("x", 1000, 3600));
                        assert!(c.len() <= 64);
                        let _ = c.get(&[t, i.wrapping_sub(3)]);
                        if i % 5 == 0 {
                            c.remove(&id);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(c.len() <= 64);
        let inner = c.lock();
        assert_eq!(inner.entries.len(), inner.order.len());
    }
}
