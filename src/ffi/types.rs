//! The structs of `nn.h`, laid out exactly as upstream's.

use std::os::raw::{c_char, c_int, c_short, c_void};

/// One buffer of a scatter/gather array.
#[repr(C)]
pub struct nn_iovec {
    pub iov_base: *mut c_void,
    pub iov_len: usize,
}

/// The message description of `nn_sendmsg`/`nn_recvmsg`.
#[repr(C)]
pub struct nn_msghdr {
    pub msg_iov: *mut nn_iovec,
    pub msg_iovlen: c_int,
    pub msg_control: *mut c_void,
    pub msg_controllen: usize,
}

/// The header of one control message (ancillary data).
#[repr(C)]
pub struct nn_cmsghdr {
    pub cmsg_len: usize,
    pub cmsg_level: c_int,
    pub cmsg_type: c_int,
}

/// One entry of `nn_poll`'s array.
#[repr(C)]
pub struct nn_pollfd {
    pub fd: c_int,
    pub events: c_short,
    pub revents: c_short,
}

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
