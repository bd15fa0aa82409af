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
