//! BUS: every message goes to every directly connected peer, never back to
//! the pipe it came from. Messages are fair-queued in.
//!
//! Raw BUS (for devices): a received message carries the 4-byte key of the
//! pipe it came from as its header; a message sent with such a header goes
//! to every pipe but that one.

use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::pipe::{Pipe, PipeId};
use crate::protocols::prio::{Distributor, FairQueue};
use crate::protocols::{Protocol, SendError};

pub struct Bus {
    raw: bool,
    dist: Distributor,
    fq: FairQueue,
}

impl Bus {
    pub fn create(raw: bool) -> Box<dyn Protocol> {
        Box::new(Bus {
            raw,
            dist: Distributor::default(),
            fq: FairQueue::default(),
        })
    }
}

impl Protocol for Bus {
    fn add_pipe(&mut self, pipe: Pipe) {
        pipe.accept();
        self.fq.add(pipe.clone());
        self.dist.add(pipe);
    }
    fn rm_pipe(&mut self, id: PipeId) {
        self.fq.remove(id);
        self.dist.remove(id);
    }
    fn in_ready(&mut self, id: PipeId) {
        self.fq.in_ready(id);
    }
    fn send(&mut self, mut msg: Msg) -> std::result::Result<(), SendError> {
        let skip = if self.raw && msg.hdr.len() == 4 {
            let key = u32::from_be_bytes(msg.hdr[..4].try_into().expect("4 bytes"));
            Some(key as PipeId)
        } else {
            None
        };
        msg.hdr.clear();
        self.dist.send(&msg, skip);
        Ok(())
    }
    fn recv(&mut self) -> Result<Msg> {
        let (mut m, from) = self.fq.recv().ok_or(Error::AGAIN)?;
        m.hdr.clear();
        if self.raw {
            m.hdr
                .extend_from_slice(&crate::protocols::pipe_key(from).to_be_bytes());
        }
        Ok(m)
    }
    fn can_send(&self) -> bool {
        true
    }
    fn can_recv(&self) -> bool {
        self.fq.can_recv()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pipe::fake::{self, msg};
    use crate::protocols::pipe_key;

    #[test]
    fn bus_sends_to_every_peer_and_receives_from_all_without_header() {
        let mut bus = Bus::create(false);
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let (id1, id2) = (p1.id, p2.id);
        bus.add_pipe(p1);
        bus.add_pipe(p2);
        let mut m = msg(b"hello");
        m.hdr = pipe_key(id1).to_be_bytes().to_vec(); // a cooked BUS ignores headers
        assert!(bus.send(m).is_ok());
        assert_eq!(e1.take_sent(), vec![(vec![], b"hello".to_vec())]);
        assert_eq!(e2.take_sent(), vec![(vec![], b"hello".to_vec())]);
        e1.put_hdr(&[1, 2, 3, 4], b"x");
        e2.put(b"y");
        bus.in_ready(id1);
        bus.in_ready(id2);
        let a = bus.recv().unwrap();
        let b = bus.recv().unwrap();
        assert!(a.hdr.is_empty() && b.hdr.is_empty());
        assert_eq!(
            (a.body.as_slice(), b.body.as_slice()),
            (&b"x"[..], &b"y"[..])
        );
        assert_eq!(bus.recv().unwrap_err(), Error::AGAIN);
    }

    #[test]
    fn raw_bus_forwards_to_everyone_but_the_origin() {
        let mut bus = Bus::create(true);
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let (p3, e3) = fake::pipe((8, 8));
        let id2 = p2.id;
        bus.add_pipe(p1);
        bus.add_pipe(p2);
        bus.add_pipe(p3);
        e2.put(b"from2");
        bus.in_ready(id2);
        assert!(bus.can_recv());
        let m = bus.recv().unwrap();
        assert_eq!(m.hdr, pipe_key(id2).to_be_bytes());
        assert_eq!(m.body.as_slice(), b"from2");
        // A device sends it back into the same socket as it came.
        assert!(bus.send(m).is_ok());
        assert_eq!(e1.take_sent(), vec![(vec![], b"from2".to_vec())]);
        assert!(e2.take_sent().is_empty(), "never back to the origin");
        assert_eq!(e3.take_sent(), vec![(vec![], b"from2".to_vec())]);
        // Without an origin header it goes to all.
        assert!(bus.send(msg(b"all")).is_ok());
        let mut odd = msg(b"odd");
        odd.hdr = pipe_key(id2).to_be_bytes().to_vec();
        odd.hdr.push(0); // not a 4-byte pipe key: no origin
        assert!(bus.send(odd).is_ok());
        for e in [&e1, &e2, &e3] {
            assert_eq!(
                e.take_sent(),
                vec![(vec![], b"all".to_vec()), (vec![], b"odd".to_vec())]
            );
        }
    }
}
