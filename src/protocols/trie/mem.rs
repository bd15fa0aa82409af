//! Zeroed fixed-size memory for the table's buckets and the arena's chunks.
//!
//! A block of `HUGE` (2 MiB) or more is aligned to `HUGE` and advised to
//! the kernel as wanting transparent huge pages (`madvise(MADV_HUGEPAGE)`,
//! which is all the kernel's default "madvise" mode waits for) before it is
//! first touched. At 10M subscriptions the table and the arena are hundreds
//! of MiB, and with 4 KiB pages nearly every probe also misses the TLB,
//! whose page walk (two-level under a hypervisor) costs about as much as
//! the memory read itself; with 2 MiB pages the whole set fits the TLB.
//! Memory comes from the global allocator, so it is accounted as any other;
//! where the kernel has no huge page to give, the block is ordinary memory.

use std::alloc::{self, Layout};
use std::ptr::NonNull;

pub(super) const HUGE: usize = 2 << 20;

/// Types for which all-zero bytes are a valid value.
///
/// # Safety
///
/// An implementer must be valid when all its bytes are 0 and must not need
/// dropping (`Copy`).
pub(super) unsafe trait Zeroed: Copy {}

// SAFETY: any bytes are a valid u8.
unsafe impl Zeroed for u8 {}

// SAFETY: any bytes are a valid u64.
unsafe impl Zeroed for u64 {}

/// `len` zeroed words allocated as the table and the arena are (huge
/// pages from 2 MiB on): the benchmark's memory floor reads them.
pub fn words(len: usize) -> impl std::ops::DerefMut<Target = [u64]> {
    Block::<u64>::zeroed(len)
}

/// `len` values of `T`, zeroed when made; huge-page backed from `HUGE`.
pub(super) struct Block<T: Zeroed> {
    ptr: NonNull<T>,
    len: usize,
}

// SAFETY: a Block owns its memory alone, as a Vec<T> does.
unsafe impl<T: Zeroed + Send> Send for Block<T> {}
// SAFETY: shared access only reads, as for a Vec<T>.
unsafe impl<T: Zeroed + Sync> Sync for Block<T> {}

impl<T: Zeroed> Default for Block<T> {
    fn default() -> Self {
        Block {
            ptr: NonNull::dangling(),
            len: 0,
        }
    }
}

/// The layout of `len` values: aligned to `HUGE` from that size on.
fn layout<T>(len: usize) -> Layout {
    let size = std::mem::size_of::<T>()
        .checked_mul(len)
        .expect("a block that fits memory");
    let align = if size >= HUGE {
        HUGE
    } else {
        std::mem::align_of::<T>()
    };
    Layout::from_size_align(size, align).expect("a block that fits memory")
}

/// Asks for huge pages over `size` bytes at `p` (2 MiB aligned); a refusal
/// (a kernel without them) leaves ordinary pages, so it is ignored.
fn advise(p: *mut u8, size: usize) {
    #[cfg(target_os = "linux")]
    // SAFETY: the range is memory this block owns; MADV_HUGEPAGE changes
    // how it is backed, never its contents.
    unsafe {
        libc::madvise(p.cast(), size, libc::MADV_HUGEPAGE);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (p, size);
}

impl<T: Zeroed> Block<T> {
    /// `len` zeroed values.
    pub(super) fn zeroed(len: usize) -> Self {
        let l = layout::<T>(len);
        if l.size() == 0 {
            return Block::default();
        }
        // SAFETY: the layout's size is not zero.
        let p = unsafe { alloc::alloc(l) };
        let Some(ptr) = NonNull::new(p) else {
            alloc::handle_alloc_error(l);
        };
        if l.align() == HUGE {
            // Before the first touch: the pages that touch brings in are
            // then huge ones.
            advise(p, l.size());
        }
        // SAFETY: p is l.size() writable bytes just allocated.
        unsafe { p.write_bytes(0, l.size()) };
        Block {
            ptr: ptr.cast(),
            len,
        }
    }

    /// Whether this block asked for huge pages, for tests.
    #[cfg(test)]
    pub(super) fn is_huge(&self) -> bool {
        layout::<T>(self.len).align() == HUGE
    }

    /// Where the values start, for tests.
    #[cfg(test)]
    pub(super) fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }
}

impl<T: Zeroed> Drop for Block<T> {
    fn drop(&mut self) {
        let l = layout::<T>(self.len);
        if l.size() != 0 {
            // SAFETY: allocated in zeroed() with this same layout.
            unsafe { alloc::dealloc(self.ptr.as_ptr().cast(), l) };
        }
    }
}

impl<T: Zeroed> std::ops::Deref for Block<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        // SAFETY: ptr holds len initialised (zeroed, then only written
        // through deref_mut) values, or is dangling with len 0.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Zeroed> std::ops::DerefMut for Block<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as for deref, and &mut self makes the access unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The VmFlags of the mapping holding `addr` in /proc/self/smaps.
    fn vm_flags(addr: usize) -> Option<String> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            let head = line.split_whitespace().next().unwrap_or("");
            if let Some((lo, hi)) = head.split_once('-') {
                if let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
                {
                    inside = (lo..hi).contains(&addr);
                    continue;
                }
            }
            if inside {
                if let Some(f) = line.strip_prefix("VmFlags:") {
                    return Some(f.to_owned());
                }
            }
        }
        None
    }

    #[test]
    fn big_blocks_are_aligned_and_advised() {
        let small = Block::<u8>::zeroed(HUGE - 1);
        assert!(!small.is_huge() && small.iter().all(|&b| b == 0));
        let mut big = Block::<u8>::zeroed(HUGE + 4096);
        assert!(big.is_huge() && big.addr() % HUGE == 0);
        assert!(big.iter().all(|&b| b == 0));
        big[HUGE + 4095] = 1;
        assert_eq!(big.len(), HUGE + 4096);
        // The kernel keeps the advice as the mapping's "hg" flag (it may
        // still have no huge page to give: that is not checked).
        if cfg!(target_os = "linux")
            && std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists()
        {
            let flags = vm_flags(big.addr()).expect("the block is mapped");
            assert!(
                flags.split_whitespace().any(|f| f == "hg"),
                "no MADV_HUGEPAGE: {flags}"
            );
        }
        assert!(Block::<u8>::zeroed(0).is_empty());
    }
}
