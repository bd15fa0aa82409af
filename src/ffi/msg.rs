//! Sending and receiving: `nn_send`, `nn_recv`, `nn_sendmsg`, `nn_recvmsg`,
//! zero-copy buffers (`nn_allocmsg`, `nn_reallocmsg`, `nn_freemsg`) and the
//! control-message walker `nn_cmsg_nxthdr_`.
//!
//! Control data carries the protocol header as one control message of
//! level `PROTO_SP`, type `SP_HDR`, whose data is the header's length as a
//! `size_t` followed by the header bytes; its `cmsg_len` is
//! `NN_CMSG_SPACE(sizeof(size_t) + length)`, as upstream lays it out.

use std::mem::size_of;
use std::os::raw::{c_int, c_void};

use super::types::*;
use super::{guard, ret, set_errno};
use crate::consts::*;
use crate::core::error::{Error, Result};
use crate::core::global;
use crate::core::msg::{Chunk, Msg};
use crate::core::socket::Socket;

const NN_MSG: usize = usize::MAX;
const ALIGN: usize = size_of::<usize>();

const fn cmsg_align(len: usize) -> usize {
    (len + ALIGN - 1) & !(ALIGN - 1)
}

pub(crate) const fn cmsg_space(len: usize) -> usize {
    cmsg_align(len) + cmsg_align(size_of::<nn_cmsghdr>())
}

fn null_on_err(r: Result<*mut c_void>) -> *mut c_void {
    r.unwrap_or_else(|Error(e)| {
        set_errno(e);
        std::ptr::null_mut()
    })
}

/// Allocates a message buffer for zero-copy sending. `type` must be 0.
#[no_mangle]
pub extern "C" fn nn_allocmsg(size: usize, r#type: c_int) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        null_on_err((|| {
            if r#type != 0 {
                return Err(Error::INVAL);
            }
            Chunk::alloc(size)?.into_user()
        })())
    })
}

/// Resizes a buffer from `nn_allocmsg`; returns the new pointer.
///
/// # Safety
/// `msg` must be NULL (`EFAULT`) or a live pointer from this library.
#[no_mangle]
pub unsafe extern "C" fn nn_reallocmsg(msg: *mut c_void, size: usize) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        null_on_err((|| {
            // SAFETY: forwarded caller contract.
            let c = unsafe { Chunk::from_user(msg) }?;
            match c.realloc(size) {
                Ok(c) => c.into_user(),
                Err((e, c)) => {
                    std::mem::forget(c); // still the caller's
                    Err(e)
                }
            }
        })())
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
        ret(unsafe { Chunk::from_user(msg) }.map(|c| {
            drop(c);
            0
        }))
    })
}

/// The bytes of a control buffer, whether given inline or as `NN_MSG`.
///
/// # Safety
/// As for `nn_sendmsg`'s `msg_control`.
unsafe fn control_bytes<'a>(ctl: *mut c_void, len: usize) -> Result<Option<&'a [u8]>> {
    if ctl.is_null() {
        return Ok(None);
    }
    if len == NN_MSG {
        // SAFETY: ctl points to a void* holding an nn_allocmsg pointer.
        let p = unsafe { *(ctl as *mut *mut c_void) };
        // SAFETY: validated chunk pointer; we only borrow it here.
        let c = unsafe { Chunk::from_user(p) }?;
        // SAFETY: the chunk stays alive (owned by the caller) while we read.
        let s = unsafe { std::slice::from_raw_parts(c.data(), c.len()) };
        std::mem::forget(c);
        return Ok(Some(s));
    }
    // SAFETY: the caller promises len readable bytes.
    Ok(Some(unsafe {
        std::slice::from_raw_parts(ctl as *const u8, len)
    }))
}

/// `cmsg_align` for a length read from a caller's buffer: `None` when
/// aligning it would wrap around.
fn cmsg_align_checked(len: usize) -> Option<usize> {
    Some(len.checked_add(ALIGN - 1)? & !(ALIGN - 1))
}

/// Find the `PROTO_SP`/`SP_HDR` control message and return the header.
/// Lengths come from the caller and may be anything: a control message
/// that does not fit the buffer ends the search.
pub(crate) fn find_sp_header(ctl: &[u8]) -> Option<Vec<u8>> {
    let hsz = cmsg_align(size_of::<nn_cmsghdr>());
    let mut off = 0;
    while ctl.len() - off >= hsz {
        let c = &ctl[off..];
        let len = usize::from_ne_bytes(c[0..8].try_into().ok()?);
        let level = i32::from_ne_bytes(c[8..12].try_into().ok()?);
        let typ = i32::from_ne_bytes(c[12..16].try_into().ok()?);
        if len < hsz || len > c.len() {
            return None;
        }
        if level == PROTO_SP && typ == SP_HDR && len >= hsz + ALIGN {
            let data = &c[hsz..len];
            let n = usize::from_ne_bytes(data[..ALIGN].try_into().ok()?);
            return data.get(ALIGN..ALIGN.checked_add(n)?).map(|h| h.to_vec());
        }
        // len <= c.len(): the next offset is at most ALIGN - 1 past the end.
        off += cmsg_align(len);
        if off > ctl.len() {
            return None;
        }
    }
    None
}

/// Walk a control buffer: the offset of the control message after the one
/// at `cur` (its offset and `cmsg_len`), or of the first when `cur` is
/// `None`; `None` when there is no further whole one.
pub(crate) fn cmsg_next(buf: &[u8], cur: Option<(usize, usize)>) -> Option<usize> {
    let next = match cur {
        None => 0,
        Some((_, 0)) => return None,
        Some((off, len)) => off.checked_add(cmsg_align_checked(len)?)?,
    };
    let hsz = cmsg_space(0);
    if next.checked_add(hsz).is_none_or(|e| e > buf.len()) {
        return None;
    }
    let len = usize::from_ne_bytes(buf[next..next + 8].try_into().expect("8 bytes"));
    if cmsg_align_checked(len)
        .and_then(|l| next.checked_add(l))
        .is_none_or(|e| e > buf.len())
    {
        return None;
    }
    Some(next)
}

/// Build a message from iovecs. Returns the message and whether its body
/// is the caller's `NN_MSG` chunk (which must not be freed on failure).
///
/// # Safety
/// `hdr` points to a valid nn_msghdr whose iovecs are readable.
unsafe fn gather(hdr: &nn_msghdr) -> Result<(Msg, bool)> {
    if hdr.msg_iovlen < 0 {
        return Err(Error(libc::EMSGSIZE));
    }
    let n = hdr.msg_iovlen as usize;
    if n > 0 && hdr.msg_iov.is_null() {
        return Err(Error::FAULT);
    }
    // SAFETY: msg_iov has msg_iovlen entries by the caller's contract.
    let iov = if n == 0 {
        &[][..]
    } else {
        unsafe { std::slice::from_raw_parts(hdr.msg_iov, n) }
    };
    if n == 1 && iov[0].iov_len == NN_MSG {
        if iov[0].iov_base.is_null() {
            return Err(Error::FAULT);
        }
        // SAFETY: iov_base points to the void* holding the chunk.
        let p = unsafe { *(iov[0].iov_base as *mut *mut c_void) };
        // SAFETY: validated by from_user.
        return Ok((Msg::new(unsafe { Chunk::from_user(p) }?), true));
    }
    let mut total = 0usize;
    for v in iov {
        if v.iov_len == NN_MSG {
            return Err(Error::INVAL);
        }
        if v.iov_base.is_null() && v.iov_len > 0 {
            return Err(Error::FAULT);
        }
        total = total.checked_add(v.iov_len).ok_or(Error::INVAL)?;
    }
    let c = Chunk::alloc(total)?;
    let mut at = 0;
    for v in iov {
        if v.iov_len > 0 {
            // SAFETY: each iovec is readable for iov_len bytes; the chunk
            // has `total` bytes and we stay within them.
            unsafe {
                std::ptr::copy_nonoverlapping(v.iov_base as *const u8, c.data().add(at), v.iov_len)
            };
            at += v.iov_len;
        }
    }
    Ok((Msg::new(c), false))
}

fn send_msg(sock: &Socket, msg: Msg, user_owned: bool, flags: c_int) -> Result<c_int> {
    let len = msg.body.len();
    let r = sock.send(msg, flags & NN_DONTWAIT != 0).map_err(|(e, m)| {
        if user_owned {
            // Failed: the buffer still belongs to the caller.
            std::mem::forget(m.body);
        }
        e
    });
    r.map(|_| len.min(c_int::MAX as usize) as c_int)
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
        ret((|| {
            let sock = global::get(s)?;
            if buf.is_null() && len != 0 {
                return Err(Error::FAULT);
            }
            if len == NN_MSG {
                // SAFETY: buf points to the void* holding the chunk.
                let p = unsafe { *(buf as *const *mut c_void) };
                // SAFETY: validated by from_user.
                let c = unsafe { Chunk::from_user(p) }?;
                return send_msg(&sock, Msg::new(c), true, flags);
            }
            let bytes = if len == 0 {
                &[][..]
            } else {
                // SAFETY: buf holds len readable bytes.
                unsafe { std::slice::from_raw_parts(buf as *const u8, len) }
            };
            send_msg(&sock, Msg::from_slice(bytes)?, false, flags)
        })())
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
        ret((|| {
            let sock = global::get(s)?;
            // As upstream, the buffer matters only once there is a message
            // (nothing queued is EAGAIN or ETIMEDOUT even with NULL). Upstream
            // then crashes; we fail with EFAULT and the message is lost.
            let msg = sock.recv(flags & NN_DONTWAIT != 0)?;
            if buf.is_null() && len != 0 {
                return Err(Error::FAULT);
            }
            let full = msg.body.len();
            if len == NN_MSG {
                // SAFETY: buf has room for one pointer.
                unsafe { *(buf as *mut *mut c_void) = msg.body.into_user()? };
            } else if len > 0 {
                let n = len.min(full);
                // SAFETY: buf has len >= n writable bytes.
                unsafe { std::ptr::copy_nonoverlapping(msg.body.data(), buf as *mut u8, n) };
            }
            Ok(full.min(c_int::MAX as usize) as c_int)
        })())
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
        ret((|| {
            let sock = global::get(s)?;
            // SAFETY: checked for NULL; valid by the caller's contract.
            // (NULL is EINVAL here, as upstream says.)
            let hdr = unsafe { msghdr.as_ref() }.ok_or(Error::INVAL)?;
            // SAFETY: forwarded caller contract.
            let (mut msg, user_owned) = unsafe { gather(hdr) }?;
            // SAFETY: forwarded caller contract.
            let ctl = match unsafe { control_bytes(hdr.msg_control, hdr.msg_controllen) } {
                Ok(c) => c,
                Err(e) => {
                    if user_owned {
                        std::mem::forget(msg.body);
                    }
                    return Err(e);
                }
            };
            if let Some(h) = ctl.and_then(find_sp_header) {
                msg.hdr = h;
            }
            let n = send_msg(&sock, msg, user_owned, flags)?;
            if hdr.msg_controllen == NN_MSG && !hdr.msg_control.is_null() {
                // Sent: the NN_MSG control buffer is consumed too.
                // SAFETY: validated in control_bytes above.
                unsafe { drop(Chunk::from_user(*(hdr.msg_control as *mut *mut c_void))) };
            }
            Ok(n)
        })())
    })
}

/// Write the `SP_HDR` control message for `sphdr` into `out` if it fits.
pub(crate) fn put_sp_header(out: &mut [u8], sphdr: &[u8]) {
    let total = cmsg_space(ALIGN + sphdr.len());
    if out.len() < total {
        return;
    }
    let hsz = cmsg_align(size_of::<nn_cmsghdr>());
    out[..total].fill(0);
    out[0..8].copy_from_slice(&total.to_ne_bytes());
    out[8..12].copy_from_slice(&PROTO_SP.to_ne_bytes());
    out[12..16].copy_from_slice(&SP_HDR.to_ne_bytes());
    out[hsz..hsz + ALIGN].copy_from_slice(&sphdr.len().to_ne_bytes());
    out[hsz + ALIGN..hsz + ALIGN + sphdr.len()].copy_from_slice(sphdr);
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
        ret((|| {
            let sock = global::get(s)?;
            // SAFETY: checked for NULL; valid by the caller's contract.
            let hdr = unsafe { msghdr.as_mut() }.ok_or(Error::INVAL)?;
            if hdr.msg_iovlen < 0 {
                return Err(Error(libc::EMSGSIZE));
            }
            // As upstream: the message is taken first, so nothing queued is
            // EAGAIN or ETIMEDOUT whatever the iovecs are, and a bad iovec
            // fails the call and drops that message (upstream crashes on a
            // NULL one).
            let msg = sock.recv(flags & NN_DONTWAIT != 0)?;
            let n = hdr.msg_iovlen as usize;
            if n > 0 && hdr.msg_iov.is_null() {
                return Err(Error::FAULT);
            }
            // SAFETY: msg_iov has msg_iovlen entries.
            let iov = if n == 0 {
                &mut [][..]
            } else {
                unsafe { std::slice::from_raw_parts_mut(hdr.msg_iov, n) }
            };
            let zero_copy = n == 1 && iov[0].iov_len == NN_MSG;
            if zero_copy && iov[0].iov_base.is_null() {
                return Err(Error::FAULT);
            }
            let full = msg.body.len();
            if !hdr.msg_control.is_null() {
                if hdr.msg_controllen == NN_MSG {
                    let c = Chunk::alloc(cmsg_space(ALIGN + msg.hdr.len()))?;
                    // SAFETY: fresh chunk of exactly that size.
                    let out = unsafe { std::slice::from_raw_parts_mut(c.data(), c.len()) };
                    put_sp_header(out, &msg.hdr);
                    // SAFETY: msg_control points to a void* slot.
                    unsafe { *(hdr.msg_control as *mut *mut c_void) = c.into_user()? };
                } else {
                    // SAFETY: msg_control has msg_controllen writable bytes.
                    let out = unsafe {
                        std::slice::from_raw_parts_mut(
                            hdr.msg_control as *mut u8,
                            hdr.msg_controllen,
                        )
                    };
                    put_sp_header(out, &msg.hdr);
                }
            }
            if zero_copy {
                // SAFETY: iov_base points to a void* slot (checked non-null).
                unsafe { *(iov[0].iov_base as *mut *mut c_void) = msg.body.into_user()? };
                return Ok(full.min(c_int::MAX as usize) as c_int);
            }
            // Fill iovecs in order until the message runs out.
            let mut src = msg.body.as_slice();
            for v in iov.iter() {
                if src.is_empty() {
                    break;
                }
                if v.iov_len == NN_MSG {
                    return Err(Error::INVAL);
                }
                if v.iov_base.is_null() && v.iov_len > 0 {
                    return Err(Error::FAULT);
                }
                let k = v.iov_len.min(src.len());
                if k > 0 {
                    // SAFETY: the iovec has iov_len >= k writable bytes.
                    unsafe {
                        std::ptr::copy_nonoverlapping(src.as_ptr(), v.iov_base as *mut u8, k)
                    };
                }
                src = &src[k..];
            }
            Ok(full.min(c_int::MAX as usize) as c_int)
        })())
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
        // SAFETY: checked for NULL.
        let Some(h) = (unsafe { mhdr.as_ref() }) else {
            return std::ptr::null_mut();
        };
        // SAFETY: forwarded caller contract.
        let Ok(Some(buf)) = (unsafe { control_bytes(h.msg_control, h.msg_controllen) }) else {
            return std::ptr::null_mut();
        };
        let base = buf.as_ptr() as usize;
        let cur = if cmsg.is_null() {
            None
        } else {
            // SAFETY: cmsg lies inside the control buffer (caller contract).
            let len = unsafe { (*cmsg).cmsg_len };
            let Some(off) = (cmsg as usize).checked_sub(base) else {
                return std::ptr::null_mut();
            };
            Some((off, len))
        };
        let Some(next) = cmsg_next(buf, cur) else {
            return std::ptr::null_mut();
        };
        (base + next) as *mut nn_cmsghdr
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sp_header_round_trip() {
        let mut buf = vec![0u8; 64];
        put_sp_header(&mut buf, &[1, 2, 3, 4]);
        assert_eq!(find_sp_header(&buf), Some(vec![1, 2, 3, 4]));
        assert_eq!(
            usize::from_ne_bytes(buf[..8].try_into().unwrap()),
            cmsg_space(12)
        );
    }

    #[test]
    fn sp_header_does_not_fit() {
        let mut buf = vec![0xaau8; 16];
        put_sp_header(&mut buf, &[1, 2, 3, 4]);
        assert!(buf.iter().all(|&b| b == 0xaa));
    }

    /// A control message header: length, level, type.
    fn cmsg(len: usize, level: i32, typ: i32) -> Vec<u8> {
        let mut v = len.to_ne_bytes().to_vec();
        v.extend_from_slice(&level.to_ne_bytes());
        v.extend_from_slice(&typ.to_ne_bytes());
        v
    }

    #[test]
    fn hostile_lengths_end_the_search() {
        // A good property, then one whose length wraps the address space:
        // the search and the walk end (they used to loop or overflow).
        for bad in [
            usize::MAX,
            usize::MAX - 3,
            usize::MAX - 7,
            0usize.wrapping_sub(16),
            usize::MAX / 2,
        ] {
            let mut buf = cmsg(16, 9, 9);
            buf.extend(cmsg(bad, 9, 9));
            buf.resize(128, 0);
            assert_eq!(find_sp_header(&buf), None, "{bad}");
            assert_eq!(cmsg_next(&buf, None), Some(0));
            assert_eq!(cmsg_next(&buf, Some((0, 16))), None, "{bad}");
            assert_eq!(cmsg_next(&buf, Some((16, bad))), None, "{bad}");
            assert_eq!(cmsg_next(&buf, Some((usize::MAX - 8, 16))), None);
            let first = cmsg(bad, PROTO_SP, SP_HDR);
            let mut buf = first.clone();
            buf.resize(128, 0);
            assert_eq!(find_sp_header(&buf), None, "{bad}");
            assert_eq!(cmsg_next(&buf, None), None, "{bad}");
        }
    }

    #[test]
    fn walk_and_search() {
        // Two properties, the header in the second; a trailing partial
        // header is not walked into.
        let mut buf = cmsg(cmsg_space(3) - 5, 7, 70); // NN_CMSG_LEN(3)
        buf.resize(cmsg_space(3), 0);
        let at = buf.len();
        buf.resize(at + 64, 0);
        put_sp_header(&mut buf[at..], &[1, 2, 3]);
        let total = at + cmsg_space(ALIGN + 3);
        buf.truncate(total);
        assert_eq!(find_sp_header(&buf), Some(vec![1, 2, 3]));
        assert_eq!(cmsg_next(&buf, None), Some(0));
        assert_eq!(cmsg_next(&buf, Some((0, cmsg_space(3) - 5))), Some(at));
        assert_eq!(cmsg_next(&buf, Some((at, cmsg_space(ALIGN + 3)))), None);
        buf.extend_from_slice(&[0; 15]);
        assert_eq!(cmsg_next(&buf, Some((at, cmsg_space(ALIGN + 3)))), None);
        // An empty header (no size_t) and one whose size runs past the
        // property are ignored.
        let mut e = cmsg(16, PROTO_SP, SP_HDR);
        e.resize(32, 0);
        assert_eq!(find_sp_header(&e), None);
        let mut long = vec![0u8; 64];
        put_sp_header(&mut long, &[5; 8]);
        long[16..24].copy_from_slice(&9usize.to_ne_bytes());
        assert_eq!(find_sp_header(&long), None);
        long[16..24].copy_from_slice(&usize::MAX.to_ne_bytes());
        assert_eq!(find_sp_header(&long), None);
        // A zero-length cursor ends the walk.
        assert_eq!(cmsg_next(&buf, Some((0, 0))), None);
    }

    #[test]
    fn malformed_control_is_ignored() {
        let mut buf = vec![0u8; 32];
        buf[..8].copy_from_slice(&1000usize.to_ne_bytes());
        assert_eq!(find_sp_header(&buf), None);
        assert_eq!(find_sp_header(&[]), None);
    }
}
