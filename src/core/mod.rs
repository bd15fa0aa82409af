//! The protocol- and transport-independent machinery.

pub mod cmsg;
pub mod cptr;
pub mod cpu;
pub mod device;
pub mod efd;
pub mod env;
pub mod error;
pub mod global;
pub mod hint;
pub mod iov;
pub mod msg;
pub mod options;
pub mod pipe;
pub mod poll;
pub mod pool;
pub mod shared;
pub mod sig;
pub mod socket;
#[cfg(test)]
mod socket_tests;
pub mod spin;
pub mod stats;
pub mod symbols;
