//! `nn_poll`: readiness of several sockets at once, built on the
//! level-triggered SNDFD/RCVFD descriptors.

use std::os::raw::c_int;
use std::time::{Duration, Instant};

use super::consts::*;
use super::types::nn_pollfd;
use super::{guard, ret};
use crate::core::error::{Error, Result};
use crate::core::global;

/// Mark which of `fds` are ready; returns how many are. As upstream,
/// `revents` is written only when something is ready (then for every entry).
fn scan(fds: &mut [nn_pollfd]) -> Result<c_int> {
    let mut rev = Vec::with_capacity(fds.len());
    for p in fds.iter() {
        let (can_send, can_recv) = global::get(p.fd)?.readiness()?;
        let mut r = 0i16;
        if p.events as c_int & NN_POLLIN != 0 && can_recv {
            r |= NN_POLLIN as i16;
        }
        if p.events as c_int & NN_POLLOUT != 0 && can_send {
            r |= NN_POLLOUT as i16;
        }
        rev.push(r);
    }
    let n = rev.iter().filter(|&&r| r != 0).count() as c_int;
    if n > 0 {
        for (p, r) in fds.iter_mut().zip(rev) {
            p.revents = r;
        }
    }
    Ok(n)
}

fn event_fd(s: c_int, opt: c_int) -> Result<c_int> {
    let mut b = [0u8; 4];
    global::get(s)?.get_opt(NN_SOL_SOCKET, opt, &mut b)?;
    Ok(c_int::from_ne_bytes(b))
}

fn poll(fds: &mut [nn_pollfd], timeout: c_int) -> Result<c_int> {
    let deadline = (timeout > 0).then(|| Instant::now() + Duration::from_millis(timeout as u64));
    loop {
        let n = scan(fds)?;
        if n > 0 || timeout == 0 {
            return Ok(n);
        }
        let mut sys = Vec::with_capacity(fds.len() * 2);
        for p in fds.iter() {
            for (flag, opt) in [(NN_POLLIN, NN_RCVFD), (NN_POLLOUT, NN_SNDFD)] {
                if p.events as c_int & flag != 0 {
                    if let Ok(fd) = event_fd(p.fd, opt) {
                        sys.push(libc::pollfd {
                            fd,
                            events: libc::POLLIN,
                            revents: 0,
                        });
                    }
                }
            }
        }
        let wait_ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(0);
                }
                left.as_millis().clamp(1, c_int::MAX as u128) as c_int
            }
        };
        // SAFETY: `sys` is a live array of sys.len() pollfds.
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

/// Waits until one of the sockets can send (`NN_POLLOUT`) or receive
/// (`NN_POLLIN`), or `timeout` ms pass (-1: forever). Returns the number of
/// ready entries (their `revents` set), 0 on timeout, -1 on error.
///
/// # Safety
/// `fds` must point to `nfds` valid entries (NULL is `EFAULT`).
#[no_mangle]
pub unsafe extern "C" fn nn_poll(fds: *mut nn_pollfd, nfds: c_int, timeout: c_int) -> c_int {
    guard(-1, || {
        ret((|| {
            if nfds < 0 {
                return Err(Error::INVAL);
            }
            if nfds > 0 && fds.is_null() {
                return Err(Error::FAULT);
            }
            let fds = if nfds == 0 {
                &mut [][..]
            } else {
                // SAFETY: non-null with nfds entries by the caller's contract.
                unsafe { std::slice::from_raw_parts_mut(fds, nfds as usize) }
            };
            poll(fds, timeout)
        })())
    })
}
