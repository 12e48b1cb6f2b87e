//! Whether a stored session may be resumed, and if not, what the handshake
//! does instead: go on with a full handshake, or abort.
//!
//! Three points of the handshake ask:
//! - [`client_may_offer`]: the client, before putting a session in its
//!   ClientHello. A refusal means "offer nothing, do a full handshake".
//! - [`server_may_resume`]: the server, after finding the session the
//!   ClientHello names (by session ID, ticket or PSK identity).
//! - [`client_check_resumed`]: the client, when the ServerHello accepts
//!   the resumption. Every refusal there aborts the handshake.
//!
//! The rules: the same version; for TLS 1.2 the same cipher suite
//! (RFC 5246 §7.4.1.2-§7.4.1.3), for TLS 1.3 a suite with the same hash
//! (RFC 8446 §4.2.11, §4.6.1); the same server name (RFC 6066 §3,
//! RFC 8446 §4.6.1); for TLS 1.2 the extended master secret rules of
//! RFC 7627 §5.3; and a session that has not expired.

use super::stored::{SessionKeys, StoredSession};
use crate::crypto::suites::tls13_suite;
use crate::msgs::enums::{AlertDescription, CipherSuite, ProtocolVersion};

/// What the new hello says, as far as resumption cares.
#[derive(Clone, Copy, Debug)]
pub struct Hello<'a> {
    /// Client offer: the versions the client offers. Server and
    /// ServerHello: the one version negotiated.
    pub versions: &'a [ProtocolVersion],
    /// Client offer: the suites the client offers. Server: the suites the
    /// client offered that the server accepts (TLS 1.2), or the suite the
    /// server chose (TLS 1.3). ServerHello: the suite it names.
    pub suites: &'a [CipherSuite],
    /// The SNI host name of the new ClientHello.
    pub server_name: Option<&'a str>,
    /// Whether the hello carries the extended_master_secret extension
    /// (TLS 1.2 only; ignored for TLS 1.3 sessions).
    pub extended_master_secret: bool,
}

/// How the stored session and the new hello differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The session's lifetime is over.
    Expired { expires_at: u64, now: u64 },
    /// The session's version is not the one of the new handshake.
    Version { stored: ProtocolVersion },
    /// TLS 1.2: the session's suite is not available, or the ServerHello
    /// names another one.
    Suite { stored: CipherSuite },
    /// TLS 1.3: no suite with the hash of the session's suite.
    Hash { stored: CipherSuite },
    /// The session was made for another server name.
    ServerName {
        stored: Option<String>,
        new: Option<String>,
    },
    /// The original session did not use the extended master secret, the
    /// new hello does.
    EmsAdded,
    /// The original session used the extended master secret, the new
    /// hello does not.
    EmsDropped,
    /// Neither the original session nor the new hello uses the extended
    /// master secret: legacy, unprotected resumption.
    NoEms,
}

/// Why a session is not resumed, and what happens instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Go on with a full handshake (a new session).
    FullHandshake(Mismatch),
    /// Abort the handshake with [`Refusal::alert`].
    Abort(Mismatch),
}

impl Refusal {
    pub fn mismatch(&self) -> &Mismatch {
        match self {
            Self::FullHandshake(m) | Self::Abort(m) => m,
        }
    }

    /// The alert an abort is reported with; `None` for a fallback.
    /// RFC 7627 §5.3 names no alert for its aborts: `handshake_failure`
    /// is RFC 5246 §7.2.2's "unable to negotiate an acceptable set of
    /// security parameters". A ServerHello contradicting the offered
    /// session is an inconsistent field: `illegal_parameter` (RFC 8446
    /// §4.2.11).
    pub fn alert(&self) -> Option<AlertDescription> {
        match self {
            Self::FullHandshake(_) => None,
            Self::Abort(Mismatch::EmsAdded | Mismatch::EmsDropped | Mismatch::NoEms) => {
                Some(AlertDescription::HandshakeFailure)
            }
            Self::Abort(_) => Some(AlertDescription::IllegalParameter),
        }
    }
}

fn check_expiry(session: &StoredSession, now: u64) -> Result<(), Mismatch> {
    if session.is_expired(now) {
        return Err(Mismatch::Expired {
            expires_at: session.expires_at(),
            now,
        });
    }
    Ok(())
}

fn check_version(session: &StoredSession, hello: &Hello<'_>) -> Result<(), Mismatch> {
    if !hello.versions.contains(&session.version()) {
        return Err(Mismatch::Version {
            stored: session.version(),
        });
    }
    Ok(())
}

fn check_suite(session: &StoredSession, hello: &Hello<'_>) -> Result<(), Mismatch> {
    let stored = session.suite();
    match &session.keys {
        // RFC 8446 §4.6.1: "Any ticket MUST only be resumed with a cipher
        // suite that has the same KDF hash algorithm as that used to
        // establish the original connection."
        SessionKeys::Tls13 { suite, .. } => {
            let same_hash = |s: &CipherSuite| tls13_suite(*s).is_some_and(|s| s.hash == suite.hash);
            if !hello.suites.iter().any(same_hash) {
                return Err(Mismatch::Hash { stored });
            }
        }
        // RFC 5246 §7.4.1.3: "If a session is resumed, it must be resumed
        // using the same cipher suite it was originally negotiated with."
        SessionKeys::Tls12 { .. } => {
            if !hello.suites.contains(&stored) {
                return Err(Mismatch::Suite { stored });
            }
        }
    }
    Ok(())
}

fn check_server_name(session: &StoredSession, hello: &Hello<'_>) -> Result<(), Mismatch> {
    let same = match (session.server_name.as_deref(), hello.server_name) {
        (None, None) => true,
        // Host names compare without regard to ASCII case (RFC 6066 §3).
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    };
    if !same {
        return Err(Mismatch::ServerName {
            stored: session.server_name.clone(),
            new: hello.server_name.map(str::to_owned),
        });
    }
    Ok(())
}

fn is_tls12(session: &StoredSession) -> bool {
    session.version() == ProtocolVersion::TLSv1_2
}

/// Whether the client may offer `session` in a ClientHello described by
/// `hello`. Every refusal is a [`Refusal::FullHandshake`]: offer nothing.
pub fn client_may_offer(
    session: &StoredSession,
    hello: &Hello<'_>,
    now: u64,
) -> Result<(), Refusal> {
    check_expiry(session, now)
        .and_then(|()| check_version(session, hello))
        // RFC 5246 §7.4.1.2: the cipher_suites of a resumption request
        // "MUST include at least the cipher_suite from that session".
        .and_then(|()| check_suite(session, hello))
        // RFC 8446 §4.6.1: clients "SHOULD only resume if the SNI value
        // matches the one used in the original session"; RFC 6066 §3: "The
        // client SHOULD include the same server_name extension".
        .and_then(|()| check_server_name(session, hello))
        .and_then(|()| match is_tls12(session) {
            //= https://www.rfc-editor.org/rfc/rfc7627#section-5.3
            //# The client SHOULD NOT offer an abbreviated handshake to resume a
            //# session that does not use an extended master secret.
            true if !session.extended_master_secret() => Err(Mismatch::NoEms),
            //# When offering an abbreviated handshake, the client MUST send the
            //# "extended_master_secret" extension in its ClientHello.
            true if !hello.extended_master_secret => Err(Mismatch::EmsDropped),
            _ => Ok(()),
        })
        .map_err(Refusal::FullHandshake)
}

/// Whether the server may resume `session` for the ClientHello described
/// by `hello` (with `versions` the negotiated version).
///
/// Order: a session that has expired or belongs to another version is not
/// one the client can resume at all (full handshake). For a live TLS 1.2
/// session the EMS rules come next, since two of them abort; then the
/// suite and the server name, which fall back to a full handshake.
pub fn server_may_resume(
    session: &StoredSession,
    hello: &Hello<'_>,
    now: u64,
) -> Result<(), Refusal> {
    check_expiry(session, now)
        .and_then(|()| check_version(session, hello))
        .map_err(Refusal::FullHandshake)?;
    if is_tls12(session) {
        match (
            session.extended_master_secret(),
            hello.extended_master_secret,
        ) {
            //= https://www.rfc-editor.org/rfc/rfc7627#section-5.3
            //# If the original session did not use the "extended_master_secret"
            //# extension but the new ClientHello contains the extension, then the
            //# server MUST NOT perform the abbreviated handshake.  Instead, it
            //# SHOULD continue with a full handshake
            (false, true) => return Err(Refusal::FullHandshake(Mismatch::EmsAdded)),
            //# If the original session used the "extended_master_secret"
            //# extension but the new ClientHello does not contain it, the server
            //# MUST abort the abbreviated handshake.
            (true, false) => return Err(Refusal::Abort(Mismatch::EmsDropped)),
            //# If neither the original session nor the new ClientHello uses the
            //# extension, the server SHOULD abort the handshake.
            (false, false) => return Err(Refusal::Abort(Mismatch::NoEms)),
            (true, true) => {}
        }
    }
    check_suite(session, hello)
        // RFC 6066 §3: "A server that implements this extension MUST NOT
        // accept the request to resume the session if the server_name
        // extension contains a different name. Instead, it proceeds with a
        // full handshake to establish a new session."
        .and_then(|()| check_server_name(session, hello))
        .map_err(Refusal::FullHandshake)
}

/// Whether a ServerHello (described by `hello`: its version, its suite,
/// whether it carries extended_master_secret) that accepts the resumption
/// of `session` is consistent with it. Every refusal is a
/// [`Refusal::Abort`].
pub fn client_check_resumed(session: &StoredSession, hello: &Hello<'_>) -> Result<(), Refusal> {
    check_version(session, hello)
        // RFC 5246 §7.4.1.3 (the suite "is the value from the state of the
        // session being resumed"); RFC 8446 §4.2.11: clients MUST verify
        // "that the server selected a cipher suite indicating a Hash
        // associated with the PSK".
        .and_then(|()| check_suite(session, hello))
        .and_then(|()| match is_tls12(session) {
            //= https://www.rfc-editor.org/rfc/rfc7627#section-5.3
            //# If the original session did not use the "extended_master_secret"
            //# extension but the new ServerHello contains the extension, the
            //# client MUST abort the handshake.
            true if !session.extended_master_secret() && hello.extended_master_secret => {
                Err(Mismatch::EmsAdded)
            }
            //# If the original session used the extension but the new ServerHello
            //# does not contain the extension, the client MUST abort the
            //# handshake.
            true if session.extended_master_secret() && !hello.extended_master_secret => {
                Err(Mismatch::EmsDropped)
            }
            _ => Ok(()),
        })
        .map_err(Refusal::Abort)
}

#[cfg(test)]
mod tests {
    use super::super::stored::tests::{tls12, tls13};
    use super::*;
    use crate::msgs::enums::AlertDescription as A;
    use CipherSuite as C;
    use Mismatch as M;
    use ProtocolVersion as V;

    const V12: &[V] = &[V::TLSv1_2];
    const V13: &[V] = &[V::TLSv1_3];
    const BOTH: &[V] = &[V::TLSv1_3, V::TLSv1_2];
    /// The suite of `tls12()`.
    const S12: C = C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    const S12_OTHER: C = C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
    /// `tls13()` uses TLS_AES_128_GCM_SHA256; ChaCha20 shares its hash.
    const S13_SAME_HASH: C = C::TLS_CHACHA20_POLY1305_SHA256;
    const S13_OTHER_HASH: C = C::TLS_AES_256_GCM_SHA384;

    fn hello<'a>(versions: &'a [V], suites: &'a [C], sni: Option<&'a str>, ems: bool) -> Hello<'a> {
        Hello {
            versions,
            suites,
            server_name: sni,
            extended_master_secret: ems,
        }
    }

    fn no_ems(mut s: StoredSession) -> StoredSession {
        if let SessionKeys::Tls12 {
            extended_master_secret,
            ..
        } = &mut s.keys
        {
            *extended_master_secret = false;
        }
        s
    }

    const NOW: u64 = 1500;

    /// Case name, stored session, new hello, time, expected verdict.
    type Row<'a> = (
        &'a str,
        &'a StoredSession,
        Hello<'a>,
        u64,
        Result<(), Refusal>,
    );

    #[test]
    fn suite_under_test_matches_fixtures() {
        assert_eq!(tls12("a", 0, 1).suite(), S12);
        assert_eq!(tls13("a", 0, 1).suite(), C::TLS_AES_128_GCM_SHA256);
    }

    fn name(stored: &str, new: Option<&str>) -> Mismatch {
        M::ServerName {
            stored: Some(stored.into()),
            new: new.map(Into::into),
        }
    }

    const EXPIRED: Mismatch = M::Expired {
        expires_at: 2000,
        now: 2000,
    };
    const HASH: Mismatch = M::Hash {
        stored: C::TLS_AES_128_GCM_SHA256,
    };

    // One row per case: the table reads better unwrapped.
    #[rustfmt::skip]
    #[test]
    fn server_rule_table() {
        let (s12, s13) = (tls12("a.example", 1000, 1000), tls13("a.example", 1000, 1000));
        let s12n = no_ems(s12.clone());
        let sni = Some("a.example");
        let full = |m| Err(Refusal::FullHandshake(m));
        let abort = |m| Err(Refusal::Abort(m));
        let rows: Vec<Row<'_>> = vec![
            ("1.2 same everything", &s12, hello(V12, &[S12_OTHER, S12], sni, true), NOW, Ok(())),
            ("1.2 SNI case differs", &s12, hello(V12, &[S12], Some("A.EXAMPLE"), true), NOW, Ok(())),
            ("1.3 same hash", &s13, hello(V13, &[S13_SAME_HASH], sni, false), NOW, Ok(())),
            ("expired", &s12, hello(V12, &[S12], sni, true), 2000, full(EXPIRED)),
            ("1.2 session, 1.3 handshake", &s12, hello(V13, &[S12], sni, true), NOW, full(M::Version { stored: V::TLSv1_2 })),
            ("1.3 session, 1.2 handshake", &s13, hello(V12, &[S12], sni, true), NOW, full(M::Version { stored: V::TLSv1_3 })),
            ("1.2 suite not offered", &s12, hello(V12, &[S12_OTHER], sni, true), NOW, full(M::Suite { stored: S12 })),
            ("1.3 other hash", &s13, hello(V13, &[S13_OTHER_HASH], sni, true), NOW, full(HASH)),
            ("other SNI", &s12, hello(V12, &[S12], Some("b.example"), true), NOW, full(name("a.example", Some("b.example")))),
            ("SNI dropped", &s13, hello(V13, &[S13_SAME_HASH], None, true), NOW, full(name("a.example", None))),
            // RFC 7627 §5.3, server side.
            ("EMS added: full handshake", &s12n, hello(V12, &[S12], sni, true), NOW, full(M::EmsAdded)),
            ("EMS dropped: abort", &s12, hello(V12, &[S12], sni, false), NOW, abort(M::EmsDropped)),
            ("no EMS either side: abort", &s12n, hello(V12, &[S12], sni, false), NOW, abort(M::NoEms)),
            // The EMS abort comes before a suite or SNI fallback.
            ("EMS dropped, other suite", &s12, hello(V12, &[S12_OTHER], None, false), NOW, abort(M::EmsDropped)),
            // TLS 1.3 has no EMS extension: its absence is no mismatch.
            ("1.3 ignores the EMS flag", &s13, hello(V13, &[S13_SAME_HASH], sni, false), NOW, Ok(())),
        ];
        for (case, session, hello, now, want) in rows {
            assert_eq!(server_may_resume(session, &hello, now), want, "{case}");
        }
    }

    #[rustfmt::skip]
    #[test]
    fn client_offer_rule_table() {
        let (s12, s13) = (tls12("a.example", 1000, 1000), tls13("a.example", 1000, 1000));
        let s12n = no_ems(s12.clone());
        let sni = Some("a.example");
        let full = |m| Err(Refusal::FullHandshake(m));
        let rows: Vec<Row<'_>> = vec![
            ("1.2 in a 1.3+1.2 hello", &s12, hello(BOTH, &[S13_SAME_HASH, S12], sni, true), NOW, Ok(())),
            ("1.3 ticket", &s13, hello(BOTH, &[S13_SAME_HASH, S12], sni, true), NOW, Ok(())),
            ("expired", &s13, hello(BOTH, &[S13_SAME_HASH], sni, true), 2000, full(EXPIRED)),
            ("1.2 disabled", &s12, hello(V13, &[S12], sni, true), NOW, full(M::Version { stored: V::TLSv1_2 })),
            ("1.2 suite not offered", &s12, hello(V12, &[S12_OTHER], sni, true), NOW, full(M::Suite { stored: S12 })),
            ("1.3 no suite of that hash", &s13, hello(V13, &[S13_OTHER_HASH], sni, true), NOW, full(HASH)),
            ("other server", &s12, hello(V12, &[S12], Some("b.example"), true), NOW, full(name("a.example", Some("b.example")))),
            // RFC 7627 §5.3, client side.
            ("session without EMS", &s12n, hello(V12, &[S12], sni, true), NOW, full(M::NoEms)),
            ("hello without EMS", &s12, hello(V12, &[S12], sni, false), NOW, full(M::EmsDropped)),
        ];
        for (case, session, hello, now, want) in rows {
            assert_eq!(client_may_offer(session, &hello, now), want, "{case}");
        }
    }

    #[rustfmt::skip]
    #[test]
    fn client_server_hello_rule_table() {
        let (s12, s13) = (tls12("a.example", 1000, 1000), tls13("a.example", 1000, 1000));
        let s12n = no_ems(s12.clone());
        let abort = |m| Err(Refusal::Abort(m));
        // The time plays no part here: the client offered the session.
        let rows: Vec<Row<'_>> = vec![
            ("1.2 consistent", &s12, hello(V12, &[S12], None, true), 0, Ok(())),
            ("1.3 same hash", &s13, hello(V13, &[S13_SAME_HASH], None, false), 0, Ok(())),
            ("1.2 other version", &s12, hello(V13, &[S12], None, true), 0, abort(M::Version { stored: V::TLSv1_2 })),
            ("1.2 other suite", &s12, hello(V12, &[S12_OTHER], None, true), 0, abort(M::Suite { stored: S12 })),
            ("1.3 other hash", &s13, hello(V13, &[S13_OTHER_HASH], None, false), 0, abort(HASH)),
            ("EMS added by server", &s12n, hello(V12, &[S12], None, true), 0, abort(M::EmsAdded)),
            ("EMS dropped by server", &s12, hello(V12, &[S12], None, false), 0, abort(M::EmsDropped)),
            // Legacy resumption the client chose to offer: consistent.
            ("no EMS either side", &s12n, hello(V12, &[S12], None, false), 0, Ok(())),
        ];
        for (case, session, hello, _, want) in rows {
            assert_eq!(client_check_resumed(session, &hello), want, "{case}");
        }
    }

    #[test]
    fn refusals_know_their_alert() {
        assert_eq!(Refusal::FullHandshake(M::EmsAdded).alert(), None);
        assert_eq!(
            Refusal::Abort(M::EmsDropped).alert(),
            Some(A::HandshakeFailure)
        );
        assert_eq!(Refusal::Abort(M::NoEms).alert(), Some(A::HandshakeFailure));
        assert_eq!(
            Refusal::Abort(M::Suite { stored: S12 }).alert(),
            Some(A::IllegalParameter)
        );
        assert_eq!(Refusal::Abort(M::NoEms).mismatch(), &M::NoEms);
    }
}
