//! Tests of `session` over a non-blocking Unix socket pair with small
//! kernel buffers, through descriptors that take or give a few bytes at a
//! time: many MB both ways at once, hostile first bytes to a listener
//! (garbage, an SP header in the clear, a truncated ClientHello, random
//! bytes), and the ends of a session (close_notify, a stream cut short).

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use super::config::{client, server};
use super::session::{Input, Plain, Session, TlsError, BUFFER_LIMIT};
use super::testcerts::Certs;
use crate::consts::NN_TLS_AUTH_MODE_REQUIRED;

/// Test data and chunk sizes, reproducibly.
use crate::testrng::XorShift as Rng;

/// The byte at `i` of the stream one side sends (`seed` tells them apart).
fn byte_at(seed: u64, i: usize) -> u8 {
    let x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed;
    (x >> 29) as u8 ^ (i >> 12) as u8
}

/// A descriptor that reads and writes at most a random 1..=max bytes per
/// call, and counts how often the kernel would block.
struct Chunky<'a> {
    s: &'a UnixStream,
    rng: Rng,
    max: usize,
    blocked_writes: usize,
}

impl Read for Chunky<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(1 + self.rng.below(self.max));
        (&mut &*self.s).read(&mut buf[..n])
    }
}

impl Write for Chunky<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(1 + self.rng.below(self.max));
        let r = (&mut &*self.s).write(&buf[..n]);
        if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.blocked_writes += 1;
        }
        r
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    for s in [&a, &b] {
        s.set_nonblocking(true).unwrap();
        let r = socket2::SockRef::from(s);
        r.set_send_buffer_size(4096).unwrap();
        r.set_recv_buffer_size(4096).unwrap();
    }
    (a, b)
}

/// A dialer's and a listener's sessions with the test certificates (the
/// listener requiring a client certificate).
fn sessions(k: &Certs) -> (Session, Session) {
    let d = client(&k.opts("ca.pem", "client.pem", -1), "localhost").unwrap();
    let s = server(&k.opts("ca.pem", "server.pem", NN_TLS_AUTH_MODE_REQUIRED)).unwrap();
    (
        Session::client(d.config, d.name).unwrap(),
        Session::server(s).unwrap(),
    )
}

/// One side of a transfer: what it has sent and received.
struct Side<'a> {
    tls: Session,
    io: Chunky<'a>,
    seed: u64,
    peer_seed: u64,
    sent: usize,
    got: usize,
}

impl Side<'_> {
    /// One round: flush, write some, fill, read and check. Returns
    /// whether anything moved.
    fn step(&mut self, total: usize, buf: &mut [u8], chunk: &mut Vec<u8>) -> bool {
        let mut moved = false;
        if self.sent < total {
            let n = (total - self.sent).min(1 + self.io.rng.below(100_000));
            chunk.clear();
            chunk.extend((self.sent..self.sent + n).map(|i| byte_at(self.seed, i)));
            let took = self.tls.write(chunk).unwrap();
            assert!(took <= BUFFER_LIMIT);
            self.sent += took;
            moved |= took > 0;
        }
        self.tls.flush(&mut self.io).unwrap();
        loop {
            let input = self.tls.fill(&mut self.io).unwrap();
            assert_ne!(input, Input::Ended);
            let mut any = false;
            while let Plain::Data(n) = self.tls.read(buf).unwrap() {
                for (k, &b) in buf[..n].iter().enumerate() {
                    assert_eq!(
                        b,
                        byte_at(self.peer_seed, self.got + k),
                        "at {}",
                        self.got + k
                    );
                }
                self.got += n;
                any = true;
            }
            moved |= any;
            // Answer what the handshake wants before reading on.
            self.tls.flush(&mut self.io).unwrap();
            if input == Input::Blocked {
                // Blocked means the descriptor is drained: a reactor waits
                // for the next readable edge only after that.
                let mut one = [std::mem::MaybeUninit::uninit()];
                let peek = socket2::SockRef::from(self.io.s).peek(&mut one);
                assert!(
                    matches!(&peek, Err(e) if e.kind() == io::ErrorKind::WouldBlock),
                    "{peek:?}"
                );
                return moved;
            }
        }
    }
}

/// Moves `total` bytes each way at once through sessions over sockets
/// that take `max` bytes at most per call.
fn transfer(total: usize, max: usize, seed: u64) -> (usize, usize) {
    let k = Certs::new();
    let (a, b) = pair();
    let (c, s) = sessions(&k);
    let chunky = |s, n| Chunky {
        s,
        rng: Rng(seed + n),
        max,
        blocked_writes: 0,
    };
    let mut sides = [
        Side {
            tls: c,
            io: chunky(&a, 1),
            seed: 1,
            peer_seed: 2,
            sent: 0,
            got: 0,
        },
        Side {
            tls: s,
            io: chunky(&b, 2),
            seed: 2,
            peer_seed: 1,
            sent: 0,
            got: 0,
        },
    ];
    let mut buf = vec![0u8; 1 + (seed as usize % 20_000)];
    let mut chunk = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut idle = 0;
    while sides.iter().any(|s| s.got < total || s.tls.wants_write()) {
        assert!(Instant::now() < deadline, "the transfer does not end");
        let mut moved = false;
        for side in sides.iter_mut() {
            moved |= side.step(total, &mut buf, &mut chunk);
        }
        // Both sides only ever wait for each other: nothing moving for
        // long means a lost wake-up (a hang in a real reactor).
        idle = if moved { 0 } else { idle + 1 };
        assert!(
            idle < 1000,
            "stuck: sent {} {}, got {} {}",
            sides[0].sent,
            sides[1].sent,
            sides[0].got,
            sides[1].got
        );
    }
    assert!(sides
        .iter()
        .all(|s| s.tls.handshake_done() && s.got == total));
    (sides[0].io.blocked_writes, sides[1].io.blocked_writes)
}

#[test]
fn many_megabytes_both_ways_in_pieces() {
    // Small pieces: every record split over many reads and writes.
    let (bc, bs) = transfer(2 << 20, 700, 7);
    assert!(
        bc > 0 && bs > 0,
        "the kernel never refused a write: {bc} {bs}"
    );
    // Large pieces and buffers.
    let (bc, bs) = transfer(16 << 20, 1 << 20, 12345);
    assert!(bc > 0 && bs > 0, "{bc} {bs}");
}

/// Feeds `bytes` (then the end of the stream, if `end`) to a listener's
/// session; returns what `fill` said.
fn listener_gets(bytes: &[u8], end: bool) -> Result<Input, TlsError> {
    let k = Certs::new();
    let (a, b) = pair();
    let (_, mut s) = sessions(&k);
    let mut written = 0;
    let mut r = Ok(Input::Blocked);
    // The kernel buffer is small: write, let the session read, repeat.
    while written < bytes.len() && r.is_ok() {
        match (&a).write(&bytes[written..]) {
            Ok(n) => written += n,
            Err(e) => assert_eq!(e.kind(), io::ErrorKind::WouldBlock),
        }
        r = s.fill(&mut &b);
    }
    if r.is_ok() && end {
        a.shutdown(std::net::Shutdown::Write).unwrap();
        r = s.fill(&mut &b);
    }
    // Whatever happened, nothing is readable and no handshake ended.
    assert!(!s.handshake_done());
    let mut buf = [0u8; 64];
    if r.is_ok() {
        assert_eq!(s.read(&mut buf).unwrap(), Plain::Nothing);
    } else {
        // The session stays failed.
        let _ = s.flush(&mut Vec::new());
        assert!(s.fill(&mut &b).is_err() && s.read(&mut buf).is_err());
        assert!(s.write(b"x").is_err());
    }
    r
}

/// The ClientHello a dialer sends first.
fn client_hello() -> Vec<u8> {
    let k = Certs::new();
    let (mut c, _) = sessions(&k);
    let mut out = Vec::new();
    assert!(c.flush(&mut out).unwrap());
    assert!(out.len() > 100 && out[0] == 0x16, "{out:?}");
    out
}

#[test]
fn hostile_first_bytes() {
    // Garbage, an HTTP request, an SP header in the clear.
    for bad in [
        &b"garbage garbage garbage garbage"[..],
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\0SP\0\0\x10\0\0",
    ] {
        let r = listener_gets(bad, false);
        assert!(matches!(r, Err(TlsError::Tls(_))), "{bad:?}: {r:?}");
        // What a listener answers garbage with: one alert at most.
        let k = Certs::new();
        let mut s = Session::server(server(&k.opts("", "server.pem", -1)).unwrap()).unwrap();
        assert!(s.fill(&mut &bad[..]).is_err());
        let mut out = Vec::new();
        assert!(s.flush(&mut out).is_err());
        assert!(out.len() <= 7 && out.first() != Some(&0x16), "{out:?}");
    }
    // A truncated ClientHello: waits for more (no error, no hang), and
    // the end of the stream then is an error.
    let hello = client_hello();
    for cut in [1, 5, hello.len() / 2, hello.len() - 1] {
        assert_eq!(
            listener_gets(&hello[..cut], false).unwrap(),
            Input::Blocked,
            "{cut}"
        );
        let r = listener_gets(&hello[..cut], true);
        assert!(matches!(r, Err(TlsError::Truncated)), "{cut}: {r:?}");
    }
    // The whole one, then the end: the handshake cannot finish.
    let r = listener_gets(&hello, true);
    assert!(matches!(r, Err(TlsError::Truncated)), "{r:?}");
    // A record header announcing more than a record may hold.
    let r = listener_gets(&[0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3], false);
    assert!(matches!(r, Err(TlsError::Tls(_))), "{r:?}");
}

/// Random bytes, alone or after a valid ClientHello's start, never make
/// a session panic or end its handshake; read from memory, so every case
/// ends (in an error).
#[test]
fn random_bytes_never_panic() {
    let k = Certs::new();
    let hello = client_hello();
    let sconf = server(&k.opts("", "server.pem", -1)).unwrap();
    let mut rng = Rng(0x1234_5678);
    for i in 0..2000 {
        let mut bytes = Vec::new();
        if i % 2 == 1 {
            let keep = rng.below(hello.len());
            bytes.extend_from_slice(&hello[..keep]);
        }
        let n = rng.below(600);
        bytes.extend((0..n).map(|_| rng.next() as u8));
        if i % 3 == 0 {
            // Mostly valid: one byte of the hello flipped.
            bytes = hello.clone();
            let at = rng.below(bytes.len());
            bytes[at] ^= 1 << rng.below(8);
        }
        let mut s = Session::server(sconf.clone()).unwrap();
        let mut rd = &bytes[..];
        let r = s.fill(&mut rd);
        assert!(r.is_err(), "case {i}: {r:?}");
        assert!(!s.handshake_done());
        let mut out = Vec::new();
        let _ = s.flush(&mut out);
        if i % 6 == 2 || i % 6 == 4 {
            // Random bytes alone: an alert at most.
            assert!(out.len() <= 7, "case {i}: more than an alert");
        }
        assert!(s.fill(&mut &b"x"[..]).is_err() && s.write(b"x").is_err());
    }
}

/// A handshake and some data, then `close_notify` from the dialer.
fn handshake_then(data: &[u8]) -> (Session, Session, UnixStream, UnixStream) {
    let k = Certs::new();
    let (a, b) = pair();
    let (mut c, mut s) = sessions(&k);
    assert_eq!(c.write(data).unwrap(), data.len());
    for _ in 0..100 {
        c.flush(&mut &a).unwrap();
        c.fill(&mut &a).unwrap();
        s.flush(&mut &b).unwrap();
        s.fill(&mut &b).unwrap();
        if c.handshake_done() && s.handshake_done() && !c.wants_write() && !s.wants_write() {
            break;
        }
    }
    assert!(c.handshake_done() && s.handshake_done());
    // The dialer reads what came last (TLS 1.3 session tickets): a socket
    // closed with unread input resets its peer.
    c.fill(&mut &a).unwrap();
    (c, s, a, b)
}

#[test]
fn close_notify_after_data() {
    let (mut c, mut s, a, b) = handshake_then(b"last words");
    c.close();
    assert!(c.flush(&mut &a).unwrap());
    drop(a);
    let mut got = Vec::new();
    let mut buf = [0u8; 4];
    let mut closed = false;
    for _ in 0..100 {
        let input = s.fill(&mut &b).unwrap();
        loop {
            match s.read(&mut buf).unwrap() {
                Plain::Data(n) => got.extend_from_slice(&buf[..n]),
                Plain::Closed => {
                    closed = true;
                    break;
                }
                Plain::Nothing => break,
            }
        }
        if closed || input == Input::Ended {
            break;
        }
    }
    assert_eq!(got, b"last words");
    assert!(closed, "no close_notify seen");
    // After it, the end of the stream is no error.
    assert_eq!(s.fill(&mut &b).unwrap(), Input::Ended);
    assert_eq!(s.read(&mut buf).unwrap(), Plain::Closed);
}

#[test]
fn stream_cut_without_close_notify_is_truncated() {
    let (mut c, mut s, a, b) = handshake_then(b"partial");
    assert!(c.flush(&mut &a).unwrap());
    drop(a);
    let mut got = Vec::new();
    let mut buf = [0u8; 3];
    let err = loop {
        match s.fill(&mut &b) {
            Ok(Input::Blocked) => continue,
            Ok(_) => {}
            Err(e) => break e,
        }
        match s.read(&mut buf) {
            Ok(Plain::Data(n)) => got.extend_from_slice(&buf[..n]),
            Ok(Plain::Nothing) => {}
            Ok(Plain::Closed) => panic!("no close_notify was sent"),
            Err(e) => break e,
        }
    };
    // The data before the cut was delivered first.
    assert_eq!(got, b"partial");
    assert!(matches!(err, TlsError::Truncated), "{err:?}");
}
