//! WebSocket framing (RFC 6455 section 5) as pure functions over bytes:
//! frame headers, masking, and the [`Deframer`] that turns received bytes
//! into messages and control frames.

use std::cell::Cell;

pub(crate) const OP_CONT: u8 = 0x0;
pub(crate) const OP_TEXT: u8 = 0x1;
pub(crate) const OP_BINARY: u8 = 0x2;
pub(crate) const OP_CLOSE: u8 = 0x8;
pub(crate) const OP_PING: u8 = 0x9;
pub(crate) const OP_PONG: u8 = 0xa;

/// A parsed frame header.
#[derive(Debug, PartialEq, Eq)]
pub struct FrameHead {
    pub fin: bool,
    pub op: u8,
    pub mask: Option<[u8; 4]>,
    pub len: usize,
    pub hdr_len: usize,
}

/// Parse a frame header at the front of `b`: `Ok(None)` if incomplete,
/// `Err` if malformed (reserved bits, bad control frame, absurd length).
pub(crate) fn parse_header(b: &[u8]) -> std::result::Result<Option<FrameHead>, ()> {
    if b.len() < 2 {
        return Ok(None);
    }
    let fin = b[0] & 0x80 != 0;
    if b[0] & 0x70 != 0 {
        return Err(()); // no extensions were negotiated
    }
    let op = b[0] & 0x0f;
    let masked = b[1] & 0x80 != 0;
    let len7 = (b[1] & 0x7f) as usize;
    let ext = match len7 {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let hdr_len = 2 + ext + if masked { 4 } else { 0 };
    if b.len() < hdr_len {
        return Ok(None);
    }
    let len = match ext {
        2 => u16::from_be_bytes([b[2], b[3]]) as u64,
        8 => u64::from_be_bytes(b[2..10].try_into().expect("8 bytes")),
        _ => len7 as u64,
    };
    if len >> 63 != 0 {
        return Err(());
    }
    if op >= 8 && (!fin || len > 125) {
        return Err(()); // control frames are short and whole
    }
    let len = usize::try_from(len).map_err(|_| ())?;
    let mask = masked.then(|| {
        let m = &b[2 + ext..2 + ext + 4];
        [m[0], m[1], m[2], m[3]]
    });
    Ok(Some(FrameHead {
        fin,
        op,
        mask,
        len,
        hdr_len,
    }))
}

/// Write a final frame's header into `out`; returns its length.
pub(crate) fn frame_header(out: &mut [u8; 14], op: u8, len: usize, mask: Option<[u8; 4]>) -> usize {
    out[0] = 0x80 | op;
    let m = if mask.is_some() { 0x80 } else { 0 };
    let mut n = if len < 126 {
        out[1] = m | len as u8;
        2
    } else if len <= 0xffff {
        out[1] = m | 126;
        out[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        4
    } else {
        out[1] = m | 127;
        out[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    };
    if let Some(k) = mask {
        out[n..n + 4].copy_from_slice(&k);
        n += 4;
    }
    n
}

/// XOR `data` with the mask, `at` being the payload offset of `data[0]`.
pub(crate) fn apply_mask(data: &mut [u8], key: [u8; 4], at: usize) {
    for (i, b) in data.iter_mut().enumerate() {
        *b ^= key[(at + i) & 3];
    }
}

/// A final frame's header as we send it, into `out`: a client masks every
/// frame with a fresh key (returned with the header's length), a server
/// masks none (RFC 6455 5.1).
pub(crate) fn send_header(
    out: &mut [u8; 14],
    op: u8,
    len: usize,
    client: bool,
) -> (usize, Option<[u8; 4]>) {
    let mask = client.then(mask_key);
    (frame_header(out, op, len, mask), mask)
}

/// A client's payload for a frame [`send_header`] made: `parts` joined
/// into one buffer and masked with `key`.
pub(crate) fn masked_payload(parts: &[&[u8]], key: [u8; 4]) -> Vec<u8> {
    let mut m = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        m.extend_from_slice(p);
    }
    apply_mask(&mut m, key, 0);
    m
}

/// What a received WebSocket message may keep of a large message's buffer.
const KEEP_CAPACITY: usize = 64 * 1024;

/// What the front of the received bytes holds ([`Deframer::next`]).
#[derive(Debug, PartialEq, Eq)]
pub enum WsStep {
    /// Not enough bytes yet. `Some(n)`: the frame takes `n` bytes in all
    /// (the caller makes room for them); `None`: its header is incomplete.
    Need(Option<usize>),
    /// A whole frame of `used` bytes was taken.
    Frame { used: usize, event: WsEvent },
}

/// What a taken frame means.
#[derive(Debug, PartialEq, Eq)]
pub enum WsEvent {
    /// A data frame that is not its message's last: its payload was added
    /// to the message being assembled.
    Fragment,
    /// The last frame of a message: take the message with
    /// [`Deframer::take_message`] before the next call.
    Message,
    /// A ping and its (unmasked) payload: answer with a pong carrying it.
    Ping(Vec<u8>),
    /// A pong: nothing to do.
    Pong,
    /// A close and its (unmasked) payload: answer it and end.
    Close(Vec<u8>),
}

/// A protocol error: the connection is failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WsError {
    /// Reserved bits set, a fragmented control frame or one longer than
    /// 125 bytes, a length of 2^63 or more.
    Header,
    /// A client frame without a mask, or a server frame with one.
    Masking,
    /// The message would exceed `NN_RCVMAXSIZE` (or the memory we have).
    TooLarge,
    /// A continuation with no message started, or a new message before
    /// the previous one ended.
    Continuation,
    /// A reserved opcode.
    Opcode,
    /// A text message that is not UTF-8 (RFC 6455 fails the connection).
    Utf8,
}

/// The receiving half of a WebSocket connection as a pure function over
/// bytes: feed it the unparsed input, it says what the front holds and
/// assembles messages from fragments. No I/O, so it can be tested at
/// every split point and fuzzed.
#[derive(Debug, Default)]
pub struct Deframer {
    /// The message being assembled (or, after `Message`, the whole one).
    msg: Vec<u8>,
    /// A message has started and its last frame has not come.
    in_msg: bool,
    /// The message started as a text frame.
    text: bool,
    /// `msg` holds a whole message that was handed out.
    done: bool,
}

impl Deframer {
    /// Look at the front of `input`. `server`: we are the server, so
    /// frames must be masked (and unmasked ones fail); as a client, masked
    /// ones fail. `maxsize` is `NN_RCVMAXSIZE` (negative: no limit), checked
    /// against a data frame's length before its payload arrives.
    pub fn next(
        &mut self,
        input: &[u8],
        server: bool,
        maxsize: i64,
    ) -> std::result::Result<WsStep, WsError> {
        if self.done {
            self.clear_message();
        }
        let f = match parse_header(input) {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(WsStep::Need(None)),
            Err(()) => return Err(WsError::Header),
        };
        if server != f.mask.is_some() {
            return Err(WsError::Masking); // clients mask, servers do not
        }
        let total = f.hdr_len.checked_add(f.len).ok_or(WsError::TooLarge)?;
        if f.op < 8 {
            let so_far = self.msg.len() as u64;
            if maxsize >= 0 && so_far + f.len as u64 > maxsize as u64 {
                return Err(WsError::TooLarge);
            }
        }
        if input.len() < total {
            return Ok(WsStep::Need(Some(total)));
        }
        let payload = &input[f.hdr_len..total];
        let unmasked = |p: &[u8]| {
            let mut p = p.to_vec();
            if let Some(k) = f.mask {
                apply_mask(&mut p, k, 0);
            }
            p
        };
        let event = match f.op {
            OP_CONT | OP_TEXT | OP_BINARY => {
                if (f.op == OP_CONT) != self.in_msg {
                    return Err(WsError::Continuation);
                }
                if f.op != OP_CONT {
                    self.text = f.op == OP_TEXT;
                }
                let before = self.msg.len();
                self.msg.try_reserve(f.len).map_err(|_| WsError::TooLarge)?;
                self.msg.extend_from_slice(payload);
                if let Some(k) = f.mask {
                    apply_mask(&mut self.msg[before..], k, 0);
                }
                self.in_msg = !f.fin;
                if f.fin {
                    if self.text && std::str::from_utf8(&self.msg).is_err() {
                        return Err(WsError::Utf8);
                    }
                    self.done = true;
                    WsEvent::Message
                } else {
                    WsEvent::Fragment
                }
            }
            OP_PING => WsEvent::Ping(unmasked(payload)),
            OP_PONG => WsEvent::Pong,
            OP_CLOSE => WsEvent::Close(unmasked(payload)),
            _ => return Err(WsError::Opcode),
        };
        Ok(WsStep::Frame { used: total, event })
    }

    /// After [`WsEvent::Message`]: make something of the message, then let
    /// go of it (a large message's buffer is not kept).
    pub fn take_message<R>(&mut self, f: impl FnOnce(&[u8]) -> R) -> R {
        debug_assert!(self.done, "no message to take");
        let r = f(&self.msg);
        self.clear_message();
        r
    }

    /// Bytes of the message being assembled so far.
    pub fn pending(&self) -> usize {
        if self.done {
            0
        } else {
            self.msg.len()
        }
    }

    /// Between reads: let go of the assembly buffer's room unless a
    /// message is under way (a connection at rest keeps none).
    pub fn release(&mut self) {
        if !self.in_msg && !self.done {
            self.msg = Vec::new();
        }
    }

    fn clear_message(&mut self) {
        self.done = false;
        self.msg.clear();
        if self.msg.capacity() > KEEP_CAPACITY {
            self.msg.shrink_to(KEEP_CAPACITY);
        }
    }
}

thread_local! {
    static RNG: Cell<u64> = const { Cell::new(0) };
}

pub(super) fn random_u64() -> u64 {
    RNG.with(|r| {
        let mut x = r.get();
        if x == 0 {
            let mut seed = [0u8; 8];
            // SAFETY: `seed` is 8 writable bytes and 8 is the length
            // passed, so getrandom writes only into it. A failure leaves
            // zeros, which the clock below makes up for.
            unsafe { libc::getrandom(seed.as_mut_ptr() as *mut libc::c_void, 8, 0) };
            x = u64::from_ne_bytes(seed)
                ^ (std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(0x9e37_79b9_7f4a_7c15))
                | 1;
        }
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        r.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    })
}

fn mask_key() -> [u8; 4] {
    (random_u64() as u32).to_ne_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_headers_round_trip() {
        for len in [0usize, 5, 125, 126, 65535, 65536, 1 << 20] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let mut h = [0u8; 14];
                let n = frame_header(&mut h, OP_BINARY, len, mask);
                let f = parse_header(&h[..n]).unwrap().unwrap();
                assert_eq!(
                    f,
                    FrameHead {
                        fin: true,
                        op: OP_BINARY,
                        mask,
                        len,
                        hdr_len: n
                    }
                );
                assert_eq!(parse_header(&h[..n - 1]), Ok(None));
            }
        }
    }

    #[test]
    fn bad_frames_are_refused() {
        assert!(parse_header(&[0xf2, 0]).is_err()); // reserved bits
        assert!(parse_header(&[0x09, 0]).is_err()); // fragmented ping
        assert!(parse_header(&[0x89, 126, 0, 200]).is_err()); // long ping
        let mut h = [0x82u8, 127, 0xff, 0, 0, 0, 0, 0, 0, 0];
        assert!(parse_header(&h).is_err()); // 2^63 and more
        h[2] = 0x7f;
        assert!(parse_header(&h).is_ok());
    }

    /// One frame: `fin`, opcode, optional mask, payload (masked here).
    fn enc(fin: bool, op: u8, mask: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
        let mut h = [0u8; 14];
        let n = frame_header(&mut h, op, payload.len(), mask);
        if !fin {
            h[0] &= 0x7f;
        }
        let mut v = h[..n].to_vec();
        let mut p = payload.to_vec();
        if let Some(k) = mask {
            apply_mask(&mut p, k, 0);
        }
        v.extend_from_slice(&p);
        v
    }

    #[derive(Debug, PartialEq, Eq)]
    enum Got {
        Msg(Vec<u8>),
        Frag,
        Ping(Vec<u8>),
        Pong,
        Close(Vec<u8>),
    }

    /// Everything `input` holds, fed in pieces of `piece` bytes; the
    /// events, then the error or the bytes left over.
    fn run(
        input: &[u8],
        piece: usize,
        server: bool,
        maxsize: i64,
    ) -> (Vec<Got>, std::result::Result<usize, WsError>) {
        let mut d = Deframer::default();
        let mut got = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut fed = 0;
        loop {
            match d.next(&buf, server, maxsize) {
                Err(e) => return (got, Err(e)),
                Ok(WsStep::Need(want)) => {
                    if let Some(w) = want {
                        assert!(w > buf.len());
                    }
                    if fed == input.len() {
                        return (got, Ok(buf.len()));
                    }
                    let k = piece.min(input.len() - fed);
                    buf.extend_from_slice(&input[fed..fed + k]);
                    fed += k;
                }
                Ok(WsStep::Frame { used, event }) => {
                    assert!(used <= buf.len());
                    buf.drain(..used);
                    got.push(match event {
                        WsEvent::Message => Got::Msg(d.take_message(|m| m.to_vec())),
                        WsEvent::Fragment => Got::Frag,
                        WsEvent::Ping(p) => Got::Ping(p),
                        WsEvent::Pong => Got::Pong,
                        WsEvent::Close(p) => Got::Close(p),
                    });
                }
            }
        }
    }

    /// The same result whatever the input's pieces.
    fn run_all_splits(
        input: &[u8],
        server: bool,
        maxsize: i64,
    ) -> (Vec<Got>, std::result::Result<usize, WsError>) {
        let whole = run(input, input.len().max(1), server, maxsize);
        for piece in 1..input.len().min(40) {
            assert_eq!(run(input, piece, server, maxsize), whole, "piece {piece}");
        }
        whole
    }

    const K: Option<[u8; 4]> = Some([0x37, 0xfa, 0x21, 0x3d]);

    #[test]
    fn a_released_deframer_keeps_no_room_but_a_started_message() {
        let mut d = Deframer::default();
        let one = enc(true, OP_BINARY, K, &[1; 1000]);
        let Ok(WsStep::Frame { used, .. }) = d.next(&one, true, -1) else {
            panic!("a whole frame");
        };
        assert_eq!(used, one.len());
        assert_eq!(d.take_message(|m| m.len()), 1000);
        assert!(d.msg.capacity() >= 1000);
        d.release();
        assert_eq!(d.msg.capacity(), 0);
        let part = enc(false, OP_BINARY, K, b"frag");
        assert!(matches!(d.next(&part, true, -1), Ok(WsStep::Frame { .. })));
        d.release();
        let last = enc(true, OP_CONT, K, b"ment");
        assert!(matches!(d.next(&last, true, -1), Ok(WsStep::Frame { .. })));
        assert_eq!(d.take_message(|m| m.to_vec()), b"fragment");
    }

    #[test]
    fn deframer_messages_fragments_and_controls() {
        for (server, mask) in [(true, K), (false, None)] {
            let input = [
                enc(true, OP_BINARY, mask, b"hello"),
                enc(true, OP_BINARY, mask, b""),
                enc(false, OP_TEXT, mask, "fr\u{e9}".as_bytes()),
                enc(true, OP_PING, mask, b"are you there"),
                enc(false, OP_CONT, mask, b"ag"),
                enc(true, OP_PONG, mask, b"whatever"),
                enc(true, OP_CONT, mask, b"ment"),
                enc(true, OP_BINARY, mask, &[0xff; 300]),
                enc(true, OP_CLOSE, mask, &[0x03, 0xe8, b'b', b'y', b'e']),
            ]
            .concat();
            let (got, rest) = run_all_splits(&input, server, -1);
            assert_eq!(rest, Ok(0));
            assert_eq!(
                got,
                vec![
                    Got::Msg(b"hello".to_vec()),
                    Got::Msg(vec![]),
                    Got::Frag,
                    Got::Ping(b"are you there".to_vec()),
                    Got::Frag,
                    Got::Pong,
                    Got::Msg("fr\u{e9}agment".as_bytes().to_vec()),
                    Got::Msg(vec![0xff; 300]),
                    Got::Close(vec![0x03, 0xe8, b'b', b'y', b'e']),
                ]
            );
        }
    }

    #[test]
    fn deframer_every_split_point_of_one_frame() {
        for len in [0usize, 1, 125, 126, 65535, 65536] {
            let body: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let f = enc(true, OP_BINARY, K, &body);
            for k in 0..f.len() {
                let mut d = Deframer::default();
                let want = if k < f.len() - len {
                    None
                } else {
                    Some(f.len())
                };
                assert_eq!(d.next(&f[..k], true, -1), Ok(WsStep::Need(want)));
                assert_eq!(d.pending(), 0);
                if len > 200 && k > 20 {
                    break; // the rest of the body is the same case
                }
            }
            let mut d = Deframer::default();
            assert_eq!(
                d.next(&f, true, -1),
                Ok(WsStep::Frame {
                    used: f.len(),
                    event: WsEvent::Message
                })
            );
            assert_eq!(d.take_message(|m| m.to_vec()), body);
        }
    }

    #[test]
    fn deframer_masking_rules() {
        // A server takes only masked frames, a client only unmasked ones;
        // control frames too.
        for op in [OP_BINARY, OP_PING, OP_CLOSE] {
            let mut d = Deframer::default();
            let f = enc(true, op, None, b"x");
            assert_eq!(d.next(&f, true, -1), Err(WsError::Masking));
            let f = enc(true, op, K, b"x");
            assert_eq!(d.next(&f, false, -1), Err(WsError::Masking));
        }
        // Seen from the header alone.
        assert_eq!(
            Deframer::default().next(&[0x82, 5], true, -1),
            Err(WsError::Masking)
        );
        // A zero key is a key.
        let f = enc(true, OP_BINARY, Some([0; 4]), b"plain");
        assert_eq!(run(&f, 100, true, -1).0, vec![Got::Msg(b"plain".to_vec())]);
        // The mask restarts with every frame.
        let f = [
            enc(false, OP_BINARY, K, b"abc"),
            enc(true, OP_CONT, K, b"defgh"),
        ]
        .concat();
        assert_eq!(
            run_all_splits(&f, true, -1).0,
            vec![Got::Frag, Got::Msg(b"abcdefgh".to_vec())]
        );
    }

    #[test]
    fn deframer_maxsize() {
        let f = enc(true, OP_BINARY, K, b"12345");
        assert_eq!(run(&f, 100, true, 5).0, vec![Got::Msg(b"12345".to_vec())]);
        assert_eq!(run(&f, 100, true, 4).1, Err(WsError::TooLarge));
        // Refused from the header alone, before the payload arrives.
        assert_eq!(
            Deframer::default().next(&f[..6], true, 4),
            Err(WsError::TooLarge)
        );
        // The limit is on the message, whatever its fragments.
        let f = [
            enc(false, OP_BINARY, K, b"123"),
            enc(true, OP_CONT, K, b"45"),
        ]
        .concat();
        assert_eq!(run_all_splits(&f, true, 5).1, Ok(0));
        assert_eq!(run_all_splits(&f, true, 4).1, Err(WsError::TooLarge));
        // Control frames do not count.
        let f = [
            enc(false, OP_BINARY, K, b"123"),
            enc(true, OP_PING, K, b"123456"),
            enc(true, OP_CONT, K, b"4"),
        ]
        .concat();
        assert_eq!(run_all_splits(&f, true, 4).1, Ok(0));
        // A limit of 0 takes empty messages only.
        assert_eq!(run(&enc(true, OP_BINARY, K, b""), 9, true, 0).1, Ok(0));
    }

    #[test]
    fn deframer_absurd_lengths() {
        for len in [1u64 << 63, u64::MAX, (1u64 << 63) - 1, 1 << 62] {
            let mut f = vec![0x82, 0x80 | 127];
            f.extend_from_slice(&len.to_be_bytes());
            f.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
            let r = Deframer::default().next(&f, true, 1 << 20);
            if len >> 63 != 0 {
                assert_eq!(r, Err(WsError::Header), "{len}");
            } else {
                assert_eq!(r, Err(WsError::TooLarge), "{len}");
                // Without a limit the caller is told how much room to make
                // (and fails to find it).
                assert_eq!(
                    Deframer::default().next(&f, true, -1),
                    Ok(WsStep::Need(Some(14 + len as usize)))
                );
            }
        }
    }

    #[test]
    fn deframer_protocol_errors() {
        let e = |input: &[u8], server| run(input, input.len(), server, -1).1;
        // Continuation with nothing to continue; new message inside one.
        assert_eq!(
            e(&enc(true, OP_CONT, K, b"x"), true),
            Err(WsError::Continuation)
        );
        let f = [
            enc(false, OP_BINARY, K, b"a"),
            enc(true, OP_BINARY, K, b"b"),
        ]
        .concat();
        assert_eq!(e(&f, true), Err(WsError::Continuation));
        // Reserved opcodes, data and control.
        for op in [3u8, 7, 0xb, 0xf] {
            assert_eq!(e(&enc(true, op, K, b"x"), true), Err(WsError::Opcode));
        }
        // Reserved bits.
        let mut f = enc(true, OP_BINARY, K, b"x");
        f[0] |= 0x40;
        assert_eq!(e(&f, true), Err(WsError::Header));
        // Control frames: not fragmented, at most 125 bytes.
        assert_eq!(e(&enc(false, OP_PING, K, b"x"), true), Err(WsError::Header));
        assert_eq!(
            e(&enc(true, OP_PING, K, &[0; 126]), true),
            Err(WsError::Header)
        );
        assert_eq!(
            run(&enc(true, OP_PING, K, &[9; 125]), 200, true, -1).0,
            vec![Got::Ping(vec![9; 125])]
        );
    }

    #[test]
    fn deframer_utf8_rule() {
        // Text must be UTF-8 as a whole message; a character may be split
        // between fragments.
        let s = "\u{1f600} ok".as_bytes();
        let f = [
            enc(false, OP_TEXT, K, &s[..2]),
            enc(true, OP_CONT, K, &s[2..]),
        ]
        .concat();
        assert_eq!(run_all_splits(&f, true, -1).0[1], Got::Msg(s.to_vec()));
        assert_eq!(
            run(&enc(true, OP_TEXT, K, &[0xff, 0xfe]), 9, true, -1).1,
            Err(WsError::Utf8)
        );
        // A truncated character at the end is not UTF-8.
        assert_eq!(
            run(&enc(true, OP_TEXT, K, &s[..3]), 9, true, -1).1,
            Err(WsError::Utf8)
        );
        // Binary messages may hold anything.
        assert_eq!(
            run(&enc(true, OP_BINARY, K, &[0xff]), 9, true, -1).0,
            vec![Got::Msg(vec![0xff])]
        );
    }

    #[test]
    fn masking_is_its_own_inverse() {
        let mut d = b"hello world".to_vec();
        apply_mask(&mut d, [9, 8, 7, 6], 0);
        assert_ne!(&d, b"hello world");
        apply_mask(&mut d, [9, 8, 7, 6], 0);
        assert_eq!(&d, b"hello world");
    }

    #[test]
    fn what_we_send_parses_back() {
        for client in [false, true] {
            let mut h = [0u8; 14];
            let (n, mask) = send_header(&mut h, OP_BINARY, 7, client);
            assert_eq!(mask.is_some(), client, "clients mask, servers do not");
            let mut frame = h[..n].to_vec();
            match mask {
                Some(k) => frame.extend(masked_payload(&[b"hdr", b"", b"body"], k)),
                None => frame.extend_from_slice(b"hdrbody"),
            }
            let mut d = Deframer::default();
            let step = d.next(&frame, client, -1);
            assert_eq!(
                step,
                Ok(WsStep::Frame {
                    used: frame.len(),
                    event: WsEvent::Message
                })
            );
            assert_eq!(d.take_message(|m| m.to_vec()), b"hdrbody");
        }
    }
}
