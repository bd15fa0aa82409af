//! A socket: protocol state, options, endpoints and pipes behind one mutex,
//! plus the [`Sig`] mailbox through which everything outside reaches it.
//!
//! This is the composition root: it names the protocol registry (to make
//! its state machine) and the transport registry (to make endpoints). What
//! it hands a transport is the [`Shared`] part, never itself.
//!
//! Lock order (see ARCHITECTURE.md): socket state -> transport registries
//! -> pipe queues -> `Sig`. A thread never holds two sockets' state locks,
//! and a protocol runs only under its own socket's lock: what other sockets
//! and the I/O thread do reaches it as events in its mailbox.

use std::mem::MaybeUninit;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use parking_lot::{Mutex, MutexGuard};

use crate::consts::*;
use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::options::Options;
use crate::core::pipe::{roomy, Pipe, PipeId, PipeMap, PipeSet};
use crate::core::shared::Shared;
use crate::core::sig::{Dir, Event, Owner, Sig, Woke};
use crate::core::stats::Stats;
use crate::protocols::{self, ProtoInfo, Protocol, SendError};
use crate::transports::{self, Endpoint};

pub struct Socket {
    pub domain: i32,
    pub info: &'static ProtoInfo,
    /// The mailbox, statistics and option copies transports use.
    pub shared: Arc<Shared>,
    /// For the reactor's timer entries.
    me: Weak<Socket>,
    /// On its own cache lines: what other threads write (the statistics,
    /// the mailbox's counters) stays off the lock's.
    st: CachePadded<Mutex<State>>,
}

struct State {
    proto: Box<dyn Protocol>,
    opts: Options,
    closed: bool,
    pipes: PipeMap<Pipe>,
    endpoints: Vec<Endpoint>,
    last_eid: i32,
    /// Scratch buffer for draining events, kept to avoid reallocating.
    scratch: Vec<Event>,
    /// When the reactor entry we handed over last (`core::timer`) comes
    /// due; `None` once it has. One entry at a time: a later deadline
    /// waits for it (it finds nothing due and hands over the next).
    timer_at: Option<Instant>,
    /// A deadline the protocol left due after its timers ran: not handed to
    /// the reactor again (that would spin); the next call deals with it.
    timer_spent: Option<Instant>,
    /// Attached pipes that are network connections.
    net_pipes: usize,
    /// Pipes the peer closed that still hold messages for us: they stay
    /// with the protocol until those are read (nothing sent is lost).
    draining: PipeSet,
    /// The pipe that receivers read on their own threads while they wait
    /// (`Pipe::read_here_begin`), from the first wait of a socket with one
    /// pipe until it has more, or it is polled, or that pipe goes.
    direct: Option<Pipe>,
}

fn deadline(timeo_ms: i32) -> Option<Instant> {
    (timeo_ms >= 0).then(|| Instant::now() + Duration::from_millis(timeo_ms as u64))
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Has an optional deadline passed?
fn passed(d: Option<Instant>) -> bool {
    d.is_some_and(|d| Instant::now() >= d)
}

impl Owner for Socket {
    fn settle_posted(&self) {
        Socket::settle_posted(self);
    }
}

impl Socket {
    pub fn new(handle: i32, domain: i32, protocol: i32) -> Result<Arc<Socket>> {
        if domain != AF_SP && domain != AF_SP_RAW {
            return Err(Error::AFNOSUPPORT);
        }
        let info = protocols::lookup(protocol).ok_or(Error::INVAL)?;
        let opts = Options::new(handle);
        let mut proto = (info.create)(domain == AF_SP_RAW);
        proto.sock_opts(&opts);
        Ok(Arc::new_cyclic(|me: &Weak<Socket>| Socket {
            domain,
            info,
            shared: Arc::new(Shared::new(
                Arc::new(Sig::owned_by(me.clone() as Weak<dyn Owner>)),
                info.id,
                info.peer,
                info.recvs,
                &opts,
            )),
            me: me.clone(),
            st: CachePadded::new(Mutex::new(State {
                proto,
                opts,
                closed: false,
                pipes: PipeMap::default(),
                endpoints: Vec::new(),
                last_eid: 0,
                scratch: Vec::new(),
                timer_at: None,
                timer_spent: None,
                net_pipes: 0,
                draining: PipeSet::default(),
                direct: None,
            })),
        }))
    }

    pub fn protocol(&self) -> i32 {
        self.info.id
    }

    pub fn sig(&self) -> &Sig {
        &self.shared.sig
    }

    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// Lock the state of a live socket and bring it up to date with posted events.
    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        let mut st = self.st.lock();
        self.check_live(&st)?;
        self.drain(&mut st);
        Ok(st)
    }

    fn check_live(&self, st: &State) -> Result<()> {
        if st.closed {
            Err(Error::BADF)
        } else {
            Ok(())
        }
    }

    /// Apply posted pipe events to the protocol.
    fn drain(&self, st: &mut State) {
        // The common case, nothing posted, costs one load.
        if !self.sig().may_have_events() {
            return;
        }
        let mut evs = std::mem::take(&mut st.scratch);
        // Handling an event can post more (a protocol refusing a new pipe
        // closes it): take those too, so nothing waits for the next call.
        for _ in 0..4 {
            self.sig().take_events(&mut evs);
            if evs.is_empty() {
                break;
            }
            self.apply(st, &mut evs);
        }
        // A burst (thousands of pipes coming or going) grew it: give that
        // back once the pipes are gone (one compare on the fast path).
        if roomy(evs.capacity(), st.pipes.len()) {
            evs.shrink_to(2 * st.pipes.len());
        }
        st.scratch = evs;
    }

    fn apply(&self, st: &mut State, evs: &mut Vec<Event>) {
        for ev in evs.drain(..) {
            match ev {
                Event::Added(p) => {
                    if st.closed {
                        p.close();
                    } else {
                        if p.is_network() {
                            st.net_pipes += 1;
                            self.sig().set_spin(false);
                        }
                        st.pipes.insert(p.id, p.clone());
                        // A receiver reads its pipe itself only while it is
                        // the one: the I/O thread reads them all from now.
                        self.undirect(st);
                        self.stats()
                            .current_connections
                            .fetch_add(1, Ordering::Relaxed);
                        st.proto.add_pipe(p.clone());
                        // After the protocol took (or held back) the pipe.
                        p.attached();
                    }
                }
                Event::In(id) => {
                    if st.pipes.contains_key(&id) {
                        st.proto.in_ready(id)
                    }
                }
                Event::Out(id) => {
                    if st.pipes.contains_key(&id) {
                        st.proto.out_ready(id)
                    }
                }
                Event::Closed(id) => {
                    let keep = |p: &Pipe| p.has_input() && !p.discarded();
                    if !st.closed && st.pipes.get(&id).is_some_and(keep) {
                        st.draining.insert(id);
                        continue;
                    }
                    self.remove_pipe(st, id);
                }
            }
        }
    }

    /// Apply posted events and settle the fds: the I/O thread's hand-off
    /// (see [`Owner`]), never another socket's thread. Blocking on the lock
    /// is safe there: nobody holding a socket lock waits for the I/O thread.
    fn settle_posted(&self) {
        let mut st = self.st.lock();
        self.drain(&mut st);
        if !st.closed {
            self.settle(&mut st);
        }
    }

    /// Run protocol timers that are due.
    fn run_timers(&self, st: &mut State) {
        if passed(st.proto.timer()) {
            st.proto.on_timer(Instant::now());
        }
    }

    /// After every operation: make SNDFD/RCVFD exact and make sure the
    /// reactor knows the protocol's next deadline.
    fn settle(&self, st: &mut State) {
        if !st.draining.is_empty() {
            self.finish_draining(st);
        }
        if self.sig().fds_in_use() {
            self.sig()
                .settle_fds(st.proto.can_send(), st.proto.can_recv());
        }
        // A request or survey per call must not leave a reactor entry per
        // call behind (REQ's resend deadline is a minute away): an entry
        // that comes due first stands in for every later deadline.
        let Some(at) = st.proto.timer() else { return };
        if st.timer_at.is_some_and(|t| t <= at) || st.timer_spent == Some(at) {
            return;
        }
        st.timer_at = Some(at);
        let me = self.me.clone();
        crate::reactor::get().at(
            at,
            Box::new(move || {
                if let Some(s) = me.upgrade() {
                    s.fire_timers();
                }
            }),
        );
    }

    /// Closed pipes whose last message has been read go now.
    fn finish_draining(&self, st: &mut State) {
        let done: Vec<PipeId> = st
            .draining
            .iter()
            .copied()
            .filter(|id| !st.pipes.get(id).is_some_and(|p| p.has_input()))
            .collect();
        for id in done {
            st.draining.remove(&id);
            self.remove_pipe(st, id);
        }
    }

    /// Reading goes back to the I/O thread (see `State::direct`).
    fn undirect(&self, st: &mut State) {
        if let Some(p) = st.direct.take() {
            p.read_by_io_thread();
        }
    }

    /// Before a receiver sleeps: the pipe it may read on its own thread
    /// meanwhile (taken over for good, see `State::direct`), if the socket
    /// has one pipe, nobody polls it and the pipe can be read so.
    fn direct_pipe(&self, st: &mut State) -> Option<(Pipe, i32)> {
        let p = self.only_pipe(st)?.clone();
        let fd = p.read_here_begin()?;
        if st.direct.as_ref().is_none_or(|d| d.id != p.id) {
            st.direct = Some(p.clone());
        }
        Some((p, fd))
    }

    /// The socket's one pipe, when a blocked caller may wait on its
    /// descriptor: nobody polls the socket (SNDFD/RCVFD must stay exact)
    /// and the mailbox can wake a caller in `poll`.
    fn only_pipe<'a>(&self, st: &'a State) -> Option<&'a Pipe> {
        if st.pipes.len() != 1 || self.sig().fds_in_use() || !self.sig().can_wait_on_fd() {
            return None;
        }
        st.pipes.values().next()
    }

    /// Sleep until something is posted in direction `d` or `until`,
    /// calling `work` (read or write the pipe) each time `fd` is ready,
    /// until it says there is no more point.
    fn wait_on_fd(
        &self,
        d: Dir,
        fd: i32,
        epoch: u64,
        until: Option<Instant>,
        mut work: impl FnMut() -> bool,
    ) {
        while self.sig().wait_or_fd(d, epoch, until, fd) == Woke::Ready && work() {}
    }

    /// Sleep until something is posted or `until`, reading `p` (its
    /// descriptor `fd`) on this thread meanwhile.
    fn wait_reading(&self, p: &Pipe, fd: i32, epoch: u64, until: Option<Instant>) {
        if !self.sig().look_at_fd(epoch, || p.read_here()) {
            self.wait_on_fd(Dir::Recv, fd, epoch, until, || p.read_here());
        }
        p.read_here_end();
    }

    fn remove_pipe(&self, st: &mut State, id: PipeId) {
        if st.direct.as_ref().is_some_and(|d| d.id == id) {
            st.direct = None;
        }
        if let Some(p) = st.pipes.remove(&id) {
            if p.is_network() {
                st.net_pipes -= 1;
                self.sig().set_spin(st.net_pipes == 0);
            }
            self.stats()
                .current_connections
                .fetch_sub(1, Ordering::Relaxed);
            st.proto.rm_pipe(id);
            if roomy(st.pipes.capacity(), st.pipes.len()) {
                st.pipes.shrink_to(2 * st.pipes.len());
            }
            if roomy(st.draining.capacity(), st.draining.len()) {
                st.draining.shrink_to(2 * st.draining.len());
            }
        }
    }

    /// Called on the reactor thread: run what is due, wake waiters.
    pub fn fire_timers(&self) {
        let mut st = self.st.lock();
        if st.closed {
            return;
        }
        self.drain(&mut st);
        st.timer_at = None; // the entry that brought us here is spent
        self.run_timers(&mut st);
        st.timer_spent = st.proto.timer().filter(|&t| passed(Some(t)));
        self.settle(&mut st);
        drop(st);
        self.sig().kick();
    }

    /// Send one message. On failure the message comes back with the error,
    /// so an `NN_MSG` buffer stays the caller's.
    pub fn send(&self, mut msg: Msg, dontwait: bool) -> std::result::Result<(), (Error, Msg)> {
        if !self.info.sends {
            return Err((Error::NOTSUP, msg));
        }
        let mut dl: Option<Option<Instant>> = None;
        let mut st = self.st.lock();
        loop {
            if let Err(e) = self.check_live(&st) {
                return Err((e, msg));
            }
            let epoch = self.sig().epoch(Dir::Send);
            self.drain(&mut st);
            self.run_timers(&mut st);
            let size = msg.body.len();
            let pace = &self.shared.pace;
            pace.begin();
            let sent = st.proto.send(msg);
            pace.end();
            match sent {
                Ok(()) => {
                    self.stats().sent(size);
                    self.settle(&mut st);
                    return Ok(());
                }
                Err(SendError::Fail(e, m)) => return Err((e, m)),
                Err(SendError::Again(m)) => msg = m,
            }
            self.settle(&mut st);
            if dontwait {
                return Err((Error::AGAIN, msg));
            }
            let user = *dl.get_or_insert_with(|| deadline(st.opts.sndtimeo));
            if passed(user) {
                return Err((Error::TIMEDOUT, msg));
            }
            let until = earliest(user, st.proto.timer());
            let direct = self.flush_pipe(&st);
            drop(st);
            match direct {
                Some((p, fd)) => self.wait_flushing(&p, fd, epoch, until),
                None => {
                    self.sig().wait(Dir::Send, epoch, until);
                }
            }
            st = self.st.lock();
        }
    }

    /// Before a refused sender sleeps: the pipe whose queued output it may
    /// write on its own thread meanwhile, if the socket has one pipe,
    /// nobody polls it and the pipe's output is stuck.
    fn flush_pipe(&self, st: &State) -> Option<(Pipe, i32)> {
        let p = self.only_pipe(st)?;
        let fd = p.flush_here_begin()?;
        Some((p.clone(), fd))
    }

    /// Sleep until something is posted for senders or `until`, writing
    /// `p`'s queued output (its descriptor `fd`) on this thread meanwhile.
    fn wait_flushing(&self, p: &Pipe, fd: i32, epoch: u64, until: Option<Instant>) {
        self.wait_on_fd(Dir::Send, fd, epoch, until, || p.flush_here());
        p.flush_here_end();
    }

    /// Receive one message.
    pub fn recv(&self, dontwait: bool) -> Result<Msg> {
        if !self.info.recvs {
            return Err(Error::NOTSUP);
        }
        let mut dl: Option<Option<Instant>> = None;
        let mut looked = false;
        let mut st = self.st.lock();
        loop {
            self.check_live(&st)?;
            let epoch = self.sig().epoch(Dir::Recv);
            self.drain(&mut st);
            self.run_timers(&mut st);
            match st.proto.recv() {
                Ok(m) => {
                    self.stats().received(m.body.len());
                    self.settle(&mut st);
                    return Ok(m);
                }
                Err(e) if e != Error::AGAIN => {
                    self.settle(&mut st);
                    return Err(e);
                }
                Err(_) => {}
            }
            self.settle(&mut st);
            if dontwait {
                // What arrived for a pipe that receivers read themselves is
                // still in the kernel: read it once before saying AGAIN.
                if !looked {
                    looked = true;
                    if let Some(p) = st.direct.clone() {
                        if p.read_here_begin().is_some() {
                            let _ = p.read_here();
                            p.read_here_end();
                            continue;
                        }
                    }
                }
                return Err(Error::AGAIN);
            }
            let user = *dl.get_or_insert_with(|| deadline(st.opts.rcvtimeo));
            if passed(user) {
                return Err(Error::TIMEDOUT);
            }
            let until = earliest(user, st.proto.timer());
            let direct = self.direct_pipe(&mut st);
            drop(st);
            match direct {
                Some((p, fd)) => self.wait_reading(&p, fd, epoch, until),
                None => {
                    self.sig().wait(Dir::Recv, epoch, until);
                }
            }
            self.shared.pace.waited();
            st = self.st.lock();
        }
    }

    /// The SNDFD (`Dir::Send`) or RCVFD (`Dir::Recv`) descriptor, whether
    /// or not the protocol has that direction (then it is raised only on
    /// close). It stays open as long as this socket lives: a caller that
    /// sleeps on it keeps its `Arc<Socket>` meanwhile.
    pub fn event_fd(&self, dir: Dir) -> Result<i32> {
        let mut st = self.lock()?;
        self.efd(&mut st, dir)
    }

    fn efd(&self, st: &mut State, dir: Dir) -> Result<i32> {
        // Whoever polls the fds needs the I/O thread to read for them.
        self.undirect(st);
        let ready = match dir {
            Dir::Send => st.proto.can_send(),
            Dir::Recv => st.proto.can_recv(),
        };
        self.sig().fd(dir, ready)
    }

    /// Current readiness, for `nn_poll`: (can send, can receive).
    pub fn readiness(&self) -> Result<(bool, bool)> {
        let mut st = self.lock()?;
        // `nn_poll` sleeps on the fds next: the I/O thread must read.
        self.undirect(&mut st);
        self.settle(&mut st);
        Ok((st.proto.can_send(), st.proto.can_recv()))
    }

    pub fn set_opt(&self, level: i32, opt: i32, val: &[u8]) -> Result<()> {
        let mut st = self.lock()?;
        if level > NN_SOL_SOCKET {
            let r = st.proto.set_opt(level, opt, val);
            drop(st);
            // A new deadline or resend interval may change what waiters wait for.
            self.sig().kick();
            return r;
        }
        st.opts.set(level, opt, val)?;
        self.shared.options_changed(&st.opts);
        let State { proto, opts, .. } = &mut *st;
        proto.sock_opts(opts);
        drop(st);
        // A blocked caller re-reads its timeout only when it restarts, as
        // upstream; waking it lets nothing be missed by a changed state.
        Ok(())
    }

    /// An option's value, as much of it as fits in `out` (as upstream
    /// truncates; the caller may not have initialised `out`: it is only
    /// written); returns the value's full length.
    pub fn get_opt(&self, level: i32, opt: i32, out: &mut [MaybeUninit<u8>]) -> Result<usize> {
        let mut st = self.lock()?;
        let put = |out: &mut [MaybeUninit<u8>], bytes: &[u8]| {
            for (d, b) in out.iter_mut().zip(bytes) {
                d.write(*b);
            }
        };
        let int = |v: i32, out: &mut [MaybeUninit<u8>]| {
            put(out, &v.to_ne_bytes());
            Ok(4)
        };
        // A string: copies the NUL too when there is room; reports strlen.
        let string = |s: &[u8], out: &mut [MaybeUninit<u8>]| {
            put(out, s);
            if let Some(nul) = out.get_mut(s.len()) {
                nul.write(0);
            }
            s.len()
        };
        if level == NN_SOL_SOCKET {
            match opt {
                NN_DOMAIN => return int(self.domain, out),
                NN_PROTOCOL => return int(self.info.id, out),
                NN_SNDFD | NN_RCVFD => {
                    let (dir, ok) = if opt == NN_SNDFD {
                        (Dir::Send, self.info.sends)
                    } else {
                        (Dir::Recv, self.info.recvs)
                    };
                    if !ok {
                        return Err(Error::NOPROTOOPT);
                    }
                    return int(self.efd(&mut st, dir)?, out);
                }
                NN_SOCKET_NAME => return Ok(string(&st.opts.socket_name, out)),
                _ => {}
            }
        }
        if let Some(s) = st.opts.get_str(level, opt) {
            return Ok(string(s, out));
        }
        if level > NN_SOL_SOCKET {
            return int(st.proto.get_opt(level, opt)?, out);
        }
        int(st.opts.get_int(level, opt)?, out)
    }

    /// `nn_get_statistic`: the protocol answers
    /// `NN_STAT_CURRENT_SND_PRIORITY`, a counter every other known
    /// statistic; `EINVAL` for an unknown one.
    pub fn statistic(&self, stat: i32) -> Result<u64> {
        if stat == NN_STAT_CURRENT_SND_PRIORITY {
            Ok(self.lock()?.proto.current_snd_priority())
        } else {
            self.stats().get(stat)
        }
    }

    pub fn bind(self: &Arc<Self>, addr: &str) -> Result<i32> {
        self.add_endpoint(addr, true)
    }

    pub fn connect(self: &Arc<Self>, addr: &str) -> Result<i32> {
        self.add_endpoint(addr, false)
    }

    fn add_endpoint(self: &Arc<Self>, addr: &str, bind: bool) -> Result<i32> {
        let mut st = self.lock()?;
        let eid = st.last_eid + 1;
        let mut ep = transports::create(&self.shared, eid, addr, bind, &st.opts)?;
        let joins = ep.take_joins();
        st.last_eid = eid;
        st.endpoints.push(ep);
        // Attach (and accept) any pipe the endpoint made at once.
        self.drain(&mut st);
        self.settle(&mut st);
        drop(st);
        // Sockets in this process joined now have the pipe on their side
        // too when we return, as upstream's inproc: waited for without our
        // lock, since they may need it to post to us.
        if let Some(j) = joins {
            j.wait(Instant::now() + Duration::from_secs(1));
        }
        Ok(eid)
    }

    /// `nn_shutdown`: remove an endpoint and close the pipes it made.
    pub fn shutdown(&self, eid: i32) -> Result<()> {
        let mut st = self.lock()?;
        let i = st
            .endpoints
            .iter()
            .position(|e| e.id == eid)
            .ok_or(Error::INVAL)?;
        let mut ep = st.endpoints.remove(i);
        ep.shutdown(false);
        self.drain(&mut st);
        let gone: Vec<Pipe> = st
            .pipes
            .values()
            .filter(|p| p.eid == eid)
            .cloned()
            .collect();
        for p in gone {
            p.close_discarding();
        }
        self.drain(&mut st);
        self.settle(&mut st);
        Ok(())
    }

    /// Whether the socket was closed (`nn_close`, `nn_term`).
    pub fn is_closed(&self) -> bool {
        self.st.lock().closed
    }

    /// `nn_close` (the handle is already out of the table): stop every
    /// endpoint, close every pipe and wake every blocked caller with EBADF
    /// (and everyone polling SNDFD/RCVFD).
    pub fn close(&self) {
        let mut st = self.st.lock();
        if st.closed {
            return;
        }
        st.closed = true;
        let mut eps = std::mem::take(&mut st.endpoints);
        for ep in &mut eps {
            ep.shutdown(true);
        }
        // Endpoints are gone; a connection finishing its handshake may still
        // post a pipe: the mailbox closes it from now on, and the last drain
        // closes those that arrived before. Closing the mailbox also wakes
        // every waiter, who finds the socket closed once we let go.
        self.sig().close();
        self.drain(&mut st);
        for p in st.pipes.values() {
            p.close();
        }
        st.pipes.clear();
    }
}
