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

/// The structure's invariants: the table's counts, every record's key
/// hashing to where it is, the length list and the reference total.
fn check(t: &Trie) {
    let (keys, arena) = (t.keys, &t.arena);
    t.table.check(|a| keys.one(arena.key(a)));
    let mut by_len: Vec<(usize, usize)> = Vec::new();
    let mut refs = t.empty as usize;
    t.table.each(|a| {
        let k = arena.key(a);
        assert!(!k.is_empty());
        assert!(arena.refs(a) > 0);
        refs += arena.refs(a) as usize;
        match by_len.iter_mut().find(|l| l.0 == k.len()) {
            Some(l) => l.1 += 1,
            None => by_len.push((k.len(), 1)),
        }
    });
    by_len.sort_unstable();
    assert_eq!(by_len, t.lens);
    assert_eq!(refs, t.count);
}

#[test]
fn big_sets_use_huge_pages_and_give_all_back() {
    // Enough topics for a table and arena chunks of 2 MiB and more.
    let topic =
        |i: u32| format!("market.eu.instr.{}.bid", i.wrapping_mul(2_654_435_761)).into_bytes();
    let n = 250_000;
    let mut t = Trie::default();
    for i in 0..n {
        t.subscribe(&topic(i));
    }
    assert!(t.table.bytes() >= mem::HUGE && t.table.is_huge());
    let (held, huge) = t.arena.held();
    assert!(
        huge >= 1 && held >= n as usize * 30,
        "{held} bytes, {huge} huge"
    );
    for i in (0..n).step_by(13) {
        let mut m = topic(i);
        m.extend_from_slice(b" payload");
        assert!(t.matches(&m) && !t.matches(&m[..m.len() - 9]));
    }
    check(&t);
    for i in 0..n {
        assert!(t.unsubscribe(&topic(i)));
    }
    assert_eq!((t.table.bytes(), t.arena.held()), (0, (0, 0)));
    assert!(t.is_empty() && !t.matches(&topic(1)));
    // And it all comes back.
    t.subscribe(&topic(1));
    assert!(t.matches(&topic(1)) && !t.matches(&topic(2)));
    check(&t);
}

mod model {
    //! The set against a plain list of (prefix, references) over thousands
    //! of random operations: duplicates, the empty prefix, zero bytes, long
    //! topics (over 255 bytes and over a shared chunk's record limit), many
    //! different lengths (more than one batch of probes).
    use super::*;

    /// xorshift64, and how many different bytes short keys use.
    struct Rng(crate::testrng::XorShift, u64);

    impl Rng {
        fn below(&mut self, n: u64) -> usize {
            self.0.below(n as usize)
        }

        /// Mostly short keys over a tiny alphabet (many shared prefixes),
        /// sometimes long ones, sometimes one of many different lengths.
        fn key(&mut self) -> Vec<u8> {
            let len = match self.below(20) {
                0 => 250 + self.below(600),
                1 => 1000 + self.below(100),
                2..=4 => self.below(40),
                5..=9 => self.below(12),
                _ => self.below(5),
            };
            let alpha = if len > 100 {
                1 + self.below(2) as u64
            } else {
                self.1
            };
            // Bytes from 0 up: zero bytes are common.
            (0..len).map(|_| self.below(alpha) as u8).collect()
        }
    }

    fn run(seed: u64, alpha: u64, rounds: usize) {
        let mut rng = Rng(crate::testrng::XorShift(seed), alpha);
        let mut t = Trie::default();
        // Odd seeds (the multipliers are odd) match in prefetched batches,
        // as big tables do.
        if seed % 2 == 1 {
            t.batch_from = 0;
        }
        let mut subs: Vec<(Vec<u8>, u32)> = Vec::new();
        for round in 0..rounds {
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
            if round % 500 == 0 {
                check(&t);
            }
        }
        check(&t);
        // Drop everything: nothing is left.
        while let Some((k, r)) = subs.pop() {
            for _ in 0..r {
                assert!(t.unsubscribe(&k));
            }
            assert!(!t.unsubscribe(&k));
        }
        assert!(t.is_empty() && !t.matches(b"") && !t.matches(b"abc"));
        assert!(t.lens.is_empty() && t.table.is_empty());
        check(&t);
    }

    #[test]
    fn agrees_with_a_list_of_prefixes() {
        for seed in 1..=8u64 {
            run(seed * 0x9E37_79B9_7F4A_7C15, 3, 3000);
        }
    }

    #[test]
    fn wide_alphabets_agree_with_a_list_of_prefixes() {
        for seed in 1..=6u64 {
            run(seed * 0x2545_F491_4F6C_DD1D, 40 + seed * 30, 6000);
        }
    }

    #[test]
    fn every_byte_after_one_prefix() {
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
        check(&t);
    }

    #[test]
    fn long_topics() {
        let long: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        let mut t = Trie::default();
        t.subscribe(&long);
        assert!(t.matches(&long) && !t.matches(&long[..4999]));
        let mut other = long.clone();
        other[600] ^= 1;
        assert!(!t.matches(&other) && !t.unsubscribe(&long[..600]));
        t.subscribe(&long[..600]);
        assert!(t.matches(&other));
        assert!(t.unsubscribe(&long));
        assert!(t.matches(&other) && t.matches(&long));
        assert!(t.unsubscribe(&long[..600]));
        assert!(!t.matches(&long) && t.is_empty());
        check(&t);
    }

    #[test]
    fn every_length_up_to_a_long_message() {
        // One topic per length 1..=300 (more lengths than a batch of
        // probes), each ending in a byte that the message does not have
        // but the last: only the full message's own length matches.
        let msg: Vec<u8> = (0..300u32).map(|i| (i % 7) as u8).collect();
        for batch_from in [0, IN_CACHE] {
            lengths_up_to(&msg, batch_from);
        }
    }

    fn lengths_up_to(msg: &[u8], batch_from: usize) {
        let mut t = Trie {
            batch_from,
            ..Trie::default()
        };
        for len in 1..=300 {
            let mut k = msg[..len].to_vec();
            if len != 300 {
                k[len - 1] = 200;
            }
            t.subscribe(&k);
        }
        assert!(t.matches(msg));
        assert!(!t.matches(&msg[..299]));
        let mut longer = msg.to_vec();
        longer.extend_from_slice(&[0; 1000]);
        assert!(t.matches(&longer));
        let mut k = msg[..150].to_vec();
        k[149] = 200;
        assert!(t.matches(&k) && t.unsubscribe(&k) && !t.matches(&k));
        check(&t);
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
            t.arena.used()
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
