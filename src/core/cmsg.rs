//! Control messages (`nn_cmsg(3)`) of `nn_sendmsg` / `nn_recvmsg`, as pure
//! functions over the bytes of a control buffer.
//!
//! A control buffer is a run of control messages, each an [`nn_cmsghdr`]
//! followed by its data, each starting at an offset aligned to `size_t`.
//! The protocol header travels as one control message of level `PROTO_SP`,
//! type `SP_HDR`, whose data is the header's length as a `size_t` followed
//! by the header bytes; its `cmsg_len` is `NN_CMSG_SPACE(sizeof(size_t) +
//! length)`, as upstream lays it out. Offsets and sizes come from the
//! `#[repr(C)]` header type itself, never from hard-coded numbers.

use std::mem::{offset_of, size_of};
use std::os::raw::c_int;

use crate::consts::{PROTO_SP, SP_HDR};

/// The header of one control message (ancillary data).
#[repr(C)]
pub struct nn_cmsghdr {
    pub cmsg_len: usize,
    pub cmsg_level: c_int,
    pub cmsg_type: c_int,
}

/// Control messages start at multiples of this (`NN_CMSG_ALIGN_`).
const ALIGN: usize = size_of::<usize>();
/// Where a control message's data starts: `NN_CMSG_ALIGN_(sizeof (struct
/// nn_cmsghdr))`.
const HSZ: usize = align(size_of::<nn_cmsghdr>());

const LEN: std::ops::Range<usize> = field(offset_of!(nn_cmsghdr, cmsg_len), size_of::<usize>());
const LEVEL: std::ops::Range<usize> = field(offset_of!(nn_cmsghdr, cmsg_level), size_of::<c_int>());
const TYPE: std::ops::Range<usize> = field(offset_of!(nn_cmsghdr, cmsg_type), size_of::<c_int>());

const fn field(at: usize, size: usize) -> std::ops::Range<usize> {
    at..at + size
}

const fn align(len: usize) -> usize {
    (len + ALIGN - 1) & !(ALIGN - 1)
}

/// [`align`] for a length read from a caller's buffer: `None` when
/// aligning it would wrap around.
fn align_checked(len: usize) -> Option<usize> {
    Some(len.checked_add(ALIGN - 1)? & !(ALIGN - 1))
}

/// `NN_CMSG_SPACE(len)`: the room a control message with `len` bytes of
/// data takes, padding included.
pub const fn space(len: usize) -> usize {
    align(len) + HSZ
}

/// The room the `SP_HDR` control message for a header of `hdr_len` bytes
/// takes.
pub const fn sp_header_space(hdr_len: usize) -> usize {
    space(ALIGN + hdr_len)
}

/// One field of the control message header at the front of `c` (which
/// holds at least [`HSZ`] bytes).
fn read_usize(c: &[u8], at: std::ops::Range<usize>) -> usize {
    usize::from_ne_bytes(c[at].try_into().expect("field size"))
}

fn read_int(c: &[u8], at: std::ops::Range<usize>) -> c_int {
    c_int::from_ne_bytes(c[at].try_into().expect("field size"))
}

/// Find the `PROTO_SP`/`SP_HDR` control message and return the header.
/// Lengths come from the caller and may be anything: a control message
/// that does not fit the buffer ends the search.
pub fn find_sp_header(ctl: &[u8]) -> Option<Vec<u8>> {
    let mut off = 0;
    while ctl.len() - off >= HSZ {
        let c = &ctl[off..];
        let len = read_usize(c, LEN);
        if len < HSZ || len > c.len() {
            return None;
        }
        if read_int(c, LEVEL) == PROTO_SP && read_int(c, TYPE) == SP_HDR && len >= HSZ + ALIGN {
            let data = &c[HSZ..len];
            let n = read_usize(data, 0..ALIGN);
            return data.get(ALIGN..ALIGN.checked_add(n)?).map(|h| h.to_vec());
        }
        // len <= c.len(): the next offset is at most ALIGN - 1 past the end.
        off += align(len);
        if off > ctl.len() {
            return None;
        }
    }
    None
}

/// The `SP_HDR` control message for `sphdr`, padding included.
pub fn sp_header(sphdr: &[u8]) -> Vec<u8> {
    let mut out = vec![0; sp_header_space(sphdr.len())];
    put_sp_header(&mut out, sphdr);
    out
}

/// The `cmsg_len` of the control message at `off`, if its header lies
/// inside `buf`.
pub fn len_at(buf: &[u8], off: usize) -> Option<usize> {
    let c = buf.get(off..off.checked_add(HSZ)?)?;
    Some(read_usize(c, LEN))
}

/// Write the `SP_HDR` control message for `sphdr` into `out` if it fits
/// (nothing is written otherwise).
pub fn put_sp_header(out: &mut [u8], sphdr: &[u8]) {
    let total = sp_header_space(sphdr.len());
    if out.len() < total {
        return;
    }
    out[..total].fill(0);
    out[LEN].copy_from_slice(&total.to_ne_bytes());
    out[LEVEL].copy_from_slice(&PROTO_SP.to_ne_bytes());
    out[TYPE].copy_from_slice(&SP_HDR.to_ne_bytes());
    out[HSZ..HSZ + ALIGN].copy_from_slice(&sphdr.len().to_ne_bytes());
    out[HSZ + ALIGN..HSZ + ALIGN + sphdr.len()].copy_from_slice(sphdr);
}

/// Walk a control buffer: the offset of the control message after the one
/// at `cur` (its offset and `cmsg_len`), or of the first when `cur` is
/// `None`; `None` when there is no further whole one.
pub fn next(buf: &[u8], cur: Option<(usize, usize)>) -> Option<usize> {
    let next = match cur {
        None => 0,
        Some((_, 0)) => return None,
        Some((off, len)) => off.checked_add(align_checked(len)?)?,
    };
    if next.checked_add(HSZ).is_none_or(|e| e > buf.len()) {
        return None;
    }
    let len = read_usize(&buf[next..], LEN);
    if align_checked(len)
        .and_then(|l| next.checked_add(l))
        .is_none_or(|e| e > buf.len())
    {
        return None;
    }
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_upstreams() {
        // struct nn_cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; }
        // on LP64: 16 bytes, data at 16.
        #[cfg(target_pointer_width = "64")]
        assert_eq!((LEN, LEVEL, TYPE, HSZ), (0..8, 8..12, 12..16, 16));
        assert_eq!(space(0), HSZ);
        assert_eq!(space(1), HSZ + ALIGN);
    }

    #[test]
    fn sp_header_round_trip() {
        let mut buf = vec![0u8; 64];
        put_sp_header(&mut buf, &[1, 2, 3, 4]);
        assert_eq!(find_sp_header(&buf), Some(vec![1, 2, 3, 4]));
        assert_eq!(read_usize(&buf, LEN), space(ALIGN + 4));
        assert_eq!(read_int(&buf, LEVEL), PROTO_SP);
        assert_eq!(read_int(&buf, TYPE), SP_HDR);
    }

    #[test]
    fn sp_header_does_not_fit() {
        let mut buf = vec![0xaau8; 16];
        put_sp_header(&mut buf, &[1, 2, 3, 4]);
        assert!(buf.iter().all(|&b| b == 0xaa));
    }

    /// A control message header: length, level, type.
    fn cmsg(len: usize, level: i32, typ: i32) -> Vec<u8> {
        let mut v = vec![0u8; HSZ];
        v[LEN].copy_from_slice(&len.to_ne_bytes());
        v[LEVEL].copy_from_slice(&level.to_ne_bytes());
        v[TYPE].copy_from_slice(&typ.to_ne_bytes());
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
            let mut buf = cmsg(HSZ, 9, 9);
            buf.extend(cmsg(bad, 9, 9));
            buf.resize(128, 0);
            assert_eq!(find_sp_header(&buf), None, "{bad}");
            assert_eq!(next(&buf, None), Some(0));
            assert_eq!(next(&buf, Some((0, HSZ))), None, "{bad}");
            assert_eq!(next(&buf, Some((HSZ, bad))), None, "{bad}");
            assert_eq!(next(&buf, Some((usize::MAX - 8, HSZ))), None);
            let mut buf = cmsg(bad, PROTO_SP, SP_HDR);
            buf.resize(128, 0);
            assert_eq!(find_sp_header(&buf), None, "{bad}");
            assert_eq!(next(&buf, None), None, "{bad}");
        }
    }

    #[test]
    fn walk_and_search() {
        // Two properties, the header in the second; a trailing partial
        // header is not walked into.
        let len3 = HSZ + 3; // NN_CMSG_LEN(3)
        let mut buf = cmsg(len3, 7, 70);
        buf.resize(space(3), 0);
        let at = buf.len();
        buf.resize(at + 64, 0);
        put_sp_header(&mut buf[at..], &[1, 2, 3]);
        let total = at + sp_header_space(3);
        buf.truncate(total);
        assert_eq!(find_sp_header(&buf), Some(vec![1, 2, 3]));
        assert_eq!(next(&buf, None), Some(0));
        assert_eq!(next(&buf, Some((0, len3))), Some(at));
        assert_eq!(next(&buf, Some((at, sp_header_space(3)))), None);
        buf.extend_from_slice(&[0; 15]);
        assert_eq!(next(&buf, Some((at, sp_header_space(3)))), None);
        // An empty header (no size_t) and one whose size runs past the
        // property are ignored.
        let mut e = cmsg(HSZ, PROTO_SP, SP_HDR);
        e.resize(2 * HSZ, 0);
        assert_eq!(find_sp_header(&e), None);
        let mut long = vec![0u8; 64];
        put_sp_header(&mut long, &[5; 8]);
        long[HSZ..HSZ + ALIGN].copy_from_slice(&9usize.to_ne_bytes());
        assert_eq!(find_sp_header(&long), None);
        long[HSZ..HSZ + ALIGN].copy_from_slice(&usize::MAX.to_ne_bytes());
        assert_eq!(find_sp_header(&long), None);
        // A zero-length cursor ends the walk.
        assert_eq!(next(&buf, Some((0, 0))), None);
    }

    #[test]
    fn malformed_control_is_ignored() {
        let mut buf = vec![0u8; 32];
        buf[LEN].copy_from_slice(&1000usize.to_ne_bytes());
        assert_eq!(find_sp_header(&buf), None);
        assert_eq!(find_sp_header(&[]), None);
    }
}
