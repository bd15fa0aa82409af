//! The caller's buffers of `nn_send`, `nn_recv`, `nn_sendmsg` and
//! `nn_recvmsg`: `NN_MSG` (zero-copy chunks), gathering iovecs into a
//! message, scattering a message over iovecs, and control buffers.
//!
//! Every pointer a caller hands in goes through [`crate::core::cptr`]; a
//! chunk the caller owns is a [`UserChunk`], which stays the caller's on
//! every path that fails.

use std::mem::MaybeUninit;
use std::os::raw::{c_int, c_void};

use crate::consts::NN_DONTWAIT;
use crate::core::cmsg::{self, nn_cmsghdr};
use crate::core::cptr::{arg_mut, arg_ref, arg_slice, arg_slice_mut};
use crate::core::error::{Error, Result};
use crate::core::msg::{Chunk, Msg, UserChunk};
use crate::core::socket::Socket;

/// One buffer of a scatter/gather array.
#[repr(C)]
pub struct nn_iovec {
    pub iov_base: *mut c_void,
    pub iov_len: usize,
}

/// The message description of `nn_sendmsg`/`nn_recvmsg`.
#[repr(C)]
pub struct nn_msghdr {
    pub msg_iov: *mut nn_iovec,
    pub msg_iovlen: c_int,
    pub msg_control: *mut c_void,
    pub msg_controllen: usize,
}

/// A length that means "the buffer argument points to a chunk pointer".
pub(crate) const NN_MSG: usize = usize::MAX;

/// What the C API returns for a message of `len` bytes.
fn size_ret(len: usize) -> c_int {
    len.min(c_int::MAX as usize) as c_int
}

/// A chunk pointer the caller stored at `slot` (`NN_MSG`): `EFAULT` for a
/// NULL or misaligned slot or a pointer that is no live chunk.
///
/// # Safety
/// `slot` must be NULL or point to a readable pointer which is NULL or
/// came from this library.
unsafe fn user_chunk_at(slot: *const c_void) -> Result<UserChunk> {
    // SAFETY: the caller's promise: NULL or a readable pointer.
    let p = unsafe { arg_ref(slot as *const *mut c_void) }?;
    // SAFETY: the caller's promise: the pointer came from this library.
    unsafe { UserChunk::from_user(*p) }
}

/// Where a chunk handed to the caller goes (`NN_MSG` receive).
///
/// # Safety
/// `slot` must be NULL or point to a writable pointer nothing else uses
/// for `'a`.
unsafe fn slot_at<'a>(slot: *mut c_void) -> Result<&'a mut *mut c_void> {
    // SAFETY: the caller's promise.
    unsafe { arg_mut(slot as *mut *mut c_void) }
}

/// Copy `src` to the front of `dst` (which may be uninitialised memory of
/// the caller's).
fn copy_out(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        d.write(s);
    }
}

/// The body of an outgoing message as the caller gave it.
#[derive(Debug)]
pub enum Body {
    /// A copy of the caller's bytes.
    Copied(Chunk),
    /// The caller's own chunk (`NN_MSG`): sent without copying, and the
    /// caller's again if the send fails.
    User(UserChunk),
}

impl Body {
    /// `nn_send`'s `(buf, len)`.
    ///
    /// # Safety
    /// `buf` must be NULL or hold `len` readable bytes, or for `NN_MSG`
    /// point to a pointer from `nn_allocmsg`.
    pub unsafe fn from_buf(buf: *const c_void, len: usize) -> Result<Body> {
        if len == NN_MSG {
            // SAFETY: the caller's promise for NN_MSG.
            return Ok(Body::User(unsafe { user_chunk_at(buf) }?));
        }
        // SAFETY: the caller's promise: len readable bytes.
        let bytes = unsafe { arg_slice(buf as *const u8, len) }?;
        Ok(Body::Copied(Chunk::from_slice(bytes)?))
    }

    /// `nn_sendmsg`'s iovecs: a single `NN_MSG` entry is sent as is, any
    /// other array is copied into one chunk (`NN_MSG` among several
    /// entries is `EINVAL`).
    ///
    /// # Safety
    /// Each entry's `iov_base` must be NULL or hold `iov_len` readable
    /// bytes, or for a single `NN_MSG` entry point to a chunk pointer.
    pub unsafe fn gather(iov: &[nn_iovec]) -> Result<Body> {
        if let [v] = iov {
            if v.iov_len == NN_MSG {
                // SAFETY: the caller's promise for a single NN_MSG entry.
                return Ok(Body::User(unsafe { user_chunk_at(v.iov_base) }?));
            }
        }
        let mut parts = Vec::with_capacity(iov.len());
        let mut total = 0usize;
        for v in iov {
            if v.iov_len == NN_MSG {
                return Err(Error::INVAL);
            }
            // SAFETY: the caller's promise: iov_len readable bytes.
            let part = unsafe { arg_slice(v.iov_base as *const u8, v.iov_len) }?;
            total = total.checked_add(part.len()).ok_or(Error::INVAL)?;
            parts.push(part);
        }
        Ok(Body::Copied(Chunk::gather(&parts, total)?))
    }

    fn len(&self) -> usize {
        match self {
            Body::Copied(c) => c.len(),
            Body::User(u) => u.len(),
        }
    }
}

/// A control buffer as the caller gave it.
pub enum Control<'a> {
    None,
    Bytes(&'a [u8]),
    /// An `NN_MSG` control buffer: the caller's chunk, which a successful
    /// `nn_sendmsg` consumes.
    User(UserChunk),
}

impl<'a> Control<'a> {
    /// `msg_control` and `msg_controllen`: NULL is no control buffer,
    /// `NN_MSG` a pointer to a chunk pointer.
    ///
    /// # Safety
    /// `ctl` must be NULL, hold `len` readable bytes for `'a`, or for
    /// `NN_MSG` point to a pointer from this library.
    pub unsafe fn from_raw(ctl: *mut c_void, len: usize) -> Result<Control<'a>> {
        if ctl.is_null() {
            return Ok(Control::None);
        }
        if len == NN_MSG {
            // SAFETY: the caller's promise for NN_MSG.
            return Ok(Control::User(unsafe { user_chunk_at(ctl) }?));
        }
        // SAFETY: the caller's promise: len readable bytes for 'a.
        Ok(Control::Bytes(unsafe { arg_slice(ctl as *const u8, len) }?))
    }

    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Control::None => None,
            Control::Bytes(b) => Some(b),
            Control::User(u) => Some(u.as_slice()),
        }
    }

    /// `nn_cmsg_nxthdr_`: the control message after the one at `cur`
    /// (the first when `cur` is NULL), or NULL. Only addresses are
    /// compared: `cur` is never read, its length is read from the buffer,
    /// and a `cur` outside the buffer ends the walk.
    pub fn next_header(&self, cur: *const nn_cmsghdr) -> *mut nn_cmsghdr {
        let Some(buf) = self.bytes() else {
            return std::ptr::null_mut();
        };
        let base = buf.as_ptr() as usize;
        let cur = if cur.is_null() {
            None
        } else {
            let Some(off) = (cur as usize).checked_sub(base) else {
                return std::ptr::null_mut();
            };
            let Some(len) = cmsg::len_at(buf, off) else {
                return std::ptr::null_mut();
            };
            Some((off, len))
        };
        match cmsg::next(buf, cur) {
            Some(next) => buf[next..].as_ptr() as *mut nn_cmsghdr,
            None => std::ptr::null_mut(),
        }
    }
}

/// Send `body` with protocol header `hdr`; returns the body's size.
pub fn send(sock: &Socket, body: Body, hdr: Vec<u8>, flags: c_int) -> Result<c_int> {
    let dontwait = flags & NN_DONTWAIT != 0;
    let len = body.len();
    match body {
        Body::Copied(c) => sock
            .send(Msg { hdr, body: c }, dontwait)
            .map_err(|(e, _)| e)?,
        Body::User(u) => u.lend(|c| {
            sock.send(Msg { hdr, body: c }, dontwait)
                .map_err(|(e, m)| (e, m.body))
        })?,
    }
    Ok(size_ret(len))
}

/// `nn_sendmsg`: the body gathered from the iovecs, the protocol header
/// from an `SP_HDR` control message if there is one. An `NN_MSG` body and
/// control buffer are consumed only when the send succeeds.
///
/// # Safety
/// `hdr`'s iovecs and control buffer must be as [`Body::gather`] and
/// [`Control::from_raw`] require.
pub unsafe fn sendmsg(sock: &Socket, hdr: &nn_msghdr, flags: c_int) -> Result<c_int> {
    let n = usize::try_from(hdr.msg_iovlen).map_err(|_| Error(libc::EMSGSIZE))?;
    // SAFETY: the caller's promise: msg_iovlen entries.
    let iov = unsafe { arg_slice(hdr.msg_iov, n) }?;
    // SAFETY: the caller's promise for the entries.
    let body = unsafe { Body::gather(iov) }?;
    // SAFETY: the caller's promise for the control buffer.
    let ctl = unsafe { Control::from_raw(hdr.msg_control, hdr.msg_controllen) }?;
    if let (Body::User(b), Control::User(c)) = (&body, &ctl) {
        if b.as_ptr() == c.as_ptr() {
            // Sending would consume the one chunk twice.
            return Err(Error::INVAL);
        }
    }
    let sphdr = ctl.bytes().and_then(cmsg::find_sp_header);
    let sent = send(sock, body, sphdr.unwrap_or_default(), flags)?;
    if let Control::User(c) = ctl {
        // Sent: the caller gave the control chunk up too.
        drop(c.into_chunk());
    }
    Ok(sent)
}

/// `nn_recv`: the message copied into `(buf, len)` (truncated), or with
/// `len == NN_MSG` its chunk handed over in `*(void **) buf`. Returns the
/// message's full size.
///
/// As upstream, the buffer matters only once there is a message (nothing
/// queued is `EAGAIN` or `ETIMEDOUT` even with NULL). Upstream then
/// crashes; we fail with `EFAULT` and the message is lost.
///
/// # Safety
/// `buf` must be NULL or have `len` writable bytes, or for `NN_MSG` room
/// for a pointer.
pub unsafe fn recv(sock: &Socket, buf: *mut c_void, len: usize, flags: c_int) -> Result<c_int> {
    let msg = sock.recv(flags & NN_DONTWAIT != 0)?;
    let full = msg.body.len();
    if len == NN_MSG {
        // SAFETY: the caller's promise: room for a pointer.
        let slot = unsafe { slot_at(buf) }?;
        *slot = msg.body.into_user()?.into_ptr();
    } else {
        // SAFETY: the caller's promise: len writable bytes.
        let out = unsafe { arg_slice_mut(buf as *mut MaybeUninit<u8>, len) }?;
        copy_out(out, msg.body.as_slice());
    }
    Ok(size_ret(full))
}

/// `nn_recvmsg`: the message scattered over the iovecs in order (or, for a
/// single `NN_MSG` entry, its chunk handed over), and the protocol header
/// as an `SP_HDR` control message when `msg_control` is set (inline if it
/// fits, or a new chunk for `NN_MSG`). Returns the message's full size.
///
/// As upstream, the message is taken first, so nothing queued is `EAGAIN`
/// or `ETIMEDOUT` whatever the iovecs are, and a bad iovec fails the call
/// and drops that message (upstream crashes on a NULL one). Entries past
/// the end of the message are not looked at. Chunks are handed to the
/// caller only once nothing can fail any more.
///
/// # Safety
/// `hdr`'s iovecs must be NULL or writable for their lengths (a single
/// `NN_MSG` entry: room for a pointer); `msg_control` NULL or writable for
/// `msg_controllen` bytes (`NN_MSG`: room for a pointer).
pub unsafe fn recvmsg(sock: &Socket, hdr: &mut nn_msghdr, flags: c_int) -> Result<c_int> {
    let n = usize::try_from(hdr.msg_iovlen).map_err(|_| Error(libc::EMSGSIZE))?;
    let msg = sock.recv(flags & NN_DONTWAIT != 0)?;
    let full = msg.body.len();
    // SAFETY: the caller's promise: msg_iovlen entries.
    let iov = unsafe { arg_slice_mut(hdr.msg_iov, n) }?;
    let body_out = match iov {
        [v] if v.iov_len == NN_MSG => {
            // SAFETY: the caller's promise: room for a pointer.
            let slot = unsafe { slot_at(v.iov_base) }?;
            Some((slot, msg.body.into_unique()?))
        }
        _ => {
            // SAFETY: the caller's promise for the entries.
            unsafe { scatter(iov, msg.body.as_slice()) }?;
            None
        }
    };
    let ctl_out = if hdr.msg_control.is_null() {
        None
    } else if hdr.msg_controllen == NN_MSG {
        // SAFETY: the caller's promise: room for a pointer.
        let slot = unsafe { slot_at(hdr.msg_control) }?;
        Some((slot, Chunk::from_slice(&cmsg::sp_header(&msg.hdr))?))
    } else {
        // SAFETY: the caller's promise: msg_controllen writable bytes.
        let out =
            unsafe { arg_slice_mut(hdr.msg_control as *mut MaybeUninit<u8>, hdr.msg_controllen) }?;
        let ctl = cmsg::sp_header(&msg.hdr);
        if out.len() >= ctl.len() {
            copy_out(out, &ctl);
        }
        None
    };
    // Both chunks are unique now, so handing them over copies nothing and
    // cannot fail.
    if let Some((slot, c)) = ctl_out {
        *slot = c.into_user()?.into_ptr();
    }
    if let Some((slot, c)) = body_out {
        *slot = c.into_user()?.into_ptr();
    }
    Ok(size_ret(full))
}

/// Fill the iovecs in order until `src` runs out.
///
/// # Safety
/// Each entry's `iov_base` must be NULL or have `iov_len` writable bytes.
unsafe fn scatter(iov: &[nn_iovec], mut src: &[u8]) -> Result<()> {
    for v in iov {
        if src.is_empty() {
            break;
        }
        if v.iov_len == NN_MSG {
            return Err(Error::INVAL);
        }
        // SAFETY: the caller's promise: iov_len writable bytes.
        let out = unsafe { arg_slice_mut(v.iov_base as *mut MaybeUninit<u8>, v.iov_len) }?;
        let k = out.len().min(src.len());
        copy_out(out, &src[..k]);
        src = &src[k..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iov(b: &mut [u8]) -> nn_iovec {
        nn_iovec {
            iov_base: b.as_mut_ptr() as *mut c_void,
            iov_len: b.len(),
        }
    }

    #[test]
    fn gather_and_scatter() {
        let (mut a, mut b) = (*b"hel", *b"lo");
        // SAFETY: both entries point to their arrays.
        let Body::Copied(c) = unsafe { Body::gather(&[iov(&mut a), iov(&mut b)]) }.unwrap() else {
            panic!("copied")
        };
        assert_eq!(c.as_slice(), b"hello");
        let (mut x, mut y) = ([0u8; 2], [0u8; 8]);
        let bad = nn_iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 5,
        };
        // SAFETY: the entries point to their arrays; the NULL one is past
        // the end of the message and never looked at.
        unsafe { scatter(&[iov(&mut x), iov(&mut y), bad], b"hello") }.unwrap();
        assert_eq!((&x, &y[..3]), (b"he", &b"llo"[..]));
        let null = nn_iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 1,
        };
        // SAFETY: a NULL entry is refused.
        assert_eq!(unsafe { scatter(&[null], b"x") }, Err(Error::FAULT));
        let msg = nn_iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: NN_MSG,
        };
        // SAFETY: NN_MSG among several entries is refused.
        let r = unsafe { Body::gather(&[iov(&mut a), msg]) };
        assert_eq!(r.unwrap_err(), Error::INVAL);
    }

    #[test]
    fn next_header_by_address() {
        let buf = cmsg::sp_header(b"ab");
        let ctl = Control::Bytes(&buf);
        let first = ctl.next_header(std::ptr::null());
        assert_eq!(first as *const u8, buf.as_ptr());
        assert!(ctl.next_header(first).is_null());
        let outside = buf.as_ptr().wrapping_sub(8) as *const nn_cmsghdr;
        assert!(ctl.next_header(outside).is_null());
        assert!(Control::None.next_header(std::ptr::null()).is_null());
    }
}
