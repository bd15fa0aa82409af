//! The safe Rust API: what `nanomsg::` offers Rust programs, on the same
//! core as the C functions of `ffi` (never through them). The crate's
//! documentation (lib.rs) introduces it, with an example per protocol and
//! per transport.
//!
//! - `socket.rs`: [`Socket`], [`Protocol`], [`Endpoint`]; sending and
//!   receiving bytes and [`Message`]s.
//! - `message.rs`: [`Message`] (the `nn_allocmsg` chunk, owned) and
//!   [`SendError`].
//! - `options.rs`: the options as typed methods of [`Socket`];
//!   [`Statistic`].
//! - `poll.rs`: [`poll`], [`device`], [`term`].
//! - `error.rs`: [`Error`] (an errno with `nn_strerror`'s text).

mod error;
mod message;
mod options;
mod poll;
mod socket;

pub use error::{Error, ErrorKind, Result};
pub use message::{Message, SendError};
pub use options::{Statistic, TlsAuthMode, WsMsgType};
pub use poll::{device, poll, term, Events};
pub use socket::{Endpoint, Protocol, Socket};
