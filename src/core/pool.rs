//! Recycled blocks for small message bodies. A message is typically
//! allocated by one thread and freed by another (the sender and the I/O
//! thread, the I/O thread and the receiver), the pattern that costs malloc
//! the most, so freed blocks are kept for the next allocation instead.
//!
//! Each thread keeps a magazine of up to `MAG` blocks of its own, with no
//! lock and no atomic operation. A thread whose magazine is full hands it
//! whole to the shared depot and takes an empty one back; a thread whose
//! magazine is empty swaps it for a full one: the depot's queues are
//! touched once per `MAG` messages where a queue of blocks cost a few
//! atomic operations on every one, and magazines circulate, so no swap
//! allocates. The depot keeps at most
//! `DEPOT_MAX` full magazines; `trim` frees all but `KEEP`.

use std::cell::RefCell;
use std::ptr::NonNull;
use std::sync::OnceLock;

use crossbeam_channel::{bounded, Receiver, Sender};

/// The size of every block in the pool.
pub(crate) const BLOCK: usize = 512;
/// Blocks in a magazine.
const MAG: usize = 64;
/// Magazines the depot holds at most (32768 blocks, 16 MiB), full and
/// empty each: what a fan-out has in flight comes back in waves (a PUB
/// 256 messages ahead of 100 subscribers: 25600 blocks, cut by the I/O
/// thread, freed by the readers), and every block the depot cannot keep
/// goes to free() on the reader's thread while the I/O thread mallocs
/// the next wave: both then queue on the same malloc arena's lock
/// (64 magazines: about one futex call per 270 messages delivered).
/// Keeping them costs little memory that free() would have given back
/// (a freed block mostly stays in its arena, resident, all the same);
/// `trim` (a connection went) and `empty` free the depot's.
const DEPOT_MAX: usize = 512;
/// How many takes ahead `take` prefetches a block.
const TAKE_AHEAD: usize = 3;
/// Magazines `trim` leaves in the depot.
const KEEP: usize = 2;

/// A block from malloc that nobody uses: the pool's to hand out or free.
struct Block(NonNull<u8>);
// SAFETY: a pooled block is owned by the pool alone (see `give`).
unsafe impl Send for Block {}

impl Block {
    fn free(self) {
        // SAFETY: a pooled block came from malloc and nobody else holds
        // it (see `give`): ours to free, once.
        unsafe { libc::free(self.0.as_ptr() as *mut libc::c_void) };
    }
}

/// The depot: bounded queues of full and of empty magazines.
struct Depot {
    full: (Sender<Vec<Block>>, Receiver<Vec<Block>>),
    empty: (Sender<Vec<Block>>, Receiver<Vec<Block>>),
}

impl Depot {
    fn new() -> Depot {
        Depot {
            full: bounded(DEPOT_MAX),
            empty: bounded(DEPOT_MAX),
        }
    }

    /// Put a full magazine here (or free its blocks when the depot is
    /// full), and get an empty one back.
    fn stock(&self, mag: Vec<Block>) -> Vec<Block> {
        if let Err(e) = self.full.0.try_send(mag) {
            e.into_inner().into_iter().for_each(Block::free);
        }
        self.empty
            .1
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(MAG))
    }

    /// A block from `mine`, swapping it for a full magazine when empty.
    fn take(&self, mine: &mut Vec<Block>) -> Option<Block> {
        if let Some(b) = mine.pop() {
            // Blocks come back from the threads that freed them: start
            // taking the one three takes ahead over for writing (its
            // header and a small body's first bytes).
            if let Some(n) = mine.len().checked_sub(TAKE_AHEAD).map(|i| &mine[i]) {
                let p = n.0.as_ptr();
                crate::core::hint::prefetch_write(p);
                crate::core::hint::prefetch_write(p.wrapping_add(64));
            }
            return Some(b);
        }
        let full = self.full.1.try_recv().ok()?;
        let empty = std::mem::replace(mine, full);
        let _ = self.empty.0.try_send(empty);
        mine.pop()
    }

    /// Keep `b` in `mine`, swapping it for an empty magazine when full.
    fn give(&self, mine: &mut Vec<Block>, b: Block) {
        if mine.len() >= MAG {
            let full = std::mem::take(mine);
            *mine = self.stock(full);
        }
        mine.push(b);
    }

    /// Free the empty magazines and the full ones beyond `keep`.
    fn trim_to(&self, keep: usize) {
        while self.empty.1.try_recv().is_ok() {}
        while self.full.1.len() > keep {
            match self.full.1.try_recv() {
                Ok(mag) => mag.into_iter().for_each(Block::free),
                Err(_) => break,
            }
        }
    }
}

fn depot() -> &'static Depot {
    static D: OnceLock<Depot> = OnceLock::new();
    D.get_or_init(Depot::new)
}

/// A thread's own magazine; given to the depot (or freed) when it exits.
struct Local(Vec<Block>);

impl Drop for Local {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            depot().stock(std::mem::take(&mut self.0));
        }
    }
}

thread_local! {
    static LOCAL: RefCell<Local> = const { RefCell::new(Local(Vec::new())) };
}

/// A recycled block, if the pool has one.
pub fn take() -> Option<NonNull<u8>> {
    LOCAL
        .try_with(|l| depot().take(&mut l.borrow_mut().0).map(|b| b.0))
        .ok()
        .flatten()
}

/// Keep `p` for a later `take`. False when the pool cannot (the thread is
/// exiting): the caller frees it.
///
/// # Safety
/// `p` came from malloc with at least `BLOCK` bytes, and nobody uses it
/// any more: the pool now owns it.
pub unsafe fn give(p: NonNull<u8>) -> bool {
    LOCAL
        .try_with(|l| depot().give(&mut l.borrow_mut().0, Block(p)))
        .is_ok()
}

/// Free what the depot holds beyond `KEEP` magazines. Under load the
/// depot fills up (up to 16 MiB of blocks), and its blocks, spread over the heap,
/// keep the pages around them resident after the load is gone. Called
/// when a connection goes away, never per message.
pub fn trim() {
    depot().trim_to(KEEP);
}

/// Free every block in the depot and in this thread's magazine (the
/// reactor, when many connections went at once, before the heap gives its
/// free pages back: a pooled block would keep the page it sits on).
pub fn empty() {
    let _ = LOCAL.try_with(|l| {
        let mine = std::mem::take(&mut l.borrow_mut().0);
        mine.into_iter().for_each(Block::free);
    });
    depot().trim_to(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> Block {
        // SAFETY: plain malloc; null is checked below.
        Block(NonNull::new(unsafe { libc::malloc(BLOCK) } as *mut u8).expect("malloc"))
    }

    fn in_depot(d: &Depot) -> usize {
        d.full.1.len()
    }

    // The logic runs on a depot of the test's own and on magazines that
    // stand for two threads': the global depot is shared with every other
    // test (connections that end trim it), so counts there mean nothing.

    #[test]
    fn blocks_freed_by_one_thread_serve_another() {
        let d = Depot::new();
        let (mut freer, mut taker) = (Vec::new(), Vec::new());
        let bs: Vec<Block> = (0..3 * MAG).map(|_| block()).collect();
        let addrs: Vec<usize> = bs.iter().map(|b| b.0.as_ptr() as usize).collect();
        for b in bs {
            d.give(&mut freer, b);
        }
        assert_eq!(in_depot(&d), 2, "two full magazines stocked");
        assert_eq!(freer.len(), MAG, "the third kept by the freer");
        let mut got = Vec::new();
        while let Some(b) = d.take(&mut taker) {
            got.push(b);
        }
        assert_eq!(got.len(), 2 * MAG, "the taker got both magazines");
        assert!(got.iter().all(|b| addrs.contains(&(b.0.as_ptr() as usize))));
        assert_eq!(d.empty.1.len(), 2, "its empty magazines went back");
        // The freer's next full magazine reuses an empty one: no allocation.
        for b in got.drain(..MAG) {
            d.give(&mut freer, b);
        }
        assert_eq!(d.empty.1.len(), 1);
        got.into_iter()
            .chain(freer)
            .chain(taker)
            .for_each(Block::free);
        d.trim_to(0);
    }

    #[test]
    fn trimming_frees_what_the_depot_holds_beyond_its_keep() {
        let d = Depot::new();
        let mut mine = Vec::new();
        for _ in 0..40 * MAG {
            d.give(&mut mine, block());
        }
        assert_eq!(in_depot(&d), 39);
        d.trim_to(KEEP);
        assert_eq!(in_depot(&d), KEEP);
        assert_eq!(d.empty.1.len(), 0);
        d.trim_to(0);
        assert_eq!(in_depot(&d), 0);
        mine.into_iter().for_each(Block::free);
    }

    #[test]
    fn a_full_depot_frees_what_it_cannot_keep() {
        let d = Depot::new();
        let mut mine = Vec::new();
        for _ in 0..(DEPOT_MAX + 3) * MAG + 1 {
            d.give(&mut mine, block());
        }
        assert_eq!(in_depot(&d), DEPOT_MAX);
        d.trim_to(0);
        mine.into_iter().for_each(Block::free);
    }

    /// A PUB 256 messages ahead of 100 subscribers has 25600 small
    /// messages in flight; when the readers free them, the depot keeps
    /// them all for the I/O thread's next wave instead of free()ing them.
    #[test]
    fn the_depot_keeps_what_a_fan_out_has_in_flight() {
        let d = Depot::new();
        let mut mine = Vec::new();
        let n = 100 * 256;
        for _ in 0..n {
            d.give(&mut mine, block());
        }
        assert_eq!(mine.len(), MAG, "the last magazine stays with the freer");
        assert_eq!(in_depot(&d) * MAG + mine.len(), n, "nothing was freed");
        let mut taker = Vec::new();
        let mut got = 0;
        while let Some(b) = d.take(&mut taker) {
            b.free();
            got += 1;
        }
        assert_eq!(got, n - MAG, "the next wave is served from the depot");
        mine.into_iter().for_each(Block::free);
        d.trim_to(0);
    }

    #[test]
    fn the_global_pool_hands_back_what_this_thread_gave() {
        let p = block().0;
        // SAFETY: a fresh block of BLOCK bytes that nobody else holds.
        assert!(unsafe { give(p) });
        let q = take().expect("this thread's magazine holds it");
        assert_eq!(p, q, "the last given is the first taken");
        // SAFETY: ours again; the pool takes it back.
        unsafe { give(q) };
    }
}
