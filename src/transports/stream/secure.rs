//! TLS on a connection (`tls+tcp://`, `wss://`): the session
//! (`transports::tls::session`) stands between the connection's bytes and
//! its descriptor. Reading (`tls_read`) hands out the plaintext the
//! session holds and fills it from the descriptor only when it has none,
//! until the descriptor would block: the reactor's readiness is
//! edge-triggered, so a read that stops early (a full queue, the turn
//! limit) must leave nothing behind that no edge would report, exactly
//! as for a plain descriptor; `pump_from` already pokes itself or waits
//! for the socket to resume it in those cases. Writing (`flush_tls`, the
//! reactor's flush) moves queued frames into the session and its
//! ciphertext to the descriptor; what the session still holds keeps the
//! connection flushing (writable interest on).
//!
//! The TLS handshake runs inside those calls before the SP header or the
//! HTTP upgrade, which are queued as the first plaintext and go out once
//! it is done; it counts against the connection's handshake limit. A
//! failed session ends the connection (the reader sees the error); `end`
//! queues close_notify and writes what the socket takes now: that also
//! carries the alert of a failed handshake.
//!
//! Only the reactor does a TLS connection's I/O (see the lock order in
//! the module above): every function here that touches the descriptor is
//! a reactor callback that found `closed` false, except `tls_close`,
//! which holds `wr` with `wr.failed` false.

use std::io::{self, IoSlice, Read, Write};
use std::os::fd::BorrowedFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::sys::{read, send_iov};
use super::{Conn, Ended, Phase};
use crate::core::sig::Event;
use crate::reactor;
use crate::transports::tls::session::{Input, Plain, TlsError};

/// The errno a connection ends with when its peer broke TLS (a record
/// that does not decrypt, a certificate that does not verify).
const TLS_FAILED: i32 = libc::EPROTO;

/// The descriptor as the session's byte stream (non-blocking; writes
/// with `MSG_NOSIGNAL`).
struct FdIo<'a>(BorrowedFd<'a>);

impl Read for FdIo<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read(self.0, buf)
    }
}

impl Write for FdIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        send_iov(self.0, &[IoSlice::new(buf)])
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        send_iov(self.0, bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Conn {
    /// Record why the session failed and give the reader an error.
    fn tls_failed(&self, e: TlsError) -> io::Error {
        match e {
            TlsError::Io(e) => e,
            TlsError::Tls(e) => {
                self.last_err.store(TLS_FAILED, Ordering::Relaxed);
                io::Error::other(e)
            }
            TlsError::Truncated => io::ErrorKind::UnexpectedEof.into(),
        }
    }

    /// Plaintext into `buf`, as `read(2)` would: `Ok(0)` at the end of
    /// the stream (the peer's close_notify, or a stream cut without it:
    /// everything before is handed out first), `WouldBlock` once the
    /// session has nothing and the descriptor is drained. Output the
    /// session made meanwhile (handshake messages, alerts) is written;
    /// what the socket does not take is left to the reactor's flush.
    ///
    /// Called with `rd` held, by a reactor callback that found `closed`
    /// false when it began.
    pub(super) fn tls_read(self: &Arc<Self>, buf: &mut [u8]) -> io::Result<usize> {
        let slot = self.tls.as_ref().expect("a TLS connection");
        let mut g = slot.lock();
        let Some(s) = g.as_mut() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        // SAFETY: a reactor callback that found `closed` false when it
        // began (see above): `release` cannot close the descriptor before
        // it returns.
        let fd = unsafe { self.borrow_fd() };
        let was_handshaking = !s.handshake_done();
        let mut ended = false;
        let got = loop {
            match s.read(buf) {
                Ok(Plain::Data(n)) => break Ok(n),
                Ok(Plain::Closed) => break Ok(0),
                Ok(Plain::Nothing) if ended => break Ok(0),
                Ok(Plain::Nothing) => {}
                Err(TlsError::Truncated) => break Ok(0),
                Err(e) => break Err(self.tls_failed(e)),
            }
            match s.fill(&mut FdIo(fd)) {
                Ok(Input::Readable) => {}
                Ok(Input::Ended) => ended = true,
                Ok(Input::Blocked) => break Err(io::ErrorKind::WouldBlock.into()),
                Err(TlsError::Truncated) => break Ok(0),
                Err(e) => break Err(self.tls_failed(e)),
            }
        };
        if got
            .as_ref()
            .is_err_and(|e| e.kind() != io::ErrorKind::WouldBlock)
        {
            return got; // `end` writes the alert
        }
        let done = !was_handshaking || s.handshake_done();
        let out = match s.flush(&mut FdIo(fd)) {
            Ok(all) => all,
            Err(e) => return Err(self.tls_failed(e)),
        };
        if !out {
            // The socket is full: the reactor's flush writes the rest on
            // the next writable edge.
            self.wr.lock().flushing = true;
            self.set_want_write(true);
        }
        drop(g);
        if was_handshaking && done {
            // What was queued before the handshake ended (the SP header,
            // the HTTP upgrade) may wait for room in the session.
            reactor::get().poke(self.clone());
        }
        got
    }

    /// The reactor's flush of a TLS connection (see `flush`): queued
    /// frames into the session, its ciphertext to the descriptor. The
    /// output stays the reactor's (`wr.flushing`) until the session holds
    /// nothing either.
    pub(super) fn flush_tls(self: &Arc<Self>) {
        if !self.connected.load(Ordering::Acquire) || self.is_closed() {
            return;
        }
        let slot = self.tls.as_ref().expect("a TLS connection");
        let mut fl = self.flight.lock();
        let mut freed = 0;
        loop {
            let mut g = slot.lock();
            let Some(s) = g.as_mut() else { return };
            let (unblock, idle) = {
                let mut wr = self.wr.lock();
                let unblock = self.written(&mut wr, std::mem::take(&mut freed));
                if fl.q.is_empty() {
                    let n = wr.q.len().min(super::send::BATCH_FRAMES);
                    fl.q.extend(wr.q.drain(..n));
                }
                let idle = fl.q.is_empty() && !s.wants_write();
                if idle {
                    wr.flushing = false;
                    if let Some(a) = self.attach.get() {
                        a.shared.pace.drained();
                    }
                }
                (unblock, idle)
            };
            if unblock || idle {
                // No event is posted while `flight` or `tls` is held.
                drop(g);
                drop(fl);
                if unblock {
                    self.post(Event::Out(self.id));
                }
                if idle {
                    self.set_want_write(false);
                    if matches!(*self.phase.lock(), Phase::Closing) {
                        self.end(Ended::Closed);
                    }
                    return;
                }
                fl = self.flight.lock();
                continue;
            }
            // Plaintext into the session, as much as it takes.
            let mut room = true;
            while room {
                let Some(f) = fl.q.front_mut() else { break };
                let mut took = 0;
                for part in f.unwritten() {
                    // A failed session takes nothing: the flush below
                    // reports it.
                    let n: usize = s.write(part).unwrap_or_default();
                    took += n;
                    if n < part.len() {
                        room = false;
                        break;
                    }
                }
                f.off += took;
                if room {
                    freed += f.size;
                    fl.q.pop_front();
                }
            }
            // SAFETY: a reactor callback that found `closed` false when it
            // began (checked at the top).
            let fd = unsafe { self.borrow_fd() };
            match s.flush(&mut FdIo(fd)) {
                // Written out: take the next frames (a full session whose
                // handshake is still on waits for it: `tls_read` pokes
                // when it ends).
                Ok(true) if room || s.handshake_done() => {}
                Ok(all) => {
                    let unblock = self.written(&mut self.wr.lock(), freed);
                    drop(g);
                    drop(fl);
                    if unblock {
                        self.post(Event::Out(self.id));
                    }
                    if !all {
                        // The socket is full; the next writable edge goes on.
                        self.set_want_write(true);
                    }
                    return;
                }
                Err(e) => {
                    let _ = self.tls_failed(e);
                    drop(g);
                    drop(fl);
                    self.end(Ended::Broken);
                    return;
                }
            }
        }
    }

    /// Bytes for the peer that must go out now, ahead of everything (an
    /// HTTP error reply before the connection ends), best effort.
    /// Called by the reactor with no lock of the connection held.
    pub(super) fn tls_send_now(&self, bytes: &[u8]) {
        let Some(slot) = &self.tls else { return };
        let mut g = slot.lock();
        let Some(s) = g.as_mut() else { return };
        let _ = s.write(bytes);
        // SAFETY: a reactor callback that found `closed` false when it
        // began (`handshake`).
        let fd = unsafe { self.borrow_fd() };
        let _ = s.flush(&mut FdIo(fd));
    }

    /// On `end`: queue close_notify (unless the session failed: its alert
    /// is queued already) and write what the socket takes now, once.
    /// Takes `tls`, then `wr`: never called holding `rd`, `flight` or
    /// `tls`.
    pub(super) fn tls_close(&self) {
        let Some(slot) = &self.tls else { return };
        let mut g = slot.lock();
        let Some(s) = g.as_mut() else { return };
        if s.usable() {
            s.close();
        }
        let wr = self.wr.lock();
        if wr.failed {
            return;
        }
        // SAFETY: we hold `wr` and found `wr.failed` false.
        let fd = unsafe { self.borrow_fd() };
        let _ = s.flush(&mut FdIo(fd));
    }
}
