//! ws: SP over WebSocket (RFC 6455, sp-websocket-mapping-01).
//!
//! The opening handshake names the SP protocol in `Sec-WebSocket-Protocol`
//! as `<name>.sp.nanomsg.org`, where the name is the *server's* protocol
//! (a REQ client asks for `rep.sp.nanomsg.org`), as nanomsg 1.x and nng
//! spell it. Each SP message is one WebSocket message (binary, or text when
//! `NN_WS_MSG_TYPE` says so); fragments are joined, pings are answered,
//! a close is answered and ends the connection. Clients mask, servers do
//! not, and a server drops a client that does not.
//!
//! Several sockets may bind different paths on one port: the port's
//! listener belongs to all of them and routes each upgrade by its path.
//!
//! Files: this one holds the endpoints (ports, paths, the router);
//! `frame` the framing and the `Deframer`, `http` the upgrade request and
//! reply, both pure functions over bytes that the connection
//! (`stream`) and the fuzz targets use without this module.

pub mod frame;
pub mod http;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::core::error::{Error, Result};
use crate::transports::net::{EpConfig, Listener};
use crate::transports::stream::{Attach, Conn, ConnSet, Hooks, WsRouter};

use http::protocol_of;

/// One bound path: the socket endpoint it belongs to and its connections.
pub(crate) struct Binding {
    cfg: EpConfig,
    me: Weak<Binding>,
    conns: ConnSet,
}

/// Its connections leave `conns` by themselves when they end.
impl Hooks for Binding {}

/// A listening port shared by every path bound on it.
pub(crate) struct Port {
    addr: SocketAddr,
    /// A `wss://` port (its TLS is its first binding's): `ws://` and
    /// `wss://` never share a port.
    tls: bool,
    paths: Mutex<HashMap<String, Arc<Binding>>>,
    listener: Mutex<Option<Arc<Listener>>>,
}

impl WsRouter for Port {
    fn route(&self, conn: &Arc<Conn>, path: &str, proto: &str) -> std::result::Result<Attach, u16> {
        let b = self.paths.lock().get(path).cloned().ok_or(404u16)?;
        let ours = b.cfg.shared.protocol;
        let asked = protocol_of(proto).ok_or(400u16)?;
        // Clients ask for the server's own protocol (nanomsg 1.x and nng
        // both do; upstream refuses anything else with 400).
        if asked != ours {
            return Err(400);
        }
        let hooks: Weak<dyn Hooks> = b.me.clone();
        let a = b.cfg.attach(hooks);
        b.conns.add(conn);
        b.cfg
            .shared
            .stats
            .accepted_connections
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(a)
    }
}

static PORTS: Mutex<Option<HashMap<SocketAddr, Weak<Port>>>> = Mutex::new(None);

/// A socket's `ws://` bind: one path on a (possibly shared) port.
pub(crate) struct WsBind {
    done: bool,
    port: Arc<Port>,
    path: String,
    binding: Arc<Binding>,
}

impl WsBind {
    pub(crate) fn new(addr: SocketAddr, path: &str, cfg: EpConfig) -> Result<WsBind> {
        let mut reg = PORTS.lock();
        let map = reg.get_or_insert_with(HashMap::new);
        let tls = cfg.tls.is_some();
        let port = match map.get(&addr).and_then(Weak::upgrade) {
            Some(p) if p.tls != tls => return Err(Error::ADDRINUSE),
            Some(p) => p,
            None => {
                let p = Arc::new(Port {
                    addr,
                    tls,
                    paths: Mutex::new(HashMap::new()),
                    listener: Mutex::new(None),
                });
                let router: Arc<dyn WsRouter> = p.clone();
                let l = Listener::bind_tcp(addr, &cfg, Some(router))?;
                *p.listener.lock() = Some(l);
                map.insert(addr, Arc::downgrade(&p));
                p
            }
        };
        let mut paths = port.paths.lock();
        if paths.contains_key(path) {
            return Err(Error::ADDRINUSE);
        }
        let binding = Arc::new_cyclic(|me| Binding {
            cfg,
            me: me.clone(),
            conns: ConnSet::new(),
        });
        paths.insert(path.to_string(), binding.clone());
        drop(paths);
        Ok(WsBind {
            done: false,
            port,
            path: path.to_string(),
            binding,
        })
    }

    pub(crate) fn shutdown(&mut self, graceful: bool) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        let last = {
            let mut paths = self.port.paths.lock();
            if paths
                .get(&self.path)
                .is_some_and(|b| Arc::ptr_eq(b, &self.binding))
            {
                paths.remove(&self.path);
            }
            paths.is_empty()
        };
        self.binding.conns.end_all(graceful);
        if last {
            let mut reg = PORTS.lock();
            // Someone may have bound a new path meanwhile.
            if self.port.paths.lock().is_empty() {
                if let Some(map) = reg.as_mut() {
                    map.remove(&self.port.addr);
                }
                if let Some(l) = self.port.listener.lock().take() {
                    l.shutdown(graceful);
                }
            }
        }
    }
}
