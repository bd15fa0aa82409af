//! The I/O thread: one `polling::Poller` (epoll) for every network
//! descriptor in the process, plus timers and a queue of "pokes" (work that
//! another thread hands to the reactor: flush a pipe's queue, resume
//! reading, tear a connection down).
//!
//! Descriptors are registered edge-triggered, for reading (except while a
//! caller reads one itself) and for writing only while a source's output is stuck ([`Reactor::set_interest`]
//! re-arms the interest, one `epoll_ctl` when a write cannot finish and one
//! when the queue has drained): a source reads until `EAGAIN` (or asks to be
//! poked again when it stops early) and writes until `EAGAIN`, after which
//! the next writable edge brings it back.
//!
//! A source lives in a slot of a slab, and its key (the `u64` that epoll
//! hands back with each event) is the slot's index plus the slot's
//! generation, bumped whenever the slot is freed. Looking a source up for an
//! event is an index and a compare under the slab's lock (held only for
//! that, never while a source runs). An event for a removed source is
//! ignored: `remove` frees the slot, so the generation no longer matches,
//! even once the slot serves another source. `remove` may race with an
//! event already taken from the kernel, which is then delivered once:
//! sources ignore events once closed.
//!
//! The reactor holds no lock while it calls into a source, and sources
//! never block: every descriptor is non-blocking. Nothing here calls user
//! code. The thread starts with the first network endpoint and sleeps in
//! `epoll_wait` when there is nothing to do, so an idle process uses no CPU.
//!
//! Memory: the slabs and queues grow with the number of sources, and a
//! slab gives back the slots at its end as they become free (see `Slab`).
//! When many connections have gone, their owner asks for
//! [`Reactor::give_back`]: at the end of that turn the reactor shrinks its
//! own queues and hands the heap's free pages back to the system.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// The closure's key in `Timers::fns`.
    key: usize,
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

/// A cancelled timer's closure goes at once; its heap entry stays and is
/// skipped when it comes up (its key is stale by then).
#[derive(Default)]
struct Timers {
    heap: BinaryHeap<Reverse<Timer>>,
    fns: Slab<TimerFn>,
    seq: u64,
}

/// A key is `generation << IDX_BITS | index`. The index stays below
/// `IDX_MASK`, so no key is `usize::MAX` (polling's own wake-up key), and a
/// generation is never 0, so neither is a key (callers start with key 0
/// before `new_key`: removing it does nothing).
const IDX_BITS: u32 = usize::BITS / 2;
const IDX_MASK: usize = (1 << IDX_BITS) - 1;
const GEN_MAX: usize = usize::MAX >> IDX_BITS;

struct Slot<T> {
    /// The generation, with `FREE` set while the slot is free.
    gen: usize,
    /// `None` while reserved (by `new_key`) or free.
    val: Option<T>,
}

/// Marks a free slot's generation: no key's generation has this bit, so
/// no key names a free slot.
const FREE: usize = 1 << (usize::BITS - 1);
const _: () = assert!(GEN_MAX < FREE);

/// Values by key: the registered sources, the timers' closures.
///
/// The lowest free slot is used first, so when most values have gone, the
/// free slots are at the end: they are cut off as they become free, and
/// the vectors shrink once they are four times what is in them (amortised:
/// a copy of `n` slots follows at least `n` releases).
struct Slab<T> {
    slots: Vec<Slot<T>>,
    /// The free slots' indices, lowest first. Indices past the end (of
    /// slots cut off) are dropped when they come up or pile up.
    free: BinaryHeap<Reverse<usize>>,
    /// Slots in use (reserved or holding a value).
    live: usize,
    /// The generation of new slots: above every generation a slot had
    /// before it was cut off, so no key from before names a slot made
    /// after.
    fresh: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free: BinaryHeap::new(),
            live: 0,
            fresh: 1,
        }
    }
}

/// A slab this long or shorter keeps its capacity.
const SLAB_KEEP: usize = 64;

impl<T> Slab<T> {
    /// A free slot's key; the slot stays reserved until `release`.
    fn reserve(&mut self) -> usize {
        let len = self.slots.len();
        let idx = match self.free.pop() {
            Some(Reverse(i)) if i < len => i,
            lowest => {
                // No free slot below the end: any index left was cut off.
                if lowest.is_some() {
                    self.free.clear();
                }
                self.slots.push(Slot {
                    gen: self.fresh | FREE,
                    val: None,
                });
                len
            }
        };
        assert!(idx < IDX_MASK, "too many nanomsg descriptors");
        self.live += 1;
        let s = &mut self.slots[idx];
        s.gen &= !FREE;
        s.gen << IDX_BITS | idx
    }

    fn insert(&mut self, val: T) -> usize {
        let key = self.reserve();
        self.slots[key & IDX_MASK].val = Some(val);
        key
    }

    /// The slot `key` names, if it has not been released since.
    fn slot(&mut self, key: usize) -> Option<&mut Slot<T>> {
        let s = self.slots.get_mut(key & IDX_MASK)?;
        (s.gen == key >> IDX_BITS).then_some(s)
    }

    fn get(&self, key: usize) -> Option<&T> {
        let s = self.slots.get(key & IDX_MASK)?;
        (s.gen == key >> IDX_BITS).then_some(s.val.as_ref()?)
    }

    /// Free `key`'s slot (a stale key does nothing). The key stays dead
    /// until the generation wraps: 2^32 reuses of the slot on 64-bit, far
    /// more than fit in the life of a stale event (one turn) or of a
    /// cancelled timer's heap entry (until its deadline). On 32-bit it is
    /// 2^16, which a timer re-armed per request could reach within a long
    /// deadline.
    fn release(&mut self, key: usize) -> Option<T> {
        let s = self.slot(key)?;
        let val = s.val.take();
        s.gen = (if s.gen == GEN_MAX { 1 } else { s.gen + 1 }) | FREE;
        self.live -= 1;
        self.free.push(Reverse(key & IDX_MASK));
        // Thousands of connections gone: their slots go too.
        while let Some(last) = self.slots.last() {
            if last.gen & FREE == 0 {
                break;
            }
            self.fresh = self.fresh.max(last.gen & !FREE);
            self.slots.pop();
        }
        let len = self.slots.len();
        if self.slots.capacity() > SLAB_KEEP.max(4 * len) {
            self.slots.shrink_to(2 * len);
        }
        let free = len - self.live;
        if self.free.len() > SLAB_KEEP.max(2 * free) {
            self.free.retain(|&Reverse(i)| i < len);
        }
        if self.free.capacity() > SLAB_KEEP.max(4 * self.free.len()) {
            self.free.shrink_to(2 * self.free.len());
        }
        val
    }

    fn live(&self) -> usize {
        self.live
    }
}

pub struct Reactor {
    poller: Poller,
    sources: Mutex<Slab<Arc<dyn Source>>>,
    timers: Mutex<Timers>,
    pokes: Mutex<Vec<Arc<dyn Source>>>,
    /// [`Reactor::give_back`] was asked for.
    give_back: AtomicBool,
}

/// What the I/O thread keeps from one turn to the next.
struct Turn {
    /// When the earliest timer is due (the first turn looks at once).
    next: Option<Instant>,
    events: Events,
    fired: Vec<TimerFn>,
    pokes: Vec<Arc<dyn Source>>,
}

impl Turn {
    fn new() -> Turn {
        Turn {
            next: Some(Instant::now()),
            events: Events::new(),
            fired: Vec::new(),
            pokes: Vec::new(),
        }
    }
}

/// The process's reactor, started on first use.
pub fn get() -> &'static Reactor {
    static R: OnceLock<&'static Reactor> = OnceLock::new();
    R.get_or_init(|| {
        let r: &'static Reactor = Box::leak(Box::new(
            Reactor::new().expect("cannot create the nanomsg poller"),
        ));
        std::thread::Builder::new()
            .name("nanomsg-io".into())
            .spawn(move || r.run())
            .expect("cannot start the nanomsg I/O thread");
        r
    })
}

/// A timer that can be cancelled (cancelling a fired timer does nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerId(usize);

impl Reactor {
    fn new() -> std::io::Result<Reactor> {
        Ok(Reactor {
            poller: Poller::new()?,
            sources: Mutex::new(Slab::default()),
            timers: Mutex::new(Timers::default()),
            pokes: Mutex::new(Vec::new()),
            give_back: AtomicBool::new(false),
        })
    }

    /// A fresh key for [`Reactor::add`]. A source must know its key before
    /// it is registered: its first event can arrive before `add` returns.
    /// Every key goes to `add` once (which frees it if it fails), or to
    /// `remove`.
    pub fn new_key(&self) -> usize {
        self.sources.lock().reserve()
    }

    /// Watch `fd` for `src` under `key`: readability always, writability
    /// when `write` (see [`Reactor::set_interest`]).
    pub fn add(
        &self,
        key: usize,
        fd: RawFd,
        src: Arc<dyn Source>,
        write: bool,
    ) -> std::io::Result<()> {
        match self.sources.lock().slot(key) {
            Some(s) if s.val.is_none() => s.val = Some(src),
            _ => return Err(std::io::ErrorKind::InvalidInput.into()),
        }
        // SAFETY: the caller keeps `fd` open until it calls `remove`, which
        // deletes it from the poller before the descriptor is closed.
        let r = unsafe {
            self.poller
                .add_with_mode(fd, interest(key, write), PollMode::Edge)
        };
        if r.is_err() {
            let src = self.sources.lock().release(key);
            drop(src); // not under the lock
        }
        r
    }

    /// Ask for writable edges only while output is stuck: a socket that is
    /// always writable would otherwise wake the reactor on every read the
    /// peer does (Unix sockets signal that). Readable edges are not asked
    /// for while a source's caller reads the descriptor itself (see
    /// `transports::stream`). Re-arming reports readiness that is already
    /// there, so no edge is lost. Hang-ups and errors are reported either way.
    pub fn set_interest(&self, fd: RawFd, key: usize, read: bool, write: bool) {
        // SAFETY: fd is open and registered (the caller's contract).
        let bfd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        let ev = match (read, write) {
            (true, true) => Event::all(key),
            (true, false) => Event::readable(key),
            (false, true) => Event::writable(key),
            (false, false) => Event::none(key),
        };
        let _ = self.poller.modify_with_mode(bfd, ev, PollMode::Edge);
    }

    /// Tests: the events epoll watches `fd` for (`/proc/self/fdinfo` of
    /// the poller), `None` when it is not registered.
    #[cfg(test)]
    pub fn interest_of(&self, fd: RawFd) -> Option<u32> {
        use std::os::fd::AsRawFd;
        let info =
            std::fs::read_to_string(format!("/proc/self/fdinfo/{}", self.poller.as_raw_fd()))
                .expect("the poller's fdinfo");
        info.lines().find_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some("tfd:") && w.next()?.parse::<RawFd>().ok()? == fd).then_some(())?;
            (w.next() == Some("events:")).then_some(())?;
            u32::from_str_radix(w.next()?, 16).ok()
        })
    }

    /// Stop watching `fd` (still open). Events already taken from the
    /// kernel may still be delivered once; sources ignore them when closed.
    pub fn remove(&self, fd: RawFd, key: usize) {
        // SAFETY: fd is still open (the caller closes it after this).
        let bfd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        let _ = self.poller.delete(bfd);
        let src = self.sources.lock().release(key);
        drop(src); // not under the lock: the last reference may go here
    }

    /// Run `src.poked()` on the reactor thread soon.
    pub fn poke(&self, src: Arc<dyn Source>) {
        self.pokes.lock().push(src);
        // The reactor itself looks at its pokes before it sleeps again.
        if !ON_REACTOR.get() {
            let _ = self.poller.notify();
        }
    }

    /// Give memory back to the system at the end of the reactor's next
    /// turn: shrink the reactor's own queues, then `malloc_trim`. For the
    /// moment after many connections went (their owner decides when, and
    /// how rarely: see `transports::stream::trim`); never per message.
    pub fn give_back(&self) {
        self.give_back.store(true, Ordering::Release);
        if !ON_REACTOR.get() {
            let _ = self.poller.notify();
        }
    }

    /// The end of a turn that `give_back` asked for (its own queues are
    /// empty by then).
    fn release_memory(&self, turn: &mut Turn) {
        turn.pokes = Vec::new();
        turn.fired = Vec::new();
        {
            let mut p = self.pokes.lock();
            let len = p.len();
            p.shrink_to(2 * len);
        }
        {
            let mut t = self.timers.lock();
            let len = t.heap.len();
            t.heap.shrink_to(SLAB_KEEP.max(2 * len));
        }
        trim_heap();
    }

    /// Run `f` on the reactor thread at `at`.
    pub fn at(&self, at: Instant, f: TimerFn) -> TimerId {
        let mut t = self.timers.lock();
        t.seq += 1;
        let seq = t.seq;
        let first = t.heap.peek().is_none_or(|Reverse(x)| at < x.at);
        let key = t.fns.insert(f);
        t.heap.push(Reverse(Timer { at, seq, key }));
        drop(t);
        if first {
            let _ = self.poller.notify();
        }
        TimerId(key)
    }

    pub fn cancel(&self, id: TimerId) {
        let mut t = self.timers.lock();
        let f = t.fns.release(id.0);
        // A cancelled timer's heap entry waits for its deadline: when
        // thousands of them are waiting (connections that went within
        // their handshake timeout), they go now, and the heap shrinks.
        if t.heap.len() > SLAB_KEEP.max(2 * t.fns.live()) {
            let Timers { heap, fns, .. } = &mut *t;
            heap.retain(|Reverse(x)| fns.get(x.key).is_some());
            let len = heap.len();
            if heap.capacity() > SLAB_KEEP.max(4 * len) {
                heap.shrink_to(2 * len);
            }
        }
        drop(t);
        drop(f); // not under the lock
    }

    /// Take the timers due by now into `out`; the next live deadline.
    fn due_timers(&self, out: &mut Vec<TimerFn>) -> Option<Instant> {
        let now = Instant::now();
        let mut t = self.timers.lock();
        while let Some(Reverse(x)) = t.heap.peek() {
            let (at, key) = (x.at, x.key);
            if at > now && t.fns.get(key).is_some() {
                return Some(at);
            }
            t.heap.pop();
            if let Some(f) = t.fns.release(key) {
                out.push(f);
            }
        }
        None
    }

    fn run(&self) {
        ON_REACTOR.set(true);
        let mut turn = Turn::new();
        loop {
            self.turn(&mut turn, None);
        }
    }

    /// Wait for something to do (at most until the next timer and `cap`),
    /// then do it: events, pokes, due timers.
    fn turn(&self, turn: &mut Turn, cap: Option<std::time::Duration>) {
        let timeout = turn
            .next
            .map(|at| at.saturating_duration_since(Instant::now()));
        let timeout = match (timeout, cap) {
            (Some(t), Some(c)) => Some(t.min(c)),
            (t, c) => t.or(c),
        };
        turn.events.clear();
        // Pokes made after this (by another thread) wake the poller; the
        // reactor's own ones wait for the next turn, which does not sleep.
        std::mem::swap(&mut turn.pokes, &mut *self.pokes.lock());
        if turn.pokes.is_empty() {
            let _ = self.poller.wait(&mut turn.events, timeout);
        }
        self.dispatch(turn.events.iter());
        for src in turn.pokes.drain(..) {
            run_guarded(|| src.poked());
        }
        // A timer added meanwhile (here or elsewhere) that comes due
        // before `next` has woken the poller.
        turn.next = self.due_timers(&mut turn.fired);
        for f in turn.fired.drain(..) {
            run_guarded(f);
        }
        if self.give_back.load(Ordering::Relaxed) && self.give_back.swap(false, Ordering::AcqRel) {
            self.release_memory(turn);
        }
    }

    /// Deliver `events` to their sources (if still registered).
    fn dispatch(&self, events: impl Iterator<Item = Event>) {
        for ev in events {
            let src = self.sources.lock().get(ev.key).cloned();
            if let Some(src) = src {
                run_guarded(|| src.ready(ev.readable, ev.writable));
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

/// Hand the free pages of every malloc arena back to the system. glibc
/// gives back on its own only the free top of a heap: pages freed below a
/// block still in use stay resident (thousands of connections leave a few
/// hundred such blocks scattered over megabytes), which `malloc_trim`
/// releases. Its cost is a pass over the free lists, paid once per
/// `give_back`.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        flush_thread_cache();
        // SAFETY: malloc_trim only reorganises the allocator's free memory;
        // it takes the arenas' own locks and is safe on any thread.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

/// glibc keeps the last few blocks this thread freed of each small size
/// (up to 7 of each of 64 sizes, 1032 bytes and less: the tcache) for
/// its next malloc. They count as in use, so `malloc_trim` leaves them
/// where they are: after thousands of connections went, the reactor's are
/// spread over megabytes, each keeping its page. Take them out and put
/// fresh ones in their place: a size's cached blocks are what malloc hands
/// out first, a second round comes from the arena (close together, from
/// its free space), and freeing the second round first fills the cache
/// again, so the first round goes back to the arena, where the trim can
/// release what is around it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn flush_thread_cache() {
    const SIZES: usize = 64;
    const CACHED: usize = 7;
    let mut rounds = [[std::ptr::null_mut::<libc::c_void>(); CACHED]; 2];
    for i in 0..SIZES {
        let size = 24 + 16 * i; // each tcache size class once
        for p in rounds.iter_mut().flatten() {
            // SAFETY: a plain allocation, freed below.
            *p = unsafe { libc::malloc(size) };
        }
        for p in rounds.iter().rev().flatten() {
            // SAFETY: `p` came from malloc above (or is null, which free
            // ignores) and is freed once.
            unsafe { libc::free(*p) };
        }
    }
}

/// A bug in one connection's handling must not take the I/O thread (and
/// with it every connection in the process) down.
fn run_guarded<F: FnOnce()>(f: F) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;
    use std::time::Duration;

    type Log = Arc<Mutex<Vec<&'static str>>>;

    /// A source that writes its name into a log when called.
    struct Rec(&'static str, Log);

    impl Source for Rec {
        fn ready(self: Arc<Self>, _: bool, _: bool) {
            self.1.lock().push(self.0);
        }
        fn poked(self: Arc<Self>) {
            if self.0 == "panics" {
                panic!("a source's bug");
            }
            self.1.lock().push(self.0);
        }
    }

    fn rec(name: &'static str, log: &Log) -> Arc<dyn Source> {
        Arc::new(Rec(name, log.clone()))
    }

    fn pair() -> (UnixStream, UnixStream) {
        let (a, b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        (a, b)
    }

    /// Wait for the kernel's events (at most 5 s), without delivering them.
    fn kernel_events(r: &Reactor) -> Vec<Event> {
        let mut ev = Events::new();
        r.poller
            .wait(&mut ev, Some(Duration::from_secs(5)))
            .unwrap();
        ev.iter().collect()
    }

    #[test]
    fn a_reused_slot_does_not_take_the_old_keys_events() {
        let r = Reactor::new().unwrap();
        let log = Log::default();
        let (a, _pa) = pair();
        let (b, _pb) = pair();
        let ka = r.new_key();
        r.add(ka, a.as_raw_fd(), rec("a", &log), false).unwrap();
        r.remove(a.as_raw_fd(), ka);
        let kb = r.new_key();
        assert_eq!(kb & IDX_MASK, ka & IDX_MASK, "the slot is reused");
        assert_ne!(kb, ka);
        r.add(kb, b.as_raw_fd(), rec("b", &log), false).unwrap();
        r.dispatch([Event::readable(ka)].into_iter());
        assert!(
            log.lock().is_empty(),
            "stale key delivered: {:?}",
            log.lock()
        );
        r.dispatch([Event::readable(kb)].into_iter());
        assert_eq!(*log.lock(), ["b"]);
        // A stale key cannot register a source nor remove the new one.
        assert!(r.add(ka, a.as_raw_fd(), rec("a", &log), false).is_err());
        r.remove(a.as_raw_fd(), ka);
        r.remove(a.as_raw_fd(), 0);
        r.dispatch([Event::readable(kb)].into_iter());
        assert_eq!(*log.lock(), ["b", "b"]);
        r.remove(b.as_raw_fd(), kb);
    }

    #[test]
    fn events_taken_before_remove_are_ignored_after_it() {
        let r = Reactor::new().unwrap();
        let log = Log::default();
        let (mut a, mut pa) = pair();
        let ka = r.new_key();
        r.add(ka, a.as_raw_fd(), rec("a", &log), false).unwrap();
        pa.write_all(b"x").unwrap();
        r.dispatch(kernel_events(&r).into_iter());
        assert_eq!(*log.lock(), ["a"]);
        let mut buf = [0u8; 8];
        assert_eq!(a.read(&mut buf).unwrap(), 1);
        // An event the kernel handed over races with `remove`.
        pa.write_all(b"y").unwrap();
        let taken = kernel_events(&r);
        assert!(taken.iter().any(|e| e.key == ka));
        r.remove(a.as_raw_fd(), ka);
        r.dispatch(taken.iter().cloned());
        // Nor once the slot serves another source.
        let (b, _pb) = pair();
        let kb = r.new_key();
        r.add(kb, b.as_raw_fd(), rec("b", &log), false).unwrap();
        r.dispatch(taken.into_iter());
        assert_eq!(*log.lock(), ["a"]);
        r.remove(b.as_raw_fd(), kb);
    }

    #[test]
    fn timers_fire_in_order_and_cancelled_ones_do_not() {
        let r = Reactor::new().unwrap();
        let log = Log::default();
        let t0 = Instant::now();
        let push = |name: &'static str| -> TimerFn {
            let log = log.clone();
            Box::new(move || log.lock().push(name))
        };
        r.at(t0 + Duration::from_millis(30), push("30"));
        r.at(t0 + Duration::from_millis(10), push("10"));
        let gone = r.at(t0 + Duration::from_millis(15), push("15"));
        r.at(t0 + Duration::from_millis(20), push("20a"));
        r.at(t0 + Duration::from_millis(20), push("20b"));
        r.cancel(gone);
        // Takes the cancelled one's slot: its heap entry (due at 15) is stale.
        r.at(t0 + Duration::from_millis(25), push("25"));
        let mut turn = Turn::new();
        let give_up = t0 + Duration::from_secs(20);
        while log.lock().len() < 5 && Instant::now() < give_up {
            r.turn(&mut turn, Some(Duration::from_secs(1)));
        }
        assert_eq!(*log.lock(), ["10", "20a", "20b", "25", "30"]);
        assert!(t0.elapsed() >= Duration::from_millis(30));
        r.cancel(gone); // a second cancel (or of a fired timer) does nothing
    }

    #[test]
    fn a_panicking_source_does_not_stop_the_others() {
        let r = Reactor::new().unwrap();
        let log = Log::default();
        r.poke(rec("panics", &log));
        r.poke(rec("after", &log));
        r.turn(&mut Turn::new(), Some(Duration::ZERO));
        assert_eq!(*log.lock(), ["after"]);
    }

    #[test]
    fn an_emptied_slab_goes_and_its_old_keys_stay_dead() {
        let mut s: Slab<u32> = Slab::default();
        let keys: Vec<usize> = (0..1000).map(|i| s.insert(i)).collect();
        for &k in &keys {
            assert!(s.release(k).is_some());
        }
        assert_eq!(s.slots.capacity(), 0, "the slots went");
        assert_eq!(s.free.capacity(), 0);
        let k = s.insert(7);
        assert_eq!(k & IDX_MASK, 0, "slot 0 again");
        assert!(keys.iter().all(|&old| old != k && s.get(old).is_none()));
        assert!(s.release(keys[0]).is_none(), "an old key frees nothing");
        assert_eq!(s.get(k), Some(&7));
        // A small slab is kept.
        let mut small: Slab<u32> = Slab::default();
        let k = small.insert(1);
        small.release(k);
        assert!(small.slots.capacity() > 0);
    }

    #[test]
    fn a_mostly_free_slab_gives_its_end_back() {
        let mut s: Slab<usize> = Slab::default();
        let keys: Vec<usize> = (0..4000).map(|i| s.insert(i)).collect();
        // All but every 40th of the first thousand go, in order, so the
        // end of the slab stays in use until the last ones go.
        let kept: Vec<usize> = (0..1000).step_by(40).collect();
        for (i, &k) in keys.iter().enumerate() {
            if !kept.contains(&i) {
                assert_eq!(s.release(k), Some(i));
            }
        }
        assert_eq!(s.live(), kept.len());
        assert_eq!(s.slots.len(), 961, "cut after the last one in use");
        assert!(s.slots.capacity() <= 4 * 961, "{}", s.slots.capacity());
        assert!(s.free.len() <= 2 * (961 - kept.len()) + SLAB_KEEP);
        assert!(s.free.capacity() <= 4 * s.free.len().max(SLAB_KEEP));
        for &i in &kept {
            assert_eq!(s.get(keys[i]), Some(&i), "a live key still works");
        }
        // The lowest free slot is used first; new slots past the cut get
        // fresh generations: no old key names them.
        let low = s.insert(7);
        assert_eq!(low & IDX_MASK, 1);
        let more: Vec<usize> = (0..4000).map(|i| s.insert(i)).collect();
        for (i, &k) in keys.iter().enumerate() {
            if !kept.contains(&i) {
                assert!(s.get(k).is_none(), "old key {i} names a new value");
                assert!(s.release(k).is_none());
            }
        }
        assert_eq!(s.get(low), Some(&7));
        for (i, &k) in more.iter().enumerate() {
            assert_eq!(s.get(k), Some(&i));
        }
    }

    #[test]
    fn cancelled_timers_leave_the_heap_before_their_deadline() {
        let r = Reactor::new().unwrap();
        let later = Instant::now() + Duration::from_secs(3600);
        let ids: Vec<TimerId> = (0..10_000).map(|_| r.at(later, Box::new(|| {}))).collect();
        let keep = r.at(later, Box::new(|| {}));
        for id in ids {
            r.cancel(id);
        }
        let t = r.timers.lock();
        assert!(t.heap.len() <= SLAB_KEEP, "{} entries left", t.heap.len());
        assert!(
            t.heap.capacity() <= 4 * SLAB_KEEP,
            "capacity {}",
            t.heap.capacity()
        );
        assert!(t.fns.get(keep.0).is_some(), "the live timer stays");
        assert!(t.heap.iter().any(|Reverse(x)| x.key == keep.0));
    }
}
