//! Subscriptions for SUB sockets: a compressed (radix / Patricia) trie of
//! topic prefixes with reference counts. Matching walks the message's bytes
//! once, so it costs the topic's length whatever the number of
//! subscriptions; shared prefixes are stored once.

/// One node: the edge label leading to it, how many times the prefix that
/// ends here was subscribed, and children sorted by their first byte.
#[derive(Default)]
struct Node {
    label: Box<[u8]>,
    refs: u32,
    children: Vec<Node>,
}

#[derive(Default)]
pub struct Trie {
    root: Node,
    count: usize,
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

impl Node {
    fn child_index(&self, byte: u8) -> Result<usize, usize> {
        self.children.binary_search_by_key(&byte, |c| c.label[0])
    }

    fn subscribe(&mut self, key: &[u8]) -> bool {
        if key.is_empty() {
            self.refs += 1;
            return self.refs == 1;
        }
        match self.child_index(key[0]) {
            Err(at) => {
                let leaf = Node {
                    label: key.into(),
                    refs: 1,
                    children: Vec::new(),
                };
                self.children.insert(at, leaf);
                true
            }
            Ok(i) => {
                let child = &mut self.children[i];
                let n = common_prefix(&child.label, key);
                if n < child.label.len() {
                    // Split the edge: a new node for the shared part.
                    let rest = child.label[n..].into();
                    let shared = child.label[..n].into();
                    let mut old = std::mem::take(child);
                    old.label = rest;
                    *child = Node {
                        label: shared,
                        refs: 0,
                        children: vec![old],
                    };
                }
                child.subscribe(&key[n..])
            }
        }
    }

    /// Returns (found, now-empty-and-removable).
    fn unsubscribe(&mut self, key: &[u8]) -> bool {
        if key.is_empty() {
            if self.refs == 0 {
                return false;
            }
            self.refs -= 1;
            return true;
        }
        let Ok(i) = self.child_index(key[0]) else {
            return false;
        };
        let child = &mut self.children[i];
        if !key.starts_with(&child.label) {
            return false;
        }
        let n = child.label.len();
        if !child.unsubscribe(&key[n..]) {
            return false;
        }
        // Tidy up: drop an unused leaf, merge an unused node with one child.
        if child.refs == 0 {
            match child.children.len() {
                0 => {
                    self.children.remove(i);
                }
                1 => {
                    let only = child.children.pop().expect("one child");
                    let mut label = child.label.to_vec();
                    label.extend_from_slice(&only.label);
                    *child = Node {
                        label: label.into(),
                        ..only
                    };
                }
                _ => {}
            }
        }
        true
    }
}

impl Trie {
    /// Add one reference to `topic`.
    pub fn subscribe(&mut self, topic: &[u8]) {
        self.root.subscribe(topic);
        self.count += 1;
    }

    /// Drop one reference to `topic`; false if it was not subscribed.
    pub fn unsubscribe(&mut self, topic: &[u8]) -> bool {
        let found = self.root.unsubscribe(topic);
        if found {
            self.count -= 1;
        }
        found
    }

    /// Does any subscription prefix `msg`?
    pub fn matches(&self, msg: &[u8]) -> bool {
        let mut node = &self.root;
        let mut rest = msg;
        loop {
            if node.refs > 0 {
                return true;
            }
            let Some(&b) = rest.first() else { return false };
            let Ok(i) = node.child_index(b) else {
                return false;
            };
            let child = &node.children[i];
            if !rest.starts_with(&child.label) {
                return false;
            }
            rest = &rest[child.label.len()..];
            node = child;
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
