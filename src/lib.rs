//! libnanomsg in Rust: a drop-in `libnanomsg.so.5` for programs and bindings
//! built against nanomsg 1.x, and a safe Rust API on the same code.
//!
//! Rust programs use [`Socket`]: one per protocol ([`Protocol`]), closed
//! when dropped; [`Socket::bind`] and [`Socket::connect`] add endpoints,
//! [`Socket::send`]/[`Socket::recv`] move bytes, [`Socket::send_msg`] and
//! [`Socket::recv_msg`] move a [`Message`] without copying; the `try_`
//! calls never wait (`NN_DONTWAIT`). Options are typed methods
//! ([`Socket::set_recv_timeout`] takes an `Option<Duration>`, ...), errors
//! are an [`Error`] carrying the errno. [`poll`] waits on several sockets,
//! [`device`] forwards between raw sockets, [`term`] ends everything. The
//! C API (`nn_socket`, ...) is the same library: a socket made in Rust has
//! a C handle ([`Socket::handle`]) and the two see each other's messages.
//!
//! # Protocols
//!
//! PAIR, one-to-one (here over the `inproc://` transport, within a
//! process):
//!
//! ```
//! use nanomsg::{Protocol, Socket};
//!
//! let a = Socket::new(Protocol::Pair)?;
//! let b = Socket::new(Protocol::Pair)?;
//! a.bind("inproc://doc-pair")?;
//! b.connect("inproc://doc-pair")?;
//! a.send(b"hello")?;
//! assert_eq!(b.recv()?, b"hello");
//! b.send(b"hi")?;
//! assert_eq!(a.recv()?, b"hi");
//! # Ok::<(), nanomsg::Error>(())
//! ```
//!
//! REQ/REP, request and reply (here over `tcp://`; the doc examples that
//! listen on tcp or ws each own a port of 24700-24759):
//!
//! ```
//! use nanomsg::{Protocol, Socket};
//!
//! let server = Socket::new(Protocol::Rep)?;
//! server.bind("tcp://127.0.0.1:24700")?;
//! let client = Socket::new(Protocol::Req)?;
//! client.connect("tcp://127.0.0.1:24700")?;
//!
//! client.send(b"what time is it?")?; // held until the connection is up
//! assert_eq!(server.recv()?, b"what time is it?");
//! server.send(b"noon")?; // goes to the requester it came from
//! assert_eq!(client.recv()?, b"noon");
//! # Ok::<(), nanomsg::Error>(())
//! ```
//!
//! PUB/SUB, to every subscriber whose subscription matches (here over
//! `ipc://`, a Unix socket). A publisher sends to the subscribers
//! connected when it sends, so this one publishes until the first
//! message gets through:
//!
//! ```
//! use std::time::Duration;
//! use nanomsg::{ErrorKind, Protocol, Socket};
//!
//! let path = std::env::temp_dir().join(format!("nn-doc-pubsub-{}.ipc", std::process::id()));
//! let url = format!("ipc://{}", path.display());
//! let publisher = Socket::new(Protocol::Pub)?;
//! publisher.bind(&url)?;
//! let sub = Socket::new(Protocol::Sub)?;
//! sub.subscribe(b"temp:")?;
//! sub.set_recv_timeout(Some(Duration::from_millis(50)))?;
//! sub.connect(&url)?;
//!
//! let got = loop {
//!     publisher.send(b"wind:12 km/h")?; // filtered out by the subscriber
//!     publisher.send(b"temp:21C")?;
//!     match sub.recv() {
//!         Ok(m) => break m,
//!         Err(e) if e.kind() == ErrorKind::TimedOut => continue, // not connected yet
//!         Err(e) => return Err(e),
//!     }
//! };
//! assert_eq!(got, b"temp:21C");
//! # drop((sub, publisher));
//! # let _ = std::fs::remove_file(&path);
//! # Ok::<(), nanomsg::Error>(())
//! ```
//!
//! PUSH/PULL, a pipeline: each message to one puller (here over `ws://`,
//! WebSocket):
//!
//! ```
//! use nanomsg::{Protocol, Socket};
//!
//! let pull = Socket::new(Protocol::Pull)?;
//! pull.bind("ws://127.0.0.1:24701/jobs")?;
//! let push = Socket::new(Protocol::Push)?;
//! push.connect("ws://127.0.0.1:24701/jobs")?;
//! for job in [&b"job 1"[..], b"job 2", b"job 3"] {
//!     push.send(job)?; // waits for a puller to connect
//! }
//! assert_eq!(pull.recv()?, b"job 1");
//! assert_eq!(pull.recv()?, b"job 2");
//! assert_eq!(pull.recv()?, b"job 3");
//! # Ok::<(), nanomsg::Error>(())
//! ```
//!
//! SURVEYOR/RESPONDENT, a question to all, answers until a deadline:
//!
//! ```
//! use std::time::Duration;
//! use nanomsg::{ErrorKind, Protocol, Socket};
//!
//! let surveyor = Socket::new(Protocol::Surveyor)?;
//! surveyor.bind("inproc://doc-survey")?;
//! surveyor.set_surveyor_deadline(Duration::from_millis(200))?;
//! let voters: Vec<Socket> = (0..3)
//!     .map(|_| {
//!         let r = Socket::new(Protocol::Respondent)?;
//!         r.connect("inproc://doc-survey")?;
//!         Ok(r)
//!     })
//!     .collect::<nanomsg::Result<_>>()?;
//!
//! surveyor.send(b"lunch?")?;
//! for v in &voters {
//!     assert_eq!(v.recv()?, b"lunch?");
//!     v.send(b"yes")?;
//! }
//! for _ in &voters {
//!     assert_eq!(surveyor.recv()?, b"yes");
//! }
//! // No more answers: the deadline ends the survey.
//! assert_eq!(surveyor.recv().unwrap_err().kind(), ErrorKind::TimedOut);
//! # Ok::<(), nanomsg::Error>(())
//! ```
//!
//! BUS, every message to every directly connected peer:
//!
//! ```
//! use nanomsg::{Protocol, Socket};
//!
//! let hub = Socket::new(Protocol::Bus)?;
//! hub.bind("inproc://doc-bus")?;
//! let (x, y) = (Socket::new(Protocol::Bus)?, Socket::new(Protocol::Bus)?);
//! x.connect("inproc://doc-bus")?;
//! y.connect("inproc://doc-bus")?;
//! hub.send(b"to all")?;
//! assert_eq!(x.recv()?, b"to all");
//! assert_eq!(y.recv()?, b"to all");
//! x.send(b"from x")?; // x's only peer is the hub
//! assert_eq!(hub.recv()?, b"from x");
//! assert!(y.try_recv().is_err());
//! # Ok::<(), nanomsg::Error>(())
//! ```
//!
//! # Transports
//!
//! `inproc://name` (within the process), `ipc:///path` (a Unix socket;
//! `abstract://name` for Linux's abstract namespace), `tcp://host:port`
//! (a local interface name for the host of a bind, `*` for all;
//! `tcp://local;remote:port` connects from a local address), and
//! `ws://host:port/path` (WebSocket; paths share a port). Every
//! transport works with every protocol; the examples above use each
//! once. The protocol, not the transport, decides who may talk to whom:
//!
//! ```
//! use std::time::Duration;
//! use nanomsg::{ErrorKind, Protocol, Socket};
//!
//! let path = std::env::temp_dir().join(format!("nn-doc-ipc-{}.ipc", std::process::id()));
//! let url = format!("ipc://{}", path.display());
//! let rep = Socket::new(Protocol::Rep)?;
//! rep.bind(&url)?;
//! // A PAIR is no peer of a REP: its message never arrives.
//! let stranger = Socket::new(Protocol::Pair)?;
//! stranger.connect(&url)?;
//! stranger.set_send_timeout(Some(Duration::from_millis(50)))?;
//! assert_eq!(stranger.send(b"hi").unwrap_err().kind(), ErrorKind::TimedOut);
//! // A REQ is.
//! let req = Socket::new(Protocol::Req)?;
//! req.connect(&url)?;
//! req.send(b"hi")?;
//! assert_eq!(rep.recv()?, b"hi");
//! # drop((req, stranger, rep));
//! # let _ = std::fs::remove_file(&path);
//! # Ok::<(), nanomsg::Error>(())
//! ```
//!
//! A program that stops waiting for a message without blocking uses the
//! `try_` calls, or [`poll`]:
//!
//! ```
//! use nanomsg::{ErrorKind, Protocol, Socket};
//!
//! let pull = Socket::new(Protocol::Pull)?;
//! pull.bind("inproc://doc-try")?;
//! assert_eq!(pull.try_recv().unwrap_err().kind(), ErrorKind::WouldBlock);
//! let push = Socket::new(Protocol::Push)?;
//! push.connect("inproc://doc-try")?;
//! push.try_send(b"now")?;
//! assert_eq!(pull.try_recv()?, b"now");
//! # Ok::<(), nanomsg::Error>(())
//! ```

// Layers, top to bottom (see ARCHITECTURE.md):
// - `api`: the safe Rust API; `ffi`: the `extern "C"` surface and the
//   `#[repr(C)]` types of `nn.h` (argument checks and errno only). Both
//   call `core`, never each other.
// - `core`: the socket table, sockets, messages, options, errors.
// - `protocols`: one state machine per scalability protocol, over pipes.
// - `transports`: inproc, ipc, tcp, ws: addresses and pipes.

// Public: the C ABI (the `#[no_mangle]` functions of `ffi`, exported by
// the cdylib whatever their module's visibility) and the Rust API of
// `api`, re-exported here. The modules are private, so the compiler
// reports what nothing uses.

/// The Rust API (re-exported below); none of it is C's.
/// cbindgen:ignore
mod api;
/// The constants of nanomsg's headers: one leaf module every layer uses.
mod consts;
mod core;
mod ffi;
mod protocols;
mod reactor;
#[cfg(test)]
mod testrng;
mod transports;

pub use api::{
    device, poll, term, Endpoint, Error, ErrorKind, Events, Message, Protocol, Result, SendError,
    Socket, Statistic, TlsAuthMode, WsMsgType,
};

/// The peer- and caller-fed parsers as pure functions over bytes, for the
/// fuzz targets in `fuzz/`. Not part of the C ABI.
#[doc(hidden)]
pub mod fuzzing;

/// What `examples/trie_bench.rs` measures. Not part of the C ABI.
#[doc(hidden)]
pub mod bench {
    pub use crate::protocols::trie::{words, Trie};
}

/// The library's destructor: at exit, messages still queued on network
/// connections get up to their socket's `NN_LINGER` to go out, whether or
/// not the program closed its sockets (see `transports::stream`).
#[used]
#[link_section = ".fini_array"]
static LINGER_AT_EXIT: extern "C" fn() = linger_at_exit;

extern "C" fn linger_at_exit() {
    let _ = std::panic::catch_unwind(transports::stream::linger_at_exit);
}
