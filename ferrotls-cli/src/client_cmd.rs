//! `ferrotls client HOST:PORT`: connect, handshake, copy stdin to the
//! connection and the server's data to stdout.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use ferrotls::auth::{CertifiedKey, ClientCertChooser, RootStore, ServerCertVerifier};
use ferrotls::client::ClientConnection;
use ferrotls::config::ClientConfig;
use ferrotls::stream::Stream;
use rustls_pki_types::ServerName;

use crate::opts::PolicyArgs;
use crate::summary;

/// After stdin ends, how long to wait for more data from the server.
const LINGER: Duration = Duration::from_secs(1);

#[derive(Args, Debug)]
pub struct ClientArgs {
    /// Server address, e.g. localhost:4433 or 127.0.0.1:4433.
    pub addr: String,
    /// Trust only the CA certificates in FILE (PEM).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Without --ca: the roots to trust, `system` or `mozilla`.
    #[arg(long, default_value = "system", value_name = "SOURCE")]
    pub roots: String,
    /// Name to send in SNI and to check the certificate against (default:
    /// the host part of ADDR).
    #[arg(long, value_name = "NAME")]
    pub server_name: Option<String>,
    /// Certificate chain (PEM) to present when the server asks for one.
    #[arg(long, value_name = "CHAIN.pem", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Private key of --cert (PEM).
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    pub key: Option<PathBuf>,
    /// After the first connection closes, connect N more times with the
    /// same configuration, offering the session saved from the previous
    /// one (TLS 1.2 session ID or ticket). stdin is then read to its end
    /// before the first connection, and the same bytes are sent on every
    /// connection.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub reconnect: u32,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

fn roots(args: &ClientArgs) -> Result<RootStore, String> {
    if let Some(path) = &args.ca {
        let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        return RootStore::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()));
    }
    match args.roots.as_str() {
        "mozilla" => Ok(RootStore::mozilla()),
        "system" => RootStore::native()
            .map(|(roots, _skipped)| roots)
            .map_err(|e| format!("system roots: {e}")),
        other => Err(format!("unknown root source {other:?} (system or mozilla)")),
    }
}

fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    host.trim_start_matches('[').trim_end_matches(']')
}

fn config(args: &ClientArgs) -> Result<ClientConfig, String> {
    let mut config = ClientConfig::new(Arc::new(ServerCertVerifier::new(Arc::new(roots(args)?))));
    config.policy = args.policy.policy()?;
    config.hooks = args.policy.hooks()?;
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        let identity = CertifiedKey::from_pem_files(cert, key)
            .map_err(|e| format!("client certificate: {e}"))?;
        config.client_auth = Some(Arc::new(ClientCertChooser::new(vec![Arc::new(identity)])));
    }
    Ok(config)
}

pub fn run(args: &ClientArgs) -> Result<(), String> {
    // One `Arc<ClientConfig>` for every connection: its session store
    // (`ClientConfig.sessions`) carries what one connection saved to the next.
    let config = Arc::new(config(args)?);
    let name = args
        .server_name
        .clone()
        .unwrap_or_else(|| host_of(&args.addr).to_string());
    let server_name =
        ServerName::try_from(name.clone()).map_err(|_| format!("invalid server name {name:?}"))?;
    if args.reconnect == 0 {
        return connect_once(args, &config, &server_name, stdin_reader());
    }
    // stdin can be read only once: keep all of it and replay it on each connection.
    let mut input = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut input)
        .map_err(|e| format!("reading stdin: {e}"))?;
    for _ in 0..=args.reconnect {
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        if !input.is_empty() {
            tx.send(input.clone()).map_err(|e| e.to_string())?;
        }
        // Dropping the sender tells the loop that the input has ended.
        drop(tx);
        connect_once(args, &config, &server_name, rx)?;
    }
    Ok(())
}

/// stdin, read on its own thread and handed over in chunks.
fn stdin_reader() -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n) = stdin.read(&mut buf) {
            if n == 0 || tx.send(buf.get(..n).unwrap_or_default().to_vec()).is_err() {
                break;
            }
        }
    });
    rx
}

/// One connection: handshake, summary line, then `input` to the server and
/// the server's data to stdout until the server closes, or `LINGER` after
/// the input ends.
fn connect_once(
    args: &ClientArgs,
    config: &Arc<ClientConfig>,
    server_name: &ServerName<'static>,
    input: mpsc::Receiver<Vec<u8>>,
) -> Result<(), String> {
    let conn = ClientConnection::new(Arc::clone(config), server_name.clone())
        .map_err(|e| e.to_string())?;
    let sock =
        TcpStream::connect(&args.addr).map_err(|e| format!("connecting to {}: {e}", args.addr))?;
    let mut tls = Stream::new(conn, sock);
    tls.handshake().map_err(|e| format!("handshake: {e}"))?;
    summary::print(tls.conn.negotiated());

    tls.sock
        .set_read_timeout(Some(Duration::from_millis(20)))
        .map_err(|e| e.to_string())?;
    let mut stdout = io::stdout().lock();
    let mut stdin_done = false;
    let mut last_activity = Instant::now();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        loop {
            match input.try_recv() {
                Ok(data) => {
                    tls.write_all(&data).map_err(|e| format!("sending: {e}"))?;
                    last_activity = Instant::now();
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    if !stdin_done {
                        stdin_done = true;
                        last_activity = Instant::now();
                    }
                    break;
                }
            }
        }
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                stdout
                    .write_all(buf.get(..n).unwrap_or_default())
                    .map_err(|e| e.to_string())?;
                stdout.flush().map_err(|e| e.to_string())?;
                last_activity = Instant::now();
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e.to_string()),
        }
        if stdin_done && last_activity.elapsed() >= LINGER {
            break;
        }
    }
    tls.close().map_err(|e| format!("closing: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_part_of_addresses() {
        assert_eq!(host_of("localhost:4433"), "localhost");
        assert_eq!(host_of("127.0.0.1:443"), "127.0.0.1");
        assert_eq!(host_of("[::1]:443"), "::1");
    }
}
