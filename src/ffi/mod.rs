//! The C API. Each function reads the same way: a panic guard, argument
//! checks (NULL is `EFAULT`, never a crash), one call into `core`, and the
//! result turned into a return value plus `errno` by [`ret`].

pub mod msg;
pub mod poll;
pub mod types;

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::core::cptr::{arg_mut, arg_slice, arg_slice_mut, non_null};
use crate::core::error::{self, Error, Result};
use crate::core::{global, symbols};
use types::*;

/// The calling thread's errno slot.
fn errno_slot() -> *mut c_int {
    // SAFETY: no precondition: glibc returns the calling thread's slot.
    unsafe { libc::__errno_location() }
}

pub(crate) fn set_errno(e: i32) {
    // SAFETY: the slot is a valid, aligned int of this thread's.
    unsafe { errno_slot().write(e) };
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
    ret_or(r, -1)
}

/// [`ret`] for functions returning a pointer: NULL with errno set.
pub(crate) fn ret_ptr(r: Result<*mut c_void>) -> *mut c_void {
    ret_or(r, std::ptr::null_mut())
}

/// `Ok(v)` is `v`, `Err(e)` is `fail` with errno `e`.
fn ret_or<T>(r: Result<T>, fail: T) -> T {
    r.unwrap_or_else(|Error(e)| {
        set_errno(e);
        fail
    })
}

/// An address argument: `EINVAL` for NULL (as upstream) or non-UTF-8.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string.
unsafe fn str_arg<'a>(p: *const c_char) -> Result<&'a str> {
    let p = non_null(p as *mut c_char).map_err(|_| Error::INVAL)?;
    // SAFETY: non-null and NUL-terminated by the caller's contract.
    unsafe { CStr::from_ptr(p.as_ptr()) }
        .to_str()
        .map_err(|_| Error::INVAL)
}

/// Returns the error code of the last failed call on this thread.
#[no_mangle]
pub extern "C" fn nn_errno() -> c_int {
    // SAFETY: the slot is a valid, aligned int of this thread's.
    unsafe { errno_slot().read() }
}

/// Returns a human-readable text for an error code. The string is static.
#[no_mangle]
pub extern "C" fn nn_strerror(errnum: c_int) -> *const c_char {
    guard(c"Unknown error".as_ptr(), || {
        error::strerror(errnum).as_ptr()
    })
}

/// Returns the name of the i-th symbol and stores its value in `*value`;
/// NULL with errno `EINVAL` past the end. Upstream's 121 entries come
/// first, in upstream's order; then ours: `NN_TLS`, its options and
/// `NN_TLS_AUTH_MODE_*` (see `<nanomsg/tls.h>`).
///
/// # Safety
/// `value` must be NULL or point to a writable int.
#[no_mangle]
pub unsafe extern "C" fn nn_symbol(i: c_int, value: *mut c_int) -> *const c_char {
    guard(std::ptr::null(), || {
        let Some(sym) = symbols::get(i) else {
            set_errno(libc::EINVAL);
            return std::ptr::null();
        };
        // SAFETY: forwarded caller contract: NULL or a writable int.
        if let Ok(v) = unsafe { arg_mut(value) } {
            *v = sym.value;
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
        // A NULL buffer or a negative length: nothing to write into.
        let (Some(sym), Ok(len)) = (symbols::get(i), usize::try_from(buflen)) else {
            return 0;
        };
        let props = nn_symbol_properties {
            value: sym.value,
            name: sym.name.as_ptr(),
            ns: sym.ns,
            r#type: sym.typ,
            unit: sym.unit,
        };
        let n = len.min(std::mem::size_of::<nn_symbol_properties>());
        // SAFETY: forwarded caller contract: NULL or buflen >= n writable
        // bytes.
        let Ok(out) = (unsafe { arg_slice_mut(buf as *mut MaybeUninit<u8>, n) }) else {
            return 0;
        };
        out.copy_from_slice(&bytes_of(&props)[..n]);
        n as c_int
    })
}

/// The bytes of a value, padding included (hence `MaybeUninit`).
fn bytes_of<T>(v: &T) -> &[MaybeUninit<u8>] {
    // SAFETY: `v` is a live, readable T of size_of::<T>() bytes for the
    // borrow; every byte, padding too, is a valid MaybeUninit<u8>.
    unsafe {
        std::slice::from_raw_parts(
            v as *const T as *const MaybeUninit<u8>,
            std::mem::size_of::<T>(),
        )
    }
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

/// Sets a socket option. Besides upstream's levels, ours has `NN_TLS`
/// (`<nanomsg/tls.h>`): string options given with their length (no NUL
/// needed; a NUL inside is `EINVAL`), read back like `NN_SOCKET_NAME`.
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
        ret(global::get(s).and_then(|sock| {
            // NULL with length 0 is an empty value (e.g. the subscription
            // to everything); NULL with a length is EFAULT.
            // SAFETY: forwarded caller contract: optvallen readable bytes.
            let val = unsafe { arg_slice(optval as *const u8, optvallen) }?;
            sock.set_opt(level, option, val).map(|_| 0)
        }))
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
        ret(global::get(s).and_then(|sock| {
            // SAFETY: forwarded caller contract: NULL or a writable size_t.
            let len = unsafe { arg_mut(optvallen) }?;
            // The value's buffer may not be NULL, even for length 0.
            let val = non_null(optval as *mut u8)?;
            // SAFETY: forwarded caller contract: *optvallen writable bytes,
            // which C callers usually leave uninitialised, hence
            // `MaybeUninit` (they are only written, never read).
            let out = unsafe { arg_slice_mut(val.as_ptr() as *mut MaybeUninit<u8>, *len) }?;
            *len = sock.get_opt(level, option, out)?;
            Ok(0)
        }))
    })
}

/// Adds a local endpoint; returns its id.
///
/// # Safety
/// `addr` must be NULL (`EINVAL`) or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn nn_bind(s: c_int, addr: *const c_char) -> c_int {
    guard(-1, || {
        ret(global::get(s).and_then(|sock| {
            // SAFETY: forwarded caller contract.
            sock.bind(unsafe { str_arg(addr) }?)
        }))
    })
}

/// Adds a remote endpoint; returns its id.
///
/// # Safety
/// `addr` must be NULL (`EINVAL`) or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn nn_connect(s: c_int, addr: *const c_char) -> c_int {
    guard(-1, || {
        ret(global::get(s).and_then(|sock| {
            // SAFETY: forwarded caller contract.
            sock.connect(unsafe { str_arg(addr) }?)
        }))
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
        ret_or(
            global::get(s).and_then(|sock| sock.statistic(stat)),
            u64::MAX,
        )
    })
}

/// Forwards messages between two raw sockets (or back to the same socket
/// when the other is -1) until one is closed or `nn_term` is called.
#[no_mangle]
pub extern "C" fn nn_device(s1: c_int, s2: c_int) -> c_int {
    guard(-1, || ret(crate::core::device::run(s1, s2)))
}
