//! The rustls side of the in-memory interop tests: a rustls server as a
//! [`Endpoint`], a signing key that records the scheme rustls chose, a
//! one-certificate resolver, and the rustls suite and group for a ferrotls
//! code point. Each test file uses its part.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use ferrotls::msgs::enums::{CipherSuite, NamedGroup};
use ferrotls_test::pair::Endpoint;
use rustls::crypto::aws_lc_rs;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::{CertifiedKey, Signer, SigningKey};

/// The rustls suite with `suite`'s code point.
pub fn rustls_suite(suite: CipherSuite) -> rustls::SupportedCipherSuite {
    *aws_lc_rs::ALL_CIPHER_SUITES
        .iter()
        .find(|s| u16::from(s.suite()) == suite.to_wire())
        .unwrap()
}

/// The rustls key-exchange group with `group`'s code point.
pub fn rustls_group(group: NamedGroup) -> &'static dyn rustls::crypto::SupportedKxGroup {
    *aws_lc_rs::ALL_KX_GROUPS
        .iter()
        .find(|g| u16::from(g.name()) == group.to_wire())
        .unwrap()
}

/// A rustls server connection as an in-memory endpoint.
pub struct RustlsServer {
    pub conn: rustls::ServerConnection,
    /// The scheme the server signed its CertificateVerify with.
    pub signed_with: Arc<Mutex<Option<rustls::SignatureScheme>>>,
}

impl Endpoint for RustlsServer {
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
            self.conn.process_new_packets().map_err(|e| e.to_string())?;
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
        let mut buf = [0u8; 4096];
        loop {
            match self.conn.reader().read(&mut buf) {
                Ok(0) => return out,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return out,
                Err(e) => panic!("rustls read: {e}"),
            }
        }
    }
}

/// A signing key that remembers the scheme rustls chose with it.
#[derive(Debug)]
pub struct RecordingKey {
    pub inner: Arc<dyn SigningKey>,
    pub used: Arc<Mutex<Option<rustls::SignatureScheme>>>,
}

impl SigningKey for RecordingKey {
    fn choose_scheme(&self, offered: &[rustls::SignatureScheme]) -> Option<Box<dyn Signer>> {
        let signer = self.inner.choose_scheme(offered)?;
        *self.used.lock().unwrap() = Some(signer.scheme());
        Some(signer)
    }

    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        self.inner.algorithm()
    }
}

#[derive(Debug)]
pub struct OneCert(pub Arc<CertifiedKey>);

impl ResolvesServerCert for OneCert {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}
