//! Session storage for resumption: what a resumption needs
//! ([`stored::StoredSession`]), the server's session-ID cache
//! ([`id_cache`]), stateless tickets sealed under rotating keys
//! ([`tickets`], RFC 5077 §4), the client's store of sessions per server
//! ([`client_store`]), and the rules deciding whether a stored session may
//! be resumed ([`resume`]), with hooks for 0-RTT anti-replay
//! ([`replay`]).
//!
//! All stores are `Send + Sync` and meant to be shared through `Arc` by
//! every connection of a config; their time comes from a [`clock::Clock`].

pub mod client_store;
pub mod clock;
pub mod id_cache;
pub mod replay;
pub mod resume;
pub mod stored;
pub mod tickets;

pub use client_store::{ClientSessionStore, Tls12Resumption, Tls13Ticket};
pub use clock::{Clock, ManualClock, SystemClock};
pub use id_cache::SessionIdCache;
pub use resume::{Hello, Mismatch, Refusal};
pub use stored::{SessionKeys, SessionSecret, StoredSession};
pub use tickets::{TicketKeyPolicy, TicketKeys};

/// The stores and rules used together, as the handshakes will use them.
#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::stored::tests::{tls12, tls13};
    use super::*;
    use crate::codec::Bytes;
    use crate::crypto::rand::SystemRandom;
    use crate::msgs::enums::{AlertDescription, CipherSuite, ProtocolVersion};

    const V12: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_2];
    const V13: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_3];
    const BOTH: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];
    const SUITES: &[CipherSuite] = &[
        CipherSuite::TLS_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ];

    fn hello<'a>(versions: &'a [ProtocolVersion], sni: Option<&'a str>, ems: bool) -> Hello<'a> {
        Hello {
            versions,
            suites: SUITES,
            server_name: sni,
            extended_master_secret: ems,
        }
    }

    #[test]
    fn tls12_ticket_and_session_id_lifecycle() {
        let clock = Arc::new(ManualClock::new(1000));
        let keys = TicketKeys::new(
            TicketKeyPolicy::default(),
            Arc::new(SystemRandom),
            clock.clone(),
        )
        .unwrap();
        let cache = SessionIdCache::new(100, 3600, clock.clone());
        let client = ClientSessionStore::new(10, 4, clock.clone());

        // First connection: the server caches the session under an ID and
        // also issues a ticket; the client keeps both.
        let session = tls12("a.example", 1000, 3600);
        let id = [7u8; 32];
        assert!(cache.insert(&id, session.clone()));
        let ticket = keys.seal(&session).unwrap();
        client.set_tls12(
            "a.example",
            Tls12Resumption {
                session_id: Bytes::new(id.to_vec()),
                ticket: Some(Bytes::new(ticket.clone())),
                session: session.clone(),
            },
        );

        // Later: the client offers it, the server accepts it either way.
        clock.advance(600);
        let offer = client.tls12("A.example").unwrap();
        let ch = hello(BOTH, Some("a.example"), true);
        resume::client_may_offer(&offer.session, &ch, clock.now()).unwrap();
        let ch = hello(V12, Some("a.example"), true);
        let from_ticket = keys.open(offer.ticket.as_deref().unwrap()).unwrap();
        let from_cache = cache.get(&offer.session_id).unwrap();
        assert_eq!(from_ticket, from_cache);
        resume::server_may_resume(&from_ticket, &ch, clock.now()).unwrap();
        let sh = Hello {
            suites: &[from_ticket.suite()],
            server_name: None,
            ..ch
        };
        resume::client_check_resumed(&offer.session, &sh).unwrap();

        // A ClientHello without EMS for an EMS session is aborted
        // (RFC 7627 §5.3); one for another server falls back.
        let no_ems = hello(V12, Some("a.example"), false);
        let refusal = resume::server_may_resume(&from_cache, &no_ems, clock.now()).unwrap_err();
        assert_eq!(refusal.alert(), Some(AlertDescription::HandshakeFailure));
        let other = hello(V12, Some("b.example"), true);
        assert!(matches!(
            resume::server_may_resume(&from_cache, &other, clock.now()),
            Err(Refusal::FullHandshake(Mismatch::ServerName { .. }))
        ));

        // After the lifetime, nothing resumes.
        clock.advance(3000);
        assert!(client.tls12("a.example").is_none());
        assert!(cache.get(&id).is_none());
        assert!(keys.open(&ticket).is_none());
    }

    #[test]
    fn tls13_tickets_are_each_offered_once() {
        let clock = Arc::new(ManualClock::new(1000));
        let keys = TicketKeys::new(
            TicketKeyPolicy::default(),
            Arc::new(SystemRandom),
            clock.clone(),
        )
        .unwrap();
        let client = ClientSessionStore::new(10, 4, clock.clone());
        for _ in 0..2 {
            let session = tls13("a.example", clock.now(), 7200);
            let ticket = Bytes::new(keys.seal(&session).unwrap());
            client.push_tls13("a.example", Tls13Ticket { ticket, session });
        }
        let ch = hello(V13, Some("a.example"), false);
        let mut seen = Vec::new();
        while let Some(t) = client.take_tls13("a.example") {
            resume::client_may_offer(&t.session, &ch, clock.now()).unwrap();
            let opened = keys.open(&t.ticket).unwrap();
            resume::server_may_resume(&opened, &ch, clock.now()).unwrap();
            seen.push(t.ticket);
        }
        assert_eq!(seen.len(), 2);
        assert_ne!(seen[0], seen[1]);
    }
}
