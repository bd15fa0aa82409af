//! Tests of a socket whose receivers read its one pipe on their own
//! threads (`Pipe::read_here_begin`) and whose refused senders write its
//! queued output themselves (`Pipe::flush_here_begin`), over a pipe end
//! that plays a network connection on a Unix socket pair.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::consts::{AF_SP, NN_PAIR};
use crate::core::msg::Msg;
use crate::core::pipe::fake::FakeEnd;
use crate::core::pipe::{new_pipe_id, Pipe, PipeEnd, PushError};
use crate::core::sig::{Event, Sig};
use crate::core::socket::Socket;

/// Each read of the descriptor is one message.
struct DirectEnd {
    id: u64,
    sig: Arc<Sig>,
    ours: UnixStream,
    /// What was read, as a fake pipe's inbox.
    fake: FakeEnd,
    reads: AtomicUsize,
    given_back: AtomicUsize,
    /// Bytes of a message the descriptor did not take: the pipe is full
    /// (refuses messages) until they are written.
    unwritten: Mutex<Vec<u8>>,
    flushes: AtomicUsize,
}

impl DirectEnd {
    /// Write `bytes` without blocking; what did not go stays in `left`.
    fn write_some(&self, left: &mut Vec<u8>) {
        while !left.is_empty() {
            match (&self.ours).write(left) {
                Ok(n) => drop(left.drain(..n)),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) => panic!("write: {e}"),
            }
        }
    }
}

impl PipeEnd for DirectEnd {
    fn send(&self, msg: Msg) -> Result<(), PushError> {
        let mut left = self.unwritten.lock().unwrap();
        if !left.is_empty() {
            return Err(PushError::Full(msg));
        }
        left.extend_from_slice(msg.body.as_slice());
        self.write_some(&mut left);
        Ok(())
    }
    fn recv(&self) -> Option<(Msg, bool)> {
        self.fake.recv()
    }
    fn has_input(&self) -> bool {
        self.fake.has_input()
    }
    fn close(&self) {}
    fn close_discarding(&self) {}
    fn is_network(&self) -> bool {
        true
    }
    fn read_here_begin(&self) -> Option<i32> {
        Some(self.ours.as_raw_fd())
    }
    fn read_here(&self) -> bool {
        self.reads.fetch_add(1, Ordering::SeqCst);
        let mut buf = [0u8; 64];
        let n = match (&self.ours).read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
            r => r.expect("read"),
        };
        self.fake.put(&buf[..n]);
        self.sig.post(Event::In(self.id));
        true
    }
    fn read_by_io_thread(&self) {
        self.given_back.fetch_add(1, Ordering::SeqCst);
    }
    fn flush_here_begin(&self) -> Option<i32> {
        let stuck = !self.unwritten.lock().unwrap().is_empty();
        stuck.then(|| self.ours.as_raw_fd())
    }
    fn flush_here(&self) -> bool {
        self.flushes.fetch_add(1, Ordering::SeqCst);
        let mut left = self.unwritten.lock().unwrap();
        self.write_some(&mut left);
        if left.is_empty() {
            drop(left);
            self.sig.post(Event::Out(self.id));
            return false;
        }
        true
    }
}

/// A PAIR socket (receive timeout 5 s) with one such pipe, the pipe end
/// and the peer's side of its descriptor.
fn socket_with_direct_pipe() -> (Arc<Socket>, Arc<DirectEnd>, UnixStream) {
    let s = Socket::new(0, AF_SP, NN_PAIR).unwrap();
    s.set_opt(
        crate::consts::NN_SOL_SOCKET,
        crate::consts::NN_RCVTIMEO,
        &5000i32.to_ne_bytes(),
    )
    .unwrap();
    let (end, theirs) = direct_end(&s);
    (s, end, theirs)
}

fn direct_end(s: &Socket) -> (Arc<DirectEnd>, UnixStream) {
    let (ours, theirs) = UnixStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let end = Arc::new(DirectEnd {
        id: new_pipe_id(),
        sig: s.shared.sig.clone(),
        ours,
        fake: FakeEnd::default(),
        reads: AtomicUsize::new(0),
        given_back: AtomicUsize::new(0),
        unwritten: Mutex::new(Vec::new()),
        flushes: AtomicUsize::new(0),
    });
    socket2::SockRef::from(&end.ours)
        .set_send_buffer_size(4096)
        .unwrap();
    s.sig()
        .post(Event::Added(Pipe::new(end.id, 1, (8, 8), end.clone())));
    (end, theirs)
}

/// A blocking receive reads the pipe itself (the bytes come while it
/// waits); `theirs` is written once the receiver is inside.
fn receive_while_writing(s: &Arc<Socket>, theirs: &mut UnixStream, what: &[u8]) {
    let r = {
        let s = s.clone();
        std::thread::spawn(move || s.recv(false))
    };
    theirs.write_all(what).unwrap();
    let m = r.join().unwrap().expect("received");
    assert_eq!(m.body.as_slice(), what);
}

#[test]
fn a_blocked_receiver_reads_the_sockets_one_pipe_itself() {
    let (s, end, mut theirs) = socket_with_direct_pipe();
    receive_while_writing(&s, &mut theirs, b"one");
    assert!(
        end.reads.load(Ordering::SeqCst) >= 1,
        "read on the receiver's thread"
    );
    receive_while_writing(&s, &mut theirs, b"two");
    assert_eq!(end.given_back.load(Ordering::SeqCst), 0);
}

#[test]
fn a_receive_that_does_not_wait_reads_what_is_in_the_kernel() {
    let (s, _end, mut theirs) = socket_with_direct_pipe();
    receive_while_writing(&s, &mut theirs, b"one");
    theirs.write_all(b"two").unwrap();
    let m = s.recv(true).expect("what waited in the kernel");
    assert_eq!(m.body.as_slice(), b"two");
}

#[test]
fn polling_the_socket_gives_reading_back() {
    let (s, end, mut theirs) = socket_with_direct_pipe();
    receive_while_writing(&s, &mut theirs, b"one");
    s.readiness().unwrap();
    assert_eq!(end.given_back.load(Ordering::SeqCst), 1, "nn_poll");
    receive_while_writing(&s, &mut theirs, b"two");
    s.event_fd(crate::core::sig::Dir::Recv).unwrap();
    assert_eq!(end.given_back.load(Ordering::SeqCst), 2, "RCVFD");
}

#[test]
fn a_second_pipe_gives_reading_back() {
    let (s, end, mut theirs) = socket_with_direct_pipe();
    receive_while_writing(&s, &mut theirs, b"one");
    let (_second, _theirs2) = direct_end(&s);
    assert!(s.recv(true).is_err(), "nothing to receive");
    assert_eq!(end.given_back.load(Ordering::SeqCst), 1);
}

/// Send `count` messages of `size` bytes on another thread, with a send
/// timeout of `timeout_ms`; the first error ends it.
fn send_many(
    s: &Arc<Socket>,
    count: usize,
    size: usize,
    timeout_ms: i32,
) -> std::thread::JoinHandle<Result<(), crate::core::error::Error>> {
    s.set_opt(
        crate::consts::NN_SOL_SOCKET,
        crate::consts::NN_SNDTIMEO,
        &timeout_ms.to_ne_bytes(),
    )
    .unwrap();
    let s = s.clone();
    std::thread::spawn(move || {
        for i in 0..count {
            let body = vec![i as u8; size];
            let m = Msg::new(crate::core::msg::Chunk::from_slice(&body).unwrap());
            s.send(m, false).map_err(|(e, _)| e)?;
        }
        Ok(())
    })
}

/// Read everything `theirs` gets until it is shut down for reading.
fn drain(theirs: &UnixStream) -> std::thread::JoinHandle<Vec<u8>> {
    let mut theirs = theirs.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut got = Vec::new();
        theirs.read_to_end(&mut got).unwrap();
        got
    })
}

/// Nobody else writes the pipe's queued output here (no I/O thread behind
/// the fake end): a refused sender goes on only by writing it itself.
#[test]
fn a_refused_sender_writes_the_sockets_one_pipe_itself() {
    let (s, end, theirs) = socket_with_direct_pipe();
    let (count, size) = (20, 64 * 1024);
    let reader = drain(&theirs);
    let sender = send_many(&s, count, size, 5000);
    sender.join().unwrap().expect("every message sent");
    // What the last send left queued.
    while end.flush_here() {
        std::thread::yield_now();
    }
    theirs.shutdown(std::net::Shutdown::Read).unwrap();
    let got = reader.join().unwrap();
    assert_eq!(got.len(), count * size);
    for (i, m) in got.chunks(size).enumerate() {
        assert!(m.iter().all(|&b| b == i as u8), "message {i} in order");
    }
    assert!(
        end.flushes.load(Ordering::SeqCst) > count / 2,
        "written on the sender's thread"
    );
}

/// A socket whose SNDFD is in use is polled for room: its senders sleep on
/// the mailbox and leave the pipe to the I/O thread (here: nobody, so a
/// refused send times out however much room the peer makes).
#[test]
fn a_sender_on_a_polled_socket_leaves_the_pipe_alone() {
    let (s, end, theirs) = socket_with_direct_pipe();
    s.event_fd(crate::core::sig::Dir::Send).unwrap();
    let sender = send_many(&s, 4, 64 * 1024, 300);
    // Room comes once the sender waits.
    while s.sig().waiters(crate::core::sig::Dir::Send) == 0 {
        std::thread::yield_now();
    }
    let reader = drain(&theirs);
    assert_eq!(
        sender.join().unwrap(),
        Err(crate::core::error::Error::TIMEDOUT)
    );
    assert_eq!(end.flushes.load(Ordering::SeqCst), 0);
    theirs.shutdown(std::net::Shutdown::Read).unwrap();
    assert!(
        reader.join().unwrap().len() < 64 * 1024,
        "stuck in the first"
    );
}

/// Closing the socket wakes a sender that polls its pipe for room.
#[test]
fn a_close_wakes_a_sender_polling_for_room() {
    let (s, _end, _theirs) = socket_with_direct_pipe();
    // A send timeout far beyond the test's patience: the close, not the
    // timeout, must end the wait.
    let sender = send_many(&s, 4, 64 * 1024, 60_000);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while s.sig().fd_sleepers(crate::core::sig::Dir::Send) == 0 && std::time::Instant::now() < until
    {
        std::thread::yield_now();
    }
    assert_eq!(
        s.sig().fd_sleepers(crate::core::sig::Dir::Send),
        1,
        "polls its pipe"
    );
    s.close();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !sender.is_finished() && std::time::Instant::now() < until {
        std::thread::yield_now();
    }
    assert!(sender.is_finished(), "the close woke the sender");
    assert_eq!(sender.join().unwrap(), Err(crate::core::error::Error::BADF));
}

/// Before it sleeps, a receiver reading its pipe itself looks at the
/// descriptor a few times (non-blocking reads): the peer writes only once
/// it has seen two such looks.
#[test]
fn a_receiver_looks_at_its_pipe_before_it_sleeps() {
    let (s, end, mut theirs) = socket_with_direct_pipe();
    let r = {
        let s = s.clone();
        std::thread::spawn(move || s.recv(false))
    };
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while end.reads.load(Ordering::SeqCst) < 2 && std::time::Instant::now() < until {
        std::thread::yield_now();
    }
    let looks = end.reads.load(Ordering::SeqCst);
    theirs.write_all(b"late").unwrap();
    let m = r.join().unwrap().expect("received");
    assert_eq!(m.body.as_slice(), b"late");
    assert!(looks >= 2, "{looks} reads before the bytes came");
}
