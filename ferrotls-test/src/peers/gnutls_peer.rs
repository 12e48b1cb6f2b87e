//! GnuTLS `gnutls-serv` / `gnutls-cli` (3.7) on loopback, and parsers for what they print.

use std::ffi::{OsStr, OsString};
use std::net::{Ipv4Addr, SocketAddr};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::time::Duration;

use super::process::{ClientCommand, ClientRun, PeerProcess};
use super::{free_port, SPAWN_ATTEMPTS, STARTUP_TIMEOUT};
use crate::pki::{IdentityFiles, SERVER_NAME};

/// Priority string: TLS 1.3 only.
pub const TLS13: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
/// Priority string: TLS 1.2 only.
pub const TLS12: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

/// A running `gnutls-serv --echo -p PORT ...` (echoes every line back). Killed on drop.
///
/// gnutls-serv has no bind-address option: it listens on 0.0.0.0 and :: of the port.
/// When the IPv4 bind fails it keeps running on IPv6 alone, so readiness is its own
/// `listening on IPv4 0.0.0.0 port N...done` line rather than a probe connection (which
/// could reach whoever holds the port, and would show in the server log as a failed
/// handshake).
pub struct GnutlsServer {
    process: PeerProcess,
    port: u16,
}

impl GnutlsServer {
    /// Starts `gnutls-serv --echo` on a free port with `args`, waits (bounded) until it
    /// listens on IPv4; retries on a new port if the bind fails.
    pub fn spawn<S: AsRef<OsStr>>(args: &[S]) -> GnutlsServer {
        let mut last_log = String::new();
        for _ in 0..SPAWN_ATTEMPTS {
            let port = free_port();
            let port_arg = port.to_string();
            let full = ["--echo".as_ref(), "-p".as_ref(), port_arg.as_ref()]
                .into_iter()
                .chain(args.iter().map(|a| a.as_ref()));
            let mut process = PeerProcess::spawn("gnutls-serv", full);
            let ready = format!("listening on IPv4 0.0.0.0 port {port}...done");
            let bind_failed = format!("listening on IPv4 0.0.0.0 port {port}...bind() failed");
            let deadline = std::time::Instant::now() + STARTUP_TIMEOUT;
            // Either line ends the IPv4 attempt; wait for whichever comes.
            while std::time::Instant::now() < deadline
                && process.try_status().is_none()
                && !process.contains(&ready)
                && !process.contains(&bind_failed)
            {
                std::thread::sleep(super::POLL);
            }
            if process.contains(&ready) {
                return GnutlsServer { process, port };
            }
            process.kill();
            last_log = process.output();
            if !last_log.contains("bind() failed") {
                break;
            }
        }
        panic!("gnutls-serv did not start\n--- output ---\n{last_log}");
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:port` (the address clients should use).
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }
}

impl Deref for GnutlsServer {
    type Target = PeerProcess;
    fn deref(&self) -> &PeerProcess {
        &self.process
    }
}

impl DerefMut for GnutlsServer {
    fn deref_mut(&mut self) -> &mut PeerProcess {
        &mut self.process
    }
}

/// `gnutls-cli -p PORT ... 127.0.0.1`.
pub struct GnutlsClient;

impl GnutlsClient {
    /// A client command for `port` (the host `127.0.0.1` stays last); add arguments and a
    /// stdin script, then `.run()`.
    pub fn builder(port: u16) -> ClientCommand {
        ClientCommand::new(
            "gnutls-cli",
            vec!["-p".into(), port.to_string().into()],
            vec!["127.0.0.1".into()],
        )
    }

    /// Runs `gnutls-cli` with `args`, types `stdin`, keeps the connection open briefly,
    /// then closes stdin. Killed if it runs past `timeout`.
    pub fn run<S: AsRef<OsStr>>(
        port: u16,
        args: &[S],
        stdin: &[u8],
        timeout: Duration,
    ) -> ClientRun {
        Self::builder(port)
            .args(args)
            .send(stdin)
            .pause(Duration::from_millis(500))
            .timeout(timeout)
            .run()
    }
}

/// `--x509cafile CA --sni-hostname localhost --verify-hostname localhost`
/// (gnutls-cli aborts the handshake when verification fails).
pub fn client_verify_args(ca: &Path) -> Vec<OsString> {
    vec![
        "--x509cafile".into(),
        ca.into(),
        "--sni-hostname".into(),
        SERVER_NAME.into(),
        "--verify-hostname".into(),
        SERVER_NAME.into(),
    ]
}

/// `--x509certfile CHAIN --x509keyfile KEY`: serve (or present) the leaf and its CA.
pub fn server_identity_args(files: &IdentityFiles) -> Vec<OsString> {
    vec![
        "--x509certfile".into(),
        files.chain.clone().into(),
        "--x509keyfile".into(),
        files.key.clone().into(),
    ]
}

/// GnuTLS's session description,
/// `- Description: (TLS1.3-X.509)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    /// `TLS1.3`, `TLS1.2`.
    pub version: String,
    /// Key exchange, e.g. `ECDHE-SECP256R1`, `ECDHE-X25519`.
    pub kx: String,
    /// Signature, e.g. `ECDSA-SECP256R1-SHA256`, `RSA-PSS-RSAE-SHA256`, `EdDSA-Ed25519`.
    pub sig: String,
    /// Cipher, e.g. `AES-256-GCM`, `CHACHA20-POLY1305`.
    pub cipher: String,
    /// Every parenthesised part, in order (a MAC part follows the cipher for non-AEAD suites).
    pub parts: Vec<String>,
}

/// Parses the first `- Description:` line (printed by both gnutls-cli and gnutls-serv).
pub fn description(output: &str) -> Option<Description> {
    output.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("- Description: (")?;
        let rest = rest.trim_end().strip_suffix(')')?;
        let parts: Vec<String> = rest.split(")-(").map(str::to_owned).collect();
        let version = parts.first()?.split('-').next()?.to_owned();
        Some(Description {
            version,
            kx: parts.get(1)?.clone(),
            sig: parts.get(2)?.clone(),
            cipher: parts.get(3)?.clone(),
            parts,
        })
    })
}

/// `- Handshake was completed` (gnutls-cli).
pub fn handshake_completed(output: &str) -> bool {
    output.contains("- Handshake was completed")
}

/// `*** This is a resumed session` (gnutls-cli `-r`).
pub fn resumed(output: &str) -> bool {
    output.contains("*** This is a resumed session")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_description() {
        let out = "- Status: The certificate is trusted. \n- Description: (TLS1.3-X.509)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)\n- Handshake was completed\n";
        let d = description(out).unwrap();
        assert_eq!(d.version, "TLS1.3");
        assert_eq!(d.kx, "ECDHE-SECP256R1");
        assert_eq!(d.sig, "ECDSA-SECP256R1-SHA256");
        assert_eq!(d.cipher, "AES-256-GCM");
        assert!(handshake_completed(out));
        assert!(!resumed(out));
        let d12 = description(
            "- Description: (TLS1.2-X.509)-(ECDHE-SECP256R1)-(RSA-SHA256)-(AES-128-CBC)-(SHA1)",
        )
        .unwrap();
        assert_eq!(d12.parts.len(), 5);
        assert_eq!(description("- Description: (broken"), None);
    }
}
