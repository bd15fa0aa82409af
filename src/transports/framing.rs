//! SP framing over tcp and ipc as a pure function over bytes: what the
//! next bytes of a stream hold. No I/O and no connection state, so it can
//! be tested at every split point and fuzzed (see `crate::fuzzing`).
//!
//! sp-tcp-mapping-01: each message is a 64-bit big-endian length, then
//! the message. sp-ipc-mapping-01: a message-type byte (1, a normal
//! message) comes before the length.

/// sp-ipc-mapping-01: the message-type byte of a normal message.
pub(crate) const IPC_MSG_NORMAL: u8 = 1;

/// The 8-byte SP protocol header both sides send first:
/// `\0SP\0`, the 16-bit big-endian protocol id, two reserved bytes.
pub fn sp_header(protocol: u16) -> [u8; 8] {
    let p = protocol.to_be_bytes();
    [0, b'S', b'P', 0, p[0], p[1], 0, 0]
}

/// The peer's protocol id from its SP header, if the header is well formed
/// (exactly 8 bytes, starting with `\0SP\0`). The reserved bytes are not
/// looked at.
pub fn sp_header_protocol(h: &[u8]) -> Option<u16> {
    if h.len() != 8 || h[..4] != [0, b'S', b'P', 0] {
        return None;
    }
    Some(u16::from_be_bytes([h[4], h[5]]))
}

/// The length prefix (and type byte) before each message.
pub fn sp_prefix_len(ipc: bool) -> usize {
    if ipc {
        9
    } else {
        8
    }
}

/// What the front of the received bytes holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpCut {
    /// Not enough bytes yet for the prefix or for the whole message.
    Need,
    /// A whole message: its body is `len` bytes at offset `at`; the frame
    /// takes `at + len` bytes.
    Msg { at: usize, len: usize },
    /// A message too large to wait for in the read buffer: give it a body
    /// of its own of `len` bytes; the input holds the first
    /// `input.len() - at` of them, from offset `at` on (the prefix is
    /// consumed with them).
    Large { at: usize, len: usize },
}

/// Why the stream is unusable: the connection is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpError {
    /// ipc: a message-type byte other than 1.
    BadType,
    /// The length exceeds `NN_RCVMAXSIZE`, or any memory we could give it.
    TooLarge,
}

/// Decide what `input` (the unparsed received bytes) starts with.
/// `maxsize` is `NN_RCVMAXSIZE` (negative: no limit); `buf_cap` is the size
/// of the read buffer: a message whose frame is larger than half of it
/// and not yet complete is `Large`.
pub fn sp_cut(input: &[u8], ipc: bool, maxsize: i64, buf_cap: usize) -> Result<SpCut, SpError> {
    let pre = sp_prefix_len(ipc);
    if input.len() < pre {
        return Ok(SpCut::Need);
    }
    if ipc && input[0] != IPC_MSG_NORMAL {
        return Err(SpError::BadType);
    }
    let at = pre - 8;
    let len = u64::from_be_bytes(input[at..pre].try_into().expect("8 bytes"));
    if maxsize >= 0 && len > maxsize as u64 {
        return Err(SpError::TooLarge);
    }
    let len = usize::try_from(len).map_err(|_| SpError::TooLarge)?;
    if len > isize::MAX as usize / 2 {
        return Err(SpError::TooLarge);
    }
    if input.len() - pre >= len {
        Ok(SpCut::Msg { at: pre, len })
    } else if len + pre > buf_cap / 2 {
        Ok(SpCut::Large { at: pre, len })
    } else {
        Ok(SpCut::Need)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ipc: bool, body: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        if ipc {
            v.push(IPC_MSG_NORMAL);
        }
        v.extend_from_slice(&(body.len() as u64).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn header() {
        let h = sp_header(0x1234);
        assert_eq!(h, [0, b'S', b'P', 0, 0x12, 0x34, 0, 0]);
        assert_eq!(sp_header_protocol(&h), Some(0x1234));
        assert_eq!(sp_header_protocol(&h[..7]), None);
        assert_eq!(sp_header_protocol(&[&h[..], &[0]].concat()), None);
        let mut bad = h;
        bad[2] = b'Q';
        assert_eq!(sp_header_protocol(&bad), None);
        // The reserved bytes are ignored.
        bad = h;
        bad[6] = 0xff;
        assert_eq!(sp_header_protocol(&bad), Some(0x1234));
    }

    #[test]
    fn whole_messages() {
        for ipc in [false, true] {
            let pre = sp_prefix_len(ipc);
            let f = frame(ipc, b"hello");
            assert_eq!(
                sp_cut(&f, ipc, -1, 1024),
                Ok(SpCut::Msg { at: pre, len: 5 })
            );
            // Trailing bytes of the next frame change nothing.
            let two = [frame(ipc, b"hello"), frame(ipc, b"x")].concat();
            assert_eq!(
                sp_cut(&two, ipc, -1, 1024),
                Ok(SpCut::Msg { at: pre, len: 5 })
            );
            assert_eq!(
                sp_cut(&frame(ipc, b""), ipc, 0, 1024),
                Ok(SpCut::Msg { at: pre, len: 0 })
            );
        }
    }

    #[test]
    fn every_split_point_needs_more() {
        for ipc in [false, true] {
            let f = frame(ipc, b"some message body");
            for k in 0..f.len() {
                assert_eq!(sp_cut(&f[..k], ipc, -1, 1024), Ok(SpCut::Need), "k={k}");
            }
        }
    }

    #[test]
    fn large_messages_get_their_own_body() {
        for ipc in [false, true] {
            let pre = sp_prefix_len(ipc);
            let body = vec![7u8; 600];
            let f = frame(ipc, &body);
            // Frame of 608/609 bytes > 1024 / 2: Large as soon as the
            // prefix is in, whatever part of the body came with it.
            for k in pre..f.len() {
                assert_eq!(
                    sp_cut(&f[..k], ipc, -1, 1024),
                    Ok(SpCut::Large { at: pre, len: 600 }),
                    "k={k}"
                );
            }
            assert_eq!(
                sp_cut(&f, ipc, -1, 1024),
                Ok(SpCut::Msg { at: pre, len: 600 })
            );
            // With a larger buffer it waits instead.
            assert_eq!(sp_cut(&f[..pre + 10], ipc, -1, 4096), Ok(SpCut::Need));
            // Exactly half the buffer still waits.
            let g = frame(ipc, &vec![0u8; 512 - pre]);
            assert_eq!(sp_cut(&g[..pre], ipc, -1, 1024), Ok(SpCut::Need));
            let g = frame(ipc, &vec![0u8; 513 - pre]);
            assert_eq!(
                sp_cut(&g[..pre], ipc, -1, 1024),
                Ok(SpCut::Large {
                    at: pre,
                    len: 513 - pre
                })
            );
        }
    }

    #[test]
    fn maxsize() {
        for ipc in [false, true] {
            let pre = sp_prefix_len(ipc);
            let f = frame(ipc, b"12345");
            assert_eq!(sp_cut(&f, ipc, 5, 1024), Ok(SpCut::Msg { at: pre, len: 5 }));
            assert_eq!(sp_cut(&f, ipc, 4, 1024), Err(SpError::TooLarge));
            // Refused from the prefix alone, before any body arrives.
            assert_eq!(sp_cut(&f[..pre], ipc, 4, 1024), Err(SpError::TooLarge));
            assert_eq!(
                sp_cut(&frame(ipc, b"")[..pre], ipc, 0, 1024),
                Ok(SpCut::Msg { at: pre, len: 0 })
            );
        }
    }

    #[test]
    fn absurd_lengths() {
        for ipc in [false, true] {
            for len in [1u64 << 63, u64::MAX, (isize::MAX as u64 / 2) + 1] {
                let mut f = Vec::new();
                if ipc {
                    f.push(IPC_MSG_NORMAL);
                }
                f.extend_from_slice(&len.to_be_bytes());
                f.extend_from_slice(b"tail");
                for max in [-1, i64::MAX, 1 << 20] {
                    assert_eq!(
                        sp_cut(&f, ipc, max, 1 << 16),
                        Err(SpError::TooLarge),
                        "len={len} max={max}"
                    );
                }
            }
        }
    }

    #[test]
    fn bad_ipc_type() {
        for t in [0u8, 2, 0x80, 0xff] {
            let mut f = frame(true, b"abc");
            f[0] = t;
            assert_eq!(sp_cut(&f, true, -1, 1024), Err(SpError::BadType));
            // Only seen once the whole prefix is in (as before).
            assert_eq!(sp_cut(&f[..8], true, -1, 1024), Ok(SpCut::Need));
        }
        // Over tcp the same bytes are just a length.
        let f = frame(false, b"abc");
        assert!(sp_cut(&f, false, -1, 1024).is_ok());
    }
}
