//! The descriptor's system calls, through socket2 on a borrowed descriptor
//! (see `Conn::borrow_fd` for why it is still open). Each call is retried
//! when a signal interrupts it.

use std::io::{self, IoSlice, Read};
use std::mem::MaybeUninit;
use std::os::fd::BorrowedFd;

use socket2::{MaybeUninitSlice, SockRef};

pub(super) fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

fn retry<T>(mut call: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match call() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            r => return r,
        }
    }
}

/// One `sendmsg` of `iov`, without blocking. socket2 passes no flags of
/// its own, so `MSG_NOSIGNAL` (a vanished peer must not raise SIGPIPE) is
/// given here.
pub(super) fn send_iov(fd: BorrowedFd<'_>, iov: &[IoSlice<'_>]) -> io::Result<usize> {
    let s = SockRef::from(&fd);
    retry(|| s.send_vectored_with_flags(iov, libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT))
}

/// Look at what has arrived without taking it (`MSG_PEEK`).
pub(super) fn peek(fd: BorrowedFd<'_>, buf: &mut [MaybeUninit<u8>]) -> io::Result<usize> {
    let s = SockRef::from(&fd);
    retry(|| s.recv_with_flags(buf, libc::MSG_PEEK | libc::MSG_DONTWAIT))
}

/// Read into `buf`.
pub(super) fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    let s = SockRef::from(&fd);
    retry(|| (&*s).read(buf))
}

/// Read into `body` (memory that need not be initialized) and, once it is
/// full, on into `tail`, with one `recvmsg`: the rest of a large message
/// and the header of the next one.
pub(super) fn read_uninit_then(
    fd: BorrowedFd<'_>,
    body: &mut [MaybeUninit<u8>],
    tail: &mut [MaybeUninit<u8>],
) -> io::Result<usize> {
    let s = SockRef::from(&fd);
    retry(|| {
        let mut iov = [MaybeUninitSlice::new(body), MaybeUninitSlice::new(tail)];
        s.recv_vectored(&mut iov).map(|(n, _)| n)
    })
}
