//! TLS 1.2 session resumption on the server: finding the session a
//! ClientHello names (a ticket we sealed, RFC 5077 §3.4, or a session ID
//! in our cache, RFC 5246 §7.4.1.2), deciding whether it may be resumed
//! (`session::resume`), the abbreviated handshake (RFC 5246 §7.3):
//!
//! ```text
//! ClientHello  -->  ServerHello, [ChangeCipherSpec], Finished
//! [ChangeCipherSpec], Finished  -->
//! ```
//!
//! and, after a full handshake, keeping the new session (cache, ticket).

use super::tls12_finish::{
    emit_finished, ClientAuth, ExpectChangeCipherSpec, Handshake12, Tls12Keys,
};
use super::State;
use crate::codec::Bytes;
use crate::config::ServerConfig;
use crate::conn::common::CommonState;
use crate::error::{Error, LocalError, PeerMisbehaved};
use crate::keys::tls12::MasterSecret;
use crate::msgs::client_hello::ClientHello;
use crate::msgs::enums::{CipherSuite, ProtocolVersion};
use crate::msgs::handshake::HandshakePayload;
use crate::msgs::tickets::NewSessionTicketTls12;
use crate::session::resume::server_may_resume;
use crate::session::stored::TLS12_SUGGESTED_LIFETIME;
use crate::session::{Hello, Refusal, SessionKeys, StoredSession};
use crate::trace::Protection;

/// A session the ClientHello asks to resume and we may resume.
pub(crate) struct Resumable {
    pub session: StoredSession,
    pub master: MasterSecret,
}

/// Looks up the session the ClientHello names and applies the resumption
/// rules. `Ok(None)` is a full handshake; a refusal the RFCs make fatal
/// (RFC 7627 §5.3: the original session used the extended master secret
/// and the new ClientHello does not) is an error.
pub(crate) fn find_session(
    ch: &ClientHello,
    config: &ServerConfig,
) -> Result<Option<Resumable>, Error> {
    let exts = ch.extensions();
    // RFC 5077 §3.4: a ticket comes first; one we cannot open means a
    // full handshake ("If the server cannot or does not want to honor the
    // ticket, then it can initiate a full handshake with the client").
    let from_ticket = match (exts.session_ticket(), &config.ticket_keys) {
        (Some(ticket), Some(keys)) if !ticket.is_empty() => keys.open(ticket),
        _ => None,
    };
    let session = match from_ticket {
        Some(s) => Some(s),
        None => match &config.session_cache {
            Some(cache) if !ch.legacy_session_id.is_empty() => cache.get(&ch.legacy_session_id),
            _ => None,
        },
    };
    let Some(session) = session else {
        return Ok(None);
    };
    // The suites the client offers that we would use: RFC 5246 §7.4.1.3,
    // a resumed session keeps its suite.
    let suites: Vec<CipherSuite> = ch
        .cipher_suites
        .iter()
        .copied()
        .filter(|s| config.policy.cipher_suites.contains(s))
        .collect();
    let hello = Hello {
        versions: &[ProtocolVersion::TLSv1_2],
        suites: &suites,
        server_name: exts.host_name(),
        extended_master_secret: exts.extended_master_secret(),
    };
    match server_may_resume(&session, &hello, config.session_clock.now()) {
        Ok(()) => {}
        Err(Refusal::FullHandshake(_)) => return Ok(None),
        Err(Refusal::Abort(_)) => {
            return Err(PeerMisbehaved::HandshakeFailure {
                what: "resumption of an extended master secret session without the extension",
            }
            .into())
        }
    }
    match session.keys.master_secret() {
        Some(Ok(master)) => Ok(Some(Resumable { session, master })),
        // A session of the other version or a damaged one: start afresh.
        _ => Ok(None),
    }
}

/// The abbreviated handshake after the ServerHello was sent: our
/// ChangeCipherSpec and Finished first (RFC 5246 §7.3), then the client's.
pub(crate) fn emit_abbreviated(
    cx: &mut CommonState,
    mut hs: Handshake12,
    resumable: Resumable,
) -> Result<State, Error> {
    let Resumable { session, master } = resumable;
    let n = &mut cx.negotiated;
    n.resumed = true;
    n.group = None;
    n.signature_scheme = None;
    n.peer_certificates = session
        .peer_certificates
        .iter()
        .map(|c| rustls_pki_types::CertificateDer::from(c.0.clone()))
        .collect();
    n.client_auth = !n.peer_certificates.is_empty();
    cx.log_secret("CLIENT_RANDOM", master.expose());
    let mut keys = Tls12Keys::new(&hs, master)?;
    let server_write = keys.server_write.take().ok_or(LocalError::Internal {
        what: "server write key already installed",
    })?;
    cx.send_ccs()?;
    cx.set_encrypter(server_write, Protection::Application)?;
    emit_finished(cx, &mut hs, &keys.master);
    Ok(State::Tls12ChangeCipherSpec(Box::new(
        ExpectChangeCipherSpec {
            hs,
            keys,
            client: ClientAuth::Resumed,
        },
    )))
}

/// What a full handshake leaves for a later resumption, kept in the
/// session cache under our session ID (if any) and returned for a ticket.
pub(crate) fn store_session(
    cx: &CommonState,
    hs: &Handshake12,
    master: &MasterSecret,
) -> Result<StoredSession, Error> {
    let n = &cx.negotiated;
    let session = StoredSession {
        keys: SessionKeys::tls12(hs.suite, master, hs.ems),
        server_name: n.server_name.clone(),
        alpn: n.alpn.clone().map(Bytes),
        peer_certificates: n
            .peer_certificates
            .iter()
            .map(|c| Bytes::from(c.as_ref()))
            .collect(),
        created: hs.config.session_clock.now(),
        lifetime: TLS12_SUGGESTED_LIFETIME,
    };
    if let Some(cache) = &hs.config.session_cache {
        cache.insert(&hs.session_id, session.clone());
    }
    Ok(session)
}

/// RFC 5077 §3.3: "This message MUST be sent if the server included a
/// SessionTicket extension in the ServerHello. ... This message is
/// included in the hash used to create and verify the Finished message.
/// In the case of a full handshake, the server MUST verify the client's
/// Finished message before sending the ticket."
pub(crate) fn emit_new_session_ticket(
    cx: &mut CommonState,
    hs: &mut Handshake12,
    session: &StoredSession,
) -> Result<(), Error> {
    if !hs.issue_ticket {
        return Ok(());
    }
    let Some(keys) = &hs.config.ticket_keys else {
        return Err(LocalError::Internal {
            what: "ticket promised without ticket keys",
        }
        .into());
    };
    // A ticket that cannot be sealed still needs the message we promised
    // (RFC 5077 §3.3: "If the server determines that it does not want to
    // include a ticket after it has included the SessionTicket extension
    // in the ServerHello, then it sends a zero-length ticket").
    let ticket = keys.seal(session).unwrap_or_default();
    super::tls12::send(
        cx,
        &mut hs.transcript,
        HandshakePayload::NewSessionTicketTls12(NewSessionTicketTls12 {
            lifetime_hint: session.lifetime,
            ticket: Bytes(ticket),
        }),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::auth::ServerCertResolver;
    use crate::crypto::suites::tls12_suite;
    use crate::msgs::enums::{AlertDescription, CompressionMethod};
    use crate::msgs::extensions::{Extension, Extensions};
    use crate::session::{Clock, SystemClock};

    const SUITE: CipherSuite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    const ID: [u8; 32] = [5; 32];

    /// A server whose cache holds one session under [`ID`].
    fn config(ems: bool) -> ServerConfig {
        let c = ServerConfig::new(Arc::new(ServerCertResolver::new()));
        let suite = tls12_suite(SUITE).unwrap();
        let master = MasterSecret::from_bytes(suite.hash, &[3; 48]).unwrap();
        let session = StoredSession {
            keys: SessionKeys::tls12(suite, &master, ems),
            server_name: Some("localhost".into()),
            alpn: None,
            peer_certificates: Vec::new(),
            created: SystemClock.now(),
            lifetime: TLS12_SUGGESTED_LIFETIME,
        };
        assert!(c.session_cache.as_ref().unwrap().insert(&ID, session));
        c
    }

    fn hello(suites: &[CipherSuite], name: &str, ems: bool) -> ClientHello {
        let mut exts = vec![Extension::ServerName(vec![
            crate::msgs::ext::server_name::ServerName::host_name(name),
        ])];
        if ems {
            exts.push(Extension::ExtendedMasterSecret);
        }
        ClientHello {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: [1; 32],
            legacy_session_id: Bytes(ID.to_vec()),
            cipher_suites: suites.to_vec(),
            legacy_compression_methods: vec![CompressionMethod::Null],
            extensions: Some(Extensions(exts)),
        }
    }

    #[test]
    fn resumes_only_what_the_rfcs_allow() {
        let c = config(true);
        let found = find_session(&hello(&[SUITE], "localhost", true), &c).unwrap();
        assert_eq!(found.unwrap().master.expose(), &[3; 48]);
        // RFC 5246 §7.4.1.3: another suite; RFC 6066 §3: another name.
        let other = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
        assert!(find_session(&hello(&[other], "localhost", true), &c)
            .unwrap()
            .is_none());
        assert!(find_session(&hello(&[SUITE], "other.test", true), &c)
            .unwrap()
            .is_none());
        // RFC 7627 §5.3: an EMS session resumed without the extension is
        // fatal; a non-EMS session offered with it is a full handshake.
        let err = find_session(&hello(&[SUITE], "localhost", false), &c)
            .err()
            .unwrap();
        assert_eq!(err.alert(), Some(AlertDescription::HandshakeFailure));
        let c = config(false);
        assert!(find_session(&hello(&[SUITE], "localhost", true), &c)
            .unwrap()
            .is_none());
        // Unknown session ID: a full handshake.
        let mut ch = hello(&[SUITE], "localhost", true);
        ch.legacy_session_id = Bytes(vec![6; 32]);
        assert!(find_session(&ch, &config(true)).unwrap().is_none());
    }
}
