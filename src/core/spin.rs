//! How a blocked caller waits for an epoch to move before it sleeps on a
//! futex: spinning while that pays, then giving its core away a few times.
//!
//! Spinning: a peer on another core usually answers well within a few
//! thousand rounds, and a futex sleep plus wake-up costs far more. The
//! rounds adapt: the budget grows when the event came during the spin and
//! halves down to a floor when it did not, so a peer that cannot run
//! meanwhile (another job holds the other core) is not robbed of its core.
//! At the floor, every `PROBE_EVERY`th wait probes with a longer spin, or
//! two threads that both sleep (and so wake each other late) would never
//! find their way back to spinning.
//!
//! Beside its peer: when the thread that will move the epoch last ran on
//! the waiter's own CPU, it cannot run while the waiter spins; the waiter
//! yields at once (and, after a run of such waits, moves to another CPU:
//! see `core::cpu`). If the yields bring nothing while a thread is moving
//! to another CPU, the peer may be that thread, on its way: the waiter
//! spins for the rest of the move instead of sleeping.
//!
//! Yielding: when the spin did not pay, the caller gives its core away
//! (`sched_yield`) a few times before it sleeps. With more busy threads
//! than cores (two REQ/REP pairs on two cores) the peer is often waiting
//! for this very core: it runs at once, and the caller is back as soon as
//! the core is free again, without a futex wake-up on either side. With
//! nothing else to run, a yield returns at once and costs a system call.
//! A yield that took long (the core went to another job for a whole
//! slice) ends the yielding: sleeping wakes up sooner then.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const SPIN_ROUNDS: u32 = 4000;
const SPIN_MIN: u32 = 32;
const PROBE_EVERY: u32 = 32;
const PROBE_ROUNDS: u32 = 512;
/// Yields before sleeping, and the longest a yield may take for the next.
const YIELDS: u32 = 8;
const YIELD_SLICE: Duration = Duration::from_micros(50);

/// Rounds a spinner spins at most, at least, and when it probes.
#[derive(Clone, Copy)]
struct Limits {
    max: u32,
    min: u32,
    probe: u32,
}

/// Waiting for an epoch (a memory read per round).
const EPOCH: Limits = Limits {
    max: SPIN_ROUNDS,
    min: SPIN_MIN,
    probe: PROBE_ROUNDS,
};

/// Waiting for a descriptor: per round a non-blocking read and a yield,
/// two system calls (together well under a microsecond here when nothing
/// else wants the CPU). The most, a few hundred rounds, outlasts a
/// sleeping peer's wake-up (about 20 us on the benchmarks' VM), so that
/// two peers that both slept find their way back to both looking; a
/// probe is long enough for that too.
const DESCRIPTOR: Limits = Limits {
    max: 256,
    min: 1,
    probe: 96,
};

pub struct Spinner {
    /// How many rounds the next wait spins.
    budget: AtomicU32,
    /// Waits at the floor budget, counted to probe every `PROBE_EVERY`th.
    floor_waits: AtomicU32,
    limits: Limits,
}

impl Spinner {
    pub fn new() -> Spinner {
        Spinner::with(EPOCH)
    }

    /// For [`Spinner::look`]: rounds that make a system call each.
    pub fn for_descriptor() -> Spinner {
        Spinner::with(DESCRIPTOR)
    }

    fn with(limits: Limits) -> Spinner {
        Spinner {
            budget: AtomicU32::new(limits.max),
            floor_waits: AtomicU32::new(0),
            limits,
        }
    }

    /// Wait a little for `e` to move from `epoch`, calling `look` (which
    /// reads a descriptor without blocking, and posts what it got, moving
    /// `e`) every round, and giving the CPU away between rounds: a thread
    /// that has work (the peer, another pair's thread) runs first, so a
    /// looker only takes CPU time nobody else wants. On the benchmarks'
    /// 2-CPU VM a blocking ping-pong's one-way latency is 17 us, mostly
    /// waking a halted CPU; while both sides look, under 3 us. True if `e`
    /// moved (the caller need not sleep); `look` returning false stops.
    pub fn look(&self, e: &AtomicU64, epoch: u64, mut look: impl FnMut() -> bool) -> bool {
        let rounds = self.rounds_for(self.budget.load(Ordering::Relaxed));
        for _ in 0..rounds {
            if !look() {
                return e.load(Ordering::SeqCst) != epoch;
            }
            if e.load(Ordering::SeqCst) != epoch {
                self.spun(rounds, true);
                return true;
            }
            std::thread::yield_now();
        }
        self.spun(rounds, false);
        false
    }

    /// Wait a little for `e` to move from `epoch`: true if it did (the
    /// caller need not sleep). `beside` says whether the thread that will
    /// move it last ran on this CPU (see [`crate::core::cpu::beside`]): if
    /// so it runs only once this one gives the CPU away, so no spinning,
    /// straight to yielding. It is asked only while spinning does not pay
    /// (the budget at its floor): a spin that pays is not delayed. If it
    /// was beside and yielding did not bring the event, `moving` says how
    /// much longer a thread may still be moving to another CPU (see
    /// [`crate::core::cpu::moving`]): that long the wait spins before the
    /// caller sleeps.
    pub fn wait(
        &self,
        e: &AtomicU64,
        epoch: u64,
        beside: impl FnOnce() -> bool,
        moving: impl FnOnce() -> Option<Duration>,
    ) -> bool {
        if e.load(Ordering::SeqCst) != epoch {
            return true; // there before the wait: says nothing of spinning
        }
        let budget = self.budget.load(Ordering::Relaxed);
        let beside = budget <= self.limits.min && beside();
        if !beside {
            let rounds = self.rounds_for(budget);
            for _ in 0..rounds {
                std::hint::spin_loop();
                if e.load(Ordering::SeqCst) != epoch {
                    self.spun(rounds, true);
                    return true;
                }
            }
            self.spun(rounds, false);
        }
        for _ in 0..YIELDS {
            let t = Instant::now();
            std::thread::yield_now();
            if e.load(Ordering::SeqCst) != epoch {
                return true;
            }
            if t.elapsed() > YIELD_SLICE {
                break;
            }
        }
        match beside.then(moving).flatten() {
            Some(left) => spin_until(e, epoch, Instant::now() + left),
            None => false,
        }
    }

    /// The rounds the next wait spins, given the budget: at the floor, a
    /// probe now and then.
    fn rounds_for(&self, budget: u32) -> u32 {
        if budget > self.limits.min {
            return budget;
        }
        let n = self.floor_waits.fetch_add(1, Ordering::Relaxed);
        if n % PROBE_EVERY == PROBE_EVERY - 1 {
            self.limits.probe
        } else {
            budget
        }
    }

    /// A wait spun with a budget of `rounds`, and the event came during the
    /// spin (`paid`) or not. Racy updates from two waiters only blur the
    /// estimate.
    fn spun(&self, rounds: u32, paid: bool) {
        let Limits { max, min, probe } = self.limits;
        if rounds == probe && !paid {
            return; // a probe that failed leaves the floor as it was
        }
        let next = if paid {
            (rounds + rounds / 4 + min).min(max)
        } else {
            (rounds / 2).max(min)
        };
        if next != rounds {
            self.budget.store(next, Ordering::Relaxed);
        }
    }
}

/// Spin until `e` moves from `epoch` (true) or `end` has passed (false).
fn spin_until(e: &AtomicU64, epoch: u64, end: Instant) -> bool {
    loop {
        for _ in 0..64 {
            std::hint::spin_loop();
            if e.load(Ordering::SeqCst) != epoch {
                return true;
            }
        }
        if Instant::now() >= end {
            return false;
        }
    }
}

impl Default for Spinner {
    fn default() -> Self {
        Spinner::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    #[test]
    fn spinning_shrinks_while_it_does_not_pay_and_grows_back_when_it_does() {
        let s = Spinner::new();
        let e = AtomicU64::new(0);
        let budget = || s.budget.load(Ordering::Relaxed);
        assert_eq!(budget(), SPIN_ROUNDS);
        // Waits whose event never comes: each spin was wasted.
        for _ in 0..12 {
            assert!(!s.wait(&e, 0, || false, || None));
        }
        assert_eq!(budget(), SPIN_MIN, "halved down to the floor");
        // Waits whose event is already there when they start spinning.
        for i in 0..40 {
            e.store(i + 1, Ordering::SeqCst);
            assert!(s.wait(&e, i, || false, || None));
        }
        assert_eq!(budget(), SPIN_MIN, "an event before the wait is no spin");
        let rounds = budget();
        s.spun(rounds, true);
        assert!(budget() > rounds, "a spin that paid grows the budget");
        for _ in 0..40 {
            s.spun(budget(), true);
        }
        assert_eq!(budget(), SPIN_ROUNDS, "up to the ceiling");
    }

    /// Beside its peer, a wait does not spin, not even a probe: the budget
    /// (which a spin moves) stays as it was, whether the event comes or
    /// not. Whether it is beside is asked only at the floor.
    #[test]
    fn a_wait_beside_its_peer_does_not_spin() {
        let s = Spinner::new();
        let e = AtomicU64::new(0);
        let budget = || s.budget.load(Ordering::Relaxed);
        assert!(!s.wait(&e, 0, || panic!("asked while spinning pays"), || None));
        assert!(budget() < SPIN_ROUNDS, "spun, and it did not pay");
        while budget() > SPIN_MIN {
            assert!(!s.wait(&e, 0, || false, || None));
        }
        for _ in 0..2 * PROBE_EVERY {
            assert!(!s.wait(&e, 0, || true, || None));
        }
        assert_eq!(budget(), SPIN_MIN, "no probe was counted");
        let asked = std::cell::Cell::new(0);
        for _ in 0..PROBE_EVERY {
            s.wait(
                &e,
                0,
                || {
                    asked.set(asked.get() + 1);
                    false
                },
                || panic!("asked for a move though not beside"),
            );
        }
        assert_eq!(asked.get(), PROBE_EVERY, "asked at every wait at the floor");
        assert!(budget() == SPIN_MIN, "a probe that failed leaves the floor");
        e.store(1, Ordering::SeqCst);
        assert!(
            s.wait(&e, 0, || true, || None),
            "an event already there ends the wait"
        );
    }

    /// Beside its peer, when yielding brought nothing and a thread is
    /// moving to another CPU, the wait spins for the rest of the move, and
    /// a post in that time ends it. With nothing moving it ends at once
    /// (the caller sleeps).
    #[test]
    fn a_wait_beside_a_peer_on_its_way_elsewhere_spins_for_it() {
        let s = Spinner::new();
        s.budget.store(SPIN_MIN, Ordering::Relaxed);
        let e = Arc::new(AtomicU64::new(0));
        let asked = Arc::new(AtomicBool::new(false));
        let poster = {
            let (e, asked) = (e.clone(), asked.clone());
            std::thread::spawn(move || {
                while !asked.load(Ordering::SeqCst) {
                    std::thread::yield_now();
                }
                e.store(1, Ordering::SeqCst);
            })
        };
        let moving = || {
            asked.store(true, Ordering::SeqCst);
            Some(Duration::from_secs(60))
        };
        assert!(s.wait(&e, 0, || true, moving), "the post during the move");
        poster.join().unwrap();
        assert!(!s.wait(&e, 1, || true, || None), "nothing moving");
        let t = Instant::now();
        let left = Duration::from_millis(20);
        assert!(!s.wait(&e, 1, || true, || Some(left)));
        assert!(t.elapsed() >= left, "spun for the rest of the move");
    }

    #[test]
    fn at_the_floor_a_wait_now_and_then_probes_with_a_long_spin() {
        let s = Spinner::new();
        let budget = || s.budget.load(Ordering::Relaxed);
        s.budget.store(SPIN_MIN, Ordering::Relaxed);
        let rounds: Vec<u32> = (0..2 * PROBE_EVERY)
            .map(|_| s.rounds_for(budget()))
            .collect();
        let probes = rounds.iter().filter(|&&r| r == PROBE_ROUNDS).count();
        assert_eq!(probes, 2, "one probe in every PROBE_EVERY waits");
        assert!(rounds.iter().all(|&r| r == SPIN_MIN || r == PROBE_ROUNDS));
        s.spun(PROBE_ROUNDS, false);
        assert_eq!(
            budget(),
            SPIN_MIN,
            "a failed probe leaves the floor as it was"
        );
        s.spun(PROBE_ROUNDS, true);
        assert!(
            budget() > PROBE_ROUNDS,
            "a probe that paid lifts the budget"
        );
        assert_eq!(
            s.rounds_for(budget()),
            budget(),
            "above the floor: no probe"
        );
    }

    /// Looking at a descriptor: each round calls `look`; the rounds shrink
    /// to one while nothing comes, grow while the event comes during them,
    /// and a `look` that says stop ends the wait at once.
    #[test]
    fn looking_adapts_to_whether_the_event_comes_while_looking() {
        let s = Spinner::for_descriptor();
        let e = AtomicU64::new(0);
        let budget = || s.budget.load(Ordering::Relaxed);
        let mut looks = 0;
        assert!(!s.look(&e, 0, || {
            looks += 1;
            true
        }));
        assert_eq!(looks, DESCRIPTOR.max, "a full budget of looks");
        for _ in 0..10 {
            assert!(!s.look(&e, 0, || true));
        }
        assert_eq!(budget(), DESCRIPTOR.min, "down to the floor");
        // The event comes with the third look of a probe (or the first
        // of a floor wait): the budget grows.
        s.budget.store(8, Ordering::Relaxed);
        let mut n = 0;
        assert!(s.look(&e, 0, || {
            n += 1;
            if n == 3 {
                e.fetch_add(1, Ordering::SeqCst);
            }
            true
        }));
        assert_eq!(n, 3);
        assert!(budget() > 8, "a look that paid grows the budget");
        // A look that says stop: no more rounds.
        let mut n = 0;
        assert!(!s.look(&e, 1, || {
            n += 1;
            false
        }));
        assert_eq!(n, 1);
    }

    /// Pin the calling thread (and the threads it starts) to one CPU.
    fn pin_to_one_cpu() {
        // SAFETY: all zeroes is a valid (empty) cpu_set_t.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        // SAFETY: CPU 0 is within the set's bounds.
        unsafe { libc::CPU_SET(0, &mut set) };
        // SAFETY: a valid set of the size given, for the calling thread.
        let r = unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
        assert_eq!(r, 0, "sched_setaffinity");
    }

    /// With the peer waiting for the waiter's core (both pinned to one
    /// CPU), a wait at the floor sees the peer's event without sleeping:
    /// it gave the core away, the peer ran and posted.
    #[test]
    fn a_wait_whose_spin_failed_gives_its_core_to_a_peer_before_sleeping() {
        let e = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let s = Spinner::new();
        s.budget.store(SPIN_MIN, Ordering::Relaxed);
        std::thread::scope(|scope| {
            // A thread of our own, pinned with the peer: the test's own
            // thread keeps its mask for whatever runs on it next.
            scope
                .spawn(|| {
                    pin_to_one_cpu();
                    let peer = {
                        let (e, stop) = (e.clone(), stop.clone());
                        std::thread::spawn(move || {
                            while !stop.load(Ordering::SeqCst) {
                                e.fetch_add(1, Ordering::SeqCst);
                                std::thread::yield_now();
                            }
                        })
                    };
                    // The peer counts only while it has the core.
                    let mut seen = 0;
                    for _ in 0..20 {
                        let epoch = e.load(Ordering::SeqCst);
                        if s.wait(&e, epoch, || false, || None) {
                            seen += 1;
                        }
                    }
                    stop.store(true, Ordering::SeqCst);
                    peer.join().unwrap();
                    assert!(seen >= 10, "only {seen} of 20 waits saw the peer");
                })
                .join()
                .unwrap();
        });
    }
}
