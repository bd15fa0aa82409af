//! What a socket shares with the transports that serve it: its mailbox,
//! its statistics, the protocol a peer must speak, and copies of the
//! options a connection reads while it runs. Transports hold this, never
//! the socket itself, so they cannot reach its state or run its protocol.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use crate::core::options::Options;
use crate::core::sig::Sig;
use crate::core::stats::Stats;

/// The fields the socket's threads write on every message (`stats`, `pace`)
/// sit on cache lines of their own, away from the ones the I/O thread
/// reads for every message it cuts (`sig`, `recvs`, the limits): a receive
/// counting itself does not take those lines from the reactor's core.
pub struct Shared {
    pub sig: Arc<Sig>,
    pub stats: CachePadded<Stats>,
    /// The socket's protocol, and the one its peers must speak.
    pub protocol: i32,
    pub peer: i32,
    /// The socket receives. A send-only socket (PUB, PUSH) drops what its
    /// peers send instead of queueing it for a reader that never comes.
    pub recvs: bool,
    /// `NN_RCVBUF`: transports size their queues with it.
    rcvbuf: AtomicI32,
    /// `NN_RCVMAXSIZE`, read by the reactor for every message.
    rcvmaxsize: AtomicI32,
    /// `NN_LINGER`, read when a connection closes.
    linger: AtomicI32,
    /// How closely the socket's sends follow each other (see `Pace`).
    pub pace: CachePadded<Pace>,
}

/// A send that follows the socket's previous one within this gap is part
/// of a burst: transports may cork it and write it with the next ones.
pub const BURST_GAP: Duration = Duration::from_micros(15);

/// Whether the send under way is part of a burst, measured per socket, not
/// per connection: a PUB sending to many peers takes longer than the gap
/// to go round them all, so each connection alone would see every message
/// as a lone one and write it with a system call of its own. Written by
/// the socket around each protocol send (under its lock), read by the
/// connections that send runs on.
///
/// The clock is read at most once per send, and only when a connection
/// asks (a connection whose output the reactor owns queues without
/// asking): a send that made no system call ended about when it asked. One
/// that did (`wrote`) may have taken long and reads the clock again when
/// it ends. The reactor reports when it finished writing a connection's
/// output (`drained`): a send right after that is part of the same burst.
/// A receive that waited for the peer (`waited`) ends the burst.
pub struct Pace {
    born: Instant,
    /// When the socket's output was last busy, in nanoseconds since `born`
    /// (0: never).
    last_end: AtomicU64,
    /// For the send under way: `UNDECIDED`, `BURST` or `LONE`.
    decided: AtomicU8,
    /// A connection wrote to the kernel during the send under way.
    wrote: AtomicBool,
    /// Connections that wrote a lone message themselves during the send
    /// under way (see `write_here`).
    written_here: AtomicU8,
}

/// Connections a lone send writes itself, at most (see `Pace::write_here`).
const WRITE_HERE: u8 = 8;

const UNDECIDED: u8 = 0;
const BURST: u8 = 1;
const LONE: u8 = 2;

impl Pace {
    fn new() -> Pace {
        Pace {
            born: Instant::now(),
            last_end: AtomicU64::new(0),
            decided: AtomicU8::new(UNDECIDED),
            wrote: AtomicBool::new(false),
            written_here: AtomicU8::new(0),
        }
    }

    fn nanos(&self, t: Instant) -> u64 {
        // 0 means "never".
        (t.saturating_duration_since(self.born).as_nanos() as u64).max(1)
    }

    /// A send begins.
    pub fn begin(&self) {
        self.decided.store(UNDECIDED, Ordering::Relaxed);
        if self.written_here.load(Ordering::Relaxed) != 0 {
            self.written_here.store(0, Ordering::Relaxed);
        }
    }

    /// May a connection write the lone message under way itself? Yes for
    /// the first `WRITE_HERE` connections of a send: a fan-out to more
    /// corks the rest, which the cork timer's reactor writes on its own
    /// core while the sender goes on (its next messages join them, when
    /// the lone one was the first of a burst). One PUB sending to 100
    /// peers after each pause made 100 one-message writes, a fifth of all
    /// its system calls and packets, and delivered 0.9x ZeroMQ's rate.
    pub fn write_here(&self) -> bool {
        let n = self.written_here.load(Ordering::Relaxed);
        if n >= WRITE_HERE {
            return false;
        }
        self.written_here.store(n + 1, Ordering::Relaxed);
        true
    }

    /// The send ended (or failed).
    pub fn end(&self) {
        if self.wrote.load(Ordering::Relaxed) {
            self.wrote.store(false, Ordering::Relaxed);
            self.busy_until(Instant::now());
        }
    }

    /// A connection wrote to the kernel for the send under way.
    pub fn wrote(&self) {
        self.wrote.store(true, Ordering::Relaxed);
    }

    /// A receive of the socket had to wait for its peer: the next send
    /// answers what came, it does not follow the last one (a request and
    /// its reply can take less than the gap, and corking the reply would
    /// add the reactor's hand-over to every round trip).
    pub fn waited(&self) {
        if self.last_end.load(Ordering::Relaxed) != 0 {
            self.last_end.store(0, Ordering::Relaxed);
        }
    }

    /// The reactor finished writing a connection's output.
    pub fn drained(&self) {
        self.busy_until(Instant::now());
    }

    /// Does the send under way follow the socket's last output closely?
    pub fn burst(&self) -> bool {
        match self.decided.load(Ordering::Relaxed) {
            BURST => true,
            LONE => false,
            _ => self.decide(Instant::now()),
        }
    }

    fn decide(&self, now: Instant) -> bool {
        let now = self.nanos(now);
        let last = self.last_end.fetch_max(now, Ordering::Relaxed);
        let burst = last != 0 && now.saturating_sub(last) < BURST_GAP.as_nanos() as u64;
        let d = if burst { BURST } else { LONE };
        self.decided.store(d, Ordering::Relaxed);
        burst
    }

    /// Tests: the socket's output counts as busy until `t`, so a send
    /// before then is part of a burst however late the test thread runs.
    #[cfg(test)]
    pub fn busy_until_for_test(&self, t: Instant) {
        self.busy_until(t);
    }

    /// Tests: did a connection write to the kernel during this send?
    #[cfg(test)]
    pub fn wrote_for_test(&self) -> bool {
        self.wrote.load(Ordering::Relaxed)
    }

    fn busy_until(&self, t: Instant) {
        self.last_end.fetch_max(self.nanos(t), Ordering::Relaxed);
    }
}

impl Shared {
    pub fn new(sig: Arc<Sig>, protocol: i32, peer: i32, recvs: bool, opts: &Options) -> Shared {
        let s = Shared {
            sig,
            stats: CachePadded::new(Stats::default()),
            protocol,
            peer,
            recvs,
            rcvbuf: AtomicI32::new(0),
            rcvmaxsize: AtomicI32::new(0),
            linger: AtomicI32::new(0),
            pace: CachePadded::new(Pace::new()),
        };
        s.options_changed(opts);
        s
    }

    /// Can a peer of `protocol` talk to this socket?
    pub fn accepts(&self, protocol: i32) -> bool {
        protocol == self.peer
    }

    /// The socket's options changed: refresh the copies.
    pub fn options_changed(&self, opts: &Options) {
        self.rcvbuf.store(opts.rcvbuf, Ordering::Relaxed);
        self.rcvmaxsize.store(opts.rcvmaxsize, Ordering::Relaxed);
        self.linger.store(opts.linger, Ordering::Relaxed);
    }

    /// `NN_RCVBUF` in bytes (at least 1).
    pub fn rcvbuf(&self) -> usize {
        self.rcvbuf.load(Ordering::Relaxed).max(1) as usize
    }

    /// `NN_RCVMAXSIZE`; negative is unlimited.
    pub fn rcvmaxsize(&self) -> i64 {
        self.rcvmaxsize.load(Ordering::Relaxed) as i64
    }

    /// `NN_LINGER` in milliseconds.
    pub fn linger(&self) -> i32 {
        self.linger.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_send_soon_after_the_last_one_ended_is_a_burst() {
        let p = Pace::new();
        let t = p.born + Duration::from_millis(5);
        p.begin();
        assert!(!p.decide(t), "the first send is a lone one");
        p.wrote();
        p.busy_until(t + Duration::from_micros(300)); // a long fan-out send
        p.begin();
        assert!(
            p.decide(t + Duration::from_micros(305)),
            "measured from its end"
        );
        assert!(p.burst(), "decided once per send");
        p.end(); // wrote nothing: ended about when it decided
        p.begin();
        assert!(
            !p.decide(t + Duration::from_micros(305) + BURST_GAP),
            "a gap as long as BURST_GAP ends the burst"
        );
        assert!(!p.burst(), "decided once per send");
    }

    /// A lone send writes its first `WRITE_HERE` connections itself and
    /// hands the rest to the reactor; the next send starts counting again.
    #[test]
    fn a_lone_send_writes_a_few_connections_itself() {
        let p = Pace::new();
        for _ in 0..2 {
            p.begin();
            let here = (0..3 * WRITE_HERE).filter(|_| p.write_here()).count();
            assert_eq!(here, WRITE_HERE as usize);
            p.end();
        }
    }

    #[test]
    fn a_send_after_a_receive_that_waited_is_a_lone_one() {
        let p = Pace::new();
        let t = p.born + Duration::from_millis(5);
        p.busy_until(t);
        p.waited(); // the reply came back within the gap
        p.begin();
        assert!(!p.decide(t + BURST_GAP / 2), "a reply is not a burst");
    }

    #[test]
    fn a_send_right_after_the_reactor_drained_the_output_is_a_burst() {
        let p = Pace::new();
        let t = p.born + Duration::from_millis(5);
        p.begin();
        assert!(!p.decide(t));
        p.busy_until(t + Duration::from_millis(10)); // what `drained` does
        p.begin();
        assert!(p.decide(t + Duration::from_millis(10) + BURST_GAP / 2));
    }

    #[test]
    fn a_send_that_wrote_reads_the_clock_when_it_ends() {
        let p = Pace::new();
        p.begin();
        p.wrote();
        p.end();
        assert!(p.last_end.load(Ordering::Relaxed) >= 1, "the end was taken");
        assert!(!p.wrote.load(Ordering::Relaxed));
    }
}
