//! The socket table: integer handles to sockets, as C sees them.
//!
//! Handles are small integers. A closed handle is reused first (last
//! closed, first reused), as upstream does. The table is the only place
//! that turns a handle into a socket: anything not live is `EBADF`.
//!
//! Every call on a socket looks its handle up here, from every thread, so
//! the table's lock is sharded (`ShardedLock`): a lookup takes the read
//! lock of its thread's shard only, each on a cache line of its own, and
//! threads calling at once do not bounce one lock word between their
//! cores. Creating and closing sockets, the rare writers, take them all.

use std::sync::{Arc, LazyLock};

use crossbeam_utils::sync::{ShardedLock, ShardedLockReadGuard, ShardedLockWriteGuard};

use crate::core::env;
use crate::core::error::{Error, Result};
use crate::core::socket::Socket;

struct Table {
    slots: Vec<Option<Arc<Socket>>>,
    free: Vec<i32>,
    live: usize,
    max: usize,
    /// A socket was created at some point (nn_term before that is a no-op).
    used: bool,
    terminated: bool,
}

static TABLE: LazyLock<ShardedLock<Table>> = LazyLock::new(|| {
    ShardedLock::new(Table {
        slots: Vec::new(),
        free: Vec::new(),
        live: 0,
        max: 0,
        used: false,
        terminated: false,
    })
});

/// The table to read. A panic while it was written (none is known) leaves
/// it consistent: every writer changes it only after its last fallible
/// step, so the poisoning is ignored.
fn read() -> ShardedLockReadGuard<'static, Table> {
    TABLE.read().unwrap_or_else(|e| e.into_inner())
}

fn write() -> ShardedLockWriteGuard<'static, Table> {
    TABLE.write().unwrap_or_else(|e| e.into_inner())
}

/// `nn_socket`.
pub fn create(domain: i32, protocol: i32) -> Result<i32> {
    let mut t = write();
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
    let handle = t.free.last().copied().unwrap_or(t.slots.len() as i32);
    let sock = Socket::new(handle, domain, protocol)?;
    if t.free.pop().is_none() {
        t.slots.push(None);
    }
    t.slots[handle as usize] = Some(sock);
    t.live += 1;
    t.used = true;
    Ok(handle)
}

/// The live socket behind a handle.
pub fn get(s: i32) -> Result<Arc<Socket>> {
    let t = read();
    usize::try_from(s)
        .ok()
        .and_then(|i| t.slots.get(i))
        .and_then(|slot| slot.clone())
        .ok_or(Error::BADF)
}

/// `nn_close`: the handle dies at once; the socket winds down after.
pub fn close(s: i32) -> Result<()> {
    let sock = {
        let mut t = write();
        let slot = usize::try_from(s)
            .ok()
            .and_then(|i| t.slots.get_mut(i))
            .ok_or(Error::BADF)?;
        let sock = slot.take().ok_or(Error::BADF)?;
        t.free.push(s);
        t.live -= 1;
        if t.live == 0 {
            // All closed: numbering starts again at 0, as upstream's does.
            t.free.clear();
            t.slots.clear();
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
        let mut t = write();
        if !t.used {
            return;
        }
        t.terminated = true;
        let socks: Vec<Arc<Socket>> = t.slots.iter_mut().filter_map(|s| s.take()).collect();
        t.live = 0;
        t.free.clear();
        t.slots.clear();
        socks
    };
    for s in socks {
        s.close();
    }
}
