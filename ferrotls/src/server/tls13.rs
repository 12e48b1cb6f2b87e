//! The TLS 1.3 server's hello states: the first ClientHello, the
//! HelloRetryRequest when the client must send another key share, and the
//! second ClientHello (RFC 8446 §4.1.1-§4.1.4).

use std::sync::Arc;

use super::cookie::RetryCookie;
use super::flight::{self, Accepted};
use super::hello::{
    check_second_hello, check_tls13_hello, choose_group, choose_suite, negotiate_version,
    retried_share, GroupChoice,
};
use super::{expect, State};
use crate::codec::Bytes;
use crate::config::ServerConfig;
use crate::conn::common::CommonState;
use crate::conn::Input;
use crate::crypto::kx::KxGroup;
use crate::crypto::suites::{tls13_suite, Tls13Suite};
use crate::error::{Error, PeerMisbehaved};
use crate::keys::transcript::TranscriptHash;
use crate::msgs::client_hello::ClientHello;
use crate::msgs::enums::ProtocolVersion;
use crate::msgs::extensions::{Extension, Extensions};
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::server_hello::ServerHello;

/// Waits for the first ClientHello.
pub(crate) struct ExpectClientHello {
    config: Arc<ServerConfig>,
}

/// The ClientHello in `input`, or `unexpected_message`.
fn client_hello(state: &'static str, input: Input) -> Result<HandshakeMessage, Error> {
    let (msg, ()) = expect(state, input, |p| match p {
        HandshakePayload::ClientHello(_) => Some(()),
        _ => None,
    })?;
    Ok(msg)
}

/// The ClientHello body of a message `client_hello` returned.
fn body(msg: &HandshakeMessage) -> Result<&ClientHello, Error> {
    match msg.payload() {
        HandshakePayload::ClientHello(ch) => Ok(ch),
        _ => Err(crate::error::LocalError::Internal {
            what: "ClientHello expected",
        }
        .into()),
    }
}

/// What every TLS 1.3 ClientHello must pass before anything is chosen
/// from it.
fn process_client_hello(cx: &mut CommonState, ch: &ClientHello) -> Result<(), Error> {
    // RFC 8446 §5: from the first ClientHello on, a compatibility
    // ChangeCipherSpec may arrive and is dropped.
    cx.ignore_compat_ccs = true;
    cx.client_random = ch.random;
    check_tls13_hello(ch)?;
    cx.negotiated.version = Some(ProtocolVersion::TLSv1_3);
    Ok(())
}

impl ExpectClientHello {
    pub(crate) fn new(config: Arc<ServerConfig>) -> Self {
        Self { config }
    }

    pub(crate) fn handle(self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        let msg = client_hello("ExpectClientHello", input)?;
        let ch = body(&msg)?;
        // RFC 8446 §4.1.3 / RFC 5246 §7.4.1.3: the version decides which
        // handshake follows.
        if negotiate_version(ch, &self.config)? == ProtocolVersion::TLSv1_2 {
            return super::tls12::start(cx, self.config, &msg, ch);
        }
        process_client_hello(cx, ch)?;
        if let Some(cookie) = ch.extensions().cookie() {
            // RFC 8446 §4.2.2: "Clients MUST NOT use cookies in their
            // initial ClientHello in subsequent connections", so a cookie
            // here is the second ClientHello of a retry whose state we
            // did not keep, and only a stateless server made one.
            if !self.config.stateless_retry {
                return Err(PeerMisbehaved::IllegalParameter {
                    what: "cookie this server did not send",
                }
                .into());
            }
            let cookie = cookie.clone();
            return accept_stateless_retry(cx, self.config, &msg, &cookie);
        }
        let suite = choose_suite(ch, &self.config)?;
        match choose_group(ch, &self.config)? {
            GroupChoice::Share { group, share } => {
                let mut transcript = TranscriptHash::new(suite.hash);
                transcript.add(msg.encoded());
                flight::start(
                    cx,
                    Accepted {
                        config: self.config,
                        hello: ch,
                        suite,
                        group,
                        share,
                        transcript,
                        ccs_sent: false,
                    },
                )
            }
            GroupChoice::Retry { group } => {
                emit_hello_retry_request(cx, self.config, &msg, suite, group)
            }
        }
    }
}

/// RFC 8446 §D.4: a client in middlebox compatibility mode sends a
/// non-empty legacy_session_id, and the server then "sends a dummy
/// change_cipher_spec record immediately after its first handshake
/// message".
pub(super) fn middlebox_compat(ch: &ClientHello) -> bool {
    !ch.legacy_session_id.is_empty()
}

/// RFC 8446 §4.1.4: a HelloRetryRequest names the version, the suite and
/// the group the client must send a share for, and (for a stateless
/// server) the cookie. Its bytes must come out the same when a stateless
/// server rebuilds it for the transcript (so the configured rewrite, if
/// any, is applied on both occasions).
fn hello_retry_request(
    config: &ServerConfig,
    session_id: &Bytes,
    suite: Tls13Suite,
    group: KxGroup,
    cookie: Option<Bytes>,
) -> HandshakeMessage {
    // The order (key_share, cookie, supported_versions) is the one of the
    // RFC 8448 §5 trace; RFC 8446 §4.2 leaves it free.
    let mut exts = vec![Extension::KeyShareRetry(group.named_group())];
    if let Some(cookie) = cookie {
        exts.push(Extension::Cookie(cookie));
    }
    // RFC 8446 §4.1.4: "The server's extensions MUST contain
    // "supported_versions"."
    exts.push(Extension::SelectedVersion(ProtocolVersion::TLSv1_3));
    let mut exts = Extensions(exts);
    if let Some(rewrite) = &config.hello_retry_extensions {
        rewrite.apply(&mut exts);
    }
    HandshakeMessage::new(HandshakePayload::ServerHello(
        ServerHello::hello_retry_request(session_id.clone(), suite.suite, exts),
    ))
}

/// How the server remembers the first ClientHello across the retry.
enum Retry {
    /// Kept here: the first ClientHello (to compare) and the transcript
    /// (`message_hash`, HelloRetryRequest).
    Stateful {
        ch1: Box<ClientHello>,
        transcript: TranscriptHash,
    },
    /// Kept in the cookie the client must echo.
    Stateless,
}

/// Waits for the ClientHello that answers our HelloRetryRequest.
pub(crate) struct ExpectClientHello2 {
    config: Arc<ServerConfig>,
    suite: Tls13Suite,
    group: KxGroup,
    retry: Retry,
    ccs_sent: bool,
}

fn emit_hello_retry_request(
    cx: &mut CommonState,
    config: Arc<ServerConfig>,
    msg: &HandshakeMessage,
    suite: Tls13Suite,
    group: KxGroup,
) -> Result<State, Error> {
    let ch = body(msg)?;
    let mut transcript = TranscriptHash::new(suite.hash);
    transcript.add(msg.encoded());
    // RFC 8446 §4.4.1: ClientHello1 becomes message_hash(Hash(ClientHello1)).
    let (mut transcript, ch1_hash) = transcript.replace_client_hello1_with_message_hash();
    let cookie = match config.stateless_retry {
        true => Some(
            RetryCookie {
                suite: suite.suite,
                group: group.named_group(),
                client_random: ch.random,
                client_hello1_hash: ch1_hash.as_ref().to_vec(),
            }
            .seal(&config.retry_cookie_key)?,
        ),
        false => None,
    };
    let hrr = hello_retry_request(&config, &ch.legacy_session_id, suite, group, cookie);
    transcript.add(hrr.encoded());
    cx.send_handshake(&hrr);
    cx.negotiated.hello_retry = true;
    let ccs_sent = middlebox_compat(ch);
    if ccs_sent {
        cx.send_ccs()?;
    }
    let retry = match config.stateless_retry {
        true => Retry::Stateless,
        false => Retry::Stateful {
            ch1: Box::new(ch.clone()),
            transcript,
        },
    };
    Ok(State::ExpectClientHello2(Box::new(ExpectClientHello2 {
        config,
        suite,
        group,
        retry,
        ccs_sent,
    })))
}

impl ExpectClientHello2 {
    pub(crate) fn handle(self, cx: &mut CommonState, input: Input) -> Result<State, Error> {
        let msg = client_hello("ExpectClientHello2", input)?;
        let ch = body(&msg)?;
        if negotiate_version(ch, &self.config)? != ProtocolVersion::TLSv1_3 {
            return Err(super::tls12::not_after_retry());
        }
        process_client_hello(cx, ch)?;
        match self.retry {
            Retry::Stateless => {
                // RFC 8446 §4.1.2: the second ClientHello includes "a
                // "cookie" extension if one was provided in the
                // HelloRetryRequest".
                let cookie =
                    ch.extensions()
                        .cookie()
                        .cloned()
                        .ok_or(PeerMisbehaved::IllegalParameter {
                            what: "second ClientHello without the cookie",
                        })?;
                accept_stateless_retry(cx, self.config, &msg, &cookie)
            }
            Retry::Stateful {
                ch1,
                mut transcript,
            } => {
                check_second_hello(&ch1, ch)?;
                let share = retried_share(ch, self.group)?;
                transcript.add(msg.encoded());
                flight::start(
                    cx,
                    Accepted {
                        config: self.config,
                        hello: ch,
                        suite: self.suite,
                        group: self.group,
                        share,
                        transcript,
                        ccs_sent: self.ccs_sent,
                    },
                )
            }
        }
    }
}

/// A second ClientHello whose first one only the cookie remembers
/// (RFC 8446 §4.2.2: the cookie lets the server "offload state to the
/// client"). The transcript is rebuilt from Hash(ClientHello1) and the
/// HelloRetryRequest made again byte for byte (RFC 8446 §4.4.1).
fn accept_stateless_retry(
    cx: &mut CommonState,
    config: Arc<ServerConfig>,
    msg: &HandshakeMessage,
    cookie_bytes: &Bytes,
) -> Result<State, Error> {
    let ch = body(msg)?;
    let cookie = RetryCookie::open(&config.retry_cookie_key, cookie_bytes)?;
    let inconsistent = |what| Error::from(PeerMisbehaved::Inconsistent { what });
    // RFC 8446 §4.1.2: the random is not among what may change.
    if cookie.client_random != ch.random {
        return Err(inconsistent("random changed in the second ClientHello"));
    }
    // Our own cookie names a suite and group we chose, but the
    // configuration may have changed since, and the client must still
    // offer them (RFC 8446 §4.1.2: the rest of the ClientHello is the same).
    let suite = tls13_suite(cookie.suite)
        .filter(|s| config.policy.cipher_suites.contains(&s.suite))
        .filter(|s| ch.cipher_suites.contains(&s.suite))
        .ok_or_else(|| inconsistent("cipher_suites changed in the second ClientHello"))?;
    let group = config
        .policy
        .kx_groups()
        .find(|g| g.named_group() == cookie.group)
        .filter(|g| {
            ch.extensions()
                .supported_groups()
                .unwrap_or_default()
                .contains(&g.named_group())
        })
        .ok_or_else(|| inconsistent("supported_groups changed in the second ClientHello"))?;
    let share = retried_share(ch, group)?;
    let hrr = hello_retry_request(
        &config,
        &ch.legacy_session_id,
        suite,
        group,
        Some(cookie_bytes.clone()),
    );
    let mut transcript =
        TranscriptHash::from_client_hello1_hash(suite.hash, &cookie.client_hello1_hash)?;
    transcript.add(hrr.encoded());
    transcript.add(msg.encoded());
    cx.negotiated.hello_retry = true;
    flight::start(
        cx,
        Accepted {
            config,
            hello: ch,
            suite,
            group,
            share,
            transcript,
            // The compatibility ChangeCipherSpec, if any, followed the
            // HelloRetryRequest.
            ccs_sent: true,
        },
    )
}
