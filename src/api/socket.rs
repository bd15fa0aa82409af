//! [`Socket`], [`Protocol`] and [`Endpoint`]: creating sockets, adding
//! endpoints, sending and receiving.

use std::fmt;
use std::sync::{Arc, Weak};

use super::error::{Error, Result};
use super::message::{Message, SendError};
use crate::consts::*;
use crate::core::global;
use crate::core::msg::{Chunk, Msg};
use crate::core::socket::Socket as CoreSocket;

/// The scalability protocols. A socket speaks one; peers must speak its
/// counterpart (given for each).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// One-to-one, both ways; peer: `Pair`.
    Pair,
    /// Publisher: sends to every subscriber; peer: `Sub`.
    Pub,
    /// Subscriber: receives what matches its subscriptions
    /// ([`Socket::subscribe`]); peer: `Pub`.
    Sub,
    /// Requester: sends a request, receives its reply (resending after
    /// [`Socket::set_req_resend_interval`]); peer: `Rep`.
    Req,
    /// Replier: receives a request, sends its reply; peer: `Req`.
    Rep,
    /// Sends to one puller at a time, load-balanced; peer: `Pull`.
    Push,
    /// Receives from every pusher, fair-queued; peer: `Push`.
    Pull,
    /// Sends a survey to every respondent, collects the answers until the
    /// deadline ([`Socket::set_surveyor_deadline`]); peer: `Respondent`.
    Surveyor,
    /// Receives surveys and answers them; peer: `Surveyor`.
    Respondent,
    /// Many-to-many: each message goes to every directly connected peer;
    /// peer: `Bus`.
    Bus,
}

impl Protocol {
    /// Every protocol, in the order of the C constants.
    pub const ALL: [Protocol; 10] = [
        Protocol::Pair,
        Protocol::Pub,
        Protocol::Sub,
        Protocol::Req,
        Protocol::Rep,
        Protocol::Push,
        Protocol::Pull,
        Protocol::Surveyor,
        Protocol::Respondent,
        Protocol::Bus,
    ];

    /// The C constant (`NN_PAIR`, `NN_PUB`, ...).
    pub fn to_raw(self) -> i32 {
        match self {
            Protocol::Pair => NN_PAIR,
            Protocol::Pub => NN_PUB,
            Protocol::Sub => NN_SUB,
            Protocol::Req => NN_REQ,
            Protocol::Rep => NN_REP,
            Protocol::Push => NN_PUSH,
            Protocol::Pull => NN_PULL,
            Protocol::Surveyor => NN_SURVEYOR,
            Protocol::Respondent => NN_RESPONDENT,
            Protocol::Bus => NN_BUS,
        }
    }

    /// The protocol of a C constant.
    pub fn from_raw(id: i32) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.to_raw() == id)
    }

    /// The short name nanocat and the WebSocket sub-protocol use ("req").
    pub fn name(self) -> &'static str {
        protocol_name(self.to_raw()).unwrap_or("?")
    }
}

/// A nanomsg socket, closed when dropped (messages it accepted still go
/// out for up to its [linger](Socket::set_linger) time).
///
/// All calls take `&self`: a socket may be shared between threads (one
/// receiving while another sends, say). Blocking calls wait as the
/// timeouts say ([`Socket::set_send_timeout`],
/// [`Socket::set_recv_timeout`]; forever by default); [`Socket::close`],
/// or [`term`](crate::term), makes them return [`ErrorKind::Closed`].
///
/// [`ErrorKind::Closed`]: crate::ErrorKind::Closed
///
/// ```
/// use nanomsg::{Protocol, Socket};
///
/// let a = Socket::new(Protocol::Pair)?;
/// let b = Socket::new(Protocol::Pair)?;
/// a.bind("inproc://doc-socket")?;
/// b.connect("inproc://doc-socket")?;
/// a.send(b"ping")?;
/// assert_eq!(b.recv()?, b"ping");
/// b.send(b"pong")?;
/// let mut buf = [0u8; 2];
/// // Truncated to the buffer, as nn_recv: the full length comes back.
/// assert_eq!(a.recv_into(&mut buf)?, 4);
/// assert_eq!(&buf, b"po");
/// # Ok::<(), nanomsg::Error>(())
/// ```
pub struct Socket {
    handle: i32,
    sock: Arc<CoreSocket>,
}

impl Socket {
    /// A socket speaking `protocol` (`nn_socket(AF_SP, ...)`).
    pub fn new(protocol: Protocol) -> Result<Socket> {
        Socket::create(AF_SP, protocol)
    }

    /// A raw socket (`AF_SP_RAW`): no protocol state (a raw REP may
    /// answer any request in any order), the protocol header handed over
    /// in [`Message::header`]; what [`device`](crate::device) forwards
    /// between.
    pub fn new_raw(protocol: Protocol) -> Result<Socket> {
        Socket::create(AF_SP_RAW, protocol)
    }

    fn create(domain: i32, protocol: Protocol) -> Result<Socket> {
        let (handle, sock) = global::create_socket(domain, protocol.to_raw())?;
        Ok(Socket { handle, sock })
    }

    pub(super) fn core(&self) -> &Arc<CoreSocket> {
        &self.sock
    }

    /// The socket's protocol.
    pub fn protocol(&self) -> Protocol {
        Protocol::from_raw(self.sock.protocol()).expect("a socket's protocol is known")
    }

    /// Whether it is a raw socket ([`Socket::new_raw`]).
    pub fn is_raw(&self) -> bool {
        self.sock.domain == AF_SP_RAW
    }

    /// The C API's handle of this socket, for `nn_*` calls on it from C
    /// code in the same process. (Closing it there closes this socket.)
    pub fn handle(&self) -> i32 {
        self.handle
    }

    /// Close the socket now: calls blocked on it, in other threads,
    /// return [`ErrorKind::Closed`](crate::ErrorKind::Closed), as later
    /// calls do. Dropping the socket closes it too; closing twice is
    /// [`Error::BADF`].
    pub fn close(&self) -> Result<()> {
        Ok(global::close_socket(self.handle, &self.sock)?)
    }

    /// Listen on `url` (`inproc://name`, `ipc:///path`, `tcp://addr:port`,
    /// `ws://addr:port/path`, as `nn_bind`); returns the endpoint, which
    /// stays until [`Endpoint::shutdown`] or the socket closes.
    pub fn bind(&self, url: &str) -> Result<Endpoint> {
        check_addr(url)?;
        let id = self.sock.bind(url)?;
        Ok(self.endpoint(id))
    }

    /// Connect to `url` (as `nn_connect`: the connection is made, and
    /// remade when it breaks, in the background); returns the endpoint.
    pub fn connect(&self, url: &str) -> Result<Endpoint> {
        check_addr(url)?;
        let id = self.sock.connect(url)?;
        Ok(self.endpoint(id))
    }

    fn endpoint(&self, id: i32) -> Endpoint {
        Endpoint {
            sock: Arc::downgrade(&self.sock),
            id,
        }
    }

    /// Send a copy of `data`, waiting for room up to the send timeout.
    pub fn send(&self, data: &[u8]) -> Result<()> {
        self.send_bytes(data, false)
    }

    /// Send a copy of `data` if that can be done at once; else
    /// [`ErrorKind::WouldBlock`](crate::ErrorKind::WouldBlock)
    /// (`NN_DONTWAIT`).
    pub fn try_send(&self, data: &[u8]) -> Result<()> {
        self.send_bytes(data, true)
    }

    fn send_bytes(&self, data: &[u8], dontwait: bool) -> Result<()> {
        let msg = Msg::new(Chunk::from_slice(data)?);
        self.sock.send(msg, dontwait).map_err(|(e, _)| e.into())
    }

    /// Send `msg` without copying it (`NN_MSG`), waiting as
    /// [`Socket::send`]. If it fails, the message comes back in the error.
    pub fn send_msg(&self, msg: Message) -> std::result::Result<(), SendError> {
        self.send_message(msg, false)
    }

    /// [`Socket::send_msg`], if it can be done at once.
    pub fn try_send_msg(&self, msg: Message) -> std::result::Result<(), SendError> {
        self.send_message(msg, true)
    }

    fn send_message(&self, msg: Message, dontwait: bool) -> std::result::Result<(), SendError> {
        self.sock
            .send(msg.into_msg(), dontwait)
            .map_err(|(e, m)| SendError::new(e.into(), Message::from_msg(m)))
    }

    /// Receive a message as a new `Vec`, waiting up to the receive
    /// timeout.
    pub fn recv(&self) -> Result<Vec<u8>> {
        Ok(self.sock.recv(false)?.body.as_slice().to_vec())
    }

    /// [`Socket::recv`] if a message is there; else
    /// [`ErrorKind::WouldBlock`](crate::ErrorKind::WouldBlock).
    pub fn try_recv(&self) -> Result<Vec<u8>> {
        Ok(self.sock.recv(true)?.body.as_slice().to_vec())
    }

    /// Receive a message into `buf`, truncated to fit as `nn_recv` does;
    /// returns the message's full length (more than `buf.len()` when it
    /// did not fit).
    pub fn recv_into(&self, buf: &mut [u8]) -> Result<usize> {
        Ok(copy_into(&self.sock.recv(false)?, buf))
    }

    /// [`Socket::recv_into`] if a message is there.
    pub fn try_recv_into(&self, buf: &mut [u8]) -> Result<usize> {
        Ok(copy_into(&self.sock.recv(true)?, buf))
    }

    /// Receive a message without copying it (`NN_MSG`), with its protocol
    /// header.
    pub fn recv_msg(&self) -> Result<Message> {
        Ok(Message::from_msg(self.sock.recv(false)?))
    }

    /// [`Socket::recv_msg`] if a message is there.
    pub fn try_recv_msg(&self) -> Result<Message> {
        Ok(Message::from_msg(self.sock.recv(true)?))
    }
}

/// Copy what fits; the full length.
fn copy_into(m: &Msg, buf: &mut [u8]) -> usize {
    let body = m.body.as_slice();
    let n = body.len().min(buf.len());
    buf[..n].copy_from_slice(&body[..n]);
    body.len()
}

/// An address with a NUL in it: C could not have passed it, so `EINVAL`
/// rather than the part before the NUL.
fn check_addr(url: &str) -> Result<()> {
    if url.contains('\0') {
        Err(Error::INVAL)
    } else {
        Ok(())
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // Closed already (by close, nn_close or term): nothing to do.
        let _ = global::close_socket(self.handle, &self.sock);
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("handle", &self.handle)
            .field("protocol", &self.protocol())
            .field("raw", &self.is_raw())
            .finish()
    }
}

/// An endpoint of a socket ([`Socket::bind`], [`Socket::connect`]).
/// Dropping it leaves the endpoint in place; [`Endpoint::shutdown`]
/// removes it.
///
/// ```
/// use nanomsg::{ErrorKind, Protocol, Socket};
///
/// let s = Socket::new(Protocol::Pair)?;
/// let ep = s.bind("inproc://doc-endpoint")?;
/// // The name is taken while the endpoint lives...
/// let other = Socket::new(Protocol::Pair)?;
/// assert_eq!(other.bind("inproc://doc-endpoint").unwrap_err().kind(), ErrorKind::AddrInUse);
/// ep.shutdown()?;
/// // ...and free once it is shut down.
/// other.bind("inproc://doc-endpoint")?;
/// # Ok::<(), nanomsg::Error>(())
/// ```
#[derive(Debug)]
pub struct Endpoint {
    sock: Weak<CoreSocket>,
    id: i32,
}

impl Endpoint {
    /// The endpoint's id (what `nn_bind`/`nn_connect` return).
    pub fn id(&self) -> i32 {
        self.id
    }

    /// Remove the endpoint (`nn_shutdown`): a bound address is free again,
    /// and the connections it made are closed. [`Error::BADF`] if the
    /// socket is closed.
    pub fn shutdown(self) -> Result<()> {
        let sock = self.sock.upgrade().ok_or(Error::BADF)?;
        Ok(sock.shutdown(self.id)?)
    }
}
