//! Connections of the stream transports (tcp, ipc, ws): the handshake, the
//! message framing and the two queues that make a connection a pipe.
//!
//! One [`Conn`] per connected descriptor. After the handshake (the 8-byte SP
//! header of sp-tcp-mapping-01 / sp-ipc-mapping-01, or the WebSocket
//! upgrade) it becomes a pipe of its socket: the protocol sends into it and
//! receives from it through [`crate::core::pipe::Pipe`].
//!
//! Sending: when the outgoing queue is empty and the last send was not just
//! now, the caller's thread writes the frame itself with one `sendmsg`
//! (latency). Otherwise the frame is queued and the reactor writes queued
//! frames many per `sendmsg` (throughput: a sender in a tight loop hands its
//! messages over without a syscall each). The reactor also takes over when
//! a direct write could not finish.
//!
//! Receiving: the reactor (or a blocked receiver of a socket whose only
//! pipe this is: see `direct`) reads up to 64 KiB at a time (into its thread's
//! buffer; a connection keeps only an unparsed tail between reads) and
//! cuts every complete message out of it; a message larger than half the
//! buffer is read straight into its own body. `NN_RCVMAXSIZE` is checked against the
//! length prefix before anything is allocated. When the socket's receive
//! queue holds `NN_RCVBUF` bytes, reading stops until the socket takes
//! messages out.
//!
//! Locks: `rd` (the reactor, or a receiver reading here: see `direct`) →
//! `flight` (reactor only) → `tls` → `wr` → `inq`, then `Sig` as always;
//! `arm` (around `epoll_ctl`) is a leaf. No event is posted while `rd`,
//! `flight`, `tls` or `wr` is held (posting may run the socket's protocol,
//! which may send into this very connection).
//!
//! TLS (`tls+tcp://`, `wss://`, see `secure`): one session carries both
//! directions, so it has one lock, `tls`, taken by the reader under `rd`
//! (decrypting; it flushes what the session answers, and may take `wr`
//! to hand output to the reactor), by the reactor's flush under `flight`
//! (encrypting and writing), and by `end` (close_notify), which is never
//! called holding `rd`, `flight` or `tls`. A TLS connection has no
//! caller-thread fast paths: no direct write by a sender, no reading by
//! a blocked receiver (`direct`), no flush by a refused sender. The
//! reactor does all its I/O; a sender's message is queued and the
//! reactor poked, as for a cork.
//!
//! Files: this one holds the connection, its life (`start`, `close`, `end`,
//! `release`) and the reactor's entry points; `send` the send path (cork,
//! direct writes, the reactor's flush, control frames); `recv` the receive
//! path (reading, cutting messages, delivery); `handshake` the SP header
//! and the WebSocket upgrade; `secure` the TLS session's reads, flushes
//! and close; `sets` the connection sets and the wait at
//! exit; `sys` the system calls. The children use this module's `Conn`;
//! of each other, `handshake` uses `send` and `recv`, and `recv` uses
//! `send` (to answer pings), never the other way round.

mod direct;
mod handshake;
mod recv;
mod secure;
mod send;
mod sets;
mod sys;
mod trim;

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::AtomicU8;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::core::msg::Msg;
use crate::core::pipe::{new_pipe_id, PipeEnd, PipeId, PushError};
use crate::core::shared::Shared;
use crate::core::sig::Event;
use crate::reactor::{self, Source, TimerId};
use crate::transports::tls::session::Session;
use crossbeam_utils::CachePadded;

use recv::{InQ, Reader};
use send::{Flight, Wr};
pub(crate) use sets::{linger_at_exit, ConnSet};
use sets::{linger_deadline, SetInner, LIVE};

/// How long a peer may take over the SP header or the WebSocket upgrade.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_millis(5000);

/// What a connection serves once it is a pipe: which socket, endpoint and
/// limits. Fixed when the connection is made (for a WebSocket server, when
/// the upgrade request names the path).
pub struct Attach {
    /// The socket's mailbox, statistics and live options.
    pub shared: Arc<Shared>,
    pub eid: i32,
    pub prios: (u8, u8),
    pub sndbuf: usize,
    /// `NN_WS_MSG_TYPE` is text.
    pub ws_text: bool,
    /// Told when the connection ends (a dialer reconnects).
    pub hooks: Weak<dyn Hooks>,
}

impl Attach {
    fn stat(&self, f: impl FnOnce(&crate::core::stats::Stats)) {
        f(&self.shared.stats);
    }
}

/// How a connection ended, for the statistics and the endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The peer went away or the connection failed (broken).
    Broken,
    /// We dropped it: bad header, incompatible protocol, oversized message.
    Dropped,
    /// Our side closed it (socket close, pipe rejected).
    Closed,
    /// Its endpoint was shut down (`nn_shutdown`): counted as dropped.
    Shutdown,
}

pub trait Hooks: Send + Sync {
    /// A connect completed (the handshake follows).
    fn connected(&self, _conn: &Arc<Conn>) {}
    /// The connection is over. `was_pipe` says whether it got past the handshake.
    fn ended(&self, _conn: &Arc<Conn>, _how: Ended, _was_pipe: bool) {}
}

/// Where a WebSocket server connection finds its endpoint by path.
pub trait WsRouter: Send + Sync {
    /// `Err(status)` for an HTTP error reply.
    fn route(&self, conn: &Arc<Conn>, path: &str, proto: &str) -> Result<Attach, u16>;
}

/// The wire format after the handshake.
pub enum Role {
    /// SP framing; over ipc each message also carries a type byte.
    Sp {
        ipc: bool,
    },
    WsClient {
        request: Vec<u8>,
        accept: String,
    },
    WsServer {
        router: Arc<dyn WsRouter>,
    },
}

enum Phase {
    /// A non-blocking connect is under way.
    Connecting,
    /// Waiting for the peer's header / upgrade.
    Hello,
    Active,
    /// Our side closed the pipe; flushing what is queued, then gone.
    Closing,
    Dead,
}

/// Where a connection stands with its socket (`Conn::pipe`): a socket hears
/// `Added` once and then `Closed` once, in that order, whichever threads
/// race to end the connection.
const PIPE_NEW: u8 = 0;
/// `Added` was posted.
const PIPE_ADDED: u8 = 1;
/// `Closed` was posted (or the connection ended before it was a pipe).
const PIPE_GONE: u8 = 2;
/// The connection ended while `Added` was on its way: `activate` posts
/// `Closed` right after it.
const PIPE_CLOSE_PENDING: u8 = 3;

pub struct Conn {
    /// The descriptor's number, valid while `sock` holds it. Used only by
    /// the sender under `wr` while `!wr.failed`, and by reactor callbacks
    /// that checked `closed` first; `release` closes it on the reactor
    /// thread after the connection ended, so no such user can still hold
    /// the number when it is reused.
    fd: RawFd,
    sock: Mutex<Option<socket2::Socket>>,
    key: AtomicUsize,
    /// `PIPE_NEW`, `PIPE_ADDED`, `PIPE_GONE` or `PIPE_CLOSE_PENDING`.
    pipe: AtomicU8,
    /// The `ConnSet`s this connection is in, left when it ends.
    sets: Mutex<Vec<Weak<SetInner>>>,
    pub id: PipeId,
    role: Role,
    attach: OnceLock<Attach>,
    phase: Mutex<Phase>,
    rd: Mutex<Reader>,
    flight: Mutex<Flight>,
    /// The sender's and the reactor's meeting point, on its own cache line.
    wr: CachePadded<Mutex<Wr>>,
    inq: CachePadded<Mutex<InQ>>,
    /// A TLS connection's session (`secure`): both directions go through
    /// it, under this one lock (between `flight` and `wr` in the lock
    /// order). `None` inside once the connection is released. Boxed, so a
    /// plain connection pays one word for it.
    tls: Option<Box<Mutex<Option<Session>>>>,
    /// The consumer's side of the receive queue: taken from `inq` a whole
    /// batch at a time, so the socket and the reactor rarely meet on a lock.
    rx: Mutex<VecDeque<Msg>>,
    closed: AtomicBool,
    born: Instant,
    /// The errno that ended the connection (for `NN_PRINT_ERRORS`).
    last_err: std::sync::atomic::AtomicI32,
    connected: AtomicBool,
    /// Writable edges are asked for (set on the reactor thread).
    want_write: AtomicBool,
    /// Who reads: the reactor or the socket's receivers (`direct`).
    reader: AtomicU8,
    /// Threads using the descriptor outside the reactor (`direct`).
    pins: std::sync::atomic::AtomicU32,
    /// Serialises `epoll_ctl`s of this descriptor (`direct::rearm`).
    arm: Mutex<()>,
    /// Receives that read here (`direct`), and the count a lease check saw.
    uses: std::sync::atomic::AtomicU32,
    lease_seen: std::sync::atomic::AtomicU32,
    lease_armed: AtomicBool,
    /// The handshake limit, then the linger limit once the socket closed
    /// the pipe; cancelled by `end`.
    timer: Mutex<Option<TimerId>>,
    /// Last: counts this connection until the rest of it is freed.
    _live: trim::Counted,
}

impl Conn {
    /// A connection on a connected, non-blocking descriptor. For `Role::Sp`
    /// and `Role::WsClient`, `attach` is known now.
    pub fn start(
        fd: socket2::Socket,
        role: Role,
        attach: Option<Attach>,
        connecting: bool,
        tls: Option<Session>,
    ) -> io::Result<Arc<Conn>> {
        let conn = Arc::new(Conn {
            fd: fd.as_raw_fd(),
            sock: Mutex::new(Some(fd)),
            key: AtomicUsize::new(0),
            pipe: AtomicU8::new(PIPE_NEW),
            sets: Mutex::new(Vec::new()),
            id: new_pipe_id(),
            role,
            attach: OnceLock::new(),
            phase: Mutex::new(if connecting {
                Phase::Connecting
            } else {
                Phase::Hello
            }),
            rd: Mutex::new(Reader::default()),
            flight: Mutex::new(Flight::default()),
            wr: CachePadded::new(Mutex::new(Wr {
                q: VecDeque::new(),
                bytes: 0,
                flushing: false,
                producer_blocked: false,
                failed: false,
                cork_armed: false,
            })),
            rx: Mutex::new(VecDeque::new()),
            inq: CachePadded::new(Mutex::new(InQ {
                msgs: VecDeque::new(),
                bytes: 0,
                paused: false,
                eof: false,
                discard: false,
            })),
            tls: tls.map(|s| Box::new(Mutex::new(Some(s)))),
            closed: AtomicBool::new(false),
            born: Instant::now(),
            last_err: std::sync::atomic::AtomicI32::new(libc::ECONNRESET),
            connected: AtomicBool::new(!connecting),
            want_write: AtomicBool::new(false),
            reader: AtomicU8::new(direct::BY_IO),
            pins: std::sync::atomic::AtomicU32::new(0),
            arm: Mutex::new(()),
            uses: std::sync::atomic::AtomicU32::new(0),
            lease_seen: std::sync::atomic::AtomicU32::new(0),
            lease_armed: AtomicBool::new(false),
            timer: Mutex::new(None),
            _live: trim::Counted::new(),
        });
        if let Some(a) = attach {
            conn.set_attach(a);
        }
        // Our half of the handshake goes first; it always fits a fresh socket.
        let hello: Option<Vec<u8>> = match &conn.role {
            Role::Sp { .. } => {
                let p = conn.attach.get().map(|a| a.shared.protocol).unwrap_or(0) as u16;
                let mut h = vec![0, b'S', b'P', 0];
                h.extend_from_slice(&p.to_be_bytes());
                h.extend_from_slice(&[0, 0]);
                Some(h)
            }
            Role::WsClient { request, .. } => Some(request.clone()),
            Role::WsServer { .. } => None,
        };
        if let Some(h) = hello {
            conn.queue_raw(h);
        }
        LIVE.add(&conn);
        let r = reactor::get();
        // A connect in progress reports itself as writable.
        conn.want_write.store(connecting, Ordering::Relaxed);
        let key = r.new_key();
        conn.key.store(key, Ordering::Release);
        if let Err(e) = r.add(key, conn.fd, conn.clone(), connecting) {
            conn.leave_sets();
            return Err(e);
        }
        let t = conn.after(Instant::now() + HANDSHAKE_TIMEOUT, |c| {
            if matches!(*c.phase.lock(), Phase::Hello | Phase::Connecting) {
                c.end(Ended::Dropped);
            }
        });
        *conn.timer.lock() = Some(t);
        // Anything already readable arrives as the first edge.
        r.poke(conn.clone());
        Ok(conn)
    }

    fn set_attach(&self, a: Attach) {
        let _ = self.attach.set(a);
    }

    fn fd(&self) -> RawFd {
        self.fd
    }

    /// The descriptor, borrowed for a system call.
    ///
    /// # Safety
    ///
    /// The descriptor must stay open while the result lives. It is open
    /// from `start` until `release` closes it, which happens only on the
    /// reactor thread, as a callback of its own, after `closed` was set,
    /// under `wr` with `wr.failed` set, and not while the descriptor is
    /// pinned. So the caller must be a reactor callback that found `closed`
    /// false when it began (`release` cannot run before that callback
    /// returns), a holder of `wr` that found `wr.failed` false (`release`
    /// waits for `wr`), or a receiver reading here (`direct`: it pinned the
    /// descriptor before it found `closed` false).
    unsafe fn borrow_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: `self.fd` came from the socket `start` was given, and the
        // caller keeps it open while the result lives (see `# Safety`).
        unsafe { BorrowedFd::borrow_raw(self.fd) }
    }

    /// Past the handshake and not yet closed by the socket.
    pub(crate) fn is_pipe(&self) -> bool {
        matches!(*self.phase.lock(), Phase::Active)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    // ---- the pipe side (called by protocols under the socket lock) ----

    /// The socket is done with this pipe. The socket hears `Closed` at
    /// once; what is queued is still written for up to the socket's
    /// `NN_LINGER` (negative: no limit), then the connection ends.
    pub(crate) fn close(self: &Arc<Self>) {
        self.discard_input();
        self.post_closed();
        {
            let mut ph = self.phase.lock();
            if !matches!(*ph, Phase::Active) {
                drop(ph);
                self.end(Ended::Closed);
                return;
            }
            *ph = Phase::Closing;
        }
        let linger = self.linger();
        if linger == 0 {
            self.end(Ended::Closed);
            return;
        }
        if let Some(limit) = linger_deadline(linger) {
            // In the handshake timer's place (cancelled by `activate`), so
            // that `end` cancels it too.
            let t = self.after(limit, |c| c.end(Ended::Closed));
            if let Some(old) = self.timer.lock().replace(t) {
                reactor::get().cancel(old);
            }
            if self.is_closed() {
                // `end` came first and found no timer to cancel.
                if let Some(t) = self.timer.lock().take() {
                    reactor::get().cancel(t);
                }
            }
        }
        reactor::get().poke(self.clone());
    }

    /// `nn_shutdown` or a protocol refusing the pipe: the socket is done
    /// with it and what is queued either way is dropped.
    pub(crate) fn drop_pipe(self: &Arc<Self>) {
        self.discard_input();
        self.end(Ended::Shutdown);
        self.post_closed();
    }

    /// The socket reads no more from this pipe: let go of what is queued
    /// Tell the socket the pipe is gone: once, and only after `Added`.
    fn post_closed(&self) {
        let was = self
            .pipe
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| match s {
                PIPE_NEW => Some(PIPE_CLOSE_PENDING),
                PIPE_ADDED => Some(PIPE_GONE),
                _ => None,
            });
        if was == Ok(PIPE_ADDED) {
            self.post(Event::Closed(self.id));
        }
    }

    /// The socket's `NN_LINGER` in milliseconds.
    fn linger(&self) -> i32 {
        self.attach
            .get()
            .map_or(crate::core::options::DEFAULT_LINGER, |a| a.shared.linger())
    }

    // ---- the reactor side ----

    /// Tear the connection down once: unregister, close the descriptor's
    /// traffic, tell the socket and the endpoint.
    ///
    /// This is the one way a connection ends, whoever ends it (the peer,
    /// the socket, the endpoint, a timer) and on whatever thread. Afterwards
    /// the connection holds no descriptor (closed by `release` on the
    /// reactor thread), no buffer and no queued message, except what the
    /// peer sent before it went, which stays readable until the socket takes
    /// it; `Closed` follows then.
    pub(crate) fn end(self: &Arc<Self>, how: Ended) {
        // SeqCst: Dekker with `direct::pin`.
        if self.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        self.leave_sets();
        let was_pipe = {
            let mut ph = self.phase.lock();
            let was = matches!(*ph, Phase::Active | Phase::Closing);
            *ph = Phase::Dead;
            was
        };
        // What the peer sent before it went stays readable: the socket hears
        // `Closed` when it has taken the last of it (see `recv`).
        let deferred = {
            let mut rx = self.rx.lock();
            let mut q = self.inq.lock();
            let keep = how == Ended::Broken
                && !q.discard
                && self.pipe.load(Ordering::Acquire) == PIPE_ADDED
                && !(q.msgs.is_empty() && rx.is_empty());
            if keep {
                q.eof = true;
            } else {
                q.msgs.clear();
                q.bytes = 0;
                rx.clear();
            }
            keep
        };
        if !deferred {
            self.post_closed();
        }
        if let Some(t) = self.timer.lock().take() {
            reactor::get().cancel(t);
        }
        reactor::get().remove(self.fd(), self.key.load(Ordering::Acquire));
        // TLS: close_notify (or the alert of a failed session) goes out
        // if the socket takes it now; nothing waits for it.
        self.tls_close();
        if let Some(s) = self.sock.lock().as_ref() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        {
            let mut wr = self.wr.lock();
            wr.q.clear();
            wr.bytes = 0;
            wr.failed = true;
        }
        // The descriptor and the buffers go on the reactor thread, after
        // whatever callback may be using them now (see `release`).
        reactor::get().poke(self.clone());
        if let Some(a) = self.attach.get() {
            // As upstream: a connection that failed after it was made
            // (peer gone, bad header, oversized message) is broken; one
            // that `nn_shutdown` took away is dropped.
            match how {
                Ended::Broken | Ended::Dropped if self.was_connected() => a.stat(|s| {
                    s.broken_connections.fetch_add(1, Ordering::Relaxed);
                }),
                Ended::Shutdown if was_pipe => a.stat(|s| {
                    s.dropped_connections.fetch_add(1, Ordering::Relaxed);
                }),
                _ => {}
            }
            if let Some(h) = a.hooks.upgrade() {
                h.ended(self, how, was_pipe);
            }
        }
    }

    /// Post to the socket this connection serves (if it is one's pipe yet).
    fn post(&self, ev: Event) {
        if let Some(a) = self.attach.get() {
            a.shared.sig.post(ev);
        }
    }

    /// Run `f` on the reactor thread at `at`, if the connection still exists.
    fn after(self: &Arc<Self>, at: Instant, f: fn(&Arc<Conn>)) -> TimerId {
        let weak = Arc::downgrade(self);
        reactor::get().at(
            at,
            Box::new(move || {
                if let Some(c) = weak.upgrade() {
                    f(&c);
                }
            }),
        )
    }

    fn set_want_write(&self, on: bool) {
        if self.want_write.swap(on, Ordering::SeqCst) != on && !self.is_closed() {
            self.rearm();
        }
    }
}

/// A connection as its socket's pipe end.
struct ConnEnd(Arc<Conn>);

impl PipeEnd for ConnEnd {
    fn send(&self, msg: Msg) -> Result<(), PushError> {
        self.0.send(msg)
    }
    fn send_shared(&self, msg: &Msg) {
        self.0.send_shared(msg)
    }
    fn prefetch_send(&self) {
        // The output's lock and state, which the reactor's flush wrote.
        crate::core::hint::prefetch_write(&*self.0.wr);
    }
    fn recv(&self) -> Option<(Msg, bool)> {
        self.0.recv()
    }
    fn has_input(&self) -> bool {
        self.0.has_input()
    }
    fn close(&self) {
        self.0.close()
    }
    fn close_discarding(&self) {
        self.0.drop_pipe()
    }
    fn is_network(&self) -> bool {
        true
    }
    fn read_here_begin(&self) -> Option<i32> {
        self.0.read_here_begin()
    }
    fn read_here(&self) -> bool {
        self.0.read_here()
    }
    fn read_here_end(&self) {
        self.0.read_here_end()
    }
    fn read_by_io_thread(&self) {
        self.0.give_back()
    }
    fn flush_here_begin(&self) -> Option<i32> {
        self.0.flush_here_begin()
    }
    fn flush_here(&self) -> bool {
        self.0.flush_here()
    }
    fn flush_here_end(&self) {
        self.0.unpin()
    }
}

impl Source for Conn {
    fn ready(self: Arc<Self>, readable: bool, writable: bool) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        let connecting = !self.connected.load(Ordering::Acquire);
        if writable && !connecting && self.wr.lock().flushing {
            self.flush();
        }
        if connecting || readable && self.edge_while_direct() {
            self.step();
        }
    }

    fn poked(self: Arc<Self>) {
        if self.closed.load(Ordering::Acquire) {
            self.release();
            return;
        }
        let (failed, flushing, idle) = {
            let mut wr = self.wr.lock();
            if !wr.flushing && !wr.q.is_empty() && self.connected.load(Ordering::Acquire) {
                wr.flushing = true; // a closing pipe flushes its cork too
            }
            (wr.failed, wr.flushing, wr.q.is_empty())
        };
        if failed {
            self.end(Ended::Broken);
            return;
        }
        if flushing {
            self.flush();
        } else if idle && matches!(*self.phase.lock(), Phase::Closing) {
            self.end(Ended::Closed);
            return;
        }
        self.step();
    }
}

impl Conn {
    /// After `end`, on the reactor thread: close the descriptor and free
    /// the buffers. Every reactor callback checks `closed` before it
    /// touches the descriptor, and the sender writes only under `wr` while
    /// `!wr.failed`: closing under `wr` with `failed` set (as `end` did
    /// already, but an older poke may get here first) means no write is
    /// under way or still to come, so the number is no longer in use.
    fn release(&self) {
        if self.pinned() {
            return; // the last receiver to unpin pokes us again
        }
        {
            let mut wr = self.wr.lock();
            wr.failed = true;
            drop(self.sock.lock().take());
        }
        *self.rd.lock() = Reader::default();
        *self.flight.lock() = Flight::default();
        if let Some(t) = &self.tls {
            drop(t.lock().take());
        }
        // The pool filled for this connection's traffic need not outlive it.
        crate::core::pool::trim();
    }

    fn step(self: &Arc<Self>) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        let phase = match *self.phase.lock() {
            Phase::Connecting => 0,
            Phase::Hello => 1,
            _ => 2,
        };
        match phase {
            0 => self.check_connect(),
            1 => self.handshake(),
            _ => self.pump(),
        }
    }

    /// A readiness edge while connecting: did the connect succeed?
    fn check_connect(self: &Arc<Self>) {
        let (err, peer, to_self) = match self.sock.lock().as_ref() {
            Some(s) => {
                let err = s.take_error();
                let peer = s.peer_addr().is_ok();
                (err, peer, peer && super::tcp::drop_if_self_connected(s))
            }
            None => return,
        };
        match err {
            Ok(None) => {}
            Ok(Some(e)) | Err(e) => {
                let errnum = e.raw_os_error().unwrap_or(libc::ECONNREFUSED);
                self.last_err.store(errnum, Ordering::Relaxed);
                self.end(Ended::Broken);
                return;
            }
        }
        if !peer {
            return; // not yet: the next edge tells
        }
        if to_self {
            // No peer listens there: a failed attempt, as if refused.
            self.last_err.store(libc::ECONNREFUSED, Ordering::Relaxed);
            self.end(Ended::Broken);
            return;
        }
        *self.phase.lock() = Phase::Hello;
        self.connected.store(true, Ordering::Release);
        self.set_want_write(false);
        if let Some(h) = self.attach.get().and_then(|a| a.hooks.upgrade()) {
            h.connected(self);
        }
        self.flush();
        self.handshake();
    }

    pub(crate) fn last_error(&self) -> i32 {
        self.last_err.load(Ordering::Relaxed)
    }

    /// How long ago the connection was made.
    pub(crate) fn age(&self) -> Duration {
        self.born.elapsed()
    }

    /// Did the connection get past connecting?
    pub(crate) fn was_connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Conn({}, fd {})", self.id, self.fd())
    }
}

#[cfg(test)]
mod tests;
