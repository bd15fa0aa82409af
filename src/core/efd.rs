//! A non-blocking eventfd used as a level-triggered readiness flag: readable
//! while set, not readable once cleared. SNDFD and RCVFD are made of these.

use std::io;
use std::os::fd::RawFd;

pub struct Efd {
    fd: RawFd,
}

impl Efd {
    pub fn new() -> io::Result<Efd> {
        // SAFETY: plain syscall with constant flags; the result is checked.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Efd { fd })
    }

    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// Make the descriptor readable.
    pub fn set(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to our own eventfd. It can
        // only fail with EAGAIN at a counter near u64::MAX, which a flag that
        // we reset on every clear never reaches.
        unsafe { libc::write(self.fd, &one as *const u64 as *const libc::c_void, 8) };
    }

    /// Make the descriptor unreadable.
    pub fn clear(&self) {
        let mut v: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64; EAGAIN (already clear) is fine.
        unsafe { libc::read(self.fd, &mut v as *mut u64 as *mut libc::c_void, 8) };
    }
}

impl Drop for Efd {
    fn drop(&mut self) {
        // SAFETY: we own the descriptor and close it exactly once.
        unsafe { libc::close(self.fd) };
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Is `fd` readable right now? (Shared with the `Sig` tests.)
    pub(crate) fn readable(fd: RawFd) -> bool {
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, zero timeout.
        unsafe { libc::poll(&mut p, 1, 0) == 1 }
    }

    #[test]
    fn level_triggered() {
        let e = Efd::new().unwrap();
        assert!(!readable(e.fd()));
        e.set();
        e.set();
        assert!(readable(e.fd()));
        assert!(readable(e.fd()));
        e.clear();
        assert!(!readable(e.fd()));
    }
}
