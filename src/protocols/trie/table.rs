//! An open-addressing hash table from a topic's hash to its record's
//! address. A bucket is one cache line: 7 slots and a meta word.
//!
//! - A slot: the record's address (bits 0..40), how far the slot's bucket
//!   is from the topic's home bucket (40..44, 15 meaning 15 or more) and a
//!   tag (44..64: 19 hash bits under a set top bit, so an empty slot, 0,
//!   matches no tag).
//! - The meta word: how many slots are used, how many topics passed over
//!   the bucket, and a 48-bit filter of the tags of the topics whose home
//!   it is, wherever they are (2 bits each). A probe reads its home bucket
//!   and looks further only if the filter has both bits of its tag: a probe
//!   for a topic nobody subscribed is one memory read and one
//!   well-predicted branch (about 5% pass the filter at the fullest).
//!
//! A topic lives in its home bucket (chosen by the top bits of its hash)
//! or, when that is full, in the first bucket after it with room; every
//! bucket it passes over counts it in `over`, so a search goes on to the
//! next bucket only while some topic passed over this one (a count that
//! reaches its maximum stays there: searches then look further than they
//! need, until the table grows). Removing a topic recomputes its home's
//! filter from the tags of the topics with that home (known from their
//! distance; a record is read only for a distance of 15 or more). The
//! table grows by a quarter when 80% of its slots are used (a quarter
//! keeps memory per topic within 1.25x of the densest).

use super::mem::{Block, Zeroed};

const SLOTS: usize = 7;
const ADDR_BITS: u32 = super::arena::ADDR_BITS;
const ADDR_MASK: u64 = (1 << ADDR_BITS) - 1;
const DIST_SHIFT: u32 = ADDR_BITS;
const DIST_MAX: usize = 15;
const TAG_SHIFT: u32 = 44;
const FILTER: u64 = (1 << 48) - 1;
const USED_SHIFT: u32 = 48;
const OVER_SHIFT: u32 = 52;
const OVER_MAX: u64 = (1 << 12) - 1;

#[repr(C, align(64))]
#[derive(Clone, Copy, Default)]
pub(super) struct Bucket {
    slots: [u64; SLOTS],
    meta: u64,
}

// SAFETY: words only: all zeros is an empty bucket.
unsafe impl Zeroed for Bucket {}

#[inline]
fn tag(h: u64) -> u64 {
    (h >> 8) & 0x7_FFFF | 0x8_0000
}

/// The two filter bits of a tag.
#[inline]
fn bits(t: u64) -> u64 {
    1 << (t % 48) | 1 << ((t >> 6) % 48)
}

/// What a slot holds above its address for a tag at distance `d`.
#[inline]
fn mark(t: u64, d: usize) -> u64 {
    t << (TAG_SHIFT - DIST_SHIFT) | d.min(DIST_MAX) as u64
}

#[inline]
fn used(m: u64) -> usize {
    (m >> USED_SHIFT & 15) as usize
}

#[inline]
fn over(m: u64) -> u64 {
    m >> OVER_SHIFT
}

#[derive(Default)]
pub(super) struct Table {
    /// From 2 MiB on, in huge pages (see `mem`).
    buckets: Block<Bucket>,
    len: usize,
}

/// Where a topic is: bucket and slot.
#[derive(Clone, Copy)]
pub(super) struct Place {
    pub bucket: usize,
    pub slot: usize,
    pub addr: u64,
}

/// A search under way: its tag, filter bits and home bucket.
#[derive(Clone, Copy, Default)]
pub(super) struct Probe {
    tag: u64,
    bits: u64,
    pub home: usize,
}

impl Table {
    /// A search for hash `h` (the table must not be empty).
    #[inline]
    pub(super) fn probe(&self, h: u64) -> Probe {
        let t = tag(h);
        Probe {
            tag: t,
            bits: bits(t),
            home: (((h >> 32) * self.buckets.len() as u64) >> 32) as usize,
        }
    }

    fn next(&self, b: usize) -> usize {
        if b + 1 == self.buckets.len() {
            0
        } else {
            b + 1
        }
    }

    #[inline]
    pub(super) fn bucket_ptr(&self, b: usize) -> *const Bucket {
        &self.buckets[b]
    }

    /// Can the table hold the probe's topic? (Reads meta only.)
    #[inline]
    pub(super) fn screen(&self, p: &Probe) -> bool {
        self.buckets[p.home].meta & p.bits == p.bits
    }

    /// The size of the buckets.
    pub(super) fn bytes(&self) -> usize {
        std::mem::size_of_val(&self.buckets[..])
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The topic of probe `p` for which `is` says yes.
    #[inline]
    pub(super) fn find(&self, p: &Probe, is: impl Fn(u64) -> bool) -> Option<Place> {
        let (mut b, mut d) = (p.home, 0);
        loop {
            let k = &self.buckets[b].slots;
            let want = mark(p.tag, d);
            let mut hits = 0u32;
            for (i, &s) in k.iter().enumerate() {
                hits |= u32::from(s >> DIST_SHIFT == want) << i;
            }
            while hits != 0 {
                let i = hits.trailing_zeros() as usize;
                let a = k[i] & ADDR_MASK;
                if is(a) {
                    return Some(Place {
                        bucket: b,
                        slot: i,
                        addr: a,
                    });
                }
                hits &= hits - 1;
            }
            if over(self.buckets[b].meta) == 0 {
                return None;
            }
            b = self.next(b);
            d += 1;
        }
    }

    /// The topic with hash `h` for which `is` says yes.
    pub(super) fn get(&self, h: u64, is: impl Fn(u64) -> bool) -> Option<Place> {
        if self.is_empty() {
            return None;
        }
        let p = self.probe(h);
        if !self.screen(&p) {
            return None;
        }
        self.find(&p, is)
    }

    /// Adds a topic not in the table. `hash` gives the hash of the topic
    /// at an address (to move every topic when the table grows).
    pub(super) fn insert(&mut self, h: u64, addr: u64, hash: impl Fn(u64) -> u64) {
        if (self.len + 1) * 5 > self.buckets.len() * SLOTS * 4 {
            self.grow(hash);
        }
        self.place(h, addr);
        self.len += 1;
    }

    fn place(&mut self, h: u64, addr: u64) {
        let p = self.probe(h);
        let (mut b, mut d) = (p.home, 0);
        while used(self.buckets[b].meta) == SLOTS {
            if over(self.buckets[b].meta) < OVER_MAX {
                self.buckets[b].meta += 1 << OVER_SHIFT;
            }
            b = self.next(b);
            d += 1;
        }
        let u = used(self.buckets[b].meta);
        self.buckets[b].slots[u] = mark(p.tag, d) << DIST_SHIFT | addr;
        self.buckets[b].meta += 1 << USED_SHIFT;
        self.buckets[p.home].meta |= p.bits;
    }

    /// Removes the topic at `at`, whose hash is `h`; `hash` as for insert.
    pub(super) fn remove(&mut self, h: u64, at: Place, hash: impl Fn(u64) -> u64) {
        let home = self.probe(h).home;
        let mut b = home;
        while b != at.bucket {
            if over(self.buckets[b].meta) < OVER_MAX {
                self.buckets[b].meta -= 1 << OVER_SHIFT;
            }
            b = self.next(b);
        }
        let u = used(self.buckets[b].meta) - 1;
        let k = &mut self.buckets[b].slots;
        k[at.slot] = k[u];
        k[u] = 0;
        self.buckets[b].meta -= 1 << USED_SHIFT;
        self.len -= 1;
        if self.len == 0 {
            self.buckets = Block::default();
            return;
        }
        // The filter of `home`, from the topics that have it as home.
        let (mut filter, mut b, mut d) = (0, home, 0);
        loop {
            let m = self.buckets[b].meta;
            for &s in &self.buckets[b].slots[..used(m)] {
                let dist = (s >> DIST_SHIFT) as usize & DIST_MAX;
                if dist == d.min(DIST_MAX)
                    && (dist < DIST_MAX || self.probe(hash(s & ADDR_MASK)).home == home)
                {
                    filter |= bits(s >> TAG_SHIFT);
                }
            }
            if over(m) == 0 {
                break;
            }
            b = self.next(b);
            d += 1;
        }
        self.buckets[home].meta = self.buckets[home].meta & !FILTER | filter;
    }

    fn grow(&mut self, hash: impl Fn(u64) -> u64) {
        let n = self.buckets.len();
        let n = (n + n / 4).max(n + 2);
        let old = std::mem::replace(&mut self.buckets, Block::zeroed(n));
        for k in old.iter() {
            for &s in &k.slots[..used(k.meta)] {
                let a = s & ADDR_MASK;
                self.place(hash(a), a);
            }
        }
    }

    /// Whether the buckets asked for huge pages, for tests.
    #[cfg(test)]
    pub(super) fn is_huge(&self) -> bool {
        self.buckets.is_huge()
    }

    /// Calls `f` with every address, for tests.
    #[cfg(test)]
    pub(super) fn each(&self, mut f: impl FnMut(u64)) {
        for k in self.buckets.iter() {
            k.slots[..used(k.meta)]
                .iter()
                .for_each(|&s| f(s & ADDR_MASK));
        }
    }

    /// Checks the counts against the slots, for tests: every topic is found
    /// from its home bucket at its recorded distance, `over` counts exactly
    /// the topics passing (or stays at its maximum), the filters are exact
    /// and unused slots are 0.
    #[cfg(test)]
    pub(super) fn check(&self, hash: impl Fn(u64) -> u64) {
        let n = self.buckets.len();
        let mut over_n = vec![0u64; n];
        let mut filter = vec![0u64; n];
        let mut len = 0;
        for (b, k) in self.buckets.iter().enumerate() {
            let u = used(k.meta);
            assert!(u <= SLOTS);
            assert!(k.slots[u..].iter().all(|&s| s == 0), "unused slots are 0");
            for &s in &k.slots[..u] {
                len += 1;
                let p = self.probe(hash(s & ADDR_MASK));
                filter[p.home] |= p.bits;
                let (mut c, mut d) = (p.home, 0);
                while c != b {
                    over_n[c] += 1;
                    c = (c + 1) % n;
                    d += 1;
                }
                assert_eq!(s >> DIST_SHIFT, mark(p.tag, d));
            }
        }
        assert_eq!(len, self.len);
        for ((k, o), f) in self.buckets.iter().zip(over_n).zip(filter) {
            assert!(over(k.meta) == o || over(k.meta) == OVER_MAX);
            assert_eq!(k.meta & FILTER, f);
        }
    }
}
