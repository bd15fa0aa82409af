//! Scalability protocols. Each is a state machine over the socket's pipes,
//! run under the socket's lock: the socket feeds it pipe events and calls
//! `send`/`recv`; it never blocks and never sees fds or transports.

pub mod pair;

use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::pipe::{Pipe, PipeId};
use crate::ffi::consts::*;

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
    /// The pipe has messages to read.
    fn in_ready(&mut self, id: PipeId);
    /// The pipe can take messages again.
    fn out_ready(&mut self, id: PipeId);
    fn send(&mut self, msg: Msg) -> std::result::Result<(), SendError>;
    /// `EAGAIN` when nothing can be received now.
    fn recv(&mut self) -> Result<Msg>;
    /// Would `send` take a message now? (SNDFD, `nn_poll`)
    fn can_send(&self) -> bool;
    /// Would `recv` return a message now? (RCVFD, `nn_poll`)
    fn can_recv(&self) -> bool;
    /// Options at the protocol's own level.
    fn set_opt(&mut self, _level: i32, _opt: i32, _val: &[u8]) -> Result<()> {
        Err(Error::NOPROTOOPT)
    }
    fn get_opt(&self, _level: i32, _opt: i32) -> Result<i32> {
        Err(Error::NOPROTOOPT)
    }
    /// `NN_STAT_CURRENT_SND_PRIORITY`: the best send priority among the
    /// pipes for load-balancing protocols; 0 where there is no choice.
    fn current_snd_priority(&self) -> u64 {
        0
    }
}

/// Static facts about a protocol.
pub struct ProtoInfo {
    pub id: i32,
    /// The protocol a peer must speak.
    pub peer: i32,
    pub name: &'static str,
    /// Sockets of this protocol can send / receive (SNDFD, RCVFD exist).
    pub sends: bool,
    pub recvs: bool,
    pub create: fn(raw: bool) -> Box<dyn Protocol>,
}

static PROTOCOLS: &[ProtoInfo] = &[ProtoInfo {
    id: NN_PAIR,
    peer: NN_PAIR,
    name: "pair",
    sends: true,
    recvs: true,
    create: pair::Pair::create,
}];

pub fn lookup(protocol: i32) -> Option<&'static ProtoInfo> {
    PROTOCOLS.iter().find(|p| p.id == protocol)
}

/// Can sockets of protocols `a` and `b` talk to each other?
pub fn compatible(a: i32, b: i32) -> bool {
    match (lookup(a), lookup(b)) {
        (Some(pa), Some(pb)) => pa.peer == b && pb.peer == a,
        _ => false,
    }
}
