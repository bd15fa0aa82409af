//! libnanomsg in Rust: a drop-in `libnanomsg.so.5` for programs and bindings
//! built against nanomsg 1.x.
//!
//! Layers, top to bottom (see ARCHITECTURE.md):
//! - [`ffi`]: the `extern "C"` surface and the `#[repr(C)]` types of `nn.h`;
//!   argument checks and errno only.
//! - [`core`]: the socket table, sockets, messages, options, errors.
//! - [`protocols`]: one state machine per scalability protocol, over pipes.
//! - [`transports`]: inproc (and later ipc, tcp, ws): addresses and pipes.

pub mod core;
pub mod ffi;
pub mod protocols;
pub mod reactor;
pub mod transports;
