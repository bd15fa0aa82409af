//! The control messages of nn_sendmsg / nn_recvmsg (nn_cmsg(3)): finding
//! the SP_HDR control message in a caller's buffer, walking a buffer as
//! NN_CMSG_FIRSTHDR / NN_CMSG_NXTHDR do, and writing the one we hand out.
//!
//! Input: one byte (the size of the buffer for the writer), then bytes
//! used as a control buffer as a caller may pass them, and as a header.
//! Checks: nothing panics or loops; the walk moves forward only and stays
//! inside the buffer; a header found lies inside the buffer; what the
//! writer writes, the finder and the walker read back, whatever follows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanomsg::fuzzing::cmsg;

const HSZ: usize = 16; // NN_CMSG_ALIGN(sizeof(struct nn_cmsghdr))
const PROTO_SP: i32 = 1;
const SP_HDR: i32 = 1;

fn len_at(b: &[u8], off: usize) -> usize {
    usize::from_ne_bytes(b[off..off + 8].try_into().unwrap())
}

fn walk(b: &[u8]) -> Vec<usize> {
    let mut seen = Vec::new();
    let mut cur = None;
    while let Some(off) = cmsg::next(b, cur) {
        assert!(off + HSZ <= b.len());
        let len = len_at(b, off);
        assert!(off + len <= b.len());
        if let Some(&prev) = seen.last() {
            assert!(off > prev, "the walk goes back or stays");
        }
        seen.push(off);
        cur = Some((off, len));
    }
    seen
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fuzz_target!(|input: &[u8]| {
    let Some((&room, data)) = input.split_first() else {
        return;
    };
    // A caller's buffer, whatever it holds.
    if let Some(h) = cmsg::find_sp_header(data) {
        assert!(h.len() + HSZ + 8 <= data.len());
        assert!(contains(data, &h));
    }
    let walked = walk(data);
    if !data.is_empty() {
        // A cursor anywhere, with any length, never leads outside.
        let off = usize::from(room) % data.len();
        let len = if data.len() >= 8 {
            len_at(data, 0)
        } else {
            usize::from(room)
        };
        if let Some(n) = cmsg::next(data, Some((off, len))) {
            assert!(n + HSZ <= data.len());
        }
    }
    let _ = walked;

    // What we write for a header (taken from the input), followed by
    // anything: found first, and the walk starts at it.
    let hdr = &data[..data.len().min(64)];
    let mut out = vec![0xa5u8; usize::from(room)];
    cmsg::put_sp_header(&mut out, hdr);
    let space = cmsg::space(8 + hdr.len());
    if out.len() < space {
        assert!(
            out.iter().all(|&b| b == 0xa5),
            "written though it does not fit"
        );
        return;
    }
    assert_eq!(len_at(&out, 0), space);
    assert_eq!(i32::from_ne_bytes(out[8..12].try_into().unwrap()), PROTO_SP);
    assert_eq!(i32::from_ne_bytes(out[12..16].try_into().unwrap()), SP_HDR);
    out.truncate(space);
    out.extend_from_slice(data);
    assert_eq!(cmsg::find_sp_header(&out).as_deref(), Some(hdr));
    assert_eq!(cmsg::next(&out, None), Some(0));
    let w = walk(&out);
    assert_eq!(w.first(), Some(&0));
});
