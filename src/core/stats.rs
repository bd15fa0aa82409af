//! Per-socket statistics for `nn_get_statistic`. Counters are atomics so
//! transports and protocols can bump them from any thread without a lock.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::consts::*;
use crate::core::error::{Error, Result};

#[derive(Default)]
pub struct Stats {
    pub established_connections: AtomicU64,
    pub accepted_connections: AtomicU64,
    pub dropped_connections: AtomicU64,
    pub broken_connections: AtomicU64,
    pub connect_errors: AtomicU64,
    pub bind_errors: AtomicU64,
    pub accept_errors: AtomicU64,
    pub current_connections: AtomicU64,
    pub inprogress_connections: AtomicU64,
    pub current_ep_errors: AtomicU64,
    pub messages_sent: AtomicU64,
    pub messages_received: AtomicU64,
    pub bytes_sent: AtomicU64,
    pub bytes_received: AtomicU64,
}

/// Add `n` to a counter that only one thread at a time writes: a plain
/// load and store, no locked read-modify-write (readers still see whole
/// values).
fn bump(c: &AtomicU64, n: u64) {
    c.store(c.load(Relaxed).wrapping_add(n), Relaxed);
}

impl Stats {
    /// A message was sent. Called under the socket's state lock, the only
    /// place these two counters are written, so they need no atomic
    /// addition (two locked instructions per message).
    pub fn sent(&self, bytes: usize) {
        bump(&self.messages_sent, 1);
        bump(&self.bytes_sent, bytes as u64);
    }

    /// A message was received; as `sent`, under the socket's state lock.
    pub fn received(&self, bytes: usize) {
        bump(&self.messages_received, 1);
        bump(&self.bytes_received, bytes as u64);
    }

    /// The counter behind an `NN_STAT_*` number (`NN_STAT_CURRENT_SND_PRIORITY`
    /// is answered by the socket). `EINVAL` for an unknown statistic.
    pub fn get(&self, stat: i32) -> Result<u64> {
        let c = match stat {
            NN_STAT_ESTABLISHED_CONNECTIONS => &self.established_connections,
            NN_STAT_ACCEPTED_CONNECTIONS => &self.accepted_connections,
            NN_STAT_DROPPED_CONNECTIONS => &self.dropped_connections,
            NN_STAT_BROKEN_CONNECTIONS => &self.broken_connections,
            NN_STAT_CONNECT_ERRORS => &self.connect_errors,
            NN_STAT_BIND_ERRORS => &self.bind_errors,
            NN_STAT_ACCEPT_ERRORS => &self.accept_errors,
            NN_STAT_CURRENT_CONNECTIONS => &self.current_connections,
            NN_STAT_INPROGRESS_CONNECTIONS => &self.inprogress_connections,
            NN_STAT_CURRENT_EP_ERRORS => &self.current_ep_errors,
            NN_STAT_MESSAGES_SENT => &self.messages_sent,
            NN_STAT_MESSAGES_RECEIVED => &self.messages_received,
            NN_STAT_BYTES_SENT => &self.bytes_sent,
            NN_STAT_BYTES_RECEIVED => &self.bytes_received,
            _ => return Err(Error::INVAL),
        };
        Ok(c.load(Relaxed))
    }
}
