//! Loopback peer spawners for interop tests: OpenSSL `s_server`/`s_client` and GnuTLS
//! `gnutls-serv`/`gnutls-cli`, on 127.0.0.1 only.
//!
//! Every child is killed on drop, every wait is bounded, and everything a peer prints
//! (stdout and stderr) is captured for assertions. The commands and the output markers
//! that prove success are those of `/work/shared/peers/README.md`.
//!
//! ```no_run
//! use ferrotls_test::peers::{self, openssl, OpensslClient, OpensslServer};
//! use ferrotls_test::pki::{KeyType, Pki};
//! if !peers::require_tool("openssl") { return; }
//! let files = Pki::get().write_pem_files();
//! let server = OpensslServer::spawn(&openssl::server_identity_args(files.server(KeyType::EcdsaP256)));
//! let run = OpensslClient::builder(server.port())
//!     .args(openssl::client_verify_args(&files.ca_bundle))
//!     .arg("-tls1_3")
//!     .send(b"hello\n")
//!     .run();
//! assert_eq!(openssl::session(&run.output()).unwrap().version, "TLSv1.3");
//! ```

mod gnutls_peer;
mod openssl_peer;
mod port;
mod process;

pub use gnutls_peer::{GnutlsClient, GnutlsServer};
pub use openssl_peer::{OpensslClient, OpensslServer};
pub use port::free_port;
pub use process::{ClientCommand, ClientRun, PeerProcess, Step};

/// Parsers for the markers OpenSSL prints.
pub mod openssl {
    pub use super::openssl_peer::{
        client_verify_args, field, server_identity_args, session, verify_return_code, Session,
    };
}

/// Parsers for the markers GnuTLS prints.
pub mod gnutls {
    pub use super::gnutls_peer::{
        client_verify_args, description, handshake_completed, resumed, server_identity_args,
        Description, TLS12, TLS13,
    };
}

use std::time::Duration;

/// How long a server may take to start listening.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// Default bound on a whole client run.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often waits poll.
pub(crate) const POLL: Duration = Duration::from_millis(10);
/// How many times a server spawn is retried on a new port (another process may grab
/// the port between [`free_port`] and the server's own bind).
pub(crate) const SPAWN_ATTEMPTS: usize = 5;

/// Whether the program `name` is on `PATH`.
///
/// When it is not: if the `CI` environment variable is set (and not `false`/`0`) this
/// panics, because interop tests must fail rather than silently skip in CI; otherwise it
/// prints a notice and returns `false` so the test can return early.
pub fn require_tool(name: &str) -> bool {
    if find_on_path(name).is_some() {
        return true;
    }
    let in_ci = std::env::var("CI")
        .map(|v| !v.is_empty() && v != "false" && v != "0")
        .unwrap_or(false);
    if in_ci {
        panic!("`{name}` is not installed, and CI is set: interop tests must run in CI (install it, e.g. apt-get install openssl gnutls-bin)");
    }
    eprintln!("NOTICE: `{name}` not found on PATH; skipping this interop test");
    false
}

fn find_on_path(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_tool_finds_sh_and_not_nonsense() {
        assert!(find_on_path("sh").is_some());
        assert!(find_on_path("ferrotls-no-such-tool").is_none());
    }
}
