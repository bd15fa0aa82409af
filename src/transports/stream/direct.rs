//! Reading on the receiver's thread: the latency path.
//!
//! A receiver that sleeps until the I/O thread has read its message wakes
//! twice per message: the kernel wakes the I/O thread, which wakes the
//! receiver. When a socket's only pipe is this connection and nobody polls
//! the socket, a blocked receiver instead polls the descriptor itself
//! (`Sig::wait_or_fd`) and reads and cuts the message on its own thread,
//! as a plain blocking `read` would: one wake-up.
//!
//! Who reads is `Conn::reader`:
//! - `BY_IO`: the reactor, on readable edges (the usual case);
//! - `BY_CALLER`: the socket's receivers. Readable edges are not asked for,
//!   so bytes that arrive between two receives wait in the kernel for the
//!   next one (which polls and finds them at once); the reactor still
//!   hears hang-ups and errors, and then takes reading back;
//! - `INSIDE`: a receiver is polling or reading now (one at a time: others
//!   sleep on the mailbox and wake when it posts what it read);
//! - `INSIDE_RETURN`: the same, and reading goes back to the reactor when
//!   it leaves.
//!
//! Reading goes back to the reactor (`give_back`, one `epoll_ctl` that
//! also reports what is already readable) when the socket is polled
//! (`nn_poll`, RCVFD), gets a second pipe, or has had no receiver for a
//! lease (`LEASE`: data for a socket that stopped receiving is read, and
//! counted, by the reactor as before). Taking it (`read_here_begin` from
//! `BY_IO`) is one `epoll_ctl` too; a receiver that keeps receiving pays
//! neither again.
//!
//! The descriptor stays open while a receiver polls it: `pins` counts the
//! threads that use it outside the reactor, and `release` (which closes
//! it) waits for the last of them, who pokes the reactor to release then.
//!
//! Writing on the sender's thread (`flush_here_begin`): a sender refused
//! by a full connection that the reactor is writing out polls the pinned
//! descriptor for room and runs `flush` itself on each writable edge,
//! as a blocking `write` would go on, rather than wait for the reactor to
//! write and wake it. Both flush under `flight`; the reactor keeps its
//! writable interest, so no ownership changes hands.

use std::mem::MaybeUninit;
use std::os::fd::RawFd;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::sys::{peek, would_block};
use super::{Conn, Role};
use crate::reactor;

pub(super) const BY_IO: u8 = 0;
pub(super) const BY_CALLER: u8 = 1;
pub(super) const INSIDE: u8 = 2;
pub(super) const INSIDE_RETURN: u8 = 3;

/// How long reading stays with a socket's receivers after the last one
/// left (checked by a reactor timer while they hold it).
const LEASE: Duration = Duration::from_millis(10);

impl Conn {
    /// See `PipeEnd::read_here_begin`. `Some(fd)`: this thread reads the
    /// connection until `read_here_end`, and the descriptor stays open
    /// until then.
    pub(super) fn read_here_begin(self: &Arc<Self>) -> Option<RawFd> {
        // WebSocket control frames are answered on the reactor thread.
        // So are TLS connections (the reactor does all their I/O).
        if !matches!(self.role, Role::Sp { .. })
            || self.tls.is_some()
            || self.is_closed()
            || !self.is_pipe()
        {
            return None;
        }
        if self.inq.lock().paused {
            return None; // the socket has plenty to read already
        }
        let took = loop {
            let cur = self.reader.load(SeqCst);
            if cur != BY_IO && cur != BY_CALLER {
                return None; // another receiver is at it
            }
            if self
                .reader
                .compare_exchange(cur, INSIDE, SeqCst, Relaxed)
                .is_ok()
            {
                break cur == BY_IO;
            }
        };
        if !self.pin() {
            self.leave();
            return None;
        }
        if took {
            // No more readable edges for the reactor (a read of its that is
            // under way finishes; `rd` keeps the two apart).
            self.rearm();
            self.lease();
        }
        self.uses.fetch_add(1, Relaxed);
        Some(self.fd())
    }

    /// See `PipeEnd::flush_here_begin`: `Some(fd)` while the reactor owns
    /// output that the socket did not take (`wr.flushing`); the caller
    /// writes it on the writable edges it polls for, beside the reactor
    /// (both under `flight`), until `flush_here_end` (`unpin`).
    pub(super) fn flush_here_begin(self: &Arc<Self>) -> Option<RawFd> {
        if !matches!(self.role, Role::Sp { .. })
            || self.tls.is_some()
            || !self.is_pipe()
            || !self.pin()
        {
            return None;
        }
        if !self.stuck() {
            self.unpin();
            return None;
        }
        Some(self.fd())
    }

    /// See `PipeEnd::flush_here`.
    pub(super) fn flush_here(self: &Arc<Self>) -> bool {
        self.flush_from(true);
        self.stuck()
    }

    /// Is output queued that the reactor is to write (and may still be)?
    fn stuck(&self) -> bool {
        let wr = self.wr.lock();
        wr.flushing && !wr.failed && !self.is_closed()
    }

    /// See `PipeEnd::read_here`: read and cut what is there. False when
    /// there is no point in waiting on the descriptor any more (the
    /// connection ended, or the socket's queue is full).
    pub(super) fn read_here(self: &Arc<Self>) -> bool {
        self.pump_from(true);
        !self.is_closed() && !self.inq.lock().paused
    }

    /// See `PipeEnd::read_here_end`.
    pub(super) fn read_here_end(self: &Arc<Self>) {
        self.leave();
        self.unpin();
    }

    fn leave(self: &Arc<Self>) {
        if self.reader.swap(BY_CALLER, SeqCst) == INSIDE_RETURN {
            self.give_back();
        }
    }

    /// See `PipeEnd::read_by_io_thread`: the reactor reads from now on
    /// (when a receiver is inside, once it leaves).
    pub(super) fn give_back(self: &Arc<Self>) {
        loop {
            let cur = self.reader.load(SeqCst);
            let next = match cur {
                BY_CALLER => BY_IO,
                INSIDE => INSIDE_RETURN,
                _ => return,
            };
            if self
                .reader
                .compare_exchange(cur, next, SeqCst, Relaxed)
                .is_ok()
            {
                if next == BY_IO && self.pin() {
                    self.rearm();
                    self.unpin();
                }
                return;
            }
        }
    }

    /// Keep the descriptor open (see the module's doc). False, and
    /// nothing kept, once the connection ended.
    fn pin(self: &Arc<Self>) -> bool {
        self.pins.fetch_add(1, SeqCst);
        // Dekker with `end` (sets `closed`, then `release` reads `pins`).
        if self.closed.load(SeqCst) {
            self.unpin();
            return false;
        }
        true
    }

    pub(super) fn unpin(self: &Arc<Self>) {
        if self.pins.fetch_sub(1, SeqCst) == 1 && self.closed.load(SeqCst) {
            // `release` may have found us here and waited: now it can.
            reactor::get().poke(self.clone());
        }
    }

    /// Is the descriptor in use outside the reactor (`release` waits)?
    pub(super) fn pinned(&self) -> bool {
        self.pins.load(SeqCst) > 0
    }

    /// Tell the reactor what this connection wants now: readable edges
    /// while it reads (`BY_IO`), writable ones while output is stuck.
    /// Serialised, so that the last `epoll_ctl` says what holds last.
    /// The descriptor must be open (the reactor's, or pinned).
    pub(super) fn rearm(&self) {
        let _g = self.arm.lock();
        if self.is_closed() {
            return; // `end` took it out of the poller
        }
        reactor::get().set_interest(
            self.fd(),
            self.key.load(SeqCst),
            self.reader.load(SeqCst) == BY_IO,
            self.want_write.load(SeqCst),
        );
    }

    /// A readiness edge on the reactor (a callback that found `closed`
    /// false) while receivers read: a hang-up or an error (readable edges
    /// were not asked for), or one from before they took over, which
    /// leaves bytes or nothing to read. For an end with nobody inside, the
    /// reactor takes reading back and reads now, so that it is noticed at
    /// once. True when the reactor should read.
    pub(super) fn edge_while_direct(self: &Arc<Self>) -> bool {
        match self.reader.load(SeqCst) {
            BY_IO => true,
            BY_CALLER => {
                let mut b = [MaybeUninit::uninit(); 1];
                // SAFETY: a reactor callback that found `closed` false.
                match peek(unsafe { self.borrow_fd() }, &mut b) {
                    Ok(n) if n > 0 => return false,
                    Err(e) if would_block(&e) => return false,
                    _ => {}
                }
                self.give_back();
                self.reader.load(SeqCst) == BY_IO
            }
            _ => false, // the receiver inside polls it too
        }
    }

    /// Make sure a lease check is on its way (see `LEASE`).
    fn lease(self: &Arc<Self>) {
        if !self.lease_armed.swap(true, SeqCst) {
            self.lease_seen.store(self.uses.load(Relaxed), Relaxed);
            self.after(Instant::now() + LEASE, Conn::lease_check);
        }
    }

    /// On the reactor: receivers that held reading for a whole lease
    /// without one coming give it back.
    fn lease_check(self: &Arc<Self>) {
        if self.is_closed() {
            return;
        }
        let uses = self.uses.load(Relaxed);
        let cur = self.reader.load(SeqCst);
        if cur != BY_IO && !(cur == BY_CALLER && uses == self.lease_seen.load(Relaxed)) {
            self.lease_seen.store(uses, Relaxed);
            self.after(Instant::now() + LEASE, Conn::lease_check);
            return;
        }
        if cur == BY_CALLER {
            self.give_back();
        }
        self.lease_armed.store(false, SeqCst);
        // Dekker with `read_here_begin` (sets `reader`, then `lease`).
        if self.reader.load(SeqCst) != BY_IO {
            self.lease();
        }
    }
}
