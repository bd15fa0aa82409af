//! Cache hints for data that another core wrote last: a message a
//! receiver takes next, the connection a fan-out sends to next, a pooled
//! block the reactor fills next. A prefetch starts the transfer while this
//! core still works on the one before, so the miss overlaps work instead
//! of stalling it. Hints only: they never fault and change no result;
//! elsewhere than x86_64 they do nothing.

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

/// Bring the cache line at `p` into this core's cache to be written: a
/// line another core wrote last comes over owned, so the write that
/// follows needs no second transfer. PREFETCHW where the CPU has it (every
/// AMD64 and Intel since Broadwell; `_MM_HINT_ET0` would need the feature
/// at build time and otherwise compiles to a read prefetch), else a read
/// prefetch.
#[inline]
pub fn prefetch_write<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        if has_prefetchw() {
            // SAFETY: the CPU has PREFETCHW (checked), which never faults,
            // whatever the address, and changes no register, flag or memory.
            unsafe {
                std::arch::asm!("prefetchw [{0}]", in(reg) p, options(nostack, preserves_flags, readonly))
            };
        } else {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            // SAFETY: as in `prefetch_read`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p as *const i8) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Whether the CPU has PREFETCHW (CPUID 0x8000_0001, ECX bit 8; std's
/// feature detection does not name it on stable Rust). Asked once.
#[cfg(target_arch = "x86_64")]
#[inline]
fn has_prefetchw() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering::Relaxed};
    static HAS: AtomicU8 = AtomicU8::new(0); // 0 unknown, 1 yes, 2 no
    match HAS.load(Relaxed) {
        1 => true,
        2 => false,
        _ => {
            use std::arch::x86_64::__cpuid;
            #[allow(unused_unsafe)]
            // SAFETY: CPUID exists on every x86_64 CPU; leaf 0x8000_0000
            // says which extended leaves exist before 0x8000_0001 is asked.
            let yes = unsafe {
                __cpuid(0x8000_0000).eax >= 0x8000_0001 && __cpuid(0x8000_0001).ecx & (1 << 8) != 0
            };
            HAS.store(if yes { 1 } else { 2 }, Relaxed);
            yes
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_never_fault_whatever_the_address() {
        // Freed, unmapped and null addresses: a hint must not read them.
        let gone = Box::into_raw(Box::new([0u8; 128]));
        // SAFETY: made just above by Box::into_raw.
        drop(unsafe { Box::from_raw(gone) });
        for p in [
            std::ptr::null(),
            gone as *const u8,
            0xdead_0000_usize as *const u8,
            usize::MAX as *const u8,
        ] {
            prefetch_read(p);
            prefetch_write(p);
        }
        // Asked twice, the CPU's answer is the same (cached).
        #[cfg(target_arch = "x86_64")]
        assert_eq!(has_prefetchw(), has_prefetchw());
    }
}
