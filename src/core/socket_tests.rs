//! Tests of a socket whose receivers read its one pipe on their own
//! threads (`Pipe::read_here_begin`), over a pipe end that plays a
//! network connection on a Unix socket pair.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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
}

impl PipeEnd for DirectEnd {
    fn send(&self, _msg: Msg) -> Result<(), PushError> {
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
    });
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
