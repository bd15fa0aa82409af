//! What a socket shares with the transports that serve it: its mailbox,
//! its statistics, the protocol a peer must speak, and copies of the
//! options a connection reads while it runs. Transports hold this, never
//! the socket itself, so they cannot reach its state or run its protocol.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use crate::core::options::Options;
use crate::core::sig::Sig;
use crate::core::stats::Stats;

pub struct Shared {
    pub sig: Arc<Sig>,
    pub stats: Stats,
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
}

impl Shared {
    pub fn new(sig: Arc<Sig>, protocol: i32, peer: i32, recvs: bool, opts: &Options) -> Shared {
        let s = Shared {
            sig,
            stats: Stats::default(),
            protocol,
            peer,
            recvs,
            rcvbuf: AtomicI32::new(0),
            rcvmaxsize: AtomicI32::new(0),
            linger: AtomicI32::new(0),
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
