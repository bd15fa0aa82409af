//! Socket options: the `NN_SOL_SOCKET` level and the transport levels, with
//! upstream's defaults, ranges and errors. Protocol levels are handled by
//! the protocols themselves.

use crate::consts::*;
use crate::core::error::{Error, Result};

/// `NN_LINGER`'s default: how long queued messages may still go out after
/// `nn_close` or at exit, in milliseconds.
pub(crate) const DEFAULT_LINGER: i32 = 1000;

/// The longest string a `NN_TLS` string option takes (a path or a name).
pub(crate) const TLS_STR_MAX: usize = 4096;

/// The options of level `NN_TLS` (ours, `<nanomsg/tls.h>`): what a TLS
/// endpoint created afterwards is configured from
/// (`transports::tls::config`). An empty string is unset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOpts {
    /// `NN_TLS_CA_FILE`: a path, as bytes (no NUL).
    pub ca_file: Vec<u8>,
    /// `NN_TLS_CERT_KEY_FILE`: a path, as bytes (no NUL).
    pub cert_key_file: Vec<u8>,
    /// `NN_TLS_SERVER_NAME` (no NUL; checked when a dialer is made).
    pub server_name: Vec<u8>,
    /// `NN_TLS_AUTH_MODE`, or -1 until set: the role's default (a dialer
    /// verifies the server, a listener asks for no client certificate).
    pub auth_mode: i32,
}

impl TlsOpts {
    fn new() -> TlsOpts {
        TlsOpts {
            auth_mode: -1,
            ..TlsOpts::default()
        }
    }

    fn set(&mut self, opt: i32, val: &[u8]) -> Result<()> {
        if opt == NN_TLS_AUTH_MODE {
            let v = int_val(val)?;
            check((NN_TLS_AUTH_MODE_NONE..=NN_TLS_AUTH_MODE_REQUIRED).contains(&v))?;
            self.auth_mode = v;
            return Ok(());
        }
        let slot = match opt {
            NN_TLS_CA_FILE => &mut self.ca_file,
            NN_TLS_CERT_KEY_FILE => &mut self.cert_key_file,
            NN_TLS_SERVER_NAME => &mut self.server_name,
            _ => return Err(Error::NOPROTOOPT),
        };
        *slot = tls_str(val)?.to_vec();
        Ok(())
    }

    /// A string option's value (empty when unset); `None` for any other
    /// option.
    fn get_str(&self, opt: i32) -> Option<&[u8]> {
        match opt {
            NN_TLS_CA_FILE => Some(&self.ca_file),
            NN_TLS_CERT_KEY_FILE => Some(&self.cert_key_file),
            NN_TLS_SERVER_NAME => Some(&self.server_name),
            _ => None,
        }
    }
}

/// A `NN_TLS` string: given with its length, without a NUL (one
/// terminating NUL, as a caller passing `strlen + 1` or `sizeof` gives,
/// is dropped); a NUL inside it, or more than [`TLS_STR_MAX`] bytes, is
/// `EINVAL`.
fn tls_str(val: &[u8]) -> Result<&[u8]> {
    let s = val.strip_suffix(&[0]).unwrap_or(val);
    check(s.len() <= TLS_STR_MAX && !s.contains(&0))?;
    Ok(s)
}

/// The values of the `NN_SOL_SOCKET` options a socket stores.
#[derive(Clone, Debug)]
pub struct Options {
    pub linger: i32,
    pub sndbuf: i32,
    pub rcvbuf: i32,
    pub sndtimeo: i32,
    pub rcvtimeo: i32,
    pub reconnect_ivl: i32,
    pub reconnect_ivl_max: i32,
    pub sndprio: i32,
    pub rcvprio: i32,
    pub ipv4only: i32,
    /// Stored as C does: bytes up to the first NUL.
    pub socket_name: Vec<u8>,
    pub rcvmaxsize: i32,
    pub maxttl: i32,
    /// Level `NN_TCP`. Stored and read back only: every tcp connection
    /// runs without Nagle (see `transports::net::no_nagle`).
    pub tcp_nodelay: i32,
    /// Level `NN_WS`.
    pub ws_msg_type: i32,
    /// Level `NN_IPC` (Windows-only upstream; stored so bindings can set them).
    pub ipc_outbufsz: i32,
    pub ipc_inbufsz: i32,
    /// Level `NN_TLS` (ours).
    pub tls: TlsOpts,
}

impl Options {
    pub fn new(handle: i32) -> Options {
        Options {
            // Upstream reads 0 here (it never implemented linger); ours
            // does, with the default its documentation gave.
            linger: DEFAULT_LINGER,
            sndbuf: 128 * 1024,
            rcvbuf: 128 * 1024,
            sndtimeo: -1,
            rcvtimeo: -1,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            sndprio: 8,
            rcvprio: 8,
            ipv4only: 1,
            socket_name: handle.to_string().into_bytes(),
            rcvmaxsize: 1024 * 1024,
            maxttl: 8,
            tcp_nodelay: 0,
            ws_msg_type: NN_WS_MSG_TYPE_BINARY,
            ipc_outbufsz: 4096,
            ipc_inbufsz: 4096,
            tls: TlsOpts::new(),
        }
    }

    /// Set an option of level `NN_SOL_SOCKET` or a transport level.
    pub fn set(&mut self, level: i32, opt: i32, val: &[u8]) -> Result<()> {
        match level {
            NN_SOL_SOCKET => self.set_socket(opt, val),
            NN_TCP if opt == NN_TCP_NODELAY => {
                let v = int_val(val)?;
                check(v == 0 || v == 1)?;
                self.tcp_nodelay = v;
                Ok(())
            }
            NN_WS if opt == NN_WS_MSG_TYPE => {
                let v = int_val(val)?;
                check(v == NN_WS_MSG_TYPE_TEXT || v == NN_WS_MSG_TYPE_BINARY)?;
                self.ws_msg_type = v;
                Ok(())
            }
            NN_IPC if opt == NN_IPC_OUTBUFSZ => {
                self.ipc_outbufsz = int_val(val)?;
                Ok(())
            }
            NN_IPC if opt == NN_IPC_INBUFSZ => {
                self.ipc_inbufsz = int_val(val)?;
                Ok(())
            }
            NN_TLS => self.tls.set(opt, val),
            _ => Err(Error::NOPROTOOPT),
        }
    }

    fn set_socket(&mut self, opt: i32, val: &[u8]) -> Result<()> {
        if opt == NN_SOCKET_NAME {
            check(val.len() <= 63)?;
            let end = val.iter().position(|&b| b == 0).unwrap_or(val.len());
            self.socket_name = val[..end].to_vec();
            return Ok(());
        }
        // Every other option here is an int; the length is checked first,
        // before the option is even looked up, as upstream does.
        let v = int_val(val)?;
        if matches!(opt, NN_SNDFD | NN_RCVFD | NN_DOMAIN | NN_PROTOCOL) {
            return Err(Error::NOPROTOOPT);
        }
        let slot = match opt {
            NN_LINGER => &mut self.linger,
            NN_SNDBUF => &mut self.sndbuf,
            NN_RCVBUF => &mut self.rcvbuf,
            NN_SNDTIMEO => &mut self.sndtimeo,
            NN_RCVTIMEO => &mut self.rcvtimeo,
            NN_RECONNECT_IVL => &mut self.reconnect_ivl,
            NN_RECONNECT_IVL_MAX => &mut self.reconnect_ivl_max,
            NN_SNDPRIO => &mut self.sndprio,
            NN_RCVPRIO => &mut self.rcvprio,
            NN_IPV4ONLY => &mut self.ipv4only,
            NN_RCVMAXSIZE => &mut self.rcvmaxsize,
            NN_MAXTTL => &mut self.maxttl,
            _ => return Err(Error::NOPROTOOPT),
        };
        let ok = match opt {
            NN_SNDBUF | NN_RCVBUF => v > 0,
            NN_RECONNECT_IVL | NN_RECONNECT_IVL_MAX => v >= 0,
            NN_SNDPRIO | NN_RCVPRIO => (1..=16).contains(&v),
            NN_IPV4ONLY => v == 0 || v == 1,
            NN_RCVMAXSIZE => v >= -1,
            NN_MAXTTL => (1..=255).contains(&v),
            _ => true,
        };
        check(ok)?;
        *slot = v;
        Ok(())
    }

    /// Read an int option of level `NN_SOL_SOCKET` or a transport level.
    /// `SNDFD`, `RCVFD`, `DOMAIN`, `PROTOCOL` and `SOCKET_NAME` are answered
    /// by the socket, which knows them.
    pub fn get_int(&self, level: i32, opt: i32) -> Result<i32> {
        Ok(match (level, opt) {
            (NN_SOL_SOCKET, NN_LINGER) => self.linger,
            (NN_SOL_SOCKET, NN_SNDBUF) => self.sndbuf,
            (NN_SOL_SOCKET, NN_RCVBUF) => self.rcvbuf,
            (NN_SOL_SOCKET, NN_SNDTIMEO) => self.sndtimeo,
            (NN_SOL_SOCKET, NN_RCVTIMEO) => self.rcvtimeo,
            (NN_SOL_SOCKET, NN_RECONNECT_IVL) => self.reconnect_ivl,
            (NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX) => self.reconnect_ivl_max,
            (NN_SOL_SOCKET, NN_SNDPRIO) => self.sndprio,
            (NN_SOL_SOCKET, NN_RCVPRIO) => self.rcvprio,
            (NN_SOL_SOCKET, NN_IPV4ONLY) => self.ipv4only,
            (NN_SOL_SOCKET, NN_RCVMAXSIZE) => self.rcvmaxsize,
            (NN_SOL_SOCKET, NN_MAXTTL) => self.maxttl,
            (NN_TCP, NN_TCP_NODELAY) => self.tcp_nodelay,
            (NN_WS, NN_WS_MSG_TYPE) => self.ws_msg_type,
            (NN_IPC, NN_IPC_OUTBUFSZ) => self.ipc_outbufsz,
            (NN_IPC, NN_IPC_INBUFSZ) => self.ipc_inbufsz,
            (NN_TLS, NN_TLS_AUTH_MODE) => self.tls.auth_mode,
            _ => return Err(Error::NOPROTOOPT),
        })
    }

    /// A string option of a transport level (without NUL; empty when
    /// unset), or `None` when (level, opt) is not one: then it is an int
    /// option, or none ([`Options::get_int`] says which).
    pub fn get_str(&self, level: i32, opt: i32) -> Option<&[u8]> {
        match level {
            NN_TLS => self.tls.get_str(opt),
            _ => None,
        }
    }
}

/// An int option value: exactly `sizeof(int)` bytes.
pub fn int_val(val: &[u8]) -> Result<i32> {
    let b: [u8; 4] = val.try_into().map_err(|_| Error::INVAL)?;
    Ok(i32::from_ne_bytes(b))
}

fn check(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::INVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(o: &mut Options, opt: i32, v: i32) -> Result<()> {
        o.set(NN_SOL_SOCKET, opt, &v.to_ne_bytes())
    }

    #[test]
    fn ranges() {
        let mut o = Options::new(0);
        assert_eq!(set(&mut o, NN_SNDPRIO, 0), Err(Error::INVAL));
        assert_eq!(set(&mut o, NN_SNDPRIO, 17), Err(Error::INVAL));
        assert_eq!(set(&mut o, NN_SNDPRIO, 16), Ok(()));
        assert_eq!(set(&mut o, NN_MAXTTL, 256), Err(Error::INVAL));
        assert_eq!(set(&mut o, NN_SNDBUF, 0), Err(Error::INVAL));
        assert_eq!(set(&mut o, NN_RCVMAXSIZE, -2), Err(Error::INVAL));
        assert_eq!(set(&mut o, NN_RCVMAXSIZE, -1), Ok(()));
        assert_eq!(set(&mut o, 999, 1), Err(Error::NOPROTOOPT));
        assert_eq!(o.set(NN_SOL_SOCKET, 999, &[0; 8]), Err(Error::INVAL));
        assert_eq!(set(&mut o, NN_SNDFD, 1), Err(Error::NOPROTOOPT));
        assert_eq!(o.set(NN_SOL_SOCKET, NN_LINGER, &[1, 2]), Err(Error::INVAL));
        assert_eq!(o.get_int(NN_SOL_SOCKET, NN_SNDPRIO), Ok(16));
    }

    #[test]
    fn socket_name() {
        let mut o = Options::new(7);
        assert_eq!(o.socket_name, b"7");
        o.set(NN_SOL_SOCKET, NN_SOCKET_NAME, b"worker").unwrap();
        assert_eq!(o.socket_name, b"worker");
        o.set(NN_SOL_SOCKET, NN_SOCKET_NAME, b"xy\0z").unwrap();
        assert_eq!(o.socket_name, b"xy");
        assert_eq!(
            o.set(NN_SOL_SOCKET, NN_SOCKET_NAME, &[b'x'; 64]),
            Err(Error::INVAL)
        );
    }

    #[test]
    fn tls_strings() {
        let mut o = Options::new(0);
        for opt in [NN_TLS_CA_FILE, NN_TLS_CERT_KEY_FILE, NN_TLS_SERVER_NAME] {
            assert_eq!(o.get_str(NN_TLS, opt), Some(&b""[..]));
            o.set(NN_TLS, opt, b"/etc/x.pem").unwrap();
            assert_eq!(o.get_str(NN_TLS, opt), Some(&b"/etc/x.pem"[..]));
            // One terminating NUL is dropped.
            o.set(NN_TLS, opt, b"a.pem\0").unwrap();
            assert_eq!(o.get_str(NN_TLS, opt), Some(&b"a.pem"[..]));
            // A NUL inside, or two at the end: EINVAL, the value stays.
            assert_eq!(o.set(NN_TLS, opt, b"a\0b"), Err(Error::INVAL));
            assert_eq!(o.set(NN_TLS, opt, b"a\0\0"), Err(Error::INVAL));
            assert_eq!(o.set(NN_TLS, opt, b"\0\0"), Err(Error::INVAL));
            assert_eq!(o.get_str(NN_TLS, opt), Some(&b"a.pem"[..]));
            // The longest taken, one more refused.
            let long = vec![b'x'; TLS_STR_MAX];
            o.set(NN_TLS, opt, &long).unwrap();
            assert_eq!(o.get_str(NN_TLS, opt), Some(&long[..]));
            let mut longer = long.clone();
            longer.push(b'y');
            assert_eq!(o.set(NN_TLS, opt, &longer), Err(Error::INVAL));
            assert_eq!(o.get_str(NN_TLS, opt), Some(&long[..]));
            // Empty (or a lone NUL) unsets.
            o.set(NN_TLS, opt, b"x").unwrap();
            o.set(NN_TLS, opt, b"").unwrap();
            assert_eq!(o.get_str(NN_TLS, opt), Some(&b""[..]));
            o.set(NN_TLS, opt, b"x").unwrap();
            o.set(NN_TLS, opt, b"\0").unwrap();
            assert_eq!(o.get_str(NN_TLS, opt), Some(&b""[..]));
            // Not an int option.
            assert_eq!(o.get_int(NN_TLS, opt), Err(Error::NOPROTOOPT));
        }
        // Each option its own slot.
        o.set(NN_TLS, NN_TLS_CA_FILE, b"ca").unwrap();
        o.set(NN_TLS, NN_TLS_CERT_KEY_FILE, b"ck").unwrap();
        o.set(NN_TLS, NN_TLS_SERVER_NAME, b"sn").unwrap();
        assert_eq!(o.tls.ca_file, b"ca");
        assert_eq!(o.tls.cert_key_file, b"ck");
        assert_eq!(o.tls.server_name, b"sn");
        // Not strings at other levels or for other options.
        assert_eq!(o.get_str(NN_TLS, NN_TLS_AUTH_MODE), None);
        assert_eq!(o.get_str(NN_TLS, 99), None);
        assert_eq!(o.get_str(NN_TCP, NN_TLS_CA_FILE), None);
        assert_eq!(o.get_str(NN_SOL_SOCKET, NN_SOCKET_NAME), None);
    }

    #[test]
    fn tls_auth_mode() {
        let mut o = Options::new(0);
        assert_eq!(o.get_int(NN_TLS, NN_TLS_AUTH_MODE), Ok(-1));
        for m in [
            NN_TLS_AUTH_MODE_NONE,
            NN_TLS_AUTH_MODE_OPTIONAL,
            NN_TLS_AUTH_MODE_REQUIRED,
        ] {
            o.set(NN_TLS, NN_TLS_AUTH_MODE, &m.to_ne_bytes()).unwrap();
            assert_eq!(o.get_int(NN_TLS, NN_TLS_AUTH_MODE), Ok(m));
        }
        for bad in [-1, 3, i32::MIN, i32::MAX] {
            assert_eq!(
                o.set(NN_TLS, NN_TLS_AUTH_MODE, &bad.to_ne_bytes()),
                Err(Error::INVAL)
            );
        }
        assert_eq!(o.set(NN_TLS, NN_TLS_AUTH_MODE, &[1, 0]), Err(Error::INVAL));
        assert_eq!(o.set(NN_TLS, NN_TLS_AUTH_MODE, &[0; 8]), Err(Error::INVAL));
        assert_eq!(o.get_int(NN_TLS, NN_TLS_AUTH_MODE), Ok(2));
        // Unknown options and levels, as for the other levels.
        assert_eq!(o.set(NN_TLS, 0, b"x"), Err(Error::NOPROTOOPT));
        assert_eq!(
            o.set(NN_TLS, 5, &1i32.to_ne_bytes()),
            Err(Error::NOPROTOOPT)
        );
        assert_eq!(o.get_int(NN_TLS, 5), Err(Error::NOPROTOOPT));
        assert_eq!(o.set(-6, 1, b"x"), Err(Error::NOPROTOOPT));
        assert_eq!(o.get_int(-6, 1), Err(Error::NOPROTOOPT));
    }
}
