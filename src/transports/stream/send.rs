//! The send path: corking, direct writes by the sender, the reactor's
//! flush, WebSocket control frames.

use std::cell::Cell;
use std::collections::VecDeque;
use std::io;
use std::io::IoSlice;
use std::os::fd::BorrowedFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::sys::{send_iov, would_block};
use super::{Conn, Ended, Phase, Role};
use crate::core::msg::{Filling, Msg};
use crate::core::pipe::PushError;
use crate::core::sig::Event;
use crate::reactor;
use crate::transports::framing::IPC_MSG_NORMAL;
use crate::transports::ws::frame::{
    apply_mask, masked_payload, send_header, OP_BINARY, OP_PONG, OP_TEXT,
};

/// Frames handed to one `sendmsg` at most (IOV_MAX is 1024; three slices each).
pub(super) const BATCH_FRAMES: usize = 256;
/// A frame this small is copied into the staging buffer (`write_frames`),
/// or onto a run when it is corked (`Wr::queue`).
const SMALL_FRAME: usize = 256;
const _: () = assert!(SMALL_FRAME <= Filling::CAP, "a small frame fits a run");
/// The most a staging buffer holds.
const STAGE_BYTES: usize = 32 * 1024;
/// A cork is written when it holds this much...
const CORK_BYTES: usize = 16 * 1024;
/// ...or when it is this old.
const CORK_DELAY: Duration = Duration::from_micros(40);

pub(super) struct Frame {
    pub(super) prefix: [u8; 14],
    pub(super) plen: u8,
    pub(super) body: Body,
    /// Message bytes this frame carries, counted against `NN_SNDBUF`
    /// (`Wr::bytes`) until it is written.
    pub(super) size: usize,
    /// Bytes of this frame already written.
    pub(super) off: usize,
}

/// What follows a frame's prefix.
pub(super) enum Body {
    /// A message, written from its own chunk.
    Msg(Msg),
    /// Bytes of the frame's own: a masked WebSocket payload, a control
    /// frame, raw handshake bytes.
    Own(Vec<u8>),
    /// Whole small frames (prefix, header, body) copied side by side when
    /// they were corked (`Wr::queue`), so a corked message holds no
    /// reference to its chunk: a PUB's one chunk is not counted up by
    /// the sender and down by the reactor for every peer, and a run goes
    /// to the kernel as one slice. A run is a pooled block (`Filling`):
    /// filled by the sender, freed by the reactor, as cheap as a small
    /// message's body and never malloc'ed and trimmed away per cork.
    Run(Filling),
}

impl Frame {
    pub(super) fn len(&self) -> usize {
        self.plen as usize
            + match &self.body {
                Body::Msg(m) => m.size(),
                Body::Own(b) => b.len(),
                Body::Run(r) => r.len(),
            }
    }

    /// Is what is left of it copied into the staging buffer to be
    /// written (`write_frames`)? Small frames and runs of them (a run is
    /// at most a pooled block) are.
    fn staged(&self) -> bool {
        self.len() - self.off <= SMALL_FRAME || matches!(self.body, Body::Run(_))
    }

    /// A WebSocket pong (see `Conn::send_control`).
    pub(super) fn is_pong(&self) -> bool {
        self.plen >= 2 && self.prefix[0] == 0x80 | OP_PONG && matches!(self.body, Body::Own(_))
    }

    pub(super) fn control(prefix: &[u8], payload: Vec<u8>) -> Frame {
        let mut p = [0u8; 14];
        p[..prefix.len()].copy_from_slice(prefix);
        Frame {
            prefix: p,
            plen: prefix.len() as u8,
            body: Body::Own(payload),
            size: 0,
            off: 0,
        }
    }

    /// The unwritten parts, in order.
    pub(super) fn unwritten(&self) -> impl Iterator<Item = &[u8]> {
        let parts: [&[u8]; 3] = match &self.body {
            Body::Own(b) => [&self.prefix[..self.plen as usize], b, &[]],
            Body::Run(r) => [&self.prefix[..self.plen as usize], r.as_slice(), &[]],
            Body::Msg(m) => [
                &self.prefix[..self.plen as usize],
                &m.hdr,
                m.body.as_slice(),
            ],
        };
        let mut skip = self.off;
        parts.into_iter().filter_map(move |p| {
            if skip >= p.len() {
                skip -= p.len();
                return None;
            }
            let s = &p[skip..];
            skip = 0;
            Some(s)
        })
    }

    /// Append the unwritten parts to `iov`.
    pub(super) fn slices<'a>(&'a self, iov: &mut Vec<IoSlice<'a>>) {
        iov.extend(self.unwritten().map(IoSlice::new));
    }
}

pub(super) struct Wr {
    pub(super) q: VecDeque<Frame>,
    /// Bytes queued or in flight (bounded by `NN_SNDBUF`).
    pub(super) bytes: usize,
    /// The reactor owns the output: frames are in flight or queued.
    pub(super) flushing: bool,
    pub(super) producer_blocked: bool,
    /// A write failed; the reactor tears the connection down.
    pub(super) failed: bool,
    /// The cork timer is set (see `send`).
    pub(super) cork_armed: bool,
}

impl Wr {
    /// Queue `f` behind what is there. A small one (`SMALL_FRAME`) is
    /// copied onto the run at the back, or starts one: the corked message
    /// is then the sender's to drop, on its own thread.
    pub(super) fn queue(&mut self, f: Frame) {
        debug_assert_eq!(f.off, 0, "a new frame");
        if f.len() <= SMALL_FRAME {
            let prefix = &f.prefix[..f.plen as usize];
            let copied = match &f.body {
                Body::Msg(m) => self.queue_small(prefix, &m.hdr, m.body.as_slice(), f.size),
                Body::Own(b) => self.queue_small(prefix, b, &[], f.size),
                Body::Run(r) => self.queue_small(prefix, r.as_slice(), &[], f.size),
            };
            if copied {
                return;
            }
        }
        self.bytes += f.size;
        self.q.push_back(f);
    }

    /// Copy a small frame (its prefix, header and body, at most
    /// `SMALL_FRAME` bytes, counting `size` against `NN_SNDBUF`) onto the
    /// run at the back, or a new run. False when no run could be had (no
    /// memory): nothing was queued.
    fn queue_small(&mut self, prefix: &[u8], hdr: &[u8], body: &[u8], size: usize) -> bool {
        let n = prefix.len() + hdr.len() + body.len();
        debug_assert!(n <= SMALL_FRAME);
        let copy = |run: &mut Filling| {
            run.push(prefix);
            run.push(hdr);
            run.push(body);
        };
        self.bytes += size;
        if let Some(Frame {
            body: Body::Run(run),
            size: counted,
            ..
        }) = self.q.back_mut()
        {
            if n <= run.room() {
                copy(run);
                *counted += size;
                return true;
            }
        }
        let Ok(mut run) = Filling::new() else {
            self.bytes -= size;
            return false;
        };
        copy(&mut run);
        self.q.push_back(Frame {
            prefix: [0; 14],
            plen: 0,
            body: Body::Run(run),
            size,
            off: 0,
        });
        true
    }
}

/// A message to send: the caller's own, or one it shares with other pipes
/// (`Conn::send_shared`), which is copied if it is corked and shared
/// (`Msg::share`) only if it is written from its chunk.
enum Out<'a> {
    Owned(Msg),
    Shared(&'a Msg),
}

impl Out<'_> {
    fn msg(&self) -> &Msg {
        match self {
            Out::Owned(m) => m,
            Out::Shared(m) => m,
        }
    }

    fn into_owned(self) -> Msg {
        match self {
            Out::Owned(m) => m,
            Out::Shared(m) => m.share(),
        }
    }
}

/// The frames the reactor is writing (`Conn::flush`), taken from `Wr::q`
/// a batch at a time.
#[derive(Default)]
pub(super) struct Flight {
    pub(super) q: VecDeque<Frame>,
}

thread_local! {
    /// The thread's `sendmsg` vector (the reactor's, or a sender's for its
    /// direct writes), kept between writes so that a write allocates
    /// nothing, and not kept per connection. Between writes it holds no
    /// slice (a slice would outlive the frame it points into), only its
    /// capacity.
    static IOV: Cell<Vec<IoSlice<'static>>> = const { Cell::new(Vec::new()) };
    /// The thread's staging buffer, where small frames are copied side by
    /// side (see `SMALL_FRAME`); kept between writes like `IOV`.
    static STAGE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The thread's empty `sendmsg` vector, for slices of frames that live as
/// long as `'a`.
fn lend_iov<'a>() -> Vec<IoSlice<'a>> {
    recycle(IOV.take())
}

/// Give back what `lend_iov` gave out (emptied here).
fn restore_iov(v: Vec<IoSlice<'_>>) {
    IOV.set(recycle(v));
}

/// An empty vector on `v`'s allocation, for slices of another lifetime.
/// Collecting a vector's own iterator into a vector of a type with the
/// same layout reuses the allocation (std's in-place collection), and an
/// empty vector holds no slice that could dangle.
fn recycle<'b>(mut v: Vec<IoSlice<'_>>) -> Vec<IoSlice<'b>> {
    v.clear();
    v.into_iter()
        .map(|_| -> IoSlice<'b> { unreachable!() })
        .collect()
}

/// Write as much of `frames` as the socket takes. Completed frames are
/// popped and their sizes summed into the result. `Ok` with frames left
/// means the socket is full.
///
/// Frames of at most `SMALL_FRAME` unwritten bytes are first copied side
/// by side into the thread's staging buffer, and a run of them goes to
/// the kernel as one slice: the kernel's cost per slice is far above the
/// cost of copying a few dozen bytes here. The byte stream is the same,
/// so what the kernel took is accounted to frames as before.
pub(super) fn write_frames(
    fd: BorrowedFd<'_>,
    frames: &mut VecDeque<Frame>,
) -> io::Result<(usize, bool)> {
    let mut freed = 0;
    while !frames.is_empty() {
        let mut stage = STAGE.take();
        stage.clear();
        let mut batch = 0;
        for f in frames.iter().take(BATCH_FRAMES) {
            let rest = f.len() - f.off;
            if f.staged() {
                if stage.len() + rest > STAGE_BYTES {
                    break;
                }
                for p in f.unwritten() {
                    stage.extend_from_slice(p);
                }
            }
            batch += 1;
        }
        let mut iov = lend_iov();
        let (mut run, mut at) = (0, 0);
        for f in frames.iter().take(batch) {
            let rest = f.len() - f.off;
            if f.staged() {
                at += rest;
                continue;
            }
            if at > run {
                iov.push(IoSlice::new(&stage[run..at]));
                run = at;
            }
            f.slices(&mut iov);
        }
        if at > run {
            iov.push(IoSlice::new(&stage[run..at]));
        }
        let sent = send_iov(fd, &iov);
        restore_iov(iov);
        STAGE.set(stage);
        let mut n = match sent {
            Ok(n) => n,
            Err(e) if would_block(&e) => return Ok((freed, false)),
            Err(e) => return Err(e),
        };
        while n > 0 {
            let f = frames.front_mut().expect("written bytes belong to a frame");
            let left = f.len() - f.off;
            if n >= left {
                n -= left;
                freed += f.size;
                frames.pop_front();
            } else {
                f.off += n;
                n = 0;
            }
        }
        if frames.front().is_some_and(|f| f.off > 0) {
            // Short write: the socket buffer is full.
            return Ok((freed, false));
        }
    }
    Ok((freed, true))
}

impl Conn {
    /// Queue raw bytes (handshake, HTTP reply) ahead of any message.
    pub(super) fn queue_raw(&self, bytes: Vec<u8>) {
        let f = Frame::control(&[], bytes);
        let mut wr = self.wr.lock();
        wr.q.push_back(f);
        wr.flushing = true;
    }

    /// The length prefix of an SP frame (tcp, ipc) of `size` bytes and
    /// its length; None for WebSocket, whose frames are made by `frame`.
    fn sp_prefix(&self, size: usize) -> Option<([u8; 14], usize)> {
        let mut prefix = [0u8; 14];
        match &self.role {
            Role::Sp { ipc: false } => {
                prefix[..8].copy_from_slice(&(size as u64).to_be_bytes());
                Some((prefix, 8))
            }
            Role::Sp { ipc: true } => {
                prefix[0] = IPC_MSG_NORMAL;
                prefix[1..9].copy_from_slice(&(size as u64).to_be_bytes());
                Some((prefix, 9))
            }
            Role::WsServer { .. } | Role::WsClient { .. } => None,
        }
    }

    pub(super) fn frame(&self, msg: Msg) -> Frame {
        let size = msg.size();
        let mut prefix = [0u8; 14];
        let plen;
        let mut masked = None;
        match &self.role {
            Role::Sp { .. } => {
                (prefix, plen) = self.sp_prefix(size).expect("an SP connection");
            }
            Role::WsServer { .. } | Role::WsClient { .. } => {
                let client = matches!(self.role, Role::WsClient { .. });
                let op = if self.attach.get().is_some_and(|a| a.ws_text) {
                    OP_TEXT
                } else {
                    OP_BINARY
                };
                let mask;
                (plen, mask) = send_header(&mut prefix, op, size, client);
                masked = mask.map(|k| masked_payload(&[&msg.hdr, msg.body.as_slice()], k));
            }
        }
        Frame {
            prefix,
            plen: plen as u8,
            body: match masked {
                Some(m) => Body::Own(m),
                None => Body::Msg(msg),
            },
            size,
            off: 0,
        }
    }

    pub(crate) fn send(self: &Arc<Self>, msg: Msg) -> Result<(), PushError> {
        self.push(Out::Owned(msg))
    }

    /// Send a message other pipes get too (fan-out). A frame that is corked
    /// is copied from it, so the connection takes no reference to the
    /// shared chunk; a peer that cannot take it now misses it.
    pub(crate) fn send_shared(self: &Arc<Self>, msg: &Msg) {
        let _ = self.push(Out::Shared(msg));
    }

    /// Queue `out` behind what the output holds (the reactor's, or a
    /// cork). A small SP frame is copied onto a run without making a
    /// `Frame` (nor a share of a shared message).
    fn enqueue(&self, wr: &mut Wr, out: Out<'_>) {
        let m = out.msg();
        let size = m.size();
        if let Some((prefix, plen)) = self.sp_prefix(size) {
            if plen + size <= SMALL_FRAME
                && wr.queue_small(&prefix[..plen], &m.hdr, m.body.as_slice(), size)
            {
                return;
            }
        }
        wr.queue(self.frame(out.into_owned()));
    }

    fn push(self: &Arc<Self>, out: Out<'_>) -> Result<(), PushError> {
        let Some(a) = self.attach.get() else {
            return Err(PushError::Closed(out.into_owned()));
        };
        let size = out.msg().size();
        let mut wr = self.wr.lock();
        if wr.failed || self.closed.load(Ordering::Acquire) {
            return Err(PushError::Closed(out.into_owned()));
        }
        if wr.bytes > 0 && wr.bytes + size > a.sndbuf {
            wr.producer_blocked = true;
            return Err(PushError::Full(out.into_owned()));
        }
        if wr.flushing {
            // The reactor owns the output: it takes this with the rest.
            self.enqueue(&mut wr, out);
            return Ok(());
        }
        // A lone message goes out at once; one that follows the socket's
        // previous send closely (`Pace`) is corked, and the sender writes
        // the cork itself when it is full (or the reactor when the cork
        // timer fires). One that finds a cork joins it without asking
        // (asking reads the clock): the cork timer bounds its wait.
        let burst = !wr.q.is_empty() || a.shared.pace.burst();
        // A lone message whose send has already written a few other
        // connections itself (a PUB's fan-out) is corked like a burst's:
        // the sender goes on instead of making a system call per peer,
        // and what it sends next (a lone message after a pause is often
        // the first of a burst) goes out in the same write.
        let cork_lone = !burst && !a.shared.pace.write_here();
        if burst || cork_lone {
            self.enqueue(&mut wr, out);
        } else {
            // Written at once from the chunk, copied only by `write_frames`.
            wr.bytes += size;
            let frame = self.frame(out.into_owned());
            wr.q.push_back(frame);
        }
        if !burst && !cork_lone || wr.bytes >= CORK_BYTES || wr.q.len() >= BATCH_FRAMES {
            if self.tls.is_some() {
                // TLS: the reactor encrypts and writes (see `secure`).
                wr.flushing = true;
                drop(wr);
                a.shared.pace.wrote();
                reactor::get().poke(self.clone());
                return Ok(());
            }
            let queued = std::mem::take(&mut wr.bytes);
            a.shared.pace.wrote();
            // SAFETY: we hold `wr` and found `wr.failed` false.
            let fd = unsafe { self.borrow_fd() };
            match write_frames(fd, &mut wr.q) {
                Ok((freed, done)) => {
                    wr.bytes = queued - freed;
                    if !done {
                        // Socket full: the reactor finishes on the next
                        // writable edge.
                        wr.flushing = true;
                        drop(wr);
                        reactor::get().poke(self.clone());
                    }
                }
                Err(_) => {
                    // The reactor notices the broken connection and ends
                    // the pipe; what was queued is lost with it, as upstream.
                    wr.bytes = queued;
                    wr.failed = true;
                    drop(wr);
                    reactor::get().poke(self.clone());
                }
            }
        } else if !wr.cork_armed {
            wr.cork_armed = true;
            drop(wr);
            self.after(Instant::now() + CORK_DELAY, Conn::uncork);
        }
        Ok(())
    }

    /// The cork timer (reactor thread): write what the sender left corked.
    pub(super) fn uncork(self: &Arc<Self>) {
        let go = {
            let mut wr = self.wr.lock();
            wr.cork_armed = false;
            let go = !wr.flushing && !wr.q.is_empty();
            if go {
                wr.flushing = true;
            }
            go
        };
        if go {
            self.flush();
        }
    }

    /// Has everything queued for the peer been written (or given up)?
    pub(super) fn flushed(&self) -> bool {
        if self.is_closed() {
            return true;
        }
        let wr = self.wr.lock();
        wr.q.is_empty() && !wr.flushing
    }

    /// Write queued frames (reactor thread). One lock of `wr` per batch
    /// both settles what the last write freed and takes the next frames:
    /// the sender contends for that lock on every message.
    pub(super) fn flush(self: &Arc<Self>) {
        if self.tls.is_some() {
            self.flush_tls()
        } else {
            self.flush_from(false)
        }
    }

    /// `flush`, on the reactor or (`here`) on a refused sender's thread
    /// (`flush_here`). Only output the reactor owns (`wr.flushing`) is
    /// written: once a flush has written everything and given the output
    /// back to the senders, another that comes late (a writable edge, a
    /// sender's poll) leaves what they queue since (a cork) alone, or it
    /// would race their own writes. Only the reactor turns its writable
    /// interest off (its callbacks come in order: a sender's poke that
    /// turns it on again runs after); a sender's flush leaves it on, and
    /// the next writable edge finds nothing to do.
    pub(super) fn flush_from(self: &Arc<Self>, here: bool) {
        if !self.connected.load(Ordering::Acquire) || self.is_closed() {
            return;
        }
        let mut fl = self.flight.lock();
        let mut freed = 0;
        loop {
            let (unblock, idle, gone) = {
                let mut wr = self.wr.lock();
                let unblock = self.written(&mut wr, freed);
                let mut idle = false;
                // Another flush gave the output back (see above).
                let gone = fl.q.is_empty() && !wr.flushing;
                if fl.q.is_empty() && !gone {
                    if wr.q.is_empty() {
                        wr.flushing = false;
                        if let Some(a) = self.attach.get() {
                            a.shared.pace.drained();
                        }
                        idle = true;
                    } else {
                        let n = wr.q.len().min(BATCH_FRAMES);
                        fl.q.extend(wr.q.drain(..n));
                    }
                }
                (unblock, idle, gone)
            };
            if gone {
                drop(fl);
                if unblock {
                    self.post(Event::Out(self.id));
                }
                return;
            }
            if unblock {
                // No event is posted while `flight` is held.
                drop(fl);
                self.post(Event::Out(self.id));
                fl = self.flight.lock();
            }
            if idle {
                drop(fl);
                if !here {
                    self.set_want_write(false);
                }
                if matches!(*self.phase.lock(), Phase::Closing) {
                    self.end(Ended::Closed);
                }
                return;
            }
            // SAFETY: a reactor callback that found `closed` false when it
            // began (checked at the top).
            let fd = unsafe { self.borrow_fd() };
            match write_frames(fd, &mut fl.q) {
                Ok((f, true)) => freed = f,
                Ok((f, false)) => {
                    // The socket is full; the next writable edge goes on.
                    let unblock = self.written(&mut self.wr.lock(), f);
                    drop(fl);
                    if unblock {
                        self.post(Event::Out(self.id));
                    }
                    self.set_want_write(true);
                    return;
                }
                Err(_) => {
                    drop(fl);
                    self.end(Ended::Broken);
                    return;
                }
            }
        }
    }

    /// Account for `freed` bytes written; true if a refused sender may now
    /// retry (post `Out` once `wr` is unlocked).
    pub(super) fn written(&self, wr: &mut Wr, freed: usize) -> bool {
        if freed == 0 {
            return false;
        }
        wr.bytes = wr.bytes.saturating_sub(freed);
        let sndbuf = self.attach.get().map_or(usize::MAX, |a| a.sndbuf);
        let unblock = wr.producer_blocked && wr.bytes < sndbuf;
        wr.producer_blocked &= !unblock;
        unblock
    }

    /// Send a control frame (pong, close) as soon as possible. Called on
    /// the reactor thread with `rd` held, so it posts nothing.
    ///
    /// When the reactor does not own the output, the frame is written
    /// straight to the socket: it must not wait behind corked data the peer
    /// may never read. Whatever the socket does not take (all of it, or
    /// the rest after a short write) is queued ahead of everything else and
    /// the reactor writes it first. When the output is already stuck, the
    /// frame is queued ahead of the data frames not yet started; a pong
    /// still waiting there is replaced by the new one (RFC 6455 5.5.3
    /// allows answering only the latest ping), so a peer that pings
    /// without reading holds at most a few pongs here.
    pub(super) fn send_control(self: &Arc<Self>, op: u8, mut payload: Vec<u8>) {
        let client = matches!(self.role, Role::WsClient { .. });
        let mut prefix = [0u8; 14];
        let (n, mask) = send_header(&mut prefix, op, payload.len(), client);
        if let Some(k) = mask {
            apply_mask(&mut payload, k, 0);
        }
        let f = Frame::control(&prefix[..n], payload);
        let mut wr = self.wr.lock();
        if wr.failed {
            return;
        }
        if wr.flushing {
            if op == OP_PONG {
                if let Some(old) = wr.q.iter_mut().find(|q| q.off == 0 && q.is_pong()) {
                    *old = f;
                    return;
                }
            }
            // The front frame may be partly written: never cut into it.
            let at = usize::from(wr.q.front().is_some_and(|q| q.off > 0));
            wr.q.insert(at, f);
            return;
        }
        if self.tls.is_some() {
            // Through the session, on the reactor: ahead of the cork (no
            // frame of which is partly written).
            wr.q.push_front(f);
            wr.flushing = true;
            drop(wr);
            reactor::get().poke(self.clone());
            return;
        }
        let mut one = VecDeque::from([f]);
        // SAFETY: we hold `wr` and found `wr.failed` false.
        let fd = unsafe { self.borrow_fd() };
        match write_frames(fd, &mut one) {
            Ok((_, true)) => return,
            Ok((_, false)) => {
                // Nothing queued is partly written (the reactor does not
                // own the output), so the rest goes first.
                let rest = one.pop_front().expect("the unwritten frame");
                wr.q.push_front(rest);
                wr.flushing = true;
            }
            Err(_) => wr.failed = true,
        }
        drop(wr);
        reactor::get().poke(self.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::msg::Chunk;

    #[test]
    fn a_writer_reuses_its_iovec_buffer() {
        let data = [7u8; 4];
        let mut v = lend_iov();
        v.extend((0..3 * BATCH_FRAMES).map(|_| IoSlice::new(&data)));
        let (ptr, cap) = (v.as_ptr() as usize, v.capacity());
        restore_iov(v);
        let again = lend_iov();
        assert!(again.is_empty());
        assert_eq!(
            (again.as_ptr() as usize, again.capacity()),
            (ptr, cap),
            "the same allocation"
        );
        restore_iov(again);
    }

    fn frame_of(prefix: &[u8], body: &[u8], off: usize) -> Frame {
        let mut f = Frame::control(prefix, Vec::new());
        f.body = Body::Msg(Msg::new(Chunk::from_slice(body).expect("chunk")));
        f.size = body.len();
        f.off = off;
        f
    }

    #[test]
    fn staged_and_direct_frames_reach_the_peer_in_order() {
        use std::io::Read;
        use std::os::fd::AsFd;
        use std::os::unix::net::UnixStream;
        let (a, mut b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        socket2::SockRef::from(&a)
            .set_send_buffer_size(4096)
            .unwrap();
        // Small frames (staged) around big ones (sent in place), one of
        // them already partly written, and more than one batch of them.
        let mut frames = VecDeque::new();
        let mut want = Vec::new();
        for i in 0..(BATCH_FRAMES + 40) {
            let n = match i % 7 {
                3 => SMALL_FRAME + 1 + i,
                5 => 3000,
                _ => i % 50,
            };
            let body: Vec<u8> = (0..n).map(|k| (i * 31 + k) as u8).collect();
            let prefix = (i as u64).to_be_bytes();
            let off = if i == 0 { 3 } else { 0 };
            let mut all = prefix.to_vec();
            all.extend_from_slice(&body);
            want.extend_from_slice(&all[off..]);
            frames.push_back(frame_of(&prefix, &body, off));
        }
        let mut got = Vec::new();
        let mut buf = vec![0u8; 8192];
        loop {
            let (_, done) = write_frames(a.as_fd(), &mut frames).unwrap();
            if done {
                break;
            }
            let n = b.read(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert!(frames.is_empty());
        drop(a);
        b.read_to_end(&mut got).unwrap();
        assert_eq!(got.len(), want.len());
        assert!(got == want, "the byte stream is the frames' bytes in order");
    }
}
