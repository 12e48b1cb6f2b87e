//! The HelloRetryRequest cookie of a stateless server (RFC 8446 §4.2.2).
//!
//! RFC 8446 §4.4.1: "the server may keep its state in the cookie": after a
//! HelloRetryRequest the first ClientHello stands in the transcript only
//! as its hash, so a server that keeps nothing between the two hellos
//! needs only that hash, the suite and group it chose, and the client's
//! random (to tie the second ClientHello to the first). The cookie carries
//! them, authenticated with an HMAC key the server holds, so a client
//! cannot forge or alter them.
//!
//! ```text
//! struct {
//!     uint8 format = 1;
//!     CipherSuite suite;
//!     NamedGroup group;
//!     opaque client_random[32];
//!     opaque client_hello1_hash<32..48>;
//!     opaque tag[32];                 /* HMAC-SHA256 over all the above */
//! } RetryCookie;
//! ```

use std::sync::OnceLock;

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::hmac::HmacKey;
use crate::crypto::rand::{random_array, SystemRandom};
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::enums::{CipherSuite, NamedGroup};

const FORMAT: u8 = 1;
const TAG_LEN: usize = 32;
const CH1_HASH: VecSpec = VecSpec::opaque("client_hello1_hash", 32, 48);

/// The server's key for retry cookies: drawn from the system generator
/// on first use and shared by every connection of one configuration.
#[derive(Default)]
pub struct CookieKey(OnceLock<HmacKey>);

impl core::fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CookieKey(..)")
    }
}

impl CookieKey {
    /// A key with the given bytes, so that several servers behind one
    /// name accept each other's cookies.
    pub fn with_secret(secret: &[u8]) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(HmacKey::new(HashAlgorithm::Sha256, secret));
        Self(cell)
    }

    fn key(&self) -> Result<&HmacKey, Error> {
        if let Some(k) = self.0.get() {
            return Ok(k);
        }
        let secret: [u8; 32] = random_array(&SystemRandom)?;
        Ok(self
            .0
            .get_or_init(|| HmacKey::new(HashAlgorithm::Sha256, &secret)))
    }
}

/// What a stateless server needs to finish a handshake after its
/// HelloRetryRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RetryCookie {
    pub suite: CipherSuite,
    pub group: NamedGroup,
    pub client_random: [u8; 32],
    pub client_hello1_hash: Vec<u8>,
}

impl RetryCookie {
    fn encode_body(&self, w: &mut Writer<'_>) {
        w.u8(FORMAT);
        self.suite.encode(w);
        self.group.encode(w);
        w.bytes(&self.client_random);
        w.opaque(LengthPrefix::U8, &self.client_hello1_hash);
    }

    /// The cookie's bytes, tag included.
    pub fn seal(&self, key: &CookieKey) -> Result<Bytes, Error> {
        let mut out = Vec::new();
        self.encode_body(&mut Writer::new(&mut out));
        let tag = key.key()?.sign(&out);
        out.extend_from_slice(tag.as_ref());
        Ok(Bytes(out))
    }

    /// Checks the tag and reads the cookie. A cookie we did not make (or
    /// that was altered) is `illegal_parameter`: RFC 8446 §4.1.2 lets the
    /// second ClientHello differ only by carrying the cookie "provided in
    /// the HelloRetryRequest".
    pub fn open(key: &CookieKey, cookie: &[u8]) -> Result<Self, Error> {
        let forged = || Error::from(PeerMisbehaved::IllegalParameter { what: "cookie" });
        let body_len = cookie.len().checked_sub(TAG_LEN).ok_or_else(forged)?;
        let (body, tag) = cookie.split_at_checked(body_len).ok_or_else(forged)?;
        key.key()?.verify(body, tag).map_err(|_| forged())?;
        let mut r = Reader::new(body);
        let parsed = (|| {
            if r.u8("cookie format")? != FORMAT {
                return Err(crate::error::InvalidMessage::IllegalParameter {
                    what: "cookie format",
                });
            }
            let suite = CipherSuite::read(&mut r)?;
            let group = NamedGroup::read(&mut r)?;
            let client_random = r.array("cookie client_random")?;
            let client_hello1_hash = r.opaque(CH1_HASH)?.0;
            r.finish("cookie")?;
            Ok(Self {
                suite,
                group,
                client_random,
                client_hello1_hash,
            })
        })();
        parsed.map_err(|_| forged())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;

    fn cookie() -> RetryCookie {
        RetryCookie {
            suite: CipherSuite::TLS_AES_256_GCM_SHA384,
            group: NamedGroup::Secp256r1,
            client_random: [7; 32],
            client_hello1_hash: vec![9; 48],
        }
    }

    #[test]
    fn round_trips_under_one_key() {
        let key = CookieKey::default();
        let sealed = cookie().seal(&key).unwrap();
        assert_eq!(RetryCookie::open(&key, &sealed).unwrap(), cookie());
        let shared = CookieKey::with_secret(b"shared secret");
        let sealed = cookie().seal(&shared).unwrap();
        let other = CookieKey::with_secret(b"shared secret");
        assert_eq!(RetryCookie::open(&other, &sealed).unwrap(), cookie());
    }

    #[test]
    fn forged_altered_or_foreign_cookies_are_refused() {
        let key = CookieKey::default();
        let sealed = cookie().seal(&key).unwrap();
        let alert = |r: Result<RetryCookie, Error>| r.unwrap_err().alert();
        // Another server's key.
        assert_eq!(
            alert(RetryCookie::open(&CookieKey::default(), &sealed)),
            Some(AlertDescription::IllegalParameter)
        );
        // Any flipped bit.
        for i in 0..sealed.len() {
            let mut bad = sealed.0.clone();
            bad[i] ^= 1;
            assert!(RetryCookie::open(&key, &bad).is_err(), "bit in byte {i}");
        }
        // Every strict prefix.
        for n in 0..sealed.len() {
            assert!(RetryCookie::open(&key, &sealed[..n]).is_err());
        }
    }
}
