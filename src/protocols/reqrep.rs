//! REQ/REP (sp-request-reply-01).
//!
//! REQ keeps one request in flight. It load-balances each request over its
//! pipes (honouring `NN_SNDPRIO`). If the reply does not come within
//! `NN_REQ_RESEND_IVL`, it sends the request again. It also resends at once
//! when the pipe the request went out on dies, so a crashed REP loses
//! nothing. A new request cancels the old one, and a late reply to the old
//! one is dropped. With no pipe to send on, the request waits and goes out
//! when a pipe appears.
//!
//! REP remembers the pipe and backtrace of the request it handed out and
//! sends the reply back the same way. A reply without a request is `EFSM`.
//! Backtraces longer than `NN_MAXTTL` hops are dropped.
//!
//! The raw forms (for devices) expose the header: raw REP gives
//! `[pipe key][backtrace]` and routes replies by it; raw REQ passes headers
//! through unchanged.

use std::time::{Duration, Instant};

use crate::consts::{NN_REQ, NN_REQ_RESEND_IVL};
use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::options::Options;
use crate::core::pipe::{Pipe, PipeId};
use crate::protocols::backtrace::{
    pop_pipe, push_pipe, recv_with_backtrace, take_backtrace, take_id, Ids,
};
use crate::protocols::prio::{FairQueue, LoadBalancer};
use crate::protocols::{IntOpt, Protocol, SendError};

const DEFAULT_RESEND_IVL: i32 = 60_000;

struct Request {
    id: u32,
    /// Kept (sharing the body) for resending.
    msg: Msg,
    /// The pipe it last went out on; `None` while waiting for a pipe.
    pipe: Option<PipeId>,
    resend_at: Option<Instant>,
}

pub struct Req {
    raw: bool,
    lb: LoadBalancer,
    fq: FairQueue,
    ids: Ids,
    resend_ivl: IntOpt,
    pending: Option<Request>,
}

impl Req {
    pub fn create(raw: bool) -> Box<dyn Protocol> {
        Box::new(Req {
            raw,
            lb: LoadBalancer::default(),
            fq: FairQueue::default(),
            ids: Ids::default(),
            resend_ivl: IntOpt {
                level: NN_REQ,
                opt: NN_REQ_RESEND_IVL,
                value: DEFAULT_RESEND_IVL,
                cooked: !raw,
            },
            pending: None,
        })
    }

    /// Send (or resend) the pending request if a pipe can take it.
    fn transmit(&mut self) {
        let Some(req) = self.pending.as_mut() else {
            return;
        };
        match self.lb.send(req.msg.share()) {
            Ok(pipe) => {
                req.pipe = Some(pipe);
                let ivl = self.resend_ivl.value;
                req.resend_at =
                    (ivl >= 0).then(|| Instant::now() + Duration::from_millis(ivl as u64));
            }
            Err(_) => {
                req.pipe = None;
                req.resend_at = None;
            }
        }
    }

    fn waiting_for_pipe(&self) -> bool {
        self.pending.as_ref().is_some_and(|r| r.pipe.is_none())
    }
}

impl Protocol for Req {
    fn add_pipe(&mut self, pipe: Pipe) {
        pipe.accept();
        self.fq.add(pipe.clone());
        self.lb.add(pipe);
        if !self.raw && self.waiting_for_pipe() {
            self.transmit();
        }
    }

    fn rm_pipe(&mut self, id: PipeId) {
        self.fq.remove(id);
        self.lb.remove(id);
        if !self.raw && self.pending.as_ref().is_some_and(|r| r.pipe == Some(id)) {
            // The peer holding our request is gone: resend right away.
            self.transmit();
        }
    }

    fn in_ready(&mut self, id: PipeId) {
        self.fq.in_ready(id);
    }

    fn out_ready(&mut self, id: PipeId) {
        self.lb.out_ready(id);
        if !self.raw && self.waiting_for_pipe() {
            self.transmit();
        }
    }

    fn send(&mut self, mut msg: Msg) -> std::result::Result<(), SendError> {
        if self.raw {
            return self.lb.send(msg).map(|_| ()).map_err(SendError::Again);
        }
        let id = self.ids.next_id();
        msg.hdr.clear();
        msg.hdr.extend_from_slice(&id.to_be_bytes());
        self.pending = Some(Request {
            id,
            msg,
            pipe: None,
            resend_at: None,
        });
        self.transmit();
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        if self.raw {
            return recv_with_backtrace(&mut self.fq);
        }
        let Some(want) = self.pending.as_ref().map(|r| r.id) else {
            return Err(Error::FSM);
        };
        while let Some((m, _)) = self.fq.recv() {
            match take_id(m) {
                Some((id, body)) if id == want => {
                    self.pending = None;
                    return Ok(body);
                }
                _ => {} // a stale or malformed reply
            }
        }
        Err(Error::AGAIN)
    }

    fn can_send(&self) -> bool {
        !self.raw || self.lb.can_send()
    }

    fn can_recv(&self) -> bool {
        (self.raw || self.pending.is_some()) && self.fq.can_recv()
    }

    fn set_opt(&mut self, level: i32, opt: i32, val: &[u8]) -> Result<()> {
        self.resend_ivl.set(level, opt, val)
    }

    fn get_opt(&self, level: i32, opt: i32) -> Result<i32> {
        self.resend_ivl.get(level, opt)
    }

    fn timer(&self) -> Option<Instant> {
        self.pending.as_ref().and_then(|r| r.resend_at)
    }

    fn on_timer(&mut self, _now: Instant) {
        self.transmit();
    }

    fn current_snd_priority(&self) -> u64 {
        self.lb.current_priority()
    }
}

/// REP and RESPONDENT share this: requests in, replies back along the
/// backtrace; a reply without a request is EFSM (cooked sockets).
pub struct Replier {
    raw: bool,
    fq: FairQueue,
    maxttl: usize,
    /// The pipe and backtrace of the request being answered.
    pending: Option<(PipeId, Vec<u8>)>,
}

impl Replier {
    pub fn new(raw: bool) -> Replier {
        Replier {
            raw,
            fq: FairQueue::default(),
            maxttl: 8,
            pending: None,
        }
    }

    pub fn create(raw: bool) -> Box<dyn Protocol> {
        Box::new(Replier::new(raw))
    }

    fn reply_to(&self, pipe: PipeId, hdr: Vec<u8>, mut msg: Msg) {
        msg.hdr = hdr;
        if let Some(p) = self.fq.get(pipe) {
            // A reply that does not fit is dropped, as upstream's; the
            // requester will resend.
            let _ = p.send(msg);
        }
    }
}

impl Protocol for Replier {
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

    fn send(&mut self, msg: Msg) -> std::result::Result<(), SendError> {
        if self.raw {
            let Some((pipe, bt)) = pop_pipe(&msg.hdr) else {
                return Ok(()); // no route: dropped, as upstream's raw REP
            };
            self.reply_to(pipe, bt, msg);
            return Ok(());
        }
        let Some((pipe, bt)) = self.pending.take() else {
            return Err(SendError::Fail(Error::FSM, msg));
        };
        self.reply_to(pipe, bt, msg);
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        // Receiving forgets the request being answered, even when nothing
        // comes (upstream's behaviour).
        self.pending = None;
        while let Some((m, from)) = self.fq.recv() {
            let Some((bt, mut body)) = take_backtrace(m, self.maxttl) else {
                continue; // malformed or too many hops
            };
            if self.raw {
                body.hdr = push_pipe(&bt, from);
            } else {
                self.pending = Some((from, bt));
            }
            return Ok(body);
        }
        Err(Error::AGAIN)
    }

    fn can_send(&self) -> bool {
        self.raw || self.pending.is_some()
    }

    fn can_recv(&self) -> bool {
        self.fq.can_recv()
    }

    fn sock_opts(&mut self, opts: &Options) {
        self.maxttl = opts.maxttl.max(1) as usize;
    }
}
