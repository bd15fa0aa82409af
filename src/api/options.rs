//! Socket options as typed methods of [`Socket`], and statistics.
//!
//! Values go through the same checks as `nn_setsockopt` (the core's):
//! out-of-range values are [`ErrorKind::InvalidInput`], an option the
//! socket's protocol lacks [`ErrorKind::Unsupported`].
//!
//! [`ErrorKind::InvalidInput`]: crate::ErrorKind::InvalidInput
//! [`ErrorKind::Unsupported`]: crate::ErrorKind::Unsupported

use std::mem::MaybeUninit;
use std::os::fd::RawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{Error, Result};
use super::socket::Socket;
use crate::consts::*;

/// A duration as the C options' milliseconds: `None` is -1 (forever);
/// rounded up, so a non-zero duration never becomes 0 (no wait at all);
/// `EINVAL` past `i32::MAX` ms.
fn to_ms(d: Option<Duration>) -> Result<i32> {
    let Some(d) = d else { return Ok(-1) };
    let ms = d.as_nanos().div_ceil(1_000_000);
    i32::try_from(ms).map_err(|_| Error::INVAL)
}

/// Milliseconds from an option: negative is `None` (forever).
fn from_ms(ms: i32) -> Option<Duration> {
    u64::try_from(ms).ok().map(Duration::from_millis)
}

fn to_int(v: usize) -> Result<i32> {
    i32::try_from(v).map_err(|_| Error::INVAL)
}

/// The `NN_WS_MSG_TYPE` values: how ws endpoints created afterwards
/// frame what they send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WsMsgType {
    /// Text frames (`NN_WS_MSG_TYPE_TEXT`; the peer may check UTF-8).
    Text,
    /// Binary frames (`NN_WS_MSG_TYPE_BINARY`, the default).
    Binary,
}

/// The `NN_TLS_AUTH_MODE` values (`<nanomsg/tls.h>`): whether the peer
/// must show a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TlsAuthMode {
    /// Nothing asked for or checked.
    None,
    /// Verified when the peer presents one.
    Optional,
    /// The peer must present a valid one.
    Required,
}

/// The statistics of [`Socket::statistic`] (`NN_STAT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Statistic {
    /// Connections this socket's dialers made.
    EstablishedConnections,
    /// Connections this socket's listeners accepted.
    AcceptedConnections,
    /// Connections dropped (refused by the protocol, ...).
    DroppedConnections,
    /// Connections that broke.
    BrokenConnections,
    /// Failed connection attempts.
    ConnectErrors,
    /// Failed binds.
    BindErrors,
    /// Failed accepts.
    AcceptErrors,
    /// Connections (pipes) now open.
    CurrentConnections,
    /// Connections being made now.
    InProgressConnections,
    /// Endpoints in an error state now.
    CurrentEndpointErrors,
    /// Messages sent.
    MessagesSent,
    /// Messages received.
    MessagesReceived,
    /// Body bytes sent.
    BytesSent,
    /// Body bytes received.
    BytesReceived,
    /// The send priority of the pipe the next message would go to.
    CurrentSendPriority,
}

impl Statistic {
    fn to_raw(self) -> i32 {
        match self {
            Statistic::EstablishedConnections => NN_STAT_ESTABLISHED_CONNECTIONS,
            Statistic::AcceptedConnections => NN_STAT_ACCEPTED_CONNECTIONS,
            Statistic::DroppedConnections => NN_STAT_DROPPED_CONNECTIONS,
            Statistic::BrokenConnections => NN_STAT_BROKEN_CONNECTIONS,
            Statistic::ConnectErrors => NN_STAT_CONNECT_ERRORS,
            Statistic::BindErrors => NN_STAT_BIND_ERRORS,
            Statistic::AcceptErrors => NN_STAT_ACCEPT_ERRORS,
            Statistic::CurrentConnections => NN_STAT_CURRENT_CONNECTIONS,
            Statistic::InProgressConnections => NN_STAT_INPROGRESS_CONNECTIONS,
            Statistic::CurrentEndpointErrors => NN_STAT_CURRENT_EP_ERRORS,
            Statistic::MessagesSent => NN_STAT_MESSAGES_SENT,
            Statistic::MessagesReceived => NN_STAT_MESSAGES_RECEIVED,
            Statistic::BytesSent => NN_STAT_BYTES_SENT,
            Statistic::BytesReceived => NN_STAT_BYTES_RECEIVED,
            Statistic::CurrentSendPriority => NN_STAT_CURRENT_SND_PRIORITY,
        }
    }
}

/// The value of a string option: what fits in `cap` bytes first, all
/// of it after one retry if it was longer.
fn read_bytes(get: impl Fn(&mut [MaybeUninit<u8>]) -> Result<usize>) -> Result<Vec<u8>> {
    let mut cap = 256;
    loop {
        let mut buf = vec![MaybeUninit::<u8>::uninit(); cap];
        let len = get(&mut buf)?;
        if len <= cap {
            // The first `len` bytes were written (get writes what fits).
            return Ok(buf[..len]
                .iter()
                // SAFETY: get_opt wrote these `len` (<= cap) bytes.
                .map(|b| unsafe { b.assume_init() })
                .collect());
        }
        cap = len;
    }
}

/// A path or name for a `NN_TLS` option: its bytes (the core refuses a
/// NUL inside).
fn path_bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_bytes()
}

impl Socket {
    fn set_int(&self, level: i32, opt: i32, v: i32) -> Result<()> {
        Ok(self.core().set_opt(level, opt, &v.to_ne_bytes())?)
    }

    fn get_int(&self, level: i32, opt: i32) -> Result<i32> {
        let mut out = [MaybeUninit::<u8>::uninit(); 4];
        let n = self.core().get_opt(level, opt, &mut out)?;
        if n != 4 {
            return Err(Error::INVAL); // a string option: not asked for here
        }
        // SAFETY: get_opt wrote all 4 bytes of an int option.
        Ok(i32::from_ne_bytes(out.map(|b| unsafe { b.assume_init() })))
    }

    fn set_bytes(&self, level: i32, opt: i32, v: &[u8]) -> Result<()> {
        Ok(self.core().set_opt(level, opt, v)?)
    }

    fn get_bytes(&self, level: i32, opt: i32) -> Result<Vec<u8>> {
        read_bytes(|buf| Ok(self.core().get_opt(level, opt, buf)?))
    }

    fn set_bool(&self, level: i32, opt: i32, v: bool) -> Result<()> {
        self.set_int(level, opt, i32::from(v))
    }

    fn get_bool(&self, level: i32, opt: i32) -> Result<bool> {
        Ok(self.get_int(level, opt)? != 0)
    }

    fn set_ms(&self, level: i32, opt: i32, d: Option<Duration>) -> Result<()> {
        self.set_int(level, opt, to_ms(d)?)
    }

    fn get_ms(&self, level: i32, opt: i32) -> Result<Option<Duration>> {
        Ok(from_ms(self.get_int(level, opt)?))
    }

    /// `NN_LINGER`: how long messages already accepted may still go out
    /// after the socket closes (or the process exits); `None`: as long as
    /// they take. Default 1 s.
    pub fn set_linger(&self, d: Option<Duration>) -> Result<()> {
        self.set_ms(NN_SOL_SOCKET, NN_LINGER, d)
    }

    /// `NN_LINGER`.
    pub fn linger(&self) -> Result<Option<Duration>> {
        self.get_ms(NN_SOL_SOCKET, NN_LINGER)
    }

    /// `NN_SNDBUF`: bytes queued for sending per connection (default 128
    /// KiB; at least 1).
    pub fn set_send_buffer_size(&self, bytes: usize) -> Result<()> {
        self.set_int(NN_SOL_SOCKET, NN_SNDBUF, to_int(bytes)?)
    }

    /// `NN_SNDBUF`.
    pub fn send_buffer_size(&self) -> Result<usize> {
        Ok(self.get_int(NN_SOL_SOCKET, NN_SNDBUF)? as usize)
    }

    /// `NN_RCVBUF`: bytes queued for receiving per connection (default 128
    /// KiB; at least 1).
    pub fn set_recv_buffer_size(&self, bytes: usize) -> Result<()> {
        self.set_int(NN_SOL_SOCKET, NN_RCVBUF, to_int(bytes)?)
    }

    /// `NN_RCVBUF`.
    pub fn recv_buffer_size(&self) -> Result<usize> {
        Ok(self.get_int(NN_SOL_SOCKET, NN_RCVBUF)? as usize)
    }

    /// `NN_SNDTIMEO`: how long a send waits for room before it fails with
    /// [`ErrorKind::TimedOut`](crate::ErrorKind::TimedOut); `None`
    /// (the default): forever. Rounded up to whole milliseconds.
    pub fn set_send_timeout(&self, d: Option<Duration>) -> Result<()> {
        self.set_ms(NN_SOL_SOCKET, NN_SNDTIMEO, d)
    }

    /// `NN_SNDTIMEO`.
    pub fn send_timeout(&self) -> Result<Option<Duration>> {
        self.get_ms(NN_SOL_SOCKET, NN_SNDTIMEO)
    }

    /// `NN_RCVTIMEO`: how long a receive waits for a message before it
    /// fails with [`ErrorKind::TimedOut`](crate::ErrorKind::TimedOut);
    /// `None` (the default): forever.
    ///
    /// ```
    /// use std::time::Duration;
    /// use nanomsg::{ErrorKind, Protocol, Socket};
    ///
    /// let s = Socket::new(Protocol::Pull)?;
    /// assert_eq!(s.recv_timeout()?, None);
    /// s.set_recv_timeout(Some(Duration::from_millis(20)))?;
    /// assert_eq!(s.recv_timeout()?, Some(Duration::from_millis(20)));
    /// assert_eq!(s.recv().unwrap_err().kind(), ErrorKind::TimedOut);
    /// # Ok::<(), nanomsg::Error>(())
    /// ```
    pub fn set_recv_timeout(&self, d: Option<Duration>) -> Result<()> {
        self.set_ms(NN_SOL_SOCKET, NN_RCVTIMEO, d)
    }

    /// `NN_RCVTIMEO`.
    pub fn recv_timeout(&self) -> Result<Option<Duration>> {
        self.get_ms(NN_SOL_SOCKET, NN_RCVTIMEO)
    }

    /// `NN_RECONNECT_IVL`: how long a dialer waits after a failed attempt
    /// (default 100 ms).
    pub fn set_reconnect_interval(&self, d: Duration) -> Result<()> {
        self.set_ms(NN_SOL_SOCKET, NN_RECONNECT_IVL, Some(d))
    }

    /// `NN_RECONNECT_IVL`.
    pub fn reconnect_interval(&self) -> Result<Duration> {
        Ok(self
            .get_ms(NN_SOL_SOCKET, NN_RECONNECT_IVL)?
            .unwrap_or_default())
    }

    /// `NN_RECONNECT_IVL_MAX`: the wait doubles after each failed attempt
    /// up to this; zero (the default): it does not grow.
    pub fn set_reconnect_interval_max(&self, d: Duration) -> Result<()> {
        self.set_ms(NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, Some(d))
    }

    /// `NN_RECONNECT_IVL_MAX`.
    pub fn reconnect_interval_max(&self) -> Result<Duration> {
        Ok(self
            .get_ms(NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX)?
            .unwrap_or_default())
    }

    /// `NN_SNDPRIO`: the priority (1 highest .. 16) of endpoints added
    /// afterwards when sending (default 8).
    pub fn set_send_priority(&self, prio: u8) -> Result<()> {
        self.set_int(NN_SOL_SOCKET, NN_SNDPRIO, prio.into())
    }

    /// `NN_SNDPRIO`.
    pub fn send_priority(&self) -> Result<u8> {
        Ok(self.get_int(NN_SOL_SOCKET, NN_SNDPRIO)? as u8)
    }

    /// `NN_RCVPRIO`: the priority (1 highest .. 16) of endpoints added
    /// afterwards when receiving (default 8).
    pub fn set_recv_priority(&self, prio: u8) -> Result<()> {
        self.set_int(NN_SOL_SOCKET, NN_RCVPRIO, prio.into())
    }

    /// `NN_RCVPRIO`.
    pub fn recv_priority(&self) -> Result<u8> {
        Ok(self.get_int(NN_SOL_SOCKET, NN_RCVPRIO)? as u8)
    }

    /// `NN_IPV4ONLY`: whether tcp and ws endpoints added afterwards use
    /// IPv4 only (the default) or IPv6 too.
    pub fn set_ipv4_only(&self, on: bool) -> Result<()> {
        self.set_bool(NN_SOL_SOCKET, NN_IPV4ONLY, on)
    }

    /// `NN_IPV4ONLY`.
    pub fn ipv4_only(&self) -> Result<bool> {
        self.get_bool(NN_SOL_SOCKET, NN_IPV4ONLY)
    }

    /// `NN_RCVMAXSIZE`: the largest message taken from the network (a
    /// larger one ends its connection); `None`: no limit. Default 1 MiB.
    pub fn set_max_recv_size(&self, bytes: Option<usize>) -> Result<()> {
        let v = match bytes {
            None => -1,
            Some(b) => to_int(b)?,
        };
        self.set_int(NN_SOL_SOCKET, NN_RCVMAXSIZE, v)
    }

    /// `NN_RCVMAXSIZE`.
    pub fn max_recv_size(&self) -> Result<Option<usize>> {
        Ok(usize::try_from(self.get_int(NN_SOL_SOCKET, NN_RCVMAXSIZE)?).ok())
    }

    /// `NN_MAXTTL`: how many devices a message may pass (1..=255,
    /// default 8).
    pub fn set_max_ttl(&self, hops: u8) -> Result<()> {
        self.set_int(NN_SOL_SOCKET, NN_MAXTTL, hops.into())
    }

    /// `NN_MAXTTL`.
    pub fn max_ttl(&self) -> Result<u8> {
        Ok(self.get_int(NN_SOL_SOCKET, NN_MAXTTL)? as u8)
    }

    /// `NN_SOCKET_NAME`: the name in errors and statistics (at most 63
    /// bytes, no NUL; default: the handle's number).
    ///
    /// ```
    /// use nanomsg::{Protocol, Socket};
    ///
    /// let s = Socket::new(Protocol::Bus)?;
    /// assert_eq!(s.socket_name()?, s.handle().to_string());
    /// s.set_socket_name("hub")?;
    /// assert_eq!(s.socket_name()?, "hub");
    /// assert!(s.set_socket_name(&"x".repeat(64)).is_err());
    /// # Ok::<(), nanomsg::Error>(())
    /// ```
    pub fn set_socket_name(&self, name: &str) -> Result<()> {
        if name.contains('\0') {
            return Err(Error::INVAL);
        }
        self.set_bytes(NN_SOL_SOCKET, NN_SOCKET_NAME, name.as_bytes())
    }

    /// `NN_SOCKET_NAME` (a name that is not UTF-8, as C code may set,
    /// comes back with replacement characters).
    pub fn socket_name(&self) -> Result<String> {
        let b = self.get_bytes(NN_SOL_SOCKET, NN_SOCKET_NAME)?;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }

    /// `NN_SNDFD`: a descriptor that polls readable while a message can be
    /// sent, for an event loop of the caller's. It belongs to the socket
    /// (do not close it) and lives as long as it does.
    pub fn send_fd(&self) -> Result<RawFd> {
        self.get_int(NN_SOL_SOCKET, NN_SNDFD)
    }

    /// `NN_RCVFD`: a descriptor that polls readable while a message can be
    /// received (as [`Socket::send_fd`]).
    pub fn recv_fd(&self) -> Result<RawFd> {
        self.get_int(NN_SOL_SOCKET, NN_RCVFD)
    }

    /// `NN_SUB_SUBSCRIBE` (SUB only): receive messages starting with
    /// `topic` (empty: every message). A subscriber receives nothing until
    /// it subscribes.
    ///
    /// ```
    /// use nanomsg::{Protocol, Socket};
    ///
    /// let (p, s) = (Socket::new(Protocol::Pub)?, Socket::new(Protocol::Sub)?);
    /// p.bind("inproc://doc-subscribe")?;
    /// s.connect("inproc://doc-subscribe")?;
    /// s.subscribe(b"weather.")?;
    /// s.subscribe(b"news.")?;
    /// s.unsubscribe(b"news.")?;
    /// for m in ["news.today", "sport.goal", "weather.rain"] {
    ///     p.send(m.as_bytes())?;
    /// }
    /// assert_eq!(s.recv()?, b"weather.rain");
    /// assert!(s.try_recv().is_err());
    /// # Ok::<(), nanomsg::Error>(())
    /// ```
    pub fn subscribe(&self, topic: &[u8]) -> Result<()> {
        self.set_bytes(NN_SUB, NN_SUB_SUBSCRIBE, topic)
    }

    /// `NN_SUB_UNSUBSCRIBE` (SUB only): drop a subscription made with
    /// [`Socket::subscribe`] (`EINVAL` if there is none).
    pub fn unsubscribe(&self, topic: &[u8]) -> Result<()> {
        self.set_bytes(NN_SUB, NN_SUB_UNSUBSCRIBE, topic)
    }

    /// `NN_REQ_RESEND_IVL` (REQ only): a request with no reply is sent
    /// again after this (default 1 minute).
    pub fn set_req_resend_interval(&self, d: Duration) -> Result<()> {
        self.set_ms(NN_REQ, NN_REQ_RESEND_IVL, Some(d))
    }

    /// `NN_REQ_RESEND_IVL`.
    pub fn req_resend_interval(&self) -> Result<Duration> {
        Ok(self.get_ms(NN_REQ, NN_REQ_RESEND_IVL)?.unwrap_or_default())
    }

    /// `NN_SURVEYOR_DEADLINE` (SURVEYOR only): how long answers to a
    /// survey are taken (default 1 s); then a receive fails with
    /// [`ErrorKind::TimedOut`](crate::ErrorKind::TimedOut).
    pub fn set_surveyor_deadline(&self, d: Duration) -> Result<()> {
        self.set_ms(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, Some(d))
    }

    /// `NN_SURVEYOR_DEADLINE`.
    pub fn surveyor_deadline(&self) -> Result<Duration> {
        Ok(self
            .get_ms(NN_SURVEYOR, NN_SURVEYOR_DEADLINE)?
            .unwrap_or_default())
    }

    /// `NN_TCP_NODELAY`: stored and read back only (every tcp connection
    /// runs without Nagle's algorithm here; see the README).
    pub fn set_tcp_nodelay(&self, on: bool) -> Result<()> {
        self.set_bool(NN_TCP, NN_TCP_NODELAY, on)
    }

    /// `NN_TCP_NODELAY`.
    pub fn tcp_nodelay(&self) -> Result<bool> {
        self.get_bool(NN_TCP, NN_TCP_NODELAY)
    }

    /// `NN_WS_MSG_TYPE`: the frames ws endpoints added afterwards send.
    pub fn set_ws_msg_type(&self, t: WsMsgType) -> Result<()> {
        let v = match t {
            WsMsgType::Text => NN_WS_MSG_TYPE_TEXT,
            WsMsgType::Binary => NN_WS_MSG_TYPE_BINARY,
        };
        self.set_int(NN_WS, NN_WS_MSG_TYPE, v)
    }

    /// `NN_WS_MSG_TYPE`.
    pub fn ws_msg_type(&self) -> Result<WsMsgType> {
        match self.get_int(NN_WS, NN_WS_MSG_TYPE)? {
            NN_WS_MSG_TYPE_TEXT => Ok(WsMsgType::Text),
            _ => Ok(WsMsgType::Binary),
        }
    }

    /// `NN_TLS_CA_FILE`: PEM certificates of the authorities that verify
    /// the peer, for TLS endpoints added afterwards (empty: unset).
    pub fn set_tls_ca_file(&self, path: &Path) -> Result<()> {
        self.set_bytes(NN_TLS, NN_TLS_CA_FILE, path_bytes(path))
    }

    /// `NN_TLS_CA_FILE`.
    pub fn tls_ca_file(&self) -> Result<PathBuf> {
        self.get_path(NN_TLS_CA_FILE)
    }

    /// `NN_TLS_CERT_KEY_FILE`: a PEM file with this side's certificate
    /// chain and private key.
    pub fn set_tls_cert_key_file(&self, path: &Path) -> Result<()> {
        self.set_bytes(NN_TLS, NN_TLS_CERT_KEY_FILE, path_bytes(path))
    }

    /// `NN_TLS_CERT_KEY_FILE`.
    pub fn tls_cert_key_file(&self) -> Result<PathBuf> {
        self.get_path(NN_TLS_CERT_KEY_FILE)
    }

    fn get_path(&self, opt: i32) -> Result<PathBuf> {
        let b = self.get_bytes(NN_TLS, opt)?;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(&b)))
    }

    /// `NN_TLS_SERVER_NAME`: the name a dialer verifies the server's
    /// certificate against (default: the address's host).
    pub fn set_tls_server_name(&self, name: &str) -> Result<()> {
        self.set_bytes(NN_TLS, NN_TLS_SERVER_NAME, name.as_bytes())
    }

    /// `NN_TLS_SERVER_NAME`.
    pub fn tls_server_name(&self) -> Result<String> {
        let b = self.get_bytes(NN_TLS, NN_TLS_SERVER_NAME)?;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }

    /// `NN_TLS_AUTH_MODE`.
    ///
    /// ```
    /// use nanomsg::{Protocol, Socket, TlsAuthMode};
    ///
    /// let s = Socket::new(Protocol::Rep)?;
    /// assert_eq!(s.tls_auth_mode()?, None); // the role's default
    /// s.set_tls_auth_mode(TlsAuthMode::Required)?;
    /// s.set_tls_cert_key_file("/etc/ssl/private/server.pem".as_ref())?;
    /// assert_eq!(s.tls_auth_mode()?, Some(TlsAuthMode::Required));
    /// assert_eq!(s.tls_cert_key_file()?.to_str(), Some("/etc/ssl/private/server.pem"));
    /// # Ok::<(), nanomsg::Error>(())
    /// ```
    pub fn set_tls_auth_mode(&self, mode: TlsAuthMode) -> Result<()> {
        let v = match mode {
            TlsAuthMode::None => NN_TLS_AUTH_MODE_NONE,
            TlsAuthMode::Optional => NN_TLS_AUTH_MODE_OPTIONAL,
            TlsAuthMode::Required => NN_TLS_AUTH_MODE_REQUIRED,
        };
        self.set_int(NN_TLS, NN_TLS_AUTH_MODE, v)
    }

    /// `NN_TLS_AUTH_MODE`: `None` until set (a dialer then verifies the
    /// server, a listener asks for no client certificate).
    pub fn tls_auth_mode(&self) -> Result<Option<TlsAuthMode>> {
        Ok(match self.get_int(NN_TLS, NN_TLS_AUTH_MODE)? {
            NN_TLS_AUTH_MODE_NONE => Some(TlsAuthMode::None),
            NN_TLS_AUTH_MODE_OPTIONAL => Some(TlsAuthMode::Optional),
            NN_TLS_AUTH_MODE_REQUIRED => Some(TlsAuthMode::Required),
            _ => None,
        })
    }

    /// A statistic of the socket (`nn_get_statistic`).
    ///
    /// ```
    /// use nanomsg::{Protocol, Socket, Statistic};
    ///
    /// let (a, b) = (Socket::new(Protocol::Pair)?, Socket::new(Protocol::Pair)?);
    /// a.bind("inproc://doc-stats")?;
    /// b.connect("inproc://doc-stats")?;
    /// a.send(b"12345")?;
    /// b.recv()?;
    /// assert_eq!(a.statistic(Statistic::MessagesSent)?, 1);
    /// assert_eq!(a.statistic(Statistic::BytesSent)?, 5);
    /// assert_eq!(b.statistic(Statistic::BytesReceived)?, 5);
    /// assert_eq!(b.statistic(Statistic::CurrentConnections)?, 1);
    /// # Ok::<(), nanomsg::Error>(())
    /// ```
    pub fn statistic(&self, stat: Statistic) -> Result<u64> {
        Ok(self.core().statistic(stat.to_raw())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ErrorKind, Protocol};

    #[test]
    fn durations() {
        assert_eq!(to_ms(None), Ok(-1));
        assert_eq!(to_ms(Some(Duration::ZERO)), Ok(0));
        assert_eq!(to_ms(Some(Duration::from_micros(1))), Ok(1));
        assert_eq!(to_ms(Some(Duration::from_millis(1500))), Ok(1500));
        assert_eq!(
            to_ms(Some(Duration::from_millis(i32::MAX as u64))),
            Ok(i32::MAX)
        );
        assert_eq!(
            to_ms(Some(Duration::from_millis(i32::MAX as u64 + 1))),
            Err(Error::INVAL)
        );
        assert_eq!(from_ms(-1), None);
        assert_eq!(from_ms(7), Some(Duration::from_millis(7)));
    }

    #[test]
    fn every_option_round_trips() {
        let s = Socket::new(Protocol::Req).unwrap();
        let d = |ms| Duration::from_millis(ms);
        s.set_linger(None).unwrap();
        assert_eq!(s.linger().unwrap(), None);
        s.set_linger(Some(d(250))).unwrap();
        assert_eq!(s.linger().unwrap(), Some(d(250)));
        s.set_send_buffer_size(4096).unwrap();
        assert_eq!(s.send_buffer_size().unwrap(), 4096);
        assert_eq!(
            s.set_send_buffer_size(0).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(s.set_send_buffer_size(usize::MAX), Err(Error::INVAL));
        s.set_recv_buffer_size(8192).unwrap();
        assert_eq!(s.recv_buffer_size().unwrap(), 8192);
        s.set_send_timeout(Some(d(30))).unwrap();
        assert_eq!(s.send_timeout().unwrap(), Some(d(30)));
        s.set_recv_timeout(None).unwrap();
        assert_eq!(s.recv_timeout().unwrap(), None);
        s.set_reconnect_interval(d(20)).unwrap();
        assert_eq!(s.reconnect_interval().unwrap(), d(20));
        s.set_reconnect_interval_max(d(400)).unwrap();
        assert_eq!(s.reconnect_interval_max().unwrap(), d(400));
        s.set_send_priority(2).unwrap();
        assert_eq!(s.send_priority().unwrap(), 2);
        assert_eq!(s.set_send_priority(17), Err(Error::INVAL));
        s.set_recv_priority(16).unwrap();
        assert_eq!(s.recv_priority().unwrap(), 16);
        s.set_ipv4_only(false).unwrap();
        assert!(!s.ipv4_only().unwrap());
        s.set_max_recv_size(None).unwrap();
        assert_eq!(s.max_recv_size().unwrap(), None);
        s.set_max_recv_size(Some(100)).unwrap();
        assert_eq!(s.max_recv_size().unwrap(), Some(100));
        s.set_max_ttl(3).unwrap();
        assert_eq!(s.max_ttl().unwrap(), 3);
        assert_eq!(s.set_max_ttl(0), Err(Error::INVAL));
        assert_eq!(s.set_socket_name("a\0b"), Err(Error::INVAL));
        s.set_req_resend_interval(d(90)).unwrap();
        assert_eq!(s.req_resend_interval().unwrap(), d(90));
        // Another protocol's option.
        assert_eq!(s.set_surveyor_deadline(d(1)), Err(Error::NOPROTOOPT));
        assert_eq!(s.subscribe(b"x"), Err(Error::NOPROTOOPT));
        s.set_tcp_nodelay(true).unwrap();
        assert!(s.tcp_nodelay().unwrap());
        assert_eq!(s.ws_msg_type().unwrap(), WsMsgType::Binary);
        s.set_ws_msg_type(WsMsgType::Text).unwrap();
        assert_eq!(s.ws_msg_type().unwrap(), WsMsgType::Text);
        s.set_tls_ca_file(Path::new("/x/ca.pem")).unwrap();
        assert_eq!(s.tls_ca_file().unwrap(), Path::new("/x/ca.pem"));
        let long = "n".repeat(1000);
        s.set_tls_server_name(&long).unwrap();
        assert_eq!(s.tls_server_name().unwrap(), long);
        assert_eq!(s.set_tls_server_name("a\0b"), Err(Error::INVAL));
        s.set_tls_auth_mode(TlsAuthMode::Optional).unwrap();
        assert_eq!(s.tls_auth_mode().unwrap(), Some(TlsAuthMode::Optional));
        assert!(s.recv_fd().unwrap() >= 0);
        assert!(s.send_fd().unwrap() >= 0);
        let sv = Socket::new(Protocol::Surveyor).unwrap();
        sv.set_surveyor_deadline(d(70)).unwrap();
        assert_eq!(sv.surveyor_deadline().unwrap(), d(70));
        let sub = Socket::new(Protocol::Sub).unwrap();
        assert_eq!(sub.unsubscribe(b"never"), Err(Error::INVAL));
        assert_eq!(sub.send_fd(), Err(Error::NOPROTOOPT));
    }
}
