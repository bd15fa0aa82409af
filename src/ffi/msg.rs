//! Sending and receiving: `nn_send`, `nn_recv`, `nn_sendmsg`, `nn_recvmsg`,
//! zero-copy buffers (`nn_allocmsg`, `nn_reallocmsg`, `nn_freemsg`) and the
//! control-message walker `nn_cmsg_nxthdr_`. The buffers are handled by
//! `core::iov`, control messages by `core::cmsg`, chunks by `core::msg`.

use std::os::raw::{c_int, c_void};

use super::types::*;
use super::{guard, ret, ret_ptr};
use crate::core::cptr::{arg_mut, arg_ref};
use crate::core::error::Error;
use crate::core::global;
use crate::core::iov::{self, Body, Control};
use crate::core::msg::{Chunk, UserChunk};

/// Allocates a message buffer for zero-copy sending. `type` must be 0.
#[no_mangle]
pub extern "C" fn nn_allocmsg(size: usize, r#type: c_int) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        if r#type != 0 {
            return ret_ptr(Err(Error::INVAL));
        }
        ret_ptr(
            Chunk::alloc(size)
                .and_then(Chunk::into_user)
                .map(UserChunk::into_ptr),
        )
    })
}

/// Resizes a buffer from `nn_allocmsg`; returns the new pointer.
///
/// # Safety
/// `msg` must be NULL (`EFAULT`) or a live pointer from this library.
#[no_mangle]
pub unsafe extern "C" fn nn_reallocmsg(msg: *mut c_void, size: usize) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: forwarded caller contract.
        let c = unsafe { UserChunk::from_user(msg) };
        ret_ptr(c.and_then(|c| c.realloc(size)).map(UserChunk::into_ptr))
    })
}

/// Frees a buffer from `nn_allocmsg` or an `NN_MSG` receive.
///
/// # Safety
/// `msg` must be NULL (`EFAULT`) or a live pointer from this library.
#[no_mangle]
pub unsafe extern "C" fn nn_freemsg(msg: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: forwarded caller contract.
        let c = unsafe { UserChunk::from_user(msg) };
        ret(c.map(|c| drop(c.into_chunk())).map(|()| 0))
    })
}

/// Sends a message; `len == NN_MSG` sends the `nn_allocmsg` buffer whose
/// pointer `buf` points to, without copying. Returns the bytes sent.
///
/// # Safety
/// `buf` must hold `len` readable bytes, or for `NN_MSG` point to a
/// pointer from `nn_allocmsg`. NULL is `EFAULT`.
#[no_mangle]
pub unsafe extern "C" fn nn_send(s: c_int, buf: *const c_void, len: usize, flags: c_int) -> c_int {
    guard(-1, || {
        ret(global::get(s).and_then(|sock| {
            // SAFETY: forwarded caller contract.
            let body = unsafe { Body::from_buf(buf, len) }?;
            iov::send(&sock, body, Vec::new(), flags)
        }))
    })
}

/// Receives a message into `buf` (truncating to `len`), or with
/// `len == NN_MSG` stores a new buffer's pointer in `*(void **) buf`.
/// Returns the message's full size.
///
/// # Safety
/// `buf` must have `len` writable bytes, or for `NN_MSG` room for a pointer.
#[no_mangle]
pub unsafe extern "C" fn nn_recv(s: c_int, buf: *mut c_void, len: usize, flags: c_int) -> c_int {
    guard(-1, || {
        ret(global::get(s).and_then(|sock| {
            // SAFETY: forwarded caller contract.
            unsafe { iov::recv(&sock, buf, len, flags) }
        }))
    })
}

/// Sends a message gathered from `msghdr`'s iovecs, with a protocol header
/// taken from an `SP_HDR` control message if there is one.
///
/// # Safety
/// `msghdr` must be NULL (`EFAULT`) or point to a valid `nn_msghdr`.
#[no_mangle]
pub unsafe extern "C" fn nn_sendmsg(s: c_int, msghdr: *const nn_msghdr, flags: c_int) -> c_int {
    guard(-1, || {
        ret(global::get(s).and_then(|sock| {
            // SAFETY: forwarded caller contract. (NULL is EINVAL here, as
            // upstream says.)
            let hdr = unsafe { arg_ref(msghdr) }.map_err(|_| Error::INVAL)?;
            // SAFETY: forwarded caller contract.
            unsafe { iov::sendmsg(&sock, hdr, flags) }
        }))
    })
}

/// Receives a message, scattering it over `msghdr`'s iovecs and giving the
/// protocol header as an `SP_HDR` control message when `msg_control` is set.
/// Returns the message's full size.
///
/// # Safety
/// `msghdr` must be NULL (`EFAULT`) or point to a valid `nn_msghdr`.
#[no_mangle]
pub unsafe extern "C" fn nn_recvmsg(s: c_int, msghdr: *mut nn_msghdr, flags: c_int) -> c_int {
    guard(-1, || {
        ret(global::get(s).and_then(|sock| {
            // SAFETY: forwarded caller contract. (NULL is EINVAL, as for
            // nn_sendmsg.)
            let hdr = unsafe { arg_mut(msghdr) }.map_err(|_| Error::INVAL)?;
            // SAFETY: forwarded caller contract.
            unsafe { iov::recvmsg(&sock, hdr, flags) }
        }))
    })
}

/// The control message after `cmsg` in `mhdr`'s control buffer (the first
/// when `cmsg` is NULL), or NULL. Backs `NN_CMSG_FIRSTHDR`/`NN_CMSG_NXTHDR`.
///
/// # Safety
/// `mhdr` must be NULL or a valid `nn_msghdr`; `cmsg` NULL or a header
/// inside its control buffer.
#[no_mangle]
pub unsafe extern "C" fn nn_cmsg_nxthdr_(
    mhdr: *const nn_msghdr,
    cmsg: *const nn_cmsghdr,
) -> *mut nn_cmsghdr {
    guard(std::ptr::null_mut(), || {
        // SAFETY: forwarded caller contract.
        let Ok(h) = (unsafe { arg_ref(mhdr) }) else {
            return std::ptr::null_mut();
        };
        // SAFETY: forwarded caller contract.
        match unsafe { Control::from_raw(h.msg_control, h.msg_controllen) } {
            Ok(ctl) => ctl.next_header(cmsg),
            Err(_) => std::ptr::null_mut(),
        }
    })
}
