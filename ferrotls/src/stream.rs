//! A blocking TLS stream over any `Read + Write` transport (a `TcpStream`).
//!
//! It drives the sans-I/O connection: the handshake runs on first use (or
//! on [`Stream::handshake`]), reads decrypt records straight from the
//! connection's buffer into the caller's, writes are encrypted into the
//! send buffer and flushed to the transport.

use std::io::{self, Read, Write};
use std::ops::DerefMut;

use crate::conn::{ConnectionCore, StateMachine};

/// A connection (client or server) together with its transport.
#[derive(Debug)]
pub struct Stream<C, T> {
    pub conn: C,
    pub sock: T,
}

impl<C, St, T> Stream<C, T>
where
    C: DerefMut<Target = ConnectionCore<St>>,
    St: StateMachine,
    T: Read + Write,
{
    pub fn new(conn: C, sock: T) -> Self {
        Self { conn, sock }
    }

    /// Sends everything the connection has queued.
    fn flush_tls(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            self.conn.write_tls(&mut self.sock)?;
        }
        self.sock.flush()
    }

    /// Reads more TLS bytes and processes them. `Ok(false)` at end of stream.
    fn read_more(&mut self) -> io::Result<bool> {
        let n = self.conn.read_tls(&mut self.sock)?;
        if n == 0 {
            return Ok(false);
        }
        let processed = self.conn.process_new_packets();
        // Whatever the connection answered (handshake messages, an alert
        // on failure) goes out before an error is reported.
        self.flush_tls()?;
        processed.map_err(io::Error::other)?;
        Ok(true)
    }

    /// Runs the handshake to completion.
    pub fn handshake(&mut self) -> io::Result<()> {
        self.flush_tls()?;
        while self.conn.is_handshaking() {
            if !self.read_more()? {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "peer closed the connection during the handshake",
                ));
            }
        }
        if let Some(e) = self.conn.error() {
            return Err(io::Error::other(e.clone()));
        }
        self.flush_tls()
    }

    /// Sends close_notify and flushes it.
    pub fn close(&mut self) -> io::Result<()> {
        self.conn.send_close_notify();
        self.flush_tls()
    }
}

impl<C, St, T> Read for Stream<C, T>
where
    C: DerefMut<Target = ConnectionCore<St>>,
    St: StateMachine,
    T: Read + Write,
{
    /// `Ok(0)` once the peer sent close_notify. A transport that ends
    /// without close_notify is `UnexpectedEof` (a truncation attack looks
    /// just like that, RFC 8446 §6.1).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.handshake()?;
        loop {
            match self.conn.read_plaintext(buf) {
                Ok(n) => {
                    // Reading may have produced answers (a KeyUpdate).
                    self.flush_tls()?;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if !self.read_more()? {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "peer closed the connection without close_notify",
                        ));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl<C, St, T> Write for Stream<C, T>
where
    C: DerefMut<Target = ConnectionCore<St>>,
    St: StateMachine,
    T: Read + Write,
{
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.handshake()?;
        let n = self.conn.write_plaintext(buf).map_err(io::Error::other)?;
        self.flush_tls()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()
    }
}
