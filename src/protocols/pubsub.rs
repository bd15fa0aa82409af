//! PUB/SUB. PUB sends every message to every pipe; a subscriber whose pipe
//! is full misses the message instead of stalling the publisher. SUB keeps
//! its subscriptions (`NN_SUB_SUBSCRIBE` / `NN_SUB_UNSUBSCRIBE` at level
//! `NN_SUB`) in a [`Trie`] and drops what matches none of them.

use crate::consts::{NN_SUB, NN_SUB_SUBSCRIBE, NN_SUB_UNSUBSCRIBE};
use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::pipe::{Pipe, PipeId};
use crate::protocols::prio::{Distributor, FairQueue};
use crate::protocols::trie::Trie;
use crate::protocols::{Protocol, SendError};

#[derive(Default)]
pub struct Pub {
    dist: Distributor,
}

impl Pub {
    pub fn create(_raw: bool) -> Box<dyn Protocol> {
        Box::<Pub>::default()
    }
}

impl Protocol for Pub {
    fn add_pipe(&mut self, pipe: Pipe) {
        pipe.accept();
        self.dist.add(pipe);
    }
    fn rm_pipe(&mut self, id: PipeId) {
        self.dist.remove(id);
    }
    fn send(&mut self, msg: Msg) -> std::result::Result<(), SendError> {
        self.dist.send(&msg, None);
        Ok(())
    }
    /// A publisher never waits.
    fn can_send(&self) -> bool {
        true
    }
}

#[derive(Default)]
pub struct Sub {
    fq: FairQueue,
    subs: Trie,
}

impl Sub {
    pub fn create(_raw: bool) -> Box<dyn Protocol> {
        Box::<Sub>::default()
    }
}

impl Protocol for Sub {
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
        while let Some((m, _)) = self.fq.recv() {
            let matched = if m.hdr.is_empty() {
                self.subs.matches(m.body.as_slice())
            } else {
                let mut whole = m.hdr.clone();
                whole.extend_from_slice(m.body.as_slice());
                self.subs.matches(&whole)
            };
            if matched {
                return Ok(m);
            }
        }
        Err(Error::AGAIN)
    }
    /// Messages are there, though they may all fail the filter: a receive
    /// then says `EAGAIN` and the RCVFD settles, as upstream's does.
    fn can_recv(&self) -> bool {
        self.fq.can_recv()
    }
    fn set_opt(&mut self, level: i32, opt: i32, val: &[u8]) -> Result<()> {
        match (level, opt) {
            (NN_SUB, NN_SUB_SUBSCRIBE) => {
                self.subs.subscribe(val);
                Ok(())
            }
            (NN_SUB, NN_SUB_UNSUBSCRIBE) => {
                // A topic that is not subscribed is EINVAL (upstream says
                // so in most cases, and crashes on an empty set).
                if self.subs.unsubscribe(val) {
                    Ok(())
                } else {
                    Err(Error::INVAL)
                }
            }
            _ => Err(Error::NOPROTOOPT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pipe::fake::{self, msg};
    use std::sync::atomic::Ordering;

    fn sub_with(pipe: Pipe) -> Box<dyn Protocol> {
        let mut sub = Sub::create(false);
        sub.add_pipe(pipe);
        sub
    }

    fn subscribe(sub: &mut dyn Protocol, topic: &[u8]) {
        sub.set_opt(NN_SUB, NN_SUB_SUBSCRIBE, topic).unwrap();
    }

    /// Everything the SUB lets through of `msgs`, all put at once.
    fn through(
        sub: &mut dyn Protocol,
        e: &fake::FakeEnd,
        id: PipeId,
        msgs: &[&[u8]],
    ) -> Vec<Vec<u8>> {
        for m in msgs {
            e.put(m);
        }
        sub.in_ready(id);
        std::iter::from_fn(|| sub.recv().ok())
            .map(|m| m.body.as_slice().to_vec())
            .collect()
    }

    #[test]
    fn pub_sends_to_every_subscriber_and_a_full_one_misses_alone() {
        let mut p = Pub::create(false);
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let id2 = p2.id;
        p.add_pipe(p1);
        p.add_pipe(p2);
        assert!(e1.accepted.load(Ordering::Acquire) && e2.accepted.load(Ordering::Acquire));
        assert!(p.send(msg(b"news")).is_ok());
        assert_eq!(e1.take_sent(), vec![(vec![], b"news".to_vec())]);
        assert_eq!(e2.take_sent(), vec![(vec![], b"news".to_vec())]);
        e1.set_room(0);
        assert!(p.can_send(), "a publisher never waits");
        assert!(p.send(msg(b"more")).is_ok());
        assert!(e1.take_sent().is_empty(), "the full subscriber misses it");
        assert_eq!(e2.take_sent(), vec![(vec![], b"more".to_vec())]);
        e1.set_room(usize::MAX);
        p.rm_pipe(id2);
        assert!(p.send(msg(b"last")).is_ok());
        assert_eq!(e1.take_sent().len(), 1);
        assert!(e2.take_sent().is_empty());
    }

    #[test]
    fn sub_without_subscriptions_receives_nothing() {
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        let mut sub = sub_with(p);
        assert!(e.accepted.load(Ordering::Acquire));
        assert!(through(&mut *sub, &e, id, &[b"a", b"", b"anything"]).is_empty());
        assert_eq!(sub.recv().unwrap_err(), Error::AGAIN);
    }

    #[test]
    fn sub_delivers_what_a_subscription_prefixes_whole() {
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        let mut sub = sub_with(p);
        subscribe(&mut *sub, b"foo");
        subscribe(&mut *sub, b"ba");
        let got = through(
            &mut *sub,
            &e,
            id,
            &[
                b"foo|Hello",
                b"fo",
                b"baz|World",
                b"b",
                b"xfoo",
                b"foo",
                b"Foo",
            ],
        );
        assert_eq!(
            got,
            vec![
                b"foo|Hello".to_vec(),
                b"baz|World".to_vec(),
                b"foo".to_vec()
            ]
        );
        // The empty topic matches everything.
        subscribe(&mut *sub, b"");
        assert_eq!(
            through(&mut *sub, &e, id, &[b"", b"z"]),
            vec![b"".to_vec(), b"z".to_vec()]
        );
    }

    #[test]
    fn sub_matches_a_header_that_came_apart_as_the_front_of_the_message() {
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        let mut sub = sub_with(p);
        subscribe(&mut *sub, b"topic");
        e.put_hdr(b"top", b"ic!");
        e.put_hdr(b"top", b"iary");
        sub.in_ready(id);
        let m = sub.recv().unwrap();
        assert_eq!(
            (m.hdr.as_slice(), m.body.as_slice()),
            (&b"top"[..], &b"ic!"[..])
        );
        assert_eq!(sub.recv().unwrap_err(), Error::AGAIN);
    }

    #[test]
    fn sub_unsubscribe_counts_references_and_unknown_topics_are_einval() {
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        let mut sub = sub_with(p);
        subscribe(&mut *sub, b"t");
        subscribe(&mut *sub, b"t");
        assert_eq!(
            sub.set_opt(NN_SUB, NN_SUB_UNSUBSCRIBE, b"x").unwrap_err(),
            Error::INVAL
        );
        sub.set_opt(NN_SUB, NN_SUB_UNSUBSCRIBE, b"t").unwrap();
        assert_eq!(through(&mut *sub, &e, id, &[b"t1"]), vec![b"t1".to_vec()]);
        sub.set_opt(NN_SUB, NN_SUB_UNSUBSCRIBE, b"t").unwrap();
        assert!(through(&mut *sub, &e, id, &[b"t2"]).is_empty());
        assert_eq!(
            sub.set_opt(NN_SUB, NN_SUB_UNSUBSCRIBE, b"t").unwrap_err(),
            Error::INVAL
        );
        assert_eq!(
            sub.set_opt(NN_SUB, 99, b"t").unwrap_err(),
            Error::NOPROTOOPT
        );
        assert_eq!(
            sub.set_opt(NN_SUB + 1, NN_SUB_SUBSCRIBE, b"t").unwrap_err(),
            Error::NOPROTOOPT
        );
    }

    #[test]
    fn sub_fair_queues_its_publishers() {
        let mut sub = Sub::create(false);
        subscribe(&mut *sub, b"");
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let (id1, id2) = (p1.id, p2.id);
        sub.add_pipe(p1);
        sub.add_pipe(p2);
        e1.put(b"a1");
        e1.put(b"a2");
        e2.put(b"b1");
        sub.in_ready(id1);
        sub.in_ready(id2);
        let got: Vec<Vec<u8>> = std::iter::from_fn(|| sub.recv().ok())
            .map(|m| m.body.as_slice().to_vec())
            .collect();
        assert_eq!(got, vec![b"a1".to_vec(), b"b1".to_vec(), b"a2".to_vec()]);
    }
}
