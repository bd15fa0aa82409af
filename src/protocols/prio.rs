//! Fair-queueing (receive) and load-balancing (send) over pipes with
//! priorities 1 (best) to 16, as `NN_RCVPRIO` / `NN_SNDPRIO` set them when
//! the endpoint was created. Within one priority, pipes take turns.
//!
//! Both keep, per priority, a queue of the pipes that are ready now (have a
//! message / have room). A pipe leaves the queue when it turns out not to
//! be ready and comes back on the pipe's `In`/`Out` event.

use std::collections::{HashMap, VecDeque};

use crate::core::msg::Msg;
use crate::core::pipe::{Pipe, PipeId, PushError};

const LEVELS: usize = 16;

struct Entry {
    pipe: Pipe,
    ready: bool,
}

/// Pipes sorted by priority, with a ready queue per priority.
#[derive(Default)]
struct PrioList {
    pipes: HashMap<PipeId, Entry>,
    ready: [VecDeque<PipeId>; LEVELS],
}

fn level(prio: u8) -> usize {
    (prio.clamp(1, 16) - 1) as usize
}

impl PrioList {
    fn add(&mut self, pipe: Pipe, prio: u8, ready: bool) {
        let id = pipe.id;
        self.pipes.insert(id, Entry { pipe, ready: false });
        if ready {
            self.set_ready(id, prio);
        }
    }

    fn set_ready(&mut self, id: PipeId, prio: u8) {
        if let Some(e) = self.pipes.get_mut(&id) {
            if !e.ready {
                e.ready = true;
                self.ready[level(prio)].push_back(id);
            }
        }
    }

    fn remove(&mut self, id: PipeId, prio: u8) -> Option<Pipe> {
        let e = self.pipes.remove(&id)?;
        if e.ready {
            self.ready[level(prio)].retain(|&p| p != id);
        }
        Some(e.pipe)
    }

    fn any_ready(&self) -> bool {
        self.ready.iter().any(|q| !q.is_empty())
    }

    /// The best ready pipe, taken off its queue (the caller puts it back).
    fn pop_ready(&mut self) -> Option<(usize, PipeId)> {
        for (lvl, q) in self.ready.iter_mut().enumerate() {
            if let Some(id) = q.pop_front() {
                return Some((lvl, id));
            }
        }
        None
    }
}

/// Receiving side: take messages from ready pipes, best priority first,
/// round-robin within a priority.
#[derive(Default)]
pub struct FairQueue {
    list: PrioList,
}

impl FairQueue {
    pub fn add(&mut self, pipe: Pipe) {
        let (prio, ready) = (pipe.rcvprio, pipe.has_input());
        self.list.add(pipe, prio, ready);
    }

    pub fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        let prio = self.list.pipes.get(&id)?.pipe.rcvprio;
        self.list.remove(id, prio)
    }

    pub fn in_ready(&mut self, id: PipeId) {
        if let Some(e) = self.list.pipes.get(&id) {
            let prio = e.pipe.rcvprio;
            self.list.set_ready(id, prio);
        }
    }

    pub fn can_recv(&self) -> bool {
        self.list.any_ready()
    }

    /// The next message and the pipe it came from.
    pub fn recv(&mut self) -> Option<(Msg, PipeId)> {
        while let Some((lvl, id)) = self.list.pop_ready() {
            let Some(e) = self.list.pipes.get_mut(&id) else {
                continue;
            };
            match e.pipe.recv() {
                Some((m, more)) => {
                    if more {
                        self.list.ready[lvl].push_back(id);
                    } else {
                        e.ready = false;
                    }
                    return Some((m, id));
                }
                None => e.ready = false,
            }
        }
        None
    }

    pub fn get(&self, id: PipeId) -> Option<&Pipe> {
        self.list.pipes.get(&id).map(|e| &e.pipe)
    }
}

/// Sending side: put each message into the best pipe with room,
/// round-robin within a priority.
#[derive(Default)]
pub struct LoadBalancer {
    list: PrioList,
    ever_had_pipe: bool,
}

impl LoadBalancer {
    pub fn add(&mut self, pipe: Pipe) {
        let prio = pipe.sndprio;
        self.ever_had_pipe = true;
        self.list.add(pipe, prio, true);
    }

    pub fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        let prio = self.list.pipes.get(&id)?.pipe.sndprio;
        self.list.remove(id, prio)
    }

    pub fn out_ready(&mut self, id: PipeId) {
        if let Some(e) = self.list.pipes.get(&id) {
            let prio = e.pipe.sndprio;
            self.list.set_ready(id, prio);
        }
    }

    pub fn can_send(&self) -> bool {
        self.list.any_ready()
    }

    /// Send to the best pipe with room; the message comes back if none has.
    pub fn send(&mut self, mut msg: Msg) -> Result<PipeId, Msg> {
        while let Some((lvl, id)) = self.list.pop_ready() {
            let Some(e) = self.list.pipes.get_mut(&id) else {
                continue;
            };
            match e.pipe.send(msg) {
                Ok(()) => {
                    self.list.ready[lvl].push_back(id);
                    return Ok(id);
                }
                Err(PushError::Full(m)) | Err(PushError::Closed(m)) => {
                    e.ready = false;
                    msg = m;
                }
            }
        }
        Err(msg)
    }

    /// `NN_STAT_CURRENT_SND_PRIORITY`: the best priority among the pipes;
    /// 0 before any pipe came, `u64::MAX` when all have gone (as upstream).
    pub fn current_priority(&self) -> u64 {
        match self.list.pipes.values().map(|e| e.pipe.sndprio).min() {
            Some(p) => p as u64,
            None if self.ever_had_pipe => u64::MAX,
            None => 0,
        }
    }
}

/// Sending to every pipe (PUB, BUS, SURVEYOR). A pipe without room simply
/// misses the message: one slow peer never stalls the others.
#[derive(Default)]
pub struct Distributor {
    pipes: HashMap<PipeId, Pipe>,
}

impl Distributor {
    pub fn add(&mut self, pipe: Pipe) {
        self.pipes.insert(pipe.id, pipe);
    }

    pub fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.pipes.remove(&id)
    }

    /// Send a shared copy to every pipe except `skip`.
    pub fn send(&mut self, msg: &Msg, skip: Option<PipeId>) {
        for (id, p) in &self.pipes {
            if Some(*id) != skip {
                let _ = p.send(msg.share());
            }
        }
    }
}
