//! The protocol- and transport-independent machinery.

pub mod cmsg;
pub mod cptr;
pub mod device;
pub mod efd;
pub mod env;
pub mod error;
pub mod global;
pub mod iov;
pub mod msg;
pub mod options;
pub mod pipe;
pub mod poll;
pub mod sig;
pub mod socket;
pub mod stats;
pub mod symbols;
pub mod timer;

/// Keeps a hot lock off the cache lines of its neighbours (two lines: the
/// adjacent-line prefetcher pulls pairs).
#[repr(align(128))]
pub(crate) struct Padded<T>(pub(crate) T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
