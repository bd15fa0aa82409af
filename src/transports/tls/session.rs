//! One TLS session over a non-blocking byte stream, as a state machine
//! over rustls's `Connection`: what the connection code can use in place
//! of raw `read`/`write` on its descriptor. Nothing here blocks, sleeps
//! or starts a thread; the caller owns the descriptor and its readiness.
//!
//! - [`Session::fill`] reads ciphertext from the descriptor (until it
//!   would block, ends, or plaintext is waiting) and decrypts it;
//!   [`Session::read`] hands out the plaintext.
//! - [`Session::write`] takes plaintext (up to a bounded buffer: what it
//!   does not take, the caller keeps); [`Session::flush`] writes the
//!   ciphertext, and what the descriptor did not take stays queued here
//!   for the next flush ([`Session::wants_write`]).
//! - The handshake runs inside these calls: `fill` and `flush` until
//!   [`Session::handshake_done`]. Plaintext written before goes out after.
//! - [`Session::close`] queues `close_notify`; a peer's arrives as
//!   [`Plain::Closed`]. A stream that ends without it is
//!   [`TlsError::Truncated`].
//!
//! Every error is a [`TlsError`]: the session is then dead, and a flush
//! may still write the alert rustls queued for the peer.

use std::fmt;
use std::io::{self, Read, Write};
use std::sync::Arc;

use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};
use rustls_pki_types::ServerName;

/// Plaintext a session buffers, each way: what `write` takes before the
/// handshake ends or while the descriptor is full.
pub(crate) const BUFFER_LIMIT: usize = 64 * 1024;

/// Why a session cannot go on.
#[derive(Debug)]
pub enum TlsError {
    /// The descriptor failed.
    Io(io::Error),
    /// The peer broke TLS: a malformed record, a failed handshake, a
    /// certificate that did not verify, an alert.
    Tls(rustls::Error),
    /// The peer's stream ended without `close_notify` (before the
    /// handshake ended, or after the data it sent).
    Truncated,
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Io(e) => write!(f, "TLS: {e}"),
            TlsError::Tls(e) => write!(f, "TLS: {e}"),
            TlsError::Truncated => f.write_str("TLS: the peer's stream ended without close_notify"),
        }
    }
}

/// What [`Session::fill`] saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Plaintext is waiting: [`Session::read`] it, then fill again.
    Readable,
    /// The descriptor has nothing more now (wait for readable).
    Blocked,
    /// The stream ended. What arrived before is still readable; then
    /// `read` says whether the peer closed cleanly.
    Ended,
}

/// What [`Session::read`] gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plain {
    /// So many bytes were copied.
    Data(usize),
    /// Nothing now: fill first.
    Nothing,
    /// The peer sent `close_notify` and everything before it was read.
    Closed,
}

pub struct Session {
    conn: Connection,
    /// The first TLS error or truncation: every later call returns it
    /// again.
    failed: Option<Failed>,
}

#[derive(Clone, Debug)]
enum Failed {
    Tls(rustls::Error),
    Truncated,
}

impl From<Failed> for TlsError {
    fn from(f: Failed) -> TlsError {
        match f {
            Failed::Tls(e) => TlsError::Tls(e),
            Failed::Truncated => TlsError::Truncated,
        }
    }
}

impl Session {
    /// A dialer's session, checking `name` on the server's certificate.
    pub fn client(
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
    ) -> Result<Session, TlsError> {
        let c = ClientConnection::new(config, name).map_err(TlsError::Tls)?;
        Ok(Session::new(Connection::Client(c)))
    }

    /// A listener's session for one accepted connection.
    pub fn server(config: Arc<ServerConfig>) -> Result<Session, TlsError> {
        let c = ServerConnection::new(config).map_err(TlsError::Tls)?;
        Ok(Session::new(Connection::Server(c)))
    }

    fn new(mut conn: Connection) -> Session {
        conn.set_buffer_limit(Some(BUFFER_LIMIT));
        Session { conn, failed: None }
    }

    /// True once the handshake has ended (the peer verified as configured).
    pub fn handshake_done(&self) -> bool {
        !self.conn.is_handshaking()
    }

    /// False once the session failed (see [`TlsError`]).
    pub fn usable(&self) -> bool {
        self.failed.is_none()
    }

    /// True while ciphertext waits for [`Session::flush`] (ask for
    /// writable readiness when the last flush did not finish).
    pub fn wants_write(&self) -> bool {
        self.conn.wants_write()
    }

    fn check(&self) -> Result<(), TlsError> {
        match &self.failed {
            Some(f) => Err(f.clone().into()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, f: Failed) -> TlsError {
        self.failed = Some(f.clone());
        f.into()
    }

    fn process(&mut self) -> Result<rustls::IoState, TlsError> {
        match self.conn.process_new_packets() {
            Ok(st) => Ok(st),
            Err(e) => Err(self.fail(Failed::Tls(e))),
        }
    }

    /// Reads ciphertext from `rd` (a non-blocking descriptor) and decrypts
    /// it, until plaintext is waiting, `rd` would block, or it ends.
    /// Handshake messages are answered into the output: flush after.
    pub fn fill(&mut self, rd: &mut dyn Read) -> Result<Input, TlsError> {
        self.check()?;
        loop {
            if self
                .conn
                .reader()
                .into_first_chunk()
                .is_ok_and(|c| !c.is_empty())
            {
                return Ok(Input::Readable);
            }
            let n = match self.conn.read_tls(rd) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Input::Blocked),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(TlsError::Io(e)),
            };
            let st = self.process()?;
            if n == 0 {
                // The end (or nothing more after close_notify).
                if st.peer_has_closed() {
                    return Ok(Input::Ended);
                }
                if self.conn.is_handshaking() {
                    return Err(self.fail(Failed::Truncated));
                }
                return Ok(if st.plaintext_bytes_to_read() > 0 {
                    Input::Readable
                } else {
                    Input::Ended
                });
            }
            if st.plaintext_bytes_to_read() > 0 {
                return Ok(Input::Readable);
            }
        }
    }

    /// Plaintext that arrived, into `buf`.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<Plain, TlsError> {
        self.check()?;
        if buf.is_empty() {
            return Ok(Plain::Nothing);
        }
        match self.conn.reader().read(buf) {
            Ok(0) => Ok(Plain::Closed),
            Ok(n) => Ok(Plain::Data(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Plain::Nothing),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(self.fail(Failed::Truncated)),
            Err(e) => Err(TlsError::Io(e)),
        }
    }

    /// Takes as much of `data` as the session's buffer holds (0 when it
    /// is full: flush, and wait for writable). Before the handshake ends,
    /// it waits here and goes out after.
    pub fn write(&mut self, data: &[u8]) -> Result<usize, TlsError> {
        self.check()?;
        self.conn.writer().write(data).map_err(TlsError::Io)
    }

    /// Writes queued ciphertext to `wr` (a non-blocking descriptor) until
    /// all is out (true) or `wr` would block (false; what it did not take
    /// stays queued). Also writes a queued alert after an error.
    pub fn flush(&mut self, wr: &mut dyn Write) -> Result<bool, TlsError> {
        while self.conn.wants_write() {
            match self.conn.write_tls(wr) {
                Ok(0) => return Err(TlsError::Io(io::ErrorKind::WriteZero.into())),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(TlsError::Io(e)),
            }
        }
        self.check()?;
        Ok(true)
    }

    /// Queues `close_notify` after what was written (flush to send it);
    /// nothing can be written after.
    pub fn close(&mut self) {
        self.conn.send_close_notify();
    }
}
