//! libnanomsg in Rust: a drop-in `libnanomsg.so.5` for programs and bindings
//! built against nanomsg 1.x.
//!
//! Layers, top to bottom (see ARCHITECTURE.md):
//! - `ffi`: the `extern "C"` surface and the `#[repr(C)]` types of `nn.h`;
//!   argument checks and errno only.
//! - `core`: the socket table, sockets, messages, options, errors.
//! - `protocols`: one state machine per scalability protocol, over pipes.
//! - `transports`: inproc (and later ipc, tcp, ws): addresses and pipes.

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
