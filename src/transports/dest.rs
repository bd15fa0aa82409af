//! Where a dialer connects: what the address parsers (`tcp`, `ipc`, `ws`)
//! make of an address and the dialer (`net`) takes.

use std::net::SocketAddr;

use socket2::SockAddr;

/// Where a dialer connects.
pub(crate) enum Dest {
    /// Resolved addresses (tried in turn).
    Addrs(Vec<SocketAddr>),
    /// A host name, resolved off the caller's thread at each attempt.
    Resolve {
        host: String,
        port: u16,
        ipv4only: bool,
    },
    Unix(SockAddr),
}

pub(crate) struct DialSpec {
    pub dest: Dest,
    /// Local address to bind before connecting (`tcp://local;host:port`).
    pub local: Option<std::net::IpAddr>,
    /// WebSocket: the Host header and the path.
    pub ws: Option<(String, String)>,
}
