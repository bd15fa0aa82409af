//! SP framing over tcp and ipc (`sp_cut`) and the SP header check.
//!
//! Input: one byte of settings (ipc, NN_RCVMAXSIZE, read buffer size), one
//! byte seeding how the stream is cut into reads, then the stream.
//! Checks: every answer's own invariants; a reader fed the stream in
//! pieces (as the connection reads it, large messages included) gets the
//! same messages and the same end as a plain decoder written from
//! sp-tcp-mapping-01 / sp-ipc-mapping-01 that sees the whole stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanomsg::fuzzing::{sp_cut, sp_header, sp_header_protocol, sp_prefix_len, SpCut, SpError};

const MAXSIZES: [i64; 8] = [-1, 0, 1, 5, 64, 1000, 1 << 20, i64::MAX];
const CAPS: [usize; 4] = [16, 40, 256, 65536];

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    msgs: Vec<Vec<u8>>,
    /// The error that ended the stream, if one did.
    err: Option<SpError>,
    /// Bytes left after the last whole message (no error).
    left: usize,
}

/// The specification, straight: type byte (ipc), length, body, repeat.
fn reference(data: &[u8], ipc: bool, maxsize: i64) -> Outcome {
    let pre = if ipc { 9 } else { 8 };
    let mut msgs = Vec::new();
    let mut rest = data;
    loop {
        if rest.len() < pre {
            return Outcome {
                msgs,
                err: None,
                left: rest.len(),
            };
        }
        if ipc && rest[0] != 1 {
            return Outcome {
                msgs,
                err: Some(SpError::BadType),
                left: 0,
            };
        }
        let mut l = [0u8; 8];
        l.copy_from_slice(&rest[pre - 8..pre]);
        let len = u64::from_be_bytes(l);
        // Over the limit, or more than half of the address space.
        if (maxsize >= 0 && len > maxsize as u64) || len > (isize::MAX as u64) / 2 {
            return Outcome {
                msgs,
                err: Some(SpError::TooLarge),
                left: 0,
            };
        }
        let len = len as usize;
        if rest.len() - pre < len {
            return Outcome {
                msgs,
                err: None,
                left: rest.len(),
            };
        }
        msgs.push(rest[pre..pre + len].to_vec());
        rest = &rest[pre + len..];
    }
}

/// Read sizes from a seed; seed 0 reads all it can at once.
struct Pieces(u64);

impl Pieces {
    fn next(&mut self) -> usize {
        if self.0 == 0 {
            return usize::MAX;
        }
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        // Mostly small reads, sometimes large ones.
        match self.0 % 8 {
            0 => 1 + (self.0 >> 8) as usize % 4096,
            _ => 1 + (self.0 >> 8) as usize % 13,
        }
    }
}

/// The connection's reader: a buffer of `cap` bytes, reads of the sizes
/// `pieces` gives (at most the free space), whole messages cut out, a
/// large message read straight into a body of its own.
fn reader(data: &[u8], ipc: bool, maxsize: i64, cap: usize, mut pieces: Pieces) -> Outcome {
    let pre = sp_prefix_len(ipc);
    let mut msgs = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    // A large message: its body so far and its length.
    let mut big: Option<(Vec<u8>, usize)> = None;
    loop {
        if let Some((body, len)) = &mut big {
            if body.len() == *len {
                msgs.push(std::mem::take(body));
                big = None;
                continue;
            }
            if fed == data.len() {
                // The length was over the buffer's half, so it cannot be
                // left over in the plain decoder's terms: count it.
                return Outcome {
                    msgs,
                    err: None,
                    left: pre + body.len(),
                };
            }
            let k = pieces.next().min(*len - body.len()).min(data.len() - fed);
            body.extend_from_slice(&data[fed..fed + k]);
            fed += k;
            continue;
        }
        match sp_cut(&buf, ipc, maxsize, cap) {
            Err(e) => {
                check_error(&buf, ipc, maxsize, e);
                return Outcome {
                    msgs,
                    err: Some(e),
                    left: 0,
                };
            }
            Ok(SpCut::Msg { at, len }) => {
                assert_eq!(at, pre);
                assert!(at + len <= buf.len());
                assert_eq!(prefix_len(&buf, ipc), Some(len as u64));
                assert!(maxsize < 0 || len as u64 <= maxsize as u64);
                msgs.push(buf[at..at + len].to_vec());
                buf.drain(..at + len);
            }
            Ok(SpCut::Large { at, len }) => {
                assert_eq!(at, pre);
                assert!(len > buf.len() - at, "a whole message is not large");
                assert!(len + pre > cap / 2);
                assert_eq!(prefix_len(&buf, ipc), Some(len as u64));
                assert!(maxsize < 0 || len as u64 <= maxsize as u64);
                assert!(len <= isize::MAX as usize / 2);
                big = Some((buf[at..].to_vec(), len));
                buf.clear();
            }
            Ok(SpCut::Need) => {
                if buf.len() >= pre {
                    // Waiting only for a message that fits the buffer, so
                    // the connection's reader is never stuck full.
                    let len = prefix_len(&buf, ipc).expect("prefix");
                    assert!(pre as u64 + len > buf.len() as u64);
                    assert!(pre as u64 + len <= (cap / 2) as u64);
                }
                if fed == data.len() {
                    return Outcome {
                        msgs,
                        err: None,
                        left: buf.len(),
                    };
                }
                let room = cap - buf.len();
                assert!(room > 0, "buffer full and nothing to cut");
                let k = pieces.next().min(room).min(data.len() - fed);
                buf.extend_from_slice(&data[fed..fed + k]);
                fed += k;
            }
        }
    }
}

fn prefix_len(b: &[u8], ipc: bool) -> Option<u64> {
    let at = if ipc { 1 } else { 0 };
    let l: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_be_bytes(l))
}

fn check_error(b: &[u8], ipc: bool, maxsize: i64, e: SpError) {
    match e {
        SpError::BadType => assert!(ipc && b[0] != 1),
        SpError::TooLarge => {
            let len = prefix_len(b, ipc).expect("a length was read");
            assert!((maxsize >= 0 && len > maxsize as u64) || len > isize::MAX as u64 / 2);
        }
    }
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 2 {
        return;
    }
    let ipc = input[0] & 1 != 0;
    let maxsize = MAXSIZES[(input[0] >> 1) as usize & 7];
    let cap = CAPS[(input[0] >> 4) as usize & 3];
    let data = &input[2..];

    // The handshake header.
    if data.len() >= 8 {
        match sp_header_protocol(&data[..8]) {
            Some(p) => {
                assert_eq!(&sp_header(p)[..6], &data[..6]);
            }
            None => assert_ne!(&data[..4], b"\0SP\0"),
        }
    }
    assert_eq!(
        sp_header_protocol(&sp_header(u16::from(input[1]) << 4)),
        Some(u16::from(input[1]) << 4)
    );

    let want = reference(data, ipc, maxsize);
    // One read of everything, and reads cut by the seed.
    let whole = reader(data, ipc, maxsize, cap.max(data.len() + 1), Pieces(0));
    let cut = reader(
        data,
        ipc,
        maxsize,
        cap,
        Pieces(u64::from(input[1]) * 0x9e37_79b9 + 1),
    );
    assert_eq!(whole, want);
    assert_eq!(cut, want);
});
