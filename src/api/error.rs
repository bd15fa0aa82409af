//! The Rust API's error: an errno, as the C API's, with nanomsg's texts.

use std::fmt;

use crate::core::error::{self as core_error, EFSM, ETERM};

/// What went wrong: the errno value the C API would have set, with the
/// text `nn_strerror` gives for it.
///
/// ```
/// use nanomsg::{Error, ErrorKind, Protocol, Socket};
///
/// let s = Socket::new(Protocol::Pull)?;
/// let e = s.try_recv().unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::WouldBlock);
/// assert_eq!(e, Error::AGAIN);
/// assert_eq!(e.raw_os_error(), libc::EAGAIN);
/// assert_eq!(e.to_string(), "Resource temporarily unavailable");
/// // A PULL socket cannot send.
/// assert_eq!(s.send(b"x").unwrap_err().kind(), ErrorKind::Unsupported);
/// // Into std::io::Error, for `?` in functions returning io::Result.
/// let io: std::io::Error = e.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::WouldBlock);
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Error(i32);

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// The common kinds of [`Error`] (see [`Error::kind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `EAGAIN`: a `try_` call found nothing to do at once.
    WouldBlock,
    /// `ETIMEDOUT`: the send or receive timeout passed.
    TimedOut,
    /// `ETERM`: [`term`](crate::term) was called.
    Terminated,
    /// `EBADF`: the socket was closed (or terminated while a call waited).
    Closed,
    /// `EINVAL`: a bad argument (an address, an option value, ...).
    InvalidInput,
    /// `ENOTSUP`, `EPROTONOSUPPORT`, `ENOPROTOOPT`, `EAFNOSUPPORT`: the
    /// socket's protocol has no such operation or option, or the address
    /// no such transport.
    Unsupported,
    /// `EFSM`: not in this state (a REP sending before it received).
    WrongState,
    /// `EADDRINUSE`: another endpoint is bound to the address.
    AddrInUse,
    /// `EADDRNOTAVAIL`, `ENODEV`: no such local address or interface.
    AddrNotAvailable,
    /// `ENAMETOOLONG`: the address is too long.
    NameTooLong,
    /// `EMFILE`: too many sockets (`NN_MAX_SOCKETS`).
    TooManySockets,
    /// `ENOMEM`: out of memory.
    OutOfMemory,
    /// Any other errno (see [`Error::raw_os_error`]).
    Other,
}

impl Error {
    /// `EAGAIN`.
    pub const AGAIN: Error = Error(libc::EAGAIN);
    /// `ETIMEDOUT`.
    pub const TIMEDOUT: Error = Error(libc::ETIMEDOUT);
    /// `ETERM` (nanomsg's own number).
    pub const TERM: Error = Error(ETERM);
    /// `EFSM` (nanomsg's own number).
    pub const FSM: Error = Error(EFSM);
    /// `EBADF`.
    pub const BADF: Error = Error(libc::EBADF);
    /// `EINVAL`.
    pub const INVAL: Error = Error(libc::EINVAL);
    /// `ENOTSUP`.
    pub const NOTSUP: Error = Error(libc::ENOTSUP);
    /// `ENOPROTOOPT`.
    pub const NOPROTOOPT: Error = Error(libc::ENOPROTOOPT);
    /// `EPROTONOSUPPORT`.
    pub const PROTONOSUPPORT: Error = Error(libc::EPROTONOSUPPORT);
    /// `EADDRINUSE`.
    pub const ADDRINUSE: Error = Error(libc::EADDRINUSE);
    /// `EMFILE`.
    pub const MFILE: Error = Error(libc::EMFILE);

    /// The error of an errno value.
    pub fn from_raw_os_error(errno: i32) -> Error {
        Error(errno)
    }

    /// The errno value (what `nn_errno` would say).
    pub fn raw_os_error(&self) -> i32 {
        self.0
    }

    /// Which of the common kinds this is.
    pub fn kind(&self) -> ErrorKind {
        match self.0 {
            libc::EAGAIN => ErrorKind::WouldBlock,
            libc::ETIMEDOUT => ErrorKind::TimedOut,
            ETERM => ErrorKind::Terminated,
            EFSM => ErrorKind::WrongState,
            libc::EBADF => ErrorKind::Closed,
            libc::EINVAL => ErrorKind::InvalidInput,
            libc::ENOTSUP | libc::EPROTONOSUPPORT | libc::ENOPROTOOPT | libc::EAFNOSUPPORT => {
                ErrorKind::Unsupported
            }
            libc::EADDRINUSE => ErrorKind::AddrInUse,
            libc::EADDRNOTAVAIL | libc::ENODEV => ErrorKind::AddrNotAvailable,
            libc::ENAMETOOLONG => ErrorKind::NameTooLong,
            libc::EMFILE => ErrorKind::TooManySockets,
            libc::ENOMEM => ErrorKind::OutOfMemory,
            _ => ErrorKind::Other,
        }
    }

    /// The text `nn_strerror` gives.
    fn text(&self) -> &'static str {
        core_error::strerror(self.0)
            .to_str()
            .unwrap_or("Unknown error")
    }
}

impl From<core_error::Error> for Error {
    fn from(e: core_error::Error) -> Error {
        Error(e.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("errno", &self.0)
            .field("kind", &self.kind())
            .field("message", &self.text())
            .finish()
    }
}

impl std::error::Error for Error {}

impl From<Error> for std::io::Error {
    /// A system errno becomes that `io::Error`; nanomsg's own (`ETERM`,
    /// `EFSM`) an `Other` one carrying this error.
    fn from(e: Error) -> std::io::Error {
        if e.0 == ETERM || e.0 == EFSM {
            std::io::Error::other(e)
        } else {
            std::io::Error::from_raw_os_error(e.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_texts() {
        assert_eq!(Error::TERM.kind(), ErrorKind::Terminated);
        assert_eq!(Error::TERM.to_string(), "Nanomsg library was terminated");
        assert_eq!(
            Error::FSM.to_string(),
            "Operation cannot be performed in this state"
        );
        assert_eq!(Error::BADF.kind(), ErrorKind::Closed);
        assert_eq!(Error::TIMEDOUT.kind(), ErrorKind::TimedOut);
        assert_eq!(Error::from_raw_os_error(libc::EIO).kind(), ErrorKind::Other);
        let io: std::io::Error = Error::TERM.into();
        assert_eq!(io.kind(), std::io::ErrorKind::Other);
        assert_eq!(io.to_string(), "Nanomsg library was terminated");
        let dbg = format!("{:?}", Error::AGAIN);
        assert!(
            dbg.contains("WouldBlock") && dbg.contains("errno: 11"),
            "{dbg}"
        );
    }
}
