//! A caller's pointer arguments turned into references and slices: the one
//! place the C API checks them. A NULL or misaligned pointer is `EFAULT`
//! (never a crash); a length no Rust slice can have (more than `isize::MAX`
//! bytes) is `EINVAL`. What cannot be checked (that the memory is really
//! there) is the caller's promise, stated by each function's `# Safety`.

use crate::core::error::{Error, Result};

/// A pointer that may not be NULL: `EFAULT` when it is.
pub fn non_null<T>(p: *mut T) -> Result<std::ptr::NonNull<T>> {
    std::ptr::NonNull::new(p).ok_or(Error::FAULT)
}

/// `p` as a reference: `EFAULT` when it is NULL or misaligned.
///
/// # Safety
/// `p` must be NULL or point to a valid `T` that stays valid, and is not
/// written through another pointer, for `'a`.
pub unsafe fn arg_ref<'a, T>(p: *const T) -> Result<&'a T> {
    if !p.is_aligned() {
        return Err(Error::FAULT);
    }
    let p = non_null(p as *mut T)?;
    // SAFETY: non-null, aligned, and by the caller's promise a valid T
    // for 'a.
    Ok(unsafe { p.as_ref() })
}

/// `p` as a mutable reference: `EFAULT` when it is NULL or misaligned.
///
/// # Safety
/// `p` must be NULL or point to a `T` (initialised: the old value is
/// dropped if written) that nothing else touches for `'a`.
pub unsafe fn arg_mut<'a, T>(p: *mut T) -> Result<&'a mut T> {
    if !p.is_aligned() {
        return Err(Error::FAULT);
    }
    let mut p = non_null(p)?;
    // SAFETY: non-null, aligned, and by the caller's promise an
    // exclusive, valid T for 'a.
    Ok(unsafe { p.as_mut() })
}

/// Checks shared by [`arg_slice`] and [`arg_slice_mut`]: `Ok(false)` for an
/// empty slice (whatever `p` is), `Ok(true)` when `p` may be read.
fn slice_ok<T>(p: *const T, len: usize) -> Result<bool> {
    if len == 0 {
        return Ok(false);
    }
    if len
        .checked_mul(std::mem::size_of::<T>())
        .is_none_or(|n| n > isize::MAX as usize)
    {
        return Err(Error::INVAL);
    }
    non_null(p as *mut T)?;
    if !p.is_aligned() {
        return Err(Error::FAULT);
    }
    Ok(true)
}

/// `(p, len)` as a slice. Length 0 is the empty slice whatever `p` is;
/// otherwise NULL or misaligned is `EFAULT`, a length over `isize::MAX`
/// bytes `EINVAL`.
///
/// # Safety
/// Unless `len` is 0, `p` must be NULL or point to `len` initialised `T`s
/// that are not written through another pointer for `'a`.
pub unsafe fn arg_slice<'a, T>(p: *const T, len: usize) -> Result<&'a [T]> {
    if !slice_ok(p, len)? {
        return Ok(&[]);
    }
    // SAFETY: non-null, aligned, at most isize::MAX bytes (checked above);
    // the memory is the caller's promise.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// `(p, len)` as a mutable slice; the checks of [`arg_slice`].
///
/// # Safety
/// Unless `len` is 0, `p` must be NULL or point to `len` initialised `T`s
/// that nothing else touches for `'a`.
pub unsafe fn arg_slice_mut<'a, T>(p: *mut T, len: usize) -> Result<&'a mut [T]> {
    if !slice_ok(p, len)? {
        return Ok(&mut []);
    }
    // SAFETY: non-null, aligned, at most isize::MAX bytes (checked above);
    // exclusive access is the caller's promise.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_misaligned_and_huge() {
        let v = [1u32, 2, 3];
        // SAFETY: every pointer below is NULL, misaligned or `v`'s.
        unsafe {
            assert_eq!(arg_slice(v.as_ptr(), 3).unwrap(), &v);
        }
        // SAFETY: NULL with length 0 is never read.
        assert!(unsafe { arg_slice::<u32>(std::ptr::null(), 0) }
            .unwrap()
            .is_empty());
        // SAFETY: NULL is refused before any read.
        let null = unsafe { arg_slice::<u32>(std::ptr::null(), 1) };
        assert_eq!(null, Err(Error::FAULT));
        let odd = (v.as_ptr() as *const u8).wrapping_add(1) as *const u32;
        // SAFETY: misaligned is refused before any read.
        assert_eq!(unsafe { arg_slice(odd, 1) }, Err(Error::FAULT));
        // SAFETY: the length is refused before any read.
        let huge = unsafe { arg_slice(v.as_ptr(), usize::MAX / 2) };
        assert_eq!(huge, Err(Error::INVAL));
        // SAFETY: NULL is refused.
        let null = unsafe { arg_ref::<u32>(std::ptr::null()) };
        assert_eq!(null, Err(Error::FAULT));
        // SAFETY: misaligned is refused.
        assert_eq!(unsafe { arg_mut(odd as *mut u32) }, Err(Error::FAULT));
    }
}
