//! Protocol headers of the request/reply family (sp-request-reply-01,
//! sp-surveyor-01): a stack of big-endian 32-bit words. Each hop that
//! received the message pushed the key of the pipe it came in on (top bit
//! clear); the bottom word is the request or survey id (top bit set).

use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::pipe::PipeId;
use crate::protocols::pipe_key;
use crate::protocols::prio::FairQueue;

pub(crate) const ID_FLAG: u32 = 0x8000_0000;
/// The most hops any header can have (`NN_MAXTTL` is at most 255).
pub(crate) const MAX_HOPS: usize = 255;

/// The header bytes and body of a message as they travel: the header
/// words may sit in `hdr` (inproc) or at the front of the body (a peer
/// that sent them as plain bytes).
fn split(m: &Msg, words: usize) -> Option<(Vec<u8>, usize)> {
    let hdr = &m.hdr;
    let body = m.body.as_slice();
    let mut out = Vec::with_capacity(words * 4);
    let mut from_body = 0;
    let word = |i: usize| -> Option<[u8; 4]> {
        let at = i * 4;
        if at + 4 <= hdr.len() {
            hdr[at..at + 4].try_into().ok()
        } else if at >= hdr.len() {
            let b = at - hdr.len();
            body.get(b..b + 4)?.try_into().ok()
        } else {
            None // a word split across header and body: malformed
        }
    };
    for i in 0..words {
        let w = word(i)?;
        out.extend_from_slice(&w);
        if (i + 1) * 4 > hdr.len() {
            from_body = (i + 1) * 4 - hdr.len();
        }
        if u32::from_be_bytes(w) & ID_FLAG != 0 {
            return Some((out, from_body));
        }
    }
    None
}

/// The message with `n` bytes cut off the front of its body.
fn cut_body(m: Msg, n: usize) -> Result<Msg> {
    if n == 0 {
        return Ok(m);
    }
    let mut out = Msg::from_slice(&m.body.as_slice()[n..])?;
    out.hdr = m.hdr;
    Ok(out)
}

/// Take the backtrace (pipe keys down to and including the request id) off
/// a received message. `None` if it is malformed or longer than `max_hops`
/// words: such messages are dropped.
pub fn take_backtrace(m: Msg, max_hops: usize) -> Option<(Vec<u8>, Msg)> {
    let (bt, from_body) = split(&m, max_hops)?;
    let mut m = cut_body(m, from_body).ok()?;
    m.hdr.clear();
    Some((bt, m))
}

/// Take the 4-byte request/survey id off a reply; `None` if malformed.
pub fn take_id(m: Msg) -> Option<(u32, Msg)> {
    let (w, from_body) = split(&m, 1)?;
    let mut m = cut_body(m, from_body).ok()?;
    m.hdr.clear();
    Some((u32::from_be_bytes(w[..4].try_into().ok()?), m))
}

/// Raw REQ/SURVEYOR receive: the next well-formed reply with the whole
/// remaining backtrace (pipe keys of the hops still to go, then the id) as
/// its header, for a device to route with.
pub fn recv_with_backtrace(fq: &mut FairQueue) -> Result<Msg> {
    while let Some((m, _)) = fq.recv() {
        if let Some((bt, mut m)) = take_backtrace(m, MAX_HOPS) {
            m.hdr = bt;
            return Ok(m);
        }
    }
    Err(Error::AGAIN)
}

/// Prepend the key of the pipe a message came in on (raw REP/RESPONDENT).
pub fn push_pipe(bt: &[u8], from: PipeId) -> Vec<u8> {
    let mut h = Vec::with_capacity(bt.len() + 4);
    h.extend_from_slice(&pipe_key(from).to_be_bytes());
    h.extend_from_slice(bt);
    h
}

/// Split the pipe key off the front of a raw reply's header.
pub fn pop_pipe(hdr: &[u8]) -> Option<(PipeId, Vec<u8>)> {
    let key = u32::from_be_bytes(hdr.get(..4)?.try_into().ok()?);
    Some((key as PipeId, hdr[4..].to_vec()))
}

/// A source of request/survey ids: sequential from a random start, top bit set.
pub struct Ids(u32);

impl Default for Ids {
    fn default() -> Self {
        let mut seed = 0u32;
        // SAFETY: getrandom into a live u32; on failure the clock seeds it.
        let n = unsafe { libc::getrandom(&mut seed as *mut u32 as *mut libc::c_void, 4, 0) };
        if n != 4 {
            seed = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(1);
        }
        Ids(seed)
    }
}

impl Ids {
    pub fn next_id(&mut self) -> u32 {
        self.0 = self.0.wrapping_add(1);
        self.0 | ID_FLAG
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(hdr: &[u8], body: &[u8]) -> Msg {
        let mut m = Msg::from_slice(body).unwrap();
        m.hdr = hdr.to_vec();
        m
    }

    #[test]
    fn backtrace_from_header() {
        let m = msg(&[0, 0, 0, 5, 0x80, 0, 0, 1], b"body");
        let (bt, m) = take_backtrace(m, 8).unwrap();
        assert_eq!(bt, [0, 0, 0, 5, 0x80, 0, 0, 1]);
        assert_eq!(m.body.as_slice(), b"body");
        assert!(m.hdr.is_empty());
    }

    #[test]
    fn backtrace_from_body() {
        let m = msg(&[], &[0, 0, 0, 5, 0x80, 0, 0, 1, b'x']);
        let (bt, m) = take_backtrace(m, 8).unwrap();
        assert_eq!(bt.len(), 8);
        assert_eq!(m.body.as_slice(), b"x");
    }

    #[test]
    fn too_many_hops_or_no_id_is_dropped() {
        assert!(take_backtrace(msg(&[0, 0, 0, 5, 0x80, 0, 0, 1], b""), 1).is_none());
        assert!(take_backtrace(msg(&[0, 0, 0, 5], b""), 8).is_none());
        assert!(take_backtrace(msg(&[0, 0], b"\0\0"), 8).is_none());
    }

    #[test]
    fn ids_have_the_top_bit() {
        let mut ids = Ids::default();
        let a = ids.next_id();
        let b = ids.next_id();
        assert!(a & ID_FLAG != 0 && b & ID_FLAG != 0 && a != b);
    }
}
