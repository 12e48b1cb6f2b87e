//! Deterministic handshakes between the ferrotls client and server, and
//! the replay of one side's recorded bytes into a fresh connection of the
//! other: the ground for mutation tests and the connection fuzz targets.
//!
//! Everything a handshake draws is fixed: both sides' randomness and
//! ephemeral keys (a [`FixedRandom`] pattern each), the certificates (keys
//! from fixed seeds or a vendored RSA key, fixed serials and dates),
//! the ticket keys and the session clock, and the signature schemes
//! (Ed25519 and RSA PKCS#1 v1.5 sign deterministically; ECDSA and RSA-PSS
//! do not). So a connection fed the bytes recorded from its peer goes the
//! same way again, through to application data, and a mutated copy of
//! them reaches every state of the handshake, not only the first decoder.
//!
//! Static RSA key transport is the one exception: the client's PKCS#1
//! encryption pads with the system generator, so only the server side of
//! that scenario replays to completion ([`Scenario::replays`]).

use std::sync::{Arc, OnceLock};

use ferrotls::auth::{
    provider_key, CertifiedKey, ClientCertChooser, ClientCertVerifier, RootStore,
    ServerCertResolver, ServerCertVerifier,
};
use ferrotls::config::{ClientConfig, ServerConfig};
use ferrotls::crypto::kx::rsa::RsaDecryptingKey;
use ferrotls::crypto::rand::FixedRandom;
use ferrotls::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use ferrotls::server::StaticRsaKey;
use ferrotls::session::{ManualClock, TicketKeyPolicy, TicketKeys};
use ferrotls::{ClientConnection, Error, ServerConnection};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};

/// The server name every scenario connects to.
pub const SERVER_NAME: &str = "localhost";
/// What the client sends once the handshake is done.
pub const CLIENT_DATA: &[u8] = b"ping from the replayed client";
/// What the server sends once the handshake is done.
pub const SERVER_DATA: &[u8] = b"pong from the replayed server";

/// The session clock of every scenario (a fixed second in 2027).
const NOW: u64 = 1_800_000_000;

/// One kind of handshake, with everything it draws fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// TLS 1.3 full handshake, x25519, AES-128-GCM, Ed25519 certificate.
    Tls13,
    /// TLS 1.3 through a HelloRetryRequest (key share for secp256r1, the
    /// server wants x25519).
    Tls13Retry,
    /// TLS 1.3 with a required client certificate, ChaCha20-Poly1305.
    Tls13ClientAuth,
    /// TLS 1.2 ECDHE_ECDSA (secp256r1, AES-256-GCM) with a client
    /// certificate and its CertificateVerify.
    Tls12Ecdhe,
    /// TLS 1.2 DHE_RSA over ffdhe2048, ChaCha20-Poly1305.
    Tls12Dhe,
    /// TLS 1.2 static RSA key transport (off by default; enabled here).
    Tls12StaticRsa,
    /// TLS 1.2 abbreviated handshake resuming by session ID.
    Tls12SessionId,
    /// TLS 1.2 abbreviated handshake resuming by session ticket.
    Tls12Ticket,
}

/// Which endpoint is replayed (fed the other's recorded bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Scenario {
    pub const ALL: [Scenario; 8] = [
        Scenario::Tls13,
        Scenario::Tls13Retry,
        Scenario::Tls13ClientAuth,
        Scenario::Tls12Ecdhe,
        Scenario::Tls12Dhe,
        Scenario::Tls12StaticRsa,
        Scenario::Tls12SessionId,
        Scenario::Tls12Ticket,
    ];

    /// Whether `side` fed the recorded bytes completes the handshake
    /// (see the module notes on static RSA).
    pub fn replays(self, side: Side) -> bool {
        !(self == Scenario::Tls12StaticRsa && side == Side::Client)
    }

    /// Whether two recordings give the same bytes both ways (see the
    /// module notes on static RSA).
    pub fn recording_is_fixed(self) -> bool {
        self != Scenario::Tls12StaticRsa
    }

    /// Whether the recorded connection is a second one, resuming the
    /// session of a first full handshake run beforehand.
    pub fn resumes(self) -> bool {
        matches!(self, Scenario::Tls12SessionId | Scenario::Tls12Ticket)
    }

    /// The expected version of the recorded connection.
    pub fn version(self) -> ProtocolVersion {
        match self {
            Scenario::Tls13 | Scenario::Tls13Retry | Scenario::Tls13ClientAuth => {
                ProtocolVersion::TLSv1_3
            }
            _ => ProtocolVersion::TLSv1_2,
        }
    }

    /// Fresh client and server configurations (fresh session stores and
    /// caches, so runs do not see each other).
    pub fn configs(self) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
        let pki = FixedPki::get();
        let mut client =
            ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(pki.roots()))));
        client.hooks.rng = Arc::new(FixedRandom(vec![0x11, 0x3c, 0x5a, 0x97]));
        let mut server = ServerConfig::new(Arc::new(pki.resolver()));
        server.hooks.rng = Arc::new(FixedRandom(vec![0x22, 0x71, 0x05, 0xe8]));
        let clock = Arc::new(ManualClock::new(NOW));
        server.session_clock = clock.clone();
        server.ticket_keys = None;

        let (version, suite, groups): (_, _, &[NamedGroup]) = match self {
            Scenario::Tls13 => (
                ProtocolVersion::TLSv1_3,
                CipherSuite::TLS_AES_128_GCM_SHA256,
                &[NamedGroup::X25519],
            ),
            Scenario::Tls13Retry => (
                ProtocolVersion::TLSv1_3,
                CipherSuite::TLS_AES_256_GCM_SHA384,
                &[NamedGroup::X25519, NamedGroup::Secp256r1],
            ),
            Scenario::Tls13ClientAuth => (
                ProtocolVersion::TLSv1_3,
                CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                &[NamedGroup::Secp384r1],
            ),
            Scenario::Tls12Ecdhe => (
                ProtocolVersion::TLSv1_2,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                &[NamedGroup::Secp256r1],
            ),
            Scenario::Tls12Dhe => (
                ProtocolVersion::TLSv1_2,
                CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                &[NamedGroup::Ffdhe2048],
            ),
            Scenario::Tls12StaticRsa => (
                ProtocolVersion::TLSv1_2,
                CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
                &[NamedGroup::X25519],
            ),
            Scenario::Tls12SessionId | Scenario::Tls12Ticket => (
                ProtocolVersion::TLSv1_2,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                &[NamedGroup::X25519],
            ),
        };
        for policy in [&mut client.policy, &mut server.policy] {
            policy.versions = vec![version];
            policy.cipher_suites = vec![suite];
            policy.groups = groups.to_vec();
            // Deterministic signatures only (RFC 8032 Ed25519; RSA PKCS#1
            // v1.5, TLS 1.2 only per RFC 8446 §4.2.3).
            policy.signature_schemes =
                vec![SignatureScheme::Ed25519, SignatureScheme::RsaPkcs1Sha256];
        }
        client.key_share_groups = vec![*groups.last().unwrap_or(&NamedGroup::X25519)];
        if self == Scenario::Tls13Retry {
            server.policy.groups = vec![NamedGroup::X25519];
        }
        if matches!(self, Scenario::Tls13ClientAuth | Scenario::Tls12Ecdhe) {
            client.client_auth = Some(Arc::new(ClientCertChooser::new(vec![pki.client.clone()])));
            server.client_verifier = Some(Arc::new(ClientCertVerifier::new(Arc::new(pki.roots()))));
        }
        if self == Scenario::Tls12StaticRsa {
            server.static_rsa = Some(Arc::new(StaticRsaKey {
                certified: pki.rsa_server.clone(),
                decrypter: RsaDecryptingKey::from_pkcs8_der(&pki.rsa_key)
                    .expect("the vendored RSA key"),
            }));
        }
        if self == Scenario::Tls12Ticket {
            let keys = TicketKeys::new(
                TicketKeyPolicy::default(),
                Arc::new(FixedRandom(vec![0x5c, 0xa3])),
                clock,
            )
            .expect("ticket keys");
            server.ticket_keys = Some(Arc::new(keys));
        }
        (Arc::new(client), Arc::new(server))
    }
}

/// The bytes each side sent in a recorded connection: the whole handshake
/// and one application-data message each way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    pub to_server: Vec<u8>,
    pub to_client: Vec<u8>,
}

/// What a replayed connection did with its input.
#[derive(Debug)]
pub struct Outcome {
    /// The handshake finished without error.
    pub completed: bool,
    /// The negotiated version once the handshake finished.
    pub version: Option<ProtocolVersion>,
    /// Whether the connection resumed a session.
    pub resumed: bool,
    /// The connection's error, if it failed.
    pub error: Option<Error>,
    /// Application data received.
    pub plaintext: Vec<u8>,
    /// What the connection wrote after its first flight.
    pub sent: Vec<u8>,
    /// Whether the connection took application data to send after its
    /// error (it must not).
    pub wrote_after_error: bool,
}

fn server_name() -> ServerName<'static> {
    ServerName::try_from(SERVER_NAME).expect("a valid name")
}

/// The connection calls a replay makes, on either side.
trait Replayed {
    fn take(&mut self) -> Vec<u8>;
    fn feed(&mut self, data: &[u8]) -> Result<(), Error>;
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize>;
    fn write(&mut self, data: &[u8]) -> Result<usize, Error>;
    fn failure(&self) -> Option<Error>;
    fn done(&self) -> bool;
    fn negotiated(&self) -> (Option<ProtocolVersion>, bool);
}

macro_rules! replayed {
    ($conn:ty) => {
        impl Replayed for $conn {
            fn take(&mut self) -> Vec<u8> {
                let out = self.pending_tls().to_vec();
                self.consume_tls(out.len());
                out
            }
            fn feed(&mut self, data: &[u8]) -> Result<(), Error> {
                self.feed_tls(data);
                self.process_new_packets()
            }
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.read_plaintext(buf)
            }
            fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
                self.write_plaintext(data)
            }
            fn failure(&self) -> Option<Error> {
                self.error().cloned()
            }
            fn done(&self) -> bool {
                !self.is_handshaking()
            }
            fn negotiated(&self) -> (Option<ProtocolVersion>, bool) {
                let n = (**self).negotiated();
                (n.version, n.resumed)
            }
        }
    };
}

replayed!(ClientConnection);
replayed!(ServerConnection);

/// Runs one connection of `scenario` between a ferrotls client and server,
/// recording what each sent. For a resuming scenario this is the second
/// connection, after a first full handshake on the same configurations.
pub fn record(scenario: Scenario) -> Transcript {
    let (client_config, server_config) = scenario.configs();
    if scenario.resumes() {
        connect(&client_config, &server_config);
    }
    connect(&client_config, &server_config)
}

fn connect(client_config: &Arc<ClientConfig>, server_config: &Arc<ServerConfig>) -> Transcript {
    let mut client = ClientConnection::new(client_config.clone(), server_name()).expect("client");
    let mut server = ServerConnection::new(server_config.clone()).expect("server");
    let mut transcript = Transcript {
        to_server: Vec::new(),
        to_client: Vec::new(),
    };
    let mut data_sent = false;
    for _ in 0..50 {
        if !client.is_handshaking() && !server.is_handshaking() && !data_sent {
            client.write_plaintext(CLIENT_DATA).expect("client data");
            server.write_plaintext(SERVER_DATA).expect("server data");
            data_sent = true;
        }
        let to_server = client.take();
        let to_client = server.take();
        if to_server.is_empty() && to_client.is_empty() {
            break;
        }
        server.feed(&to_server).expect("recording: server");
        client.feed(&to_client).expect("recording: client");
        transcript.to_server.extend_from_slice(&to_server);
        transcript.to_client.extend_from_slice(&to_client);
    }
    assert!(data_sent, "recording: the handshake did not finish");
    transcript
}

/// Feeds `input` to a fresh `side` endpoint of `scenario`, `chunk` bytes
/// at a time (0: all at once), stopping at the first error.
pub fn replay(scenario: Scenario, side: Side, input: &[u8], chunk: usize) -> Outcome {
    let (client_config, server_config) = scenario.configs();
    if scenario.resumes() {
        connect(&client_config, &server_config);
    }
    match side {
        Side::Client => {
            let mut conn = ClientConnection::new(client_config, server_name()).expect("client");
            // Its ClientHello is already in the recorded input's past.
            conn.take();
            drive(&mut conn, input, chunk)
        }
        Side::Server => {
            let mut conn = ServerConnection::new(server_config).expect("server");
            drive(&mut conn, input, chunk)
        }
    }
}

fn drive(conn: &mut impl Replayed, input: &[u8], chunk: usize) -> Outcome {
    let size = if chunk == 0 {
        input.len().max(1)
    } else {
        chunk
    };
    let mut sent = Vec::new();
    for piece in input.chunks(size) {
        let result = conn.feed(piece);
        sent.extend(conn.take());
        if result.is_err() {
            break;
        }
    }
    let mut plaintext = Vec::new();
    let mut buf = [0u8; 1024];
    while let Ok(n) = conn.read(&mut buf) {
        match buf.get(..n) {
            Some(got) if n > 0 => plaintext.extend_from_slice(got),
            _ => break,
        }
    }
    // Reading processes the records behind the data, so it may fail and
    // queue an alert too.
    sent.extend(conn.take());
    let error = conn.failure();
    let wrote_after_error = error.is_some() && conn.write(b"after the error").is_ok();
    let (version, resumed) = conn.negotiated();
    Outcome {
        completed: conn.done() && error.is_none(),
        version,
        resumed,
        error,
        plaintext,
        sent,
        wrote_after_error,
    }
}

/// The fixed certificates of the scenarios: an Ed25519 CA, an Ed25519 and
/// an RSA-2048 server leaf for `localhost`, an Ed25519 client leaf.
pub struct FixedPki {
    pub ca: CertificateDer<'static>,
    pub server: Arc<CertifiedKey>,
    pub rsa_server: Arc<CertifiedKey>,
    pub client: Arc<CertifiedKey>,
    rsa_key: Vec<u8>,
}

/// An Ed25519 key from a seed, as PKCS#8 v1 (RFC 8410 §7).
fn ed25519_key(seed: u8) -> KeyPair {
    const PREFIX: &[u8] = &[
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let der = [PREFIX, &[seed; 32]].concat();
    KeyPair::try_from(der.as_slice()).expect("an Ed25519 key")
}

fn fixed_params(serial: u64, common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.serial_number = Some(SerialNumber::from(serial));
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2049, 12, 31);
    params
}

fn leaf(
    issuer: &Issuer<'static, KeyPair>,
    ca: &CertificateDer<'static>,
    key: &KeyPair,
    serial: u64,
    usage: ExtendedKeyUsagePurpose,
) -> Arc<CertifiedKey> {
    let mut params = fixed_params(serial, SERVER_NAME);
    params.subject_alt_names = vec![rcgen::SanType::DnsName(
        SERVER_NAME.try_into().expect("a DNS name"),
    )];
    params.is_ca = IsCa::ExplicitNoCa;
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![usage];
    let cert = params.signed_by(key, issuer).expect("signing a leaf");
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signer = provider_key(&der).expect("a usable key");
    Arc::new(CertifiedKey::new(vec![cert.der().clone(), ca.clone()], signer).expect("a chain"))
}

impl FixedPki {
    /// Built once per process; the same bytes in every process.
    pub fn get() -> &'static FixedPki {
        static PKI: OnceLock<FixedPki> = OnceLock::new();
        PKI.get_or_init(FixedPki::build)
    }

    fn build() -> FixedPki {
        let ca_key = ed25519_key(1);
        let mut params = fixed_params(1, "ferrotls replay CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = params.self_signed(&ca_key).expect("self-signing the CA");
        let ca = ca.der().clone();
        let issuer = Issuer::new(params, ca_key);
        let rsa_pem = include_str!("../vectors/replay-rsa2048.key.pem");
        let rsa = KeyPair::from_pem(rsa_pem).expect("the vendored RSA key");
        FixedPki {
            server: leaf(
                &issuer,
                &ca,
                &ed25519_key(2),
                2,
                ExtendedKeyUsagePurpose::ServerAuth,
            ),
            rsa_server: leaf(&issuer, &ca, &rsa, 3, ExtendedKeyUsagePurpose::ServerAuth),
            client: leaf(
                &issuer,
                &ca,
                &ed25519_key(4),
                4,
                ExtendedKeyUsagePurpose::ClientAuth,
            ),
            rsa_key: rsa.serialize_der(),
            ca,
        }
    }

    /// A root store holding the CA.
    pub fn roots(&self) -> RootStore {
        let mut roots = RootStore::empty();
        roots
            .add_all(std::slice::from_ref(&self.ca))
            .expect("the CA");
        roots
    }

    /// The server certificates: Ed25519 and RSA, chosen by suite and
    /// signature algorithms.
    pub fn resolver(&self) -> ServerCertResolver {
        let mut resolver = ServerCertResolver::new();
        resolver.add_default(self.server.clone());
        resolver.add_default(self.rsa_server.clone());
        resolver
    }
}
