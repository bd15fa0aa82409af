//! Cache hints for data that another core wrote last: a message a
//! receiver takes next, the connection a fan-out sends to next. A prefetch
//! starts the transfer while this core still works on the one before, so
//! the miss overlaps work instead of stalling it. Hints only: they never
//! fault and change no result; elsewhere than x86_64 they do nothing.

/// Bring the two cache lines at `p` into this core's cache for reading.
#[inline]
pub fn prefetch_read<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let q = p as *const i8;
        // SAFETY: SSE is in x86_64's baseline; a prefetch never faults,
        // whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(q) };
        // SAFETY: as above (the next line).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(q.wrapping_add(64)) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Bring the cache line at `p` into this core's cache to be written
/// (PREFETCHW: it decodes as a no-op on the few x86_64 CPUs without it).
#[inline]
pub fn prefetch_write<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_ET0};
        // SAFETY: as in `prefetch_read`.
        unsafe { _mm_prefetch::<_MM_HINT_ET0>(p as *const i8) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
