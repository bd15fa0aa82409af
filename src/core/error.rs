//! Errors are errno values, as in the C API. `Error` is the one type every
//! layer returns; `ffi` turns it into `-1` plus the caller's `errno`.

use std::ffi::CStr;

/// Base of the errno values nanomsg defines itself.
pub(crate) const NN_HAUSNUMERO: i32 = 156_384_712;
/// The library is terminating (`nn_term` was called).
pub(crate) const ETERM: i32 = NN_HAUSNUMERO + 53;
/// The operation is not valid in the socket's current state.
pub(crate) const EFSM: i32 = NN_HAUSNUMERO + 54;

/// An errno value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(pub i32);

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub const BADF: Error = Error(libc::EBADF);
    pub const INVAL: Error = Error(libc::EINVAL);
    pub const FAULT: Error = Error(libc::EFAULT);
    pub const AGAIN: Error = Error(libc::EAGAIN);
    pub const TIMEDOUT: Error = Error(libc::ETIMEDOUT);
    pub const NOPROTOOPT: Error = Error(libc::ENOPROTOOPT);
    pub const NOMEM: Error = Error(libc::ENOMEM);
    pub const MFILE: Error = Error(libc::EMFILE);
    pub const AFNOSUPPORT: Error = Error(libc::EAFNOSUPPORT);
    pub const PROTONOSUPPORT: Error = Error(libc::EPROTONOSUPPORT);
    pub const NOTSUP: Error = Error(libc::ENOTSUP);
    pub const ADDRINUSE: Error = Error(libc::EADDRINUSE);
    pub const NAMETOOLONG: Error = Error(libc::ENAMETOOLONG);
    pub const TERM: Error = Error(ETERM);
    pub const FSM: Error = Error(EFSM);
}

/// The text `nn_strerror` gives for an errno: nanomsg's own wording for the
/// values it defines, the C library's for the rest.
pub fn strerror(errnum: i32) -> &'static CStr {
    match errnum {
        ETERM => c"Nanomsg library was terminated",
        EFSM => c"Operation cannot be performed in this state",
        _ => {
            // SAFETY: strerror returns a pointer to a NUL-terminated string
            // that glibc keeps alive (static text for known values; a
            // thread-local buffer for unknown ones, which we copy below).
            let p = unsafe { libc::strerror(errnum) };
            if p.is_null() {
                return c"Unknown error";
            }
            // SAFETY: p is non-null and NUL-terminated (see above).
            let s = unsafe { CStr::from_ptr(p) };
            intern(s)
        }
    }
}

/// Keep one leaked copy per distinct text, so the pointer we hand to C stays
/// valid for the life of the process even when libc's buffer is reused.
fn intern(s: &CStr) -> &'static CStr {
    use parking_lot::Mutex;
    use std::collections::HashMap;
    static TEXTS: Mutex<Option<HashMap<Vec<u8>, &'static CStr>>> = Mutex::new(None);
    let mut g = TEXTS.lock();
    let map = g.get_or_insert_with(HashMap::new);
    if let Some(t) = map.get(s.to_bytes()) {
        return t;
    }
    let leaked: &'static CStr = Box::leak(s.to_owned().into_boxed_c_str());
    map.insert(s.to_bytes().to_vec(), leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_errors_have_own_text() {
        assert_eq!(
            strerror(ETERM).to_str().unwrap(),
            "Nanomsg library was terminated"
        );
        assert_eq!(
            strerror(EFSM).to_str().unwrap(),
            "Operation cannot be performed in this state"
        );
    }

    #[test]
    fn system_errors_use_libc_text_and_are_stable() {
        let a = strerror(libc::EBADF);
        let b = strerror(libc::EBADF);
        assert_eq!(a.as_ptr(), b.as_ptr());
        assert_eq!(a.to_str().unwrap(), "Bad file descriptor");
    }
}
