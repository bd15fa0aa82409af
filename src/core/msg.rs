//! Messages. A message body is a [`Chunk`]: one malloc'ed block holding a
//! small header and then the bytes. The pointer to the bytes is what
//! `nn_allocmsg` hands to C and what an `NN_MSG` send hands back, so a
//! zero-copy message moves between the user and the library without
//! copying. Chunks are reference counted, so one body can be shared by many
//! pipes (PUB and BUS fan-out); a chunk given to the user is made unique first.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::core::error::{Error, Result};

const LIVE: u32 = 0x6e6e_6d73; // "nnms"
const DEAD: u32 = 0x6465_6164; // "dead"

#[repr(C)]
struct Header {
    refs: AtomicUsize,
    len: usize,
    cap: usize,
    tag: u32,
    _pad: u32,
}

const HDR: usize = std::mem::size_of::<Header>();
const _: () = assert!(HDR % 16 == 0);

/// Small bodies all get this capacity and are recycled through a pool:
/// a message is typically allocated by one thread and freed by another
/// (the sender and the I/O thread, the I/O thread and the receiver), the
/// pattern that costs malloc the most.
const POOLED: usize = 512 - HDR;
const POOL_SIZE: usize = 4096;

struct Block(NonNull<Header>);
// SAFETY: a pooled block is owned by nobody but the pool.
unsafe impl Send for Block {}

fn pool() -> &'static (
    crossbeam_channel::Sender<Block>,
    crossbeam_channel::Receiver<Block>,
) {
    static P: std::sync::OnceLock<(
        crossbeam_channel::Sender<Block>,
        crossbeam_channel::Receiver<Block>,
    )> = std::sync::OnceLock::new();
    P.get_or_init(|| crossbeam_channel::bounded(POOL_SIZE))
}

/// One reference to a message body.
pub struct Chunk {
    ptr: NonNull<Header>,
}

// SAFETY: the header's only shared mutable state is the atomic refcount; the
// bytes are written only through a unique reference (`refs == 1`).
unsafe impl Send for Chunk {}
// SAFETY: as above; `&Chunk` only reads.
unsafe impl Sync for Chunk {}

impl Chunk {
    /// A chunk of `len` bytes, contents unspecified. ENOMEM when malloc fails.
    pub fn alloc(len: usize) -> Result<Chunk> {
        let (ptr, cap) = if len <= POOLED {
            match pool().1.try_recv() {
                Ok(Block(p)) => (p, POOLED),
                Err(_) => (Self::malloc(POOLED)?, POOLED),
            }
        } else {
            (Self::malloc(len)?, len)
        };
        // SAFETY: ptr is fresh, suitably aligned for Header (malloc aligns to
        // 16) and large enough.
        unsafe {
            ptr.as_ptr().write(Header {
                refs: AtomicUsize::new(1),
                len,
                cap,
                tag: LIVE,
                _pad: 0,
            })
        };
        Ok(Chunk { ptr })
    }

    /// The malloc size for a body of `len` bytes, or None for a size no
    /// allocation can have (over isize::MAX, as Rust's own limit). Such a
    /// request never reaches malloc: it fails as ENOMEM all the same, and
    /// malloc is spared (and valgrind stops flagging) absurd arguments.
    fn block_size(len: usize) -> Option<usize> {
        len.checked_add(HDR).filter(|&t| t <= isize::MAX as usize)
    }

    fn malloc(cap: usize) -> Result<NonNull<Header>> {
        let total = Self::block_size(cap).ok_or(Error::NOMEM)?;
        // SAFETY: malloc with a non-zero size; the result is checked.
        let p = unsafe { libc::malloc(total) } as *mut Header;
        NonNull::new(p).ok_or(Error::NOMEM)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Chunk> {
        let c = Chunk::alloc(bytes.len())?;
        // SAFETY: the chunk has room for exactly bytes.len() bytes and does
        // not overlap the caller's slice (it is fresh memory).
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), c.data(), bytes.len()) };
        Ok(c)
    }

    fn hdr(&self) -> &Header {
        // SAFETY: ptr stays valid while this reference exists.
        unsafe { self.ptr.as_ref() }
    }

    /// Pointer to the first byte of the body.
    pub fn data(&self) -> *mut u8 {
        // SAFETY: the body starts right after the header in the same block.
        unsafe { (self.ptr.as_ptr() as *mut u8).add(HDR) }
    }

    pub fn len(&self) -> usize {
        self.hdr().len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: data() points at len() initialised bytes we keep alive.
        unsafe { std::slice::from_raw_parts(self.data(), self.len()) }
    }

    fn is_unique(&self) -> bool {
        self.hdr().refs.load(Ordering::Acquire) == 1
    }

    /// A chunk the caller may write to: this one if nobody else holds it,
    /// otherwise a copy.
    pub fn into_unique(self) -> Result<Chunk> {
        if self.is_unique() {
            Ok(self)
        } else {
            Chunk::from_slice(self.as_slice())
        }
    }

    /// Hand the chunk to C as an `nn_allocmsg`-style pointer.
    pub fn into_user(self) -> Result<*mut libc::c_void> {
        let c = self.into_unique()?;
        let p = c.data() as *mut libc::c_void;
        std::mem::forget(c);
        Ok(p)
    }

    /// Take back the reference behind a pointer from `nn_allocmsg` (or from
    /// an `NN_MSG` receive). `EFAULT` if the pointer is not a live chunk.
    ///
    /// # Safety
    /// `p` must be null or point just past a readable `Header`-sized region;
    /// that holds for every pointer this library gave out, and is the best
    /// we can check for any other pointer.
    pub unsafe fn from_user(p: *mut libc::c_void) -> Result<Chunk> {
        if p.is_null() || (p as usize) < HDR || (p as usize) % 16 != 0 {
            return Err(Error::FAULT);
        }
        // SAFETY: caller's contract: the header sits right before p.
        let h = unsafe { (p as *mut u8).sub(HDR) } as *mut Header;
        // SAFETY: reading the tag of what should be our header.
        if unsafe { std::ptr::addr_of!((*h).tag).read_volatile() } != LIVE {
            return Err(Error::FAULT);
        }
        Ok(Chunk {
            ptr: NonNull::new(h).ok_or(Error::FAULT)?,
        })
    }

    /// `nn_reallocmsg`: resize, keeping the contents up to the shorter length.
    /// On failure the chunk comes back unchanged with the error.
    pub fn realloc(self, len: usize) -> std::result::Result<Chunk, (Error, Chunk)> {
        if !self.is_unique() {
            return Err((Error::INVAL, self));
        }
        if len <= self.len() {
            // Shrinking stays in place (as upstream: same pointer).
            // SAFETY: unique, so nobody else reads len concurrently.
            unsafe { (*self.ptr.as_ptr()).len = len };
            return Ok(self);
        }
        if self.hdr().cap == POOLED {
            // Growing moves the message, as upstream's does (its test
            // suite checks the pointer changes); a pooled block also
            // cannot be handed to realloc.
            let new = match Chunk::alloc(len) {
                Ok(c) => c,
                Err(e) => return Err((e, self)),
            };
            // SAFETY: both blocks are ours; the new one has room for len
            // >= self.len() bytes and they do not overlap.
            unsafe { std::ptr::copy_nonoverlapping(self.data(), new.data(), self.len()) };
            return Ok(new);
        }
        let Some(total) = Self::block_size(len) else {
            return Err((Error::NOMEM, self));
        };
        // SAFETY: the block came from malloc; on failure it is left intact
        // and `self` still owns it.
        let p = unsafe { libc::realloc(self.ptr.as_ptr() as *mut libc::c_void, total) };
        let Some(ptr) = NonNull::new(p as *mut Header) else {
            return Err((Error::NOMEM, self));
        };
        std::mem::forget(self);
        // SAFETY: the moved block still starts with our header; we own it.
        unsafe {
            (*ptr.as_ptr()).len = len;
            (*ptr.as_ptr()).cap = len;
        }
        Ok(Chunk { ptr })
    }

    /// Shorten the visible body (used when a header is cut off the front
    /// is not needed: we only ever shorten from the end).
    pub fn truncate(&mut self, len: usize) {
        if len < self.len() && self.is_unique() {
            // SAFETY: unique, so no concurrent reader of len.
            unsafe { (*self.ptr.as_ptr()).len = len };
        }
    }
}

impl Clone for Chunk {
    fn clone(&self) -> Chunk {
        self.hdr().refs.fetch_add(1, Ordering::Relaxed);
        Chunk { ptr: self.ptr }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        if self.hdr().refs.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        std::sync::atomic::fence(Ordering::Acquire);
        // SAFETY: last reference: mark the block dead (so a second
        // nn_freemsg of the same pointer is caught while the memory is not
        // yet reused) and recycle or free it.
        unsafe {
            (*self.ptr.as_ptr()).tag = DEAD;
            if (*self.ptr.as_ptr()).cap == POOLED {
                if let Err(e) = pool().0.try_send(Block(self.ptr)) {
                    libc::free(e.into_inner().0.as_ptr() as *mut libc::c_void);
                }
            } else {
                libc::free(self.ptr.as_ptr() as *mut libc::c_void);
            }
        }
    }
}

impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Chunk({} bytes)", self.len())
    }
}

/// A message: the protocol header (backtrace, request id, ...; empty for
/// PAIR) and the body.
#[derive(Debug)]
pub struct Msg {
    pub hdr: Vec<u8>,
    pub body: Chunk,
}

impl Msg {
    pub fn new(body: Chunk) -> Msg {
        Msg {
            hdr: Vec::new(),
            body,
        }
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Msg> {
        Ok(Msg::new(Chunk::from_slice(bytes)?))
    }

    /// Bytes counted against buffer limits and statistics.
    pub fn size(&self) -> usize {
        self.hdr.len() + self.body.len()
    }

    /// A copy sharing the body (for fan-out).
    pub fn share(&self) -> Msg {
        Msg {
            hdr: self.hdr.clone(),
            body: self.body.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_round_trip() {
        let c = Chunk::from_slice(b"hello").unwrap();
        let p = c.into_user().unwrap();
        let c = unsafe { Chunk::from_user(p) }.unwrap();
        assert_eq!(c.as_slice(), b"hello");
    }

    #[test]
    fn bad_user_pointers_are_efault() {
        assert_eq!(
            unsafe { Chunk::from_user(std::ptr::null_mut()) }.unwrap_err(),
            Error::FAULT
        );
        let mut junk = [0u64; 16];
        let p = junk[8..].as_mut_ptr() as *mut libc::c_void;
        if (p as usize) % 16 == 0 {
            assert_eq!(unsafe { Chunk::from_user(p) }.unwrap_err(), Error::FAULT);
        }
    }

    #[test]
    fn realloc_keeps_contents() {
        let c = Chunk::from_slice(b"abcdef").unwrap();
        let p = c.data();
        let c = c.realloc(3).unwrap();
        assert_eq!(c.as_slice(), b"abc");
        assert_eq!(c.data(), p, "shrinking stays in place");
        let c = c.realloc(100).unwrap();
        assert_ne!(c.data(), p, "growing moves, as upstream");
        assert_eq!(&c.as_slice()[..3], b"abc");
        let c = c.realloc(100_000).unwrap();
        assert_eq!(&c.as_slice()[..3], b"abc");
        assert_eq!(c.len(), 100_000);
    }

    #[test]
    fn shared_chunk_is_copied_before_handing_out() {
        let a = Chunk::from_slice(b"xy").unwrap();
        let b = a.clone();
        let pa = a.data();
        let u = b.into_user().unwrap();
        assert_ne!(u as *mut u8, pa);
        drop(unsafe { Chunk::from_user(u) }.unwrap());
        assert_eq!(a.as_slice(), b"xy");
        assert!(a.clone().realloc(10).is_err());
    }
}
