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
}
