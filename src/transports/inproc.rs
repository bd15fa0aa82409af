//! inproc: sockets in one process, joined by name.
//!
//! A global registry maps each name to its bound endpoint and every
//! endpoint connected to it. Whenever a binder and a connector meet (in
//! either order), they get a pipe; connectors stay registered, so when a
//! bound socket goes away and another binds the same name, they reconnect
//! by themselves. Sockets whose protocols cannot talk get no pipe.
//!
//! The pipe between them is a [`Link`]: two bounded queues, one per
//! direction. What one socket pushes the other pops, with no copy and no
//! helper thread; each end posts to its own socket's mailbox only.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::options::Options;
use crate::core::pipe::{new_pipe_id, Pipe, PipeEnd, PipeId, PushError};
use crate::core::shared::Shared;
use crate::core::sig::{Event, Sig};
use crate::transports::EndpointImpl;

#[derive(Clone)]
struct Member {
    uid: u64,
    shared: Weak<Shared>,
    eid: i32,
    prios: (u8, u8),
}

#[derive(Default)]
struct Name {
    binder: Option<Member>,
    connectors: Vec<Member>,
}

static REGISTRY: Mutex<Option<HashMap<String, Name>>> = Mutex::new(None);
static NEXT_UID: AtomicU64 = AtomicU64::new(1);

pub struct InprocEp {
    name: String,
    uid: u64,
    live: bool,
    joins: Option<Joins>,
}

/// Give the binder and a connector a pipe if both are alive and their
/// protocols match. `binding` says which side's call made them meet.
fn join(binder: &Member, connector: &Member, binding: bool) -> Option<Arc<Link>> {
    let (a, b) = (binder, connector);
    let (Some(sa), Some(sb)) = (a.shared.upgrade(), b.shared.upgrade()) else {
        return None;
    };
    if !sa.accepts(sb.protocol) || !sb.accepts(sa.protocol) {
        return None;
    }
    let cap = |s: &Shared| s.rcvbuf();
    // Connection counters as upstream's inproc keeps them: the connector
    // counts an established connection; the binder counts an accepted one
    // only when the connector was waiting for it.
    sb.stats
        .established_connections
        .fetch_add(1, Ordering::Relaxed);
    if binding {
        sa.stats
            .accepted_connections
            .fetch_add(1, Ordering::Relaxed);
    }
    let ([pa, pb], link) = link_pair(
        [sa.sig.clone(), sb.sig.clone()],
        [a.eid, b.eid],
        [cap(&sa), cap(&sb)],
        [a.prios, b.prios],
    );
    // Posting Added lets idle sockets take the pipe into use at once (their
    // protocol decides whether to accept it); the socket calling
    // bind/connect holds its own lock and drains right after.
    sa.sig.post(Event::Added(pa));
    sb.sig.post(Event::Added(pb));
    Some(link)
}

/// Both ends of an inproc pipe: a pair of bounded queues, `queues[i]`
/// holding messages for end `i`. What one socket pushes the other pops,
/// with no copy and no helper thread.
struct Link {
    closed: AtomicBool,
    /// Closed by `nn_shutdown`: what is queued goes with the pipe, as
    /// upstream. (A plain close keeps it readable.)
    discard: AtomicBool,
    /// End `i` has taken the pipe into use; until then end `1 - i` may not
    /// send (a PAIR with a peer already refuses a second one this way).
    accepted: [AtomicBool; 2],
    queues: [Mutex<Queue>; 2],
    /// Each end's socket and pipe id, for its events.
    ends: [(Arc<Sig>, PipeId); 2],
    /// End `i`'s socket has been given its pipe (see [`Joins`]).
    attached: Mutex<[bool; 2]>,
    attached_cv: Condvar,
}

struct Queue {
    msgs: VecDeque<Msg>,
    bytes: usize,
    cap: usize,
    producer_blocked: bool,
    closed: bool,
}

impl Queue {
    fn new(cap: usize) -> Mutex<Queue> {
        Mutex::new(Queue {
            msgs: VecDeque::new(),
            bytes: 0,
            cap,
            producer_blocked: false,
            closed: false,
        })
    }
}

/// One socket's end of a [`Link`].
struct LinkEnd {
    link: Arc<Link>,
    side: usize,
}

/// Connect two sockets: returns the two pipes, each to be posted to its own
/// socket as `Event::Added`. `caps[i]` bounds what may wait for end `i`.
fn link_pair(
    sigs: [Arc<Sig>; 2],
    eids: [i32; 2],
    caps: [usize; 2],
    prios: [(u8, u8); 2],
) -> ([Pipe; 2], Arc<Link>) {
    let ids = [new_pipe_id(), new_pipe_id()];
    let [s0, s1] = sigs;
    let link = Arc::new(Link {
        closed: AtomicBool::new(false),
        discard: AtomicBool::new(false),
        accepted: [AtomicBool::new(false), AtomicBool::new(false)],
        queues: [Queue::new(caps[0]), Queue::new(caps[1])],
        ends: [(s0, ids[0]), (s1, ids[1])],
        attached: Mutex::new([false; 2]),
        attached_cv: Condvar::new(),
    });
    let mk = |side: usize| {
        let end = Arc::new(LinkEnd {
            link: link.clone(),
            side,
        });
        Pipe::new(ids[side], eids[side], prios[side], end)
    };
    ([mk(0), mk(1)], link)
}

impl Link {
    fn post(&self, side: usize, ev: fn(PipeId) -> Event) {
        let (sig, id) = &self.ends[side];
        sig.post(ev(*id));
    }

    fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        for q in &self.queues {
            q.lock().closed = true;
        }
        self.post(0, Event::Closed);
        self.post(1, Event::Closed);
        let _guard = self.attached.lock();
        self.attached_cv.notify_all();
    }

    /// Wait until end `side`'s socket has its pipe (or the link closed).
    fn wait_attached(&self, side: usize, deadline: Instant) {
        let mut a = self.attached.lock();
        while !a[side] && !self.closed.load(Ordering::Acquire) {
            if self.attached_cv.wait_until(&mut a, deadline).timed_out() {
                return;
            }
        }
    }
}

/// The links an inproc `nn_bind`/`nn_connect` made, and which end of each
/// belongs to the other socket. Upstream's inproc connects both sides
/// within the call (a `nn_send(NN_DONTWAIT)` right after it finds the
/// peer), so the caller waits for the other sockets to take their pipes,
/// holding no lock: they do so on their own (a caller of theirs, or the
/// I/O thread), never on ours.
pub struct Joins(Vec<(Arc<Link>, usize)>);

impl Joins {
    pub fn wait(self, deadline: Instant) {
        for (link, side) in self.0 {
            link.wait_attached(side, deadline);
        }
    }
}

impl PipeEnd for LinkEnd {
    fn attached(&self) {
        self.link.attached.lock()[self.side] = true;
        self.link.attached_cv.notify_all();
    }

    fn accept(&self) {
        let link = &self.link;
        if !link.accepted[self.side].swap(true, Ordering::AcqRel) {
            link.post(1 - self.side, Event::Out);
        }
    }

    fn send(&self, msg: Msg) -> std::result::Result<(), PushError> {
        let link = &self.link;
        let peer = 1 - self.side;
        let size = msg.size();
        let mut q = link.queues[peer].lock();
        if q.closed {
            return Err(PushError::Closed(msg));
        }
        // Not yet accepted by the peer: its accept() posts Event::Out later.
        if !link.accepted[peer].load(Ordering::Acquire) {
            return Err(PushError::Full(msg));
        }
        // Two messages always fit, however large (as upstream, whose
        // sender holds one more message beside the peer's full queue).
        if q.msgs.len() >= 2 && q.bytes + size > q.cap {
            q.producer_blocked = true;
            return Err(PushError::Full(msg));
        }
        let was_empty = q.msgs.is_empty();
        q.bytes += size;
        q.msgs.push_back(msg);
        drop(q);
        if was_empty {
            link.post(peer, Event::In);
        }
        Ok(())
    }

    fn recv(&self) -> Option<(Msg, bool)> {
        let link = &self.link;
        let mut q = link.queues[self.side].lock();
        let msg = q.msgs.pop_front()?;
        q.bytes -= msg.size();
        // The next message was written on the sender's core: start
        // fetching it while the caller handles this one.
        let more = match q.msgs.front() {
            Some(n) => {
                n.body.prefetch();
                true
            }
            None => false,
        };
        let unblock = std::mem::take(&mut q.producer_blocked);
        drop(q);
        if unblock {
            link.post(1 - self.side, Event::Out);
        }
        Some((msg, more))
    }

    fn has_input(&self) -> bool {
        !self.link.queues[self.side].lock().msgs.is_empty()
    }

    fn close(&self) {
        self.link.close();
    }

    fn close_discarding(&self) {
        self.link.discard.store(true, Ordering::Release);
        self.link.close();
    }

    fn discarded(&self) -> bool {
        self.link.discard.load(Ordering::Acquire)
    }
}

impl InprocEp {
    pub fn new(
        shared: &Arc<Shared>,
        eid: i32,
        name: &str,
        bind: bool,
        opts: &Options,
    ) -> Result<InprocEp> {
        let me = Member {
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            shared: Arc::downgrade(shared),
            eid,
            prios: (opts.sndprio as u8, opts.rcvprio as u8),
        };
        let mut reg = REGISTRY.lock();
        let entry = reg
            .get_or_insert_with(HashMap::new)
            .entry(name.to_string())
            .or_default();
        // Links to wait for: the binder is end 0, a connector end 1.
        let mut joins = Vec::new();
        if bind {
            if entry.binder.is_some() {
                return Err(Error::ADDRINUSE);
            }
            for c in &entry.connectors {
                joins.extend(join(&me, c, true).map(|l| (l, 1)));
            }
            entry.binder = Some(me.clone());
        } else {
            if let Some(b) = &entry.binder {
                joins.extend(join(b, &me, false).map(|l| (l, 0)));
            }
            entry.connectors.push(me.clone());
        }
        Ok(InprocEp {
            name: name.to_string(),
            uid: me.uid,
            live: true,
            joins: Some(Joins(joins)),
        })
    }
}

impl EndpointImpl for InprocEp {
    fn take_joins(&mut self) -> Option<Joins> {
        self.joins.take()
    }

    fn shutdown(&mut self, _graceful: bool) {
        if !std::mem::take(&mut self.live) {
            return;
        }
        let mut reg = REGISTRY.lock();
        let Some(map) = reg.as_mut() else { return };
        if let Some(entry) = map.get_mut(&self.name) {
            if entry.binder.as_ref().is_some_and(|b| b.uid == self.uid) {
                entry.binder = None;
            }
            entry.connectors.retain(|c| c.uid != self.uid);
            if entry.binder.is_none() && entry.connectors.is_empty() {
                map.remove(&self.name);
            }
        }
    }
}

impl Drop for InprocEp {
    fn drop(&mut self) {
        self.shutdown(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(cap: usize) -> (Arc<Sig>, Arc<Sig>, Pipe, Pipe) {
        let a = Arc::new(Sig::new());
        let b = Arc::new(Sig::new());
        let ([pa, pb], _) = link_pair([a.clone(), b.clone()], [1, 1], [cap, cap], [(8, 8), (8, 8)]);
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
        let ([pa, pb], _) = link_pair([a.clone(), b.clone()], [1, 1], [100, 100], [(8, 8), (8, 8)]);
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
