//! What the server13 interop tests share: a ferrotls server and a rustls
//! client as in-memory endpoints, their configurations, and the check
//! that both ends agree on what was negotiated.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use ferrotls::auth::{provider_key, CertifiedKey, ServerCertResolver};
use ferrotls::config::ServerConfig;
use ferrotls::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use ferrotls::ServerConnection;
use ferrotls_test::pair::Endpoint;
use ferrotls_test::pki::{Identity, KeyType, Pki, SERVER_NAME};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{aws_lc_rs, CryptoProvider, SupportedKxGroup};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, HandshakeKind, SupportedCipherSuite};

// ---- the two endpoints ------------------------------------------------

pub struct Ferro(pub ServerConnection);

impl Endpoint for Ferro {
    fn take_tls(&mut self) -> Vec<u8> {
        let out = self.0.pending_tls().to_vec();
        self.0.consume_tls(out.len());
        out
    }

    fn receive_tls(&mut self, data: &[u8]) -> Result<(), String> {
        self.0.feed_tls(data);
        self.0.process_new_packets().map_err(|e| e.to_string())
    }

    fn is_handshaking(&self) -> bool {
        self.0.is_handshaking()
    }

    fn write_plain(&mut self, data: &[u8]) {
        assert_eq!(self.0.write_plaintext(data).unwrap(), data.len());
    }

    fn read_plain(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match self.0.read_plaintext(&mut buf) {
                Ok(0) => return out,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return out,
                Err(e) => panic!("read_plaintext: {e}"),
            }
        }
    }
}

pub struct Rustls {
    pub conn: rustls::ClientConnection,
    /// The first error rustls reported.
    pub error: Option<rustls::Error>,
}

impl Endpoint for Rustls {
    fn take_tls(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while self.conn.wants_write() {
            self.conn.write_tls(&mut out).unwrap();
        }
        out
    }

    fn receive_tls(&mut self, mut data: &[u8]) -> Result<(), String> {
        while !data.is_empty() {
            self.conn.read_tls(&mut data).map_err(|e| e.to_string())?;
            if let Err(e) = self.conn.process_new_packets() {
                self.error.get_or_insert(e.clone());
                return Err(e.to_string());
            }
        }
        Ok(())
    }

    fn is_handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    fn write_plain(&mut self, data: &[u8]) {
        self.conn.writer().write_all(data).unwrap();
    }

    fn read_plain(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.conn.reader().read_to_end(&mut out) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("rustls read: {e}"),
        }
        out
    }
}

/// A rustls verifier that records the scheme the server signed with.
#[derive(Debug)]
pub struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    pub scheme: Mutex<Option<rustls::SignatureScheme>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        *self.scheme.lock().unwrap() = Some(dss.scheme);
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

// ---- configurations -----------------------------------------------------

/// What the rustls client is limited to.
pub struct ClientSpec {
    pub suites: Vec<SupportedCipherSuite>,
    pub groups: Vec<&'static dyn SupportedKxGroup>,
    pub alpn: Vec<Vec<u8>>,
    pub name: &'static str,
    pub client_cert: Option<&'static Identity>,
    pub key_log: Option<Arc<dyn rustls::KeyLog>>,
}

impl Default for ClientSpec {
    fn default() -> Self {
        Self {
            suites: aws_lc_rs::DEFAULT_CIPHER_SUITES.to_vec(),
            groups: aws_lc_rs::DEFAULT_KX_GROUPS.to_vec(),
            alpn: Vec::new(),
            name: SERVER_NAME,
            client_cert: None,
            key_log: None,
        }
    }
}

pub fn rustls_client(spec: ClientSpec) -> (Rustls, Arc<Recording>) {
    let provider = Arc::new(CryptoProvider {
        cipher_suites: spec.suites,
        kx_groups: spec.groups,
        ..aws_lc_rs::default_provider()
    });
    let mut roots = rustls::RootCertStore::empty();
    for root in Pki::get().roots() {
        roots.add(root).unwrap();
    }
    let verifier = Arc::new(Recording {
        inner: WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .unwrap(),
        scheme: Mutex::new(None),
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone());
    let mut config = match spec.client_cert {
        Some(id) => builder
            .with_client_auth_cert(id.chain(), id.private_key())
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = spec.alpn;
    if let Some(key_log) = spec.key_log {
        config.key_log = key_log;
    }
    let conn =
        rustls::ClientConnection::new(Arc::new(config), ServerName::try_from(spec.name).unwrap())
            .unwrap();
    (Rustls { conn, error: None }, verifier)
}

pub fn certified(id: &Identity) -> Arc<CertifiedKey> {
    Arc::new(CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap())
}

pub fn server_config(key_types: &[KeyType]) -> ServerConfig {
    let mut resolver = ServerCertResolver::new();
    for kt in key_types {
        resolver.add_default(certified(Pki::get().server(*kt)));
    }
    ServerConfig::new(Arc::new(resolver))
}

pub fn server(config: ServerConfig) -> Ferro {
    Ferro(ServerConnection::new(Arc::new(config)).unwrap())
}

// ---- checks -------------------------------------------------------------

/// What both ends must agree on.
pub struct Expect {
    pub suite: CipherSuite,
    pub group: NamedGroup,
    pub scheme: SignatureScheme,
    pub hello_retry: bool,
}

pub fn check_agreement(client: &Rustls, recorded: &Recording, server: &Ferro, want: &Expect) {
    let n = server.0.negotiated();
    assert_eq!(n.version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(n.cipher_suite, Some(want.suite));
    assert_eq!(n.group, Some(want.group));
    assert_eq!(n.signature_scheme, Some(want.scheme));
    assert_eq!(n.hello_retry, want.hello_retry);

    let c = &client.conn;
    assert_eq!(c.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_3));
    assert_eq!(
        u16::from(c.negotiated_cipher_suite().unwrap().suite()),
        want.suite.to_wire()
    );
    assert_eq!(
        u16::from(c.negotiated_key_exchange_group().unwrap().name()),
        want.group.to_wire()
    );
    assert_eq!(
        recorded.scheme.lock().unwrap().map(u16::from),
        Some(want.scheme.to_wire())
    );
    let kind = match want.hello_retry {
        true => HandshakeKind::FullWithHelloRetryRequest,
        false => HandshakeKind::Full,
    };
    assert_eq!(c.handshake_kind(), Some(kind));
}
