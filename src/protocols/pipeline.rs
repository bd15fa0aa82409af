//! PUSH/PULL: PUSH load-balances messages over its pipes (best `NN_SNDPRIO`
//! first, round-robin within a priority, skipping pipes without room), PULL
//! fair-queues them from its pipes (best `NN_RCVPRIO` first). Nothing is
//! dropped: a PUSH with no pipe that has room waits.

use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::pipe::{Pipe, PipeId};
use crate::protocols::prio::{FairQueue, LoadBalancer};
use crate::protocols::{Protocol, SendError};

#[derive(Default)]
pub struct Push {
    lb: LoadBalancer,
}

impl Push {
    pub fn create(_raw: bool) -> Box<dyn Protocol> {
        Box::<Push>::default()
    }
}

impl Protocol for Push {
    fn add_pipe(&mut self, pipe: Pipe) {
        pipe.accept();
        self.lb.add(pipe);
    }
    fn rm_pipe(&mut self, id: PipeId) {
        self.lb.remove(id);
    }
    fn out_ready(&mut self, id: PipeId) {
        self.lb.out_ready(id);
    }
    fn send(&mut self, msg: Msg) -> std::result::Result<(), SendError> {
        self.lb.send(msg).map(|_| ()).map_err(SendError::Again)
    }
    fn can_send(&self) -> bool {
        self.lb.can_send()
    }
    fn current_snd_priority(&self) -> u64 {
        self.lb.current_priority()
    }
}

#[derive(Default)]
pub struct Pull {
    fq: FairQueue,
}

impl Pull {
    pub fn create(_raw: bool) -> Box<dyn Protocol> {
        Box::<Pull>::default()
    }
}

impl Protocol for Pull {
    fn add_pipe(&mut self, pipe: Pipe) {
        pipe.accept();
        self.fq.add(pipe);
    }
    fn rm_pipe(&mut self, id: PipeId) {
        self.fq.remove(id);
    }
    fn in_ready(&mut self, id: PipeId) {
        self.fq.in_ready(id);
    }
    fn recv(&mut self) -> Result<Msg> {
        self.fq.recv().map(|(m, _)| m).ok_or(Error::AGAIN)
    }
    fn can_recv(&self) -> bool {
        self.fq.can_recv()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pipe::fake::{self, bodies, msg};
    use std::sync::atomic::Ordering;

    #[test]
    fn push_load_balances_round_robin() {
        let mut push = Push::create(false);
        assert!(!push.can_send(), "no pipe: wait");
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        push.add_pipe(p1);
        push.add_pipe(p2);
        assert!(e1.accepted.load(Ordering::Acquire) && e2.accepted.load(Ordering::Acquire));
        for b in [b"1", b"2", b"3", b"4"] {
            assert!(push.send(msg(b)).is_ok());
        }
        assert_eq!(bodies(e1.take_sent()), vec![b"1".to_vec(), b"3".to_vec()]);
        assert_eq!(bodies(e2.take_sent()), vec![b"2".to_vec(), b"4".to_vec()]);
    }

    #[test]
    fn push_prefers_the_lower_sndprio_and_falls_back_when_it_is_full() {
        let mut push = Push::create(false);
        let (lo, elo) = fake::pipe((10, 8));
        let (hi, ehi) = fake::pipe((2, 8));
        let (idlo, idhi) = (lo.id, hi.id);
        push.add_pipe(lo);
        assert_eq!(push.current_snd_priority(), 10);
        push.add_pipe(hi);
        assert_eq!(push.current_snd_priority(), 2);
        ehi.set_room(2);
        for b in [b"a", b"b", b"c"] {
            assert!(push.send(msg(b)).is_ok());
        }
        assert_eq!(bodies(ehi.take_sent()), vec![b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(bodies(elo.take_sent()), vec![b"c".to_vec()]);
        elo.set_room(0);
        let Err(SendError::Again(back)) = push.send(msg(b"d")) else {
            panic!("every pipe is full: the message must wait");
        };
        assert!(!push.can_send());
        elo.set_room(usize::MAX);
        push.out_ready(idlo);
        assert!(push.can_send());
        ehi.set_room(usize::MAX);
        push.out_ready(idhi);
        assert!(push.send(back).is_ok());
        assert_eq!(
            bodies(ehi.take_sent()),
            vec![b"d".to_vec()],
            "the best again"
        );
        assert!(elo.take_sent().is_empty());
        push.rm_pipe(idhi);
        assert_eq!(push.current_snd_priority(), 10);
        assert!(push.send(msg(b"e")).is_ok());
        assert_eq!(bodies(elo.take_sent()), vec![b"e".to_vec()]);
    }

    #[test]
    fn pull_fair_queues_best_rcvprio_first() {
        let mut pull = Pull::create(false);
        let (a, ea) = fake::pipe((8, 8));
        let (b, eb) = fake::pipe((8, 8));
        let (c, ec) = fake::pipe((8, 4));
        let (ida, idb, idc) = (a.id, b.id, c.id);
        pull.add_pipe(a);
        pull.add_pipe(b);
        pull.add_pipe(c);
        assert!(!pull.can_recv());
        assert_eq!(pull.recv().unwrap_err(), Error::AGAIN);
        ea.put(b"a1");
        ea.put(b"a2");
        eb.put(b"b1");
        eb.put(b"b2");
        ec.put(b"c1");
        pull.in_ready(ida);
        pull.in_ready(idb);
        pull.in_ready(idc);
        assert!(pull.can_recv());
        let got: Vec<Vec<u8>> = std::iter::from_fn(|| pull.recv().ok())
            .map(|m| m.body.as_slice().to_vec())
            .collect();
        assert_eq!(
            got,
            [&b"c1"[..], b"a1", b"b1", b"a2", b"b2"]
                .iter()
                .map(|s| s.to_vec())
                .collect::<Vec<_>>()
        );
        assert!(!pull.can_recv());
    }
}
