//! Subscription trie benchmark: memory per subscription and match time at
//! 10k, 1M and 10M subscriptions (override with TRIE_SIZES=10000,1000000;
//! TRIE_TOPICS=shared or random runs one kind of topics only).
//!
//!     cargo run --release --example trie_bench
//!
//! Two kinds of topics: "shared" ones look like real ones, a few shared
//! top-level words and then ids ("market.eu.instr.123456.bid"); "random"
//! ones are 8 to 24 random bytes. Memory is counted by a global allocator
//! that tracks live bytes (capacity included), so it includes every node
//! and label. A match time is the median of ROUNDS rounds over 100k
//! messages: "hit" messages are subscribed topics plus a payload, "miss"
//! messages are topics nobody subscribed.
//!
//! The last two columns are the machine's floor for a structure of that
//! size, measured after it is dropped, in memory allocated as the trie's
//! (`nanomsg::bench::words`: huge pages from 2 MiB on): "read [ns]" is one
//! dependent random read (a pointer chase over a random cycle of the
//! buffer's cache lines), "x14 [ns]" the time of 14 independent ones
//! issued together, each 14 waiting for the previous 14 (as a match reads
//! the home buckets of the 14 prefix lengths of the "shared" topics at
//! once). A match must read at least one cache line of the
//! structure, so "read" is the least a hit can cost once the structure is
//! far bigger than the cache (scripts/bench's "limit" of the trie rows).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use nanomsg::bench::Trie;

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        // SAFETY: p was allocated by System with layout l.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        LIVE.fetch_add(n, Relaxed);
        LIVE.fetch_sub(l.size(), Relaxed);
        // SAFETY: p was allocated by System with layout l.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

const REGIONS: [&str; 4] = ["eu", "us", "asia", "latam"];
const SIDES: [&str; 3] = ["bid", "ask", "trade"];
const ROUNDS: usize = 7;
const PROBES: u64 = 100_000;
/// Reads issued together in the floor's parallel chase.
const K: usize = 14;
/// Dependent reads per chain in one round of the floor.
const CHASE: usize = 100_000;

/// A random number generator (xorshift64*), seeded.
fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed.wrapping_add(1).wrapping_mul(0x2545_F491_4F6C_DD1D);
    move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// The floor for `bytes` of structure: the time of one dependent random
/// read, and of K independent ones issued together, each the median of
/// ROUNDS rounds [ns].
fn floor(bytes: usize) -> (f64, f64) {
    // One cache line (8 words) per element of the cycle.
    let lines = (bytes / 64).max(2 * K);
    let mut buf = nanomsg::bench::words(lines * 8);
    // The trie's blocks come in huge pages (a fresh process's are nearly
    // all huge), but this buffer may reuse what the trie freed, some of
    // it in small pages: make it all huge, as the trie had it.
    #[cfg(target_os = "linux")]
    if lines * 64 >= 2 << 20 {
        // SAFETY: the range is the buffer's own memory (2 MiB aligned from
        // that size on); MADV_COLLAPSE changes how it is backed, never its
        // contents (a refusal leaves it as is).
        unsafe {
            libc::madvise(buf.as_mut_ptr().cast(), lines * 64, libc::MADV_COLLAPSE);
        }
    }
    let mut order: Vec<u32> = (0..lines as u32).collect();
    let mut next = rng(lines as u64);
    for i in (1..lines).rev() {
        order.swap(i, (next() % (i as u64 + 1)) as usize);
    }
    // Line order[i] points at line order[i + 1] (as a word index), the
    // last at the first: one cycle through every line in random order.
    for (i, &l) in order.iter().enumerate() {
        buf[8 * l as usize] = 8 * u64::from(order[(i + 1) % lines]);
    }
    let buf = &*buf;
    let mut one = 8 * order[0] as usize;
    // K chains spread evenly over the cycle: none reaches a line another
    // read recently before lines / K reads (at 10M subscriptions, far
    // more than the rounds make).
    let mut ks: [usize; K] = std::array::from_fn(|j| 8 * order[j * lines / K] as usize);
    drop(order);
    let (mut t1, mut tk) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..CHASE {
            one = buf[one] as usize;
        }
        t1.push(t.elapsed().as_nanos() as f64 / CHASE as f64);
        let steps = CHASE / K;
        let t = Instant::now();
        for _ in 0..steps {
            // Word 1 of every line is 0, but only the reads tell: the
            // next K reads wait for all of these, as a match's record
            // read waits for its buckets (chains that ran freely would
            // overlap one step's reads with the next's).
            let mut zero = 0;
            for p in &mut ks {
                zero |= buf[*p + 1];
                *p = buf[*p] as usize;
            }
            for p in &mut ks {
                *p |= zero as usize;
            }
        }
        tk.push(t.elapsed().as_nanos() as f64 / steps as f64);
    }
    std::hint::black_box((one, ks));
    (median(t1), median(tk))
}

fn shared(i: u64) -> Vec<u8> {
    // Spread ids so neighbouring subscriptions do not share long prefixes.
    let id = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 1_000_000_000;
    format!(
        "market.{}.instr.{id}.{}",
        REGIONS[(i % 4) as usize],
        SIDES[(i % 3) as usize]
    )
    .into_bytes()
}

fn random(i: u64) -> Vec<u8> {
    // xorshift64* seeded by the index: topic i is always the same bytes.
    let mut x = i.wrapping_add(1).wrapping_mul(0x2545_F491_4F6C_DD1D);
    let mut next = || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let len = 8 + (next() % 17) as usize;
    (0..len).map(|_| (next() >> 56) as u8).collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn run(name: &str, topic: fn(u64) -> Vec<u8>, n: u64) {
    let before = LIVE.load(Relaxed);
    let t0 = Instant::now();
    let mut trie = Trie::default();
    for i in 0..n {
        trie.subscribe(&topic(i));
    }
    let build = t0.elapsed().as_secs_f64();
    let bytes = LIVE.load(Relaxed) - before;

    let hits: Vec<Vec<u8>> = (0..PROBES)
        .map(|k| {
            let mut m = topic((k * 7919) % n);
            m.extend_from_slice(b" payload 123.45");
            m
        })
        .collect();
    let misses: Vec<Vec<u8>> = (0..PROBES).map(|k| topic(n + k)).collect();
    let time = |set: &[Vec<u8>]| {
        let mut rounds = Vec::new();
        let mut found = 0usize;
        for _ in 0..ROUNDS {
            let t = Instant::now();
            for m in set {
                found += trie.matches(std::hint::black_box(m)) as usize;
            }
            rounds.push(t.elapsed().as_nanos() as f64 / set.len() as f64);
        }
        (median(rounds), found)
    };
    let (hit_ns, found) = time(&hits);
    let (miss_ns, false_hits) = time(&misses);
    assert_eq!(found, ROUNDS * hits.len(), "every hit is subscribed");
    assert!(
        false_hits <= ROUNDS * misses.len() / 100,
        "misses mostly miss"
    );
    drop(trie);
    let (read_ns, k_ns) = floor(bytes);
    println!(
        "{name:>8} {n:>10} {:>10.1} {build:>10.2} {hit_ns:>10.1} {miss_ns:>10.1} {read_ns:>10.1} {k_ns:>10.1}",
        bytes as f64 / n as f64
    );
}

fn main() {
    let sizes: Vec<u64> = std::env::var("TRIE_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 1_000_000, 10_000_000]);
    println!(
        "{:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "topics",
        "subs",
        "bytes/sub",
        "build [s]",
        "hit [ns]",
        "miss [ns]",
        "read [ns]",
        format!("x{K} [ns]")
    );
    let only = std::env::var("TRIE_TOPICS").ok();
    for (name, topic) in [("shared", shared as fn(u64) -> Vec<u8>), ("random", random)] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        for &n in &sizes {
            run(name, topic, n);
        }
    }
}
