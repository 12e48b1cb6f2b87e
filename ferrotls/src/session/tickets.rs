//! Stateless session tickets (RFC 5077), sealed under rotating server keys.
//!
//! The layout follows RFC 5077 §4's recommended construction, with an AEAD
//! (AES-256-GCM) in place of AES-CBC + HMAC-SHA-256, so one key both
//! encrypts and authenticates:
//!
//! ```text
//! struct {
//!     opaque key_name[16];                 /* which key sealed it */
//!     opaque nonce[12];                    /* random, per ticket */
//!     opaque encrypted_state<1..2^16-1>;   /* StoredSession, encrypted */
//!     opaque tag[16];
//! } ticket;
//! ```
//!
//! The additional data is everything before the encrypted state
//! (key_name, nonce and the length), as RFC 5077 §4's MAC covers
//! "key_name (16 octets) and IV (16 octets), followed by the length of the
//! encrypted_state field (2 octets) and its contents".
//!
//! Keys are random (RFC 5077 §5.5: "generated securely", "changed
//! regularly"): [`TicketKeys`] holds the current key, which seals every new
//! ticket, and the previous one, which still opens tickets for a grace
//! period after it was retired. A ticket under any other key name is
//! refused at once, before any decryption (RFC 5077 §5.4: verification
//! should be lightweight), and the caller falls back to a full handshake.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use zeroize::Zeroizing;

use super::clock::Clock;
use super::stored::StoredSession;
use crate::codec::{Codec, Reader, VecSpec, Writer};
use crate::crypto::aead::{AeadAlgorithm, AeadKey, Nonce, NONCE_LEN, TAG_LEN};
use crate::crypto::rand::{random_array, SecureRandom};
use crate::error::CryptoError;

/// Length of a key name (RFC 5077 §4: `opaque key_name[16]`).
pub const KEY_NAME_LEN: usize = 16;

const ALG: AeadAlgorithm = AeadAlgorithm::Aes256Gcm;
const STATE: VecSpec = VecSpec::opaque("ticket encrypted_state", 1, 0xffff);
/// The longest ticket a NewSessionTicket can carry.
pub const MAX_TICKET_LEN: usize = 0xffff;
/// key_name, nonce and the encrypted_state length: the additional data.
const HEADER_LEN: usize = KEY_NAME_LEN + NONCE_LEN + 2;

/// When ticket keys change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketKeyPolicy {
    /// Seconds a key seals new tickets before it is retired.
    pub rotate_every: u64,
    /// Seconds a retired key still opens tickets. Only one retired key is
    /// kept, so this is in effect at most `rotate_every`: a ticket opens
    /// for at least `min(grace, rotate_every)` seconds after it was sealed.
    pub grace: u64,
    /// Tickets one key may seal before it is replaced early. The nonces
    /// are random, so this keeps the chance of a repeated nonce under one
    /// key negligible (NIST SP 800-38D §8.3 caps random-nonce GCM at 2^32
    /// invocations).
    pub max_seals_per_key: u64,
}

impl Default for TicketKeyPolicy {
    /// A new key every 12 hours; tickets of up to 12 hours stay openable.
    fn default() -> Self {
        Self {
            rotate_every: 12 * 3600,
            grace: 12 * 3600,
            max_seals_per_key: 1 << 28,
        }
    }
}

#[derive(Debug)]
struct TicketKey {
    name: [u8; KEY_NAME_LEN],
    aead: AeadKey,
}

impl TicketKey {
    fn generate(rng: &dyn SecureRandom) -> Result<Self, CryptoError> {
        let name = random_array(rng)?;
        let secret = Zeroizing::new(random_array::<32>(rng)?);
        Ok(Self {
            name,
            aead: AeadKey::new(ALG, &secret[..])?,
        })
    }
}

#[derive(Debug)]
struct KeyState {
    current: Arc<TicketKey>,
    /// When `current` started sealing.
    current_since: u64,
    /// Tickets sealed under `current`.
    sealed: u64,
    /// The retired key and the first second it no longer opens tickets.
    previous: Option<(Arc<TicketKey>, u64)>,
}

/// The server's ticket keys: current and previous, rotated by the clock.
/// Shared by every connection of a server (`Send + Sync`).
#[derive(Debug)]
pub struct TicketKeys {
    state: Mutex<KeyState>,
    policy: TicketKeyPolicy,
    rng: Arc<dyn SecureRandom>,
    clock: Arc<dyn Clock>,
}

impl TicketKeys {
    /// Fresh keys from `rng`.
    pub fn new(
        policy: TicketKeyPolicy,
        rng: Arc<dyn SecureRandom>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, CryptoError> {
        let current = Arc::new(TicketKey::generate(rng.as_ref())?);
        let state = KeyState {
            current,
            current_since: clock.now(),
            sealed: 0,
            previous: None,
        };
        Ok(Self {
            state: Mutex::new(state),
            policy,
            rng,
            clock,
        })
    }

    /// Every update of the key state completes before anything can panic,
    /// so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, KeyState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Retires the current key if its time (or its seal count) is up.
    fn rotate_if_due(&self, state: &mut KeyState, now: u64) -> Result<(), CryptoError> {
        let due = state.current_since.saturating_add(self.policy.rotate_every);
        if now >= due {
            // The retired key's grace runs from when it was due, not from
            // when the rotation happened to be noticed: after a long quiet
            // period a stale key is not revived.
            self.rotate(state, now, due)
        } else if state.sealed >= self.policy.max_seals_per_key {
            self.rotate(state, now, now)
        } else {
            Ok(())
        }
    }

    fn rotate(&self, state: &mut KeyState, now: u64, retired_at: u64) -> Result<(), CryptoError> {
        let next = Arc::new(TicketKey::generate(self.rng.as_ref())?);
        let old = core::mem::replace(&mut state.current, next);
        let until = retired_at.saturating_add(self.policy.grace);
        state.previous = (now < until).then_some((old, until));
        state.current_since = now;
        state.sealed = 0;
        Ok(())
    }

    /// Replaces the current key now (e.g. on an operator's request); the
    /// old one enters its grace period.
    pub fn rotate_now(&self) -> Result<(), CryptoError> {
        let now = self.clock.now();
        let mut state = self.lock();
        self.rotate(&mut state, now, now)
    }

    /// The name of the key new tickets are sealed under.
    pub fn current_key_name(&self) -> [u8; KEY_NAME_LEN] {
        self.lock().current.name
    }

    /// Seals `session` into a ticket under the current key.
    pub fn seal(&self, session: &StoredSession) -> Result<Vec<u8>, CryptoError> {
        let now = self.clock.now();
        let key = {
            let mut state = self.lock();
            self.rotate_if_due(&mut state, now)?;
            state.sealed = state.sealed.saturating_add(1);
            state.current.clone()
        };

        let mut body = session.encode_secret();
        // The whole ticket must fit `opaque ticket<1..2^16-1>` (RFC 8446
        // §4.6.1; RFC 5077 §3.3 likewise).
        let too_large = CryptoError::Internal {
            what: "session state too large for a ticket",
        };
        STATE.check(body.len()).map_err(|_| too_large.clone())?;
        if HEADER_LEN + body.len() + TAG_LEN > MAX_TICKET_LEN {
            return Err(too_large);
        }
        let nonce: [u8; NONCE_LEN] = random_array(self.rng.as_ref())?;
        let mut out = Vec::with_capacity(HEADER_LEN + body.len() + TAG_LEN);
        let mut w = Writer::new(&mut out);
        w.bytes(&key.name);
        w.bytes(&nonce);
        // The length fits: STATE.check passed.
        w.u16(u16::try_from(body.len()).unwrap_or(u16::MAX));
        let aad = out.clone();
        let mut tag = [0u8; TAG_LEN];
        key.aead.seal(Nonce(nonce), &aad, &mut body, &mut tag)?;
        out.extend_from_slice(&body);
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// The session sealed in `ticket`, or `None` if the ticket is malformed,
    /// under a key that is unknown or past its grace period, altered in
    /// any way, or holds a session that has expired. The handshake then
    /// goes on as a full one (RFC 5077 §3.3: a server that cannot use a
    /// ticket may do a full handshake).
    pub fn open(&self, ticket: &[u8]) -> Option<StoredSession> {
        let mut r = Reader::new(ticket);
        let name: [u8; KEY_NAME_LEN] = r.array("ticket key_name").ok()?;
        let nonce: [u8; NONCE_LEN] = r.array("ticket nonce").ok()?;
        let aad = ticket.get(..HEADER_LEN)?;
        let ciphertext = r.vec(STATE).ok()?.take_rest();
        let tag = r.take(TAG_LEN, "ticket tag").ok()?;
        r.finish("ticket").ok()?;

        let now = self.clock.now();
        let key = {
            let mut state = self.lock();
            // A failed rotation (no randomness) leaves the keys as they
            // are; opening still works.
            let _ = self.rotate_if_due(&mut state, now);
            match &state.previous {
                _ if state.current.name == name => state.current.clone(),
                Some((prev, until)) if prev.name == name && now < *until => prev.clone(),
                _ => return None,
            }
        };

        let mut buf = Zeroizing::new(Vec::with_capacity(ciphertext.len() + TAG_LEN));
        buf.extend_from_slice(ciphertext);
        buf.extend_from_slice(tag);
        let plain = key.aead.open(Nonce(nonce), aad, &mut buf).ok()?;
        let session = StoredSession::from_bytes(plain).ok()?;
        (!session.is_expired(now)).then_some(session)
    }
}

#[cfg(test)]
mod tests {
    use super::super::clock::ManualClock;
    use super::super::stored::tests::{any_session, tls12, tls13};
    use super::*;
    use crate::codec::Bytes;
    use crate::crypto::rand::{SequenceRandom, SystemRandom};

    const DAY: u32 = 86_400;

    fn keys(policy: TicketKeyPolicy) -> (Arc<ManualClock>, TicketKeys) {
        let clock = Arc::new(ManualClock::new(1_000_000));
        let k = TicketKeys::new(policy, Arc::new(SystemRandom), clock.clone()).unwrap();
        (clock, k)
    }

    fn policy(rotate_every: u64, grace: u64) -> TicketKeyPolicy {
        TicketKeyPolicy {
            rotate_every,
            grace,
            ..TicketKeyPolicy::default()
        }
    }

    #[test]
    fn seal_open_round_trip() {
        let (_, k) = keys(TicketKeyPolicy::default());
        for s in [tls12("a.example", 1_000_000, DAY), tls13("b", 999_999, DAY)] {
            let t = k.seal(&s).unwrap();
            assert_eq!(&t[..KEY_NAME_LEN], &k.current_key_name());
            assert_eq!(t.len(), HEADER_LEN + s.to_bytes().len() + TAG_LEN);
            assert_eq!(k.open(&t), Some(s.clone()));
            // Opening does not consume the ticket.
            assert_eq!(k.open(&t), Some(s.clone()));
            // Two seals of one session differ (fresh nonce).
            assert_ne!(k.seal(&s).unwrap(), t);
        }
    }

    #[test]
    fn any_altered_byte_is_refused() {
        let (_, k) = keys(TicketKeyPolicy::default());
        let t = k.seal(&tls12("a.example", 1_000_000, DAY)).unwrap();
        for i in 0..t.len() {
            for x in [0x01, 0x80, 0xff] {
                let mut bad = t.clone();
                bad[i] ^= x;
                assert_eq!(k.open(&bad), None, "byte {i} ^ {x:#x}");
            }
        }
        for n in 0..t.len() {
            assert_eq!(k.open(&t[..n]), None, "prefix of {n}");
        }
        let mut long = t.clone();
        long.push(0);
        assert_eq!(k.open(&long), None);
        assert_eq!(k.open(&[]), None);
        assert_eq!(k.open(&[0xff; 200]), None);
    }

    #[test]
    fn unknown_key_name_is_refused() {
        let (_, k) = keys(TicketKeyPolicy::default());
        let (_, other) = keys(TicketKeyPolicy::default());
        let t = other.seal(&tls12("a", 1_000_000, DAY)).unwrap();
        assert_eq!(k.open(&t), None);
        // Right name, wrong key material: refused by the AEAD.
        let mut forged = t.clone();
        forged[..KEY_NAME_LEN].copy_from_slice(&k.current_key_name());
        assert_eq!(k.open(&forged), None);
    }

    #[test]
    fn expired_sessions_are_refused() {
        let (clock, k) = keys(policy(10 * u64::from(DAY), 10 * u64::from(DAY)));
        let t = k.seal(&tls12("a", 1_000_000, 100)).unwrap();
        clock.advance(99);
        assert!(k.open(&t).is_some());
        clock.advance(1);
        assert_eq!(k.open(&t), None);
    }

    #[test]
    fn rotation_and_grace_period() {
        let (clock, k) = keys(policy(1000, 300));
        let first = k.current_key_name();
        let s = tls12("a", 1_000_000, 10 * DAY);
        let old = k.seal(&s).unwrap();
        clock.advance(999);
        assert_eq!(k.current_key_name(), first);
        let late = k.seal(&s).unwrap();
        clock.advance(1);
        // Due: the next seal uses a new key.
        let new = k.seal(&s).unwrap();
        assert_ne!(new[..KEY_NAME_LEN], first);
        assert_eq!(k.current_key_name(), new[..KEY_NAME_LEN]);
        // Old tickets still open during the grace period...
        clock.advance(299);
        assert!(k.open(&old).is_some());
        assert!(k.open(&late).is_some());
        assert!(k.open(&new).is_some());
        // ...and not after.
        clock.advance(1);
        assert_eq!(k.open(&old), None);
        assert_eq!(k.open(&late), None);
        assert!(k.open(&new).is_some());
    }

    #[test]
    fn grace_counts_from_the_due_time() {
        let (clock, k) = keys(policy(1000, 300));
        let s = tls12("a", 1_000_000, 10 * DAY);
        let t = k.seal(&s).unwrap();
        // Nothing happens for a long time: the key was due at +1000 and its
        // grace ended at +1300; opening at +1200 is within it.
        clock.advance(1200);
        assert!(k.open(&t).is_some());
        let (clock, k) = keys(policy(1000, 300));
        let t = k.seal(&s).unwrap();
        clock.advance(5000);
        assert_eq!(k.open(&t), None);
    }

    #[test]
    fn second_rotation_drops_the_oldest_key() {
        let (clock, k) = keys(policy(1000, 5000));
        let s = tls12("a", 1_000_000, 10 * DAY);
        let t = k.seal(&s).unwrap();
        k.rotate_now().unwrap();
        assert!(k.open(&t).is_some());
        clock.advance(10);
        k.rotate_now().unwrap();
        assert_eq!(k.open(&t), None);
    }

    #[test]
    fn seal_count_forces_rotation() {
        let (_, k) = keys(TicketKeyPolicy {
            max_seals_per_key: 2,
            ..TicketKeyPolicy::default()
        });
        let s = tls13("a", 1_000_000, DAY);
        let a = k.seal(&s).unwrap();
        let b = k.seal(&s).unwrap();
        let c = k.seal(&s).unwrap();
        assert_eq!(a[..KEY_NAME_LEN], b[..KEY_NAME_LEN]);
        assert_ne!(b[..KEY_NAME_LEN], c[..KEY_NAME_LEN]);
        assert!(k.open(&a).is_some() && k.open(&c).is_some());
    }

    #[test]
    fn oversized_state_and_missing_randomness_are_errors() {
        let (_, k) = keys(TicketKeyPolicy::default());
        let mut s = tls12("a", 1_000_000, DAY);
        s.peer_certificates = vec![Bytes::new(vec![0; 70_000])];
        assert!(k.seal(&s).is_err());
        // Find the largest chain that still fits: the ticket is then
        // exactly MAX_TICKET_LEN bytes, and one more byte is refused.
        let mut bare = tls12("a", 1_000_000, DAY);
        bare.peer_certificates.clear();
        // The state without certificates, plus one certificate's length.
        let base = bare.to_bytes().len() + 3;
        let fits = MAX_TICKET_LEN - HEADER_LEN - TAG_LEN - base;
        s.peer_certificates = vec![Bytes::new(vec![0; fits])];
        assert_eq!(k.seal(&s).unwrap().len(), MAX_TICKET_LEN);
        s.peer_certificates = vec![Bytes::new(vec![0; fits + 1])];
        assert!(k.seal(&s).is_err());
        // Exactly enough randomness for the first key, none for nonces.
        let rng = Arc::new(SequenceRandom::new(vec![1; KEY_NAME_LEN + 32]));
        let clock = Arc::new(ManualClock::new(1_000_000));
        let k = TicketKeys::new(TicketKeyPolicy::default(), rng, clock).unwrap();
        assert!(k.seal(&tls12("a", 1_000_000, DAY)).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn any_session_round_trips(mut s in any_session()) {
            let (clock, k) = keys(TicketKeyPolicy::default());
            s.created = clock.now();
            s.lifetime = s.lifetime.max(1);
            let t = k.seal(&s).unwrap();
            proptest::prop_assert_eq!(k.open(&t), Some(s));
        }

        #[test]
        fn any_bytes_are_refused(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let (_, k) = keys(TicketKeyPolicy::default());
            proptest::prop_assert_eq!(k.open(&bytes), None);
            // Under the right key name, the bytes reach the parser and AEAD.
            let mut named = k.current_key_name().to_vec();
            named.extend_from_slice(&bytes);
            proptest::prop_assert_eq!(k.open(&named), None);
        }
    }

    #[test]
    fn shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<TicketKeys>();
        let (clock, k) = keys(policy(20, 20));
        let k = Arc::new(k);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (k, clock) = (k.clone(), clock.clone());
                std::thread::spawn(move || {
                    let s = tls13("a", 1_000_000, DAY);
                    for _ in 0..50 {
                        let sealed_at = clock.now();
                        let t = k.seal(&s).unwrap();
                        clock.advance(1);
                        // A ticket opens for at least min(grace, rotate_every)
                        // seconds, however the threads interleave.
                        match k.open(&t) {
                            Some(opened) => assert_eq!(opened, s),
                            None => assert!(clock.now() - sealed_at >= 20),
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
