//! ferrotls endpoints on loopback TCP for interop tests against command-line
//! peers: a TLS 1.3 client configuration trusting the test PKI, a client that
//! connects and exchanges lines, and a one-connection server thread that
//! echoes every line it receives as `echo: <line>`.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ferrotls::auth::{
    provider_key, CertifiedKey, RootStore, ServerCertResolver, ServerCertVerifier,
};
use ferrotls::config::{ClientConfig, ServerConfig};
use ferrotls::conn::Negotiated;
use ferrotls::msgs::enums::ProtocolVersion;
use ferrotls::stream::Stream;
use ferrotls::{ClientConnection, Error, ServerConnection};
use rustls_pki_types::ServerName;

use crate::matrix::Case;
use crate::pki::{KeyType, Pki, SERVER_NAME};

/// How long a loopback endpoint waits for its peer before giving up.
pub const PEER_WAIT: Duration = Duration::from_secs(10);

/// A TLS 1.3-only client configuration trusting [`Pki::roots`], with the
/// default suites and groups (x25519 key share).
pub fn client_config() -> ClientConfig {
    let mut roots = RootStore::empty();
    roots.add_all(&Pki::get().roots()).unwrap();
    let mut config = ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(roots))));
    config.policy.versions = vec![ProtocolVersion::TLSv1_3];
    config.policy.cipher_suites = crate::matrix::SUITES.to_vec();
    config
}

/// [`client_config`] limited to the suite and group of `case` (the only
/// key share sent is for that group, so no HelloRetryRequest is needed).
pub fn client_config_for(case: &Case) -> ClientConfig {
    let mut config = client_config();
    config.policy.cipher_suites = vec![case.suite];
    config.policy.groups = vec![case.group];
    config.key_share_groups = vec![case.group];
    config
}

/// A server configuration serving the `localhost` leaf of `key_type`.
pub fn server_config(key_type: KeyType) -> ServerConfig {
    let id = Pki::get().server(key_type);
    let key = CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap();
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(Arc::new(key));
    ServerConfig::new(Arc::new(resolver))
}

/// [`server_config`] for the case's certificate, limited to its suite and group.
pub fn server_config_for(case: &Case) -> ServerConfig {
    let mut config = server_config(case.key_type);
    config.policy.versions = vec![ProtocolVersion::TLSv1_3];
    config.policy.cipher_suites = vec![case.suite];
    config.policy.groups = vec![case.group];
    config
}

/// A ferrotls client connection over TCP.
pub type ClientStream = Stream<ClientConnection, TcpStream>;

/// Connects to `addr` as `localhost` and runs the handshake. On failure
/// returns the connection's error (the one that chose the alert we sent, or
/// the alert we received) and the I/O error text.
pub fn connect(
    config: ClientConfig,
    addr: SocketAddr,
) -> Result<ClientStream, (Option<Error>, String)> {
    let sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(PEER_WAIT)).unwrap();
    let name = ServerName::try_from(SERVER_NAME).unwrap();
    let conn = ClientConnection::new(Arc::new(config), name).unwrap();
    let mut stream = Stream::new(conn, sock);
    match stream.handshake() {
        Ok(()) => Ok(stream),
        Err(e) => Err((stream.conn.error().cloned(), e.to_string())),
    }
}

/// Reads from `stream` until what was read contains `marker`; returns all of it.
pub fn read_until(stream: &mut ClientStream, marker: &str) -> Result<String, String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains(marker) {
        match stream.read(&mut buf) {
            Ok(0) => {
                return Err(format!(
                    "closed before {marker:?}; got {:?}",
                    String::from_utf8_lossy(&got)
                ))
            }
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => {
                return Err(format!(
                    "{e} before {marker:?}; got {:?}",
                    String::from_utf8_lossy(&got)
                ))
            }
        }
    }
    Ok(String::from_utf8_lossy(&got).into_owned())
}

/// Writes `data` and flushes it to the socket.
pub fn write_all(stream: &mut ClientStream, data: &[u8]) {
    stream.write_all(data).unwrap();
    stream.flush().unwrap();
}

/// What a [`serve_one`] server saw.
#[derive(Debug)]
pub struct Served {
    pub negotiated: Negotiated,
    /// Every plaintext byte received.
    pub received: Vec<u8>,
    /// The error that ended the connection, if any.
    pub error: Option<Error>,
    /// Whether a client connected at all.
    pub accepted: bool,
}

/// Listens on 127.0.0.1 and serves one connection with `config` on a thread:
/// every line received is answered with `echo: <line>`. The thread gives up
/// if nobody connects within [`PEER_WAIT`] (a client that failed to start
/// must not hang the test).
pub fn serve_one(config: ServerConfig) -> (u16, JoinHandle<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Arc::new(config);
    let handle = std::thread::spawn(move || {
        let mut served = Served {
            negotiated: Negotiated::default(),
            received: Vec::new(),
            error: None,
            accepted: false,
        };
        let Some(sock) = accept_within(&listener, PEER_WAIT) else {
            return served;
        };
        served.accepted = true;
        serve(config, sock, &mut served);
        served
    });
    (port, handle)
}

fn accept_within(listener: &TcpListener, wait: Duration) -> Option<TcpStream> {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + wait;
    loop {
        match listener.accept() {
            Ok((sock, _)) => {
                sock.set_nonblocking(false).unwrap();
                return Some(sock);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return None,
        }
    }
}

fn serve(config: Arc<ServerConfig>, mut sock: TcpStream, served: &mut Served) {
    sock.set_read_timeout(Some(PEER_WAIT)).unwrap();
    let mut conn = ServerConnection::new(config).unwrap();
    let mut buf = vec![0u8; 1 << 16];
    'conn: loop {
        while conn.wants_write() {
            if conn.write_tls(&mut sock).is_err() {
                break 'conn;
            }
        }
        if served.error.is_some() || conn.sent_close_notify() {
            break;
        }
        let n = match sock.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        conn.feed_tls(&buf[..n]);
        if let Err(e) = conn.process_new_packets() {
            served.error = Some(e);
            continue;
        }
        loop {
            match conn.read_plaintext(&mut buf) {
                Ok(0) => {
                    conn.send_close_notify();
                    break;
                }
                Ok(n) => {
                    let start = served.received.len();
                    served.received.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&served.received[start..]).into_owned();
                    for line in text.lines() {
                        conn.write_plaintext(format!("echo: {line}\n").as_bytes())
                            .unwrap();
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => {
                    served.error = conn.error().cloned();
                    break;
                }
            }
        }
    }
    served.negotiated = conn.negotiated().clone();
    if served.error.is_none() {
        served.error = conn.error().cloned();
    }
}
