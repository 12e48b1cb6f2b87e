//! OpenSSL `s_server` / `s_client` (3.0) on loopback, and parsers for what they print.

use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::time::Duration;

use super::process::{ClientCommand, ClientRun, PeerProcess};
use super::{free_port, SPAWN_ATTEMPTS, STARTUP_TIMEOUT};
use crate::pki::{IdentityFiles, SERVER_NAME};

/// A running `openssl s_server -accept 127.0.0.1:PORT ...`.
///
/// Its stdin is held open through a pipe: `s_server` exits at stdin EOF, and the test can
/// type commands (`k`/`K` KeyUpdate, `c` post-handshake auth) or data with
/// [`PeerProcess::send_line`] (through `Deref`). Killed on drop.
pub struct OpensslServer {
    process: PeerProcess,
    port: u16,
}

impl OpensslServer {
    /// Starts `s_server` on a free port with `args` and waits (bounded) for `ACCEPT`;
    /// retries on a new port if the bind fails. Panics with the log if it never starts.
    pub fn spawn<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> OpensslServer {
        let mut last_log = String::new();
        for _ in 0..SPAWN_ATTEMPTS {
            let port = free_port();
            let accept = format!("127.0.0.1:{port}");
            let full = ["s_server".as_ref(), "-accept".as_ref(), accept.as_ref()]
                .into_iter()
                .chain(args.iter().map(|a| a.as_ref()));
            let mut process = PeerProcess::spawn("openssl", full);
            if process.wait_for("ACCEPT", STARTUP_TIMEOUT) {
                return OpensslServer { process, port };
            }
            process.kill();
            last_log = process.output();
            if !last_log.contains("Address already in use") {
                break;
            }
        }
        panic!("openssl s_server did not start\n--- output ---\n{last_log}");
    }

    /// The port it listens on (127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }
}

impl Deref for OpensslServer {
    type Target = PeerProcess;
    fn deref(&self) -> &PeerProcess {
        &self.process
    }
}

impl DerefMut for OpensslServer {
    fn deref_mut(&mut self) -> &mut PeerProcess {
        &mut self.process
    }
}

/// `openssl s_client -connect 127.0.0.1:PORT ...`.
pub struct OpensslClient;

impl OpensslClient {
    /// A client command for `port`; add arguments and a stdin script, then `.run()`.
    pub fn builder(port: u16) -> ClientCommand {
        ClientCommand::new(
            "openssl",
            vec![
                "s_client".into(),
                "-connect".into(),
                format!("127.0.0.1:{port}").into(),
            ],
            Vec::new(),
        )
    }

    /// Runs `s_client` with `args`, types `stdin`, keeps the connection open briefly (to
    /// receive what the server sends after the handshake, e.g. tickets), then closes stdin.
    /// Killed if it runs past `timeout`.
    pub fn run<S: AsRef<std::ffi::OsStr>>(
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

/// `-servername localhost -verify_hostname localhost -CAfile CA -verify_return_error`:
/// verify the server's chain against `ca` and its name, and fail the handshake otherwise.
pub fn client_verify_args(ca: &Path) -> Vec<OsString> {
    vec![
        "-servername".into(),
        SERVER_NAME.into(),
        "-verify_hostname".into(),
        SERVER_NAME.into(),
        "-CAfile".into(),
        ca.into(),
        "-verify_return_error".into(),
    ]
}

/// `-cert LEAF -key KEY -cert_chain ISSUER`: serve (or present, for s_client) the leaf and
/// its CA.
pub fn server_identity_args(files: &IdentityFiles) -> Vec<OsString> {
    vec![
        "-cert".into(),
        files.cert.clone().into(),
        "-key".into(),
        files.key.clone().into(),
        "-cert_chain".into(),
        files.issuer.clone().into(),
    ]
}

/// The session summary line `New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384`
/// (or `Reused, ...`) printed by `s_client` after the handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// `Reused` rather than `New`.
    pub reused: bool,
    /// `TLSv1.3`, `TLSv1.2`.
    pub version: String,
    /// OpenSSL's cipher name: IANA-style for TLS 1.3, OpenSSL-style for TLS 1.2
    /// (`ECDHE-ECDSA-AES128-GCM-SHA256`).
    pub cipher: String,
}

/// Parses the first session summary line of `s_client` output.
pub fn session(output: &str) -> Option<Session> {
    output.lines().find_map(|line| {
        let (kind, rest) = line.split_once(", ")?;
        let reused = match kind {
            "New" => false,
            "Reused" => true,
            _ => return None,
        };
        let (version, cipher) = rest.split_once(", Cipher is ")?;
        Some(Session {
            reused,
            version: version.to_owned(),
            cipher: cipher.trim().to_owned(),
        })
    })
}

/// The value of the first `Label: value` line, e.g. `Server Temp Key` (`X25519, 253 bits`),
/// `Peer signature type` (`ECDSA`), and with `-brief`: `Protocol version`, `Ciphersuite`.
pub fn field(output: &str, label: &str) -> Option<String> {
    output.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix(label)?.strip_prefix(':')?;
        Some(rest.trim().to_owned())
    })
}

/// The number in `Verify return code: N (text)`.
pub fn verify_return_code(output: &str) -> Option<i64> {
    let value = field(output, "Verify return code")?;
    value.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "CONNECTED(00000003)\n---\nPeer signature type: ECDSA\nServer Temp Key: X25519, 253 bits\n---\nNew, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384\nServer public key is 256 bit\n    Verify return code: 0 (ok)\n";

    #[test]
    fn parses_markers() {
        assert_eq!(
            session(SAMPLE),
            Some(Session {
                reused: false,
                version: "TLSv1.3".into(),
                cipher: "TLS_AES_256_GCM_SHA384".into()
            })
        );
        assert_eq!(
            session("Reused, TLSv1.2, Cipher is ECDHE-RSA-CHACHA20-POLY1305\n").map(|s| s.reused),
            Some(true)
        );
        assert_eq!(
            field(SAMPLE, "Server Temp Key").as_deref(),
            Some("X25519, 253 bits")
        );
        assert_eq!(
            field(SAMPLE, "Peer signature type").as_deref(),
            Some("ECDSA")
        );
        assert_eq!(verify_return_code(SAMPLE), Some(0));
        assert_eq!(session("no summary"), None);
    }
}
