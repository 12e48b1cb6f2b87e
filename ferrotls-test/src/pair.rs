//! In-memory client/server pairs: two endpoints joined by a pump that
//! moves the TLS bytes one side has to send into the other side, until
//! neither has anything more to say.
//!
//! Any TLS implementation can be an endpoint: ferrotls connections are
//! ones here; a test wraps another library's connection (rustls) in a
//! newtype implementing [`Endpoint`].

use std::io;

/// One end of an in-memory connection.
pub trait Endpoint {
    /// Takes every TLS byte waiting to be sent.
    fn take_tls(&mut self) -> Vec<u8>;
    /// Hands over TLS bytes from the peer and processes them. An error is
    /// the endpoint's failure, described; its alert (if any) is then
    /// waiting in [`Endpoint::take_tls`].
    fn receive_tls(&mut self, data: &[u8]) -> Result<(), String>;
    /// Whether the handshake is still running.
    fn is_handshaking(&self) -> bool;
    /// Queues application data.
    fn write_plain(&mut self, data: &[u8]);
    /// Takes the application data received so far.
    fn read_plain(&mut self) -> Vec<u8>;
}

/// What a pump saw fail, per side.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Failures {
    pub client: Option<String>,
    pub server: Option<String>,
}

impl Failures {
    pub fn is_empty(&self) -> bool {
        self.client.is_none() && self.server.is_none()
    }
}

/// Moves bytes both ways until neither side has anything to send. Keeps
/// going after a failure so the failing side's alert reaches the other.
pub fn pump(client: &mut dyn Endpoint, server: &mut dyn Endpoint) -> Failures {
    let mut failures = Failures::default();
    for _ in 0..100 {
        let to_server = client.take_tls();
        if !to_server.is_empty() {
            if let Err(e) = server.receive_tls(&to_server) {
                failures.server.get_or_insert(e);
            }
        }
        let to_client = server.take_tls();
        if !to_client.is_empty() {
            if let Err(e) = client.receive_tls(&to_client) {
                failures.client.get_or_insert(e);
            }
        }
        if to_server.is_empty() && to_client.is_empty() {
            return failures;
        }
    }
    panic!("pump: the endpoints keep talking after 100 rounds");
}

/// Runs the handshake to its end; panics with what failed if it does not
/// complete on both sides.
pub fn handshake(client: &mut dyn Endpoint, server: &mut dyn Endpoint) {
    let failures = pump(client, server);
    assert!(failures.is_empty(), "handshake failed: {failures:?}");
    assert!(!client.is_handshaking(), "client still handshaking");
    assert!(!server.is_handshaking(), "server still handshaking");
}

/// Sends `data` from `from` to `to` and checks it arrives whole.
pub fn send(from: &mut dyn Endpoint, to: &mut dyn Endpoint, data: &[u8]) {
    from.write_plain(data);
    let failures = pump(from, to);
    assert!(failures.is_empty(), "data transfer failed: {failures:?}");
    assert_eq!(to.read_plain(), data, "data did not arrive intact");
}

/// Sends data both ways, client first.
pub fn exchange_data(client: &mut dyn Endpoint, server: &mut dyn Endpoint) {
    send(client, server, b"hello from the client");
    send(server, client, b"hello from the server");
}

/// Reads all the plaintext a ferrotls connection has, processing records
/// as it goes.
fn read_all(mut read: impl FnMut(&mut [u8]) -> io::Result<usize>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return out,
            Err(e) => panic!("read_plaintext: {e}"),
        }
    }
}

/// ferrotls connections of either side are endpoints.
macro_rules! ferrotls_endpoint {
    ($conn:ty) => {
        impl Endpoint for $conn {
            fn take_tls(&mut self) -> Vec<u8> {
                let out = self.pending_tls().to_vec();
                self.consume_tls(out.len());
                out
            }

            fn receive_tls(&mut self, data: &[u8]) -> Result<(), String> {
                self.feed_tls(data);
                self.process_new_packets().map_err(|e| e.to_string())
            }

            fn is_handshaking(&self) -> bool {
                (**self).is_handshaking()
            }

            fn write_plain(&mut self, data: &[u8]) {
                let n = self.write_plaintext(data).expect("write_plaintext");
                assert_eq!(n, data.len(), "write_plaintext took part of the data");
            }

            fn read_plain(&mut self) -> Vec<u8> {
                read_all(|buf| self.read_plaintext(buf))
            }
        }
    };
}

ferrotls_endpoint!(ferrotls::ClientConnection);
ferrotls_endpoint!(ferrotls::ServerConnection);
