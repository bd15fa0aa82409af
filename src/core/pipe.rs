//! Pipes: the connection between a socket and one peer. A pipe is a pair of
//! bounded message queues. For inproc both sockets hold the two ends of one
//! [`Link`]; what one end pushes, the other pops, with no copy and no helper
//! thread. The queue posts [`Event::In`] to the consumer when it goes from
//! empty to non-empty and [`Event::Out`] to the producer when a refused
//! producer may retry, so neither side ever takes the other's socket lock.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::core::msg::Msg;
use crate::core::sig::{Event, Sig};
use crate::transports::stream::Conn;

pub type PipeId = u64;

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

struct QueueState {
    msgs: VecDeque<Msg>,
    bytes: usize,
    cap: usize,
    producer_blocked: bool,
    closed: bool,
}

struct Queue {
    st: Mutex<QueueState>,
}

impl Queue {
    fn new(cap: usize) -> Queue {
        Queue {
            st: Mutex::new(QueueState {
                msgs: VecDeque::new(),
                bytes: 0,
                cap,
                producer_blocked: false,
                closed: false,
            }),
        }
    }
}

/// One end of a pipe as its socket sees it.
struct End {
    sig: Arc<Sig>,
    id: PipeId,
}

/// Shared by both ends of an inproc pipe. `queues[i]` holds messages for end `i`.
pub struct Link {
    closed: AtomicBool,
    /// Closed by `nn_shutdown`: what is queued goes with the pipe, as
    /// upstream. (A plain close keeps it readable.)
    discard: AtomicBool,
    /// End `i` has taken the pipe into use; until then end `1 - i` may not
    /// send (a PAIR with a peer already refuses a second one this way).
    accepted: [AtomicBool; 2],
    queues: [Queue; 2],
    ends: [End; 2],
}

impl Link {
    /// Connect two sockets: returns the two ends, each to be posted to its
    /// own socket as `Event::Added`. `caps[i]` bounds what may wait for end `i`.
    pub fn pair(
        sigs: [Arc<Sig>; 2],
        eids: [i32; 2],
        caps: [usize; 2],
        prios: [(u8, u8); 2],
    ) -> [Pipe; 2] {
        let ids = [new_pipe_id(), new_pipe_id()];
        let [s0, s1] = sigs;
        let link = Arc::new(Link {
            closed: AtomicBool::new(false),
            discard: AtomicBool::new(false),
            accepted: [AtomicBool::new(false), AtomicBool::new(false)],
            queues: [Queue::new(caps[0]), Queue::new(caps[1])],
            ends: [
                End {
                    sig: s0,
                    id: ids[0],
                },
                End {
                    sig: s1,
                    id: ids[1],
                },
            ],
        });
        let mk = |side: usize| Pipe {
            id: ids[side],
            eid: eids[side],
            sndprio: prios[side].0,
            rcvprio: prios[side].1,
            kind: Kind::Inproc {
                link: link.clone(),
                side,
            },
        };
        [mk(0), mk(1)]
    }

    fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        for q in &self.queues {
            q.st.lock().closed = true;
        }
        for end in &self.ends {
            end.sig.post(Event::Closed(end.id));
            end.sig.poke_owner();
        }
    }
}

#[derive(Clone)]
enum Kind {
    Inproc { link: Arc<Link>, side: usize },
    Stream(Arc<Conn>),
}

/// A socket's handle on one pipe. Cheap to clone (protocols keep copies).
#[derive(Clone)]
pub struct Pipe {
    pub id: PipeId,
    /// The endpoint (bind/connect id) that created this pipe.
    pub eid: i32,
    pub sndprio: u8,
    pub rcvprio: u8,
    kind: Kind,
}

impl Pipe {
    /// The pipe of a network connection whose handshake is done.
    pub(crate) fn stream(conn: Arc<Conn>, eid: i32, prios: (u8, u8)) -> Pipe {
        Pipe {
            id: conn.id,
            eid,
            sndprio: prios.0,
            rcvprio: prios.1,
            kind: Kind::Stream(conn),
        }
    }

    /// Is this a network connection (not inproc)?
    pub fn is_stream(&self) -> bool {
        matches!(self.kind, Kind::Stream(_))
    }

    /// Take the pipe into use: the peer may send from now on. (A network
    /// peer sends whenever it likes; what it sends waits in the queue.)
    pub fn accept(&self) {
        if let Kind::Inproc { link, side } = &self.kind {
            if !link.accepted[*side].swap(true, Ordering::AcqRel) {
                let end = &link.ends[1 - side];
                end.sig.post(Event::Out(end.id));
            }
        }
    }

    /// Queue a message for the peer.
    pub fn send(&self, msg: Msg) -> Result<(), PushError> {
        let (link, side) = match &self.kind {
            Kind::Inproc { link, side } => (link, *side),
            Kind::Stream(c) => return c.send(msg),
        };
        let peer = 1 - side;
        let q = &link.queues[peer];
        let size = msg.size();
        let mut st = q.st.lock();
        if st.closed {
            return Err(PushError::Closed(msg));
        }
        // Not yet accepted by the peer: accept() posts Event::Out later.
        if !link.accepted[peer].load(Ordering::Acquire) {
            return Err(PushError::Full(msg));
        }
        // Two messages always fit, however large (as upstream, whose
        // sender holds one more message beside the peer's full queue).
        if st.msgs.len() >= 2 && st.bytes + size > st.cap {
            st.producer_blocked = true;
            return Err(PushError::Full(msg));
        }
        let was_empty = st.msgs.is_empty();
        st.bytes += size;
        st.msgs.push_back(msg);
        drop(st);
        if was_empty {
            let end = &link.ends[peer];
            end.sig.post(Event::In(end.id));
        }
        Ok(())
    }

    /// Take the next message from the peer, if any, and whether more wait.
    pub fn recv(&self) -> Option<(Msg, bool)> {
        let (link, side) = match &self.kind {
            Kind::Inproc { link, side } => (link, *side),
            Kind::Stream(c) => return c.recv(),
        };
        let q = &link.queues[side];
        let mut st = q.st.lock();
        let msg = st.msgs.pop_front()?;
        st.bytes -= msg.size();
        let more = !st.msgs.is_empty();
        let unblock = std::mem::take(&mut st.producer_blocked);
        drop(st);
        if unblock {
            let end = &link.ends[1 - side];
            end.sig.post(Event::Out(end.id));
        }
        Some((msg, more))
    }

    /// Is a message waiting?
    pub fn has_input(&self) -> bool {
        match &self.kind {
            Kind::Inproc { link, side } => !link.queues[*side].st.lock().msgs.is_empty(),
            Kind::Stream(c) => c.has_input(),
        }
    }

    /// Close both ends; each socket gets `Event::Closed`. Messages already
    /// queued for a socket stay readable by it: the socket keeps a closed
    /// pipe until it has read them.
    pub fn close(&self) {
        match &self.kind {
            Kind::Inproc { link, .. } => link.close(),
            Kind::Stream(c) => c.close(),
        }
    }

    /// `nn_shutdown`: close, and what is still queued either way is dropped.
    pub fn close_discarding(&self) {
        match &self.kind {
            Kind::Inproc { link, .. } => {
                link.discard.store(true, Ordering::Release);
                link.close();
            }
            Kind::Stream(c) => c.drop_pipe(),
        }
    }

    /// Was this pipe shut down with its messages dropped?
    pub fn discarded(&self) -> bool {
        match &self.kind {
            Kind::Inproc { link, .. } => link.discard.load(Ordering::Acquire),
            Kind::Stream(_) => false,
        }
    }
}

impl std::fmt::Debug for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pipe({}, ep {})", self.id, self.eid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(cap: usize) -> (Arc<Sig>, Arc<Sig>, Pipe, Pipe) {
        let a = Arc::new(Sig::new());
        let b = Arc::new(Sig::new());
        let [pa, pb] = Link::pair([a.clone(), b.clone()], [1, 1], [cap, cap], [(8, 8), (8, 8)]);
        pa.accept();
        pb.accept();
        drain(&a);
        drain(&b);
        (a, b, pa, pb)
    }

    fn drain(s: &Sig) -> Vec<Event> {
        let mut v = Vec::new();
        s.take_events(&mut v);
        v
    }

    #[test]
    fn fifo_and_in_event_on_first_message_only() {
        let (_a, b, pa, pb) = pair(1000);
        pa.send(Msg::from_slice(b"1").unwrap()).unwrap();
        pa.send(Msg::from_slice(b"2").unwrap()).unwrap();
        let ev = drain(&b);
        assert_eq!(ev.len(), 1);
        assert!(matches!(ev[0], Event::In(id) if id == pb.id));
        assert_eq!(pb.recv().unwrap().0.body.as_slice(), b"1");
        assert_eq!(pb.recv().unwrap().0.body.as_slice(), b"2");
        assert!(pb.recv().is_none());
    }

    #[test]
    fn full_queue_refuses_then_signals_out() {
        let (a, _b, pa, pb) = pair(10);
        pa.send(Msg::from_slice(&[0; 8]).unwrap()).unwrap();
        pa.send(Msg::from_slice(&[0; 8]).unwrap()).unwrap();
        let m = match pa.send(Msg::from_slice(&[0; 8]).unwrap()) {
            Err(PushError::Full(m)) => m,
            other => panic!("expected Full, got {other:?}"),
        };
        assert!(drain(&a).is_empty());
        pb.recv().unwrap();
        let ev = drain(&a);
        assert!(matches!(ev[..], [Event::Out(id)] if id == pa.id));
        pa.send(m).unwrap();
    }

    #[test]
    fn no_sending_until_the_peer_accepts() {
        let a = Arc::new(Sig::new());
        let b = Arc::new(Sig::new());
        let [pa, pb] = Link::pair([a.clone(), b.clone()], [1, 1], [100, 100], [(8, 8), (8, 8)]);
        assert!(matches!(
            pa.send(Msg::from_slice(b"x").unwrap()),
            Err(PushError::Full(_))
        ));
        pb.accept();
        assert!(matches!(drain(&a)[..], [Event::Out(id)] if id == pa.id));
        pa.send(Msg::from_slice(b"x").unwrap()).unwrap();
    }

    #[test]
    fn oversized_message_fits_an_empty_queue() {
        let (_a, _b, pa, pb) = pair(4);
        pa.send(Msg::from_slice(&[7; 100]).unwrap()).unwrap();
        assert_eq!(pb.recv().unwrap().0.body.len(), 100);
    }

    #[test]
    fn close_notifies_both_and_keeps_queued_messages() {
        let (a, b, pa, pb) = pair(100);
        pa.send(Msg::from_slice(b"x").unwrap()).unwrap();
        drain(&b);
        pa.close();
        assert!(matches!(drain(&a)[..], [Event::Closed(_)]));
        assert!(matches!(drain(&b)[..], [Event::Closed(_)]));
        assert!(matches!(
            pa.send(Msg::from_slice(b"y").unwrap()),
            Err(PushError::Closed(_))
        ));
        assert_eq!(pb.recv().unwrap().0.body.as_slice(), b"x");
    }
}
