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
/// Magazines the depot holds at most (4096 blocks), full and empty each.
const DEPOT_MAX: usize = 64;
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

fn depot() -> &'static Depot {
    static D: OnceLock<Depot> = OnceLock::new();
    D.get_or_init(|| Depot {
        full: bounded(DEPOT_MAX),
        empty: bounded(DEPOT_MAX),
    })
}

/// A thread's own magazine; given to the depot (or freed) when it exits.
struct Local(Vec<Block>);

impl Drop for Local {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            stock(std::mem::take(&mut self.0));
        }
    }
}

thread_local! {
    static LOCAL: RefCell<Local> = const { RefCell::new(Local(Vec::new())) };
}

/// Put a full magazine in the depot (or free its blocks when the depot is
/// full), and get an empty one back.
fn stock(mag: Vec<Block>) -> Vec<Block> {
    let d = depot();
    if let Err(e) = d.full.0.try_send(mag) {
        e.into_inner().into_iter().for_each(Block::free);
    }
    d.empty
        .1
        .try_recv()
        .unwrap_or_else(|_| Vec::with_capacity(MAG))
}

/// A recycled block, if the pool has one.
pub fn take() -> Option<NonNull<u8>> {
    LOCAL
        .try_with(|l| {
            let mut l = l.borrow_mut();
            if let Some(b) = l.0.pop() {
                return Some(b.0);
            }
            let d = depot();
            let full = d.full.1.try_recv().ok()?;
            let empty = std::mem::replace(&mut l.0, full);
            let _ = d.empty.0.try_send(empty);
            l.0.pop().map(|b| b.0)
        })
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
        .try_with(|l| {
            let mut l = l.borrow_mut();
            if l.0.len() >= MAG {
                let full = std::mem::take(&mut l.0);
                l.0 = stock(full);
            }
            l.0.push(Block(p));
        })
        .is_ok()
}

/// Free what the depot holds beyond `KEEP` magazines. Under load the
/// depot fills up (2 MiB of blocks), and its blocks, spread over the heap,
/// keep the pages around them resident after the load is gone. Called
/// when a connection goes away, never per message.
pub fn trim() {
    trim_to(KEEP);
}

/// Free every block in the depot and in this thread's magazine (the
/// reactor, when many connections went at once: see `msg::empty_pool`).
pub fn empty() {
    let _ = LOCAL.try_with(|l| {
        let mine = std::mem::take(&mut l.borrow_mut().0);
        mine.into_iter().for_each(Block::free);
    });
    trim_to(0);
}

fn trim_to(keep: usize) {
    let d = depot();
    while d.empty.1.try_recv().is_ok() {}
    while d.full.1.len() > keep {
        match d.full.1.try_recv() {
            Ok(mag) => mag.into_iter().for_each(Block::free),
            Err(_) => break,
        }
    }
}

/// Blocks in the depot (tests).
#[cfg(test)]
pub fn depot_blocks() -> usize {
    // Magazines stocked whole are full.
    depot().full.1.len() * MAG
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> NonNull<u8> {
        // SAFETY: plain malloc; null is checked below.
        NonNull::new(unsafe { libc::malloc(BLOCK) } as *mut u8).expect("malloc")
    }

    #[test]
    fn blocks_freed_on_one_thread_serve_another() {
        // Another thread frees many blocks; this one gets them back
        // through the depot. (Other tests use the depot too: look for
        // our own addresses, not at counts.)
        let freed: Vec<usize> = std::thread::spawn(|| {
            let bs: Vec<NonNull<u8>> = (0..4 * MAG).map(|_| block()).collect();
            let addrs = bs.iter().map(|b| b.as_ptr() as usize).collect();
            for b in bs {
                // SAFETY: fresh blocks from malloc that nobody else holds.
                assert!(unsafe { give(b) });
            }
            addrs
        })
        .join()
        .unwrap();
        let mut got = Vec::new();
        for _ in 0..8 * MAG {
            match take() {
                Some(p) => got.push(p),
                None => break,
            }
        }
        let ours = got
            .iter()
            .filter(|p| freed.contains(&(p.as_ptr() as usize)))
            .count();
        assert!(ours >= MAG, "{ours} of the other thread's blocks came back");
        for p in got {
            // SAFETY: blocks the pool handed out, ours now.
            unsafe { give(p) };
        }
    }

    #[test]
    fn trimming_frees_what_the_depot_holds_beyond_its_keep() {
        let bs: Vec<NonNull<u8>> = (0..40 * MAG).map(|_| block()).collect();
        for b in bs {
            // SAFETY: fresh blocks from malloc that nobody else holds.
            unsafe { give(b) };
        }
        assert!(depot_blocks() >= 30 * MAG);
        trim();
        // Other tests may have stocked a few magazines since.
        assert!(depot_blocks() < 30 * MAG, "{} in the depot", depot_blocks());
    }
}
