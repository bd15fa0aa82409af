//! The WebSocket deframer (`Deframer`): frame headers, masking,
//! fragmentation and continuation, control frames, the UTF-8 rule, and
//! the frame header writer.
//!
//! Input: one byte of settings (server or client side, NN_RCVMAXSIZE, and
//! the mode), one byte seeding how the stream is cut into reads, then:
//! - raw mode: the received bytes. The deframer fed in pieces must give
//!   exactly what it gives for the whole stream, and what a plain decoder
//!   written here from RFC 6455 section 5 gives; every answer's own
//!   invariants hold (a message never exceeds the limit, `used` never
//!   exceeds the input, a text message is UTF-8, ...).
//! - round-trip mode: a list of short messages, framed with our header writer
//!   (masked from a client), fragmented and interleaved with pings; the
//!   deframer must give back exactly the messages and pings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanomsg::fuzzing::ws::{apply_mask, frame_header, parse_header};
use nanomsg::fuzzing::{Deframer, WsError, WsEvent, WsStep};

const MAXSIZES: [i64; 8] = [-1, 0, 1, 5, 125, 1000, 70000, i64::MAX];

const CONT: u8 = 0;
const TEXT: u8 = 1;
const BINARY: u8 = 2;
const CLOSE: u8 = 8;
const PING: u8 = 9;
const PONG: u8 = 10;

#[derive(Debug, PartialEq, Eq, Clone)]
enum Got {
    Msg(Vec<u8>),
    Frag,
    Ping(Vec<u8>),
    Pong,
    Close(Vec<u8>),
}

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    got: Vec<Got>,
    /// The error that failed the connection, or the bytes left over.
    end: Result<usize, WsError>,
}

/// RFC 6455 section 5, straight, over the whole stream. The checks come in
/// the order the library makes them, so a stream cut short ends the same.
fn reference(data: &[u8], server: bool, maxsize: i64) -> Outcome {
    let mut got = Vec::new();
    let mut rest = data;
    let mut msg: Vec<u8> = Vec::new();
    let mut in_msg = false;
    let mut text = false;
    let end = loop {
        if rest.len() < 2 {
            break Ok(rest.len());
        }
        let (b0, b1) = (rest[0], rest[1]);
        let fin = b0 & 0x80 != 0;
        let op = b0 & 0x0f;
        if b0 & 0x70 != 0 {
            break Err(WsError::Header);
        }
        let masked = b1 & 0x80 != 0;
        let ext = match b1 & 0x7f {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let hdr = 2 + ext + if masked { 4 } else { 0 };
        if rest.len() < hdr {
            break Ok(rest.len());
        }
        let len: u64 = match ext {
            0 => u64::from(b1 & 0x7f),
            2 => u64::from(rest[2]) << 8 | u64::from(rest[3]),
            _ => rest[2..10].iter().fold(0, |a, &b| a << 8 | u64::from(b)),
        };
        if len >= 1 << 63 || (op >= 8 && (!fin || len > 125)) {
            break Err(WsError::Header);
        }
        if masked != server {
            break Err(WsError::Masking);
        }
        if op < 8 && maxsize >= 0 && msg.len() as u64 + len > maxsize as u64 {
            break Err(WsError::TooLarge);
        }
        if ((rest.len() - hdr) as u64) < len {
            break Ok(rest.len());
        }
        let len = len as usize;
        let mut payload = rest[hdr..hdr + len].to_vec();
        if masked {
            let key = &rest[hdr - 4..hdr];
            for (i, b) in payload.iter_mut().enumerate() {
                *b ^= key[i % 4];
            }
        }
        rest = &rest[hdr + len..];
        match op {
            CONT | TEXT | BINARY => {
                if in_msg != (op == CONT) {
                    break Err(WsError::Continuation);
                }
                if op != CONT {
                    text = op == TEXT;
                }
                msg.extend_from_slice(&payload);
                in_msg = !fin;
                if fin {
                    if text && std::str::from_utf8(&msg).is_err() {
                        break Err(WsError::Utf8);
                    }
                    got.push(Got::Msg(std::mem::take(&mut msg)));
                } else {
                    got.push(Got::Frag);
                }
            }
            PING => got.push(Got::Ping(payload)),
            PONG => got.push(Got::Pong),
            CLOSE => got.push(Got::Close(payload)),
            _ => break Err(WsError::Opcode),
        }
    };
    Outcome { got, end }
}

/// Read sizes from a seed; seed 0 gives everything at once.
struct Pieces(u64);

impl Pieces {
    fn next(&mut self) -> usize {
        if self.0 == 0 {
            return usize::MAX;
        }
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        match self.0 % 8 {
            0 => 1 + (self.0 >> 8) as usize % 4096,
            _ => 1 + (self.0 >> 8) as usize % 11,
        }
    }
}

/// The deframer as the connection drives it: read, take frames, read on.
fn deframe(data: &[u8], server: bool, maxsize: i64, mut pieces: Pieces) -> Outcome {
    let mut d = Deframer::default();
    let mut got = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    let end = loop {
        assert!(maxsize < 0 || d.pending() as u64 <= maxsize as u64);
        match d.next(&buf, server, maxsize) {
            Err(e) => break Err(e),
            Ok(WsStep::Need(want)) => {
                match want {
                    Some(n) => {
                        assert!(n > buf.len());
                        let f = parse_header(&buf).unwrap().unwrap();
                        assert_eq!(n, f.hdr_len + f.len);
                    }
                    None => assert_eq!(parse_header(&buf), Ok(None)),
                }
                if fed == data.len() {
                    break Ok(buf.len());
                }
                let k = pieces.next().min(data.len() - fed);
                buf.extend_from_slice(&data[fed..fed + k]);
                fed += k;
            }
            Ok(WsStep::Frame { used, event }) => {
                assert!(used >= 2 && used <= buf.len());
                let f = parse_header(&buf).unwrap().unwrap();
                let (fin, op, len) = (f.fin, f.op, f.len);
                assert_eq!(used, f.hdr_len + len);
                assert_eq!(f.mask.is_some(), server);
                got.push(match event {
                    WsEvent::Message => {
                        assert!(fin && op < 8);
                        let m = d.take_message(|m| m.to_vec());
                        assert!(maxsize < 0 || m.len() as u64 <= maxsize as u64);
                        Got::Msg(m)
                    }
                    WsEvent::Fragment => {
                        assert!(!fin && op < 8);
                        Got::Frag
                    }
                    WsEvent::Ping(p) => {
                        assert!(op == PING && p.len() == len && len <= 125);
                        Got::Ping(p)
                    }
                    WsEvent::Pong => {
                        assert_eq!(op, PONG);
                        Got::Pong
                    }
                    WsEvent::Close(p) => {
                        assert!(op == CLOSE && p.len() == len && len <= 125);
                        Got::Close(p)
                    }
                });
                buf.drain(..used);
            }
        }
    };
    Outcome { got, end }
}

fn raw(data: &[u8], server: bool, maxsize: i64, seed: u8) {
    let want = reference(data, server, maxsize);
    let whole = deframe(data, server, maxsize, Pieces(0));
    assert_eq!(whole, want);
    let cut = deframe(
        data,
        server,
        maxsize,
        Pieces(u64::from(seed) * 0x9e37_79b9 + 1),
    );
    assert_eq!(cut, want);
}

/// Frame `records` with our own header writer and read them back.
fn round_trip(data: &[u8], server: bool, seed: u8) {
    // Records: [flags][len_hi][len_lo][pattern]; the payload is a pattern.
    let mut stream = Vec::new();
    let mut want = Vec::new();
    let mut key_seed = u32::from(seed).wrapping_mul(0x0101_0101) | 1;
    for r in data.chunks_exact(4).take(8) {
        let flags = r[0];
        // Short, crossing 125/126 often. (Payloads past 65535 take the
        // 64-bit length; the unit tests write and parse those: here they
        // would cost as much as a thousand short ones.)
        let len = (usize::from(r[1]) << 8 | usize::from(r[2])) % 300;
        let body: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(r[3]) ^ r[0])
            .collect();
        let text = flags & 1 != 0;
        let body = if text {
            String::from_utf8_lossy(&body).into_owned().into_bytes()
        } else {
            body
        };
        // Cut into up to four fragments, a ping between them.
        let parts = 1 + usize::from(flags >> 1 & 3);
        let step = body.len().div_ceil(parts).max(1);
        let chunks: Vec<&[u8]> = if body.is_empty() {
            vec![&body[..]]
        } else {
            body.chunks(step).collect()
        };
        for (i, c) in chunks.iter().enumerate() {
            let op = if i > 0 {
                CONT
            } else if text {
                TEXT
            } else {
                BINARY
            };
            let last = i + 1 == chunks.len();
            key_seed ^= key_seed << 13;
            key_seed ^= key_seed >> 17;
            key_seed ^= key_seed << 5;
            let mask = server.then(|| key_seed.to_ne_bytes());
            let mut h = frame_header(op, c.len(), mask);
            if !last {
                h[0] &= 0x7f;
            }
            let mut p = c.to_vec();
            if let Some(k) = mask {
                apply_mask(&mut p, k, 0);
            }
            stream.extend_from_slice(&h);
            stream.extend_from_slice(&p);
            if !last {
                want.push(Got::Frag);
                if flags & 0x40 != 0 {
                    let ping = &c[..c.len().min(125)];
                    let mut h = frame_header(PING, ping.len(), mask);
                    let mut p = ping.to_vec();
                    if let Some(k) = mask {
                        apply_mask(&mut p, k, 0);
                    }
                    h.extend_from_slice(&p);
                    stream.extend_from_slice(&h);
                    want.push(Got::Ping(ping.to_vec()));
                }
            }
        }
        want.push(Got::Msg(body));
    }
    let want = Outcome {
        got: want,
        end: Ok(0),
    };
    assert_eq!(deframe(&stream, server, -1, Pieces(0)), want);
    assert_eq!(
        deframe(&stream, server, -1, Pieces(u64::from(seed) + 7)),
        want
    );
    assert_eq!(reference(&stream, server, -1), want);
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 2 {
        return;
    }
    let server = input[0] & 1 != 0;
    let maxsize = MAXSIZES[(input[0] >> 1) as usize & 7];
    let data = &input[2..];
    if input[0] & 0x10 == 0 {
        raw(data, server, maxsize, input[1]);
    } else {
        round_trip(data, server, input[1]);
    }
});
