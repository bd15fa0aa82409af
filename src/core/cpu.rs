//! Which CPU a thread runs on, and moving a thread off its peer's CPU.
//!
//! Two threads that hand messages back and forth (a REQ/REP pair over
//! inproc) go fastest on two CPUs, each spinning while the other works. With
//! more such threads than CPUs, the kernel balances how many threads each
//! CPU runs, not which ones: it may well put both threads of a pair on one
//! CPU, and then every hand-over is a context switch (3 us per round trip on
//! the benchmarks' VM, against 1.1 us for two threads on two CPUs), and
//! nothing ever moves them apart again, since both CPUs are equally loaded.
//!
//! A waiter that keeps finding its peer on its own CPU moves itself once to
//! another CPU it may run on (`step_aside`): it narrows its affinity to
//! that CPU, which migrates it at once, and gives its own mask back, which
//! lets the kernel move it as it likes from then on. The other CPU now has
//! one thread too many, and the kernel moves one of them back: a thread
//! of another pair or this one, and in the second case the waiter steps
//! aside again later, each time after twice as many waits.
//!
//! The peer left behind is waiting too, and finds its own peer gone from
//! its CPU while it is still on its way to the other one (a migration, and
//! on a VM the other CPU's wake-up, take tens of microseconds). Were it to
//! sleep now, the post that wakes it would come from the other CPU, and
//! the kernel, finding this CPU's vCPU halted, would often wake it there,
//! beside its peer again: the pair would bounce between the CPUs together,
//! never apart. So for `MOVE_GRACE` after any thread of the process
//! stepped aside, a waiter beside its peer spins instead of sleeping
//! (`moving`).

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The CPU the calling thread runs on (`u32::MAX` if unknown). Cheap: glibc
/// reads it from the thread's restartable-sequence area.
pub fn current() -> u32 {
    // SAFETY: no arguments, no memory touched.
    let c = unsafe { libc::sched_getcpu() };
    if c < 0 {
        u32::MAX
    } else {
        c as u32
    }
}

/// Consecutive waits that find the peer on this thread's CPU before it
/// steps aside: between `scale` and twice that, where `scale` starts at
/// `FIRST` and doubles each time the thread steps aside, up to `MOST`.
const FIRST: u32 = 64;
const MOST: u32 = 1 << 16;

/// One thread's count of waits beside its peer.
#[derive(Clone, Copy)]
struct Together {
    /// Waits in a row that found the peer on this CPU.
    run: u32,
    /// The run that makes this thread step aside.
    due: u32,
    scale: u32,
    /// xorshift32 state: the two threads of a pair count the same waits,
    /// one each in turn, and were their `due` equal, both would step aside
    /// at once, to the same CPU. Drawn at random, the two differ by 2 or
    /// more nearly always, so one moves first, and the other then finds it
    /// elsewhere and stops counting.
    rng: u32,
}

impl Together {
    fn new(seed: u32) -> Together {
        let mut t = Together {
            run: 0,
            due: 0,
            scale: FIRST,
            rng: seed | 1,
        };
        t.draw();
        t
    }

    /// The next `due`, in `scale..2 * scale`.
    fn draw(&mut self) {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        self.due = self.scale + x % self.scale;
    }

    /// Count a wait that found the peer on this CPU (`beside`) or not. True
    /// when the thread should step aside now.
    fn count(&mut self, beside: bool) -> bool {
        if !beside {
            self.run = 0;
            return false;
        }
        self.run += 1;
        if self.run < self.due {
            return false;
        }
        self.run = 0;
        self.scale = (self.scale * 2).min(MOST);
        self.draw();
        true
    }
}

thread_local! {
    static TOGETHER: Cell<Together> = Cell::new(Together::new(seed()));
}

/// A different seed for each thread (the address of a thread-local differs
/// between threads; a counter keeps two that reuse one apart).
fn seed() -> u32 {
    static THREADS: AtomicU32 = AtomicU32::new(0);
    thread_local!(static MARK: u8 = const { 0 });
    let at = MARK.with(|m| m as *const u8 as usize) as u64;
    let n = THREADS.fetch_add(1, Ordering::Relaxed) as u64;
    let mixed = (at ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    (mixed >> 32) as u32
}

/// A wait is about to begin, and the thread that will end it last ran on
/// `peer`. True if that is this thread's CPU (so spinning cannot pay: the
/// peer runs only once this thread gives its CPU away). After enough such
/// waits in a row the thread moves to another CPU first.
pub fn beside(peer: u32) -> bool {
    let here = current();
    let beside = here != u32::MAX && here == peer;
    TOGETHER.with(|t| {
        let mut c = t.get();
        if c.count(beside) {
            step_aside(here);
        }
        t.set(c);
    });
    beside
}

/// Move the calling thread to the next CPU after `here` in its affinity
/// mask, then give the mask back. Does nothing if the mask has one CPU,
/// or if the kernel refuses (a seccomp filter, a cpuset).
fn step_aside(here: u32) {
    let Some(mask) = affinity() else { return };
    let bits = 8 * std::mem::size_of::<libc::cpu_set_t>();
    let here = here as usize;
    let next = (1..bits).map(|i| (here + i) % bits).find(|&c| {
        // SAFETY: `c` is below the set's bit count.
        unsafe { libc::CPU_ISSET(c, &mask) }
    });
    let Some(next) = next else { return };
    LAST_MOVE.store(now_ns(), Ordering::Relaxed);
    // SAFETY: all zeroes is a valid (empty) cpu_set_t.
    let mut one: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `next` is below the set's bit count.
    unsafe { libc::CPU_SET(next, &mut one) };
    if set_affinity(&one) {
        set_affinity(&mask);
    }
}

/// How long after a thread stepped aside a waiter beside its peer spins
/// rather than sleeps: a migration plus the other CPU's wake-up, with room.
const MOVE_GRACE: Duration = Duration::from_micros(200);

/// When the latest step aside began (`now_ns`), 0 before the first.
static LAST_MOVE: AtomicU64 = AtomicU64::new(0);

/// If a thread of this process stepped aside less than `MOVE_GRACE` ago,
/// what is left of the grace: the peer that a waiter found on its own CPU
/// may be on its way to another, and will post from there soon.
pub fn moving() -> Option<Duration> {
    grace_left(LAST_MOVE.load(Ordering::Relaxed), now_ns())
}

fn grace_left(last_move: u64, now: u64) -> Option<Duration> {
    if last_move == 0 {
        return None;
    }
    let end = last_move.saturating_add(MOVE_GRACE.as_nanos() as u64);
    (end > now).then(|| Duration::from_nanos(end - now))
}

/// Nanoseconds on the monotonic clock since this process first asked,
/// never 0.
fn now_ns() -> u64 {
    static BASE: OnceLock<Instant> = OnceLock::new();
    (BASE.get_or_init(Instant::now).elapsed().as_nanos() as u64).saturating_add(1)
}

/// The calling thread's affinity mask.
fn affinity() -> Option<libc::cpu_set_t> {
    // SAFETY: all zeroes is a valid (empty) cpu_set_t.
    let mut mask: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: a set of the size given, for the calling thread.
    (unsafe { libc::sched_getaffinity(0, size, &mut mask) } == 0).then_some(mask)
}

/// Set the calling thread's affinity mask (which migrates it at once if it
/// runs on a CPU outside the mask).
fn set_affinity(mask: &libc::cpu_set_t) -> bool {
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: a set of the size given, for the calling thread.
    unsafe { libc::sched_setaffinity(0, size, mask) == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask() -> libc::cpu_set_t {
        affinity().expect("sched_getaffinity")
    }

    fn cpus(m: &libc::cpu_set_t) -> u32 {
        // SAFETY: a valid set.
        unsafe { libc::CPU_COUNT(m) as u32 }
    }

    fn same(a: &libc::cpu_set_t, b: &libc::cpu_set_t) -> bool {
        // SAFETY: both valid sets.
        unsafe { libc::CPU_EQUAL(a, b) }
    }

    #[test]
    fn the_grace_after_a_move_counts_down_from_it() {
        let grace = MOVE_GRACE.as_nanos() as u64;
        assert_eq!(grace_left(0, 5), None, "no move yet");
        assert_eq!(grace_left(1000, 1000), Some(MOVE_GRACE));
        assert_eq!(
            grace_left(1000, 1000 + grace / 4),
            Some(Duration::from_nanos(grace - grace / 4))
        );
        assert_eq!(grace_left(1000, 1000 + grace), None, "over");
        assert_eq!(grace_left(1000, 1000 + 9 * grace), None);
        assert_eq!(
            grace_left(u64::MAX - 1, 3),
            Some(Duration::from_nanos(u64::MAX - 3))
        );
    }

    /// Stepping aside lands on another CPU of the thread's mask, and the
    /// mask is the thread's own again afterwards.
    #[test]
    fn stepping_aside_moves_the_thread_and_gives_its_mask_back() {
        std::thread::spawn(|| {
            let before = mask();
            if cpus(&before) < 2 {
                eprintln!("one CPU allowed: nowhere to step aside to");
                return;
            }
            for _ in 0..5 {
                let here = current();
                let t = now_ns();
                step_aside(here);
                assert_ne!(current(), here, "still on CPU {here}");
                let last = LAST_MOVE.load(Ordering::Relaxed);
                assert!(last >= t, "the move was not recorded: {last} < {t}");
                assert!(same(&mask(), &before), "the mask was not given back");
            }
        })
        .join()
        .unwrap();
    }

    /// The count: a run of waits beside the peer steps aside after `due`
    /// waits, in `FIRST..2 * FIRST` the first time, twice that the next;
    /// a wait elsewhere starts the run again.
    #[test]
    fn a_run_of_waits_beside_the_peer_steps_aside_later_each_time() {
        let mut t = Together::new(12345);
        let run = |t: &mut Together| (1..).find(|_| t.count(true)).unwrap();
        let first = run(&mut t);
        assert!((FIRST..2 * FIRST).contains(&first), "{first}");
        let second = run(&mut t);
        assert!((2 * FIRST..4 * FIRST).contains(&second), "{second}");
        let due = t.due;
        for _ in 0..due - 1 {
            assert!(!t.count(true));
        }
        assert!(!t.count(false), "a wait elsewhere");
        for _ in 0..due - 1 {
            assert!(!t.count(true), "the run started again");
        }
        assert!(t.count(true));
        for _ in 0..20 {
            run(&mut t);
        }
        assert!(t.due >= MOST && t.due < 2 * MOST, "capped: {}", t.due);
    }

    /// The two threads of a pair must not step aside on the same round
    /// trip: each thread seeds its own draws (seeds differ between
    /// threads), and thresholds drawn from different seeds are spread over
    /// the range, so two are within 1 of each other about 3 times in 64.
    #[test]
    fn threads_draw_their_own_thresholds() {
        let seeds: Vec<u32> = (0..200)
            .map(|_| std::thread::spawn(seed).join().unwrap())
            .collect();
        let mut distinct = seeds.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(
            distinct.len() >= 198,
            "{} distinct seeds of 200",
            distinct.len()
        );
        // Fixed seeds from here: the same figures every run.
        let dues: Vec<u32> = (1..=640u32)
            .map(|i| Together::new(i.wrapping_mul(0x9e37_79b9)).due)
            .collect();
        assert!(dues.iter().all(|d| (FIRST..2 * FIRST).contains(d)));
        let close = dues.windows(2).filter(|w| w[0].abs_diff(w[1]) < 2).count();
        assert!(close < 64, "{close} of 639 neighbours within 1");
        let mut seen = [false; FIRST as usize];
        dues.iter().for_each(|&d| seen[(d - FIRST) as usize] = true);
        assert!(
            seen.iter().filter(|&&s| s).count() > 56,
            "dues bunch up: {dues:?}"
        );
    }

    /// `beside` says whether the peer's CPU is this one; a long enough run
    /// of such waits moves the thread.
    #[test]
    fn beside_compares_cpus_and_a_run_of_it_moves_the_thread() {
        std::thread::spawn(|| {
            assert!(!beside(u32::MAX), "an unknown CPU is not this one");
            if cpus(&mask()) < 2 {
                eprintln!("one CPU allowed: nowhere to step aside to");
                return;
            }
            let start = current();
            let mut moved = false;
            for _ in 0..2 * FIRST {
                let here = current();
                if here != start {
                    moved = true;
                    break;
                }
                assert!(beside(here));
            }
            assert!(
                moved,
                "still on CPU {start} after {} waits beside",
                2 * FIRST
            );
        })
        .join()
        .unwrap();
    }
}
