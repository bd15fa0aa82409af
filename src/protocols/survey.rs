//! SURVEYOR/RESPONDENT (sp-surveyor-01).
//!
//! A survey goes to every respondent. Answers to it are received until
//! `NN_SURVEYOR_DEADLINE` (level `NN_SURVEYOR`, default 1000 ms). Then one
//! receive reports `ETIMEDOUT`, and further ones `EFSM` until the next survey.
//! A new survey drops late answers to the old one. RESPONDENT is the REP
//! machinery ([`Replier`](crate::protocols::reqrep::Replier)): an answer
//! travels back along the survey's backtrace.

use std::time::{Duration, Instant};

use crate::consts::{NN_SURVEYOR, NN_SURVEYOR_DEADLINE};
use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::pipe::{Pipe, PipeId};
use crate::protocols::backtrace::{recv_with_backtrace, take_id, Ids};
use crate::protocols::prio::{Distributor, FairQueue};
use crate::protocols::{IntOpt, Protocol, SendError};

const DEFAULT_DEADLINE: i32 = 1000;

enum Survey {
    None,
    Active {
        id: u32,
        deadline: Instant,
    },
    /// The deadline passed with nobody receiving: the next `recv` says
    /// `ETIMEDOUT` (then `EFSM`), and no timer is due any more.
    Expired,
}

pub struct Surveyor {
    raw: bool,
    dist: Distributor,
    fq: FairQueue,
    ids: Ids,
    deadline_ms: IntOpt,
    survey: Survey,
}

impl Surveyor {
    pub fn create(raw: bool) -> Box<dyn Protocol> {
        Box::new(Surveyor {
            raw,
            dist: Distributor::default(),
            fq: FairQueue::default(),
            ids: Ids::default(),
            deadline_ms: IntOpt {
                level: NN_SURVEYOR,
                opt: NN_SURVEYOR_DEADLINE,
                value: DEFAULT_DEADLINE,
                cooked: !raw,
            },
            survey: Survey::None,
        })
    }
}

impl Protocol for Surveyor {
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
        if !self.raw {
            let id = self.ids.next_id();
            msg.hdr.clear();
            msg.hdr.extend_from_slice(&id.to_be_bytes());
            let ms = self.deadline_ms.value.max(0) as u64;
            self.survey = Survey::Active {
                id,
                deadline: Instant::now() + Duration::from_millis(ms),
            };
        }
        self.dist.send(&msg, None);
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        if self.raw {
            return recv_with_backtrace(&mut self.fq);
        }
        let (want, deadline) = match self.survey {
            Survey::Active { id, deadline } => (id, deadline),
            Survey::Expired => {
                self.survey = Survey::None;
                return Err(Error::TIMEDOUT);
            }
            Survey::None => return Err(Error::FSM),
        };
        if Instant::now() >= deadline {
            self.survey = Survey::None;
            return Err(Error::TIMEDOUT);
        }
        while let Some((m, _)) = self.fq.recv() {
            match take_id(m) {
                Some((id, body)) if id == want => return Ok(body),
                _ => {} // an answer to an older survey, or malformed
            }
        }
        Err(Error::AGAIN)
    }

    fn can_send(&self) -> bool {
        true
    }

    fn can_recv(&self) -> bool {
        (self.raw || matches!(self.survey, Survey::Active { .. })) && self.fq.can_recv()
    }

    fn set_opt(&mut self, level: i32, opt: i32, val: &[u8]) -> Result<()> {
        self.deadline_ms.set(level, opt, val)
    }

    fn get_opt(&self, level: i32, opt: i32) -> Result<i32> {
        self.deadline_ms.get(level, opt)
    }

    fn timer(&self) -> Option<Instant> {
        match self.survey {
            Survey::Active { deadline, .. } if !self.raw => Some(deadline),
            _ => None,
        }
    }

    fn on_timer(&mut self, now: Instant) {
        if let Survey::Active { deadline, .. } = self.survey {
            if now >= deadline {
                self.survey = Survey::Expired;
            }
        }
    }
}
