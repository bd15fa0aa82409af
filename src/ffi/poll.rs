//! `nn_poll`: argument checks; the waiting is `core::poll`.

use std::os::raw::c_int;

use super::types::nn_pollfd;
use super::{guard, ret};
use crate::consts::*;
use crate::core::error::Error;
use crate::core::poll::{self, Want};

/// Waits until one of the sockets can send (`NN_POLLOUT`) or receive
/// (`NN_POLLIN`), or `timeout` ms pass (-1: forever). Returns the number of
/// ready entries (their `revents` set), 0 on timeout or when one of the
/// sockets was closed meanwhile, -1 on error.
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
            let wants: Vec<Want> = fds
                .iter()
                .map(|p| Want {
                    handle: p.fd,
                    send: p.events as c_int & NN_POLLOUT != 0,
                    recv: p.events as c_int & NN_POLLIN != 0,
                })
                .collect();
            let ready = poll::poll(&wants, timeout)?;
            // As upstream, `revents` is written only when something is
            // ready (then for every entry).
            let n = ready.iter().filter(|&&(s, r)| s || r).count();
            if n > 0 {
                for (p, (s, r)) in fds.iter_mut().zip(ready) {
                    p.revents =
                        (if r { NN_POLLIN } else { 0 } | if s { NN_POLLOUT } else { 0 }) as i16;
                }
            }
            Ok(n as c_int)
        })())
    })
}
