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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::NN_REP;
    use crate::core::pipe::fake::{self, msg};
    use std::sync::atomic::Ordering;

    fn id_of(hdr: &[u8]) -> u32 {
        u32::from_be_bytes(hdr.try_into().expect("a 4-byte request id"))
    }

    fn ivl(req: &mut dyn Protocol, ms: i32) {
        req.set_opt(NN_REQ, NN_REQ_RESEND_IVL, &ms.to_ne_bytes())
            .unwrap();
    }

    /// Send a request on a REQ with one pipe; the id it went out with.
    fn request(req: &mut dyn Protocol, e: &fake::FakeEnd, body: &[u8]) -> u32 {
        assert!(req.send(msg(body)).is_ok());
        let sent = e.take_sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].1, body);
        id_of(&sent[0].0)
    }

    // ---- REQ ----

    #[test]
    fn req_puts_a_request_id_with_the_top_bit_in_the_header() {
        let mut req = Req::create(false);
        let (p, e) = fake::pipe((8, 8));
        req.add_pipe(p);
        assert!(e.accepted.load(Ordering::Acquire));
        let mut m = msg(b"ping");
        m.hdr = vec![9, 9, 9, 9, 9]; // whatever the user left there goes
        assert!(req.send(m).is_ok());
        let sent = e.take_sent();
        assert_eq!(sent.len(), 1);
        let (hdr, body) = &sent[0];
        assert_eq!(hdr.len(), 4);
        assert_eq!(hdr[0] & 0x80, 0x80, "request ids have the top bit set");
        assert_eq!(body, b"ping");
        let id1 = id_of(hdr);
        let id2 = request(&mut *req, &e, b"ping2");
        assert_eq!(id2 & 0x8000_0000, 0x8000_0000);
        assert_eq!(id2 & 0x7fff_ffff, id1.wrapping_add(1) & 0x7fff_ffff);
    }

    #[test]
    fn req_takes_the_reply_with_its_id_as_header_or_front_of_body() {
        let mut req = Req::create(false);
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        req.add_pipe(p);
        let id = request(&mut *req, &e, b"q1");
        assert!(!req.can_recv());
        e.put_hdr(&id.to_be_bytes(), b"inproc reply");
        req.in_ready(pid);
        assert!(req.can_recv());
        let m = req.recv().unwrap();
        assert_eq!(m.body.as_slice(), b"inproc reply");
        assert!(m.hdr.is_empty());
        assert_eq!(req.recv().unwrap_err(), Error::FSM, "answered: no request");
        // A stream peer's reply: the id is the front of the body.
        let id = request(&mut *req, &e, b"q2");
        let mut wire = id.to_be_bytes().to_vec();
        wire.extend_from_slice(b"tcp reply");
        e.put(&wire);
        req.in_ready(pid);
        assert_eq!(req.recv().unwrap().body.as_slice(), b"tcp reply");
    }

    #[test]
    fn req_recv_without_a_request_is_efsm() {
        let mut req = Req::create(false);
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        req.add_pipe(p);
        assert_eq!(req.recv().unwrap_err(), Error::FSM);
        e.put_hdr(&[0x80, 0, 0, 1], b"unasked");
        req.in_ready(pid);
        assert!(!req.can_recv(), "nothing to receive without a request");
        assert_eq!(req.recv().unwrap_err(), Error::FSM);
    }

    #[test]
    fn req_ignores_replies_with_a_wrong_id_or_no_id() {
        let mut req = Req::create(false);
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        req.add_pipe(p);
        let id = request(&mut *req, &e, b"q");
        e.put_hdr(&(id ^ 0x10).to_be_bytes(), b"wrong");
        e.put(&[0x80, 0]); // too short for an id
        e.put(&[0, 0, 0, 1]); // a pipe key, no id below it
        req.in_ready(pid);
        assert_eq!(req.recv().unwrap_err(), Error::AGAIN);
        e.put_hdr(&id.to_be_bytes(), b"right");
        req.in_ready(pid);
        assert_eq!(req.recv().unwrap().body.as_slice(), b"right");
    }

    #[test]
    fn req_new_request_cancels_the_old_and_drops_its_late_reply() {
        let mut req = Req::create(false);
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        req.add_pipe(p);
        let old = request(&mut *req, &e, b"old");
        let new = request(&mut *req, &e, b"new");
        assert_ne!(old, new);
        e.put_hdr(&old.to_be_bytes(), b"late");
        req.in_ready(pid);
        assert_eq!(req.recv().unwrap_err(), Error::AGAIN, "late reply dropped");
        e.put_hdr(&new.to_be_bytes(), b"current");
        req.in_ready(pid);
        assert_eq!(req.recv().unwrap().body.as_slice(), b"current");
    }

    #[test]
    fn req_resends_after_the_resend_interval() {
        let mut req = Req::create(false);
        assert_eq!(
            req.get_opt(NN_REQ, NN_REQ_RESEND_IVL).unwrap(),
            DEFAULT_RESEND_IVL
        );
        ivl(&mut *req, 50);
        assert_eq!(req.get_opt(NN_REQ, NN_REQ_RESEND_IVL).unwrap(), 50);
        assert_eq!(
            req.set_opt(NN_REQ, NN_REQ_RESEND_IVL, &[1, 2]).unwrap_err(),
            Error::INVAL
        );
        assert_eq!(
            req.set_opt(NN_REP, NN_REQ_RESEND_IVL, &7i32.to_ne_bytes())
                .unwrap_err(),
            Error::NOPROTOOPT
        );
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        req.add_pipe(p);
        assert!(req.timer().is_none(), "no request, no timer");
        let before = Instant::now();
        let id = request(&mut *req, &e, b"again?");
        let after = Instant::now();
        let due = req.timer().expect("a resend deadline");
        let ivl = Duration::from_millis(50);
        assert!(due >= before + ivl && due <= after + ivl);
        // The socket calls on_timer once the deadline has passed.
        let before = Instant::now();
        req.on_timer(due);
        let after = Instant::now();
        assert_eq!(
            e.take_sent(),
            vec![(id.to_be_bytes().to_vec(), b"again?".to_vec())],
            "the same request, same id, resent"
        );
        let next = req.timer().expect("still pending");
        assert!(
            next >= before + ivl && next <= after + ivl,
            "the next resend is an interval after this one"
        );
        // Answered: no more resends.
        e.put_hdr(&id.to_be_bytes(), b"ok");
        req.in_ready(pid);
        assert_eq!(req.recv().unwrap().body.as_slice(), b"ok");
        assert!(req.timer().is_none());
    }

    #[test]
    fn req_timer_resend_tries_the_next_pipe() {
        let mut req = Req::create(false);
        ivl(&mut *req, 10);
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        req.add_pipe(p1);
        req.add_pipe(p2);
        assert!(req.send(msg(b"hung?")).is_ok());
        let (s1, s2) = (e1.take_sent(), e2.take_sent());
        assert_eq!(s1.len() + s2.len(), 1);
        let due = req.timer().unwrap();
        req.on_timer(due);
        let (r1, r2) = (e1.take_sent(), e2.take_sent());
        if s1.len() == 1 {
            assert!(r1.is_empty(), "a hung peer does not get it again");
            assert_eq!(r2, s1, "the other peer gets the same request");
        } else {
            assert!(r2.is_empty(), "a hung peer does not get it again");
            assert_eq!(r1, s2, "the other peer gets the same request");
        }
    }

    #[test]
    fn req_resends_on_another_pipe_when_its_pipe_goes() {
        let mut req = Req::create(false);
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let (id1, id2) = (p1.id, p2.id);
        req.add_pipe(p1);
        req.add_pipe(p2);
        assert!(req.send(msg(b"work")).is_ok());
        let (s1, s2) = (e1.take_sent(), e2.take_sent());
        assert_eq!(s1.len() + s2.len(), 1, "one request, one pipe");
        let (gone, other, sent) = if s1.len() == 1 {
            (id1, &e2, s1)
        } else {
            (id2, &e1, s2)
        };
        req.rm_pipe(gone);
        assert_eq!(other.take_sent(), sent, "resent at once, same bytes");
    }

    #[test]
    fn req_waits_for_a_pipe_or_room_then_sends() {
        let mut req = Req::create(false);
        assert!(req.can_send(), "a cooked REQ always takes a request");
        assert!(req.send(msg(b"early")).is_ok());
        assert!(req.timer().is_none(), "no resend timer while unsent");
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        e.set_room(0);
        req.add_pipe(p);
        assert!(e.take_sent().is_empty(), "the only pipe is full");
        e.set_room(usize::MAX);
        req.out_ready(pid);
        let sent = e.take_sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].1, b"early");
        assert!(req.timer().is_some());
        let (p2, e2) = fake::pipe((8, 8));
        req.add_pipe(p2);
        assert!(e2.take_sent().is_empty(), "already sent: no copy");
    }

    #[test]
    fn raw_req_passes_headers_through_and_has_no_timer() {
        let mut req = Req::create(true);
        assert_eq!(
            req.set_opt(NN_REQ, NN_REQ_RESEND_IVL, &5i32.to_ne_bytes())
                .unwrap_err(),
            Error::NOPROTOOPT
        );
        assert!(!req.can_send(), "raw: no pipe, no room");
        let (p, e) = fake::pipe((8, 8));
        let pid = p.id;
        req.add_pipe(p);
        let mut m = msg(b"dev");
        m.hdr = vec![0x80, 0, 0, 9];
        assert!(req.send(m).is_ok());
        assert_eq!(e.take_sent(), vec![(vec![0x80, 0, 0, 9], b"dev".to_vec())]);
        assert!(req.timer().is_none());
        e.put_hdr(&[0, 0, 0, 3, 0x80, 0, 0, 9], b"rep");
        req.in_ready(pid);
        let m = req.recv().unwrap();
        assert_eq!(m.hdr, [0, 0, 0, 3, 0x80, 0, 0, 9]);
        assert_eq!(m.body.as_slice(), b"rep");
    }

    // ---- REP ----

    #[test]
    fn rep_replies_on_the_pipe_the_request_came_from_with_its_backtrace() {
        let mut rep = Replier::create(false);
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let id2 = p2.id;
        rep.add_pipe(p1);
        rep.add_pipe(p2);
        assert!(e1.accepted.load(Ordering::Acquire) && e2.accepted.load(Ordering::Acquire));
        let bt = [0, 0, 0, 7, 0x80, 0, 0x12, 0x34];
        e2.put_hdr(&bt, b"request");
        rep.in_ready(id2);
        let m = rep.recv().unwrap();
        assert_eq!(m.body.as_slice(), b"request");
        assert!(m.hdr.is_empty(), "a cooked REP hides the backtrace");
        assert!(rep.can_send());
        assert!(rep.send(msg(b"reply")).is_ok());
        assert_eq!(e2.take_sent(), vec![(bt.to_vec(), b"reply".to_vec())]);
        assert!(e1.take_sent().is_empty());
    }

    #[test]
    fn rep_reads_a_backtrace_from_the_front_of_a_stream_body() {
        let mut rep = Replier::create(false);
        let (p, e) = fake::net_pipe((8, 8));
        let id = p.id;
        rep.add_pipe(p);
        e.put(&[0x80, 0, 0, 5, b'h', b'i']);
        rep.in_ready(id);
        assert_eq!(rep.recv().unwrap().body.as_slice(), b"hi");
        assert!(rep.send(msg(b"yo")).is_ok());
        assert_eq!(e.take_sent(), vec![(vec![0x80, 0, 0, 5], b"yo".to_vec())]);
    }

    #[test]
    fn rep_send_without_a_request_is_efsm() {
        let mut rep = Replier::create(false);
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        rep.add_pipe(p);
        assert!(!rep.can_send());
        let Err(SendError::Fail(err, back)) = rep.send(msg(b"unasked")) else {
            panic!("EFSM expected");
        };
        assert_eq!(err, Error::FSM);
        assert_eq!(back.body.as_slice(), b"unasked");
        e.put_hdr(&[0x80, 0, 0, 1], b"q");
        rep.in_ready(id);
        rep.recv().unwrap();
        assert!(rep.send(msg(b"a")).is_ok());
        assert!(
            matches!(rep.send(msg(b"b")), Err(SendError::Fail(Error::FSM, _))),
            "one reply per request"
        );
        assert_eq!(e.take_sent().len(), 1);
    }

    #[test]
    fn rep_drops_malformed_requests_and_those_over_maxttl() {
        let mut rep = Replier::create(false);
        let mut opts = Options::new(0);
        opts.maxttl = 2;
        rep.sock_opts(&opts);
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        rep.add_pipe(p);
        e.put(&[0, 0]); // shorter than a word
        e.put_hdr(&[0, 0, 0, 1], b"no id"); // no word with the top bit
        e.put_hdr(&[0, 0, 0, 1, 0, 0, 0, 2, 0x80, 0, 0, 3], b"3 hops");
        e.put_hdr(&[0, 0, 0, 1, 0x80, 0, 0, 4], b"2 hops");
        rep.in_ready(id);
        assert_eq!(rep.recv().unwrap().body.as_slice(), b"2 hops");
        assert!(rep.send(msg(b"r")).is_ok());
        assert_eq!(
            e.take_sent(),
            vec![(vec![0, 0, 0, 1, 0x80, 0, 0, 4], b"r".to_vec())]
        );
        assert_eq!(rep.recv().unwrap_err(), Error::AGAIN);
    }

    #[test]
    fn rep_reply_to_a_pipe_that_went_is_dropped() {
        let mut rep = Replier::create(false);
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        rep.add_pipe(p);
        e.put_hdr(&[0x80, 0, 0, 1], b"q");
        rep.in_ready(id);
        rep.recv().unwrap();
        rep.rm_pipe(id);
        assert!(rep.send(msg(b"lost")).is_ok());
        assert!(e.take_sent().is_empty());
    }

    #[test]
    fn raw_rep_exposes_pipe_key_and_backtrace_and_routes_by_them() {
        let mut rep = Replier::create(true);
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let (id1, id2) = (p1.id, p2.id);
        rep.add_pipe(p1);
        rep.add_pipe(p2);
        assert!(rep.can_send(), "raw REP routes by header, any time");
        e1.put_hdr(&[0x80, 0, 0, 0x42], b"one");
        rep.in_ready(id1);
        let m = rep.recv().unwrap();
        let mut want = crate::protocols::pipe_key(id1).to_be_bytes().to_vec();
        want.extend_from_slice(&[0x80, 0, 0, 0x42]);
        assert_eq!(m.hdr, want);
        assert_eq!(m.body.as_slice(), b"one");
        // Replies go by the header, in any order, as often as a device likes.
        let mut r = msg(b"back");
        r.hdr = m.hdr.clone();
        assert!(rep.send(r).is_ok());
        assert_eq!(
            e1.take_sent(),
            vec![(vec![0x80, 0, 0, 0x42], b"back".to_vec())]
        );
        let mut r = msg(b"to2");
        r.hdr = crate::protocols::pipe_key(id2).to_be_bytes().to_vec();
        r.hdr.extend_from_slice(&[0x80, 0, 0, 1]);
        assert!(rep.send(r).is_ok());
        assert_eq!(e2.take_sent(), vec![(vec![0x80, 0, 0, 1], b"to2".to_vec())]);
        // No route (short header, unknown pipe): dropped, not an error.
        let mut r = msg(b"x");
        r.hdr = vec![0, 0];
        assert!(rep.send(r).is_ok());
        let mut r = msg(b"y");
        r.hdr = vec![0x7f, 0, 0, 0, 0x80, 0, 0, 1];
        assert!(rep.send(r).is_ok());
        assert!(e1.take_sent().is_empty() && e2.take_sent().is_empty());
    }

    // ---- RESPONDENT (the same Replier) ----

    #[test]
    fn respondent_answers_the_latest_survey_with_its_id() {
        let mut resp = Replier::create(false);
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        resp.add_pipe(p);
        e.put_hdr(&[0x80, 0, 0, 1], b"survey1");
        e.put_hdr(&[0x80, 0, 0, 2], b"survey2");
        resp.in_ready(id);
        assert_eq!(resp.recv().unwrap().body.as_slice(), b"survey1");
        assert_eq!(resp.recv().unwrap().body.as_slice(), b"survey2");
        assert!(resp.send(msg(b"answer")).is_ok());
        assert_eq!(
            e.take_sent(),
            vec![(vec![0x80, 0, 0, 2], b"answer".to_vec())],
            "the answer carries the survey id it answers"
        );
        // A receive that finds nothing still forgets the survey (upstream).
        e.put_hdr(&[0x80, 0, 0, 3], b"survey3");
        resp.in_ready(id);
        resp.recv().unwrap();
        assert_eq!(resp.recv().unwrap_err(), Error::AGAIN);
        assert!(matches!(
            resp.send(msg(b"late")),
            Err(SendError::Fail(Error::FSM, _))
        ));
    }
}
