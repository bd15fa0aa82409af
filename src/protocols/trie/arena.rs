//! The subscribed topics, each one record in a byte arena:
//!
//! ```text
//! 0..4   refs (u32 LE): how many times the topic was subscribed
//! 4      its length if below 255; else 255 and the length (u32 LE) at 5..9
//! ..     the topic's bytes
//! ```
//!
//! Records are packed with no padding. The arena is a list of chunks of
//! 2 MiB (no record straddles two, so growing never copies what is there);
//! the first grows by doubling, later ones are whole from the start, in
//! huge pages (see `mem`). A record over `SMALL` bytes gets a chunk of its
//! own, freed with it. A record's address is its chunk << 21 | its offset
//! there (40 bits). A
//! freed small record goes on a stack for its size; a new one takes a freed
//! record of its size, else the rest of the smallest larger one with at
//! least `MIN` bytes to spare (what is left goes back on its stack), else
//! new space.

use super::mem::Block;

const CHUNK_SHIFT: u32 = 21;
const CHUNK: usize = 1 << CHUNK_SHIFT;
/// The largest record kept in the shared chunks.
const SMALL: usize = 1024;
/// The smallest record: header and one byte (the empty topic has none).
const MIN: usize = 6;
const LONG: u8 = 255;
pub(super) const ADDR_BITS: u32 = 40;

pub(super) fn record_size(len: usize) -> usize {
    len + if len < LONG as usize { 5 } else { 9 }
}

/// A chunk's memory and how much of it is used.
#[derive(Default)]
struct Chunk {
    mem: Block<u8>,
    len: usize,
}

#[derive(Default)]
pub(super) struct Arena {
    chunks: Vec<Chunk>,
    /// The shared chunk that new space is taken from.
    bump: Option<usize>,
    /// Freed records by size (index: size), and which of those are not
    /// empty (a bit per size).
    free: Vec<Vec<u64>>,
    nonempty: [u64; SMALL / 64 + 1],
    /// Chunks of freed large records, for reuse.
    free_chunks: Vec<usize>,
}

fn split(a: u64) -> (usize, usize) {
    (
        (a >> CHUNK_SHIFT) as usize,
        (a & (CHUNK as u64 - 1)) as usize,
    )
}

fn addr(chunk: usize, off: usize) -> u64 {
    let a = ((chunk as u64) << CHUNK_SHIFT) | off as u64;
    assert!(a >> ADDR_BITS == 0, "subscriptions over 1 TiB");
    a
}

impl Arena {
    #[inline]
    pub(super) fn bytes(&self, a: u64) -> &[u8] {
        let (c, off) = split(a);
        let c = &self.chunks[c];
        &c.mem[off..c.len]
    }

    fn bytes_mut(&mut self, a: u64) -> &mut [u8] {
        let (c, off) = split(a);
        let c = &mut self.chunks[c];
        &mut c.mem[off..c.len]
    }

    /// The topic of the record at `a`.
    #[inline]
    pub(super) fn key(&self, a: u64) -> &[u8] {
        let r = self.bytes(a);
        if r[4] < LONG {
            &r[5..5 + r[4] as usize]
        } else {
            let len = u32::from_le_bytes([r[5], r[6], r[7], r[8]]) as usize;
            &r[9..9 + len]
        }
    }

    pub(super) fn refs(&self, a: u64) -> u32 {
        let r = self.bytes(a);
        u32::from_le_bytes([r[0], r[1], r[2], r[3]])
    }

    pub(super) fn set_refs(&mut self, a: u64, refs: u32) {
        self.bytes_mut(a)[..4].copy_from_slice(&refs.to_le_bytes());
    }

    /// A new record for `key` with one reference.
    pub(super) fn put(&mut self, key: &[u8]) -> u64 {
        let a = self.alloc(record_size(key.len()));
        let r = self.bytes_mut(a);
        r[..4].copy_from_slice(&1u32.to_le_bytes());
        let at = if key.len() < LONG as usize {
            r[4] = key.len() as u8;
            5
        } else {
            r[4] = LONG;
            let len = u32::try_from(key.len()).expect("a topic under 4 GiB");
            r[5..9].copy_from_slice(&len.to_le_bytes());
            9
        };
        r[at..at + key.len()].copy_from_slice(key);
        a
    }

    /// Frees the record at `a`.
    pub(super) fn drop_record(&mut self, a: u64) {
        let size = record_size(self.key(a).len());
        if size > SMALL {
            let (c, _) = split(a);
            self.chunks[c] = Chunk::default();
            self.free_chunks.push(c);
        } else {
            self.release(a, size);
        }
    }

    fn release(&mut self, a: u64, size: usize) {
        if self.free.len() <= size {
            self.free.resize_with(size + 1, Vec::new);
        }
        self.free[size].push(a);
        self.nonempty[size / 64] |= 1 << (size % 64);
    }

    /// A freed record of exactly `size` bytes, or of `size + MIN` or more.
    fn reuse(&mut self, size: usize) -> Option<u64> {
        let mut want = size;
        loop {
            let (w, bit) = (want / 64, want % 64);
            let mut mask = *self.nonempty.get(w)? & (u64::MAX << bit);
            let mut w = w;
            while mask == 0 {
                w += 1;
                mask = *self.nonempty.get(w)?;
            }
            let have = 64 * w + mask.trailing_zeros() as usize;
            if have != size && have < size + MIN {
                want = size + MIN;
                continue;
            }
            let stack = &mut self.free[have];
            let a = stack.pop().expect("a non-empty stack");
            if stack.is_empty() {
                self.nonempty[have / 64] &= !(1 << (have % 64));
                // Give the memory of a drained stack back.
                *stack = Vec::new();
            }
            if have > size {
                self.release(a + size as u64, have - size);
            }
            return Some(a);
        }
    }

    fn alloc(&mut self, size: usize) -> u64 {
        if size > SMALL {
            let chunk = Chunk {
                mem: Block::zeroed(size),
                len: size,
            };
            let c = match self.free_chunks.pop() {
                Some(c) => {
                    self.chunks[c] = chunk;
                    c
                }
                None => {
                    self.chunks.push(chunk);
                    self.chunks.len() - 1
                }
            };
            return addr(c, 0);
        }
        if let Some(a) = self.reuse(size) {
            return a;
        }
        let c = match self.bump {
            Some(c) if self.chunks[c].len + size <= CHUNK => c,
            full => {
                let c = match self.free_chunks.pop() {
                    Some(c) => c,
                    None => {
                        self.chunks.push(Chunk::default());
                        self.chunks.len() - 1
                    }
                };
                // After a whole chunk, the next is whole at once.
                if full.is_some() {
                    self.chunks[c].mem = Block::zeroed(CHUNK);
                }
                self.bump = Some(c);
                c
            }
        };
        let last = &mut self.chunks[c];
        let off = last.len;
        if last.mem.len() < off + size {
            // Powers of two up to CHUNK: no chunk holds more than CHUNK.
            let want = (off + size).next_power_of_two().clamp(64, CHUNK);
            let mut mem = Block::zeroed(want);
            mem[..off].copy_from_slice(&last.mem[..off]);
            last.mem = mem;
        }
        last.len = off + size;
        addr(c, off)
    }

    /// Bytes of memory held and how many chunks asked for huge pages, for
    /// tests.
    #[cfg(test)]
    #[allow(dead_code)]
    pub(super) fn held(&self) -> (usize, usize) {
        let bytes = self.chunks.iter().map(|c| c.mem.len()).sum();
        let huge = self.chunks.iter().filter(|c| c.mem.is_huge()).count();
        (bytes, huge)
    }

    /// Bytes held in shared chunks (used, freed or not), for tests.
    #[cfg(test)]
    pub(super) fn used(&self) -> usize {
        self.chunks.iter().map(|c| c.len).sum()
    }
}
