//! Subscriptions for SUB sockets: the set of subscribed topic prefixes,
//! each with a reference count, and the question whether any of them
//! prefixes a message.
//!
//! Not a trie any more (issue 11): a trie walk at 10M subscriptions is a
//! chain of dependent cache misses, one per node. Instead every topic is
//! one record in a byte arena (`arena`), found through a hash table keyed
//! by the whole topic (`table`), and a small sorted list holds the lengths
//! that subscribed topics have. A match hashes the message's prefixes at
//! those lengths only (`hash`: one pass over the bytes up to the longest),
//! starts the memory reads of all their home buckets at once (when the
//! table is too big to be in cache), and then checks them: a miss costs
//! one round of reads issued together whatever the number of lengths (a
//! round of 14 takes about twice one read on the benchmarks' VM, see
//! `examples/trie_bench.rs`), a hit one read more for the record it
//! compares. The work is
//! bounded by the message's length: at most one probe per distinct
//! subscribed length not longer than the message. The empty topic, which
//! matches everything, is a count of its own. Big tables and arena chunks
//! are in transparent huge pages (`mem`), which shortens the page walks
//! of those memory reads.

mod arena;
mod hash;
mod mem;
mod table;

pub use mem::words;

use arena::Arena;
use hash::{Keys, Prefixes};
use table::{Place, Probe, Table};

/// Home buckets whose reads are started before the first is looked at.
const BATCH: usize = 32;
/// Below this size the table is likely in cache: no prefetching.
const IN_CACHE: usize = 256 << 10;

#[inline]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p.cast::<i8>(), std::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

pub struct Trie {
    keys: Keys,
    table: Table,
    arena: Arena,
    /// The distinct lengths of subscribed (non-empty) topics, ascending,
    /// each with how many distinct topics have it.
    lens: Vec<(usize, usize)>,
    /// References to the empty topic.
    empty: u32,
    count: usize,
    /// Table size from which matches prefetch in batches (IN_CACHE; tests
    /// change it to run both ways).
    batch_from: usize,
}

impl Default for Trie {
    fn default() -> Self {
        Trie {
            keys: Keys::random(),
            table: Table::default(),
            arena: Arena::default(),
            lens: Vec::new(),
            empty: 0,
            count: 0,
            batch_from: IN_CACHE,
        }
    }
}

impl Trie {
    fn find(&self, h: u64, topic: &[u8]) -> Option<Place> {
        self.table.get(h, |a| self.arena.key(a) == topic)
    }

    /// Add one reference to `topic`.
    pub fn subscribe(&mut self, topic: &[u8]) {
        self.count += 1;
        if topic.is_empty() {
            self.empty = self.empty.saturating_add(1);
            return;
        }
        let h = self.keys.one(topic);
        if let Some(p) = self.find(h, topic) {
            let refs = self.arena.refs(p.addr).saturating_add(1);
            self.arena.set_refs(p.addr, refs);
            return;
        }
        let a = self.arena.put(topic);
        let (keys, arena) = (self.keys, &self.arena);
        self.table.insert(h, a, |a| keys.one(arena.key(a)));
        match self.lens.binary_search_by_key(&topic.len(), |l| l.0) {
            Ok(i) => self.lens[i].1 += 1,
            Err(i) => self.lens.insert(i, (topic.len(), 1)),
        }
    }

    /// Drop one reference to `topic`; false if it was not subscribed.
    pub fn unsubscribe(&mut self, topic: &[u8]) -> bool {
        if topic.is_empty() {
            if self.empty == 0 {
                return false;
            }
            self.empty -= 1;
            self.count -= 1;
            return true;
        }
        let h = self.keys.one(topic);
        let Some(p) = self.find(h, topic) else {
            return false;
        };
        self.count -= 1;
        let refs = self.arena.refs(p.addr) - 1;
        if refs > 0 {
            self.arena.set_refs(p.addr, refs);
            return true;
        }
        let (keys, arena) = (self.keys, &self.arena);
        self.table.remove(h, p, |a| keys.one(arena.key(a)));
        if self.table.is_empty() {
            // No record is left: give all of the arena back.
            self.arena = Arena::default();
        } else {
            self.arena.drop_record(p.addr);
        }
        let i = self
            .lens
            .binary_search_by_key(&topic.len(), |l| l.0)
            .expect("a subscribed length");
        self.lens[i].1 -= 1;
        if self.lens[i].1 == 0 {
            self.lens.remove(i);
        }
        true
    }

    /// Does any subscription prefix `msg`?
    pub fn matches(&self, msg: &[u8]) -> bool {
        if self.empty > 0 {
            return true;
        }
        if self.table.is_empty() {
            return false;
        }
        let mut hashes = Prefixes::new(self.keys, msg);
        let mut lens = self
            .lens
            .iter()
            .map(|l| l.0)
            .take_while(|&l| l <= msg.len());
        if self.table.bytes() < self.batch_from {
            // Nothing to wait for: no batches.
            return lens.any(|len| {
                let p = self.table.probe(hashes.at(len));
                let topic = &msg[..len];
                self.table.screen(&p)
                    && self
                        .table
                        .find(&p, |a| self.arena.key(a) == topic)
                        .is_some()
            });
        }
        let mut batch = [(Probe::default(), 0usize); BATCH];
        loop {
            // Start reading the home buckets of a batch of prefixes...
            let mut n = 0;
            for len in lens.by_ref() {
                let p = self.table.probe(hashes.at(len));
                prefetch(self.table.bucket_ptr(p.home));
                batch[n] = (p, len);
                n += 1;
                if n == BATCH {
                    break;
                }
            }
            if n == 0 {
                return false;
            }
            // ...then look at those whose filter passes.
            for (p, len) in &batch[..n] {
                let topic = &msg[..*len];
                if self.table.screen(p)
                    && self.table.find(p, |a| self.arena.key(a) == topic).is_some()
                {
                    return true;
                }
            }
        }
    }

    /// Number of live subscriptions (counting repeats).
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

#[cfg(test)]
mod tests;
