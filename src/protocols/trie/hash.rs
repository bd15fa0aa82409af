//! A keyed hash of every prefix of one byte string, in one pass: the
//! state after each whole 8-byte word is kept, and the hash of a prefix of
//! `len` bytes finishes that state with the last partial word and `len`.
//! Hashing the prefixes of a message at k lengths costs its bytes up to the
//! longest of them plus k multiplications.
//!
//! The keys come from the standard library's per-process random source, so
//! subscriptions that someone chose cannot be made to pile up in one place
//! of the table.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// The 128-bit product of two words, folded to 64 bits.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

#[inline]
fn word(b: &[u8]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// `msg[start..len]` (up to 7 bytes) zero-padded, read as whole words
/// where the message allows (a byte-wise copy into a buffer would stall
/// the word read that follows it).
#[inline]
fn tail(msg: &[u8], start: usize, len: usize) -> u64 {
    let r = len - start;
    if r == 0 {
        return 0;
    }
    if msg.len() >= start + 8 {
        word(&msg[start..start + 8]) & (u64::MAX >> (64 - 8 * r))
    } else if len >= 8 {
        word(&msg[len - 8..len]) >> (64 - 8 * r)
    } else {
        msg[start..len]
            .iter()
            .rev()
            .fold(0, |w, &b| w << 8 | u64::from(b))
    }
}

#[derive(Clone, Copy)]
pub(super) struct Keys([u64; 3]);

impl Keys {
    pub(super) fn random() -> Keys {
        let s = RandomState::new();
        let mut k = [0u64; 3];
        for (i, k) in k.iter_mut().enumerate() {
            let mut h = s.build_hasher();
            h.write_usize(i);
            // Odd multipliers: a product with an odd key loses no low bit.
            *k = h.finish() | 1;
        }
        Keys(k)
    }

    /// The hash of all of `key`.
    pub(super) fn one(&self, key: &[u8]) -> u64 {
        Prefixes::new(*self, key).at(key.len())
    }
}

/// Hashes of the prefixes of one message, asked for in increasing length.
pub(super) struct Prefixes<'a> {
    keys: Keys,
    msg: &'a [u8],
    state: u64,
    /// Whole words folded into `state`.
    words: usize,
}

impl<'a> Prefixes<'a> {
    pub(super) fn new(keys: Keys, msg: &'a [u8]) -> Self {
        Prefixes {
            keys,
            msg,
            state: keys.0[0],
            words: 0,
        }
    }

    /// The hash of `msg[..len]`; `len` never less than the previous call's
    /// and at most the message's length.
    #[inline(always)]
    pub(super) fn at(&mut self, len: usize) -> u64 {
        let whole = len / 8;
        debug_assert!(whole >= self.words && len <= self.msg.len());
        while self.words < whole {
            let at = 8 * self.words;
            self.state = fold(self.state ^ word(&self.msg[at..at + 8]), self.keys.0[1]);
            self.words += 1;
        }
        let t = tail(self.msg, 8 * whole, len);
        fold(
            self.state ^ t,
            self.keys.0[2] ^ (len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_hashes_equal_whole_hashes() {
        let k = Keys::random();
        let msg: Vec<u8> = (0..70u8).map(|i| i.wrapping_mul(37)).collect();
        let mut p = Prefixes::new(k, &msg);
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 40, 63, 64, 70] {
            assert_eq!(p.at(len), k.one(&msg[..len]), "len {len}");
        }
        // Every way a tail can be read: from a longer message, from the
        // end of one, from one shorter than a word.
        for len in 0..=24 {
            let one = k.one(&msg[..len]);
            for end in len..=24 {
                assert_eq!(Prefixes::new(k, &msg[..end]).at(len), one, "{len} of {end}");
            }
        }
    }

    #[test]
    fn lengths_and_zero_bytes_are_told_apart() {
        let k = Keys::random();
        let zeros = [0u8; 17];
        let mut seen: Vec<u64> = (0..=17).map(|l| k.one(&zeros[..l])).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 18);
    }
}
