//! Subscriptions for SUB sockets: a compressed (radix / Patricia) trie of
//! topic prefixes with reference counts. Matching walks the message's bytes
//! once, so it costs the topic's length whatever the number of
//! subscriptions; shared prefixes are stored once.
//!
//! Layout (issue 11): every node is one variable-sized record in a byte
//! arena, so a step down the trie touches one record (usually one cache
//! line) and costs no pointer chase to a separate label or child array:
//!
//! ```text
//! 0..4   refs (u32 LE): how many times the prefix ending here was subscribed
//! 4      label length L (0..=255)
//! 5..7   number of children n (u16 LE, 0..=256)
//! 8..    L label bytes (the edge after the byte the parent dispatched on),
//!        n child key bytes (sorted), n child addresses (u32 LE)
//! ```
//!
//! A record is padded to a multiple of 8 bytes and addressed by its offset
//! in 8-byte units (u32: 32 GiB). The arena is a list of 1 MiB chunks (no
//! record straddles two), so growing never copies the whole trie; a freed
//! record goes on a free list for its size, and a new record takes the
//! smallest free one that fits (splitting it). An edge longer than 256
//! bytes becomes a chain of nodes with no references and one child.

const CHUNK_SHIFT: usize = 20;
const CHUNK: usize = 1 << CHUNK_SHIFT;
const MAX_LABEL: usize = 255;
const HEADER: usize = 8;
const NIL: u32 = u32::MAX;

/// A record taken apart for reading (borrowing the arena).
struct View<'a> {
    refs: u32,
    label: &'a [u8],
    /// The child keys: sorted bytes, or a 256-bit map (BITMAP_AT or more
    /// children), which finds a child in one read instead of a binary
    /// search over several cache lines.
    keys: Keys<'a>,
    n: usize,
    /// Where the child addresses start in the record.
    kids_at: usize,
    kids: &'a [u8],
}

enum Keys<'a> {
    Sorted(&'a [u8]),
    Map(&'a [u8]),
}

/// From this many children on, a node keeps a bitmap of its child keys.
const BITMAP_AT: usize = 32;
const MAP_BYTES: usize = 32;

fn map_word(map: &[u8], w: usize) -> u64 {
    let b = &map[8 * w..8 * w + 8];
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

impl View<'_> {
    fn kid(&self, i: usize) -> u32 {
        let b = &self.kids[4 * i..4 * i + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// The slot of the child for `byte`, or where it would go.
    fn find(&self, byte: u8) -> Result<usize, usize> {
        match self.keys {
            Keys::Sorted(k) => k.binary_search(&byte),
            Keys::Map(m) => {
                let (w, bit) = (byte as usize >> 6, byte & 63);
                let word = map_word(m, w);
                let below: u32 = (0..w).map(|v| map_word(m, v).count_ones()).sum();
                let at = (below + (word & ((1u64 << bit) - 1)).count_ones()) as usize;
                if word >> bit & 1 == 1 {
                    Ok(at)
                } else {
                    Err(at)
                }
            }
        }
    }

    fn keys(&self) -> Vec<u8> {
        match self.keys {
            Keys::Sorted(k) => k.to_vec(),
            Keys::Map(m) => (0..=255u8)
                .filter(|&b| map_word(m, b as usize >> 6) >> (b & 63) & 1 == 1)
                .collect(),
        }
    }
}

fn record_size(label: usize, n: usize) -> usize {
    let keys = if n >= BITMAP_AT { MAP_BYTES } else { n };
    (HEADER + label + keys + 4 * n).next_multiple_of(8)
}

/// A record taken apart for rewriting.
struct Node {
    refs: u32,
    label: Vec<u8>,
    keys: Vec<u8>,
    kids: Vec<u32>,
}

impl Node {
    fn size(&self) -> usize {
        record_size(self.label.len(), self.keys.len())
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

pub struct Trie {
    chunks: Vec<Vec<u8>>,
    /// Head of the free list per record size / 8.
    free: Vec<u32>,
    root: u32,
    count: usize,
}

impl Default for Trie {
    fn default() -> Self {
        let mut t = Trie {
            chunks: Vec::new(),
            free: Vec::new(),
            root: NIL,
            count: 0,
        };
        t.root = t.put(&Node {
            refs: 0,
            label: Vec::new(),
            keys: Vec::new(),
            kids: Vec::new(),
        });
        t
    }
}

/// Where a node hangs: its parent's address and its slot there, or the root.
type Link = Option<(u32, usize)>;

impl Trie {
    fn bytes(&self, a: u32) -> &[u8] {
        let b = (a as usize) << 3;
        &self.chunks[b >> CHUNK_SHIFT][b & (CHUNK - 1)..]
    }

    fn bytes_mut(&mut self, a: u32) -> &mut [u8] {
        let b = (a as usize) << 3;
        &mut self.chunks[b >> CHUNK_SHIFT][b & (CHUNK - 1)..]
    }

    fn view(&self, a: u32) -> View<'_> {
        let r = self.bytes(a);
        let l = r[4] as usize;
        let n = u16::from_le_bytes([r[5], r[6]]) as usize;
        let (label, rest) = r[HEADER..].split_at(l);
        let (keys, kids_at) = if n >= BITMAP_AT {
            (Keys::Map(&rest[..MAP_BYTES]), HEADER + l + MAP_BYTES)
        } else {
            (Keys::Sorted(&rest[..n]), HEADER + l + n)
        };
        View {
            refs: u32::from_le_bytes([r[0], r[1], r[2], r[3]]),
            label,
            keys,
            n,
            kids_at,
            kids: &r[kids_at..kids_at + 4 * n],
        }
    }

    fn node(&self, a: u32) -> Node {
        let v = self.view(a);
        Node {
            refs: v.refs,
            label: v.label.to_vec(),
            keys: v.keys(),
            kids: (0..v.n).map(|i| v.kid(i)).collect(),
        }
    }

    fn set_refs(&mut self, a: u32, refs: u32) {
        self.bytes_mut(a)[..4].copy_from_slice(&refs.to_le_bytes());
    }

    /// A record of `size` bytes: a freed one of that size, else the rest
    /// of a larger freed one (what is left goes back on its list), else
    /// new space at the end of the arena.
    fn alloc(&mut self, size: usize) -> u32 {
        let class = size / 8;
        if let Some(c) = (class..self.free.len()).find(|&c| self.free[c] != NIL) {
            let head = self.free[c];
            let r = self.bytes(head);
            self.free[c] = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
            if c > class {
                self.release(head + class as u32, (c - class) * 8);
            }
            return head;
        }
        if self.chunks.last().is_none_or(|c| c.len() + size > CHUNK) {
            self.chunks.push(Vec::new());
        }
        let k = self.chunks.len() - 1;
        let last = &mut self.chunks[k];
        let off = last.len();
        if last.capacity() < off + size {
            // Powers of two up to CHUNK: no chunk holds more than CHUNK.
            let want = (off + size).next_power_of_two().clamp(64, CHUNK);
            last.reserve_exact(want - off);
        }
        last.resize(off + size, 0);
        u32::try_from(((k << CHUNK_SHIFT) + off) >> 3).expect("subscriptions over 32 GiB")
    }

    fn release(&mut self, a: u32, size: usize) {
        let class = size / 8;
        if self.free.len() <= class {
            self.free.resize(class + 1, NIL);
        }
        let next = self.free[class];
        self.bytes_mut(a)[..4].copy_from_slice(&next.to_le_bytes());
        self.free[class] = a;
    }

    fn write(&mut self, a: u32, n: &Node) {
        let r = self.bytes_mut(a);
        r[..4].copy_from_slice(&n.refs.to_le_bytes());
        r[4] = n.label.len() as u8;
        r[5..7].copy_from_slice(&(n.keys.len() as u16).to_le_bytes());
        let mut at = HEADER;
        r[at..at + n.label.len()].copy_from_slice(&n.label);
        at += n.label.len();
        if n.keys.len() >= BITMAP_AT {
            let map = &mut r[at..at + MAP_BYTES];
            map.fill(0);
            for &b in &n.keys {
                map[b as usize / 8] |= 1 << (b % 8);
            }
            at += MAP_BYTES;
        } else {
            r[at..at + n.keys.len()].copy_from_slice(&n.keys);
            at += n.keys.len();
        }
        for k in &n.kids {
            r[at..at + 4].copy_from_slice(&k.to_le_bytes());
            at += 4;
        }
    }

    fn put(&mut self, n: &Node) -> u32 {
        debug_assert!(n.label.len() <= MAX_LABEL && n.keys.len() == n.kids.len());
        let a = self.alloc(n.size());
        self.write(a, n);
        a
    }

    fn size_at(&self, a: u32) -> usize {
        let v = self.view(a);
        record_size(v.label.len(), v.n)
    }

    /// Rewrites the node at `a` as `n` (in place when the size is the same)
    /// and hangs the result at `link`; returns its address.
    fn replace(&mut self, a: u32, link: Link, n: &Node) -> u32 {
        let old = self.size_at(a);
        if old == n.size() {
            self.write(a, n);
            return a;
        }
        self.release(a, old);
        let b = self.put(n);
        self.set_link(link, b);
        b
    }

    fn set_link(&mut self, link: Link, to: u32) {
        match link {
            None => self.root = to,
            Some((p, i)) => {
                let v = self.view(p);
                let at = v.kids_at + 4 * i;
                self.bytes_mut(p)[at..at + 4].copy_from_slice(&to.to_le_bytes());
            }
        }
    }

    /// A node for `key` with one reference, as a chain if it is long.
    fn leaf(&mut self, key: &[u8]) -> u32 {
        let mut split = key.len();
        let mut tail = Node {
            refs: 1,
            label: Vec::new(),
            keys: Vec::new(),
            kids: Vec::new(),
        };
        // Cut from the end: each node holds up to MAX_LABEL bytes, and the
        // byte before them is its key in the node above.
        loop {
            let start = split.saturating_sub(MAX_LABEL);
            tail.label = key[start..split].to_vec();
            let a = self.put(&tail);
            if start == 0 {
                return a;
            }
            tail = Node {
                refs: 0,
                label: Vec::new(),
                keys: vec![key[start - 1]],
                kids: vec![a],
            };
            split = start - 1;
        }
    }

    /// Add one reference to `topic`.
    pub fn subscribe(&mut self, topic: &[u8]) {
        self.count += 1;
        let mut a = self.root;
        let mut link: Link = None;
        let mut rest = topic;
        loop {
            let v = self.view(a);
            let c = common_prefix(v.label, rest);
            if c < v.label.len() {
                // Split the edge: a new node above for the shared part.
                let mut lower = self.node(a);
                let upper = Node {
                    refs: 0,
                    label: lower.label[..c].to_vec(),
                    keys: vec![lower.label[c]],
                    kids: vec![0],
                };
                lower.label.drain(..=c);
                let b = self.replace(a, link, &lower);
                let mut upper = upper;
                upper.kids[0] = b;
                a = self.put(&upper);
                self.set_link(link, a);
                continue;
            }
            rest = &rest[c..];
            let Some((&byte, tail)) = rest.split_first() else {
                let refs = v.refs.saturating_add(1);
                self.set_refs(a, refs);
                return;
            };
            match v.find(byte) {
                Ok(i) => {
                    link = Some((a, i));
                    a = v.kid(i);
                    rest = tail;
                }
                Err(i) => {
                    let child = self.leaf(tail);
                    let mut n = self.node(a);
                    n.keys.insert(i, byte);
                    n.kids.insert(i, child);
                    self.replace(a, link, &n);
                    return;
                }
            }
        }
    }

    /// Drop one reference to `topic`; false if it was not subscribed.
    pub fn unsubscribe(&mut self, topic: &[u8]) -> bool {
        // The path from the root: each node's address and its link.
        let mut path: Vec<(u32, Link)> = Vec::new();
        let mut a = self.root;
        let mut link: Link = None;
        let mut rest = topic;
        loop {
            let v = self.view(a);
            let Some(tail) = rest.strip_prefix(v.label) else {
                return false;
            };
            path.push((a, link));
            let Some((&byte, tail)) = tail.split_first() else {
                if v.refs == 0 {
                    return false;
                }
                self.set_refs(a, v.refs - 1);
                break;
            };
            let Ok(i) = v.find(byte) else {
                return false;
            };
            link = Some((a, i));
            a = v.kid(i);
            rest = tail;
        }
        self.count -= 1;
        self.tidy(path);
        true
    }

    /// After a node lost its last reference: drop nodes with nothing left
    /// under them, and merge one with no references into its only child.
    fn tidy(&mut self, mut path: Vec<(u32, Link)>) {
        while let Some((a, link)) = path.pop() {
            let Some((p, i)) = link else { return };
            let v = self.view(a);
            if v.refs > 0 {
                return;
            }
            match v.n {
                0 => {
                    let size = self.size_at(a);
                    self.release(a, size);
                    let mut n = self.node(p);
                    n.keys.remove(i);
                    n.kids.remove(i);
                    let (_, plink) = path.pop().expect("a parent is on the path");
                    let q = self.replace(p, plink, &n);
                    path.push((q, plink));
                }
                1 => {
                    let child = v.kid(0);
                    let key = v.keys()[0];
                    let c = self.view(child);
                    if v.label.len() + 1 + c.label.len() > MAX_LABEL {
                        return;
                    }
                    let mut label = v.label.to_vec();
                    label.push(key);
                    label.extend_from_slice(c.label);
                    let mut n = self.node(child);
                    n.label = label;
                    let sizes = (self.size_at(a), self.size_at(child));
                    self.release(a, sizes.0);
                    self.release(child, sizes.1);
                    let b = self.put(&n);
                    self.set_link(Some((p, i)), b);
                    return;
                }
                _ => return,
            }
        }
    }

    /// Does any subscription prefix `msg`?
    pub fn matches(&self, msg: &[u8]) -> bool {
        let mut a = self.root;
        let mut rest = msg;
        loop {
            let v = self.view(a);
            let Some(tail) = rest.strip_prefix(v.label) else {
                return false;
            };
            if v.refs > 0 {
                return true;
            }
            let Some((&byte, tail)) = tail.split_first() else {
                return false;
            };
            let Ok(i) = v.find(byte) else {
                return false;
            };
            a = v.kid(i);
            rest = tail;
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
mod tests {
    use super::*;

    #[test]
    fn prefix_matching() {
        let mut t = Trie::default();
        assert!(!t.matches(b"abc"));
        t.subscribe(b"ab");
        assert!(t.matches(b"ab"));
        assert!(t.matches(b"abc"));
        assert!(!t.matches(b"a"));
        assert!(!t.matches(b"b"));
        assert!(!t.matches(b""));
    }

    #[test]
    fn empty_prefix_matches_everything() {
        let mut t = Trie::default();
        t.subscribe(b"");
        assert!(t.matches(b""));
        assert!(t.matches(b"anything"));
    }

    #[test]
    fn splits_and_merges() {
        let mut t = Trie::default();
        for k in [&b"abcd"[..], b"abxy", b"ab", b"q", b"abcdef"] {
            t.subscribe(k);
        }
        assert!(t.matches(b"abcz") && t.matches(b"abxyz") && t.matches(b"qq"));
        assert!(t.unsubscribe(b"ab"));
        assert!(!t.matches(b"abz"));
        assert!(t.matches(b"abcd!") && t.matches(b"abxy"));
        assert!(t.unsubscribe(b"abcd"));
        assert!(!t.matches(b"abcd!"));
        assert!(t.matches(b"abcdefg"));
        assert!(!t.unsubscribe(b"abc"));
        assert!(!t.unsubscribe(b"zzz"));
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn reference_counted() {
        let mut t = Trie::default();
        t.subscribe(b"x");
        t.subscribe(b"x");
        assert!(t.unsubscribe(b"x"));
        assert!(t.matches(b"x1"));
        assert!(t.unsubscribe(b"x"));
        assert!(!t.matches(b"x1"));
        assert!(!t.unsubscribe(b"x"));
        assert!(t.is_empty());
    }

    #[test]
    fn binary_topics() {
        let mut t = Trie::default();
        t.subscribe(&[0, 1, 0]);
        assert!(t.matches(&[0, 1, 0, 9]));
        assert!(!t.matches(&[0, 1, 1]));
    }

    #[test]
    fn agrees_with_naive_matching() {
        // A small deterministic pseudo-random workload against a plain list.
        let mut seed = 0x1234_5678u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let mut t = Trie::default();
        let mut subs: Vec<Vec<u8>> = Vec::new();
        for round in 0..4000 {
            let len = (next() % 4) as usize;
            let key: Vec<u8> = (0..len).map(|_| (next() % 3) as u8 + b'a').collect();
            if round % 3 == 2 && !subs.is_empty() {
                let i = (next() as usize) % subs.len();
                let k = subs.swap_remove(i);
                assert!(t.unsubscribe(&k));
            } else {
                t.subscribe(&key);
                subs.push(key);
            }
            let msg: Vec<u8> = (0..(next() % 5))
                .map(|_| (next() % 3) as u8 + b'a')
                .collect();
            let naive = subs.iter().any(|s| msg.starts_with(s));
            assert_eq!(t.matches(&msg), naive, "msg {msg:?}");
        }
    }
}

#[cfg(test)]
mod model {
    //! The trie against a plain list of (prefix, references) over thousands
    //! of random operations, with long topics (edge chains) among them.
    use super::*;

    /// xorshift64, and how many different bytes short keys use.
    struct Rng(u64, u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> usize {
            (self.next() % n) as usize
        }

        /// Mostly short keys over a tiny alphabet (many shared prefixes),
        /// sometimes one longer than an edge can hold.
        fn key(&mut self) -> Vec<u8> {
            let len = match self.below(10) {
                0 => 250 + self.below(600),
                1..=3 => self.below(12),
                _ => self.below(5),
            };
            let alpha = if len > 100 {
                1 + self.below(2) as u64
            } else {
                self.1
            };
            (0..len).map(|_| b'a' + self.below(alpha) as u8).collect()
        }
    }

    /// Nodes reachable from the root, checking each record's shape.
    fn reachable(t: &Trie) -> usize {
        let mut todo = vec![(t.root, true)];
        let mut seen = 0;
        while let Some((a, is_root)) = todo.pop() {
            seen += 1;
            let v = t.view(a);
            let keys = v.keys();
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "keys sorted");
            assert_eq!(keys.len(), v.n);
            for (i, &k) in keys.iter().enumerate() {
                assert_eq!(v.find(k), Ok(i));
            }
            if !is_root && v.refs == 0 {
                assert!(v.n > 0, "no dead leaf");
            }
            todo.extend((0..v.n).map(|i| (v.kid(i), false)));
        }
        seen
    }

    fn run(seed: u64, alpha: u64, rounds: usize) {
        let mut rng = Rng(seed, alpha);
        let mut t = Trie::default();
        let mut subs: Vec<(Vec<u8>, u32)> = Vec::new();
        for _ in 0..rounds {
            match rng.below(8) {
                0..=3 => {
                    let key = match rng.below(3) {
                        0 if !subs.is_empty() => subs[rng.below(subs.len() as u64)].0.clone(),
                        _ => rng.key(),
                    };
                    t.subscribe(&key);
                    match subs.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, r)) => *r += 1,
                        None => subs.push((key, 1)),
                    }
                }
                4..=5 => {
                    let key = match rng.below(4) {
                        0 => rng.key(),
                        _ if !subs.is_empty() => subs[rng.below(subs.len() as u64)].0.clone(),
                        _ => rng.key(),
                    };
                    let at = subs.iter().position(|(k, _)| *k == key);
                    assert_eq!(t.unsubscribe(&key), at.is_some(), "unsubscribe {key:?}");
                    if let Some(at) = at {
                        subs[at].1 -= 1;
                        if subs[at].1 == 0 {
                            subs.swap_remove(at);
                        }
                    }
                }
                _ => {
                    let mut msg = rng.key();
                    if rng.below(2) == 0 && !subs.is_empty() {
                        // A subscribed topic, maybe cut short or extended.
                        msg = subs[rng.below(subs.len() as u64)].0.clone();
                        match rng.below(3) {
                            0 => msg.truncate(rng.below(msg.len() as u64 + 1)),
                            1 => msg.extend(rng.key()),
                            _ => {}
                        }
                    }
                    let naive = subs.iter().any(|(k, _)| msg.starts_with(k));
                    assert_eq!(t.matches(&msg), naive, "match {msg:?}");
                }
            }
            let total: u32 = subs.iter().map(|(_, r)| r).sum();
            assert_eq!(t.len(), total as usize);
        }
        reachable(&t);
        // Drop everything: only the root is left, all else on free lists.
        while let Some((k, r)) = subs.pop() {
            for _ in 0..r {
                assert!(t.unsubscribe(&k));
            }
            assert!(!t.unsubscribe(&k));
        }
        assert!(t.is_empty() && !t.matches(b"") && !t.matches(b"abc"));
        assert_eq!(reachable(&t), 1);
    }

    #[test]
    fn agrees_with_a_list_of_prefixes() {
        for seed in 1..=8u64 {
            run(seed * 0x9E37_79B9_7F4A_7C15, 3, 3000);
        }
    }

    #[test]
    fn wide_nodes_agree_with_a_list_of_prefixes() {
        // 40 to 200 different bytes: nodes cross BITMAP_AT both ways.
        for seed in 1..=6u64 {
            run(seed * 0x2545_F491_4F6C_DD1D, 40 + seed * 30, 6000);
        }
    }

    #[test]
    fn every_byte_under_one_node() {
        let mut t = Trie::default();
        for b in (0..=255u8).rev() {
            t.subscribe(&[7, b]);
        }
        for b in 0..=255u8 {
            assert!(t.matches(&[7, b, 1]) && !t.matches(&[8, b]));
        }
        for b in (0..=255u8).filter(|b| b % 8 != 3) {
            assert!(t.unsubscribe(&[7, b]));
            assert!(!t.matches(&[7, b]) && t.matches(&[7, 3]));
        }
        for b in 0..=255u8 {
            assert_eq!(t.matches(&[7, b]), b % 8 == 3);
        }
        assert_eq!(reachable(&t), 34);
    }

    #[test]
    fn long_topics_are_chains() {
        let long: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let mut t = Trie::default();
        t.subscribe(&long);
        assert!(t.matches(&long) && !t.matches(&long[..999]));
        let mut other = long.clone();
        other[600] ^= 1;
        assert!(!t.matches(&other) && !t.unsubscribe(&long[..600]));
        t.subscribe(&long[..600]);
        assert!(t.matches(&other));
        assert!(t.unsubscribe(&long));
        assert!(t.matches(&other) && t.matches(&long));
        assert!(t.unsubscribe(&long[..600]));
        assert!(!t.matches(&long) && t.is_empty());
        assert_eq!(reachable(&t), 1);
    }

    #[test]
    fn freed_records_are_reused() {
        let mut t = Trie::default();
        let keys: Vec<Vec<u8>> = (0..2000u32)
            .map(|i| format!("k{i}.x").into_bytes())
            .collect();
        for k in &keys {
            t.subscribe(k);
        }
        let cycle = |t: &mut Trie| {
            for k in &keys {
                assert!(t.unsubscribe(k));
            }
            for k in &keys {
                t.subscribe(k);
            }
            t.chunks.iter().map(Vec::len).sum::<usize>()
        };
        // Splitting free records fragments them a little, then it settles.
        cycle(&mut t);
        let used = cycle(&mut t);
        for _ in 0..20 {
            assert!(
                cycle(&mut t) <= used + used / 100,
                "the arena keeps growing"
            );
        }
    }
}
