//! `nn_poll`: argument checks; the waiting is `core::poll`.

use std::os::raw::c_int;

use super::types::nn_pollfd;
use super::{guard, ret};
use crate::core::cptr::arg_slice_mut;
use crate::core::error::Error;
use crate::core::poll;

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
        ret(usize::try_from(nfds)
            .map_err(|_| Error::INVAL)
            // SAFETY: forwarded caller contract: nfds valid entries.
            .and_then(|n| unsafe { arg_slice_mut(fds, n) })
            .and_then(|fds| poll::poll_fds(fds, timeout)))
    })
}
