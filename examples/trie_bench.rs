//! Subscription trie benchmark: memory per subscription and match time at
//! 10k, 1M and 10M subscriptions (override with TRIE_SIZES=10000,1000000).
//!
//!     cargo run --release --example trie_bench
//!
//! Topics look like real ones: a few shared top-level words, then ids
//! ("market.eu.instr.123456.bid"). Memory is counted by a global allocator
//! that tracks live bytes, so it includes every node and label.

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

fn topic(i: u64) -> String {
    // Spread ids so neighbouring subscriptions do not share long prefixes.
    let id = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 1_000_000_000;
    format!(
        "market.{}.instr.{id}.{}",
        REGIONS[(i % 4) as usize],
        SIDES[(i % 3) as usize]
    )
}

fn main() {
    let sizes: Vec<u64> = std::env::var("TRIE_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 1_000_000, 10_000_000]);
    println!(
        "{:>12} {:>14} {:>12} {:>14} {:>14}",
        "subs", "bytes/sub", "build [s]", "hit [ns]", "miss [ns]"
    );
    for n in sizes {
        let before = LIVE.load(Relaxed);
        let t0 = Instant::now();
        let mut trie = Trie::default();
        for i in 0..n {
            trie.subscribe(topic(i).as_bytes());
        }
        let build = t0.elapsed().as_secs_f64();
        let bytes = LIVE.load(Relaxed) - before;

        // Matching messages: a topic plus a payload, half of them subscribed.
        let probes: Vec<Vec<u8>> = (0..100_000u64)
            .map(|k| {
                let i = (k * 7919) % n;
                let mut m = topic(i).into_bytes();
                m.extend_from_slice(b" payload 123.45");
                m
            })
            .collect();
        let misses: Vec<Vec<u8>> = (0..100_000u64).map(|k| topic(n + k).into_bytes()).collect();
        let time = |set: &[Vec<u8>]| {
            let t = Instant::now();
            let mut hits = 0usize;
            for _ in 0..5 {
                for m in set {
                    hits += trie.matches(std::hint::black_box(m)) as usize;
                }
            }
            (t.elapsed().as_nanos() as f64 / (5 * set.len()) as f64, hits)
        };
        let (hit_ns, hits) = time(&probes);
        let (miss_ns, false_hits) = time(&misses);
        assert_eq!(hits, 5 * probes.len(), "every probe is subscribed");
        assert!(false_hits <= misses.len() / 100, "misses mostly miss");
        println!(
            "{n:>12} {:>14.1} {build:>12.2} {hit_ns:>14.1} {miss_ns:>14.1}",
            bytes as f64 / n as f64
        );
    }
}
