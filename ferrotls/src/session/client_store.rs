//! The client's sessions, kept per server name so a later connection to
//! the same server can offer them.
//!
//! For TLS 1.2 a server has one resumable session: a session ID (RFC 5246
//! §7.4.1.2) and/or a ticket (RFC 5077 §3.3), reusable until it expires or
//! fails. For TLS 1.3 a server has a small queue of tickets, each handed
//! out once: RFC 8446 §C.4, "Clients SHOULD NOT reuse a ticket for
//! multiple connections".
//!
//! The store is bounded in servers (the least recently stored one goes
//! first) and shared by every connection of a config (`Send + Sync`).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::clock::Clock;
use super::stored::StoredSession;
use crate::codec::Bytes;

/// A TLS 1.2 session the client can offer again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls12Resumption {
    /// The server's session ID; empty when the server sent a ticket, since
    /// RFC 5077 §3.4 says the client "discards any Session ID that was
    /// sent in the ServerHello" then.
    pub session_id: Bytes,
    /// The RFC 5077 ticket, if the server issued one.
    pub ticket: Option<Bytes>,
    pub session: StoredSession,
}

/// A TLS 1.3 ticket (the PSK identity, RFC 8446 §4.6.1) with its session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls13Ticket {
    pub ticket: Bytes,
    pub session: StoredSession,
}

#[derive(Debug, Default)]
struct ServerEntry {
    /// Position in `Inner::order`.
    seq: u64,
    tls12: Option<Tls12Resumption>,
    /// Oldest first.
    tls13: VecDeque<Tls13Ticket>,
}

#[derive(Debug, Default)]
struct Inner {
    servers: HashMap<String, ServerEntry>,
    /// Servers by when something was last stored for them, oldest first.
    order: BTreeMap<u64, String>,
    next_seq: u64,
}

impl Inner {
    /// The entry for `name`, created or moved to the newest position,
    /// evicting the oldest servers beyond `capacity`.
    fn touch(&mut self, name: String, capacity: usize) -> &mut ServerEntry {
        let seq = self.next_seq;
        self.next_seq = seq.wrapping_add(1);
        let mut entry = self.servers.remove(&name).unwrap_or_default();
        self.order.remove(&entry.seq);
        while self.servers.len() >= capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.servers.remove(&oldest);
        }
        entry.seq = seq;
        self.order.insert(seq, name.clone());
        self.servers.entry(name).or_insert(entry)
    }

    fn drop_if_empty(&mut self, name: &str) {
        if let Some(e) = self.servers.get(name) {
            if e.tls12.is_none() && e.tls13.is_empty() {
                let seq = e.seq;
                self.servers.remove(name);
                self.order.remove(&seq);
            }
        }
    }
}

/// DNS names compare without regard to ASCII case (RFC 4343 §2, RFC 6066
/// §3 host names).
fn key(server_name: &str) -> String {
    server_name.to_ascii_lowercase()
}

/// Sessions per server name.
#[derive(Debug)]
pub struct ClientSessionStore {
    inner: Mutex<Inner>,
    max_servers: usize,
    tickets_per_server: usize,
    clock: Arc<dyn Clock>,
}

impl ClientSessionStore {
    /// Keeps sessions for at most `max_servers` servers, and at most
    /// `tickets_per_server` TLS 1.3 tickets for each (the oldest dropped).
    pub fn new(max_servers: usize, tickets_per_server: usize, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_servers,
            tickets_per_server,
            clock,
        }
    }

    /// Every update completes before anything can panic, so a poisoned
    /// lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores the TLS 1.2 session for `server_name`, replacing the previous
    /// one. An expired session (lifetime 0 included) is not stored.
    pub fn set_tls12(&self, server_name: &str, resumption: Tls12Resumption) {
        if self.max_servers == 0 || resumption.session.is_expired(self.clock.now()) {
            return;
        }
        self.lock().touch(key(server_name), self.max_servers).tls12 = Some(resumption);
    }

    /// The TLS 1.2 session to offer to `server_name`, if one is live. It
    /// stays stored: a TLS 1.2 session may be resumed many times.
    pub fn tls12(&self, server_name: &str) -> Option<Tls12Resumption> {
        let now = self.clock.now();
        let name = key(server_name);
        let mut inner = self.lock();
        let entry = inner.servers.get_mut(&name)?;
        match &entry.tls12 {
            Some(r) if !r.session.is_expired(now) => Some(r.clone()),
            Some(_) => {
                entry.tls12 = None;
                inner.drop_if_empty(&name);
                None
            }
            None => None,
        }
    }

    /// Forgets the TLS 1.2 session of `server_name`: the server refused it,
    /// or a connection of that session ended in a fatal alert (RFC 5246
    /// §7.2.2).
    pub fn remove_tls12(&self, server_name: &str) {
        let name = key(server_name);
        let mut inner = self.lock();
        if let Some(e) = inner.servers.get_mut(&name) {
            e.tls12 = None;
        }
        inner.drop_if_empty(&name);
    }

    /// Adds a TLS 1.3 ticket for `server_name`, dropping the oldest when
    /// the queue is full. A ticket with lifetime 0 is discarded at once
    /// (RFC 8446 §4.6.1: "The value of zero indicates that the ticket
    /// should be discarded immediately").
    pub fn push_tls13(&self, server_name: &str, ticket: Tls13Ticket) {
        if self.max_servers == 0
            || self.tickets_per_server == 0
            || ticket.session.is_expired(self.clock.now())
        {
            return;
        }
        let mut inner = self.lock();
        let queue = &mut inner.touch(key(server_name), self.max_servers).tls13;
        while queue.len() >= self.tickets_per_server {
            queue.pop_front();
        }
        queue.push_back(ticket);
    }

    /// Takes the newest live TLS 1.3 ticket for `server_name`; it is gone
    /// from the store afterwards (RFC 8446 §C.4: one ticket per
    /// connection). Expired tickets met on the way are dropped.
    pub fn take_tls13(&self, server_name: &str) -> Option<Tls13Ticket> {
        let now = self.clock.now();
        let name = key(server_name);
        let mut inner = self.lock();
        let entry = inner.servers.get_mut(&name)?;
        entry.tls13.retain(|t| !t.session.is_expired(now));
        let found = entry.tls13.pop_back();
        inner.drop_if_empty(&name);
        found
    }

    /// How many TLS 1.3 tickets are held for `server_name` (expired ones
    /// not yet dropped included).
    pub fn tls13_count(&self, server_name: &str) -> usize {
        self.lock()
            .servers
            .get(&key(server_name))
            .map_or(0, |e| e.tls13.len())
    }

    /// Forgets everything about `server_name`.
    pub fn remove(&self, server_name: &str) {
        let mut inner = self.lock();
        if let Some(e) = inner.servers.remove(&key(server_name)) {
            inner.order.remove(&e.seq);
        }
    }

    /// How many servers have something stored.
    pub fn len(&self) -> usize {
        self.lock().servers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::super::clock::ManualClock;
    use super::super::stored::tests::{tls12, tls13};
    use super::*;

    fn store(max_servers: usize, per_server: usize) -> (Arc<ManualClock>, ClientSessionStore) {
        let clock = Arc::new(ManualClock::new(1000));
        (
            clock.clone(),
            ClientSessionStore::new(max_servers, per_server, clock),
        )
    }

    fn r12(name: &str, lifetime: u32) -> Tls12Resumption {
        Tls12Resumption {
            session_id: Bytes::new(vec![1; 32]),
            ticket: Some(Bytes::new(b"ticket".to_vec())),
            session: tls12(name, 1000, lifetime),
        }
    }

    fn t13(n: u8, lifetime: u32) -> Tls13Ticket {
        Tls13Ticket {
            ticket: Bytes::new(vec![n; 8]),
            session: tls13("a", 1000, lifetime),
        }
    }

    #[test]
    fn tls12_sessions_are_reusable_until_removed() {
        let (_, s) = store(4, 2);
        s.set_tls12("a.example", r12("a.example", 100));
        assert_eq!(s.tls12("a.example"), Some(r12("a.example", 100)));
        assert_eq!(s.tls12("A.Example"), Some(r12("a.example", 100)));
        assert!(s.tls12("b.example").is_none());
        s.set_tls12("a.example", r12("a.example", 200));
        assert_eq!(s.tls12("a.example").unwrap().session.lifetime, 200);
        s.remove_tls12("a.example");
        assert!(s.tls12("a.example").is_none());
        assert!(s.is_empty());
    }

    #[test]
    fn expired_sessions_are_dropped() {
        let (clock, s) = store(4, 4);
        s.set_tls12("a", r12("a", 100));
        s.push_tls13("a", t13(1, 50));
        s.push_tls13("a", t13(2, 200));
        s.push_tls13("a", t13(3, 0));
        assert_eq!(s.tls13_count("a"), 2, "lifetime 0 is never stored");
        clock.advance(100);
        assert!(s.tls12("a").is_none());
        assert_eq!(s.take_tls13("a").unwrap().ticket[0], 2);
        assert!(s.take_tls13("a").is_none());
        assert!(s.is_empty());
        s.set_tls12("b", r12("b", 10));
        assert!(s.is_empty(), "already expired");
    }

    #[test]
    fn tls13_tickets_are_used_once_newest_first() {
        let (_, s) = store(4, 3);
        for n in 1..=4 {
            s.push_tls13("a", t13(n, 100));
        }
        assert_eq!(s.tls13_count("a"), 3, "oldest dropped when full");
        let taken: Vec<u8> = std::iter::from_fn(|| s.take_tls13("a"))
            .map(|t| t.ticket[0])
            .collect();
        assert_eq!(taken, [4, 3, 2]);
        assert!(s.is_empty());
    }

    #[test]
    fn evicts_the_least_recently_stored_server() {
        let (_, s) = store(2, 2);
        s.set_tls12("a", r12("a", 100));
        s.push_tls13("b", t13(1, 100));
        s.set_tls12("a", r12("a", 100)); // "a" is now the newest
        s.set_tls12("c", r12("c", 100));
        assert_eq!(s.len(), 2);
        assert_eq!(s.tls13_count("b"), 0);
        assert!(s.tls12("a").is_some() && s.tls12("c").is_some());
        s.remove("a");
        assert!(s.tls12("a").is_none());
        assert_eq!(s.len(), 1);
        let (_, none) = store(0, 2);
        none.set_tls12("a", r12("a", 100));
        none.push_tls13("a", t13(1, 100));
        assert!(none.is_empty());
    }

    #[test]
    fn shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ClientSessionStore>();
        let (_, s) = store(8, 4);
        let s = Arc::new(s);
        let threads: Vec<_> = (0..6)
            .map(|t| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for i in 0..200u32 {
                        let name = format!("host{}", (i + t) % 12);
                        s.push_tls13(&name, t13(t as u8, 100));
                        s.set_tls12(&name, r12(&name, 100));
                        let _ = s.take_tls13(&name);
                        let _ = s.tls12(&name);
                        assert!(s.len() <= 8);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let inner = s.lock();
        assert!(inner.servers.len() <= 8);
        assert_eq!(inner.servers.len(), inner.order.len());
        assert!(inner.servers.values().all(|e| e.tls13.len() <= 4));
    }
}
