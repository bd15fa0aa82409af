//! Fair-queueing (receive) and load-balancing (send) over pipes with
//! priorities 1 (best) to 16, as `NN_RCVPRIO` / `NN_SNDPRIO` set them when
//! the endpoint was created. Within one priority, pipes take turns.
//!
//! Both keep, per priority, a queue of the pipes that are ready now (have a
//! message / have room). A pipe leaves the queue when it turns out not to
//! be ready and comes back on the pipe's `In`/`Out` event.

use std::collections::VecDeque;

use crate::core::msg::Msg;
use crate::core::pipe::{roomy, Pipe, PipeId, PipeMap, PushError};

const LEVELS: usize = 16;

struct Entry {
    pipe: Pipe,
    ready: bool,
}

/// Pipes sorted by priority, with a ready queue per priority.
#[derive(Default)]
struct PrioList {
    pipes: PipeMap<Entry>,
    ready: [VecDeque<PipeId>; LEVELS],
    /// Bit `l` is set when `ready[l]` is not empty: finding the first
    /// ready level (every message) is one instruction, not a walk over
    /// the empty levels above the default priority's.
    levels: u16,
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
                self.push(level(prio), id);
            }
        }
    }

    fn remove(&mut self, id: PipeId, prio: u8) -> Option<Pipe> {
        let e = self.pipes.remove(&id)?;
        let lvl = level(prio);
        let q = &mut self.ready[lvl];
        if e.ready {
            q.retain(|&p| p != id);
            if q.is_empty() {
                self.levels &= !(1 << lvl);
            }
        }
        if roomy(self.pipes.capacity(), self.pipes.len()) {
            self.pipes.shrink_to(2 * self.pipes.len());
        }
        if roomy(q.capacity(), q.len()) {
            q.shrink_to(2 * q.len());
        }
        Some(e.pipe)
    }

    fn any_ready(&self) -> bool {
        self.levels != 0
    }

    /// Put `id` at the back of level `lvl`'s turn.
    fn push(&mut self, lvl: usize, id: PipeId) {
        self.ready[lvl].push_back(id);
        self.levels |= 1 << lvl;
    }

    /// The best ready pipe, taken off its queue (the caller puts it back).
    fn pop_ready(&mut self) -> Option<(usize, PipeId)> {
        if self.levels == 0 {
            return None;
        }
        let lvl = self.levels.trailing_zeros() as usize;
        let q = &mut self.ready[lvl];
        let id = q.pop_front().expect("a level marked ready has a pipe");
        if q.is_empty() {
            self.levels &= !(1 << lvl);
        }
        Some((lvl, id))
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
                        self.list.push(lvl, id);
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
                    self.list.push(lvl, id);
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

/// How many pipes ahead `Distributor::send` prefetches.
const AHEAD: usize = 2;

/// Sending to every pipe (PUB, BUS, SURVEYOR). A pipe without room simply
/// misses the message: one slow peer never stalls the others. The pipes
/// sit in a vector, walked on every send; the map finds one to remove.
#[derive(Default)]
pub struct Distributor {
    pipes: Vec<Pipe>,
    at: PipeMap<usize>,
}

impl Distributor {
    pub fn add(&mut self, pipe: Pipe) {
        self.remove(pipe.id);
        self.at.insert(pipe.id, self.pipes.len());
        self.pipes.push(pipe);
    }

    pub fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        let i = self.at.remove(&id)?;
        let p = self.pipes.swap_remove(i);
        if let Some(moved) = self.pipes.get(i) {
            self.at.insert(moved.id, i);
        }
        if roomy(self.pipes.capacity(), self.pipes.len()) {
            self.pipes.shrink_to(2 * self.pipes.len());
            self.at.shrink_to(2 * self.at.len());
        }
        Some(p)
    }

    /// Send `msg` to every pipe except `skip` (a pipe that cannot take it
    /// now misses it).
    pub fn send(&mut self, msg: &Msg, skip: Option<PipeId>) {
        // Each pipe's output was last written by the I/O thread: fetch the
        // one two ahead while sending to this one.
        self.pipes.iter().take(AHEAD).for_each(Pipe::prefetch_send);
        for (i, p) in self.pipes.iter().enumerate() {
            if let Some(n) = self.pipes.get(i + AHEAD) {
                n.prefetch_send();
            }
            if Some(p.id) != skip {
                p.send_shared(msg);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pipe::fake::{self, bodies, msg};

    /// The ready levels are a bitmask beside the queues: a level whose
    /// last ready pipe goes (taken, or removed while ready) no longer
    /// counts, and the next level's pipes are served.
    #[test]
    fn a_level_emptied_by_removal_or_by_taking_is_passed_over() {
        let mut fq = FairQueue::default();
        let (hi, ehi) = fake::pipe((8, 1));
        let (mid, emid) = fake::pipe((8, 8));
        let (lo, elo) = fake::pipe((8, 16));
        let (hi_id, mid_id, lo_id) = (hi.id, mid.id, lo.id);
        fq.add(hi);
        fq.add(mid);
        fq.add(lo);
        assert!(!fq.can_recv());
        ehi.put(b"h");
        emid.put(b"m");
        elo.put(b"l");
        fq.in_ready(lo_id);
        fq.in_ready(mid_id);
        fq.in_ready(hi_id);
        assert_eq!(fq.recv().map(|(_, id)| id), Some(hi_id), "best first");
        // Level 1 is empty now; the mid pipe goes while it is ready.
        assert!(fq.remove(mid_id).is_some());
        assert!(fq.can_recv(), "the low pipe is still ready");
        let (m, id) = fq.recv().expect("the low pipe's message");
        assert_eq!((m.body.as_slice(), id), (&b"l"[..], lo_id));
        assert!(!fq.can_recv(), "nothing ready is left");
        assert!(fq.recv().is_none());
        // A level comes back with its pipe's next In.
        ehi.put(b"h2");
        fq.in_ready(hi_id);
        assert!(fq.can_recv());
        assert_eq!(fq.recv().map(|(_, id)| id), Some(hi_id));
    }

    #[test]
    fn fair_queue_takes_turns_within_a_priority() {
        let mut fq = FairQueue::default();
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let (id1, id2) = (p1.id, p2.id);
        fq.add(p1);
        fq.add(p2);
        assert!(!fq.can_recv());
        assert!(fq.recv().is_none());
        e1.put(b"a1");
        e1.put(b"a2");
        e2.put(b"b1");
        e2.put(b"b2");
        fq.in_ready(id1);
        fq.in_ready(id2);
        assert!(fq.can_recv());
        let got: Vec<(Vec<u8>, PipeId)> = std::iter::from_fn(|| fq.recv())
            .map(|(m, id)| (m.body.as_slice().to_vec(), id))
            .collect();
        assert_eq!(
            got,
            vec![
                (b"a1".to_vec(), id1),
                (b"b1".to_vec(), id2),
                (b"a2".to_vec(), id1),
                (b"b2".to_vec(), id2),
            ]
        );
        assert!(!fq.can_recv(), "drained pipes leave the ready queue");
    }

    #[test]
    fn fair_queue_serves_the_best_receive_priority_first() {
        let mut fq = FairQueue::default();
        let (lo, elo) = fake::pipe((8, 9));
        let (hi, ehi) = fake::pipe((8, 2));
        // Input present when the pipe is added makes it ready at once.
        elo.put(b"low1");
        elo.put(b"low2");
        ehi.put(b"high1");
        ehi.put(b"high2");
        fq.add(lo);
        fq.add(hi);
        let got: Vec<Vec<u8>> = std::iter::from_fn(|| fq.recv())
            .map(|(m, _)| m.body.as_slice().to_vec())
            .collect();
        assert_eq!(
            got,
            vec![
                b"high1".to_vec(),
                b"high2".to_vec(),
                b"low1".to_vec(),
                b"low2".to_vec()
            ]
        );
    }

    #[test]
    fn fair_queue_forgets_a_removed_pipe_and_ignores_unknown_ones() {
        let mut fq = FairQueue::default();
        let (p1, e1) = fake::pipe((8, 8));
        let id1 = p1.id;
        fq.add(p1);
        e1.put(b"x");
        fq.in_ready(id1);
        assert!(fq.remove(id1).is_some());
        assert!(fq.remove(id1).is_none());
        assert!(!fq.can_recv(), "a removed ready pipe leaves its queue");
        fq.in_ready(id1);
        fq.in_ready(12345678);
        assert!(!fq.can_recv());
        assert!(fq.recv().is_none());
        assert!(fq.get(id1).is_none());
    }

    #[test]
    fn load_balancer_round_robin_within_a_priority() {
        let mut lb = LoadBalancer::default();
        let ends: Vec<_> = (0..3)
            .map(|_| {
                let (p, e) = fake::pipe((4, 8));
                lb.add(p);
                e
            })
            .collect();
        for i in 0..6u8 {
            assert!(lb.send(msg(&[i])).is_ok());
        }
        assert_eq!(bodies(ends[0].take_sent()), vec![vec![0], vec![3]]);
        assert_eq!(bodies(ends[1].take_sent()), vec![vec![1], vec![4]]);
        assert_eq!(bodies(ends[2].take_sent()), vec![vec![2], vec![5]]);
    }

    #[test]
    fn load_balancer_lower_sndprio_wins_and_falls_back_when_full() {
        let mut lb = LoadBalancer::default();
        let (worse, ew) = fake::pipe((5, 8));
        let (best, eb) = fake::pipe((1, 8));
        let (idw, idb) = (worse.id, best.id);
        lb.add(worse);
        lb.add(best);
        assert_eq!(lb.send(msg(b"1")).unwrap(), idb);
        assert_eq!(lb.send(msg(b"2")).unwrap(), idb);
        assert!(ew.take_sent().is_empty(), "the worse pipe gets nothing");
        eb.set_room(0);
        assert_eq!(lb.send(msg(b"3")).unwrap(), idw, "falls back when full");
        assert_eq!(lb.send(msg(b"4")).unwrap(), idw, "the full pipe is skipped");
        eb.set_room(usize::MAX);
        lb.out_ready(idb);
        assert_eq!(lb.send(msg(b"5")).unwrap(), idb, "back once it has room");
        assert_eq!(
            bodies(eb.take_sent()),
            vec![b"1".to_vec(), b"2".to_vec(), b"5".to_vec()]
        );
        assert_eq!(bodies(ew.take_sent()), vec![b"3".to_vec(), b"4".to_vec()]);
    }

    #[test]
    fn load_balancer_gives_the_message_back_when_every_pipe_is_full() {
        let mut lb = LoadBalancer::default();
        assert!(!lb.can_send());
        assert_eq!(lb.send(msg(b"none")).unwrap_err().body.as_slice(), b"none");
        let (p, e) = fake::pipe((8, 8));
        let id = p.id;
        lb.add(p);
        assert!(lb.can_send(), "a new pipe is taken to have room");
        e.set_room(0);
        let back = lb.send(msg(b"m")).unwrap_err();
        assert_eq!(back.body.as_slice(), b"m");
        assert!(!lb.can_send(), "a full pipe is not ready until Out");
        lb.out_ready(id);
        assert!(lb.can_send());
        e.set_room(1);
        assert_eq!(lb.send(back).unwrap(), id);
        assert_eq!(bodies(e.take_sent()), vec![b"m".to_vec()]);
    }

    #[test]
    fn load_balancer_skips_a_closed_pipe() {
        let mut lb = LoadBalancer::default();
        let (best, eb) = fake::pipe((1, 8));
        let (other, eo) = fake::pipe((9, 8));
        let ido = other.id;
        lb.add(best);
        lb.add(other);
        eb.closed.store(true, std::sync::atomic::Ordering::Release);
        assert_eq!(lb.send(msg(b"m")).unwrap(), ido);
        assert!(eb.take_sent().is_empty());
        assert_eq!(bodies(eo.take_sent()), vec![b"m".to_vec()]);
    }

    #[test]
    fn load_balancer_current_priority_as_upstream() {
        let mut lb = LoadBalancer::default();
        assert_eq!(lb.current_priority(), 0, "no pipe yet");
        let (a, _ea) = fake::pipe((7, 8));
        let (b, _eb) = fake::pipe((3, 8));
        let (ida, idb) = (a.id, b.id);
        lb.add(a);
        assert_eq!(lb.current_priority(), 7);
        lb.add(b);
        assert_eq!(lb.current_priority(), 3);
        lb.remove(idb);
        assert_eq!(lb.current_priority(), 7);
        lb.remove(ida);
        assert_eq!(lb.current_priority(), u64::MAX, "all pipes gone");
    }

    #[test]
    fn priorities_out_of_range_are_clamped() {
        let mut lb = LoadBalancer::default();
        let (zero, ez) = fake::pipe((0, 8));
        let (high, eh) = fake::pipe((200, 8));
        let (mid, em) = fake::pipe((8, 8));
        lb.add(high);
        lb.add(mid);
        lb.add(zero);
        assert!(lb.send(msg(b"z")).is_ok());
        assert_eq!(ez.take_sent().len(), 1, "0 counts as the best, 1");
        ez.set_room(0);
        assert!(lb.send(msg(b"m")).is_ok());
        assert_eq!(em.take_sent().len(), 1, "8 beats 200 (16)");
        assert!(eh.take_sent().is_empty());
    }

    #[test]
    fn distributor_sends_to_all_but_the_skipped_and_a_full_pipe_misses_only_its_copy() {
        let mut d = Distributor::default();
        let (p1, e1) = fake::pipe((8, 8));
        let (p2, e2) = fake::pipe((8, 8));
        let (p3, e3) = fake::pipe((8, 8));
        let id2 = p2.id;
        d.add(p1);
        d.add(p2);
        d.add(p3);
        let mut m = msg(b"all");
        m.hdr = vec![1, 2];
        d.send(&m, None);
        for e in [&e1, &e2, &e3] {
            assert_eq!(e.take_sent(), vec![(vec![1, 2], b"all".to_vec())]);
        }
        d.send(&msg(b"not2"), Some(id2));
        assert_eq!(e1.take_sent().len(), 1);
        assert!(e2.take_sent().is_empty());
        assert_eq!(e3.take_sent().len(), 1);
        e1.set_room(0);
        d.send(&msg(b"full1"), None);
        assert!(e1.take_sent().is_empty());
        assert_eq!(bodies(e2.take_sent()), vec![b"full1".to_vec()]);
        assert_eq!(bodies(e3.take_sent()), vec![b"full1".to_vec()]);
        assert!(d.remove(id2).is_some());
        d.send(&msg(b"gone"), None);
        assert!(e2.take_sent().is_empty(), "a removed pipe gets nothing");
        assert_eq!(e3.take_sent().len(), 1);
    }

    #[test]
    fn a_distributor_sends_to_every_pipe_left_after_removals() {
        let mut d = Distributor::default();
        let ends: Vec<_> = (0..5)
            .map(|_| {
                let (p, e) = fake::pipe((8, 8));
                let id = p.id;
                d.add(p);
                (id, e)
            })
            .collect();
        assert!(d.remove(ends[0].0).is_some(), "the first (moves the last)");
        assert!(d.remove(ends[0].0).is_none(), "only once");
        assert!(d.remove(ends[2].0).is_some());
        d.send(&msg(b"m"), Some(ends[3].0));
        let got: Vec<usize> = ends.iter().map(|(_, e)| e.take_sent().len()).collect();
        assert_eq!(got, vec![0, 1, 0, 0, 1]);
        // The pipe moved by the first removal is still found.
        assert!(d.remove(ends[4].0).is_some());
        d.send(&msg(b"n"), None);
        let got: Vec<usize> = ends.iter().map(|(_, e)| e.take_sent().len()).collect();
        assert_eq!(got, vec![0, 1, 0, 1, 0]);
    }

    #[test]
    fn tables_shrink_back_when_most_pipes_are_gone() {
        let mut fq = FairQueue::default();
        let mut d = Distributor::default();
        let mut ids = Vec::new();
        for _ in 0..2000 {
            let (p, _e) = fake::pipe((8, 8));
            ids.push(p.id);
            d.add(p.clone());
            fq.add(p);
            fq.in_ready(*ids.last().unwrap());
        }
        for id in &ids[10..] {
            fq.remove(*id);
            d.remove(*id);
        }
        assert!(
            fq.list.pipes.capacity() < 200,
            "{}",
            fq.list.pipes.capacity()
        );
        assert!(fq.list.ready.iter().all(|q| q.capacity() < 200));
        assert!(d.pipes.capacity() < 200 && d.at.capacity() < 200);
        // What is left still works.
        assert_eq!(d.pipes.len(), 10);
        assert!(ids[..10].iter().all(|id| fq.get(*id).is_some()));
    }
}
