//! PAIR: one peer at a time, messages both ways.
//!
//! The first pipe attached is the active one. Further inproc pipes wait on
//! standby, not accepted: their peers can send nothing and get nothing
//! until the active pipe goes; then the oldest takes over. Further network
//! connections are closed at once, as upstream does. When a pipe goes, what it
//! still held goes with it, as upstream (linger, issue 5, flushes before a
//! close instead).
//!
//! PAIR has no protocol header: a header that came with a message (from a
//! raw sender's `SP_HDR`) is simply the front of the body, as it would be on
//! a stream transport.

use std::collections::VecDeque;

use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::pipe::{Pipe, PipeId, PushError};
use crate::protocols::{Protocol, SendError};

#[derive(Default)]
pub struct Pair {
    active: Option<Pipe>,
    readable: bool,
    writable: bool,
    standby: VecDeque<Pipe>,
}

impl Pair {
    pub fn create(_raw: bool) -> Box<dyn Protocol> {
        Box::<Pair>::default()
    }

    fn activate(&mut self, p: Pipe) {
        p.accept();
        self.readable = p.has_input();
        self.writable = true;
        self.active = Some(p);
    }

    fn is_active(&self, id: PipeId) -> bool {
        self.active.as_ref().is_some_and(|p| p.id == id)
    }
}

impl Protocol for Pair {
    fn add_pipe(&mut self, pipe: Pipe) {
        if self.active.is_none() {
            self.activate(pipe);
        } else if pipe.is_network() {
            // A network peer cannot be held back (it sends when it likes):
            // refuse it, as upstream does; it reconnects and tries again.
            pipe.close_discarding();
        } else {
            self.standby.push_back(pipe);
        }
    }

    fn rm_pipe(&mut self, id: PipeId) {
        if self.is_active(id) {
            self.active = None;
            self.readable = false;
            self.writable = false;
            if let Some(next) = self.standby.pop_front() {
                self.activate(next);
            }
        } else {
            self.standby.retain(|p| p.id != id);
        }
    }

    fn in_ready(&mut self, id: PipeId) {
        if self.is_active(id) {
            self.readable = true;
        }
    }

    fn out_ready(&mut self, id: PipeId) {
        if self.is_active(id) {
            self.writable = true;
        }
    }

    fn send(&mut self, msg: Msg) -> std::result::Result<(), SendError> {
        let Some(p) = self.active.as_ref().filter(|_| self.writable) else {
            return Err(SendError::Again(msg));
        };
        match p.send(msg) {
            Ok(()) => Ok(()),
            Err(PushError::Full(m)) | Err(PushError::Closed(m)) => {
                self.writable = false;
                Err(SendError::Again(m))
            }
        }
    }

    fn recv(&mut self) -> Result<Msg> {
        self.recv_raw().and_then(merge_header)
    }

    fn can_send(&self) -> bool {
        self.active.is_some() && self.writable
    }

    fn can_recv(&self) -> bool {
        self.readable
    }
}

/// Make a header that came with a message part of its body.
fn merge_header(m: Msg) -> Result<Msg> {
    if m.hdr.is_empty() {
        return Ok(m);
    }
    let mut bytes = m.hdr;
    bytes.extend_from_slice(m.body.as_slice());
    Msg::from_slice(&bytes)
}

impl Pair {
    fn recv_raw(&mut self) -> Result<Msg> {
        if !self.readable {
            return Err(Error::AGAIN);
        }
        let p = self
            .active
            .as_ref()
            .expect("readable implies an active pipe");
        match p.recv() {
            Some((m, more)) => {
                self.readable = more;
                Ok(m)
            }
            None => {
                self.readable = false;
                Err(Error::AGAIN)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pipe::fake;
    use std::sync::atomic::Ordering;

    #[test]
    fn the_first_pipe_serves_and_a_second_waits_until_it_goes() {
        let mut pair = Pair::default();
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let id1 = p1.id;
        pair.add_pipe(p1);
        pair.add_pipe(p2);
        assert!(e1.accepted.load(Ordering::Acquire));
        assert!(
            !e2.accepted.load(Ordering::Acquire),
            "standby is not accepted"
        );
        assert!(pair.send(Msg::from_slice(b"hi").unwrap()).is_ok());
        assert_eq!(e1.take_sent(), vec![(vec![], b"hi".to_vec())]);
        e1.put(b"back");
        assert!(!pair.can_recv(), "nothing until the pipe says In");
        pair.in_ready(id1);
        assert_eq!(pair.recv().unwrap().body.as_slice(), b"back");
        assert_eq!(pair.recv().unwrap_err(), Error::AGAIN);
        pair.rm_pipe(id1);
        assert!(
            e2.accepted.load(Ordering::Acquire),
            "the standby takes over"
        );
        assert!(pair.send(Msg::from_slice(b"two").unwrap()).is_ok());
        assert_eq!(e2.take_sent().len(), 1);
    }

    #[test]
    fn a_second_network_peer_is_refused_and_the_first_stays() {
        let mut pair = Pair::default();
        let (p1, e1) = fake::net_pipe((8, 8));
        let (p2, e2) = fake::net_pipe((8, 8));
        let id2 = p2.id;
        pair.add_pipe(p1);
        pair.add_pipe(p2);
        assert!(e1.accepted.load(Ordering::Acquire));
        assert!(!e1.closed.load(Ordering::Acquire));
        assert!(!e2.accepted.load(Ordering::Acquire));
        assert!(e2.closed.load(Ordering::Acquire), "refused at once");
        assert!(
            e2.discarded.load(Ordering::Acquire),
            "with its input dropped"
        );
        // The refused pipe's Closed event comes later; it changes nothing.
        pair.rm_pipe(id2);
        assert!(pair.send(Msg::from_slice(b"still").unwrap()).is_ok());
        assert_eq!(e1.take_sent(), vec![(vec![], b"still".to_vec())]);
    }

    #[test]
    fn a_full_pipe_stops_sending_until_out_ready() {
        let mut pair = Pair::default();
        assert!(!pair.can_send(), "no peer: nothing to send to");
        assert!(matches!(
            pair.send(Msg::from_slice(b"x").unwrap()),
            Err(SendError::Again(_))
        ));
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        pair.add_pipe(p);
        assert!(pair.can_send());
        e.set_room(1);
        assert!(pair.send(Msg::from_slice(b"one").unwrap()).is_ok());
        assert!(pair.can_send(), "not known to be full until a send fails");
        let Err(SendError::Again(back)) = pair.send(Msg::from_slice(b"two").unwrap()) else {
            panic!("a full pipe must give the message back");
        };
        assert_eq!(back.body.as_slice(), b"two");
        assert!(!pair.can_send());
        e.set_room(usize::MAX);
        assert!(
            matches!(pair.send(back), Err(SendError::Again(_))),
            "not before Out"
        );
        pair.out_ready(id);
        assert!(pair.can_send());
        assert!(pair.send(Msg::from_slice(b"two").unwrap()).is_ok());
        assert_eq!(
            e.take_sent(),
            vec![(vec![], b"one".to_vec()), (vec![], b"two".to_vec())]
        );
    }

    #[test]
    fn standby_events_do_not_count_and_a_standby_with_input_is_readable_on_takeover() {
        let mut pair = Pair::default();
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let (p3, e3) = fake::pipe((8, 8));
        let (id1, id2, id3) = (p1.id, p2.id, p3.id);
        pair.add_pipe(p1);
        pair.add_pipe(p2);
        pair.add_pipe(p3);
        e1.set_room(0);
        assert!(pair.send(Msg::from_slice(b"x").unwrap()).is_err());
        e3.put(b"from3");
        pair.in_ready(id3);
        pair.out_ready(id3);
        assert!(!pair.can_recv(), "standby input is not ours");
        assert!(!pair.can_send(), "standby room is not ours");
        // The second in line leaves before its turn: the third takes over.
        pair.rm_pipe(id2);
        assert!(!e2.accepted.load(Ordering::Acquire));
        pair.rm_pipe(id1);
        assert!(e3.accepted.load(Ordering::Acquire));
        assert!(pair.can_recv(), "input waiting on the new pipe is readable");
        assert!(pair.can_send());
        assert_eq!(pair.recv().unwrap().body.as_slice(), b"from3");
        assert!(!pair.can_recv());
    }

    #[test]
    fn a_header_that_came_with_a_message_is_part_of_the_body() {
        let mut pair = Pair::default();
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        pair.add_pipe(p);
        e.put_hdr(&[0x80, 0, 0, 1], b"body");
        pair.in_ready(id);
        let m = pair.recv().unwrap();
        assert!(m.hdr.is_empty());
        assert_eq!(m.body.as_slice(), b"\x80\0\0\x01body");
    }

    #[test]
    fn without_a_peer_nothing_is_readable() {
        let mut pair = Pair::default();
        pair.in_ready(42);
        assert!(!pair.can_recv());
        assert_eq!(pair.recv().unwrap_err(), Error::AGAIN);
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        pair.add_pipe(p);
        e.put(b"m");
        pair.in_ready(id);
        pair.rm_pipe(id);
        assert!(!pair.can_recv(), "what the pipe held goes with it");
        assert_eq!(pair.recv().unwrap_err(), Error::AGAIN);
    }
}
