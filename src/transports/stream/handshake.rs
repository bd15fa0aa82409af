//! Handshakes: the SP header, the WebSocket upgrade (client and server),
//! and activation as a pipe.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use std::io::IoSlice;

use super::sys::{peek, read, send_iov, would_block};
use super::{Conn, ConnEnd, Ended, Phase, Role, PIPE_ADDED, PIPE_GONE, PIPE_NEW};
use crate::core::pipe::Pipe;
use crate::core::sig::Event;
use crate::reactor;
use crate::transports::framing;
use crate::transports::ws::http;

impl Conn {
    /// The peer's half of the handshake (reactor thread).
    pub(super) fn handshake(self: &Arc<Self>) {
        let mut rd = self.rd.lock();
        // SAFETY: a reactor callback (`step`, or `check_connect` from it)
        // that found `closed` false when it began.
        let fd = unsafe { self.borrow_fd() };
        let got = match &self.role {
            Role::Sp { .. } => loop {
                let mut tmp = [0u8; 8];
                let want = 8 - rd.hello.len();
                if want == 0 {
                    break Ok(());
                }
                let got = if self.tls.is_some() {
                    // Exactly the header: what follows stays in the session.
                    self.tls_read(&mut tmp[..want])
                } else {
                    read(fd, &mut tmp[..want])
                };
                match got {
                    Ok(0) => break Err(Ended::Broken),
                    Ok(n) => rd.hello.extend_from_slice(&tmp[..n]),
                    Err(e) if would_block(&e) => return,
                    Err(_) => break Err(Ended::Broken),
                }
            },
            _ if self.tls.is_some() => loop {
                // No peeking through TLS: read on, and what follows the
                // head (WebSocket frames) is the framer's first input.
                if let Some(end) = http::header_end(&rd.hello) {
                    let rest = rd.hello.split_off(end);
                    rd.end = rest.len();
                    rd.start = 0;
                    rd.buf = rest;
                    break Ok(());
                }
                let have = rd.hello.len();
                if have >= http::MAX_HTTP {
                    drop(rd);
                    self.http_fail(431);
                    return;
                }
                let mut tmp = [0u8; 1024];
                let want = (http::MAX_HTTP - have).min(tmp.len());
                match self.tls_read(&mut tmp[..want]) {
                    Ok(0) => break Err(Ended::Broken),
                    Ok(n) => rd.hello.extend_from_slice(&tmp[..n]),
                    Err(e) if would_block(&e) => return,
                    Err(_) => break Err(Ended::Broken),
                }
            },
            _ => {
                // Peek at the HTTP head and take exactly up to its blank
                // line; what follows is WebSocket frames for the framer.
                let mut tmp: Vec<u8> = Vec::with_capacity(http::MAX_HTTP);
                match peek(fd, &mut tmp.spare_capacity_mut()[..http::MAX_HTTP]) {
                    Ok(0) => Err(Ended::Broken),
                    Ok(n) => {
                        // SAFETY: `peek` initialized the first n bytes, and
                        // n is at most the capacity it was given.
                        unsafe { tmp.set_len(n) };
                        match http::header_end(&tmp) {
                            Some(end) => match read(fd, &mut tmp[..end]) {
                                Ok(k) if k == end => {
                                    rd.hello = tmp[..end].to_vec();
                                    Ok(())
                                }
                                _ => Err(Ended::Broken),
                            },
                            None if n >= http::MAX_HTTP => {
                                drop(rd);
                                self.http_fail(431);
                                return;
                            }
                            None => return, // the rest comes with the next edge
                        }
                    }
                    Err(e) if would_block(&e) => return,
                    Err(_) => Err(Ended::Broken),
                }
            }
        };
        if let Err(how) = got {
            drop(rd);
            self.end(how);
            return;
        }
        let hello = std::mem::take(&mut rd.hello);
        drop(rd);
        let ok = match &self.role {
            Role::Sp { .. } => self.check_sp_header(&hello),
            Role::WsClient { accept, .. } => {
                let want = self
                    .attach
                    .get()
                    .map(|a| http::sp_name(a.shared.peer))
                    .unwrap_or_default();
                http::check_response(&hello, accept, &want).is_ok()
            }
            Role::WsServer { router } => match http::parse_request(&hello) {
                Err(status) => {
                    self.http_fail(status);
                    return;
                }
                Ok(req) => match router.route(self, &req.path, &req.protocol) {
                    Err(status) => {
                        self.http_fail(status);
                        return;
                    }
                    Ok(a) => {
                        let reply = http::accept_reply(&req.key, &req.protocol);
                        self.set_attach(a);
                        self.queue_raw(reply);
                        self.flush();
                        true
                    }
                },
            },
        };
        if !ok {
            self.end(Ended::Dropped);
            return;
        }
        self.activate();
    }

    pub(super) fn check_sp_header(&self, h: &[u8]) -> bool {
        let Some(a) = self.attach.get() else {
            return false;
        };
        framing::sp_header_protocol(h).is_some_and(|peer| a.shared.accepts(peer as i32))
    }

    /// Send an HTTP error status and end the connection.
    pub(super) fn http_fail(self: &Arc<Self>, status: u16) {
        let reply = http::error_reply(status);
        if self.tls.is_some() {
            self.tls_send_now(&reply);
            self.end(Ended::Dropped);
            return;
        }
        // SAFETY: called by `handshake`, in a reactor callback that found
        // `closed` false when it began.
        let fd = unsafe { self.borrow_fd() };
        let _ = send_iov(fd, &[IoSlice::new(&reply)]);
        self.end(Ended::Dropped);
    }

    /// The handshake is done: become a pipe of the socket.
    pub(super) fn activate(self: &Arc<Self>) {
        {
            let mut ph = self.phase.lock();
            if !matches!(*ph, Phase::Hello) {
                return;
            }
            *ph = Phase::Active;
        }
        if let Some(t) = self.timer.lock().take() {
            reactor::get().cancel(t);
        }
        let Some(a) = self.attach.get() else { return };
        let pipe = Pipe::new(self.id, a.eid, a.prios, Arc::new(ConnEnd(self.clone())));
        a.shared.sig.post(Event::Added(pipe));
        if self
            .pipe
            .compare_exchange(PIPE_NEW, PIPE_ADDED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // It ended while `Added` was on its way (the socket may even
            // have refused the pipe from inside that post).
            self.pipe.store(PIPE_GONE, Ordering::Release);
            a.shared.sig.post(Event::Closed(self.id));
            return;
        }
        self.pump();
    }
}
