//! `nn_device`: forward messages between two raw sockets until one of them
//! is closed or the library terminates.

use std::sync::Arc;

use crate::consts::AF_SP_RAW;
use crate::core::error::{Error, Result};
use crate::core::global;
use crate::core::sig::Dir;
use crate::core::socket::Socket;

fn check_raw(s: &Socket) -> Result<()> {
    if s.domain == AF_SP_RAW {
        Ok(())
    } else {
        Err(Error::INVAL)
    }
}

/// Move everything `from` has now into `to`; returns whether anything moved.
fn pump(from: &Socket, to: &Socket) -> Result<bool> {
    let mut moved = false;
    loop {
        match from.recv(true) {
            Ok(m) => {
                to.send(m, false).map_err(|(e, _)| e)?;
                moved = true;
            }
            Err(Error::AGAIN) => return Ok(moved),
            Err(e) => return Err(e),
        }
    }
}

pub fn run(s1: i32, s2: i32) -> Result<i32> {
    let (a, b) = match (s1, s2) {
        (-1, s) | (s, -1) => (global::get(s)?, None),
        _ => (global::get(s1)?, Some(global::get(s2)?)),
    };
    run_on(&a, b.as_ref())
}

/// `nn_device` over sockets the caller holds: `b` `None` loops `a` back.
/// Returns only with an error (a socket closed: `EBADF`).
pub fn run_on(a: &Arc<Socket>, b: Option<&Arc<Socket>>) -> Result<i32> {
    check_raw(a)?;
    let Some(b) = b else {
        // Loopback: everything received goes back out of the same socket.
        // A socket that cannot receive has nothing to loop (upstream: ENOTSUP).
        if !a.info.recvs {
            return Err(Error::NOTSUP);
        }
        loop {
            let m = a.recv(false)?;
            a.send(m, false).map_err(|(e, _)| e)?;
        }
    };
    check_raw(b)?;
    // As upstream: only the protocol family must match (REP+REQ, but also
    // REQ+REQ), and a one-way family needs one side that can receive and
    // one that can send.
    let family = |s: &Socket| s.protocol() / 16;
    let one_way_ok = (a.info.recvs && b.info.sends) || (b.info.recvs && a.info.sends);
    if family(a) != family(b) || !one_way_ok {
        return Err(Error::INVAL);
    }
    forward(a, b)
}

fn forward(a: &Arc<Socket>, b: &Arc<Socket>) -> Result<i32> {
    loop {
        // Read the epochs first so nothing arriving while we pump is missed.
        let ea = a.sig().epoch(Dir::Recv);
        let eb = b.sig().epoch(Dir::Recv);
        let mut moved = false;
        if a.info.recvs && b.info.sends {
            moved |= pump(a, b)?;
        }
        if b.info.recvs && a.info.sends {
            moved |= pump(b, a)?;
        }
        if !moved {
            // A socket that does not receive is not pumped from: look at it
            // here, to notice it closed and to settle its RCVFD (which a
            // hostile network peer's data may have raised).
            for s in [a, b] {
                if !s.info.recvs {
                    s.readiness()?;
                }
            }
            wait_either(a, ea, b, eb);
        }
    }
}

/// Sleep until either socket has something to receive or is closed (or
/// terminated): closing raises the socket's RCVFD for good, whether its
/// protocol receives or not.
fn wait_either(a: &Socket, ea: u64, b: &Socket, eb: u64) {
    let mut fds = Vec::with_capacity(2);
    for s in [a, b] {
        match s.event_fd(Dir::Recv) {
            Ok(fd) => fds.push(libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            }),
            Err(Error::BADF) => return, // closed: the next round says so
            Err(_) => {}
        }
    }
    if a.sig().epoch(Dir::Recv) != ea || b.sig().epoch(Dir::Recv) != eb {
        return;
    }
    // Without one of the descriptors (none could be made), look again now
    // and then instead of sleeping for good.
    let timeout = if fds.len() == 2 { -1 } else { 100 };
    // SAFETY: `fds` is a live array of fds.len() entries, kept open by the
    // sockets the caller holds.
    unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
}
