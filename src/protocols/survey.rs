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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pipe::fake::{self, msg};
    use std::sync::atomic::Ordering;

    fn deadline(sv: &mut dyn Protocol, ms: i32) {
        sv.set_opt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &ms.to_ne_bytes())
            .unwrap();
    }

    /// Send a survey; the id every respondent got (checked to be one id).
    fn survey(sv: &mut dyn Protocol, ends: &[&fake::FakeEnd], body: &[u8]) -> u32 {
        assert!(sv.send(msg(body)).is_ok());
        let mut ids = ends.iter().map(|e| {
            let sent = e.take_sent();
            assert_eq!(sent.len(), 1);
            assert_eq!(sent[0].1, body);
            u32::from_be_bytes(sent[0].0[..].try_into().expect("a 4-byte id"))
        });
        let first = ids.next().expect("at least one respondent");
        assert!(ids.all(|i| i == first), "the same id to everyone");
        first
    }

    #[test]
    fn a_survey_goes_to_every_respondent_with_a_fresh_id() {
        let mut sv = Surveyor::create(false);
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        sv.add_pipe(p1);
        sv.add_pipe(p2);
        assert!(e1.accepted.load(Ordering::Acquire) && e2.accepted.load(Ordering::Acquire));
        assert!(sv.can_send());
        let id1 = survey(&mut *sv, &[&e1, &e2], b"who?");
        assert_eq!(id1 & 0x8000_0000, 0x8000_0000);
        let id2 = survey(&mut *sv, &[&e1, &e2], b"again");
        assert_eq!(id2 & 0x8000_0000, 0x8000_0000);
        assert_eq!(id2 & 0x7fff_ffff, id1.wrapping_add(1) & 0x7fff_ffff);
    }

    #[test]
    fn a_full_respondent_misses_the_survey_alone() {
        let mut sv = Surveyor::create(false);
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        sv.add_pipe(p1);
        sv.add_pipe(p2);
        e1.set_room(0);
        assert!(sv.send(msg(b"s")).is_ok(), "a surveyor never waits");
        assert!(e1.take_sent().is_empty());
        assert_eq!(e2.take_sent().len(), 1);
    }

    #[test]
    fn answers_to_the_current_survey_come_in_stale_ones_are_dropped() {
        let mut sv = Surveyor::create(false);
        deadline(&mut *sv, 60_000);
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        sv.add_pipe(p);
        let old = survey(&mut *sv, &[&e], b"s1");
        let cur = survey(&mut *sv, &[&e], b"s2");
        e.put_hdr(&old.to_be_bytes(), b"stale");
        e.put(&[0x80, 1]); // too short for an id
        e.put_hdr(&cur.to_be_bytes(), b"inproc answer");
        let mut wire = cur.to_be_bytes().to_vec();
        wire.extend_from_slice(b"tcp answer");
        e.put(&wire);
        sv.in_ready(pid);
        assert!(sv.can_recv());
        let m = sv.recv().unwrap();
        assert_eq!(m.body.as_slice(), b"inproc answer");
        assert!(m.hdr.is_empty());
        assert_eq!(sv.recv().unwrap().body.as_slice(), b"tcp answer");
        assert_eq!(sv.recv().unwrap_err(), Error::AGAIN, "the survey goes on");
    }

    #[test]
    fn the_deadline_ends_the_survey_with_etimedout_then_efsm() {
        let mut sv = Surveyor::create(false);
        assert_eq!(
            sv.get_opt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE).unwrap(),
            DEFAULT_DEADLINE
        );
        deadline(&mut *sv, 30);
        assert_eq!(sv.get_opt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE).unwrap(), 30);
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        sv.add_pipe(p);
        assert_eq!(sv.recv().unwrap_err(), Error::FSM, "no survey yet");
        assert!(sv.timer().is_none());
        let before = Instant::now();
        let id = survey(&mut *sv, &[&e], b"q");
        let after = Instant::now();
        let due = sv.timer().expect("a survey deadline");
        let ms = Duration::from_millis(30);
        assert!(due >= before + ms && due <= after + ms);
        sv.on_timer(due - Duration::from_millis(1));
        assert_eq!(sv.timer(), Some(due), "not yet: the survey goes on");
        sv.on_timer(due);
        assert!(sv.timer().is_none(), "nothing more to time");
        // An answer that comes after the deadline is not received.
        e.put_hdr(&id.to_be_bytes(), b"late");
        sv.in_ready(pid);
        assert!(!sv.can_recv());
        assert_eq!(sv.recv().unwrap_err(), Error::TIMEDOUT);
        assert_eq!(sv.recv().unwrap_err(), Error::FSM);
        assert_eq!(sv.recv().unwrap_err(), Error::FSM);
        // A new survey starts afresh and drops the late answer (a long
        // deadline now: the test must not depend on the machine's speed).
        deadline(&mut *sv, 60_000);
        let id2 = survey(&mut *sv, &[&e], b"q2");
        assert_eq!(sv.recv().unwrap_err(), Error::AGAIN);
        e.put_hdr(&id2.to_be_bytes(), b"on time");
        sv.in_ready(pid);
        assert_eq!(sv.recv().unwrap().body.as_slice(), b"on time");
    }

    #[test]
    fn a_deadline_passed_before_the_timer_ran_is_still_etimedout() {
        let mut sv = Surveyor::create(false);
        deadline(&mut *sv, 0);
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        sv.add_pipe(p);
        let id = survey(&mut *sv, &[&e], b"q");
        e.put_hdr(&id.to_be_bytes(), b"too late");
        sv.in_ready(pid);
        assert_eq!(sv.recv().unwrap_err(), Error::TIMEDOUT);
        assert_eq!(sv.recv().unwrap_err(), Error::FSM);
    }

    #[test]
    fn raw_surveyor_passes_headers_and_has_no_deadline() {
        let mut sv = Surveyor::create(true);
        assert_eq!(
            sv.set_opt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &5i32.to_ne_bytes())
                .unwrap_err(),
            Error::NOPROTOOPT
        );
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        sv.add_pipe(p);
        let mut m = msg(b"dev");
        m.hdr = vec![0x80, 0, 0, 7];
        assert!(sv.send(m).is_ok());
        assert_eq!(e.take_sent(), vec![(vec![0x80, 0, 0, 7], b"dev".to_vec())]);
        assert!(sv.timer().is_none());
        e.put_hdr(&[0, 0, 0, 2, 0x80, 0, 0, 7], b"ans");
        sv.in_ready(pid);
        let m = sv.recv().unwrap();
        assert_eq!(m.hdr, [0, 0, 0, 2, 0x80, 0, 0, 7]);
        assert_eq!(m.body.as_slice(), b"ans");
    }
}
