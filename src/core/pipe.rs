//! Pipes: the connection between a socket and one peer, as protocols see
//! it. A [`Pipe`] is a socket's handle on one [`PipeEnd`]: an inproc link
//! (`transports::inproc`) or a network connection (`transports::stream`).
//! Core and the protocols never know which.
//!
//! The queue rule every end keeps: it posts [`Event::In`](crate::core::sig::Event)
//! to its socket when its inbound queue goes from empty to non-empty, and
//! `Event::Out` when a refused send may be retried; it posts `Event::Closed`
//! exactly once, after the socket was given the pipe. So a socket never
//! polls a pipe and never takes another socket's lock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::core::msg::Msg;

pub type PipeId = u64;

/// Maps and sets keyed by pipe id, looked up on every message (the
/// protocols' ready lists): Fx hashing, a multiplication, where the
/// default SipHash cost over a hundred instructions. Ids are ours, handed
/// out in sequence, never chosen by a peer, so nothing can be gained by
/// making them collide.
pub type PipeMap<V> = rustc_hash::FxHashMap<PipeId, V>;
pub type PipeSet = rustc_hash::FxHashSet<PipeId>;

/// Is a table of pipes (or of their events) with room for `capacity`
/// entries too big for the `len` it is sized by? Thousands of peers come
/// and go: such a table shrinks to twice `len` once this holds (the
/// halvings cost O(n) over the lot); below 64 entries it is left alone.
pub fn roomy(capacity: usize, len: usize) -> bool {
    capacity > 64.max(4 * len)
}

static NEXT_PIPE_ID: AtomicU64 = AtomicU64::new(1);

pub fn new_pipe_id() -> PipeId {
    NEXT_PIPE_ID.fetch_add(1, Ordering::Relaxed)
}

/// Why a pipe refused a message (the message comes back to the caller).
#[derive(Debug)]
pub enum PushError {
    /// The queue is full; an `Event::Out` follows when there is room.
    Full(Msg),
    /// The pipe is closed; an `Event::Closed` follows (or already came).
    Closed(Msg),
}

/// One end of a pipe, as the transport that made it implements it.
pub trait PipeEnd: Send + Sync {
    /// Queue a message for the peer.
    fn send(&self, msg: Msg) -> Result<(), PushError>;
    /// Queue a message that other pipes get too (PUB, BUS and SURVEYOR
    /// fan-out); if the pipe cannot take it now, the peer misses it. An
    /// end that copies what it queues (a network connection's corked
    /// small frames) need not take a reference to the shared body, which
    /// the sender would count up and the I/O thread down for every peer.
    fn send_shared(&self, msg: &Msg) {
        let _ = self.send(msg.share());
    }
    /// A fan-out is about to `send_shared` to this pipe after one or two
    /// others: start fetching what that send writes (a hint, see
    /// [`crate::core::hint`]).
    fn prefetch_send(&self) {}
    /// Take the next message from the peer, if any, and whether more wait.
    fn recv(&self) -> Option<(Msg, bool)>;
    /// Is a message waiting?
    fn has_input(&self) -> bool;
    /// The socket was given the pipe (its protocol may still keep it on
    /// standby or refuse it).
    fn attached(&self) {}
    /// The socket takes the pipe into use: the peer may send from now on.
    /// (A network peer sends whenever it likes; what it sends waits.)
    fn accept(&self) {}
    /// Close both ends; each socket gets `Event::Closed`. Messages already
    /// queued for a socket stay readable by it.
    fn close(&self);
    /// `nn_shutdown`: close, and what is still queued either way is dropped.
    fn close_discarding(&self);
    /// Was this pipe shut down with its messages dropped?
    fn discarded(&self) -> bool {
        false
    }
    /// Is the peer woken by the I/O thread (a network connection)? A
    /// socket with such pipes does not spin before it sleeps.
    fn is_network(&self) -> bool {
        false
    }
    /// A receiver about to sleep for this pipe's input (the only pipe of
    /// its socket) may read it on its own thread instead of waiting for
    /// the I/O thread to (a hand-over fewer per message: see
    /// `Sig::wait_or_fd`). If this end can, it takes reading over and
    /// returns the descriptor to poll, which stays open until
    /// [`PipeEnd::read_here_end`]; the caller then calls `read_here` each
    /// time it is readable. `None`: wait on the mailbox as usual.
    fn read_here_begin(&self) -> Option<i32> {
        None
    }
    /// Read what has arrived, on the caller's thread (between
    /// `read_here_begin` and `read_here_end`); messages go to the socket
    /// as if the I/O thread had read them. False when waiting on the
    /// descriptor makes no more sense (the pipe ended, or its queue is full).
    fn read_here(&self) -> bool {
        false
    }
    /// The caller stops waiting. Reading stays with the socket's callers
    /// (the next one to wait finds the bytes in the kernel) until
    /// [`PipeEnd::read_by_io_thread`] or a while without one.
    fn read_here_end(&self) {}
    /// Reading goes back to the I/O thread now: the socket is about to
    /// be polled (`nn_poll`, RCVFD) or has more pipes than this one.
    fn read_by_io_thread(&self) {}
    /// A sender about to sleep because this pipe (the only one of its
    /// socket) is full may write the pipe's queue out on its own thread
    /// instead of waiting for the I/O thread to (a hand-over fewer per
    /// refusal, as a blocking `write` would: see `Sig::wait_or_fd`). If
    /// this end can, it returns the descriptor to poll for room, which
    /// stays open until [`PipeEnd::flush_here_end`]; the caller calls
    /// `flush_here` each time it is writable. `None`: wait on the mailbox.
    fn flush_here_begin(&self) -> Option<i32> {
        None
    }
    /// Write what is queued, on the caller's thread; room it makes is
    /// posted to the socket as if the I/O thread had written. False when
    /// waiting on the descriptor makes no more sense (the pipe ended, or
    /// its queue is written out).
    fn flush_here(&self) -> bool {
        false
    }
    /// The caller stops waiting for room.
    fn flush_here_end(&self) {}
}

/// A socket's handle on one pipe. Cheap to clone (protocols keep copies).
#[derive(Clone)]
pub struct Pipe {
    pub id: PipeId,
    /// The endpoint (bind/connect id) that created this pipe.
    pub eid: i32,
    pub sndprio: u8,
    pub rcvprio: u8,
    end: Arc<dyn PipeEnd>,
}

impl Pipe {
    pub fn new(id: PipeId, eid: i32, prios: (u8, u8), end: Arc<dyn PipeEnd>) -> Pipe {
        Pipe {
            id,
            eid,
            sndprio: prios.0,
            rcvprio: prios.1,
            end,
        }
    }

    pub fn is_network(&self) -> bool {
        self.end.is_network()
    }

    /// See [`PipeEnd::attached`].
    pub fn attached(&self) {
        self.end.attached()
    }

    /// See [`PipeEnd::accept`].
    pub fn accept(&self) {
        self.end.accept()
    }

    pub fn send(&self, msg: Msg) -> Result<(), PushError> {
        self.end.send(msg)
    }

    /// See [`PipeEnd::send_shared`].
    pub fn send_shared(&self, msg: &Msg) {
        self.end.send_shared(msg)
    }

    /// See [`PipeEnd::prefetch_send`].
    pub fn prefetch_send(&self) {
        self.end.prefetch_send()
    }

    pub fn recv(&self) -> Option<(Msg, bool)> {
        self.end.recv()
    }

    pub fn has_input(&self) -> bool {
        self.end.has_input()
    }

    pub fn close(&self) {
        self.end.close()
    }

    pub fn close_discarding(&self) {
        self.end.close_discarding()
    }

    pub fn discarded(&self) -> bool {
        self.end.discarded()
    }

    /// See [`PipeEnd::read_here_begin`].
    pub fn read_here_begin(&self) -> Option<i32> {
        self.end.read_here_begin()
    }

    /// See [`PipeEnd::read_here`].
    pub fn read_here(&self) -> bool {
        self.end.read_here()
    }

    /// See [`PipeEnd::read_here_end`].
    pub fn read_here_end(&self) {
        self.end.read_here_end()
    }

    /// See [`PipeEnd::read_by_io_thread`].
    pub fn read_by_io_thread(&self) {
        self.end.read_by_io_thread()
    }

    /// See [`PipeEnd::flush_here_begin`].
    pub fn flush_here_begin(&self) -> Option<i32> {
        self.end.flush_here_begin()
    }

    /// See [`PipeEnd::flush_here`].
    pub fn flush_here(&self) -> bool {
        self.end.flush_here()
    }

    /// See [`PipeEnd::flush_here_end`].
    pub fn flush_here_end(&self) {
        self.end.flush_here_end()
    }
}

impl std::fmt::Debug for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pipe({}, ep {})", self.id, self.eid)
    }
}

/// A pipe end with no transport behind it, for unit tests of whatever sits
/// on pipes (the mailbox, the socket, every protocol state machine): the
/// test puts messages in `inbox`, reads what was sent from `sent`, limits
/// the room, and sees whether the pipe was accepted or closed.
#[cfg(test)]
pub(crate) mod fake {
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;

    use parking_lot::Mutex;

    use super::{new_pipe_id, Pipe, PipeEnd, PushError};
    use crate::core::msg::Msg;

    #[derive(Default)]
    pub(crate) struct FakeEnd {
        pub inbox: Mutex<VecDeque<Msg>>,
        pub sent: Mutex<Vec<Msg>>,
        /// How many more messages `send` takes (`usize::MAX`: no limit).
        pub room: AtomicUsize,
        pub accepted: AtomicBool,
        pub closed: AtomicBool,
        pub discarded: AtomicBool,
        /// Does the end play a network connection (`is_network`)?
        pub network: AtomicBool,
    }

    impl FakeEnd {
        /// Queue a message from the peer (the test then tells the protocol `in_ready`).
        pub fn put(&self, body: &[u8]) {
            self.inbox.lock().push_back(Msg::from_slice(body).unwrap());
        }

        /// Queue a message from the peer with a protocol header apart from
        /// its body, as an inproc peer hands it over (a stream peer's header
        /// is the front of the body: use `put`).
        pub fn put_hdr(&self, hdr: &[u8], body: &[u8]) {
            let mut m = Msg::from_slice(body).unwrap();
            m.hdr = hdr.to_vec();
            self.inbox.lock().push_back(m);
        }

        /// Let `n` more messages in (`room` is a count of sends left).
        pub fn set_room(&self, n: usize) {
            self.room.store(n, Ordering::Release);
        }

        /// What was sent so far (header, body), taken out.
        pub fn take_sent(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
            self.sent
                .lock()
                .drain(..)
                .map(|m| (m.hdr, m.body.as_slice().to_vec()))
                .collect()
        }
    }

    impl PipeEnd for FakeEnd {
        fn send(&self, msg: Msg) -> Result<(), PushError> {
            if self.closed.load(Ordering::Acquire) {
                return Err(PushError::Closed(msg));
            }
            let room = self.room.load(Ordering::Acquire);
            if room == 0 {
                return Err(PushError::Full(msg));
            }
            if room != usize::MAX {
                self.room.store(room - 1, Ordering::Release);
            }
            self.sent.lock().push(msg);
            Ok(())
        }
        fn recv(&self) -> Option<(Msg, bool)> {
            let mut q = self.inbox.lock();
            let m = q.pop_front()?;
            Some((m, !q.is_empty()))
        }
        fn has_input(&self) -> bool {
            !self.inbox.lock().is_empty()
        }
        fn accept(&self) {
            self.accepted.store(true, Ordering::Release);
        }
        fn close(&self) {
            self.closed.store(true, Ordering::Release);
        }
        fn close_discarding(&self) {
            self.discarded.store(true, Ordering::Release);
            self.close();
        }
        fn discarded(&self) -> bool {
            self.discarded.load(Ordering::Acquire)
        }
        fn is_network(&self) -> bool {
            self.network.load(Ordering::Acquire)
        }
    }

    /// A message with this body and no header.
    pub(crate) fn msg(body: &[u8]) -> Msg {
        Msg::from_slice(body).unwrap()
    }

    /// The bodies of what [`FakeEnd::take_sent`] returned.
    pub(crate) fn bodies(sent: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<Vec<u8>> {
        sent.into_iter().map(|(_, b)| b).collect()
    }

    /// A pipe on a fresh fake end with no limit on sending.
    pub(crate) fn pipe(prios: (u8, u8)) -> (Pipe, Arc<FakeEnd>) {
        let end = Arc::new(FakeEnd {
            room: AtomicUsize::new(usize::MAX),
            ..FakeEnd::default()
        });
        (Pipe::new(new_pipe_id(), 1, prios, end.clone()), end)
    }

    /// A pipe on a fresh fake end that plays a network connection.
    pub(crate) fn net_pipe(prios: (u8, u8)) -> (Pipe, Arc<FakeEnd>) {
        let (p, end) = pipe(prios);
        end.network.store(true, Ordering::Release);
        (p, end)
    }
}
