//! TLS 1.2 session resumption on the client (RFC 5246 §7.3 abbreviated
//! handshake, RFC 5077 tickets): which stored session to offer, checking
//! a ServerHello that accepts it, and keeping the session a handshake made.
//!
//! ```text
//!   ClientHello (session ID and/or ticket) -------->
//!                                                      ServerHello
//!                                               [NewSessionTicket*]
//!                                                [ChangeCipherSpec]
//!                                          <--------       Finished
//!   [ChangeCipherSpec]
//!   Finished                               -------->
//! ```

use crate::codec::Bytes;
use crate::config::ClientConfig;
use crate::error::{Error, PeerMisbehaved};
use crate::keys::tls12::MasterSecret;
use crate::msgs::enums::{CipherSuite, ProtocolVersion};
use crate::msgs::tickets::NewSessionTicketTls12;
use crate::session::resume::{client_check_resumed, client_may_offer, Hello, Mismatch};
use crate::session::stored::TLS12_SUGGESTED_LIFETIME;
use crate::session::{Clock, SessionKeys, StoredSession, SystemClock, Tls12Resumption};

use super::tls12::Hs12;

/// The stored TLS 1.2 session for `server_name` to offer in a ClientHello
/// offering `versions` and `suites` (with extended_master_secret), if the
/// rules of RFC 5246 §7.4.1.2, RFC 6066 §3 and RFC 7627 §5.3 allow it.
pub(crate) fn session_to_offer(
    config: &ClientConfig,
    server_name: &str,
    versions: &[ProtocolVersion],
    suites: &[CipherSuite],
) -> Option<Tls12Resumption> {
    let store = config.sessions.as_ref()?;
    let resumption = store.tls12(server_name)?;
    let hello = Hello {
        versions,
        suites,
        server_name: Some(server_name),
        extended_master_secret: true,
    };
    client_may_offer(&resumption.session, &hello, SystemClock.now()).ok()?;
    // A session ID longer than 32 bytes cannot be sent (RFC 5246 §7.4.1.2:
    // `opaque SessionID<0..32>`); a stored one never is, but a ticket-only
    // session needs no ID of its own.
    if resumption.session_id.0.len() > 32 {
        return None;
    }
    Some(resumption)
}

/// A ServerHello that echoes our session ID resumes the offered session:
/// it must keep its version, suite and extended master secret state
/// (RFC 5246 §7.4.1.3, RFC 7627 §5.3); any change aborts the handshake.
pub(crate) fn check_resumed(
    session: &StoredSession,
    suite: CipherSuite,
    ems: bool,
) -> Result<(), Error> {
    let hello = Hello {
        versions: &[ProtocolVersion::TLSv1_2],
        suites: &[suite],
        server_name: None,
        extended_master_secret: ems,
    };
    client_check_resumed(session, &hello).map_err(|refusal| match refusal.mismatch() {
        Mismatch::EmsAdded | Mismatch::EmsDropped | Mismatch::NoEms => {
            PeerMisbehaved::HandshakeFailure {
                what: "resumption changes the extended master secret state",
            }
            .into()
        }
        _ => PeerMisbehaved::Inconsistent {
            what: "resumption changes the version or cipher suite of the session",
        }
        .into(),
    })
}

/// What the connection learnt that a later resumption needs.
pub(crate) struct Learnt<'a> {
    pub(crate) server_name: Option<&'a str>,
    pub(crate) alpn: Option<&'a [u8]>,
    pub(crate) peer_certificates: Vec<Bytes>,
}

/// Keeps the session after a verified server Finished: its session ID
/// and/or the ticket received (RFC 5077 §3.4: with a ticket, the session
/// ID from the ServerHello is discarded).
pub(crate) fn store_session(
    hs: &Hs12,
    master: &MasterSecret,
    ticket: Option<&NewSessionTicketTls12>,
    learnt: Learnt<'_>,
) {
    let (Some(store), Some(name)) = (hs.config.sessions.as_ref(), learnt.server_name) else {
        return;
    };
    let session_id = match ticket {
        Some(_) => Bytes(Vec::new()),
        None => hs.session_id.clone(),
    };
    if session_id.0.is_empty() && ticket.is_none() {
        // RFC 5246 §7.4.1.3: an empty session_id means the session will
        // not be cached and cannot be resumed.
        return;
    }
    // RFC 5077 §3.3: lifetime_hint 0 means unspecified.
    let lifetime = match ticket.map(|t| t.lifetime_hint) {
        Some(hint) if hint > 0 => hint.min(TLS12_SUGGESTED_LIFETIME),
        _ => TLS12_SUGGESTED_LIFETIME,
    };
    let session = StoredSession {
        keys: SessionKeys::tls12(hs.suite, master, hs.ems),
        server_name: Some(name.to_owned()),
        alpn: learnt.alpn.map(|a| Bytes(a.to_vec())),
        peer_certificates: learnt.peer_certificates,
        created: SystemClock.now(),
        lifetime,
    };
    store.set_tls12(
        name,
        Tls12Resumption {
            session_id,
            ticket: ticket.map(|t| t.ticket.clone()),
            session,
        },
    );
}
