//! Scalability protocols. Each is a state machine over the socket's pipes,
//! run under the socket's lock: the socket feeds it pipe events and calls
//! `send`/`recv`; it never blocks and never sees fds or transports.

pub mod backtrace;
pub mod bus;
pub mod pair;
pub mod pipeline;
pub mod prio;
pub mod pubsub;
pub mod reqrep;
pub mod survey;
pub mod trie;

use std::time::Instant;

use crate::consts::*;
use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::options::Options;
use crate::core::pipe::{Pipe, PipeId};

/// Why a protocol did not take a message; the message comes back.
pub enum SendError {
    /// Nowhere to put it now; the socket waits for a pipe event and retries.
    Again(Msg),
    /// A definite failure (e.g. `ENOTSUP`, `EFSM`).
    Fail(Error, Msg),
}

pub trait Protocol: Send {
    /// A new pipe is attached. The protocol calls `pipe.accept()` when it
    /// takes the pipe into use; until then the peer cannot send on it.
    fn add_pipe(&mut self, pipe: Pipe);
    /// The pipe is closed; forget it (messages it still holds may be read).
    fn rm_pipe(&mut self, id: PipeId);
    // The defaults below are a one-way protocol's other direction (the
    // socket answers ENOTSUP itself before calling them, from `ProtoInfo`).

    /// The pipe has messages to read.
    fn in_ready(&mut self, _id: PipeId) {}
    /// The pipe can take messages again.
    fn out_ready(&mut self, _id: PipeId) {}
    fn send(&mut self, msg: Msg) -> std::result::Result<(), SendError> {
        Err(SendError::Fail(Error::NOTSUP, msg))
    }
    /// `EAGAIN` when nothing can be received now.
    fn recv(&mut self) -> Result<Msg> {
        Err(Error::NOTSUP)
    }
    /// Would `send` take a message now? (SNDFD, `nn_poll`)
    fn can_send(&self) -> bool {
        false
    }
    /// Would `recv` return a message now? (RCVFD, `nn_poll`)
    fn can_recv(&self) -> bool {
        false
    }
    /// Options at the protocol's own level.
    fn set_opt(&mut self, _level: i32, _opt: i32, _val: &[u8]) -> Result<()> {
        Err(Error::NOPROTOOPT)
    }
    fn get_opt(&self, _level: i32, _opt: i32) -> Result<i32> {
        Err(Error::NOPROTOOPT)
    }
    /// The socket-level options changed (also called once at creation).
    fn sock_opts(&mut self, _opts: &Options) {}
    /// When the protocol next needs `on_timer` (REQ resend, survey deadline).
    fn timer(&self) -> Option<Instant> {
        None
    }
    /// Called by whoever waits on the socket once `timer()` has passed.
    fn on_timer(&mut self, _now: Instant) {}
    /// `NN_STAT_CURRENT_SND_PRIORITY`: the best send priority among the
    /// pipes for load-balancing protocols; 0 where there is no choice.
    fn current_snd_priority(&self) -> u64 {
        0
    }
}

/// A protocol's own int option (`NN_REQ_RESEND_IVL`, `NN_SURVEYOR_DEADLINE`):
/// known only at its level and only on cooked sockets.
pub struct IntOpt {
    pub level: i32,
    pub opt: i32,
    pub value: i32,
    pub cooked: bool,
}

impl IntOpt {
    fn is(&self, level: i32, opt: i32) -> bool {
        self.cooked && level == self.level && opt == self.opt
    }

    pub fn set(&mut self, level: i32, opt: i32, val: &[u8]) -> Result<()> {
        if !self.is(level, opt) {
            return Err(Error::NOPROTOOPT);
        }
        self.value = crate::core::options::int_val(val)?;
        Ok(())
    }

    pub fn get(&self, level: i32, opt: i32) -> Result<i32> {
        if self.is(level, opt) {
            Ok(self.value)
        } else {
            Err(Error::NOPROTOOPT)
        }
    }
}

/// Static facts about a protocol.
pub struct ProtoInfo {
    pub id: i32,
    /// The protocol a peer must speak.
    pub peer: i32,
    /// Sockets of this protocol can send / receive (SNDFD, RCVFD exist).
    pub sends: bool,
    pub recvs: bool,
    pub create: fn(raw: bool) -> Box<dyn Protocol>,
}

macro_rules! proto {
    ($id:expr, $peer:expr, $sends:expr, $recvs:expr, $create:path) => {
        ProtoInfo {
            id: $id,
            peer: $peer,
            sends: $sends,
            recvs: $recvs,
            create: $create,
        }
    };
}

static PROTOCOLS: &[ProtoInfo] = &[
    proto!(NN_PAIR, NN_PAIR, true, true, pair::Pair::create),
    proto!(NN_PUB, NN_SUB, true, false, pubsub::Pub::create),
    proto!(NN_SUB, NN_PUB, false, true, pubsub::Sub::create),
    proto!(NN_PUSH, NN_PULL, true, false, pipeline::Push::create),
    proto!(NN_PULL, NN_PUSH, false, true, pipeline::Pull::create),
    proto!(NN_REQ, NN_REP, true, true, reqrep::Req::create),
    proto!(NN_REP, NN_REQ, true, true, reqrep::Replier::create),
    proto!(
        NN_SURVEYOR,
        NN_RESPONDENT,
        true,
        true,
        survey::Surveyor::create
    ),
    proto!(
        NN_RESPONDENT,
        NN_SURVEYOR,
        true,
        true,
        reqrep::Replier::create
    ),
    proto!(NN_BUS, NN_BUS, true, true, bus::Bus::create),
];

/// The 31-bit key that names a pipe in protocol headers (backtraces, raw
/// BUS); pipe ids are handed out from 1 upwards, so the key is the id.
pub fn pipe_key(id: PipeId) -> u32 {
    (id & 0x7fff_ffff) as u32
}

pub fn lookup(protocol: i32) -> Option<&'static ProtoInfo> {
    PROTOCOLS.iter().find(|p| p.id == protocol)
}
