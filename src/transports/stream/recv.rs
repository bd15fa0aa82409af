//! The receive path: reading, cutting messages out of the bytes (SP or
//! WebSocket frames), delivery to the socket's queue.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use std::mem::MaybeUninit;
use std::os::fd::BorrowedFd;

use super::sys::{read, read_uninit_then, would_block};
use super::{Conn, Ended, Role};
use crate::core::msg::{Chunk, Msg};
use crate::core::sig::Event;
use crate::reactor;
use crate::transports::framing::{self, SpCut};
use crate::transports::ws::frame::{Deframer, WsEvent, WsStep, OP_CLOSE, OP_PONG};

const READ_BUF: usize = 64 * 1024;
/// Reads per readiness turn before other connections get theirs.
const READ_TURNS: usize = 32;
/// An unparsed tail up to this size is copied out of the reading thread's
/// buffer into one of its own size; a longer one keeps the whole buffer.
const SMALL_TAIL: usize = 8 * 1024;
/// A buffer grown larger than this (a long WebSocket frame) is not kept
/// as the thread's reading buffer.
const SCRATCH_MAX: usize = 4 * READ_BUF;

thread_local! {
    /// The reactor thread's reading buffer, lent to one connection at a
    /// time (`Reader::load`, `Reader::park`): a connection keeps no 64 KiB
    /// buffer between reads.
    static SCRATCH: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    /// The reactor thread's list of messages cut by one read, on their way
    /// to a connection's `inq`.
    static BATCH: Cell<Vec<Msg>> = const { Cell::new(Vec::new()) };
}

/// Free this thread's reading buffers (the reactor's, once many
/// connections went: see `trim`); the next read makes new ones.
pub(super) fn free_thread_buffers() {
    drop(SCRATCH.take());
    drop(BATCH.take());
}

#[derive(Default)]
pub(super) struct Reader {
    /// The received bytes not yet cut are `buf[start..end]`. While `pump`
    /// runs, `buf` is a reading buffer of at least `READ_BUF` bytes;
    /// between reads it holds only the tail (empty at rest), see `park`.
    pub(super) buf: Vec<u8>,
    pub(super) start: usize,
    pub(super) end: usize,
    /// A message too large for `buf`, being read straight into its body.
    pub(super) big: Option<(Chunk, usize)>,
    /// WebSocket: frames and the message being assembled from them.
    pub(super) ws: Deframer,
    /// Handshake bytes read so far.
    pub(super) hello: Vec<u8>,
}

impl Reader {
    /// Before reading: make `buf` a reading buffer. A tail kept with its
    /// buffer is read on in place; otherwise the thread's buffer is
    /// borrowed and the (small) tail copied to its front.
    fn load(&mut self) {
        if self.buf.len() >= READ_BUF {
            return;
        }
        let mut w = SCRATCH.take();
        if w.len() < READ_BUF {
            w = vec![0; READ_BUF];
        }
        let n = self.end - self.start;
        w[..n].copy_from_slice(&self.buf[self.start..self.end]);
        self.buf = w;
        self.start = 0;
        self.end = n;
    }

    /// After reading: give the reading buffer back to the thread, keeping
    /// only the tail, in a buffer of its own size (none when there is no
    /// tail). A long tail (part of a message up to half the buffer, or of
    /// a long WebSocket frame) keeps the whole buffer instead, so it is not
    /// copied again and again while the rest arrives; the thread makes
    /// itself a new one when it needs one.
    fn park(&mut self) {
        self.ws.release();
        let n = self.end - self.start;
        if n > SMALL_TAIL {
            return;
        }
        let tail = self.buf[self.start..self.end].to_vec();
        let mut w = std::mem::replace(&mut self.buf, tail);
        self.start = 0;
        self.end = n;
        if w.capacity() <= SCRATCH_MAX {
            w.truncate(READ_BUF);
            SCRATCH.set(w);
        }
    }
}

pub(super) struct InQ {
    pub(super) msgs: VecDeque<Msg>,
    pub(super) bytes: usize,
    /// Reading stopped because the queue is full.
    pub(super) paused: bool,
    /// The peer is gone; the socket hears `Closed` once it has read what
    /// arrived before that.
    pub(super) eof: bool,
    /// The socket closed this pipe: nobody reads any more, so nothing is
    /// kept.
    pub(super) discard: bool,
}

impl Conn {
    pub(crate) fn recv(self: &Arc<Self>) -> Option<(Msg, bool)> {
        let mut rx = self.rx.lock();
        let mut resume = false;
        let mut gone = false;
        if rx.is_empty() {
            let mut q = self.inq.lock();
            std::mem::swap(&mut *rx, &mut q.msgs);
            q.bytes = 0;
            resume = std::mem::take(&mut q.paused);
            gone = q.eof && rx.len() <= 1;
        }
        let m = rx.pop_front();
        // The next message was written on the reactor's core: start
        // fetching it while the caller handles this one.
        if let Some(n) = rx.front() {
            n.body.prefetch();
        }
        let mut more = !rx.is_empty();
        if m.is_some() && !more && !gone {
            // What reached `inq` since the swap is more, even if its `In`
            // was already taken.
            let q = self.inq.lock();
            more = !q.msgs.is_empty();
            gone = q.eof && !more;
        }
        drop(rx);
        // Paused reading resumes on the reactor, unless the socket's
        // receivers read this connection: the next one to wait reads on.
        if resume && self.reader.load(Ordering::SeqCst) == super::direct::BY_IO {
            reactor::get().poke(self.clone());
        }
        if gone && m.is_some() {
            self.post_closed();
        }
        m.map(|m| (m, more))
    }

    pub(crate) fn has_input(&self) -> bool {
        !self.rx.lock().is_empty() || !self.inq.lock().msgs.is_empty()
    }
    /// and of what still comes.
    pub(super) fn discard_input(&self) {
        let mut rx = self.rx.lock();
        let mut q = self.inq.lock();
        q.discard = true;
        q.msgs.clear();
        q.bytes = 0;
        rx.clear();
    }

    /// Hand parsed messages to the socket. False when the queue is now
    /// full and reading must pause.
    pub(super) fn deliver(&self, batch: &mut Vec<Msg>, cap: usize) -> bool {
        let mut q = self.inq.lock();
        if q.discard || !self.attach.get().is_some_and(|a| a.shared.recvs) {
            // Nobody will read it: the socket cannot receive (PUB, PUSH)
            // or has closed the pipe. Reading goes on, so the connection
            // still notices when the peer goes.
            batch.clear();
            return true;
        }
        let was_empty = q.msgs.is_empty();
        for m in batch.drain(..) {
            q.bytes += m.size();
            q.msgs.push_back(m);
        }
        let full = q.bytes >= cap;
        q.paused = full;
        drop(q);
        if was_empty {
            self.post(Event::In(self.id));
        }
        !full
    }

    /// Read and cut messages (reactor thread).
    pub(super) fn pump(self: &Arc<Self>) {
        self.pump_from(false)
    }

    /// Read and cut messages: on the reactor thread, or (`here`) on a
    /// receiver's thread that pinned the descriptor (`direct`). A receiver
    /// stops after a read that did not fill what it asked for (it polls
    /// before it reads again), saving the read that would say `EAGAIN`,
    /// and never pokes the reactor.
    pub(super) fn pump_from(self: &Arc<Self>, here: bool) {
        if self.closed.load(Ordering::Acquire) || self.inq.lock().paused {
            return;
        }
        let Some(a) = self.attach.get() else { return };
        // NN_RCVBUF and NN_RCVMAXSIZE apply to live connections too. They
        // are read again after every read: a message sent after
        // `nn_setsockopt` returned must meet the new limit even when this
        // loop started before (as upstream, which checks each header).
        let limits = || (a.shared.rcvbuf(), a.shared.rcvmaxsize());
        let mut rd = self.rd.lock();
        rd.load();
        let mut batch = BATCH.take();
        let mut turns = READ_TURNS;
        let mut drained = false;
        let outcome: Result<(), Ended> = loop {
            let (cap, maxsize) = limits();
            let cut = match self.role {
                Role::Sp { ipc } => cut_sp(&mut rd, maxsize, ipc, &mut batch),
                _ => self.cut_ws(&mut rd, maxsize, &mut batch),
            };
            if let Err(e) = cut {
                break Err(e);
            }
            if !batch.is_empty() && !self.deliver(&mut batch, cap) {
                break Ok(());
            }
            if drained {
                break Ok(());
            }
            if turns == 0 {
                if !here {
                    reactor::get().poke(self.clone());
                }
                break Ok(());
            }
            turns -= 1;
            if rd.big.is_none() && rd.end == rd.buf.len() {
                // A full buffer holding no complete message: make room.
                let (s, e) = (rd.start, rd.end);
                if s == 0 {
                    break Err(Ended::Dropped);
                }
                rd.buf.copy_within(s..e, 0);
                rd.start = 0;
                rd.end = e - s;
            }
            let (r, asked) = if self.tls.is_some() {
                // Only the reactor reads a TLS connection: no short-read stop.
                (self.tls_read_into(&mut rd), usize::MAX)
            } else {
                // SAFETY: a reactor callback that found `closed` false when it
                // began (checked at the top), or a receiver that pinned the
                // descriptor (`here`: see `direct`).
                let fd = unsafe { self.borrow_fd() };
                self.read_into(fd, &mut rd)
            };
            match r {
                Ok(0) => break Err(Ended::Broken),
                Ok(n) => drained = here && n < asked,
                Err(e) if would_block(&e) => break Ok(()),
                Err(_) => break Err(Ended::Broken),
            }
        };
        // Messages cut before an error are dropped with the connection.
        batch.clear();
        BATCH.set(batch);
        rd.park();
        drop(rd);
        if let Err(how) = outcome {
            self.end(how);
        }
    }

    /// One read of a plain descriptor into the buffer, or into the body
    /// of a large message, and how many bytes it asked for (fewer back
    /// means the kernel had no more).
    fn read_into(&self, fd: BorrowedFd<'_>, rd: &mut Reader) -> (std::io::Result<usize>, usize) {
        match &mut rd.big {
            Some((chunk, filled)) => {
                let rest = chunk.data().wrapping_add(*filled).cast::<MaybeUninit<u8>>();
                // SAFETY: the chunk is ours alone (allocated by `cut_sp`,
                // not yet handed out) and its body has `len - filled`
                // bytes after the `filled` ones, which nothing else
                // reads or writes while `rd` is held. They may be
                // uninitialized, hence `MaybeUninit`.
                let dst = unsafe { std::slice::from_raw_parts_mut(rest, chunk.len() - *filled) };
                // The next message's length prefix comes with the same
                // call (one system call per large message, not two);
                // its body, if large too, is read straight into a chunk
                // of its own next time round.
                let want = dst.len();
                let mut tail = [MaybeUninit::<u8>::uninit(); 16];
                let plen = framing::sp_prefix_len(matches!(self.role, Role::Sp { ipc: true }));
                let r = match read_uninit_then(fd, dst, &mut tail[..plen]) {
                    Ok(n) if n > want => {
                        *filled += want;
                        let extra = n - want;
                        // SAFETY: recvmsg wrote `extra` bytes into `tail`.
                        let got = tail[..extra].iter().map(|b| unsafe { b.assume_init() });
                        // The buffer is empty while a large body is read
                        // (`cut_sp` left start = end = 0).
                        let Reader { buf, end, .. } = rd;
                        for (d, b) in buf[*end..].iter_mut().zip(got) {
                            *d = b;
                        }
                        *end += extra;
                        Ok(n)
                    }
                    r => r.inspect(|&n| *filled += n),
                };
                (r, want + plen)
            }
            None => {
                let Reader { buf, end, .. } = rd;
                let asked = buf.len() - *end;
                (read(fd, &mut buf[*end..]).inspect(|&n| *end += n), asked)
            }
        }
    }

    /// Plaintext of a TLS connection into the buffer, or into the body
    /// of a large message (zeroed a read's worth at a time first: the
    /// session writes into initialized memory only).
    fn tls_read_into(self: &Arc<Self>, rd: &mut Reader) -> std::io::Result<usize> {
        match &mut rd.big {
            Some((chunk, filled)) => {
                let want = (chunk.len() - *filled).min(READ_BUF);
                let rest = chunk.data().wrapping_add(*filled);
                // SAFETY: the chunk is ours alone (see `pump_from`) and has
                // at least `want` bytes after the `filled` ones.
                unsafe { std::ptr::write_bytes(rest, 0, want) };
                // SAFETY: those `want` bytes, initialized just now, which
                // nothing else reads or writes while `rd` is held.
                let dst = unsafe { std::slice::from_raw_parts_mut(rest, want) };
                self.tls_read(dst).inspect(|&n| *filled += n)
            }
            None => {
                let Reader { buf, end, .. } = rd;
                self.tls_read(&mut buf[*end..]).inspect(|&n| *end += n)
            }
        }
    }

    /// WebSocket frames → messages; control frames answered here.
    pub(super) fn cut_ws(
        self: &Arc<Self>,
        rd: &mut Reader,
        maxsize: i64,
        out: &mut Vec<Msg>,
    ) -> Result<(), Ended> {
        let server = matches!(self.role, Role::WsServer { .. });
        loop {
            let Reader {
                buf,
                start,
                end,
                ws,
                ..
            } = &mut *rd;
            let step = ws
                .next(&buf[*start..*end], server, maxsize)
                .map_err(|_| Ended::Dropped)?;
            let (used, event) = match step {
                WsStep::Need(None) => break,
                WsStep::Need(Some(total)) => {
                    // Make room for the whole frame.
                    let have = rd.end - rd.start;
                    rd.buf.copy_within(rd.start..rd.end, 0);
                    rd.start = 0;
                    rd.end = have;
                    if total > rd.buf.len() {
                        let extra = total - rd.buf.len();
                        rd.buf.try_reserve(extra).map_err(|_| Ended::Dropped)?;
                        rd.buf.resize(total, 0);
                    }
                    break;
                }
                WsStep::Frame { used, event } => (used, event),
            };
            rd.start += used;
            match event {
                WsEvent::Fragment | WsEvent::Pong => {}
                WsEvent::Message => {
                    let m = rd.ws.take_message(Msg::from_slice);
                    out.push(m.map_err(|_| Ended::Dropped)?);
                }
                WsEvent::Ping(p) => self.send_control(OP_PONG, p),
                WsEvent::Close(mut p) => {
                    p.truncate(2);
                    self.send_control(OP_CLOSE, p);
                    return Err(Ended::Broken);
                }
            }
        }
        compact(rd);
        Ok(())
    }
}

/// SP framing (see `framing`): cut every whole message out of the buffer;
/// a large one gets its own body, read straight into.
pub(super) fn cut_sp(
    rd: &mut Reader,
    maxsize: i64,
    ipc: bool,
    out: &mut Vec<Msg>,
) -> Result<(), Ended> {
    loop {
        if let Some((chunk, filled)) = &rd.big {
            if *filled < chunk.len() {
                return Ok(());
            }
            let (chunk, _) = rd.big.take().expect("checked");
            out.push(Msg::new(chunk));
        }
        let avail = &rd.buf[rd.start..rd.end];
        match framing::sp_cut(avail, ipc, maxsize, rd.buf.len()) {
            Err(_) => return Err(Ended::Dropped),
            Ok(SpCut::Need) => break,
            Ok(SpCut::Msg { at, len }) => {
                let c = Chunk::from_slice(&avail[at..at + len]).map_err(|_| Ended::Dropped)?;
                rd.start += at + len;
                out.push(Msg::new(c));
            }
            Ok(SpCut::Large { at, len }) => {
                // Large: give it its own body and read the rest straight in.
                let have = avail.len() - at;
                let c = Chunk::alloc(len).map_err(|_| Ended::Dropped)?;
                // SAFETY: the source is `have` readable bytes of `avail`;
                // the destination is the body of `c`, a chunk just
                // allocated with `len` bytes and seen by nobody else, and
                // `have < len` (`Large` means the input holds only part of
                // the message). Two allocations, so no overlap.
                unsafe { std::ptr::copy_nonoverlapping(avail[at..].as_ptr(), c.data(), have) };
                rd.start = 0;
                rd.end = 0;
                rd.big = Some((c, have));
                return Ok(());
            }
        }
    }
    compact(rd);
    Ok(())
}

/// Keep the unparsed tail at the front of the buffer.
pub(super) fn compact(rd: &mut Reader) {
    if rd.start == rd.end {
        rd.start = 0;
        rd.end = 0;
    } else if rd.start > 0 && rd.buf.len() - rd.end < READ_BUF / 4 {
        rd.buf.copy_within(rd.start..rd.end, 0);
        rd.end -= rd.start;
        rd.start = 0;
    }
}
