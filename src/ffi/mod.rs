//! The C API. Each function reads the same way: a panic guard, argument
//! checks (NULL is `EFAULT`, never a crash), one call into `core`, and the
//! result turned into a return value plus `errno` by [`ret`].

pub mod msg;
pub mod poll;
pub mod types;

use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::consts::*;
use crate::core::error::{self, Error, Result};
use crate::core::global;
use crate::core::symbols::SYMBOLS;
use types::*;

pub(crate) fn set_errno(e: i32) {
    // SAFETY: __errno_location returns the calling thread's errno slot.
    unsafe { *libc::__errno_location() = e };
}

/// Run `f`, turning a panic into `fail` with errno `EFAULT`: nothing
/// unwinds into C.
pub(crate) fn guard<R>(fail: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        set_errno(libc::EFAULT);
        fail
    })
}

/// The one place a `Result` becomes a C return value: `Ok(v)` is `v`,
/// `Err(e)` is -1 with errno `e`.
pub(crate) fn ret(r: Result<c_int>) -> c_int {
    match r {
        Ok(v) => v,
        Err(Error(e)) => {
            set_errno(e);
            -1
        }
    }
}

/// An address argument: `EINVAL` for NULL (as upstream) or non-UTF-8.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string.
unsafe fn str_arg<'a>(p: *const c_char) -> Result<&'a str> {
    if p.is_null() {
        return Err(Error::INVAL);
    }
    // SAFETY: non-null and NUL-terminated by the caller's contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| Error::INVAL)
}

/// Returns the error code of the last failed call on this thread.
#[no_mangle]
pub extern "C" fn nn_errno() -> c_int {
    // SAFETY: reading the calling thread's errno.
    unsafe { *libc::__errno_location() }
}

/// Returns a human-readable text for an error code. The string is static.
#[no_mangle]
pub extern "C" fn nn_strerror(errnum: c_int) -> *const c_char {
    guard(c"Unknown error".as_ptr(), || {
        error::strerror(errnum).as_ptr()
    })
}

/// Returns the name of the i-th symbol and stores its value in `*value`;
/// NULL with errno `EINVAL` past the end.
///
/// # Safety
/// `value` must be NULL or point to a writable int.
#[no_mangle]
pub unsafe extern "C" fn nn_symbol(i: c_int, value: *mut c_int) -> *const c_char {
    guard(std::ptr::null(), || {
        let Some(sym) = usize::try_from(i).ok().and_then(|i| SYMBOLS.get(i)) else {
            set_errno(libc::EINVAL);
            return std::ptr::null();
        };
        if !value.is_null() {
            // SAFETY: non-null, writable by the caller's contract.
            unsafe { *value = sym.value };
        }
        sym.name.as_ptr()
    })
}

/// Fills `*buf` (at most `buflen` bytes) with the i-th symbol's properties.
/// Returns the number of bytes written, 0 past the end of the table.
///
/// # Safety
/// `buf` must be NULL or point to `buflen` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn nn_symbol_info(
    i: c_int,
    buf: *mut nn_symbol_properties,
    buflen: c_int,
) -> c_int {
    guard(0, || {
        let Some(sym) = usize::try_from(i).ok().and_then(|i| SYMBOLS.get(i)) else {
            return 0;
        };
        // A NULL buffer or a negative length: nothing to write into.
        if buf.is_null() || buflen < 0 {
            return 0;
        }
        let props = nn_symbol_properties {
            value: sym.value,
            name: sym.name.as_ptr(),
            ns: sym.ns,
            r#type: sym.typ,
            unit: sym.unit,
        };
        let n = (buflen as usize).min(std::mem::size_of::<nn_symbol_properties>());
        // SAFETY: buf has room for buflen >= n bytes; props is a live value.
        unsafe {
            std::ptr::copy_nonoverlapping(&props as *const _ as *const u8, buf as *mut u8, n)
        };
        n as c_int
    })
}

/// Tells every socket the process is terminating: blocked calls return,
/// later calls fail, and `nn_socket` fails with `ETERM`.
#[no_mangle]
pub extern "C" fn nn_term() {
    guard((), global::term)
}

/// Creates a socket; returns its handle or -1 (`EAFNOSUPPORT`, `EINVAL`,
/// `EMFILE`, `ETERM`).
#[no_mangle]
pub extern "C" fn nn_socket(domain: c_int, protocol: c_int) -> c_int {
    guard(-1, || ret(global::create(domain, protocol)))
}

/// Closes a socket; blocked calls on it return with `EBADF`.
#[no_mangle]
pub extern "C" fn nn_close(s: c_int) -> c_int {
    guard(-1, || ret(global::close(s).map(|_| 0)))
}

/// Sets a socket option.
///
/// # Safety
/// `optval` must point to `optvallen` readable bytes (NULL is `EFAULT`).
#[no_mangle]
pub unsafe extern "C" fn nn_setsockopt(
    s: c_int,
    level: c_int,
    option: c_int,
    optval: *const c_void,
    optvallen: usize,
) -> c_int {
    guard(-1, || {
        ret((|| {
            let sock = global::get(s)?;
            // NULL with length 0 is an empty value (e.g. the subscription
            // to everything); NULL with a length is EFAULT.
            let val = match (optval.is_null(), optvallen) {
                (true, 0) => &[][..],
                (true, _) => return Err(Error::FAULT),
                // SAFETY: non-null and optvallen bytes long by the caller's contract.
                (false, n) => unsafe { std::slice::from_raw_parts(optval as *const u8, n) },
            };
            sock.set_opt(level, option, val).map(|_| 0)
        })())
    })
}

/// Reads a socket option; `*optvallen` is the buffer size on entry and the
/// option's full size on return (the value is truncated to fit).
///
/// # Safety
/// `optvallen` must point to a writable size_t and `optval` to that many
/// writable bytes (NULL is `EFAULT`).
#[no_mangle]
pub unsafe extern "C" fn nn_getsockopt(
    s: c_int,
    level: c_int,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut usize,
) -> c_int {
    guard(-1, || {
        ret((|| {
            let sock = global::get(s)?;
            if optvallen.is_null() || optval.is_null() {
                return Err(Error::FAULT);
            }
            // SAFETY: checked non-null; the caller promises *optvallen bytes.
            let out = unsafe { std::slice::from_raw_parts_mut(optval as *mut u8, *optvallen) };
            let full = sock.get_opt(level, option, out)?;
            // SAFETY: checked non-null above.
            unsafe { *optvallen = full };
            Ok(0)
        })())
    })
}

/// Adds a local endpoint; returns its id.
///
/// # Safety
/// `addr` must be NULL (`EINVAL`) or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn nn_bind(s: c_int, addr: *const c_char) -> c_int {
    guard(-1, || {
        ret((|| {
            let sock = global::get(s)?;
            // SAFETY: forwarded caller contract.
            sock.bind(unsafe { str_arg(addr) }?)
        })())
    })
}

/// Adds a remote endpoint; returns its id.
///
/// # Safety
/// `addr` must be NULL (`EINVAL`) or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn nn_connect(s: c_int, addr: *const c_char) -> c_int {
    guard(-1, || {
        ret((|| {
            let sock = global::get(s)?;
            // SAFETY: forwarded caller contract.
            sock.connect(unsafe { str_arg(addr) }?)
        })())
    })
}

/// Removes an endpoint (as returned by `nn_bind`/`nn_connect`).
#[no_mangle]
pub extern "C" fn nn_shutdown(s: c_int, how: c_int) -> c_int {
    guard(-1, || {
        ret(global::get(s)
            .and_then(|sock| sock.shutdown(how))
            .map(|_| 0))
    })
}

/// Returns a statistic of the socket, or `(uint64_t) -1` with errno set.
#[no_mangle]
pub extern "C" fn nn_get_statistic(s: c_int, stat: c_int) -> u64 {
    guard(u64::MAX, || {
        let r = global::get(s).and_then(|sock| {
            if stat == NN_STAT_CURRENT_SND_PRIORITY {
                sock.snd_priority()
            } else {
                sock.stats().get(stat)
            }
        });
        r.unwrap_or_else(|Error(e)| {
            set_errno(e);
            u64::MAX
        })
    })
}

/// Forwards messages between two raw sockets (or back to the same socket
/// when the other is -1) until one is closed or `nn_term` is called.
#[no_mangle]
pub extern "C" fn nn_device(s1: c_int, s2: c_int) -> c_int {
    guard(-1, || ret(crate::core::device::run(s1, s2)))
}
