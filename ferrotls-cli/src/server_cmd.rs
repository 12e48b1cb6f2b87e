//! `ferrotls server --listen ADDR`: accept connections, handshake, echo
//! every byte back until the peer closes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use ferrotls::auth::{ClientCertVerifier, RootStore};
use ferrotls::config::ServerConfig;
use ferrotls::server::ServerConnection;
use ferrotls::stream::Stream;

use crate::certs;
use crate::opts::PolicyArgs;
use crate::summary;

#[derive(Args, Debug)]
pub struct ServerArgs {
    /// Address to listen on, e.g. 127.0.0.1:4433.
    #[arg(long, value_name = "ADDR")]
    pub listen: String,
    /// Certificate chain (PEM, end-entity first). Without it a throw-away
    /// chain for localhost is generated.
    #[arg(long, value_name = "CHAIN.pem", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Private key of the chain (PEM: PKCS#8, SEC1 or PKCS#1).
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Ask clients for a certificate and verify it against the CA
    /// certificates in FILE (PEM).
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,
    /// With --client-ca: refuse clients without a certificate
    /// (certificate_required in TLS 1.3).
    #[arg(long, requires = "client_ca")]
    pub require_client_cert: bool,
    /// Issue no TLS 1.2 session tickets (RFC 5077): clients then resume by
    /// session ID, from the cache shared by every connection of this process.
    #[arg(long)]
    pub no_tickets: bool,
    /// Exit after the first connection.
    #[arg(long)]
    pub once: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

fn config(args: &ServerArgs) -> Result<ServerConfig, String> {
    let resolver = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => {
            let read = |p: &PathBuf| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
            certs::resolver_from_pem(&read(cert)?, &read(key)?)?
        }
        _ => {
            let generated = certs::generate()?;
            let path = std::env::temp_dir().join(format!("ferrotls-ca-{}.pem", std::process::id()));
            std::fs::write(&path, &generated.ca_pem)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
            eprintln!(
                "no --cert given: serving a throw-away chain for localhost; its CA certificate is in {}",
                path.display()
            );
            generated.resolver()?
        }
    };
    let mut config = ServerConfig::new(resolver);
    if let Some(path) = &args.client_ca {
        let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let roots = RootStore::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
        let verifier =
            ClientCertVerifier::new(Arc::new(roots)).allow_anonymous(!args.require_client_cert);
        config.client_verifier = Some(Arc::new(verifier));
    }
    config.policy = args.policy.policy()?;
    config.hooks = args.policy.hooks()?;
    if args.no_tickets {
        config.ticket_keys = None;
    }
    Ok(config)
}

/// Serves one connection: handshake, summary line, echo until close.
fn serve(config: Arc<ServerConfig>, sock: TcpStream) -> Result<(), String> {
    let conn = ServerConnection::new(config).map_err(|e| e.to_string())?;
    let mut tls = Stream::new(conn, sock);
    tls.handshake().map_err(|e| format!("handshake: {e}"))?;
    summary::print(tls.conn.negotiated());
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => tls
                .write_all(buf.get(..n).unwrap_or_default())
                .map_err(|e| format!("echo: {e}"))?,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    tls.close().map_err(|e| e.to_string())
}

pub fn run(args: &ServerArgs) -> Result<(), String> {
    // One `Arc<ServerConfig>` for all connections, so they share the
    // session-ID cache and the ticket keys: a client may resume on any of them.
    let config = Arc::new(config(args)?);
    let listener = TcpListener::bind(&args.listen)
        .map_err(|e| format!("listening on {}: {e}", args.listen))?;
    eprintln!(
        "listening on {}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    for sock in listener.incoming() {
        let sock = sock.map_err(|e| e.to_string())?;
        if args.once {
            return serve(config, sock);
        }
        let config = Arc::clone(&config);
        std::thread::spawn(move || {
            if let Err(e) = serve(config, sock) {
                eprintln!("error: {e}");
            }
        });
    }
    Ok(())
}
