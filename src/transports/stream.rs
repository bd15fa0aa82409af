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
//! Receiving: the reactor reads up to 64 KiB at a time and cuts every
//! complete message out of it; a message larger than the buffer is read
//! straight into its own body. `NN_RCVMAXSIZE` is checked against the
//! length prefix before anything is allocated. When the socket's receive
//! queue holds `NN_RCVBUF` bytes, reading stops until the socket takes
//! messages out.
//!
//! Locks: `rd` (reactor only) → `flight` (reactor only) → `wr` → `inq`,
//! then `Sig` as always. No event is posted while `rd`, `flight` or `wr` is
//! held (posting may run the socket's protocol, which may send into this
//! very connection).

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::AtomicU8;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::core::msg::{Chunk, Msg};
use crate::core::pipe::{new_pipe_id, Pipe, PipeEnd, PipeId, PushError};
use crate::core::shared::Shared;
use crate::core::sig::Event;
use crate::reactor::{self, Source, TimerId};
use crate::transports::framing::{self, SpCut, IPC_MSG_NORMAL};
use crate::transports::ws;
use crossbeam_utils::CachePadded;

const READ_BUF: usize = 64 * 1024;
/// Frames handed to one `sendmsg` at most (IOV_MAX is 1024; three slices each).
const BATCH_FRAMES: usize = 256;
/// A send this soon after the previous one is corked: a stream of sends
/// is written in batches; a lone send is written at once.
const BATCH_GAP: Duration = Duration::from_micros(15);
/// A cork is written when it holds this much...
const CORK_BYTES: usize = 16 * 1024;
/// ...or when it is this old.
const CORK_DELAY: Duration = Duration::from_micros(40);
/// Reads per readiness turn before other connections get theirs.
const READ_TURNS: usize = 32;
/// How long a peer may take over the SP header or the WebSocket upgrade.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_millis(5000);
fn linger_deadline(linger_ms: i32) -> Option<Instant> {
    (linger_ms >= 0).then(|| Instant::now() + Duration::from_millis(linger_ms as u64))
}

type SetInner = Mutex<BTreeMap<PipeId, Weak<Conn>>>;

/// A set of connections that someone must be able to end or wait for (an
/// endpoint's, a WebSocket port's, the process's), without keeping them
/// alive. A connection leaves every set it is in when it ends (`Conn::end`),
/// whoever is told about the end: a `Weak` left behind would keep its
/// memory.
pub(crate) struct ConnSet(Arc<SetInner>);

impl ConnSet {
    pub(crate) fn new() -> ConnSet {
        ConnSet(Arc::new(Mutex::new(BTreeMap::new())))
    }

    pub(crate) fn add(&self, conn: &Arc<Conn>) {
        conn.sets.lock().push(Arc::downgrade(&self.0));
        let mut set = self.0.lock();
        set.insert(conn.id, Arc::downgrade(conn));
        // It may have ended meanwhile, before it could leave.
        if conn.is_closed() {
            set.remove(&conn.id);
        }
    }

    fn live(&self) -> Vec<Arc<Conn>> {
        self.0.lock().values().filter_map(Weak::upgrade).collect()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.lock().len()
    }

    /// The endpoint goes. With `graceful` (its socket is closing) pipes are
    /// left to the socket, which closes them with linger; otherwise
    /// (`nn_shutdown`) every connection ends now.
    pub(crate) fn end_all(&self, graceful: bool) {
        let all = std::mem::take(&mut *self.0.lock());
        for c in all.into_values().filter_map(|c| c.upgrade()) {
            if !(graceful && c.is_pipe()) {
                c.end(if graceful {
                    Ended::Closed
                } else {
                    Ended::Shutdown
                });
            }
        }
    }
}

/// Every connection that may still have something to write, for the wait
/// at exit.
static LIVE: std::sync::LazyLock<ConnSet> = std::sync::LazyLock::new(ConnSet::new);

/// At exit (the library's destructor): give every connection's queued
/// messages (corked ones included) up to its socket's `NN_LINGER` to
/// reach the peer, whether or not the program closed its sockets. Returns
/// at once when nothing is pending.
pub(crate) fn linger_at_exit() {
    let conns = LIVE.live();
    let mut pending: Vec<(Arc<Conn>, Option<Instant>)> = Vec::new();
    for c in conns {
        if c.flushed() {
            continue;
        }
        let limit = linger_deadline(c.linger());
        reactor::get().poke(c.clone()); // writes a cork at once
        pending.push((c, limit));
    }
    while !pending.is_empty() {
        let now = Instant::now();
        pending.retain(|(c, limit)| !c.flushed() && limit.is_none_or(|l| now < l));
        if !pending.is_empty() {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// What a connection serves once it is a pipe: which socket, endpoint and
/// limits. Fixed when the connection is made (for a WebSocket server, when
/// the upgrade request names the path).
pub struct Attach {
    /// The socket's mailbox, statistics and live options.
    pub shared: Arc<Shared>,
    pub eid: i32,
    pub prios: (u8, u8),
    /// `NN_RCVMAXSIZE` when the endpoint was made; negative is unlimited.
    #[allow(dead_code)] // TODO: goes with the stream.rs split (Shared has the live value)
    pub rcvmaxsize: i64,
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

#[derive(Default)]
struct Reader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// A message too large for `buf`, being read straight into its body.
    big: Option<(Chunk, usize)>,
    /// WebSocket: frames and the message being assembled from them.
    ws: ws::Deframer,
    batch: Vec<Msg>,
    /// Handshake bytes read so far.
    hello: Vec<u8>,
}

struct Frame {
    prefix: [u8; 14],
    plen: u8,
    msg: Msg,
    /// WebSocket client frames: header and body masked into one buffer.
    masked: Option<Vec<u8>>,
    /// Bytes of this frame already written.
    off: usize,
}

impl Frame {
    fn len(&self) -> usize {
        self.plen as usize
            + match &self.masked {
                Some(m) => m.len(),
                None => self.msg.size(),
            }
    }

    /// A WebSocket pong (see `Conn::send_control`).
    fn is_pong(&self) -> bool {
        self.plen >= 2 && self.prefix[0] == 0x80 | ws::OP_PONG && self.masked.is_some()
    }

    fn control(prefix: &[u8], payload: Vec<u8>) -> Frame {
        let mut p = [0u8; 14];
        p[..prefix.len()].copy_from_slice(prefix);
        Frame {
            prefix: p,
            plen: prefix.len() as u8,
            msg: Msg::new(Chunk::from_slice(&[]).expect("empty chunk")),
            masked: Some(payload),
            off: 0,
        }
    }

    /// Append the unwritten parts to `iov`.
    fn slices(&self, iov: &mut Vec<libc::iovec>) {
        let mut skip = self.off;
        let body: &[u8] = self.msg.body.as_slice();
        let parts: [&[u8]; 3] = match &self.masked {
            Some(m) => [&self.prefix[..self.plen as usize], m, &[]],
            None => [&self.prefix[..self.plen as usize], &self.msg.hdr, body],
        };
        for p in parts {
            if skip >= p.len() {
                skip -= p.len();
                continue;
            }
            let s = &p[skip..];
            skip = 0;
            iov.push(libc::iovec {
                iov_base: s.as_ptr() as *mut libc::c_void,
                iov_len: s.len(),
            });
        }
    }
}

struct Wr {
    q: VecDeque<Frame>,
    /// Bytes queued or in flight (bounded by `NN_SNDBUF`).
    bytes: usize,
    /// The reactor owns the output: frames are in flight or queued.
    flushing: bool,
    producer_blocked: bool,
    /// A write failed; the reactor tears the connection down.
    failed: bool,
    /// The cork timer is set (see `send`).
    cork_armed: bool,
    last_send: Option<Instant>,
}

struct InQ {
    msgs: VecDeque<Msg>,
    bytes: usize,
    /// Reading stopped because the queue is full.
    paused: bool,
    /// The peer is gone; the socket hears `Closed` once it has read what
    /// arrived before that.
    eof: bool,
    /// The socket closed this pipe: nobody reads any more, so nothing is
    /// kept.
    discard: bool,
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
    flight: Mutex<VecDeque<Frame>>,
    /// The sender's and the reactor's meeting point, on its own cache line.
    wr: CachePadded<Mutex<Wr>>,
    inq: CachePadded<Mutex<InQ>>,
    /// The consumer's side of the receive queue: taken from `inq` a whole
    /// batch at a time, so the socket and the reactor rarely meet on a lock.
    rx: Mutex<VecDeque<Msg>>,
    closed: AtomicBool,
    born: Instant,
    /// The errno that ended the connection (for `NN_PRINT_ERRORS`).
    last_err: std::sync::atomic::AtomicI32,
    connected: AtomicBool,
    /// Writable edges are asked for (reactor thread only).
    want_write: AtomicBool,
    /// The handshake limit, then the linger limit once the socket closed
    /// the pipe; cancelled by `end`.
    timer: Mutex<Option<TimerId>>,
}

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

/// `sendmsg` with `MSG_NOSIGNAL` (a vanished peer must not raise SIGPIPE).
fn send_iov(fd: RawFd, iov: &[libc::iovec]) -> io::Result<usize> {
    loop {
        // SAFETY: msghdr is plain data; the iovecs point into buffers the
        // caller keeps alive for the duration of the call.
        let mut mh: libc::msghdr = unsafe { std::mem::zeroed() };
        mh.msg_iov = iov.as_ptr() as *mut libc::iovec;
        mh.msg_iovlen = iov.len() as _;
        // SAFETY: fd is a socket we own; mh is valid for the call.
        let n = unsafe { libc::sendmsg(fd, &mh, libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn peek_fd(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: receives at most buf.len() bytes into memory we own.
        let n = unsafe {
            libc::recv(
                fd,
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
                libc::MSG_PEEK | libc::MSG_DONTWAIT,
            )
        };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn read_fd(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: reads at most buf.len() bytes into memory we own.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Write as much of `frames` as the socket takes. Completed frames are
/// popped and their sizes summed into the result. `Ok` with frames left
/// means the socket is full.
fn write_frames(fd: RawFd, frames: &mut VecDeque<Frame>) -> io::Result<(usize, bool)> {
    let mut freed = 0;
    let mut iov: Vec<libc::iovec> = Vec::with_capacity(frames.len().min(BATCH_FRAMES) * 3);
    while !frames.is_empty() {
        iov.clear();
        for f in frames.iter().take(BATCH_FRAMES) {
            f.slices(&mut iov);
        }
        let mut n = match send_iov(fd, &iov) {
            Ok(n) => n,
            Err(e) if would_block(&e) => return Ok((freed, false)),
            Err(e) => return Err(e),
        };
        while n > 0 {
            let f = frames.front_mut().expect("written bytes belong to a frame");
            let left = f.len() - f.off;
            if n >= left {
                n -= left;
                freed += f.msg.size();
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
    /// A connection on a connected, non-blocking descriptor. For `Role::Sp`
    /// and `Role::WsClient`, `attach` is known now.
    pub fn start(
        fd: socket2::Socket,
        role: Role,
        attach: Option<Attach>,
        connecting: bool,
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
            flight: Mutex::new(VecDeque::new()),
            wr: CachePadded::new(Mutex::new(Wr {
                q: VecDeque::new(),
                bytes: 0,
                flushing: false,
                producer_blocked: false,
                failed: false,
                cork_armed: false,
                last_send: None,
            })),
            rx: Mutex::new(VecDeque::new()),
            inq: CachePadded::new(Mutex::new(InQ {
                msgs: VecDeque::new(),
                bytes: 0,
                paused: false,
                eof: false,
                discard: false,
            })),
            closed: AtomicBool::new(false),
            born: Instant::now(),
            last_err: std::sync::atomic::AtomicI32::new(libc::ECONNRESET),
            connected: AtomicBool::new(!connecting),
            want_write: AtomicBool::new(false),
            timer: Mutex::new(None),
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

    /// Queue raw bytes (handshake, HTTP reply) ahead of any message.
    fn queue_raw(&self, bytes: Vec<u8>) {
        let f = Frame::control(&[], bytes);
        let mut wr = self.wr.lock();
        wr.q.push_back(f);
        wr.flushing = true;
    }

    fn fd(&self) -> RawFd {
        self.fd
    }

    /// Past the handshake and not yet closed by the socket.
    pub(crate) fn is_pipe(&self) -> bool {
        matches!(*self.phase.lock(), Phase::Active)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    // ---- the pipe side (called by protocols under the socket lock) ----

    fn frame(&self, msg: Msg) -> Frame {
        let size = msg.size();
        let mut prefix = [0u8; 14];
        let plen;
        let mut masked = None;
        match &self.role {
            Role::Sp { ipc: false } => {
                prefix[..8].copy_from_slice(&(size as u64).to_be_bytes());
                plen = 8;
            }
            Role::Sp { ipc: true } => {
                prefix[0] = IPC_MSG_NORMAL;
                prefix[1..9].copy_from_slice(&(size as u64).to_be_bytes());
                plen = 9;
            }
            Role::WsServer { .. } | Role::WsClient { .. } => {
                let client = matches!(self.role, Role::WsClient { .. });
                let op = if self.attach.get().is_some_and(|a| a.ws_text) {
                    ws::OP_TEXT
                } else {
                    ws::OP_BINARY
                };
                let mask = client.then(ws::mask_key);
                plen = ws::frame_header(&mut prefix, op, size, mask);
                if let Some(k) = mask {
                    let mut m = Vec::with_capacity(size);
                    m.extend_from_slice(&msg.hdr);
                    m.extend_from_slice(msg.body.as_slice());
                    ws::apply_mask(&mut m, k, 0);
                    masked = Some(m);
                }
            }
        }
        Frame {
            prefix,
            plen: plen as u8,
            msg,
            masked,
            off: 0,
        }
    }

    pub(crate) fn send(self: &Arc<Self>, msg: Msg) -> Result<(), PushError> {
        let Some(a) = self.attach.get() else {
            return Err(PushError::Closed(msg));
        };
        let size = msg.size();
        let mut wr = self.wr.lock();
        if wr.failed || self.closed.load(Ordering::Acquire) {
            return Err(PushError::Closed(msg));
        }
        if wr.bytes > 0 && wr.bytes + size > a.sndbuf {
            wr.producer_blocked = true;
            return Err(PushError::Full(msg));
        }
        let frame = self.frame(msg);
        if wr.flushing {
            // The reactor owns the output: it takes this with the rest.
            wr.bytes += size;
            wr.q.push_back(frame);
            return Ok(());
        }
        // A lone message goes out at once; one that follows another
        // closely is corked, and the sender writes the cork itself when it
        // is full (or the reactor when the cork timer fires).
        let now = Instant::now();
        let burst = wr
            .last_send
            .is_some_and(|t| now.saturating_duration_since(t) < BATCH_GAP);
        wr.last_send = Some(now);
        wr.bytes += size;
        wr.q.push_back(frame);
        if !burst || wr.bytes >= CORK_BYTES || wr.q.len() >= BATCH_FRAMES {
            let queued = std::mem::take(&mut wr.bytes);
            match write_frames(self.fd(), &mut wr.q) {
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
            self.after(now + CORK_DELAY, Conn::uncork);
        }
        Ok(())
    }

    /// The cork timer (reactor thread): write what the sender left corked.
    fn uncork(self: &Arc<Self>) {
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
        let mut more = !rx.is_empty();
        if m.is_some() && !more && !gone {
            // What reached `inq` since the swap is more, even if its `In`
            // was already taken.
            let q = self.inq.lock();
            more = !q.msgs.is_empty();
            gone = q.eof && !more;
        }
        drop(rx);
        if resume {
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

    /// Out of every `ConnSet` (see `ConnSet::add`).
    fn leave_sets(&self) {
        for set in std::mem::take(&mut *self.sets.lock()) {
            if let Some(set) = set.upgrade() {
                set.lock().remove(&self.id);
            }
        }
    }

    /// `nn_shutdown` or a protocol refusing the pipe: the socket is done
    /// with it and what is queued either way is dropped.
    pub(crate) fn drop_pipe(self: &Arc<Self>) {
        self.discard_input();
        self.end(Ended::Shutdown);
        self.post_closed();
    }

    /// The socket reads no more from this pipe: let go of what is queued
    /// and of what still comes.
    fn discard_input(&self) {
        let mut rx = self.rx.lock();
        let mut q = self.inq.lock();
        q.discard = true;
        q.msgs.clear();
        q.bytes = 0;
        rx.clear();
    }

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

    /// Has everything queued for the peer been written (or given up)?
    fn flushed(&self) -> bool {
        if self.is_closed() {
            return true;
        }
        let wr = self.wr.lock();
        wr.q.is_empty() && !wr.flushing
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
        if self.closed.swap(true, Ordering::AcqRel) {
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

    /// Write queued frames (reactor thread). One lock of `wr` per batch
    /// both settles what the last write freed and takes the next frames:
    /// the sender contends for that lock on every message.
    fn flush(self: &Arc<Self>) {
        if !self.connected.load(Ordering::Acquire) || self.is_closed() {
            return;
        }
        let mut fl = self.flight.lock();
        let mut freed = 0;
        loop {
            let (unblock, idle) = {
                let mut wr = self.wr.lock();
                let unblock = self.written(&mut wr, freed);
                let mut idle = false;
                if fl.is_empty() {
                    if wr.q.is_empty() {
                        wr.flushing = false;
                        // A send right after this is part of the same burst.
                        wr.last_send = Some(Instant::now());
                        idle = true;
                    } else {
                        let n = wr.q.len().min(BATCH_FRAMES);
                        fl.extend(wr.q.drain(..n));
                    }
                }
                (unblock, idle)
            };
            if unblock {
                // No event is posted while `flight` is held.
                drop(fl);
                self.post(Event::Out(self.id));
                fl = self.flight.lock();
            }
            if idle {
                drop(fl);
                self.set_want_write(false);
                if matches!(*self.phase.lock(), Phase::Closing) {
                    self.end(Ended::Closed);
                }
                return;
            }
            match write_frames(self.fd(), &mut fl) {
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
    fn written(&self, wr: &mut Wr, freed: usize) -> bool {
        if freed == 0 {
            return false;
        }
        wr.bytes = wr.bytes.saturating_sub(freed);
        let sndbuf = self.attach.get().map_or(usize::MAX, |a| a.sndbuf);
        let unblock = wr.producer_blocked && wr.bytes < sndbuf;
        wr.producer_blocked &= !unblock;
        unblock
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
        if self.want_write.swap(on, Ordering::Relaxed) != on && !self.is_closed() {
            reactor::get().want_write(self.fd(), self.key.load(Ordering::Acquire), on);
        }
    }

    /// Hand parsed messages to the socket. False when the queue is now
    /// full and reading must pause.
    fn deliver(&self, batch: &mut Vec<Msg>, cap: usize) -> bool {
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
    fn pump(self: &Arc<Self>) {
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
        if rd.buf.len() < READ_BUF {
            rd.buf.resize(READ_BUF, 0);
        }
        let mut batch = std::mem::take(&mut rd.batch);
        let mut turns = READ_TURNS;
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
            if turns == 0 {
                reactor::get().poke(self.clone());
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
            let fd = self.fd();
            let r = match &mut rd.big {
                Some((chunk, filled)) => {
                    let len = chunk.len();
                    // SAFETY: the chunk is unique (just allocated, not yet
                    // shared) and has len - filled bytes left after filled.
                    let dst = unsafe {
                        std::slice::from_raw_parts_mut(chunk.data().add(*filled), len - *filled)
                    };
                    read_fd(fd, dst).inspect(|&n| *filled += n)
                }
                None => {
                    let Reader { buf, end, .. } = &mut *rd;
                    read_fd(fd, &mut buf[*end..]).inspect(|&n| *end += n)
                }
            };
            match r {
                Ok(0) => break Err(Ended::Broken),
                Ok(_) => {}
                Err(e) if would_block(&e) => break Ok(()),
                Err(_) => break Err(Ended::Broken),
            }
        };
        rd.batch = batch;
        drop(rd);
        if let Err(how) = outcome {
            self.end(how);
        }
    }

    /// WebSocket frames → messages; control frames answered here.
    fn cut_ws(
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
                ws::WsStep::Need(None) => break,
                ws::WsStep::Need(Some(total)) => {
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
                ws::WsStep::Frame { used, event } => (used, event),
            };
            rd.start += used;
            match event {
                ws::WsEvent::Fragment | ws::WsEvent::Pong => {}
                ws::WsEvent::Message => {
                    let m = rd.ws.take_message(Msg::from_slice);
                    out.push(m.map_err(|_| Ended::Dropped)?);
                }
                ws::WsEvent::Ping(p) => self.send_control(ws::OP_PONG, p),
                ws::WsEvent::Close(mut p) => {
                    p.truncate(2);
                    self.send_control(ws::OP_CLOSE, p);
                    return Err(Ended::Broken);
                }
            }
        }
        compact(rd);
        Ok(())
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
    fn send_control(self: &Arc<Self>, op: u8, mut payload: Vec<u8>) {
        let client = matches!(self.role, Role::WsClient { .. });
        let mask = client.then(ws::mask_key);
        let mut prefix = [0u8; 14];
        let n = ws::frame_header(&mut prefix, op, payload.len(), mask);
        if let Some(k) = mask {
            ws::apply_mask(&mut payload, k, 0);
        }
        let f = Frame::control(&prefix[..n], payload);
        let mut wr = self.wr.lock();
        if wr.failed {
            return;
        }
        if wr.flushing {
            if op == ws::OP_PONG {
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
        let mut one = VecDeque::from([f]);
        match write_frames(self.fd(), &mut one) {
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

    /// The peer's half of the handshake (reactor thread).
    fn handshake(self: &Arc<Self>) {
        let mut rd = self.rd.lock();
        let fd = self.fd();
        let got = match &self.role {
            Role::Sp { .. } => loop {
                let mut tmp = [0u8; 8];
                let want = 8 - rd.hello.len();
                if want == 0 {
                    break Ok(());
                }
                match read_fd(fd, &mut tmp[..want]) {
                    Ok(0) => break Err(Ended::Broken),
                    Ok(n) => rd.hello.extend_from_slice(&tmp[..n]),
                    Err(e) if would_block(&e) => return,
                    Err(_) => break Err(Ended::Broken),
                }
            },
            _ => {
                // Peek at the HTTP head and take exactly up to its blank
                // line; what follows is WebSocket frames for the framer.
                let mut tmp = vec![0u8; ws::MAX_HTTP];
                match peek_fd(fd, &mut tmp) {
                    Ok(0) => Err(Ended::Broken),
                    Ok(n) => match ws::header_end(&tmp[..n]) {
                        Some(end) => match read_fd(fd, &mut tmp[..end]) {
                            Ok(k) if k == end => {
                                rd.hello = tmp[..end].to_vec();
                                Ok(())
                            }
                            _ => Err(Ended::Broken),
                        },
                        None if n >= ws::MAX_HTTP => {
                            drop(rd);
                            self.http_fail(431);
                            return;
                        }
                        None => return, // the rest comes with the next edge
                    },
                    Err(e) if would_block(&e) => return,
                    Err(_) => Err(Ended::Broken),
                }
            }
        };
        if let Err(how) = got {
            drop(rd);
            self.end(how);
            return;
        }
        let hello = std::mem::take(&mut rd.hello);
        drop(rd);
        let ok = match &self.role {
            Role::Sp { .. } => self.check_sp_header(&hello),
            Role::WsClient { accept, .. } => {
                let want = self
                    .attach
                    .get()
                    .map(|a| ws::sp_name(a.shared.peer))
                    .unwrap_or_default();
                ws::check_response(&hello, accept, &want).is_ok()
            }
            Role::WsServer { router } => match ws::parse_request(&hello) {
                Err(status) => {
                    self.http_fail(status);
                    return;
                }
                Ok(req) => match router.route(self, &req.path, &req.protocol) {
                    Err(status) => {
                        self.http_fail(status);
                        return;
                    }
                    Ok(a) => {
                        let reply = ws::accept_reply(&req.key, &req.protocol);
                        self.set_attach(a);
                        self.queue_raw(reply);
                        self.flush();
                        true
                    }
                },
            },
        };
        if !ok {
            self.end(Ended::Dropped);
            return;
        }
        self.activate();
    }

    fn check_sp_header(&self, h: &[u8]) -> bool {
        let Some(a) = self.attach.get() else {
            return false;
        };
        framing::sp_header_protocol(h).is_some_and(|peer| a.shared.accepts(peer as i32))
    }

    /// Send an HTTP error status and end the connection.
    fn http_fail(self: &Arc<Self>, status: u16) {
        let reply = ws::error_reply(status);
        let _ = send_iov(
            self.fd(),
            &[libc::iovec {
                iov_base: reply.as_ptr() as *mut libc::c_void,
                iov_len: reply.len(),
            }],
        );
        self.end(Ended::Dropped);
    }

    /// The handshake is done: become a pipe of the socket.
    fn activate(self: &Arc<Self>) {
        {
            let mut ph = self.phase.lock();
            if !matches!(*ph, Phase::Hello) {
                return;
            }
            *ph = Phase::Active;
        }
        if let Some(t) = self.timer.lock().take() {
            reactor::get().cancel(t);
        }
        let Some(a) = self.attach.get() else { return };
        let pipe = Pipe::new(self.id, a.eid, a.prios, Arc::new(ConnEnd(self.clone())));
        a.shared.sig.post(Event::Added(pipe));
        if self
            .pipe
            .compare_exchange(PIPE_NEW, PIPE_ADDED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // It ended while `Added` was on its way (the socket may even
            // have refused the pipe from inside that post).
            self.pipe.store(PIPE_GONE, Ordering::Release);
            a.shared.sig.post(Event::Closed(self.id));
            return;
        }
        self.pump();
    }
}

/// A connection as its socket's pipe end.
struct ConnEnd(Arc<Conn>);

impl PipeEnd for ConnEnd {
    fn send(&self, msg: Msg) -> Result<(), PushError> {
        self.0.send(msg)
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
}

/// SP framing (see `framing`): cut every whole message out of the buffer;
/// a large one gets its own body, read straight into.
fn cut_sp(rd: &mut Reader, maxsize: i64, ipc: bool, out: &mut Vec<Msg>) -> Result<(), Ended> {
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
                // SAFETY: the chunk is fresh with room for len > have bytes.
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
fn compact(rd: &mut Reader) {
    if rd.start == rd.end {
        rd.start = 0;
        rd.end = 0;
    } else if rd.start > 0 && rd.buf.len() - rd.end < READ_BUF / 4 {
        rd.buf.copy_within(rd.start..rd.end, 0);
        rd.end -= rd.start;
        rd.start = 0;
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
        if readable || connecting {
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
    /// touches the descriptor, and the sender checks `wr.failed` (set by
    /// `end` before it asked for this), so the number is no longer in use.
    fn release(&self) {
        drop(self.sock.lock().take());
        *self.rd.lock() = Reader::default();
        self.flight.lock().clear();
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
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::net::UnixStream;

    /// A connection on one end of a socket pair, and the other end.
    fn conn_pair() -> (Arc<Conn>, UnixStream) {
        let (ours, theirs) = UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        let ours = socket2::Socket::from(std::os::fd::OwnedFd::from(ours));
        let c = Conn::start(ours, Role::Sp { ipc: true }, None, false).unwrap();
        (c, theirs)
    }

    /// Wait (bounded) for a condition the reactor thread brings about.
    fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !cond() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn an_ended_connection_lets_go_of_everything() {
        let (c, mut theirs) = conn_pair();
        assert!(LIVE.0.lock().contains_key(&c.id));
        c.end(Ended::Closed);
        assert!(!LIVE.0.lock().contains_key(&c.id), "still in the exit wait");
        // The descriptor is closed and nothing else (timer, reactor, set)
        // keeps the connection, strongly or weakly.
        wait_for("release", || {
            c.sock.lock().is_none() && Arc::strong_count(&c) == 1 && Arc::weak_count(&c) == 0
        });
        let mut buf = [0u8; 64];
        let mut total = 0;
        loop {
            match theirs.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => total += n,
                Err(e) => panic!("peer read: {e}"),
            }
        }
        assert!(total <= 8, "only our SP header may have gone out");
    }

    #[test]
    fn a_connection_set_forgets_ended_connections() {
        let set = ConnSet::new();
        let (c, _theirs) = conn_pair();
        set.add(&c);
        assert_eq!(set.len(), 1);
        c.end(Ended::Broken);
        assert_eq!(set.len(), 0, "an ended connection leaves its sets");
        // Adding one that already ended keeps nothing.
        set.add(&c);
        assert_eq!(set.len(), 0);
    }
}
