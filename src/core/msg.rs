//! Messages. A message body is a [`Chunk`]: one malloc'ed block holding a
//! small header and then the bytes. The pointer to the bytes is what
//! `nn_allocmsg` hands to C and what an `NN_MSG` send hands back, so a
//! zero-copy message moves between the user and the library without
//! copying. Chunks are reference counted, so one body can be shared by many
//! pipes (PUB and BUS fan-out); a chunk given to the user is made unique first.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::core::error::{Error, Result};
use crate::core::pool;

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

/// Small bodies all get this capacity and are recycled through
/// [`pool`](crate::core::pool), which says why.
const POOLED: usize = pool::BLOCK - HDR;

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
            match pool::take() {
                Some(p) => (p.cast::<Header>(), POOLED),
                None => (Self::malloc(POOLED)?, POOLED),
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

    /// A chunk of `total` bytes holding `parts` one after the other
    /// (`total` is their summed length).
    pub fn gather(parts: &[&[u8]], total: usize) -> Result<Chunk> {
        let c = Chunk::alloc(total)?;
        let mut at = 0;
        for p in parts {
            assert!(p.len() <= total - at, "parts longer than total");
            // SAFETY: the fresh chunk has `total` bytes, of which
            // [at, at + p.len()) is in bounds (asserted) and does not
            // overlap the caller's slice.
            unsafe {
                std::ptr::copy_nonoverlapping(p.as_ptr(), c.data().wrapping_add(at), p.len())
            };
            at += p.len();
        }
        assert_eq!(at, total, "parts shorter than total");
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

    /// Ask the CPU to bring the header and the first bytes into this core's
    /// cache: a receiver about to take a message that another thread (the
    /// reactor, an inproc sender) wrote, with other work to do first. A
    /// hint only.
    #[inline]
    pub fn prefetch(&self) {
        crate::core::hint::prefetch_read(self.ptr.as_ptr());
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: data() points at len() initialised bytes we keep alive.
        unsafe { std::slice::from_raw_parts(self.data(), self.len()) }
    }

    /// A chunk of `len` zero bytes (the Rust API's `Message`: safe code
    /// may read any byte it holds).
    pub fn zeroed(len: usize) -> Result<Chunk> {
        let c = Chunk::alloc(len)?;
        // SAFETY: the fresh chunk has room for len bytes, ours alone.
        unsafe { std::ptr::write_bytes(c.data(), 0, len) };
        Ok(c)
    }

    /// The bytes, writable, if this is the only reference to them (so
    /// nothing else reads them while the borrow lasts); `None` if shared.
    pub fn as_mut_slice(&mut self) -> Option<&mut [u8]> {
        if !self.is_unique() {
            return None;
        }
        // SAFETY: data() points at len() initialised bytes; the one
        // reference is borrowed mutably for the slice's lifetime, so no
        // clone can be made meanwhile and nobody else reads them.
        Some(unsafe { std::slice::from_raw_parts_mut(self.data(), self.len()) })
    }

    /// [`Chunk::realloc`] with the new bytes past the old length zeroed.
    pub fn resize_zeroed(self, len: usize) -> std::result::Result<Chunk, (Error, Chunk)> {
        let old = self.len();
        let c = self.realloc(len)?;
        if len > old {
            // SAFETY: the resized chunk (unique: realloc refuses a shared
            // one) has len bytes; [old, len) is in bounds.
            unsafe { std::ptr::write_bytes(c.data().wrapping_add(old), 0, len - old) };
        }
        Ok(c)
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

    /// Make the chunk the caller's (`nn_allocmsg`, an `NN_MSG` receive):
    /// a copy if somebody else still holds it, so the caller may write.
    pub fn into_user(self) -> Result<UserChunk> {
        Ok(UserChunk(ManuallyDrop::new(self.into_unique()?)))
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
        // realloc freed (or kept) the old block: `self` no longer owns
        // anything and must not be dropped.
        std::mem::forget(self);
        // SAFETY: the moved block still starts with our (unique) header,
        // and nobody else knows the new pointer yet.
        let h = unsafe { &mut *ptr.as_ptr() };
        h.len = len;
        h.cap = len;
        Ok(Chunk { ptr })
    }
}

/// A chunk that belongs to the C caller: the buffer `nn_allocmsg` gave
/// out, or the one an `NN_MSG` receive handed over. The caller frees it
/// (`nn_freemsg`) or hands it back (`NN_MSG` send), so dropping a
/// `UserChunk` frees nothing: whatever path drops it, the chunk stays the
/// caller's. Only [`UserChunk::into_chunk`] (the caller gave it up) makes
/// it the library's, and [`UserChunk::lend`] does that for exactly as long
/// as the operation succeeds. A `UserChunk` is never cloned, so one call
/// cannot both keep and free it.
pub struct UserChunk(ManuallyDrop<Chunk>);

impl UserChunk {
    /// The chunk behind a pointer the caller got from this library.
    /// `EFAULT` if the pointer is not a live chunk.
    ///
    /// # Safety
    /// `p` must be null or point just past a readable `Header`-sized region;
    /// that holds for every pointer this library gave out, and is the best
    /// we can check for any other pointer.
    pub unsafe fn from_user(p: *mut libc::c_void) -> Result<UserChunk> {
        if p.is_null() || (p as usize) < HDR || (p as usize) % 16 != 0 {
            return Err(Error::FAULT);
        }
        let h = (p as *mut u8).wrapping_sub(HDR) as *mut Header;
        let tag = h.wrapping_byte_add(std::mem::offset_of!(Header, tag)) as *const u32;
        // SAFETY: by the caller's contract the HDR bytes before p are
        // readable, and tag lies among them, aligned (p is 16-aligned, HDR
        // a multiple of 16). Reading the tag of what should be our header;
        // volatile, so a freed and reused block is read as it is now.
        if unsafe { tag.read_volatile() } != LIVE {
            return Err(Error::FAULT);
        }
        Ok(UserChunk(ManuallyDrop::new(Chunk {
            ptr: NonNull::new(h).ok_or(Error::FAULT)?,
        })))
    }

    /// The pointer the caller knows the chunk by.
    pub fn as_ptr(&self) -> *mut libc::c_void {
        self.0.data() as *mut libc::c_void
    }

    /// Hand the chunk to C; from now on the caller frees it.
    pub fn into_ptr(self) -> *mut libc::c_void {
        self.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn as_slice(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// The caller gives the chunk up (`nn_freemsg`, a sent control
    /// buffer): the library owns it, and dropping the result frees it.
    pub fn into_chunk(mut self) -> Chunk {
        // SAFETY: `self` is consumed and a UserChunk never drops its
        // field, so the Chunk is taken exactly once and nothing else
        // still uses it.
        unsafe { ManuallyDrop::take(&mut self.0) }
    }

    /// Give the chunk to `op` for good if it succeeds (an `NN_MSG` send,
    /// `nn_reallocmsg`); if it fails, it hands the chunk back with its
    /// error and the chunk stays the caller's.
    pub fn lend<T>(
        self,
        op: impl FnOnce(Chunk) -> std::result::Result<T, (Error, Chunk)>,
    ) -> Result<T> {
        let ptr = self.0.ptr;
        op(self.into_chunk()).map_err(|(e, back)| {
            debug_assert_eq!(
                back.ptr, ptr,
                "a failed operation gives back the chunk it was lent"
            );
            // Back to the caller: wrapped again, so nothing frees it.
            let _callers = UserChunk(ManuallyDrop::new(back));
            e
        })
    }

    /// `nn_reallocmsg`: the resized chunk (maybe moved), or the error with
    /// this one still the caller's, unchanged.
    pub fn realloc(self, len: usize) -> Result<UserChunk> {
        self.lend(|c| c.realloc(len).map(|c| UserChunk(ManuallyDrop::new(c))))
    }
}

impl std::fmt::Debug for UserChunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserChunk({} bytes)", self.len())
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
        let p = self.ptr.as_ptr();
        // SAFETY: the last reference (the fence orders every other
        // holder's use before this): nobody else reads the header now.
        let h = unsafe { &mut *p };
        // Mark the block dead, so a second nn_freemsg of the same pointer
        // is caught while the memory is not yet reused.
        h.tag = DEAD;
        if h.cap == POOLED {
            // SAFETY: a block of the pooled size from malloc that nobody
            // uses any more: the pool's from now on.
            if !unsafe { pool::give(self.ptr.cast::<u8>()) } {
                // SAFETY: the pool refused it: still ours to free, once.
                unsafe { libc::free(p as *mut libc::c_void) };
            }
        } else {
            // SAFETY: a block from malloc (or realloc) that nobody uses
            // any more: ours to free, once.
            unsafe { libc::free(p as *mut libc::c_void) };
        }
    }
}

impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Chunk({} bytes)", self.len())
    }
}

/// A pooled chunk that its one holder fills by appending (a stream's run
/// of small frames, see `transports::stream::send`). It is never shared,
/// so it may be written; its bytes come from and go back to the pool on
/// whichever thread, like any small message's.
pub struct Filling {
    chunk: Chunk,
    len: usize,
}

impl Filling {
    /// The most a `Filling` holds.
    pub(crate) const CAP: usize = POOLED;

    /// An empty one. ENOMEM when malloc fails.
    pub fn new() -> Result<Filling> {
        Ok(Filling {
            chunk: Chunk::alloc(POOLED)?,
            len: 0,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes still free.
    pub fn room(&self) -> usize {
        POOLED - self.len
    }

    /// Append `bytes`, which must fit (`room`).
    pub fn push(&mut self, bytes: &[u8]) {
        assert!(bytes.len() <= self.room(), "a Filling overfilled");
        // SAFETY: the chunk is this Filling's alone (made in `new`, never
        // cloned) and has POOLED bytes, of which [len, len + bytes.len())
        // is in bounds (asserted); `bytes` cannot point into it, since
        // only `as_slice` (a shared borrow of self) lends its bytes out.
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.chunk.data().wrapping_add(self.len),
                bytes.len(),
            )
        };
        self.len += bytes.len();
    }

    /// The bytes appended so far.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: the first `len` bytes were written by `push`; the chunk
        // lives as long as self. (The rest may be uninitialised: never
        // lent out.)
        unsafe { std::slice::from_raw_parts(self.chunk.data(), self.len) }
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

    /// Whether `p` is a live chunk (tests only: `p` is one of ours).
    fn live(p: *mut libc::c_void) -> bool {
        // SAFETY: p came from this library.
        unsafe { UserChunk::from_user(p) }.is_ok()
    }

    #[test]
    fn user_round_trip() {
        let c = Chunk::from_slice(b"hello").unwrap();
        let p = c.into_user().unwrap().into_ptr();
        {
            // SAFETY: p came from into_user.
            let u = unsafe { UserChunk::from_user(p) }.unwrap();
            assert_eq!(u.as_slice(), b"hello");
        }
        assert!(live(p), "dropping a UserChunk leaves it to the caller");
        // SAFETY: p is still live.
        drop(unsafe { UserChunk::from_user(p) }.unwrap().into_chunk());
        assert!(!live(p), "into_chunk then drop frees it");
    }

    #[test]
    fn lent_chunk_stays_the_callers_on_failure() {
        let p = Chunk::from_slice(b"abc")
            .unwrap()
            .into_user()
            .unwrap()
            .into_ptr();
        // SAFETY: p came from into_user.
        let u = unsafe { UserChunk::from_user(p) }.unwrap();
        let r: Result<()> = u.lend(|c| Err((Error::AGAIN, c)));
        assert_eq!(r, Err(Error::AGAIN));
        assert!(
            live(p),
            "a failed operation must not free the caller's chunk"
        );
        // SAFETY: p is still live.
        let u = unsafe { UserChunk::from_user(p) }.unwrap();
        let mut kept = None;
        u.lend(|c| {
            kept = Some(c);
            Ok(())
        })
        .unwrap();
        assert!(live(p), "still held by the operation");
        drop(kept);
        assert!(!live(p), "the operation owned it and freed it");
        // A failed realloc leaves it unchanged too.
        let shared = Chunk::from_slice(b"xyz").unwrap();
        let other = shared.clone();
        let u = UserChunk(ManuallyDrop::new(shared));
        assert_eq!(u.realloc(100).unwrap_err(), Error::INVAL);
        assert_eq!(other.as_slice(), b"xyz");
        drop(other);
    }

    #[test]
    fn bad_user_pointers_are_efault() {
        // SAFETY: NULL is refused before any read.
        let null = unsafe { UserChunk::from_user(std::ptr::null_mut()) };
        assert_eq!(null.unwrap_err(), Error::FAULT);
        let mut junk = [0u64; 16];
        let p = junk[8..].as_mut_ptr() as *mut libc::c_void;
        if (p as usize) % 16 == 0 {
            // SAFETY: the HDR bytes before p are junk's, readable.
            let r = unsafe { UserChunk::from_user(p) };
            assert_eq!(r.unwrap_err(), Error::FAULT);
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
    fn a_filling_holds_what_was_pushed() {
        let mut f = Filling::new().unwrap();
        assert!(f.as_slice().is_empty());
        f.push(b"ab");
        f.push(b"");
        f.push(b"cde");
        assert_eq!(f.as_slice(), b"abcde");
        assert_eq!(f.room(), Filling::CAP - 5);
        f.push(&vec![7u8; f.room()]);
        assert_eq!(f.room(), 0);
        assert_eq!(f.len(), Filling::CAP);
        assert!(std::panic::catch_unwind(move || f.push(b"x")).is_err());
    }

    #[test]
    fn gather_concatenates() {
        let c = Chunk::gather(&[b"ab", b"", b"cde"], 5).unwrap();
        assert_eq!(c.as_slice(), b"abcde");
    }

    #[test]
    fn shared_chunk_is_copied_before_handing_out() {
        let a = Chunk::from_slice(b"xy").unwrap();
        let b = a.clone();
        let pa = a.data();
        let u = b.into_user().unwrap().into_ptr();
        assert_ne!(u as *mut u8, pa);
        // SAFETY: u came from into_user.
        drop(unsafe { UserChunk::from_user(u) }.unwrap().into_chunk());
        assert_eq!(a.as_slice(), b"xy");
        assert!(a.clone().realloc(10).is_err());
    }
}
