//! Protocol timers (REQ resend, survey deadlines) that must fire even when
//! nobody is calling into the socket. One thread, started on first use,
//! sleeps until the earliest registered deadline and then lets that socket
//! run its due timers. Entries are hints: a socket whose deadline moved
//! simply finds nothing due and registers again.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, OnceLock, Weak};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use crate::core::socket::Socket;

struct Entry {
    at: Instant,
    seq: u64,
    sock: Weak<Socket>,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

struct Timers {
    heap: Mutex<(BinaryHeap<Reverse<Entry>>, u64)>,
    cv: Condvar,
}

fn timers() -> &'static Arc<Timers> {
    static T: OnceLock<Arc<Timers>> = OnceLock::new();
    T.get_or_init(|| {
        let t = Arc::new(Timers {
            heap: Mutex::new((BinaryHeap::new(), 0)),
            cv: Condvar::new(),
        });
        let t2 = t.clone();
        std::thread::Builder::new()
            .name("nanomsg-timers".into())
            .spawn(move || run(&t2))
            .expect("cannot start the nanomsg timer thread");
        t
    })
}

/// Ask for `sock.fire_timers()` at (or soon after) `at`.
pub fn schedule(sock: Weak<Socket>, at: Instant) {
    let t = timers();
    let mut g = t.heap.lock();
    g.1 += 1;
    let seq = g.1;
    let earliest = g.0.peek().is_none_or(|Reverse(e)| at < e.at);
    g.0.push(Reverse(Entry { at, seq, sock }));
    if earliest {
        t.cv.notify_one();
    }
}

fn run(t: &Timers) {
    let mut g = t.heap.lock();
    loop {
        let now = Instant::now();
        match g.0.peek() {
            None => t.cv.wait(&mut g),
            Some(Reverse(e)) if e.at > now => {
                let at = e.at;
                t.cv.wait_until(&mut g, at);
            }
            Some(_) => {
                let Reverse(e) = g.0.pop().expect("peeked");
                // Never hold the heap lock while taking a socket's lock.
                drop(g);
                if let Some(s) = e.sock.upgrade() {
                    s.fire_timers();
                }
                g = t.heap.lock();
            }
        }
    }
}
