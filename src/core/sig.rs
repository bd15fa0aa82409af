//! A socket's mailbox for things that happen outside its own lock.
//!
//! Peers, transports and timers never take another socket's state lock;
//! they post an [`Event`] here instead. `Sig` has its own small mutex that is
//! a leaf in the lock order: nothing else is ever acquired while it is held,
//! so posting from under any other lock cannot deadlock. The owner drains
//! the events the next time it holds its state lock.
//!
//! Blocking: a caller reads the side's `epoch` *before* it looks at the
//! protocol state; every post bumps the epoch under this mutex; a sleeper
//! re-checks the epoch under the same mutex before sleeping. So a wake-up
//! between "I found nothing" and "I sleep" is never lost.
//!
//! SNDFD/RCVFD live here too: they are set optimistically by posts (a
//! message arrived, a pipe became writable) and made exact by the owner
//! ([`Sig::settle_fds`]) after every operation. Once the socket is closed
//! ([`Sig::close`]) both stay readable, so whoever polls them wakes up. The
//! descriptors are closed only when the `Sig` itself is dropped: anyone
//! who sleeps on them holds the socket (or this `Sig`) by `Arc`.
//!
//! Handing off: some events let an idle socket act (a new pipe to accept,
//! room for a request it holds back) or change what its fds should say (a
//! pipe gone). The poster never runs the owner's protocol itself. If a
//! caller waits for an event of this kind, it applies it when it wakes;
//! else the mailbox hands the owner to the I/O thread, which applies it
//! under the owner's lock ([`Owner::settle_posted`]). (The poster checks for
//! waiters after it bumps the epoch, a waiter reads the epoch after it
//! counts itself: one of them always sees the other.)

use std::sync::atomic::{fence, AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use crate::core::cpu;
use crate::core::efd::Efd;
use crate::core::error::{Error, Result};
use crate::core::pipe::{Pipe, PipeId};
use crate::core::spin::Spinner;
use crate::reactor::{self, Source};

/// The mailbox's view of its owner: something that applies what was posted
/// under its own lock. Called on the I/O thread, holding no other lock.
pub trait Owner: Send + Sync {
    fn settle_posted(&self);
}

/// The reactor's handle on an owner (one per mailbox, so handing off
/// allocates nothing). `queued` keeps it on the reactor's list at most once.
struct Handoff {
    owner: Weak<dyn Owner>,
    queued: AtomicBool,
}

impl Source for Handoff {
    fn ready(self: Arc<Self>, _readable: bool, _writable: bool) {}

    fn poked(self: Arc<Self>) {
        // Cleared first: what is posted while the owner settles queues it again.
        self.queued.store(false, Ordering::SeqCst);
        if let Some(owner) = self.owner.upgrade() {
            owner.settle_posted();
        }
    }
}

/// Something that happened to one of the socket's pipes.
pub enum Event {
    /// A new pipe is ready to be attached to the socket.
    Added(Pipe),
    /// The pipe's inbound queue went from empty to non-empty.
    In(PipeId),
    /// The pipe's outbound queue has room again after a refused send.
    Out(PipeId),
    /// The pipe is gone (peer closed, endpoint shut down).
    Closed(PipeId),
}

/// Which way a caller is waiting.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dir {
    Send,
    Recv,
}

struct FdFlag {
    efd: Option<Efd>,
    set: bool,
}

impl FdFlag {
    fn raise(&mut self) {
        if let Some(e) = &self.efd {
            if !self.set {
                e.set();
                self.set = true;
            }
        }
    }

    fn settle(&mut self, ready: bool) {
        if let Some(e) = &self.efd {
            if ready && !self.set {
                e.set();
                self.set = true;
            } else if !ready && self.set {
                e.clear();
                self.set = false;
            }
        }
    }
}

struct State {
    events: Vec<Event>,
    sleepers: [u32; 2],
    fds: [FdFlag; 2],
    /// The socket is closed: posts are not kept and the fds stay raised
    /// from now on (see [`Sig::close`]).
    closed: bool,
}

pub struct Sig {
    handoff: Arc<Handoff>,
    /// Callers in [`Sig::wait`], per direction.
    waiting: [AtomicU32; 2],
    state: Mutex<State>,
    cv: [Condvar; 2],
    /// Moved by every post, under the lock. The low `CPU_BITS` bits say
    /// which CPU the last poster ran on: in a ping-pong, the thread a
    /// spinning waiter waits for. Carried in the epoch itself, the one
    /// cache line the poster writes and the waiter reads anyway. (A field
    /// of its own in `State`, changing the layout of this struct, cost an
    /// inproc stream a third of its throughput.)
    epoch: [AtomicU64; 2],
    pending: AtomicBool,
    fds_used: AtomicBool,
    /// What each descriptor shows (`NO_FD`, `UP`, `DOWN`), kept equal to
    /// `State::fds` under the lock and read without it by `settle_fds`:
    /// a receive that leaves the readiness as it was (most do) does not
    /// take the lock the I/O thread posts under.
    shown: [AtomicU8; 2],
    /// Spin before sleeping (off while network pipes are attached: their
    /// peers are woken by the reactor, which a spinning caller would starve
    /// of the CPU on a small machine).
    spin: AtomicBool,
    /// How long waiters spin before they sleep (adapts to whether it pays).
    spinner: Spinner,
    /// How long a caller that reads its pipe itself looks at the
    /// descriptor before it sleeps in `poll` (see `Sig::look_at_fd`).
    fd_spinner: Spinner,
    /// Callers asleep in [`Sig::wait_or_fd`] per direction (polling a
    /// pipe's descriptor beside `waker`, which a bump there raises).
    fd_sleepers: [AtomicU32; 2],
    /// Made by the first `wait_or_fd`; as long-lived as the mailbox.
    waker: std::sync::OnceLock<Efd>,
}

/// How [`Sig::wait_or_fd`] ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Woke {
    /// Something was posted (or the socket was kicked or closed).
    Posted,
    /// The descriptor is ready (readable or writable, as asked, or it has
    /// hung up): read or write it, then wait again.
    Ready,
    /// The deadline passed.
    TimedOut,
}

/// The low bits of an epoch: the last poster's CPU, or `NO_CPU`.
const CPU_BITS: u32 = 16;
const NO_CPU: u64 = (1 << CPU_BITS) - 1;

const NO_FD: u8 = 0;
const UP: u8 = 1;
const DOWN: u8 = 2;

fn ix(d: Dir) -> usize {
    match d {
        Dir::Send => 0,
        Dir::Recv => 1,
    }
}

impl Default for Sig {
    fn default() -> Self {
        Sig::new()
    }
}

impl Sig {
    /// A mailbox with no owner (tests of the parts below the socket).
    pub fn new() -> Sig {
        Sig::owned_by(Weak::<Nobody>::new())
    }

    pub fn owned_by(owner: Weak<dyn Owner>) -> Sig {
        Sig {
            handoff: Arc::new(Handoff {
                owner,
                queued: AtomicBool::new(false),
            }),
            waiting: [AtomicU32::new(0), AtomicU32::new(0)],
            state: Mutex::new(State {
                events: Vec::new(),
                sleepers: [0, 0],
                fds: [
                    FdFlag {
                        efd: None,
                        set: false,
                    },
                    FdFlag {
                        efd: None,
                        set: false,
                    },
                ],
                closed: false,
            }),
            cv: [Condvar::new(), Condvar::new()],
            epoch: [AtomicU64::new(NO_CPU), AtomicU64::new(NO_CPU)],
            pending: AtomicBool::new(false),
            fds_used: AtomicBool::new(false),
            shown: [AtomicU8::new(NO_FD), AtomicU8::new(NO_FD)],
            spin: AtomicBool::new(true),
            spinner: Spinner::new(),
            fd_spinner: Spinner::for_descriptor(),
            fd_sleepers: [AtomicU32::new(0), AtomicU32::new(0)],
            waker: std::sync::OnceLock::new(),
        }
    }

    /// Post an event for the owner and wake whoever waits for it.
    pub fn post(&self, ev: Event) {
        // What the owner should apply soon even if nobody calls into it,
        // and which waiters would wake to do it.
        let hand_off = match ev {
            Event::Added(_) | Event::Closed(_) => Some([true, true]),
            Event::Out(_) => Some([true, false]),
            Event::In(_) => None,
        };
        let (send, recv) = match &ev {
            Event::Added(_) | Event::Closed(_) => (true, true),
            Event::In(_) => (false, true),
            Event::Out(_) => (true, false),
        };
        let mut st = self.state.lock();
        if st.closed {
            drop(st);
            // Nobody will take it: a new pipe is closed at once rather than
            // kept here (it would keep its connection, which keeps this
            // mailbox, alive for ever).
            if let Event::Added(p) = ev {
                p.close();
            }
            return;
        }
        let raise = match &ev {
            Event::In(_) => Some(Dir::Recv),
            Event::Out(_) | Event::Added(_) => Some(Dir::Send),
            Event::Closed(_) => None,
        };
        st.events.push(ev);
        self.pending.store(true, Ordering::SeqCst);
        // Only now: whoever polls the fd may call in at once, and must
        // find the event (`take_events` looks at `pending` first).
        if let Some(d) = raise {
            st.fds[ix(d)].raise();
            self.show(&st);
        }
        if send {
            self.bump(&st, Dir::Send);
        }
        if recv {
            self.bump(&st, Dir::Recv);
        }
        drop(st);
        // A new pipe or room in a pipe may let an idle socket act (accept
        // the pipe, send a delayed request), and a pipe gone changes its
        // fds. Messages arriving need nothing until someone receives.
        if let Some(wakes) = hand_off {
            // Dekker with `wait`: we bumped the epoch and then read the
            // count, a waiter counts itself and then reads the epoch.
            fence(Ordering::SeqCst);
            let watched = (0..2).any(|i| wakes[i] && self.waiting[i].load(Ordering::SeqCst) > 0);
            if !watched {
                self.hand_off();
            }
        }
    }

    /// Give the owner's pending events to the I/O thread to apply.
    fn hand_off(&self) {
        let h = &self.handoff;
        if h.owner.strong_count() > 0 && !h.queued.swap(true, Ordering::SeqCst) {
            reactor::get().poke(h.clone());
        }
    }

    /// Wake every waiter in both directions (close, term, option changes).
    pub fn kick(&self) {
        let st = self.state.lock();
        self.bump(&st, Dir::Send);
        self.bump(&st, Dir::Recv);
    }

    /// The socket is closed (`nn_close`, `nn_term`): wake every waiter and
    /// raise SNDFD/RCVFD for good, so that `nn_poll`, devices and users who
    /// poll the descriptors themselves all wake up. From now on posts are
    /// not kept; what is already here stays for the owner's last drain.
    pub fn close(&self) {
        let mut st = self.state.lock();
        st.closed = true;
        for f in &mut st.fds {
            f.raise();
        }
        self.show(&st);
        self.bump(&st, Dir::Send);
        self.bump(&st, Dir::Recv);
    }

    fn bump(&self, st: &State, d: Dir) {
        // Not only while spinning is on: reading that flag here would take
        // a cache line from the waiter's core on every post; the CPU is one
        // read of the thread's own restartable-sequence area.
        let cpu = (cpu::current() as u64).min(NO_CPU);
        // Only posts (under the lock, which `st` proves held) move the
        // epoch: the count goes up by one and the low bits become this
        // poster's CPU. SeqCst: Dekker with `wait_or_fd`, which counts
        // itself in `fd_sleepers` and then reads the epoch.
        let e = &self.epoch[ix(d)];
        let old = e.load(Ordering::Relaxed);
        e.swap(((old >> CPU_BITS) + 1) << CPU_BITS | cpu, Ordering::SeqCst);
        if st.sleepers[ix(d)] > 0 {
            self.cv[ix(d)].notify_all();
        }
        if self.fd_sleepers[ix(d)].load(Ordering::SeqCst) > 0 {
            if let Some(w) = self.waker.get() {
                w.set();
            }
        }
    }

    pub fn set_spin(&self, on: bool) {
        self.spin.store(on, Ordering::Relaxed);
    }

    /// Read before looking at protocol state; pass to [`Sig::wait`].
    pub fn epoch(&self, d: Dir) -> u64 {
        self.epoch[ix(d)].load(Ordering::Acquire)
    }

    /// Has anyone asked for SNDFD/RCVFD? (Until then `settle_fds` has
    /// nothing to do, and its caller need not work out its arguments.)
    pub fn fds_in_use(&self) -> bool {
        self.fds_used.load(Ordering::Acquire)
    }

    /// Might events be pending? (A plain load: `take_events` decides.)
    pub fn may_have_events(&self) -> bool {
        self.pending.load(Ordering::Relaxed)
    }

    /// Move pending events into `out` (which should be empty).
    pub fn take_events(&self, out: &mut Vec<Event>) {
        // A plain load first: the flag's cache line is shared with posters.
        if self.pending.load(Ordering::Relaxed) && self.pending.swap(false, Ordering::SeqCst) {
            let mut st = self.state.lock();
            std::mem::swap(&mut st.events, out);
        }
    }

    /// Block until something is posted in direction `d` since `epoch` was
    /// read, or until `deadline`. Returns false on timeout.
    pub fn wait(&self, d: Dir, epoch: u64, deadline: Option<Instant>) -> bool {
        let w = &self.waiting[ix(d)];
        w.fetch_add(1, Ordering::SeqCst);
        let woke = self.wait_epoch(d, epoch, deadline);
        w.fetch_sub(1, Ordering::SeqCst);
        woke
    }

    fn wait_epoch(&self, d: Dir, epoch: u64, deadline: Option<Instant>) -> bool {
        let e = &self.epoch[ix(d)];
        if self.spin.load(Ordering::Relaxed) {
            // `NO_CPU` (no poster yet) matches no CPU below 65535.
            let peer = (epoch & NO_CPU) as u32;
            if self
                .spinner
                .wait(e, epoch, || cpu::beside(peer), cpu::moving)
            {
                return true;
            }
        }
        let mut st = self.state.lock();
        st.sleepers[ix(d)] += 1;
        let mut woke = true;
        while e.load(Ordering::SeqCst) == epoch {
            match deadline {
                None => self.cv[ix(d)].wait(&mut st),
                Some(t) => {
                    if self.cv[ix(d)].wait_until(&mut st, t).timed_out() {
                        woke = e.load(Ordering::SeqCst) != epoch;
                        break;
                    }
                }
            }
        }
        st.sleepers[ix(d)] -= 1;
        woke
    }

    /// Like `wait(d, ..)`, but sleeping in `poll` on `fd` as well, for
    /// readable bytes (`Dir::Recv`) or room (`Dir::Send`): a receiver that
    /// reads its one pipe on its own thread (see
    /// `PipeEnd::read_here_begin`) wakes when the peer's bytes arrive,
    /// instead of when the I/O thread has read them and woken it, one
    /// hand-over fewer; a sender whose one pipe is full (see
    /// `PipeEnd::flush_here_begin`) wakes when the kernel has room, and
    /// writes what is queued itself. `Ready` says the caller should read
    /// or write `fd` and wait again; what that makes possible is posted to
    /// this mailbox as usual (and ends the wait, as any post does). A
    /// receiver looks at the descriptor for a while first
    /// ([`Sig::look_at_fd`]).
    ///
    /// Lost wake-ups: the caller counts itself in `fd_sleepers`, then
    /// reads the epoch; a poster bumps the epoch, then reads the count and
    /// raises `waker` (see `bump`). One of them sees the other.
    ///
    /// Only after [`Sig::can_wait_on_fd`] said yes.
    pub fn wait_or_fd(&self, d: Dir, epoch: u64, deadline: Option<Instant>, fd: i32) -> Woke {
        let Some(waker) = self.waker.get() else {
            return Woke::Posted; // the caller looks again
        };
        let e = &self.epoch[ix(d)];
        let w = &self.waiting[ix(d)];
        let events = match d {
            Dir::Recv => libc::POLLIN,
            Dir::Send => libc::POLLOUT,
        };
        w.fetch_add(1, Ordering::SeqCst);
        self.fd_sleepers[ix(d)].fetch_add(1, Ordering::SeqCst);
        let woke = loop {
            if e.load(Ordering::SeqCst) != epoch {
                break Woke::Posted;
            }
            let ms = match deadline {
                None => -1,
                Some(t) => {
                    let left = t.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break Woke::TimedOut;
                    }
                    // Rounded up: waking a little late beats spinning on 0.
                    left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
                }
            };
            let mut fds = [
                libc::pollfd {
                    fd,
                    events,
                    revents: 0,
                },
                libc::pollfd {
                    fd: waker.fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: two valid pollfds on our stack; the caller keeps `fd`
            // open while it waits (its pipe's contract).
            let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, ms) };
            if n < 0 {
                let err = std::io::Error::last_os_error();
                if err.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                break Woke::Posted; // let the caller look again
            }
            if fds[1].revents != 0 {
                waker.clear();
            }
            if e.load(Ordering::SeqCst) != epoch {
                break Woke::Posted;
            }
            if fds[0].revents != 0 {
                break Woke::Ready;
            }
        };
        self.fd_sleepers[ix(d)].fetch_sub(1, Ordering::SeqCst);
        w.fetch_sub(1, Ordering::SeqCst);
        woke
    }

    /// Before a receiver that reads its pipe itself sleeps in
    /// [`Sig::wait_or_fd`]: read without blocking (`look`), yielding the
    /// CPU between reads, while that pays (see `Spinner::look`): waking an
    /// idle CPU from `poll` costs a VM more than a dozen microseconds.
    /// True: something was posted (no sleep).
    pub fn look_at_fd(&self, epoch: u64, look: impl FnMut() -> bool) -> bool {
        self.fd_spinner
            .look(&self.epoch[ix(Dir::Recv)], epoch, look)
    }

    /// Callers waiting in direction `d` (either way).
    #[cfg(test)]
    pub fn waiters(&self, d: Dir) -> u32 {
        self.waiting[ix(d)].load(Ordering::SeqCst)
    }

    /// Callers asleep in [`Sig::wait_or_fd`] in direction `d`.
    #[cfg(test)]
    pub fn fd_sleepers(&self, d: Dir) -> u32 {
        self.fd_sleepers[ix(d)].load(Ordering::SeqCst)
    }

    /// Can a caller sleep in [`Sig::wait_or_fd`]? (Makes its eventfd on
    /// first use; no when the process is out of descriptors.)
    pub fn can_wait_on_fd(&self) -> bool {
        if self.waker.get().is_some() {
            return true;
        }
        match Efd::new() {
            Ok(e) => {
                // Another thread may have made one first: theirs is kept.
                let _ = self.waker.set(e);
                true
            }
            Err(_) => false,
        }
    }

    /// The SNDFD (`Dir::Send`) or RCVFD (`Dir::Recv`) descriptor, created on
    /// first use with the given current readiness (raised once closed). It
    /// stays open as long as this `Sig` lives.
    pub fn fd(&self, d: Dir, ready: bool) -> Result<i32> {
        let mut st = self.state.lock();
        let closed = st.closed;
        let f = &mut st.fds[ix(d)];
        if f.efd.is_none() {
            f.efd = Some(Efd::new().map_err(|e| Error(e.raw_os_error().unwrap_or(libc::EMFILE)))?);
            f.set = false;
            f.settle(ready || closed);
            self.show(&st);
            self.fds_used.store(true, Ordering::Release);
        }
        let f = &st.fds[ix(d)];
        Ok(f.efd.as_ref().map(|e| e.fd()).unwrap_or(-1))
    }

    /// Make SNDFD/RCVFD say exactly what the owner knows. Events not yet
    /// drained may make a direction ready, so they keep a flag raised.
    ///
    /// The owner calls this under its own lock, so no other settle runs
    /// meanwhile and no event is taken: what `shown` says can only go up
    /// (a post raising a descriptor), and events waiting keep `pending`
    /// set. A descriptor raised while it should be, or down while it
    /// should be and nothing is pending, needs nothing; if both do, the
    /// lock is not taken. (A post racing with that check is as if it came
    /// after it: it raises what it raises either way.)
    pub fn settle_fds(&self, can_send: bool, can_recv: bool) {
        if !self.fds_in_use() {
            return;
        }
        let settled = |d: Dir, can: bool| match self.shown[ix(d)].load(Ordering::SeqCst) {
            NO_FD => true,
            UP => can,
            _ => !can && !self.pending.load(Ordering::SeqCst),
        };
        if settled(Dir::Send, can_send) && settled(Dir::Recv, can_recv) {
            return;
        }
        let mut st = self.state.lock();
        if st.closed {
            return;
        }
        let pending = !st.events.is_empty();
        st.fds[ix(Dir::Send)].settle(can_send || pending);
        st.fds[ix(Dir::Recv)].settle(can_recv || pending);
        self.show(&st);
    }

    /// Publish what the descriptors show (under the lock).
    fn show(&self, st: &State) {
        for (f, shown) in st.fds.iter().zip(&self.shown) {
            let v = match (&f.efd, f.set) {
                (None, _) => NO_FD,
                (Some(_), true) => UP,
                (Some(_), false) => DOWN,
            };
            shown.store(v, Ordering::SeqCst);
        }
    }
}

/// The owner of an ownerless mailbox.
struct Nobody;

impl Owner for Nobody {
    fn settle_posted(&self) {}
}

#[cfg(test)]
#[path = "sig_tests.rs"]
mod tests;
