//! The socket table: integer handles to sockets, as C sees them.
//!
//! Handles are small integers. A closed handle is reused first (last
//! closed, first reused), as upstream does. The table is the only place
//! that turns a handle into a socket: anything not live is `EBADF`.
//!
//! Every call on a socket looks its handle up here, from every thread. A
//! single lock word would be written (locked and unlocked) by all of them
//! and bounce between their cores on every call, so lookups go to one of
//! `SHARDS` copies of the handle-to-socket slots, each under a lock of its
//! own on a cache line of its own, chosen by the calling thread. The rare
//! writers (`nn_socket`, `nn_close`, `nn_term`) hold the table's mutex
//! and change every copy before they return.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crossbeam_utils::CachePadded;
use parking_lot::{Mutex, RwLock};

use crate::core::env;
use crate::core::error::{Error, Result};
use crate::core::socket::Socket;

struct Table {
    free: Vec<i32>,
    /// Slots in use (live or free), the length of every shard's copy.
    len: usize,
    live: usize,
    max: usize,
    /// A socket was created at some point (nn_term before that is a no-op).
    used: bool,
    terminated: bool,
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    free: Vec::new(),
    len: 0,
    live: 0,
    max: 0,
    used: false,
    terminated: false,
});

type Slots = Vec<Option<Arc<Socket>>>;

/// Copies of the slots; a thread reads the one `shard()` names.
const SHARDS: usize = 8;

static COPIES: [CachePadded<RwLock<Slots>>; SHARDS] =
    [const { CachePadded::new(RwLock::new(Vec::new())) }; SHARDS];

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The calling thread's copy, handed out in turn (`usize::MAX`: none yet).
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

fn shard() -> usize {
    SHARD.with(|s| {
        if s.get() == usize::MAX {
            s.set(NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS);
        }
        s.get()
    })
}

/// Apply `f` to every copy (the caller holds `TABLE`, so the copies stay
/// alike).
fn each_copy(mut f: impl FnMut(&mut Slots)) {
    for c in &COPIES {
        f(&mut c.write());
    }
}

/// `nn_socket`.
pub fn create(domain: i32, protocol: i32) -> Result<i32> {
    create_socket(domain, protocol).map(|(handle, _)| handle)
}

/// `nn_socket`, also giving the socket itself (the Rust API holds it, so
/// it never looks its handle up again).
pub fn create_socket(domain: i32, protocol: i32) -> Result<(i32, Arc<Socket>)> {
    let mut t = TABLE.lock();
    if t.terminated {
        return Err(Error::TERM);
    }
    // Upstream's order of checks: domain, then the limit, then the protocol.
    if domain != crate::consts::AF_SP && domain != crate::consts::AF_SP_RAW {
        return Err(Error::AFNOSUPPORT);
    }
    if t.max == 0 {
        t.max = env::max_sockets();
    }
    if t.live >= t.max {
        return Err(Error::MFILE);
    }
    let handle = t.free.last().copied().unwrap_or(t.len as i32);
    let sock = Socket::new(handle, domain, protocol)?;
    if t.free.pop().is_none() {
        t.len += 1;
    }
    let len = t.len;
    each_copy(|slots| {
        slots.resize(len, None);
        slots[handle as usize] = Some(sock.clone());
    });
    t.live += 1;
    t.used = true;
    Ok((handle, sock))
}

/// The live socket behind a handle.
pub fn get(s: i32) -> Result<Arc<Socket>> {
    let slots = COPIES[shard()].read();
    usize::try_from(s)
        .ok()
        .and_then(|i| slots.get(i))
        .and_then(|slot| slot.clone())
        .ok_or(Error::BADF)
}

/// `nn_close`: the handle dies at once; the socket winds down after.
pub fn close(s: i32) -> Result<()> {
    close_if(s, |_| true)
}

/// Close `sock`, whose handle is `s`: the handle too if it is still
/// `sock`'s (C code may have closed it, and a new socket taken the number,
/// meanwhile). `EBADF` if the socket was closed already.
pub fn close_socket(s: i32, sock: &Arc<Socket>) -> Result<()> {
    match close_if(s, |other| Arc::ptr_eq(other, sock)) {
        Err(Error::BADF) if !sock.is_closed() => {
            sock.close();
            Ok(())
        }
        r => r,
    }
}

/// Close handle `s` if the socket behind it passes `same`.
fn close_if(s: i32, same: impl Fn(&Arc<Socket>) -> bool) -> Result<()> {
    let sock = {
        let mut t = TABLE.lock();
        let i = usize::try_from(s).map_err(|_| Error::BADF)?;
        let sock = COPIES[0]
            .read()
            .get(i)
            .and_then(|slot| slot.clone())
            .filter(|s| same(s))
            .ok_or(Error::BADF)?;
        t.free.push(s);
        t.live -= 1;
        if t.live == 0 {
            // All closed: numbering starts again at 0, as upstream's does.
            t.free.clear();
            t.len = 0;
            each_copy(|slots| *slots = Vec::new());
        } else {
            each_copy(|slots| slots[i] = None);
        }
        sock
    };
    sock.close();
    Ok(())
}

/// `nn_term`, as upstream 1.x does it: every socket is closed (blocked
/// calls return `EBADF`, later calls on the old handles fail with `EBADF`)
/// and `nn_socket` fails with `ETERM` from then on. Before any socket was
/// ever created it does nothing.
pub fn term() {
    let socks: Vec<Arc<Socket>> = {
        let mut t = TABLE.lock();
        if !t.used {
            return;
        }
        t.terminated = true;
        let socks: Vec<Arc<Socket>> = COPIES[0].read().iter().flatten().cloned().collect();
        t.live = 0;
        t.len = 0;
        t.free.clear();
        each_copy(|slots| *slots = Vec::new());
        socks
    };
    for s in socks {
        s.close();
    }
}
