//! The client's hellos: building the ClientHello (RFC 8446 §4.1.2), and
//! reading the server's answer, a ServerHello (§4.1.3) or a
//! HelloRetryRequest (§4.1.4), up to the handshake keys.

use std::sync::Arc;

use rustls_pki_types::ServerName as PkiServerName;

use super::tls13::{ExpectEncryptedExtensions, Hs13};
use super::{unexpected, State};
use crate::codec::Bytes;
use crate::config::ClientConfig;
use crate::conn::common::CommonState;
use crate::crypto::kx::{ActiveKeyExchange, KxGroup};
use crate::crypto::rand::random_array;
use crate::crypto::suites::{tls13_suite, Tls13Suite};
use crate::error::{Error, LocalError, PeerMisbehaved};
use crate::keys::transcript::{TranscriptBuffer, TranscriptHash};
use crate::msgs::client_hello::ClientHello;
use crate::msgs::enums::{
    CipherSuite, CompressionMethod, EcPointFormat, ExtensionType, NamedGroup, ProtocolVersion,
};
use crate::msgs::ext::key_share::KeyShareEntry;
use crate::msgs::ext::server_name::ServerName;
use crate::msgs::extensions::{Extension, Extensions};
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::server_hello::ServerHello;
use crate::session::{ClientSessionStore, Tls12Resumption};

/// The transcript before and after the hash is known: a client learns the
/// hash from the suite of the ServerHello or HelloRetryRequest.
enum Transcript {
    Buffered(TranscriptBuffer),
    Hashing(TranscriptHash),
}

impl Transcript {
    fn into_hash(self, suite: Tls13Suite) -> TranscriptHash {
        match self {
            Self::Buffered(b) => b.start_hash(suite.hash),
            Self::Hashing(h) => h,
        }
    }
}

/// What a HelloRetryRequest settled, for the ServerHello that follows.
#[derive(Clone, Copy)]
struct Retry {
    suite: CipherSuite,
    group: Option<NamedGroup>,
}

/// Waiting for the server's first answer: a ServerHello, or (once) a
/// HelloRetryRequest.
pub(crate) struct ExpectServerHello {
    config: Arc<ClientConfig>,
    server_name: PkiServerName<'static>,
    /// The ClientHello last sent, to check the answer against it and to
    /// build a second one from it.
    hello: ClientHello,
    shares: Vec<ActiveKeyExchange>,
    transcript: Transcript,
    retry: Option<Retry>,
    sent_ccs: bool,
    /// The TLS 1.2 session offered for resumption, if any.
    tls12_offer: Option<Tls12Resumption>,
}

/// Builds and queues the first ClientHello; returns the state waiting for
/// the server's answer.
pub(crate) fn emit_client_hello(
    config: Arc<ClientConfig>,
    server_name: PkiServerName<'static>,
    cx: &mut CommonState,
) -> Result<ExpectServerHello, Error> {
    let rng = &*config.hooks.rng;
    let random = random_array::<32>(rng)?;
    // RFC 8446 §4.1.2: "In compatibility mode (see Appendix D.4), this
    // field MUST be non-empty, so a client not offering a pre-TLS 1.3
    // session MUST generate a new 32-byte value."
    let mut session_id = match config.middlebox_compat {
        true => random_array::<32>(rng)?.to_vec(),
        false => Vec::new(),
    };

    let mut shares = Vec::new();
    for group in &config.key_share_groups {
        let kx = KxGroup::from_named_group(*group).ok_or_else(|| LocalError::Config {
            what: format!("key share group {group} is not implemented"),
        })?;
        shares.push(kx.start(rng)?);
    }

    let policy = &config.policy;
    let offer_13 = policy.supports(ProtocolVersion::TLSv1_3);
    let offer_12 = policy.supports(ProtocolVersion::TLSv1_2);
    let mut cipher_suites: Vec<CipherSuite> = Vec::new();
    let mut versions = Vec::new();
    // RFC 8446 §4.2.1: versions in preference order, TLS 1.3 first.
    if offer_13 {
        versions.push(ProtocolVersion::TLSv1_3);
        cipher_suites.extend(
            policy
                .suites_for(ProtocolVersion::TLSv1_3)
                .map(|s| s.suite()),
        );
    }
    if offer_12 {
        versions.push(ProtocolVersion::TLSv1_2);
        cipher_suites.extend(
            policy
                .suites_for(ProtocolVersion::TLSv1_2)
                .map(|s| s.suite()),
        );
    }

    let mut exts = Vec::new();
    // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in
    // "HostName"", so the name is sent for DNS names only.
    if let (true, PkiServerName::DnsName(dns)) = (config.enable_sni, &server_name) {
        exts.push(Extension::ServerName(vec![ServerName::host_name(
            dns.as_ref(),
        )]));
        cx.negotiated.server_name = Some(dns.as_ref().to_string());
    }
    // RFC 5246 §7.4.1.2 / RFC 5077 §3.4: a stored TLS 1.2 session for this
    // server is offered by its session ID and/or its ticket.
    let tls12_offer = match (offer_12, cx.negotiated.server_name.as_deref()) {
        (true, Some(name)) => {
            super::tls12_resume::session_to_offer(&config, name, &versions, &cipher_suites)
        }
        _ => None,
    };
    let mut ticket = Bytes(Vec::new());
    if let Some(offer) = &tls12_offer {
        if !offer.session_id.0.is_empty() {
            // RFC 8446 §4.1.2: "A client which has a cached session ID set
            // by a pre-TLS 1.3 server SHOULD set this field to that value."
            session_id.clone_from(&offer.session_id.0);
        } else if session_id.is_empty() {
            // RFC 5077 §3.4: a ticket goes with a session ID of our own,
            // which the server echoes when it accepts the ticket.
            session_id = random_array::<32>(rng)?.to_vec();
        }
        if let Some(t) = &offer.ticket {
            ticket.clone_from(t);
        }
    }
    exts.push(Extension::SupportedVersions(versions));
    exts.push(Extension::SupportedGroups(
        policy.kx_groups().map(KxGroup::named_group).collect(),
    ));
    exts.push(Extension::SignatureAlgorithms(
        policy.signature_schemes.clone(),
    ));
    if offer_13 {
        exts.push(Extension::KeyShares(
            shares.iter().map(share_entry).collect(),
        ));
    }
    if offer_12 {
        // RFC 8422 §5.1.2: only uncompressed points.
        exts.push(Extension::EcPointFormats(vec![EcPointFormat::Uncompressed]));
        // RFC 7627 §5.1: "the client MUST include the
        // "extended_master_secret" extension in its ClientHello".
        exts.push(Extension::ExtendedMasterSecret);
        // RFC 5746 §3.4: an empty "renegotiation_info" extension (or the
        // SCSV) on the initial handshake.
        exts.push(Extension::RenegotiationInfo(Bytes(Vec::new())));
        // RFC 5077 §3.2: an empty SessionTicket extension asks for a
        // ticket; a stored one is offered for resumption. Without a store
        // a ticket could not be kept.
        if config.sessions.is_some() {
            exts.push(Extension::SessionTicket(ticket));
        }
    }
    if !policy.alpn_protocols.is_empty() {
        exts.push(Extension::Alpn(
            policy.alpn_protocols.iter().cloned().map(Bytes).collect(),
        ));
    }

    let mut hello = ClientHello {
        // RFC 8446 §4.1.2: "legacy_version ... MUST be set to 0x0303".
        legacy_version: ProtocolVersion::TLSv1_2,
        random,
        legacy_session_id: Bytes(session_id),
        cipher_suites,
        // RFC 8446 §4.1.2: "this vector MUST contain exactly one byte, set to zero".
        legacy_compression_methods: vec![CompressionMethod::Null],
        extensions: Some(Extensions(exts)),
    };
    rewrite_hello(&config, &mut hello)?;
    let msg = HandshakeMessage::new(HandshakePayload::ClientHello(hello.clone()));

    cx.client_random = hello.random;
    // RFC 8446 §5.1: the initial ClientHello may use 0x0301 as the record
    // version, for compatibility with older servers.
    cx.plaintext_version = ProtocolVersion::TLSv1_0;
    // RFC 8446 §5: from the first ClientHello on, a compatibility
    // ChangeCipherSpec from the server is dropped.
    cx.ignore_compat_ccs = true;
    cx.send_handshake(&msg);

    let mut transcript = TranscriptBuffer::new();
    transcript.add(msg.encoded());
    Ok(ExpectServerHello {
        config,
        server_name,
        hello,
        shares,
        transcript: Transcript::Buffered(transcript),
        retry: None,
        sent_ccs: false,
        tls12_offer,
    })
}

/// Applies the configured [`crate::config::HelloRewrite`], if any. The
/// rewritten hello is what is sent, hashed and checked against: what the
/// server answers must correspond to it (RFC 8446 §4.2).
fn rewrite_hello(config: &ClientConfig, hello: &mut ClientHello) -> Result<(), Error> {
    let Some(rewrite) = &config.hello_extensions else {
        return Ok(());
    };
    rewrite.apply(hello);
    // No PSK is held, so a pre_shared_key (RFC 8446 §4.2.11) or early_data
    // (§4.2.10) offer could never be honoured.
    if [ExtensionType::PreSharedKey, ExtensionType::EarlyData]
        .into_iter()
        .any(|t| hello.has_extension(t))
    {
        return Err(LocalError::Config {
            what: "the ClientHello rewrite added pre_shared_key or early_data".into(),
        }
        .into());
    }
    Ok(())
}

fn share_entry(kx: &ActiveKeyExchange) -> KeyShareEntry {
    KeyShareEntry::new(kx.group().named_group(), kx.public_share())
}

impl ExpectServerHello {
    pub(crate) fn handle(
        self: Box<Self>,
        cx: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        let HandshakePayload::ServerHello(sh) = msg.payload() else {
            return Err(unexpected("ExpectServerHello", &msg));
        };
        if sh.is_hello_retry_request() {
            self.handle_retry(cx, &msg, sh)
        } else {
            self.handle_server_hello(cx, &msg, sh)
        }
    }

    /// The session store, when a TLS 1.2 session from it was offered.
    pub(crate) fn offered_tls12_store(&self) -> Option<Arc<ClientSessionStore>> {
        self.tls12_offer
            .as_ref()
            .and_then(|_| self.config.sessions.clone())
    }

    fn offered(&self) -> &Extensions {
        self.hello.extensions()
    }

    fn offered_13(&self) -> bool {
        self.config.policy.supports(ProtocolVersion::TLSv1_3)
    }

    /// RFC 8446 §4.1.3 / §4.2.1: the version the server picked.
    fn check_version(&self, sh: &ServerHello) -> Result<ProtocolVersion, Error> {
        match sh.extensions().selected_version() {
            Some(ProtocolVersion::TLSv1_3) if self.offered_13() => Ok(ProtocolVersion::TLSv1_3),
            // RFC 8446 §4.2.1: "If the "supported_versions" extension in the
            // ServerHello contains a version not offered by the client or
            // contains a version prior to TLS 1.3, the client MUST abort
            // the handshake with an "illegal_parameter" alert."
            Some(_) => Err(PeerMisbehaved::IllegalParameter {
                what: "supported_versions selected a version not offered",
            }
            .into()),
            None => {
                // RFC 8446 §4.1.3: "TLS 1.3 clients receiving a ServerHello
                // indicating TLS 1.2 or below MUST check that the last 8
                // bytes are not equal to either of these values ... If a
                // match is found, the client MUST abort the handshake with
                // an "illegal_parameter" alert."
                if self.offered_13() && sh.downgrade_sentinel().is_some() {
                    return Err(PeerMisbehaved::DowngradeDetected.into());
                }
                // RFC 5246 §7.4.1.3: without supported_versions the
                // version is server_version; RFC 8996: nothing below 1.2.
                if sh.legacy_version == ProtocolVersion::TLSv1_2
                    && self.config.policy.supports(ProtocolVersion::TLSv1_2)
                {
                    return Ok(ProtocolVersion::TLSv1_2);
                }
                Err(PeerMisbehaved::NoCommonVersion.into())
            }
        }
    }

    /// The checks a ServerHello and a HelloRetryRequest share.
    fn check_common(&self, sh: &ServerHello) -> Result<Tls13Suite, Error> {
        // RFC 8446 §4.1.3: "A client which receives a legacy_session_id_echo
        // field that does not match what it sent in the ClientHello MUST
        // abort the handshake with an "illegal_parameter" alert."
        if sh.legacy_session_id_echo != self.hello.legacy_session_id {
            return Err(PeerMisbehaved::IllegalParameter {
                what: "legacy_session_id_echo differs from the legacy_session_id sent",
            }
            .into());
        }
        // RFC 8446 §4.1.3: "A client which receives a cipher suite that was
        // not offered MUST abort the handshake with an "illegal_parameter"
        // alert."
        let suite = tls13_suite(sh.cipher_suite)
            .filter(|_| self.hello.cipher_suites.contains(&sh.cipher_suite))
            .ok_or(PeerMisbehaved::IllegalParameter {
                what: "cipher suite not offered",
            })?;
        // RFC 8446 §4.1.3: "legacy_compression_method: A single byte which
        // MUST have the value 0."
        if sh.legacy_compression_method != CompressionMethod::Null {
            return Err(PeerMisbehaved::IllegalParameter {
                what: "legacy_compression_method is not null",
            }
            .into());
        }
        sh.extensions().check_allowed(sh.context())?;
        // RFC 8446 §4.2: "Implementations MUST NOT send extension responses
        // if the remote endpoint did not send the corresponding extension
        // requests, with the exception of the "cookie" extension in the
        // HelloRetryRequest. Upon receiving such an extension, an endpoint
        // MUST abort the handshake with an "unsupported_extension" alert."
        for typ in sh.extensions().types() {
            let own = typ == ExtensionType::Cookie && sh.is_hello_retry_request();
            if !own && !self.offered().contains(typ) {
                return Err(PeerMisbehaved::UnsolicitedExtension { typ }.into());
            }
        }
        Ok(suite)
    }

    /// RFC 8446 §4.1.4: the server asks for a new ClientHello.
    fn handle_retry(
        self: Box<Self>,
        cx: &mut CommonState,
        msg: &HandshakeMessage,
        hrr: &ServerHello,
    ) -> Result<State, Error> {
        // RFC 8446 §4.1.4: "If a client receives a second HelloRetryRequest
        // in the same connection (i.e., where the ClientHello was itself
        // in response to a HelloRetryRequest), it MUST abort the handshake
        // with an "unexpected_message" alert."
        if self.retry.is_some() {
            return Err(unexpected(
                "ExpectServerHello (after HelloRetryRequest)",
                msg,
            ));
        }
        // RFC 8446 §4.1.4: the HelloRetryRequest carries supported_versions
        // naming TLS 1.3.
        if hrr.extensions().selected_version().is_none() {
            return Err(PeerMisbehaved::MissingExtension {
                what: "supported_versions in HelloRetryRequest",
            }
            .into());
        }
        self.check_version(hrr)?;
        let suite = self.check_common(hrr)?;

        let group = hrr.extensions().retry_group();
        let cookie = hrr.extensions().cookie().cloned();
        if let Some(group) = group {
            // RFC 8446 §4.2.8: "Upon receipt of this extension in a
            // HelloRetryRequest, the client MUST verify that (1) the
            // selected_group field corresponds to a group which was
            // provided in the "supported_groups" extension in the original
            // ClientHello and (2) the selected_group field does not
            // correspond to a group which was provided in the "key_share"
            // extension in the original ClientHello. If either of these
            // checks fails, then the client MUST abort the handshake with
            // an "illegal_parameter" alert."
            let offered = self
                .offered()
                .supported_groups()
                .is_some_and(|g| g.contains(&group));
            if !offered {
                return Err(PeerMisbehaved::IllegalParameter {
                    what: "HelloRetryRequest selected a group not offered",
                }
                .into());
            }
            if self.shares.iter().any(|s| s.group().named_group() == group) {
                return Err(PeerMisbehaved::IllegalParameter {
                    what: "HelloRetryRequest selected a group already shared",
                }
                .into());
            }
        } else if cookie.is_none() {
            // RFC 8446 §4.1.4: "Clients MUST abort the handshake with an
            // "illegal_parameter" alert if the HelloRetryRequest would not
            // result in any change in the ClientHello."
            return Err(PeerMisbehaved::IllegalParameter {
                what: "HelloRetryRequest that changes nothing",
            }
            .into());
        }

        let this = *self;
        let rng = &*this.config.hooks.rng;
        let shares = match group {
            Some(g) => {
                // Only a ClientHello rewrite can offer a group ferrotls
                // does not implement: the fault is ours, not the server's.
                let kx = KxGroup::from_named_group(g).ok_or_else(|| LocalError::Config {
                    what: format!(
                        "HelloRetryRequest selected {g}, which the ClientHello rewrite offered but ferrotls does not implement"
                    ),
                })?;
                vec![kx.start(rng)?]
            }
            None => this.shares,
        };

        // RFC 8446 §4.1.2: the second ClientHello is the first with the
        // key_share replaced by one share of the selected group, the
        // cookie echoed and early_data removed; everything else stays.
        let mut hello = this.hello;
        let mut exts = hello.extensions.take().unwrap_or_default();
        exts.0.retain(|e| e.typ() != ExtensionType::EarlyData);
        if group.is_some() {
            exts.push(Extension::KeyShares(
                shares.iter().map(share_entry).collect(),
            ));
        }
        if let Some(cookie) = cookie {
            exts.push(Extension::Cookie(cookie));
        }
        hello.extensions = Some(exts);
        rewrite_hello(&this.config, &mut hello)?;
        let msg2 = HandshakeMessage::new(HandshakePayload::ClientHello(hello.clone()));

        // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash
        // (Hash(ClientHello1)), then HelloRetryRequest and ClientHello2.
        let (mut transcript, _) = this
            .transcript
            .into_hash(suite)
            .replace_client_hello1_with_message_hash();
        transcript.add(msg.encoded());
        transcript.add(msg2.encoded());

        // RFC 8446 §D.4: in compatibility mode the client "sends a dummy
        // change_cipher_spec record immediately before its second flight.
        // This may either be before its second ClientHello or before its
        // encrypted handshake flight."
        let sent_ccs = this.config.middlebox_compat;
        if sent_ccs {
            cx.send_ccs()?;
        }
        cx.plaintext_version = ProtocolVersion::TLSv1_2;
        cx.send_handshake(&msg2);
        cx.negotiated.hello_retry = true;

        Ok(State::ServerHello(Box::new(ExpectServerHello {
            config: this.config,
            server_name: this.server_name,
            hello,
            shares,
            transcript: Transcript::Hashing(transcript),
            retry: Some(Retry {
                suite: suite.suite,
                group,
            }),
            sent_ccs,
            tls12_offer: None,
        })))
    }

    /// The server chose TLS 1.2: the rest is `tls12.rs`.
    fn into_tls12(
        self: Box<Self>,
        cx: &mut CommonState,
        msg: &HandshakeMessage,
        sh: &ServerHello,
    ) -> Result<State, Error> {
        let this = *self;
        // RFC 8446 §4.1.4: a HelloRetryRequest fixes TLS 1.3; a server
        // answering the second ClientHello with TLS 1.2 contradicts it.
        let Transcript::Buffered(buffered) = this.transcript else {
            return Err(PeerMisbehaved::Inconsistent {
                what: "TLS 1.2 ServerHello after a HelloRetryRequest",
            }
            .into());
        };
        super::tls12::handle_server_hello(
            cx,
            this.config,
            this.server_name,
            &this.hello,
            this.tls12_offer,
            buffered,
            msg,
            sh,
        )
    }

    /// RFC 8446 §4.1.3: the ServerHello; derives the handshake keys.
    fn handle_server_hello(
        self: Box<Self>,
        cx: &mut CommonState,
        msg: &HandshakeMessage,
        sh: &ServerHello,
    ) -> Result<State, Error> {
        if self.check_version(sh)? == ProtocolVersion::TLSv1_2 {
            return self.into_tls12(cx, msg, sh);
        }
        let suite = self.check_common(sh)?;
        if let Some(retry) = self.retry {
            // RFC 8446 §4.1.4: "Upon receiving the ServerHello, clients MUST
            // check that the cipher suite supplied in the ServerHello is
            // the same as that in the HelloRetryRequest and otherwise abort
            // the handshake with an "illegal_parameter" alert."
            if retry.suite != suite.suite {
                return Err(PeerMisbehaved::Inconsistent {
                    what: "ServerHello cipher suite differs from the HelloRetryRequest's",
                }
                .into());
            }
        }
        // No PSK is offered, so (EC)DHE is the only mode and the server
        // must answer with a share (RFC 8446 §9.2: "missing_extension").
        let entry = sh
            .extensions()
            .server_key_share()
            .ok_or(PeerMisbehaved::MissingExtension { what: "key_share" })?;
        if let Some(Some(group)) = self.retry.map(|r| r.group) {
            // RFC 8446 §4.2.8: "the client MUST verify that the selected
            // NamedGroup in the ServerHello is the same as that in the
            // HelloRetryRequest ... "illegal_parameter" alert."
            if entry.group != group {
                return Err(PeerMisbehaved::Inconsistent {
                    what: "ServerHello key_share group differs from the HelloRetryRequest's",
                }
                .into());
            }
        }

        let this = *self;
        // RFC 8446 §4.2.8: the server's share "MUST be in the same group as
        // the KeyShareEntry value offered by the client".
        let kx = this
            .shares
            .into_iter()
            .find(|s| s.group().named_group() == entry.group)
            .ok_or(PeerMisbehaved::IllegalParameter {
                what: "key_share group not offered",
            })?;
        let shared = kx.complete(&entry.key_exchange.0)?;

        let mut transcript = this.transcript.into_hash(suite);
        transcript.add(msg.encoded());

        cx.negotiated.version = Some(ProtocolVersion::TLSv1_3);
        cx.negotiated.cipher_suite = Some(suite.suite);
        cx.negotiated.group = Some(entry.group);

        let offered = this.hello.extensions().types().collect();
        let hs = Hs13::start(
            cx,
            this.config,
            this.server_name,
            suite,
            transcript,
            &shared,
            offered,
            this.sent_ccs,
        )?;
        Ok(State::EncryptedExtensions(Box::new(
            ExpectEncryptedExtensions::new(hs),
        )))
    }
}
