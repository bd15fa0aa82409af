//! ipc: Unix domain stream sockets (sp-ipc-mapping-01: the same header and
//! framing as tcp). `ipc://path` names a file; `abstract://name` (Linux)
//! names a socket in the abstract namespace, as nng spells it.
//!
//! Binding over a socket file that nobody listens on any more (a dead
//! process's leftover) replaces it; binding over a live one is
//! `EADDRINUSE`. The file is removed when the endpoint goes.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use socket2::SockAddr;

use crate::core::error::{Error, Result};

/// `sun_path` holds 108 bytes including the terminating NUL.
const SUN_PATH: usize = 108;

fn unix_addr(bytes: &[u8]) -> Result<SockAddr> {
    if bytes.len() >= SUN_PATH {
        return Err(Error::NAMETOOLONG);
    }
    // socket2 fills a zeroed sockaddr_un with the bytes and gives it the
    // length Linux expects: the path and its NUL, or an abstract name
    // (leading NUL) without one. The check above is the stricter one.
    SockAddr::unix(OsStr::from_bytes(bytes)).map_err(|_| Error::INVAL)
}

/// The address of `ipc://path`.
pub(crate) fn path_addr(path: &str) -> Result<SockAddr> {
    if path.is_empty() {
        return Err(Error::INVAL);
    }
    unix_addr(path.as_bytes())
}

/// The address of `abstract://name`.
pub(crate) fn abstract_addr(name: &str) -> Result<SockAddr> {
    if name.is_empty() {
        return Err(Error::INVAL); // (Linux would pick a random name)
    }
    let mut b = Vec::with_capacity(name.len() + 1);
    b.push(0);
    b.extend_from_slice(name.as_bytes());
    unix_addr(&b)
}

/// Before binding `path`: remove a stale socket file; a live one is in use.
pub(crate) fn clear_stale(path: &str) -> Result<Option<PathBuf>> {
    use std::os::unix::fs::FileTypeExt;
    let p = PathBuf::from(path);
    match std::fs::symlink_metadata(&p) {
        Err(_) => return Ok(Some(p)),
        Ok(m) if !m.file_type().is_socket() => return Err(Error::ADDRINUSE),
        Ok(_) => {}
    }
    match std::os::unix::net::UnixStream::connect(&p) {
        Ok(_) => Err(Error::ADDRINUSE),
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {
            let _ = std::fs::remove_file(&p);
            Ok(Some(p))
        }
        Err(_) => Ok(Some(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert!(path_addr(&"a".repeat(107)).is_ok());
        assert_eq!(path_addr(&"a".repeat(108)).err(), Some(Error::NAMETOOLONG));
        assert_eq!(path_addr("").err(), Some(Error::INVAL));
        assert!(abstract_addr("x").is_ok());
        assert_eq!(abstract_addr("").err(), Some(Error::INVAL));
    }

    #[test]
    fn addresses_and_their_lengths() {
        let family = std::mem::size_of::<libc::sa_family_t>() as libc::socklen_t;
        let a = path_addr("/tmp/x.ipc").unwrap();
        assert_eq!(a.len(), family + 10 + 1, "the path and its NUL");
        assert_eq!(a.as_pathname(), Some(std::path::Path::new("/tmp/x.ipc")));
        let a = abstract_addr("name").unwrap();
        assert_eq!(a.len(), family + 1 + 4, "NUL and name, no terminator");
        assert_eq!(a.as_abstract_namespace(), Some(&b"name"[..]));
        let long = "a".repeat(SUN_PATH - 1);
        assert_eq!(
            path_addr(&long).unwrap().len(),
            family + SUN_PATH as libc::socklen_t
        );
        assert_eq!(
            abstract_addr(&long[1..]).unwrap().len(),
            family + SUN_PATH as libc::socklen_t - 1
        );
    }
}
