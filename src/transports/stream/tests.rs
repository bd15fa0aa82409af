//! Tests of connections over socket pairs, driven by the reactor.
use super::*;
use crate::transports::framing::{self, IPC_MSG_NORMAL};
use std::io::Read;
use std::os::unix::net::UnixStream;

/// A connection on one end of a socket pair, and the other end.
fn conn_pair() -> (Arc<Conn>, UnixStream) {
    let (ours, theirs) = UnixStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let ours = socket2::Socket::from(std::os::fd::OwnedFd::from(ours));
    let c = Conn::start(ours, Role::Sp { ipc: true }, None, false, None).unwrap();
    (c, theirs)
}

/// Wait (bounded) for a condition the reactor thread brings about.
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn an_ended_connection_lets_go_of_everything() {
    let (c, mut theirs) = conn_pair();
    assert!(LIVE.0.lock().contains_key(&c.id));
    c.end(Ended::Closed);
    assert!(!LIVE.0.lock().contains_key(&c.id), "still in the exit wait");
    // The descriptor is closed and nothing else (timer, reactor, set)
    // keeps the connection, strongly or weakly.
    wait_for("release", || {
        c.sock.lock().is_none() && Arc::strong_count(&c) == 1 && Arc::weak_count(&c) == 0
    });
    let mut buf = [0u8; 64];
    let mut total = 0;
    loop {
        match theirs.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) => panic!("peer read: {e}"),
        }
    }
    assert!(total <= 8, "only our SP header may have gone out");
}

struct NoHooks;
impl Hooks for NoHooks {}

/// A connection attached to a PAIR socket's shared state (SP framing, ipc
/// or tcp), on one end of a socket pair, and the other end.
fn attached_pair(ipc: bool) -> (Arc<Conn>, UnixStream) {
    attached_pair_over(ipc, None)
}

/// [`attached_pair`], over a TLS `session` when one is given.
fn attached_pair_over(
    ipc: bool,
    session: Option<crate::transports::tls::session::Session>,
) -> (Arc<Conn>, UnixStream) {
    use crate::consts::NN_PAIR;
    use crate::core::options::Options;
    use crate::core::sig::Sig;
    let (ours, theirs) = UnixStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let ours = socket2::Socket::from(std::os::fd::OwnedFd::from(ours));
    let shared = Shared::new(
        Arc::new(Sig::new()),
        NN_PAIR,
        NN_PAIR,
        true,
        &Options::new(0),
    );
    let attach = Attach {
        shared: Arc::new(shared),
        eid: 0,
        prios: (8, 8),
        sndbuf: 128 * 1024,
        ws_text: false,
        hooks: Weak::<NoHooks>::new(),
    };
    let c = Conn::start(ours, Role::Sp { ipc }, Some(attach), false, session).unwrap();
    (c, theirs)
}

#[test]
fn a_connection_keeps_no_read_buffer_at_rest() {
    use crate::consts::NN_PAIR;
    use std::io::Write;
    let (c, mut theirs) = attached_pair(true);
    let queued = |c: &Conn| c.inq.lock().msgs.len();
    let mut bytes = framing::sp_header(NN_PAIR as u16).to_vec();
    bytes.extend(ipc_frame(b"one"));
    let two = ipc_frame(&[7u8; 100]);
    bytes.extend_from_slice(&two[..50]);
    theirs.write_all(&bytes).unwrap();
    wait_for("the first message", || queued(&c) == 1);
    // Only the part of the second message is kept, in a buffer of its size.
    wait_for("only the tail kept, in a buffer of its size", || {
        let rd = c.rd.lock();
        rd.end == 50 && rd.buf.capacity() < 1024
    });
    theirs.write_all(&two[50..]).unwrap();
    wait_for("the second message", || queued(&c) == 2);
    wait_for("no read buffer at rest", || {
        let rd = c.rd.lock();
        rd.end == 0 && rd.buf.capacity() == 0
    });
    c.end(Ended::Closed);
}

#[test]
fn a_connection_set_forgets_ended_connections() {
    let set = ConnSet::new();
    let (c, _theirs) = conn_pair();
    set.add(&c);
    assert_eq!(set.len(), 1);
    c.end(Ended::Broken);
    assert_eq!(set.len(), 0, "an ended connection leaves its sets");
    // Adding one that already ended keeps nothing.
    set.add(&c);
    assert_eq!(set.len(), 0);
}

/// Large messages are read straight into their chunks, each read also
/// taking the next length prefix: whatever follows must come out whole.
fn large_and_small_messages_in_turn(ipc: bool) {
    use crate::consts::NN_PAIR;
    use std::io::Write;
    let (c, mut theirs) = attached_pair(ipc);
    let bodies: Vec<Vec<u8>> = [40_000, 3, 45_000, 0, 33_000]
        .iter()
        .enumerate()
        .map(|(i, &n)| (0..n).map(|k| (k * 7 + i) as u8).collect())
        .collect();
    let mut bytes = framing::sp_header(NN_PAIR as u16).to_vec();
    for b in &bodies {
        if ipc {
            bytes.push(IPC_MSG_NORMAL);
        }
        bytes.extend_from_slice(&(b.len() as u64).to_be_bytes());
        bytes.extend_from_slice(b);
    }
    let writer = std::thread::spawn(move || {
        // In small pieces, so reads end at every kind of boundary.
        for piece in bytes.chunks(4099) {
            theirs.write_all(piece).unwrap();
        }
        theirs
    });
    let queued = |c: &Conn| c.inq.lock().msgs.len();
    wait_for("every message", || queued(&c) == bodies.len());
    let got: Vec<Vec<u8>> = c
        .inq
        .lock()
        .msgs
        .iter()
        .map(|m| m.body.as_slice().to_vec())
        .collect();
    assert!(got == bodies, "the messages arrive whole and in order");
    drop(writer.join().unwrap());
    c.end(Ended::Closed);
}

#[test]
fn large_and_small_messages_in_turn_over_ipc_framing() {
    large_and_small_messages_in_turn(true);
}

#[test]
fn large_and_small_messages_in_turn_over_tcp_framing() {
    large_and_small_messages_in_turn(false);
}

/// An attached tcp-framed pair whose SP header is out, and whose socket
/// is in a send burst for the next minute (so every send is corked).
fn corking_pair() -> (Arc<Conn>, UnixStream) {
    let (c, theirs) = attached_pair(false);
    wait_for("our SP header written", || !c.wr.lock().flushing);
    let pace = &c.attach.get().expect("attached").shared.pace;
    pace.busy_until_for_test(Instant::now() + Duration::from_secs(60));
    (c, theirs)
}

/// Corking is the socket's decision (`Pace`), not the connection's: a
/// connection that never sent corks a message its socket sends in a burst
/// (a PUB going round its peers), and the cork timer writes it.
#[test]
fn a_send_in_the_sockets_burst_is_corked_even_on_a_fresh_connection() {
    use crate::core::msg::Msg;
    let (c, mut theirs) = corking_pair();
    let pace = &c.attach.get().expect("attached").shared.pace;
    // A send in a burst is corked: the sender writes nothing.
    pace.begin();
    c.send(Msg::from_slice(b"burst").unwrap()).unwrap();
    assert!(!pace.wrote_for_test(), "a message in a burst is corked");
    pace.end();
    // The cork timer writes it after our SP header. (Whether a lone send
    // is written at once is `Pace`'s own tests: here the reactor's flush
    // of the header already counts as the socket's output.)
    let mut want = framing::sp_header(crate::consts::NN_PAIR as u16).to_vec();
    want.extend_from_slice(&5u64.to_be_bytes());
    want.extend_from_slice(b"burst");
    read_expecting(&mut theirs, &want);
    c.end(Ended::Closed);
}

/// A lone send is written at once by the sender, unless its socket's
/// send already wrote a few other connections (a PUB's fan-out): then it
/// is corked, and the cork timer writes it.
#[test]
fn a_lone_send_is_written_at_once_unless_its_fan_out_wrote_a_few_already() {
    use crate::core::msg::Msg;
    let (c, mut theirs) = attached_pair(false);
    wait_for("our SP header written", || !c.wr.lock().flushing);
    let pace = &c.attach.get().expect("attached").shared.pace;
    let mut want = framing::sp_header(crate::consts::NN_PAIR as u16).to_vec();
    for (i, body) in [b"lone", b"late"].iter().enumerate() {
        // Longer than the burst gap since the socket's last output.
        std::thread::sleep(crate::core::shared::BURST_GAP * 20);
        pace.begin();
        if i == 1 {
            while pace.write_here() {} // other connections took the turns
        }
        c.send_shared(&Msg::from_slice(&body[..]).unwrap());
        let wrote = pace.wrote_for_test();
        let corked = c.wr.lock().cork_armed;
        pace.end();
        assert_eq!(
            (wrote, corked),
            (i == 0, i == 1),
            "send {i}: written, corked"
        );
        want.extend_from_slice(&4u64.to_be_bytes());
        want.extend_from_slice(&body[..]);
    }
    read_expecting(&mut theirs, &want);
    c.end(Ended::Closed);
}

/// A pipe connection past the handshake (the peer's SP header sent).
fn active_pair() -> (Arc<Conn>, UnixStream) {
    use crate::consts::NN_PAIR;
    use std::io::Write;
    let (c, mut theirs) = attached_pair(true);
    theirs
        .write_all(&framing::sp_header(NN_PAIR as u16))
        .unwrap();
    wait_for("the handshake", || c.is_pipe());
    (c, theirs)
}

fn ipc_frame(body: &[u8]) -> Vec<u8> {
    let mut f = vec![IPC_MSG_NORMAL];
    f.extend_from_slice(&(body.len() as u64).to_be_bytes());
    f.extend_from_slice(body);
    f
}

/// Does the reactor ask epoll for readable edges of `c`?
fn reactor_reads(c: &Conn) -> bool {
    let ev = reactor::get()
        .interest_of(c.fd())
        .expect("the connection is registered");
    ev & libc::EPOLLIN as u32 != 0
}

fn sig_of(c: &Conn) -> &crate::core::sig::Sig {
    &c.attach.get().expect("attached").shared.sig
}

/// A receiver that takes reading over polls and reads the descriptor on
/// its own thread; the reactor stops asking for readable edges until
/// reading is given back, and then gets what waited in the kernel.
#[test]
fn a_receiver_reads_its_connection_itself_until_it_gives_reading_back() {
    use crate::core::sig::{Dir, Woke};
    use std::io::Write;
    let (c, mut theirs) = active_pair();
    assert!(reactor_reads(&c));
    let sig = sig_of(&c);
    assert!(sig.can_wait_on_fd());
    let epoch = sig.epoch(Dir::Recv);
    let fd = c.read_here_begin().expect("an SP pipe can be read here");
    assert_eq!(c.reader.load(Ordering::SeqCst), direct::INSIDE);
    assert!(
        !reactor_reads(&c),
        "no readable edges while a receiver reads"
    );
    assert!(c.read_here_begin().is_none(), "one receiver at a time");
    theirs.write_all(&ipc_frame(b"here")).unwrap();
    let deadline = Some(Instant::now() + Duration::from_secs(5));
    assert_eq!(sig.wait_or_fd(Dir::Recv, epoch, deadline, fd), Woke::Ready);
    assert!(c.read_here());
    assert_ne!(sig.epoch(Dir::Recv), epoch, "the message was posted");
    assert_eq!(c.recv().expect("delivered").0.body.as_slice(), b"here");
    c.read_here_end();
    assert_eq!(c.reader.load(Ordering::SeqCst), direct::BY_CALLER);
    assert!(!reactor_reads(&c), "reading stays with the receivers");
    // Bytes that come now wait in the kernel, until reading goes back.
    theirs.write_all(&ipc_frame(b"later")).unwrap();
    c.give_back();
    assert_eq!(c.reader.load(Ordering::SeqCst), direct::BY_IO);
    assert!(reactor_reads(&c));
    wait_for("the reactor reads what waited", || c.has_input());
    assert_eq!(c.recv().expect("delivered").0.body.as_slice(), b"later");
    c.end(Ended::Closed);
}

/// Reading asked back while a receiver is inside goes back when it leaves.
#[test]
fn reading_asked_back_while_a_receiver_is_inside_goes_back_when_it_leaves() {
    let (c, _theirs) = active_pair();
    c.read_here_begin().expect("an SP pipe can be read here");
    c.give_back();
    assert_eq!(c.reader.load(Ordering::SeqCst), direct::INSIDE_RETURN);
    assert!(!reactor_reads(&c));
    c.read_here_end();
    assert_eq!(c.reader.load(Ordering::SeqCst), direct::BY_IO);
    assert!(reactor_reads(&c));
    c.end(Ended::Closed);
}

/// Receivers that stop receiving lose reading to the reactor after a lease.
#[test]
fn reading_goes_back_to_the_reactor_a_lease_after_the_last_receiver() {
    use std::io::Write;
    let (c, mut theirs) = active_pair();
    c.read_here_begin().expect("an SP pipe can be read here");
    c.read_here_end();
    theirs.write_all(&ipc_frame(b"unasked")).unwrap();
    wait_for("the lease to run out", || {
        c.reader.load(Ordering::SeqCst) == direct::BY_IO
    });
    wait_for("the reactor reads what waited", || c.has_input());
    c.end(Ended::Closed);
}

/// Wait until the reactor has run every poke made before this call
/// (pokes run in order: ours runs last).
fn pokes_done() {
    struct Mark(AtomicBool);
    impl Source for Mark {
        fn ready(self: Arc<Self>, _: bool, _: bool) {}
        fn poked(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let mark = Arc::new(Mark(AtomicBool::new(false)));
    reactor::get().poke(mark.clone());
    wait_for("the reactor's turn", || mark.0.load(Ordering::SeqCst));
}

/// The descriptor a receiver polls stays open until it leaves, even when
/// the connection ends meanwhile; then the reactor closes it.
#[test]
fn the_descriptor_stays_open_while_a_receiver_polls_it() {
    let (c, _theirs) = active_pair();
    let fd = c.read_here_begin().expect("an SP pipe can be read here");
    c.end(Ended::Broken);
    // `end` poked the reactor to release the descriptor: once a later
    // poke has run, that one has too.
    pokes_done();
    assert!(c.sock.lock().is_some(), "not closed under the receiver");
    // SAFETY: F_GETFD only looks the number up.
    assert!(unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0);
    assert!(!c.read_here(), "nothing to wait for on an ended connection");
    c.read_here_end();
    wait_for("release once the receiver left", || c.sock.lock().is_none());
}

/// A hang-up while receivers hold reading (and none is inside) ends the
/// connection: the reactor still hears hang-ups and takes reading back.
#[test]
fn a_hang_up_while_receivers_hold_reading_ends_the_connection() {
    let (c, theirs) = active_pair();
    c.read_here_begin().expect("an SP pipe can be read here");
    c.read_here_end();
    drop(theirs);
    wait_for("the end", || c.is_closed());
}

/// A readable edge from before the receivers took over (bytes wait) is
/// not a hang-up: reading stays with them.
#[test]
fn a_stale_readable_edge_leaves_reading_with_the_receivers() {
    use std::io::Write;
    let (c, mut theirs) = active_pair();
    c.read_here_begin().expect("an SP pipe can be read here");
    c.read_here_end();
    theirs.write_all(&ipc_frame(b"waits")).unwrap();
    c.clone().ready(true, false); // as the reactor would
    assert_eq!(c.reader.load(Ordering::SeqCst), direct::BY_CALLER);
    assert!(!c.has_input(), "left for the next receiver");
    c.end(Ended::Closed);
}

/// Reading that paused (the socket's queue full) resumes with the next
/// receiver that waits, not on the reactor, while receivers read.
#[test]
fn paused_reading_resumes_with_the_receivers_not_the_reactor() {
    use std::io::Write;
    let (c, mut theirs) = active_pair();
    // Room in the kernel for all three (Unix sockets count the sender's).
    socket2::SockRef::from(&theirs)
        .set_send_buffer_size(1 << 20)
        .unwrap();
    let fd = c.read_here_begin().expect("an SP pipe can be read here");
    // Two messages fill the default 128 KiB queue; a third waits behind.
    let writer = std::thread::spawn(move || {
        let frame = ipc_frame(&vec![5u8; 100_000]);
        for _ in 0..3 {
            theirs.write_all(&frame).unwrap();
        }
        theirs
    });
    let sig = sig_of(&c);
    let limit = Instant::now() + Duration::from_secs(5);
    let far = Some(limit);
    let recv = crate::core::sig::Dir::Recv;
    while c.read_here() {
        sig.wait_or_fd(recv, sig.epoch(recv), far, fd);
    }
    c.read_here_end();
    assert!(c.inq.lock().paused, "the queue filled up");
    let theirs = writer.join().unwrap();
    while c.recv().is_some() {}
    // Had `recv` poked the reactor to resume, that poke runs before ours.
    pokes_done();
    assert!(!c.has_input(), "the reactor did not read on");
    let fd = c.read_here_begin().expect("the next receiver reads on");
    while !c.has_input() {
        assert!(Instant::now() < limit, "the third message");
        sig.wait_or_fd(recv, sig.epoch(recv), far, fd);
        assert!(c.read_here());
    }
    c.read_here_end();
    drop(theirs);
    c.end(Ended::Closed);
}

/// Read exactly `want`'s length from the peer's end (within 5 s) and
/// compare.
fn read_expecting(theirs: &mut UnixStream, want: &[u8]) {
    let mut got = vec![0u8; want.len()];
    theirs
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    theirs.read_exact(&mut got).unwrap();
    assert_eq!(got, want);
}

/// A corked small message is copied onto the connection's run of small
/// frames: the sender's chunk is its own again as soon as the send
/// returns (a PUB's one chunk is not held by the queues of all its peers
/// and let go of by the I/O thread), and what the runs hold reaches the
/// peer whole and in order, across runs and around large messages.
#[test]
fn corked_small_messages_keep_no_chunk_and_arrive_in_order() {
    use crate::core::msg::Msg;
    let (c, mut theirs) = corking_pair();
    let pace = &c.attach.get().expect("attached").shared.pace;
    let mut want = Vec::new();
    for i in 0..400usize {
        let n = if i % 37 == 5 { 3000 + i } else { i % 90 };
        let body: Vec<u8> = (0..n).map(|k| (i * 7 + k) as u8).collect();
        let m = Msg::from_slice(&body).unwrap();
        pace.begin();
        // Half of them as a fan-out sends them: the sender keeps its own.
        let kept = if i % 2 == 0 {
            let kept = m.share();
            c.send(m).unwrap();
            kept
        } else {
            c.send_shared(&m);
            m
        };
        pace.end();
        if n <= 200 {
            let at = kept.body.data();
            let own = kept.body.into_unique().unwrap();
            assert_eq!(own.data(), at, "message {i}: the queue holds its chunk");
        }
        want.extend_from_slice(&(n as u64).to_be_bytes());
        want.extend_from_slice(&body);
    }
    let mut header = [0u8; 8];
    theirs
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    theirs.read_exact(&mut header).unwrap();
    let mut got = vec![0u8; want.len()];
    theirs.read_exact(&mut got).unwrap();
    assert!(got == want, "the frames' bytes, in order");
    wait_for("nothing left queued", || {
        let wr = c.wr.lock();
        wr.q.is_empty() && wr.bytes == 0
    });
    c.end(Ended::Closed);
}

/// Hold the reactor thread (in a poke of ours) until the guard is dropped.
struct Held(std::sync::mpsc::Sender<()>);

fn hold_reactor() -> Held {
    struct Hold {
        inside: AtomicBool,
        go: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    }
    impl Source for Hold {
        fn ready(self: Arc<Self>, _: bool, _: bool) {}
        fn poked(self: Arc<Self>) {
            self.inside.store(true, Ordering::SeqCst);
            let _ = self.go.lock().unwrap().recv();
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let h = Arc::new(Hold {
        inside: AtomicBool::new(false),
        go: std::sync::Mutex::new(rx),
    });
    reactor::get().poke(h.clone());
    wait_for("the reactor held", || h.inside.load(Ordering::SeqCst));
    Held(tx)
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// A sender refused by a full connection writes the stuck output on its
/// own thread (`flush_here`): it gets out while the reactor, which owns
/// that output, is held elsewhere.
#[test]
fn a_refused_sender_writes_the_stuck_output_itself() {
    use crate::core::msg::Chunk;
    use crate::core::pipe::PushError;
    let (c, theirs) = active_pair();
    let held = hold_reactor();
    let body: Vec<u8> = (0..512 * 1024).map(|i| (i % 251) as u8).collect();
    let msg = || Msg::new(Chunk::from_slice(&body).unwrap());
    let mut sent = 0;
    loop {
        match c.send(msg()) {
            Ok(()) => sent += 1,
            Err(PushError::Full(_)) => break,
            Err(_) => panic!("the connection ended"),
        }
    }
    let fd = c.flush_here_begin().expect("output is stuck");
    let mut want = framing::sp_header(crate::consts::NN_PAIR as u16).to_vec();
    want.extend((0..sent).flat_map(|_| ipc_frame(&body)));
    let n = want.len();
    let reader = std::thread::spawn(move || {
        let mut got = vec![0u8; n];
        (&theirs).read_exact(&mut got).unwrap();
        got
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.flush_here() {
        assert!(Instant::now() < deadline, "the output got out");
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one pollfd on our stack; the descriptor is pinned.
        unsafe { libc::poll(&mut p, 1, 100) };
    }
    c.unpin();
    assert!(reader.join().unwrap() == want, "every frame, in order");
    assert!(c.flush_here_begin().is_none(), "nothing stuck any more");
    drop(held);
    c.end(Ended::Closed);
}

/// A flush that comes after the output went back to the senders (a late
/// writable edge, a refused sender's poll) leaves what they corked since
/// to them: it writes only output the reactor owns, or its write would
/// race the senders' own (and messages would overtake each other).
#[test]
fn a_late_flush_leaves_the_senders_cork_alone() {
    use crate::core::msg::Msg;
    let (c, _theirs) = corking_pair();
    let held = hold_reactor(); // no cork timer meanwhile
    let pace = &c.attach.get().expect("attached").shared.pace;
    pace.begin();
    c.send(Msg::from_slice(b"corked").unwrap()).unwrap();
    pace.end();
    assert!(!c.wr.lock().flushing, "the output is the senders'");
    c.flush_from(true);
    c.flush_from(false);
    assert_eq!(c.wr.lock().q.len(), 1, "the cork is still queued");
    drop(held);
    c.end(Ended::Closed);
}

/// A TLS connection: the handshake, then its SP header, inside TLS; no
/// caller-thread path takes its descriptor; a message each way, ours
/// written by the reactor; and on its end the peer gets close_notify
/// (a clean end of the stream, not a cut one).
#[test]
fn a_tls_connection_does_all_its_io_on_the_reactor() {
    use crate::consts::NN_PAIR;
    use crate::transports::tls::{config, session::Session, testcerts::Certs};
    use std::io::Write;
    let k = Certs::new();
    let server = config::server(&k.opts("", "server.pem", -1)).unwrap();
    let dial = config::client(&k.opts("ca.pem", "", -1), "localhost").unwrap();
    let session = Session::server(server).unwrap();
    let (c, theirs) = attached_pair_over(false, Some(session));
    let client = rustls::ClientConnection::new(dial.config, dial.name).unwrap();
    let mut tls = rustls::StreamOwned::new(client, theirs);
    let hello = framing::sp_header(NN_PAIR as u16);
    tls.write_all(&hello).unwrap();
    let mut h = [0u8; 8];
    tls.read_exact(&mut h).unwrap();
    assert_eq!(h, hello, "our SP header, inside TLS");
    wait_for("the handshake", || c.is_pipe());
    assert!(
        c.read_here_begin().is_none(),
        "no reading on a receiver's thread"
    );
    assert!(
        c.flush_here_begin().is_none(),
        "no flush on a sender's thread"
    );
    let mut frame = 5u64.to_be_bytes().to_vec();
    frame.extend_from_slice(b"hello");
    tls.write_all(&frame).unwrap();
    wait_for("the message", || c.inq.lock().msgs.len() == 1);
    c.send(Msg::from_slice(b"back").unwrap()).unwrap();
    let mut got = [0u8; 12];
    tls.read_exact(&mut got).unwrap();
    assert_eq!(&got[..8], &4u64.to_be_bytes());
    assert_eq!(&got[8..], b"back");
    c.end(Ended::Closed);
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest)
        .expect("close_notify: the stream ends cleanly");
    assert!(rest.is_empty());
}
