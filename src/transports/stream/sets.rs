//! Sets of connections: an endpoint's, a WebSocket port's, and the
//! process's for the wait at exit.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{Conn, Ended};
use crate::core::pipe::PipeId;
use crate::reactor;

pub(super) fn linger_deadline(linger_ms: i32) -> Option<Instant> {
    (linger_ms >= 0).then(|| Instant::now() + Duration::from_millis(linger_ms as u64))
}

pub(super) type SetInner = Mutex<BTreeMap<PipeId, Weak<Conn>>>;

/// A set of connections that someone must be able to end or wait for (an
/// endpoint's, a WebSocket port's, the process's), without keeping them
/// alive. A connection leaves every set it is in when it ends (`Conn::end`),
/// whoever is told about the end: a `Weak` left behind would keep its
/// memory.
pub(crate) struct ConnSet(pub(super) Arc<SetInner>);

impl ConnSet {
    pub(crate) fn new() -> ConnSet {
        ConnSet(Arc::new(Mutex::new(BTreeMap::new())))
    }

    pub(crate) fn add(&self, conn: &Arc<Conn>) {
        conn.sets.lock().push(Arc::downgrade(&self.0));
        let mut set = self.0.lock();
        set.insert(conn.id, Arc::downgrade(conn));
        // It may have ended meanwhile, before it could leave.
        if conn.is_closed() {
            set.remove(&conn.id);
        }
    }

    fn live(&self) -> Vec<Arc<Conn>> {
        self.0.lock().values().filter_map(Weak::upgrade).collect()
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.0.lock().len()
    }

    /// The endpoint goes. With `graceful` (its socket is closing) pipes are
    /// left to the socket, which closes them with linger; otherwise
    /// (`nn_shutdown`) every connection ends now.
    pub(crate) fn end_all(&self, graceful: bool) {
        let all = std::mem::take(&mut *self.0.lock());
        for c in all.into_values().filter_map(|c| c.upgrade()) {
            if !(graceful && c.is_pipe()) {
                c.end(if graceful {
                    Ended::Closed
                } else {
                    Ended::Shutdown
                });
            }
        }
    }
}

/// Every connection that may still have something to write, for the wait
/// at exit.
pub(super) static LIVE: std::sync::LazyLock<ConnSet> = std::sync::LazyLock::new(ConnSet::new);

/// At exit (the library's destructor): give every connection's queued
/// messages (corked ones included) up to its socket's `NN_LINGER` to
/// reach the peer, whether or not the program closed its sockets. Returns
/// at once when nothing is pending.
pub(crate) fn linger_at_exit() {
    let conns = LIVE.live();
    let mut pending: Vec<(Arc<Conn>, Option<Instant>)> = Vec::new();
    for c in conns {
        if c.flushed() {
            continue;
        }
        let limit = linger_deadline(c.linger());
        reactor::get().poke(c.clone()); // writes a cork at once
        pending.push((c, limit));
    }
    while !pending.is_empty() {
        let now = Instant::now();
        pending.retain(|(c, limit)| !c.flushed() && limit.is_none_or(|l| now < l));
        if !pending.is_empty() {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Conn {
    /// Out of every `ConnSet` (see `ConnSet::add`).
    pub(super) fn leave_sets(&self) {
        for set in std::mem::take(&mut *self.sets.lock()) {
            if let Some(set) = set.upgrade() {
                set.lock().remove(&self.id);
            }
        }
    }
}
