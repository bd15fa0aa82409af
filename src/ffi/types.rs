//! The structs of `nn.h`, laid out exactly as upstream's. Those the core
//! reads itself are defined next to the code that reads them (iovecs and
//! message headers in `core::iov` (`nn_iovec` is emitted from there), control message headers in
//! `core::cmsg`, poll entries in `core::poll`) and re-exported here.

use std::os::raw::{c_char, c_int};

pub use crate::core::cmsg::nn_cmsghdr;
pub use crate::core::iov::nn_msghdr;
pub use crate::core::poll::nn_pollfd;

/// What `nn_symbol_info` tells about one symbol.
#[repr(C)]
pub struct nn_symbol_properties {
    /// The constant's value.
    pub value: c_int,
    /// The constant's name.
    pub name: *const c_char,
    /// The namespace it belongs to (`NN_NS_*`), zero for namespaces.
    pub ns: c_int,
    /// For options: the value's type (`NN_TYPE_*`).
    pub r#type: c_int,
    /// For options: the value's unit (`NN_UNIT_*`).
    pub unit: c_int,
}
