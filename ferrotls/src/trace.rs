//! Watching a connection: every handshake message sent and received, with
//! its direction and the keys protecting it, key changes, alerts; and the
//! NSS key log for packet-capture tools.
//!
//! The library never prints: the CLI draws its flow diagrams from an
//! [`Observer`], and `--keylog` is a [`KeyLog`].

use std::fmt;
use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

use crate::msgs::alert::Alert;
use crate::msgs::handshake::HandshakeMessage;

/// Which way a message went, seen from this endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Sent,
    Received,
}

/// Which keys protect records, per direction (RFC 8446 §2: `{}` handshake
/// keys, `[]` application keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// No record protection yet.
    Plaintext,
    /// 0-RTT keys (`client_early_traffic_secret`).
    EarlyData,
    /// `[sender]_handshake_traffic_secret` keys (TLS 1.3).
    Handshake,
    /// Application traffic keys (TLS 1.3), or the TLS 1.2 keys after
    /// ChangeCipherSpec.
    Application,
}

impl fmt::Display for Protection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plaintext => "plaintext",
            Self::EarlyData => "early data keys",
            Self::Handshake => "handshake keys",
            Self::Application => "application keys",
        })
    }
}

/// Receives the events of a connection. Every method has an empty default.
pub trait Observer: Send + Sync {
    /// A handshake message was sent or received (after decoding).
    fn message(&self, _dir: Direction, _protection: Protection, _msg: &HandshakeMessage) {}

    /// A ChangeCipherSpec record was sent or received.
    fn change_cipher_spec(&self, _dir: Direction) {}

    /// An alert was sent or received.
    fn alert(&self, _dir: Direction, _alert: &Alert) {}

    /// Records in direction `dir` are now protected by `protection`.
    fn keys_changed(&self, _dir: Direction, _protection: Protection) {}

    /// The handshake state machine moved to the named state.
    fn state(&self, _name: &'static str) {}
}

/// Receives secrets in the NSS key log format, for tools such as Wireshark
/// that decrypt captured traffic.
pub trait KeyLog: Send + Sync {
    /// `label` is an NSS label (`CLIENT_HANDSHAKE_TRAFFIC_SECRET`,
    /// `CLIENT_RANDOM` for the TLS 1.2 master secret, ...).
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]);
}

/// Appends NSS key log lines to a file (the `SSLKEYLOGFILE` format:
/// `LABEL <client_random hex> <secret hex>`).
pub struct KeyLogFile {
    file: Mutex<std::fs::File>,
}

impl KeyLogFile {
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Self {
            file: Mutex::new(file),
        })
    }

    /// The file named by the `SSLKEYLOGFILE` environment variable, if set.
    pub fn from_env() -> Option<Self> {
        let path = std::env::var_os("SSLKEYLOGFILE")?;
        Self::create(Path::new(&path)).ok()
    }
}

impl fmt::Debug for KeyLogFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyLogFile")
    }
}

/// One key log line.
pub fn keylog_line(label: &str, client_random: &[u8], secret: &[u8]) -> String {
    let mut line =
        String::with_capacity(label.len() + 2 * (client_random.len() + secret.len()) + 3);
    line.push_str(label);
    line.push(' ');
    for b in client_random {
        line.push_str(&format!("{b:02x}"));
    }
    line.push(' ');
    for b in secret {
        line.push_str(&format!("{b:02x}"));
    }
    line.push('\n');
    line
}

impl KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        // A key log is a debugging aid: a failed write must not fail the
        // connection.
        if let Ok(mut f) = self.file.lock() {
            let _ = f.write_all(keylog_line(label, client_random, secret).as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keylog_lines_are_nss_format() {
        assert_eq!(
            keylog_line("CLIENT_RANDOM", &[0xab, 1], &[0xcd]),
            "CLIENT_RANDOM ab01 cd\n"
        );
    }

    #[test]
    fn keylog_file_appends() {
        let dir = std::env::temp_dir().join(format!("ferrotls-keylog-{}", std::process::id()));
        let log = KeyLogFile::create(&dir).unwrap();
        log.log("SERVER_TRAFFIC_SECRET_0", &[1], &[2]);
        log.log("CLIENT_TRAFFIC_SECRET_0", &[1], &[3]);
        let text = std::fs::read_to_string(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(
            text,
            "SERVER_TRAFFIC_SECRET_0 01 02\nCLIENT_TRAFFIC_SECRET_0 01 03\n"
        );
    }
}
