//! `ferrotls demo`: a server and a client in one process on loopback, with
//! a freshly generated chain. Runs a TLS 1.3 handshake, one forced through
//! HelloRetryRequest, a TLS 1.2 full handshake and a TLS 1.2 session-ID
//! resumption, and draws each as a flow diagram.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrotls::auth::ServerCertVerifier;
use ferrotls::client::ClientConnection;
use ferrotls::config::{ClientConfig, Hooks, ServerConfig};
use ferrotls::msgs::enums::{NamedGroup, ProtocolVersion};
use ferrotls::server::ServerConnection;
use ferrotls::stream::Stream;
use ferrotls::trace::Observer;
use rustls_pki_types::ServerName;

use crate::certs::{self, Generated};
use crate::flow::{self, Recorder};
use crate::summary;

const MESSAGE: &[u8] = b"hello from the ferrotls demo\n";

/// One scenario: a title and how it shapes the two configurations.
struct Scenario {
    title: &'static str,
    explain: &'static str,
    server_groups: Option<Vec<NamedGroup>>,
    /// Both sides limited to these versions (`None`: the defaults).
    versions: Option<Vec<ProtocolVersion>>,
    /// The server issues TLS 1.2 session tickets.
    tickets: bool,
    /// Connect once first (not drawn) so the drawn connection resumes the
    /// session it saved.
    resume: bool,
}

impl Scenario {
    const DEFAULT: Scenario = Scenario {
        title: "",
        explain: "",
        server_groups: None,
        versions: None,
        tickets: true,
        resume: false,
    };
}

/// What a run showed.
pub struct Outcome {
    pub diagram: String,
    pub summary: String,
    pub elapsed: Duration,
    pub echoed: Vec<u8>,
}

/// Serves `connections` connections one after the other, each echoing one
/// read; they share `config`, and with it the session cache.
fn server_thread(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    connections: usize,
) -> std::thread::JoinHandle<Result<(), String>> {
    std::thread::spawn(move || {
        for _ in 0..connections {
            let (sock, _) = listener.accept().map_err(|e| e.to_string())?;
            let conn = ServerConnection::new(Arc::clone(&config)).map_err(|e| e.to_string())?;
            let mut tls = Stream::new(conn, sock);
            let mut buf = [0u8; 256];
            let n = tls
                .read(&mut buf)
                .map_err(|e| format!("server read: {e}"))?;
            tls.write_all(buf.get(..n).unwrap_or_default())
                .map_err(|e| format!("server write: {e}"))?;
            tls.close().map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// One client connection: handshake, echo, close. Returns how long the
/// handshake took, how many events it recorded, the echo and the summary.
fn connect(
    config: &Arc<ClientConfig>,
    addr: std::net::SocketAddr,
    recorder: &Recorder,
) -> Result<(Duration, usize, Vec<u8>, String), String> {
    let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let conn = ClientConnection::new(Arc::clone(config), name).map_err(|e| e.to_string())?;
    let sock = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut tls = Stream::new(conn, sock);
    tls.handshake()
        .map_err(|e| format!("client handshake: {e}"))?;
    let elapsed = start.elapsed();
    let handshake_events = recorder.events().len();
    tls.write_all(MESSAGE).map_err(|e| e.to_string())?;
    let mut echoed = vec![0u8; MESSAGE.len()];
    tls.read_exact(&mut echoed)
        .map_err(|e| format!("client read: {e}"))?;
    tls.close().map_err(|e| e.to_string())?;
    Ok((
        elapsed,
        handshake_events,
        echoed,
        summary::line(tls.conn.negotiated()),
    ))
}

fn run_one(certs: &Generated, scenario: &Scenario) -> Result<Outcome, String> {
    let mut server_config = ServerConfig::new(certs.resolver()?);
    if let Some(groups) = &scenario.server_groups {
        server_config.policy.groups = groups.clone();
    }
    if let Some(versions) = &scenario.versions {
        server_config.policy.versions = versions.clone();
    }
    if !scenario.tickets {
        // Without tickets a TLS 1.2 server resumes by session ID (RFC 5246 §7.3).
        server_config.ticket_keys = None;
    }
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let connections = if scenario.resume { 2 } else { 1 };
    let server = server_thread(listener, Arc::new(server_config), connections);

    let recorder = Arc::new(Recorder::default());
    let mut client_config = ClientConfig::new(Arc::new(ServerCertVerifier::new(certs.roots()?)));
    if let Some(versions) = &scenario.versions {
        client_config.policy.versions = versions.clone();
    }
    client_config.hooks = Hooks {
        observer: Some(Arc::clone(&recorder) as Arc<dyn Observer>),
        ..Hooks::default()
    };
    // The same config for both connections: its session store keeps what
    // the first one saved and offers it in the second ClientHello.
    let client_config = Arc::new(client_config);
    if scenario.resume {
        connect(&client_config, addr, &recorder)?;
        recorder.clear();
    }
    let (elapsed, handshake_events, echoed, summary) = connect(&client_config, addr, &recorder)?;
    server
        .join()
        .map_err(|_| "server thread panicked".to_string())??;
    let events = recorder.events();
    let (handshake, closing) = events.split_at(handshake_events.min(events.len()));
    Ok(Outcome {
        diagram: flow::render(handshake, echoed == MESSAGE, closing, recorder.tls12()),
        summary,
        elapsed,
        echoed,
    })
}

/// Runs every scenario; returns the text to print.
pub fn demo_text() -> Result<String, String> {
    let certs = certs::generate()?;
    let scenarios = [
        Scenario {
            title: "TLS 1.3 full handshake",
            explain: "The client sends its key share in the first flight; one round trip later both sides have keys.",
            ..Scenario::DEFAULT
        },
        Scenario {
            title: "TLS 1.3 handshake with HelloRetryRequest",
            explain: "This server accepts only secp256r1, the client guessed x25519: the server asks for a new ClientHello (RFC 8446 §4.1.4).",
            server_groups: Some(vec![NamedGroup::Secp256r1]),
            ..Scenario::DEFAULT
        },
        Scenario {
            title: "TLS 1.2 full handshake",
            explain: "Both sides speak TLS 1.2 only: two round trips, ECDHE parameters signed in ServerKeyExchange, keys switched on by ChangeCipherSpec (RFC 5246 §7.3).",
            versions: Some(vec![ProtocolVersion::TLSv1_2]),
            ..Scenario::DEFAULT
        },
        Scenario {
            title: "TLS 1.2 session-ID resumption",
            explain: "A server without tickets keeps the first connection's session in its cache; the client offers its session ID again and the server, accepting, sends ChangeCipherSpec and Finished first (RFC 5246 §7.3, abbreviated handshake).",
            versions: Some(vec![ProtocolVersion::TLSv1_2]),
            tickets: false,
            resume: true,
            ..Scenario::DEFAULT
        },
    ];
    let mut out = String::new();
    for s in &scenarios {
        let outcome = run_one(&certs, s)?;
        out.push_str(&format!(
            "== {} ==\n{}\n\n{}\n{}\n    handshake took {:.2} ms; {} bytes echoed back intact\n\n",
            s.title,
            s.explain,
            outcome.diagram,
            outcome.summary,
            outcome.elapsed.as_secs_f64() * 1000.0,
            outcome.echoed.len(),
        ));
    }
    Ok(out)
}

pub fn run() -> Result<(), String> {
    print!("{}", demo_text()?);
    Ok(())
}
