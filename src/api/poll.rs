//! [`poll`] over sockets, [`device`] and [`term`].

use std::ops::{BitOr, BitOrAssign};
use std::time::Duration;

use super::error::{Error, Result};
use super::socket::Socket;
use crate::core::poll::{poll_sockets, Entry};
use crate::core::{device as core_device, global};

/// What [`poll`] asks about and answers: `IN` (a message can be
/// received), `OUT` (one can be sent), both or none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Events(u8);

impl Events {
    /// Nothing.
    pub const NONE: Events = Events(0);
    /// A message can be received (`NN_POLLIN`).
    pub const IN: Events = Events(1);
    /// A message can be sent (`NN_POLLOUT`).
    pub const OUT: Events = Events(2);
    /// Both.
    pub const BOTH: Events = Events(3);

    /// Whether `IN` is among these.
    pub fn readable(self) -> bool {
        self.0 & 1 != 0
    }

    /// Whether `OUT` is among these.
    pub fn writable(self) -> bool {
        self.0 & 2 != 0
    }

    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every one of `other` is among these.
    pub fn contains(self, other: Events) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for Events {
    type Output = Events;
    fn bitor(self, o: Events) -> Events {
        Events(self.0 | o.0)
    }
}

impl BitOrAssign for Events {
    fn bitor_assign(&mut self, o: Events) {
        self.0 |= o.0;
    }
}

/// Wait until one of the sockets is ready for what its entry asks, or
/// `timeout` passes (`None`: forever; zero: just look). Returns each
/// entry's readiness (all [`Events::NONE`] on timeout, or when one of the
/// sockets was closed meanwhile), as `nn_poll`. Asking a socket for a
/// direction its protocol lacks (`IN` of a PUB) is
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported).
///
/// ```
/// use std::time::Duration;
/// use nanomsg::{poll, Events, Protocol, Socket};
///
/// // Port 24702 belongs to this example (doc examples: 24700-24759).
/// let rep = Socket::new(Protocol::Rep)?;
/// let req = Socket::new(Protocol::Req)?;
/// rep.bind("tcp://127.0.0.1:24702")?;
/// req.connect("tcp://127.0.0.1:24702")?;
///
/// // Nothing to receive yet: a zero timeout just looks.
/// let r = poll(&[(&rep, Events::IN)], Some(Duration::ZERO))?;
/// assert_eq!(r, [Events::NONE]);
///
/// req.send(b"anyone?")?;
/// let r = poll(&[(&rep, Events::BOTH)], None)?; // waits for the request
/// assert_eq!(r, [Events::IN]); // no reply to send before it is received
/// assert_eq!(rep.recv()?, b"anyone?");
/// let r = poll(&[(&rep, Events::BOTH), (&req, Events::IN)], None)?;
/// assert_eq!(r, [Events::OUT, Events::NONE]);
/// # Ok::<(), nanomsg::Error>(())
/// ```
pub fn poll(items: &[(&Socket, Events)], timeout: Option<Duration>) -> Result<Vec<Events>> {
    let entries: Vec<Entry> = items
        .iter()
        .map(|(s, ev)| Entry {
            sock: Some(s.core()),
            send: ev.writable(),
            recv: ev.readable(),
        })
        .collect();
    let ms = match timeout {
        None => -1,
        // Rounded up (a non-zero wait is never "just look"), capped.
        Some(d) => d.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32,
    };
    let ready = poll_sockets(&entries, ms)?;
    Ok(ready
        .into_iter()
        .map(|(s, r)| {
            let mut e = Events::NONE;
            if r {
                e |= Events::IN;
            }
            if s {
                e |= Events::OUT;
            }
            e
        })
        .collect())
}

/// Forward messages between two raw sockets (`nn_device`), or with `b`
/// `None`, from `a` back to itself (a loopback, for BUS, say). It runs
/// until a socket is closed ([`Socket::close`] from another thread) or
/// [`term`] is called, and returns why: [`Error::BADF`] then. The
/// sockets must be raw and of one protocol family
/// ([`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) else).
///
/// ```
/// use nanomsg::{device, Error, Protocol, Socket};
///
/// // REQ -> raw REP | device | raw REQ -> REP, all in-process.
/// let front = Socket::new_raw(Protocol::Rep)?;
/// let back = Socket::new_raw(Protocol::Req)?;
/// front.bind("inproc://doc-device-front")?;
/// back.bind("inproc://doc-device-back")?;
/// let client = Socket::new(Protocol::Req)?;
/// let server = Socket::new(Protocol::Rep)?;
/// client.connect("inproc://doc-device-front")?;
/// server.connect("inproc://doc-device-back")?;
///
/// std::thread::scope(|t| {
///     let dev = t.spawn(|| device(&front, Some(&back)));
///     client.send(b"2+2")?;
///     assert_eq!(server.recv()?, b"2+2");
///     server.send(b"4")?;
///     assert_eq!(client.recv()?, b"4");
///     front.close()?; // ends the device
///     assert_eq!(dev.join().unwrap(), Error::BADF);
///     Ok::<(), Error>(())
/// })?;
/// # Ok::<(), nanomsg::Error>(())
/// ```
pub fn device(a: &Socket, b: Option<&Socket>) -> Error {
    match core_device::run_on(a.core(), b.map(Socket::core)) {
        Err(e) => e.into(),
        Ok(_) => Error::BADF, // it only returns with an error
    }
}

/// Terminate the library (`nn_term`): every socket, in Rust or C code, is
/// closed (blocked calls return [`ErrorKind::Closed`]), and creating a
/// socket fails with [`ErrorKind::Terminated`] from then on, for the rest
/// of the process.
///
/// [`ErrorKind::Closed`]: crate::ErrorKind::Closed
/// [`ErrorKind::Terminated`]: crate::ErrorKind::Terminated
///
/// ```
/// use nanomsg::{term, ErrorKind, Protocol, Socket};
///
/// let s = Socket::new(Protocol::Pull)?;
/// std::thread::scope(|t| {
///     let blocked = t.spawn(|| s.recv());
///     term(); // wakes the receiver
///     assert_eq!(blocked.join().unwrap().unwrap_err().kind(), ErrorKind::Closed);
/// });
/// assert_eq!(Socket::new(Protocol::Pull).unwrap_err().kind(), ErrorKind::Terminated);
/// # Ok::<(), nanomsg::Error>(())
/// ```
pub fn term() {
    global::term();
}
