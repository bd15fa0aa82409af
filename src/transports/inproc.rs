//! inproc: sockets in one process, joined by name.
//!
//! A global registry maps each name to its bound endpoint and every
//! endpoint connected to it. Whenever a binder and a connector meet (in
//! either order), they get a pipe; connectors stay registered, so when a
//! bound socket goes away and another binds the same name, they reconnect
//! by themselves. Sockets whose protocols cannot talk get no pipe.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::core::error::{Error, Result};
use crate::core::options::Options;
use crate::core::pipe::Link;
use crate::core::sig::Event;
use crate::core::socket::Socket;
use crate::protocols;
use crate::transports::EndpointImpl;

#[derive(Clone)]
struct Member {
    uid: u64,
    sock: Weak<Socket>,
    eid: i32,
    protocol: i32,
    prios: (u8, u8),
}

#[derive(Default)]
struct Name {
    binder: Option<Member>,
    connectors: Vec<Member>,
}

static REGISTRY: Mutex<Option<HashMap<String, Name>>> = Mutex::new(None);
static NEXT_UID: AtomicU64 = AtomicU64::new(1);

pub struct InprocEp {
    name: String,
    uid: u64,
    live: bool,
}

/// Give the binder and a connector a pipe if both are alive and their
/// protocols match. `binding` says which side's call made them meet.
fn join(binder: &Member, connector: &Member, binding: bool) {
    let (a, b) = (binder, connector);
    let (Some(sa), Some(sb)) = (a.sock.upgrade(), b.sock.upgrade()) else {
        return;
    };
    if !protocols::compatible(a.protocol, b.protocol) {
        return;
    }
    let cap = |s: &Socket| s.rcvbuf.load(Ordering::Relaxed).max(1) as usize;
    // Connection counters as upstream's inproc keeps them: the connector
    // counts an established connection; the binder counts an accepted one
    // only when the connector was waiting for it.
    sb.stats
        .established_connections
        .fetch_add(1, Ordering::Relaxed);
    if binding {
        sa.stats
            .accepted_connections
            .fetch_add(1, Ordering::Relaxed);
    }
    let [pa, pb] = Link::pair(
        [sa.sig.clone(), sb.sig.clone()],
        [a.eid, b.eid],
        [cap(&sa), cap(&sb)],
        [a.prios, b.prios],
    );
    // Posting Added lets idle sockets take the pipe into use at once (their
    // protocol decides whether to accept it); the socket calling
    // bind/connect holds its own lock and drains right after.
    sa.sig.post(Event::Added(pa));
    sb.sig.post(Event::Added(pb));
}

impl InprocEp {
    pub fn new(
        sock: &Arc<Socket>,
        eid: i32,
        name: &str,
        bind: bool,
        opts: &Options,
    ) -> Result<InprocEp> {
        let me = Member {
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            sock: Arc::downgrade(sock),
            eid,
            protocol: sock.protocol(),
            prios: (opts.sndprio as u8, opts.rcvprio as u8),
        };
        let mut reg = REGISTRY.lock();
        let entry = reg
            .get_or_insert_with(HashMap::new)
            .entry(name.to_string())
            .or_default();
        if bind {
            if entry.binder.is_some() {
                return Err(Error::ADDRINUSE);
            }
            for c in &entry.connectors {
                join(&me, c, true);
            }
            entry.binder = Some(me.clone());
        } else {
            if let Some(b) = &entry.binder {
                join(b, &me, false);
            }
            entry.connectors.push(me.clone());
        }
        Ok(InprocEp {
            name: name.to_string(),
            uid: me.uid,
            live: true,
        })
    }
}

impl EndpointImpl for InprocEp {
    fn shutdown(&mut self, _graceful: bool) {
        if !std::mem::take(&mut self.live) {
            return;
        }
        let mut reg = REGISTRY.lock();
        let Some(map) = reg.as_mut() else { return };
        if let Some(entry) = map.get_mut(&self.name) {
            if entry.binder.as_ref().is_some_and(|b| b.uid == self.uid) {
                entry.binder = None;
            }
            entry.connectors.retain(|c| c.uid != self.uid);
            if entry.binder.is_none() && entry.connectors.is_empty() {
                map.remove(&self.name);
            }
        }
    }
}

impl Drop for InprocEp {
    fn drop(&mut self) {
        self.shutdown(true);
    }
}
