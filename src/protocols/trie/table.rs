//! An open-addressing hash table from a topic's hash to its record's
//! address, in two arrays:
//!
//! - buckets: one cache line each, 8 slots of address (low 40 bits) and tag
//!   (high 24 bits: 23 hash bits under a set top bit, so an empty slot, 0,
//!   matches no tag);
//! - meta: 8 bytes per bucket (an eighth of the buckets' size, small enough
//!   to stay in cache far longer): how many slots are used, how many topics
//!   passed over the bucket, and a 48-bit filter of its tags (2 bits set per
//!   topic). A probe reads the meta word and reads the bucket only if the
//!   filter has both bits of its tag: most probes for topics nobody
//!   subscribed end in cache.
//!
//! A topic lives in its home bucket (chosen by the top bits of its hash)
//! or, when that is full, in the first bucket after it with room; every
//! bucket it passes over counts it in `over`, so a search goes on to the
//! next bucket only while some topic passed over this one (a count that
//! reaches its maximum stays there: searches then look one bucket further
//! than they need, until the table grows). The table grows by a quarter
//! when 80% of its slots are used (a quarter keeps memory per topic within
//! 1.25x of the densest).

const SLOTS: usize = 8;
const TAG_SHIFT: u32 = super::arena::ADDR_BITS;
const ADDR_MASK: u64 = (1 << TAG_SHIFT) - 1;
const FILTER: u64 = (1 << 48) - 1;
const USED_SHIFT: u32 = 48;
const OVER_SHIFT: u32 = 52;
const OVER_MAX: u64 = (1 << 12) - 1;

#[repr(C, align(64))]
#[derive(Clone, Copy, Default)]
pub(super) struct Bucket([u64; SLOTS]);

#[inline]
fn tag(h: u64) -> u64 {
    (h >> 8) & 0x7F_FFFF | 0x80_0000
}

/// The two filter bits of a tag.
#[inline]
fn bits(t: u64) -> u64 {
    1 << (t % 48) | 1 << ((t >> 6) % 48)
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
    buckets: Vec<Bucket>,
    meta: Vec<u64>,
    len: usize,
}

/// Where a topic is: bucket and slot.
#[derive(Clone, Copy)]
pub(super) struct Place {
    pub bucket: usize,
    pub slot: usize,
    pub addr: u64,
}

/// A search under way: the hash, its tag and filter bits, and the bucket
/// to look at.
#[derive(Clone, Copy, Default)]
pub(super) struct Probe {
    tag: u64,
    bits: u64,
    pub bucket: usize,
}

impl Table {
    /// A search for hash `h` (the table must not be empty).
    #[inline]
    pub(super) fn probe(&self, h: u64) -> Probe {
        let t = tag(h);
        Probe {
            tag: t,
            bits: bits(t),
            bucket: ((h >> 32) * self.buckets.len() as u64 >> 32) as usize,
        }
    }

    #[inline]
    pub(super) fn meta_ptr(&self, b: usize) -> *const u64 {
        &self.meta[b]
    }

    #[inline]
    pub(super) fn bucket_ptr(&self, b: usize) -> *const Bucket {
        &self.buckets[b]
    }

    /// Moves the probe to the first bucket from its own whose filter
    /// passes its tag; false if none can hold it (reading meta only).
    #[inline]
    pub(super) fn screen(&self, p: &mut Probe) -> bool {
        loop {
            let m = self.meta[p.bucket];
            if m & p.bits == p.bits {
                return true;
            }
            if over(m) == 0 {
                return false;
            }
            p.bucket = if p.bucket + 1 == self.meta.len() {
                0
            } else {
                p.bucket + 1
            };
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The topic of probe `p` for which `is` says yes; `p` passed `screen`.
    #[inline]
    pub(super) fn find(&self, mut p: Probe, is: impl Fn(u64) -> bool) -> Option<Place> {
        loop {
            let k = &self.buckets[p.bucket].0;
            let mut hits = 0u32;
            for (i, &s) in k.iter().enumerate() {
                hits |= u32::from(s >> TAG_SHIFT == p.tag) << i;
            }
            while hits != 0 {
                let i = hits.trailing_zeros() as usize;
                let a = k[i] & ADDR_MASK;
                if is(a) {
                    return Some(Place {
                        bucket: p.bucket,
                        slot: i,
                        addr: a,
                    });
                }
                hits &= hits - 1;
            }
            if over(self.meta[p.bucket]) == 0 {
                return None;
            }
            p.bucket = if p.bucket + 1 == self.meta.len() {
                0
            } else {
                p.bucket + 1
            };
            if !self.screen(&mut p) {
                return None;
            }
        }
    }

    /// The topic with hash `h` for which `is` says yes.
    pub(super) fn get(&self, h: u64, is: impl Fn(u64) -> bool) -> Option<Place> {
        if self.is_empty() {
            return None;
        }
        let mut p = self.probe(h);
        if !self.screen(&mut p) {
            return None;
        }
        self.find(p, is)
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
        let n = self.buckets.len();
        let p = self.probe(h);
        let mut b = p.bucket;
        while used(self.meta[b]) == SLOTS {
            if over(self.meta[b]) < OVER_MAX {
                self.meta[b] += 1 << OVER_SHIFT;
            }
            b = (b + 1) % n;
        }
        let u = used(self.meta[b]);
        self.buckets[b].0[u] = p.tag << TAG_SHIFT | addr;
        self.meta[b] += 1 << USED_SHIFT;
        self.meta[b] |= p.bits;
    }

    /// Removes the topic at `at`, whose hash is `h`.
    pub(super) fn remove(&mut self, h: u64, at: Place) {
        let n = self.buckets.len();
        let mut b = self.probe(h).bucket;
        while b != at.bucket {
            if over(self.meta[b]) < OVER_MAX {
                self.meta[b] -= 1 << OVER_SHIFT;
            }
            b = (b + 1) % n;
        }
        let k = &mut self.buckets[b].0;
        let u = used(self.meta[b]) - 1;
        k[at.slot] = k[u];
        k[u] = 0;
        let filter = k[..u].iter().fold(0, |f, &s| f | bits(s >> TAG_SHIFT));
        let m = &mut self.meta[b];
        *m = (*m & !FILTER) - (1 << USED_SHIFT) | filter;
        self.len -= 1;
        if self.len == 0 {
            self.buckets = Vec::new();
            self.meta = Vec::new();
        }
    }

    fn grow(&mut self, hash: impl Fn(u64) -> u64) {
        let n = self.buckets.len();
        let n = (n + n / 4).max(n + 2);
        let old = std::mem::replace(&mut self.buckets, vec![Bucket::default(); n]);
        let old_meta = std::mem::replace(&mut self.meta, vec![0; n]);
        for (k, &m) in old.iter().zip(&old_meta) {
            for &s in &k.0[..used(m)] {
                let a = s & ADDR_MASK;
                self.place(hash(a), a);
            }
        }
    }

    /// Calls `f` with every address, for tests.
    #[cfg(test)]
    pub(super) fn each(&self, mut f: impl FnMut(u64)) {
        for (k, &m) in self.buckets.iter().zip(&self.meta) {
            k.0[..used(m)].iter().for_each(|&s| f(s & ADDR_MASK));
        }
    }

    /// Checks the counts against the slots, for tests: every topic is found
    /// from its home bucket, `over` counts exactly the topics passing (or
    /// stays at its maximum), filters and unused slots are exact.
    #[cfg(test)]
    pub(super) fn check(&self, hash: impl Fn(u64) -> u64) {
        let n = self.buckets.len();
        assert_eq!(self.meta.len(), n);
        let mut over_n = vec![0u64; n];
        let mut len = 0;
        for (b, (k, &m)) in self.buckets.iter().zip(&self.meta).enumerate() {
            let u = used(m);
            assert!(u <= SLOTS);
            assert!(k.0[u..].iter().all(|&s| s == 0), "unused slots are 0");
            let mut filter = 0;
            for &s in &k.0[..u] {
                len += 1;
                let h = hash(s & ADDR_MASK);
                assert_eq!(s >> TAG_SHIFT, tag(h));
                filter |= bits(tag(h));
                let mut c = self.probe(h).bucket;
                while c != b {
                    over_n[c] += 1;
                    c = (c + 1) % n;
                }
            }
            assert_eq!(m & FILTER, filter);
        }
        assert_eq!(len, self.len);
        for (&m, o) in self.meta.iter().zip(over_n) {
            assert!(over(m) == o || over(m) == OVER_MAX);
        }
    }
}
