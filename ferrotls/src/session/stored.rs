//! The state a later handshake needs to resume a session, and its
//! encoding (kept in the server's session cache, sealed into tickets, or
//! kept by the client).
//!
//! TLS 1.2 resumption reuses the master secret (RFC 5246 §7.4.1.2,
//! RFC 5077 §4 `StatePlaintext`); TLS 1.3 resumption uses a PSK derived
//! from the resumption master secret and the ticket nonce (RFC 8446
//! §4.6.1). The version-specific parts live in [`SessionKeys`], so a
//! TLS 1.2 session cannot carry a `ticket_age_add` nor a TLS 1.3 one an
//! EMS flag.
//!
//! Encoding (all integers big-endian, vectors as in RFC 8446 §3.4):
//!
//! ```text
//! struct {
//!     uint8 format = 1;
//!     ProtocolVersion version;           /* 0x0303 or 0x0304 */
//!     CipherSuite cipher_suite;          /* implemented, of that version */
//!     opaque secret<1..255>;             /* 48 bytes, or Hash.length */
//!     select (version) {
//!         case 0x0303: uint8 extended_master_secret;     /* 0 or 1 */
//!         case 0x0304: uint32 ticket_age_add; uint32 max_early_data;
//!     };
//!     opaque server_name<0..2^16-1>;     /* empty: none */
//!     opaque alpn<0..255>;               /* empty: none */
//!     ASN.1Cert peer_certificates<0..2^24-1>;  /* opaque cert<1..2^24-1> */
//!     uint32 created_high; uint32 created_low;  /* Unix seconds */
//!     uint32 lifetime;                   /* seconds */
//! } StoredSession;
//! ```

use zeroize::Zeroizing;

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::crypto::hkdf::SecretBytes;
use crate::crypto::suites::{tls12_suite, tls13_suite, Tls12Suite, Tls13Suite};
use crate::error::{CryptoError, InvalidMessage};
use crate::keys::tls12::MasterSecret;
use crate::msgs::enums::{CipherSuite, ProtocolVersion};

/// The first byte of every encoding; bumped when the layout changes, so a
/// server refuses (and falls back to a full handshake for) state written
/// in an older layout instead of misreading it.
pub const FORMAT_VERSION: u8 = 1;

/// TLS 1.2 master secret length (RFC 5246 §8.1).
pub const MASTER_SECRET_LEN: usize = 48;

/// RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800
/// seconds (7 days) ... Clients MUST NOT cache tickets for longer than 7
/// days, regardless of the ticket_lifetime".
pub const TLS13_MAX_LIFETIME: u32 = 604_800;

/// RFC 5246 §F.1.4: "An upper limit of 24 hours is suggested for session
/// ID lifetimes".
pub const TLS12_SUGGESTED_LIFETIME: u32 = 86_400;

const SECRET: VecSpec = VecSpec::opaque("stored secret", 1, 255);
const SERVER_NAME: VecSpec = VecSpec::opaque("stored server_name", 0, 0xffff);
const ALPN: VecSpec = VecSpec::opaque("stored alpn", 0, 255);
const CERTS: VecSpec = VecSpec::opaque("stored peer_certificates", 0, 0xff_ffff);
const CERT: VecSpec = VecSpec::opaque("stored certificate", 1, 0xff_ffff);

/// A resumption secret: zeroized on drop, and `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(Zeroizing<Vec<u8>>);

impl SessionSecret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The secret itself, for the key schedule.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl core::fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SessionSecret({} bytes)", self.0.len())
    }
}

/// The version-specific part of a session: its suite, its secret and what
/// only that version records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionKeys {
    Tls12 {
        suite: Tls12Suite,
        /// RFC 5246 §8.1: 48 bytes.
        master_secret: SessionSecret,
        /// Whether the master secret is an extended one (RFC 7627 §4);
        /// decides what a resumption may do (RFC 7627 §5.3).
        extended_master_secret: bool,
    },
    Tls13 {
        suite: Tls13Suite,
        /// HKDF-Expand-Label(resumption_master_secret, "resumption",
        /// ticket_nonce, Hash.length) (RFC 8446 §4.6.1).
        psk: SessionSecret,
        /// RFC 8446 §4.6.1: added to the ticket age to obscure it in
        /// `obfuscated_ticket_age`.
        age_add: u32,
        /// From the ticket's early_data extension; 0 when 0-RTT is not
        /// allowed (RFC 8446 §4.2.10).
        max_early_data: u32,
    },
}

impl SessionKeys {
    /// The TLS 1.2 state of a session whose master secret is `master`.
    pub fn tls12(suite: Tls12Suite, master: &MasterSecret, extended_master_secret: bool) -> Self {
        Self::Tls12 {
            suite,
            master_secret: SessionSecret::new(master.expose().to_vec()),
            extended_master_secret,
        }
    }

    /// The TLS 1.3 state of a ticket whose PSK is `psk`, which must be
    /// Hash.length bytes for the suite's hash (RFC 8446 §4.6.1).
    pub fn tls13(
        suite: Tls13Suite,
        psk: &SecretBytes,
        age_add: u32,
        max_early_data: u32,
    ) -> Result<Self, CryptoError> {
        if psk.len() != suite.hash.output_len() {
            return Err(CryptoError::InvalidKey {
                what: "resumption PSK length differs from the suite's hash",
            });
        }
        Ok(Self::Tls13 {
            suite,
            psk: SessionSecret::new(psk.expose().to_vec()),
            age_add,
            max_early_data,
        })
    }

    /// The master secret to resume a TLS 1.2 session with (RFC 5246 §7.3);
    /// `None` for a TLS 1.3 session.
    pub fn master_secret(&self) -> Option<Result<MasterSecret, CryptoError>> {
        match self {
            Self::Tls12 {
                suite,
                master_secret,
                ..
            } => Some(MasterSecret::from_bytes(suite.hash, master_secret.expose())),
            Self::Tls13 { .. } => None,
        }
    }
}

/// Everything a resumption needs from the session it resumes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSession {
    pub keys: SessionKeys,
    /// The SNI host name the session was made for (RFC 6066 §3), ASCII.
    pub server_name: Option<String>,
    /// The ALPN protocol agreed (RFC 7301 §3.1).
    pub alpn: Option<Bytes>,
    /// The peer's certificate chain as received, DER, end-entity first;
    /// empty when the peer did not authenticate.
    pub peer_certificates: Vec<Bytes>,
    /// When the session was made (server) or the ticket received (client),
    /// Unix seconds.
    pub created: u64,
    /// How long it may be resumed, in seconds.
    pub lifetime: u32,
}

impl StoredSession {
    pub fn version(&self) -> ProtocolVersion {
        match self.keys {
            SessionKeys::Tls12 { .. } => ProtocolVersion::TLSv1_2,
            SessionKeys::Tls13 { .. } => ProtocolVersion::TLSv1_3,
        }
    }

    pub fn suite(&self) -> CipherSuite {
        match &self.keys {
            SessionKeys::Tls12 { suite, .. } => suite.suite,
            SessionKeys::Tls13 { suite, .. } => suite.suite,
        }
    }

    /// The master secret (TLS 1.2) or PSK (TLS 1.3).
    pub fn secret(&self) -> &SessionSecret {
        match &self.keys {
            SessionKeys::Tls12 { master_secret, .. } => master_secret,
            SessionKeys::Tls13 { psk, .. } => psk,
        }
    }

    /// Whether the session used the extended master secret: always for
    /// TLS 1.3, whose key schedule binds the transcript by construction.
    pub fn extended_master_secret(&self) -> bool {
        match self.keys {
            SessionKeys::Tls12 {
                extended_master_secret,
                ..
            } => extended_master_secret,
            SessionKeys::Tls13 { .. } => true,
        }
    }

    /// The lifetime in force: a TLS 1.3 lifetime above 7 days is cut to 7
    /// days (RFC 8446 §4.6.1).
    pub fn effective_lifetime(&self) -> u32 {
        match self.keys {
            SessionKeys::Tls12 { .. } => self.lifetime,
            SessionKeys::Tls13 { .. } => self.lifetime.min(TLS13_MAX_LIFETIME),
        }
    }

    /// The first second at which the session may no longer be resumed.
    pub fn expires_at(&self) -> u64 {
        self.created
            .saturating_add(u64::from(self.effective_lifetime()))
    }

    /// A lifetime of zero means "discard immediately" (RFC 8446 §4.6.1).
    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.expires_at()
    }

    /// The encoding in a buffer that is wiped when dropped (it holds the
    /// secret): what ticket sealing encrypts.
    pub fn encode_secret(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        self.encode(&mut Writer::new(&mut out));
        out
    }
}

fn read_suite<T>(
    suite: CipherSuite,
    lookup: fn(CipherSuite) -> Option<T>,
) -> Result<T, InvalidMessage> {
    lookup(suite).ok_or(InvalidMessage::InvalidValue {
        what: "stored cipher_suite",
        value: u32::from(suite.to_wire()),
    })
}

fn read_secret(r: &mut Reader<'_>, len: usize) -> Result<SessionSecret, InvalidMessage> {
    let mut body = r.vec(SECRET)?;
    let bytes = body.take_rest();
    if bytes.len() != len {
        return Err(InvalidMessage::InvalidValue {
            what: "stored secret length",
            value: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        });
    }
    Ok(SessionSecret::new(bytes.to_vec()))
}

impl Codec for StoredSession {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(FORMAT_VERSION);
        self.version().encode(w);
        self.suite().encode(w);
        w.opaque(SECRET.prefix, self.secret().expose());
        match &self.keys {
            SessionKeys::Tls12 {
                extended_master_secret,
                ..
            } => w.u8(u8::from(*extended_master_secret)),
            SessionKeys::Tls13 {
                age_add,
                max_early_data,
                ..
            } => {
                w.u32(*age_add);
                w.u32(*max_early_data);
            }
        }
        w.opaque(
            SERVER_NAME.prefix,
            self.server_name.as_deref().unwrap_or_default().as_bytes(),
        );
        w.opaque(ALPN.prefix, self.alpn.as_deref().unwrap_or_default());
        w.vec(CERTS.prefix, |w| {
            for cert in &self.peer_certificates {
                w.opaque(LengthPrefix::U24, cert);
            }
        });
        let created = self.created.to_be_bytes();
        let [h0, h1, h2, h3, l0, l1, l2, l3] = created;
        w.bytes(&[h0, h1, h2, h3, l0, l1, l2, l3]);
        w.u32(self.lifetime);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let format = r.u8("stored session format")?;
        if format != FORMAT_VERSION {
            return Err(InvalidMessage::InvalidValue {
                what: "stored session format",
                value: u32::from(format),
            });
        }
        let version = ProtocolVersion::read(r)?;
        let suite = CipherSuite::read(r)?;
        let keys = match version {
            ProtocolVersion::TLSv1_2 => {
                let suite = read_suite(suite, tls12_suite)?;
                let master_secret = read_secret(r, MASTER_SECRET_LEN)?;
                let extended_master_secret = match r.u8("stored extended_master_secret")? {
                    0 => false,
                    1 => true,
                    v => {
                        return Err(InvalidMessage::InvalidValue {
                            what: "stored extended_master_secret",
                            value: u32::from(v),
                        })
                    }
                };
                SessionKeys::Tls12 {
                    suite,
                    master_secret,
                    extended_master_secret,
                }
            }
            ProtocolVersion::TLSv1_3 => {
                let suite = read_suite(suite, tls13_suite)?;
                let psk = read_secret(r, suite.hash.output_len())?;
                SessionKeys::Tls13 {
                    suite,
                    psk,
                    age_add: r.u32("stored ticket_age_add")?,
                    max_early_data: r.u32("stored max_early_data")?,
                }
            }
            other => {
                return Err(InvalidMessage::InvalidValue {
                    what: "stored protocol version",
                    value: u32::from(other.to_wire()),
                })
            }
        };
        let name = r.vec(SERVER_NAME)?.take_rest();
        let server_name = match name {
            [] => None,
            name if name.is_ascii() => Some(String::from_utf8_lossy(name).into_owned()),
            _ => {
                return Err(InvalidMessage::IllegalParameter {
                    what: "stored server_name (not ASCII)",
                })
            }
        };
        let alpn = Some(r.opaque(ALPN)?).filter(|a| !a.is_empty());
        let peer_certificates = r.list(CERTS, |r| r.opaque(CERT))?;
        let high = r.u32("stored created")?;
        let low = r.u32("stored created")?;
        let created = (u64::from(high) << 32) | u64::from(low);
        let lifetime = r.u32("stored lifetime")?;
        Ok(Self {
            keys,
            server_name,
            alpn,
            peer_certificates,
            created,
            lifetime,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::crypto::suites::{TLS12_SUITES, TLS13_SUITES};
    use proptest::prelude::*;

    /// A TLS 1.2 session with EMS for `name`, made at `created`.
    pub(crate) fn tls12(name: &str, created: u64, lifetime: u32) -> StoredSession {
        StoredSession {
            keys: SessionKeys::Tls12 {
                suite: TLS12_SUITES[0],
                master_secret: SessionSecret::new(vec![0x4d; MASTER_SECRET_LEN]),
                extended_master_secret: true,
            },
            server_name: Some(name.to_string()),
            alpn: Some(Bytes::new(b"h2".to_vec())),
            peer_certificates: vec![Bytes::new(vec![0x30, 0x82, 1, 2]), Bytes::new(vec![0x30])],
            created,
            lifetime,
        }
    }

    /// A TLS 1.3 session (TLS_AES_128_GCM_SHA256) for `name`.
    pub(crate) fn tls13(name: &str, created: u64, lifetime: u32) -> StoredSession {
        StoredSession {
            keys: SessionKeys::Tls13 {
                suite: TLS13_SUITES[0],
                psk: SessionSecret::new(vec![0x50; 32]),
                age_add: 0xdead_beef,
                max_early_data: 16384,
            },
            server_name: Some(name.to_string()),
            alpn: None,
            peer_certificates: vec![],
            created,
            lifetime,
        }
    }

    pub(crate) fn any_session() -> impl Strategy<Value = StoredSession> {
        let tls12 = (
            0..TLS12_SUITES.len(),
            proptest::collection::vec(any::<u8>(), MASTER_SECRET_LEN),
            any::<bool>(),
        )
            .prop_map(|(i, secret, ems)| SessionKeys::Tls12 {
                suite: TLS12_SUITES[i],
                master_secret: SessionSecret::new(secret),
                extended_master_secret: ems,
            });
        let tls13 = (
            0..TLS13_SUITES.len(),
            any::<[u8; 48]>(),
            any::<u32>(),
            any::<u32>(),
        )
            .prop_map(|(i, secret, age_add, max_early_data)| {
                let suite = TLS13_SUITES[i];
                let psk = secret[..suite.hash.output_len()].to_vec();
                SessionKeys::Tls13 {
                    suite,
                    psk: SessionSecret::new(psk),
                    age_add,
                    max_early_data,
                }
            });
        (
            prop_oneof![tls12, tls13],
            proptest::option::of("[a-z0-9.-]{1,40}"),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 1..20)),
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..300), 0..4),
            any::<u64>(),
            any::<u32>(),
        )
            .prop_map(|(keys, server_name, alpn, certs, created, lifetime)| {
                StoredSession {
                    keys,
                    server_name,
                    alpn: alpn.map(Bytes::new),
                    peer_certificates: certs.into_iter().map(Bytes::new).collect(),
                    created,
                    lifetime,
                }
            })
    }

    proptest! {
        #[test]
        fn round_trips(s in any_session()) {
            let bytes = s.to_bytes();
            prop_assert_eq!(&bytes[..], &s.encode_secret()[..]);
            prop_assert_eq!(StoredSession::from_bytes(&bytes).unwrap(), s);
        }

        #[test]
        fn no_strict_prefix_decodes(s in any_session()) {
            let bytes = s.to_bytes();
            for n in 0..bytes.len() {
                prop_assert!(StoredSession::from_bytes(&bytes[..n]).is_err());
            }
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = StoredSession::from_bytes(&bytes);
        }

        #[test]
        fn flipped_bytes_never_panic(s in any_session(), at in any::<usize>(), x in 1u8..) {
            let mut bytes = s.to_bytes();
            let i = at % bytes.len();
            bytes[i] ^= x;
            let _ = StoredSession::from_bytes(&bytes);
        }
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let mut bytes = tls12("a.example", 1, 2).to_bytes();
        bytes.push(0);
        assert!(matches!(
            StoredSession::from_bytes(&bytes),
            Err(InvalidMessage::TrailingBytes { .. })
        ));
    }

    #[test]
    fn inconsistent_fields_are_rejected() {
        let good = tls13("a.example", 1, 2).to_bytes();
        // Unknown format.
        let mut b = good.clone();
        b[0] = 2;
        assert!(StoredSession::from_bytes(&b).is_err());
        // TLS 1.2 version with a TLS 1.3 suite.
        let mut b = good.clone();
        b[1..3].copy_from_slice(&[3, 3]);
        assert!(StoredSession::from_bytes(&b).is_err());
        // TLS 1.0.
        let mut b = good.clone();
        b[1..3].copy_from_slice(&[3, 1]);
        assert!(StoredSession::from_bytes(&b).is_err());
        // A PSK shorter than the suite's hash.
        let mut s = tls13("a.example", 1, 2);
        if let SessionKeys::Tls13 { psk, .. } = &mut s.keys {
            *psk = SessionSecret::new(vec![1; 31]);
        }
        assert!(StoredSession::from_bytes(&s.to_bytes()).is_err());
        // EMS flag other than 0/1: it sits right after the 48-byte secret.
        let mut b = tls12("a.example", 1, 2).to_bytes();
        b[1 + 2 + 2 + 1 + 48] = 2;
        assert!(StoredSession::from_bytes(&b).is_err());
        // A non-ASCII server name.
        let mut s = tls12("a.example", 1, 2);
        s.server_name = Some("é".to_string());
        assert!(StoredSession::from_bytes(&s.to_bytes()).is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let s = tls12("a.example", 1, 2);
        let text = format!("{s:?}");
        assert!(text.contains("SessionSecret(48 bytes)"), "{text}");
        assert!(!text.contains("4d4d"), "{text}");
        assert!(!text.contains("77, 77"), "{text}");
    }

    #[test]
    fn constructors_check_secrets() {
        let ms = MasterSecret::from_bytes(TLS12_SUITES[0].hash, &[9; 48]).unwrap();
        let keys = SessionKeys::tls12(TLS12_SUITES[0], &ms, true);
        assert_eq!(keys.master_secret().unwrap().unwrap().expose(), &[9; 48]);
        let psk = SecretBytes::new(vec![1; 48]);
        let sha384 = TLS13_SUITES[1];
        assert_eq!(sha384.hash.output_len(), 48);
        let keys = SessionKeys::tls13(sha384, &psk, 7, 0).unwrap();
        assert!(keys.master_secret().is_none());
        assert!(SessionKeys::tls13(TLS13_SUITES[0], &psk, 7, 0).is_err());
    }

    #[test]
    fn lifetimes() {
        let s = tls12("a", 100, 10);
        assert!(!s.is_expired(109));
        assert!(s.is_expired(110));
        assert!(tls12("a", 100, 0).is_expired(100));
        // RFC 8446 §4.6.1: never more than 7 days for TLS 1.3.
        let t = tls13("a", 0, u32::MAX);
        assert_eq!(t.expires_at(), u64::from(TLS13_MAX_LIFETIME));
        assert!(t.is_expired(604_800));
        assert!(!tls12("a", 0, u32::MAX).is_expired(604_800));
        assert!(!tls12("a", u64::MAX - 1, u32::MAX).is_expired(u64::MAX - 1));
        assert!(t.extended_master_secret());
    }
}
