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
