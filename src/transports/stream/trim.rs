//! Giving memory back once many connections have gone.
//!
//! A connection's memory comes from whichever thread made it (the reactor
//! for accepted ones, the caller of `nn_connect` for dialed ones) and goes
//! back to that thread's malloc arena when the last reference drops. With
//! thousands of connections gone, the arenas are mostly free but stay
//! resident: glibc returns only the free top of a heap, and a few hundred
//! blocks still in use (the reactor's buffers, other sockets' state)
//! scattered over the megabytes keep everything below them. So when the
//! number of live connections falls far below its peak, the reactor is
//! asked to give the free pages back: the message pool empties, the
//! reactor frees its reading buffer, then `Reactor::give_back` shrinks the
//! reactor's queues, flushes its thread's malloc cache and `malloc_trim`s.
//!
//! When: at most a quarter of the peak is still live and at least
//! `MIN_GONE` connections went since the peak (less is not worth a pass
//! over the heap). It waits until connections stop going for `QUIET`
//! (a close storm frees its memory over many turns; trimming in the middle
//! would leave the rest), but no longer than `MAX_WAIT`. Then the peak
//! starts again from what is live. So a trim follows at least `MIN_GONE`
//! connection ends (and at least three quarters of the peak): its cost, a
//! pass over the free lists and the system calls that hand pages back, is
//! a small share of what those connections cost to set up and tear down,
//! and it never runs on a message path. A server whose connections come and
//! go around a steady number never trims.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::reactor;

/// Fewer connections gone than this is not worth a trim (a few KiB each).
pub(super) const MIN_GONE: usize = 256;
/// A trim waits until no connection went for this long...
const QUIET: Duration = Duration::from_millis(20);
/// ... but no longer than this after it was first due.
const MAX_WAIT: Duration = Duration::from_millis(500);

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Connections freed so far (to see whether they are still going).
static FREED: AtomicUsize = AtomicUsize::new(0);
/// A trim is on its way.
static DUE: AtomicBool = AtomicBool::new(false);

/// One live connection: counted from its creation until its memory goes.
pub(super) struct Counted(());

impl Counted {
    pub(super) fn new() -> Counted {
        let live = LIVE.fetch_add(1, Ordering::Relaxed) + 1;
        PEAK.fetch_max(live, Ordering::Relaxed);
        Counted(())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let live = LIVE.fetch_sub(1, Ordering::Relaxed) - 1;
        FREED.fetch_add(1, Ordering::Relaxed);
        if worth(live) && !DUE.swap(true, Ordering::AcqRel) {
            let now = Instant::now();
            wait(FREED.load(Ordering::Relaxed), now, now);
        }
    }
}

fn worth(live: usize) -> bool {
    let peak = PEAK.load(Ordering::Relaxed);
    peak.saturating_sub(live) >= MIN_GONE && live <= peak / 4
}

/// Check again after `QUIET`: trim if nothing went meanwhile (`freed` is
/// the count seen) or `MAX_WAIT` after `since`.
fn wait(freed: usize, since: Instant, now: Instant) {
    reactor::get().at(
        now + QUIET,
        Box::new(move || {
            let now = Instant::now();
            let f = FREED.load(Ordering::Relaxed);
            if f != freed && now < since + MAX_WAIT {
                wait(f, since, now);
                return;
            }
            PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
            DUE.store(false, Ordering::Release);
            crate::core::pool::empty();
            super::recv::free_thread_buffers(); // the reactor's: this runs there
            reactor::get().give_back();
        }),
    );
}
