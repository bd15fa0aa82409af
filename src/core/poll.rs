//! `nn_poll`: readiness of several sockets at once, built on the
//! level-triggered SNDFD/RCVFD descriptors.
//!
//! The sockets are looked up once, at the start, and held by `Arc` until
//! the call returns: their descriptors cannot be closed (and their numbers
//! reused) while we sleep on them, and a handle reused by a new socket
//! meanwhile is not mistaken for the one asked about. Closing a socket
//! (`nn_close`, `nn_term`) raises its descriptors for good, which wakes the
//! sleep; a call that finds one of its sockets closed returns 0 (nothing
//! ready), as upstream's usually does.

use std::os::raw::{c_int, c_short};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::consts::{NN_POLLIN, NN_POLLOUT};
use crate::core::error::{Error, Result};
use crate::core::global;
use crate::core::sig::Dir;
use crate::core::socket::Socket;

/// One entry of `nn_poll`'s array.
#[repr(C)]
pub struct nn_pollfd {
    pub fd: c_int,
    pub events: c_short,
    pub revents: c_short,
}

/// `nn_poll` over the caller's array: wait as [`poll`] does for what each
/// entry's `events` asks (`NN_POLLIN`, `NN_POLLOUT`), and return the number
/// of ready entries. As upstream, `revents` is written only when something
/// is ready (then for every entry).
pub fn poll_fds(fds: &mut [nn_pollfd], timeout: c_int) -> Result<c_int> {
    let wants: Vec<Want> = fds
        .iter()
        .map(|p| Want {
            handle: p.fd,
            send: c_int::from(p.events) & NN_POLLOUT != 0,
            recv: c_int::from(p.events) & NN_POLLIN != 0,
        })
        .collect();
    let ready = poll(&wants, timeout)?;
    let n = ready.iter().filter(|&&(s, r)| s || r).count();
    if n > 0 {
        for (p, (s, r)) in fds.iter_mut().zip(ready) {
            p.revents = (if r { NN_POLLIN } else { 0 } | if s { NN_POLLOUT } else { 0 }) as c_short;
        }
    }
    Ok(n as c_int)
}

/// One entry: a socket handle and the directions asked about.
#[derive(Clone, Copy)]
pub struct Want {
    pub handle: i32,
    pub send: bool,
    pub recv: bool,
}

/// Readiness of one entry: (can send, can receive), only for what was
/// asked.
pub type Ready = (bool, bool);

/// Wait until one of the entries is ready or `timeout` ms pass (-1:
/// forever). Returns each entry's readiness; all false on timeout or when
/// a socket was closed meanwhile.
pub fn poll(wants: &[Want], timeout: i32) -> Result<Vec<Ready>> {
    // As upstream: entries asking for nothing are not looked at; a bad
    // handle is EBADF and a direction the protocol lacks ENOPROTOOPT, in
    // the order of the entries.
    let mut socks: Vec<Option<Arc<Socket>>> = Vec::with_capacity(wants.len());
    for w in wants {
        socks.push(if !w.send && !w.recv {
            None
        } else {
            let s = global::get(w.handle)?;
            if (w.recv && !s.info.recvs) || (w.send && !s.info.sends) {
                return Err(Error::NOPROTOOPT);
            }
            Some(s)
        });
    }
    let entries: Vec<Entry> = wants
        .iter()
        .zip(&socks)
        .map(|(w, s)| Entry {
            sock: s.as_deref(),
            send: w.send,
            recv: w.recv,
        })
        .collect();
    poll_sockets(&entries, timeout)
}

/// One entry of [`poll_sockets`]: a socket (`None`: not looked at) and
/// the directions asked about.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub sock: Option<&'a Socket>,
    pub send: bool,
    pub recv: bool,
}

/// [`poll`] over sockets the caller holds (and so keeps open while it
/// sleeps on their descriptors): a direction the protocol lacks is
/// `ENOPROTOOPT`, in the order of the entries.
pub fn poll_sockets(wants: &[Entry], timeout: i32) -> Result<Vec<Ready>> {
    let mut nfds: u64 = 0;
    for w in wants {
        let Some(s) = w.sock else { continue };
        if !w.send && !w.recv {
            continue;
        }
        if (w.recv && !s.info.recvs) || (w.send && !s.info.sends) {
            return Err(Error::NOPROTOOPT);
        }
        nfds += w.send as u64 + w.recv as u64;
    }
    // Upstream hands one descriptor per direction asked to poll(2), which
    // refuses more than RLIMIT_NOFILE of them (EINVAL), ready or not.
    if nfds > nofile_limit() {
        return Err(Error::INVAL);
    }
    let none = || vec![(false, false); wants.len()];
    let deadline = (timeout > 0).then(|| Instant::now() + Duration::from_millis(timeout as u64));
    loop {
        let mut ready = Vec::with_capacity(wants.len());
        for w in wants {
            let r = match w.sock {
                Some(s) if w.send || w.recv => match s.readiness() {
                    Ok((snd, rcv)) => (w.send && snd, w.recv && rcv),
                    Err(_) => return Ok(none()), // closed while we looked
                },
                _ => (false, false),
            };
            ready.push(r);
        }
        if timeout == 0 || ready.iter().any(|&(a, b)| a || b) {
            return Ok(ready);
        }
        let mut sys = Vec::with_capacity(nfds as usize);
        for w in wants {
            let Some(s) = w.sock else { continue };
            for (on, dir) in [(w.recv, Dir::Recv), (w.send, Dir::Send)] {
                if on {
                    let fd = match s.event_fd(dir) {
                        Ok(fd) => fd,
                        Err(Error::BADF) => return Ok(none()),
                        Err(e) => return Err(e),
                    };
                    sys.push(libc::pollfd {
                        fd,
                        events: libc::POLLIN,
                        revents: 0,
                    });
                }
            }
        }
        let wait_ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(none());
                }
                // Round up: waking a little early would only loop.
                left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
            }
        };
        // SAFETY: `sys` is a live array of sys.len() pollfds, and the
        // sockets the caller holds keep every descriptor in it open.
        let rc = unsafe { libc::poll(sys.as_mut_ptr(), sys.len() as libc::nfds_t, wait_ms) };
        if rc < 0 {
            return Err(Error(
                std::io::Error::last_os_error()
                    .raw_os_error()
                    .unwrap_or(libc::EINTR),
            ));
        }
    }
}

/// The soft RLIMIT_NOFILE, the most descriptors poll(2) takes.
fn nofile_limit() -> u64 {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit fills the live struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } != 0 {
        return u64::MAX;
    }
    r.rlim_cur
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_asked_is_not_looked_at() {
        let w = [Want {
            handle: -1,
            send: false,
            recv: false,
        }];
        assert_eq!(poll(&w, 0), Ok(vec![(false, false)]));
    }

    #[test]
    fn bad_handle() {
        let w = [Want {
            handle: -1,
            send: false,
            recv: true,
        }];
        assert_eq!(poll(&w, 0), Err(Error::BADF));
    }
}
