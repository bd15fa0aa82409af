//! Transports: address parsing and the endpoints that make pipes.
//! inproc joins sockets in one process directly; ipc, tcp and ws are stream
//! transports driven by the reactor (`stream` for connections, `net` for
//! dialers and listeners).

pub mod dest;
pub mod framing;
pub mod inproc;
pub mod ipc;
pub mod net;
pub mod stream;
pub mod tcp;
pub mod tls;
pub mod ws;

use std::sync::Arc;

use crate::consts::NN_SOCKADDR_MAX;
use crate::core::error::{Error, Result};
use crate::core::options::Options;
use crate::core::shared::Shared;

/// What a transport keeps for one bound or connected address.
pub trait EndpointImpl: Send {
    /// Stop accepting/connecting. With `graceful` (the socket is closing),
    /// connections that are pipes are left to the socket, which closes them
    /// with linger; otherwise (`nn_shutdown`) they end at once.
    fn shutdown(&mut self, graceful: bool);
    /// Pipes to sockets in this process made when the endpoint was
    /// created (see [`inproc::Joins`]).
    fn take_joins(&mut self) -> Option<inproc::Joins> {
        None
    }
}

/// One `nn_bind`/`nn_connect` of a socket.
pub struct Endpoint {
    pub id: i32,
    inner: Box<dyn EndpointImpl>,
}

impl Endpoint {
    pub fn shutdown(&mut self, graceful: bool) {
        self.inner.shutdown(graceful);
    }

    pub fn take_joins(&mut self) -> Option<inproc::Joins> {
        self.inner.take_joins()
    }
}

/// Split `scheme://rest`, checking the length limits every transport shares.
pub fn split_addr(addr: &str) -> Result<(&str, &str)> {
    if addr.len() >= NN_SOCKADDR_MAX as usize {
        return Err(Error::NAMETOOLONG);
    }
    addr.split_once("://").ok_or(Error::INVAL)
}

/// Create the endpoint for `addr` (the socket's state lock is held).
pub fn create(
    sock: &Arc<Shared>,
    eid: i32,
    addr: &str,
    bind: bool,
    opts: &Options,
) -> Result<Endpoint> {
    let (scheme, rest) = split_addr(addr)?;
    let v4 = opts.ipv4only != 0;
    let cfg = || net::EpConfig::new(sock, eid, opts, rest);
    let inner: Box<dyn EndpointImpl> = match (scheme, bind) {
        ("inproc", _) => Box::new(inproc::InprocEp::new(sock, eid, rest, bind, opts)?),
        ("tcp", true) => {
            let a = tcp::bind_addr(rest, v4)?;
            Box::new(Bound(net::Listener::bind_tcp(a, &cfg(), None)?))
        }
        ("tcp", false) => Box::new(Dialing(net::Dialer::start(
            cfg(),
            tcp::dial_spec(rest, v4)?,
        ))),
        // nng's TLS over TCP: tcp's addresses, a TLS session under the SP
        // header and framing.
        ("tls+tcp", true) => {
            let a = tcp::bind_addr(rest, v4)?;
            let c = cfg().with_tls(opts, None)?;
            Box::new(Bound(net::Listener::bind_tcp(a, &c, None)?))
        }
        ("tls+tcp", false) => {
            let spec = tcp::dial_spec(rest, v4)?;
            let c = cfg().with_tls(opts, Some(dial_host(rest)))?;
            Box::new(Dialing(net::Dialer::start(c, spec)))
        }
        ("ipc", true) => {
            let a = ipc::path_addr(rest)?;
            let unlink = ipc::clear_stale(rest)?;
            Box::new(Bound(net::Listener::bind_unix(a, &cfg(), unlink)?))
        }
        ("abstract", true) => {
            let a = ipc::abstract_addr(rest)?;
            Box::new(Bound(net::Listener::bind_unix(a, &cfg(), None)?))
        }
        ("ipc" | "abstract", false) => {
            let a = if scheme == "ipc" {
                ipc::path_addr(rest)?
            } else {
                ipc::abstract_addr(rest)?
            };
            let spec = dest::DialSpec {
                dest: dest::Dest::Unix(a),
                local: None,
                ws: None,
            };
            Box::new(Dialing(net::Dialer::start(cfg(), spec)))
        }
        ("ws" | "wss", _) => {
            let secure = scheme == "wss";
            let (hostport, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            if !ws::http::fits_request(rest) {
                return Err(Error::INVAL);
            }
            // No port on connect means HTTP's 80 (nn_ws(7)), or HTTPS's
            // 443 for wss; a bind must name its port (EINVAL, as upstream).
            let with_port;
            let hostport = if !bind && (hostport.ends_with(']') || !hostport.contains(':')) {
                with_port = format!("{hostport}:{}", if secure { 443 } else { 80 });
                with_port.as_str()
            } else {
                hostport
            };
            // wss: a listener's TLS, or a dialer's for the URL's host.
            let ws_cfg = |dial_host| match secure {
                true => cfg().with_tls(opts, dial_host),
                false => Ok(cfg()),
            };
            if bind {
                let a = tcp::bind_addr(hostport, v4)?;
                Box::new(ws::WsBind::new(a, path, ws_cfg(None)?)?)
            } else {
                let mut spec = tcp::dial_spec(hostport, v4)?;
                let host = hostport.rsplit(';').next().unwrap_or(hostport);
                spec.ws = Some((host.to_string(), path.to_string()));
                let c = ws_cfg(Some(dial_host(hostport)))?;
                Box::new(Dialing(net::Dialer::start(c, spec)))
            }
        }
        _ => return Err(Error::PROTONOSUPPORT),
    };
    Ok(Endpoint { id: eid, inner })
}

/// The host a dialer's `[local;]host:port` names (brackets kept; the
/// address was checked already): a TLS dialer's default server name.
fn dial_host(rest: &str) -> &str {
    let remote = rest.rsplit(';').next().unwrap_or(rest);
    remote.rsplit_once(':').map_or(remote, |(h, _)| h)
}

struct Bound(Arc<net::Listener>);

impl EndpointImpl for Bound {
    fn shutdown(&mut self, graceful: bool) {
        self.0.shutdown(graceful);
    }
}

struct Dialing(Arc<net::Dialer>);

impl EndpointImpl for Dialing {
    fn shutdown(&mut self, graceful: bool) {
        self.0.shutdown(graceful);
    }
}

impl EndpointImpl for ws::WsBind {
    fn shutdown(&mut self, graceful: bool) {
        ws::WsBind::shutdown(self, graceful);
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        // A no-op when the socket already shut the endpoint down.
        self.inner.shutdown(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(split_addr("inproc://a"), Ok(("inproc", "a")));
        assert_eq!(split_addr("inproc://"), Ok(("inproc", "")));
        assert_eq!(split_addr("inproc"), Err(Error::INVAL));
        assert_eq!(
            split_addr(&format!("inproc://{}", "x".repeat(200))),
            Err(Error::NAMETOOLONG)
        );
    }
}
