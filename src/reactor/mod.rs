//! The I/O thread: one `polling::Poller` (epoll) for every network
//! descriptor in the process, plus timers and a queue of "pokes" (work that
//! another thread hands to the reactor: flush a pipe's queue, resume
//! reading, tear a connection down).
//!
//! Descriptors are registered edge-triggered, for reading always and for
//! writing only while a source's output is stuck ([`Reactor::want_write`]
//! re-arms the interest, one `epoll_ctl` when a write cannot finish and one
//! when the queue has drained): a source reads until `EAGAIN` (or asks to be
//! poked again when it stops early) and writes until `EAGAIN`, after which
//! the next writable edge brings it back.
//!
//! The reactor holds no lock while it calls into a source, and sources
//! never block: every descriptor is non-blocking. Nothing here calls user
//! code. The thread starts with the first network endpoint and sleeps in
//! `epoll_wait` when there is nothing to do, so an idle process uses no CPU.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use parking_lot::Mutex;
use polling::{Event, Events, PollMode, Poller};

/// Something with a descriptor (or just work) that the reactor drives.
pub trait Source: Send + Sync {
    /// The descriptor became readable and/or writable (or hung up; the
    /// next read or write tells).
    fn ready(self: Arc<Self>, readable: bool, writable: bool);
    /// Work requested with [`Reactor::poke`].
    fn poked(self: Arc<Self>);
}

type TimerFn = Box<dyn FnOnce() + Send>;

struct Timer {
    at: Instant,
    seq: u64,
}

impl PartialEq for Timer {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Timer {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

#[derive(Default)]
struct Timers {
    heap: BinaryHeap<Reverse<Timer>>,
    fns: HashMap<u64, TimerFn>,
    seq: u64,
}

pub struct Reactor {
    poller: Poller,
    sources: Mutex<HashMap<usize, Arc<dyn Source>>>,
    next_key: AtomicUsize,
    timers: Mutex<Timers>,
    pokes: Mutex<Vec<Arc<dyn Source>>>,
}

/// The process's reactor, started on first use.
pub fn get() -> &'static Reactor {
    static R: OnceLock<&'static Reactor> = OnceLock::new();
    R.get_or_init(|| {
        let r: &'static Reactor = Box::leak(Box::new(Reactor {
            poller: Poller::new().expect("cannot create the nanomsg poller"),
            sources: Mutex::new(HashMap::new()),
            next_key: AtomicUsize::new(1),
            timers: Mutex::new(Timers::default()),
            pokes: Mutex::new(Vec::new()),
        }));
        std::thread::Builder::new()
            .name("nanomsg-io".into())
            .spawn(move || r.run())
            .expect("cannot start the nanomsg I/O thread");
        r
    })
}

/// A timer that can be cancelled (cancelling a fired timer does nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerId(u64);

impl Reactor {
    /// A fresh key for [`Reactor::add`]. A source must know its key before
    /// it is registered: its first event can arrive before `add` returns.
    pub fn new_key(&self) -> usize {
        self.next_key.fetch_add(1, Ordering::Relaxed)
    }

    /// Watch `fd` for `src` under `key`: readability always, writability
    /// when `write` (see [`Reactor::want_write`]).
    pub fn add(
        &self,
        key: usize,
        fd: RawFd,
        src: Arc<dyn Source>,
        write: bool,
    ) -> std::io::Result<()> {
        self.sources.lock().insert(key, src);
        // SAFETY: the caller keeps `fd` open until it calls `remove`, which
        // deletes it from the poller before the descriptor is closed.
        let r = unsafe {
            self.poller
                .add_with_mode(fd, interest(key, write), PollMode::Edge)
        };
        if let Err(e) = r {
            self.sources.lock().remove(&key);
            return Err(e);
        }
        Ok(())
    }

    /// Ask for writable edges only while output is stuck: a socket that is
    /// always writable would otherwise wake the reactor on every read the
    /// peer does (Unix sockets signal that). Re-arming reports readiness
    /// that is already there, so no edge is lost.
    pub fn want_write(&self, fd: RawFd, key: usize, write: bool) {
        // SAFETY: fd is open and registered (the caller's contract).
        let bfd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        let _ = self
            .poller
            .modify_with_mode(bfd, interest(key, write), PollMode::Edge);
    }

    /// Stop watching `fd` (still open). Events already taken from the
    /// kernel may still be delivered once; sources ignore them when closed.
    pub fn remove(&self, fd: RawFd, key: usize) {
        // SAFETY: fd is still open (the caller closes it after this).
        let bfd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        let _ = self.poller.delete(bfd);
        self.sources.lock().remove(&key);
    }

    /// Run `src.poked()` on the reactor thread soon.
    pub fn poke(&self, src: Arc<dyn Source>) {
        self.pokes.lock().push(src);
        // The reactor itself looks at its pokes before it sleeps again.
        if !ON_REACTOR.get() {
            let _ = self.poller.notify();
        }
    }

    /// Run `f` on the reactor thread at `at`.
    pub fn at(&self, at: Instant, f: TimerFn) -> TimerId {
        let mut t = self.timers.lock();
        t.seq += 1;
        let seq = t.seq;
        let first = t.heap.peek().is_none_or(|Reverse(x)| at < x.at);
        t.heap.push(Reverse(Timer { at, seq }));
        t.fns.insert(seq, f);
        drop(t);
        if first {
            let _ = self.poller.notify();
        }
        TimerId(seq)
    }

    pub fn cancel(&self, id: TimerId) {
        // The heap entry stays and is skipped when it comes up.
        self.timers.lock().fns.remove(&id.0);
    }

    fn next_timer(&self) -> Option<Instant> {
        let mut t = self.timers.lock();
        while let Some(Reverse(x)) = t.heap.peek() {
            if t.fns.contains_key(&x.seq) {
                return Some(x.at);
            }
            t.heap.pop();
        }
        None
    }

    fn due_timers(&self, out: &mut Vec<TimerFn>) {
        let now = Instant::now();
        let mut t = self.timers.lock();
        while let Some(Reverse(x)) = t.heap.peek() {
            if x.at > now {
                break;
            }
            let seq = x.seq;
            t.heap.pop();
            if let Some(f) = t.fns.remove(&seq) {
                out.push(f);
            }
        }
    }

    fn run(&self) {
        ON_REACTOR.set(true);
        let mut events = Events::new();
        let mut fired = Vec::new();
        let mut pokes = Vec::new();
        loop {
            events.clear();
            let timeout = self
                .next_timer()
                .map(|at| at.saturating_duration_since(Instant::now()));
            if self.pokes.lock().is_empty() {
                let _ = self.poller.wait(&mut events, timeout);
            }
            for ev in events.iter() {
                let src = self.sources.lock().get(&ev.key).cloned();
                if let Some(src) = src {
                    run_guarded(|| src.ready(ev.readable, ev.writable));
                }
            }
            std::mem::swap(&mut pokes, &mut *self.pokes.lock());
            for src in pokes.drain(..) {
                run_guarded(|| src.poked());
            }
            self.due_timers(&mut fired);
            for f in fired.drain(..) {
                run_guarded(f);
            }
        }
    }
}

thread_local! {
    /// This thread is the reactor's.
    static ON_REACTOR: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn interest(key: usize, write: bool) -> Event {
    if write {
        Event::all(key)
    } else {
        Event::readable(key)
    }
}

/// A bug in one connection's handling must not take the I/O thread (and
/// with it every connection in the process) down.
fn run_guarded<F: FnOnce()>(f: F) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
}
