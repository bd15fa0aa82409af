//! Endpoints of the stream transports: the dialer (connect, and reconnect
//! with exponential back-off from `NN_RECONNECT_IVL` to
//! `NN_RECONNECT_IVL_MAX`) and the listener (accept). Both hand connected
//! descriptors to [`Conn`], which does the handshake and becomes a pipe.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use socket2::{Domain, SockAddr, Socket as RawSock, Type};

use crate::core::error::{Error, Result};
use crate::core::options::Options;
use crate::core::shared::Shared;
use crate::core::stats::Stats;
use crate::reactor::{self, Source, TimerId};
use crate::transports::dest::{Dest, DialSpec};
use crate::transports::stream::{Attach, Conn, ConnSet, Ended, Hooks, Role, WsRouter};
use crate::transports::tls::config::{ConfigError, Dial};
use crate::transports::tls::session::Session;
use crate::transports::ws::http;

/// An endpoint's TLS configuration (`tls+tcp://`, `wss://`), made from
/// the socket's `NN_TLS` options when the endpoint is created.
#[derive(Clone)]
pub(crate) enum TlsEp {
    Client(Dial),
    Server(Arc<rustls::ServerConfig>),
}

impl TlsEp {
    /// A new session for one connection (ENOMEM if rustls cannot make one).
    fn session(&self) -> std::io::Result<Session> {
        match self {
            TlsEp::Client(d) => Session::client(d.config.clone(), d.name.clone()),
            TlsEp::Server(c) => Session::server(c.clone()),
        }
        .map_err(|_| std::io::Error::from_raw_os_error(libc::ENOMEM))
    }
}

/// What an endpoint takes from its socket when it is created.
#[derive(Clone)]
pub(crate) struct EpConfig {
    pub shared: Arc<Shared>,
    pub eid: i32,
    pub prios: (u8, u8),
    pub sndbuf: usize,
    pub reconnect_ivl: Duration,
    pub reconnect_ivl_max: Duration,
    pub ws_text: bool,
    /// For `NN_PRINT_ERRORS`: the socket's name and the endpoint's address
    /// (without the scheme, as upstream prints it).
    pub name: String,
    pub addr: String,
    /// TLS endpoints only.
    pub tls: Option<TlsEp>,
}

impl EpConfig {
    pub fn new(shared: &Arc<Shared>, eid: i32, opts: &Options, addr: &str) -> EpConfig {
        EpConfig {
            shared: shared.clone(),
            eid,
            prios: (opts.sndprio as u8, opts.rcvprio as u8),
            sndbuf: opts.sndbuf.max(1) as usize,
            reconnect_ivl: Duration::from_millis(opts.reconnect_ivl.max(0) as u64),
            reconnect_ivl_max: Duration::from_millis(opts.reconnect_ivl_max.max(0) as u64),
            ws_text: opts.ws_msg_type == crate::consts::NN_WS_MSG_TYPE_TEXT,
            name: String::from_utf8_lossy(&opts.socket_name).into_owned(),
            addr: addr.to_string(),
            tls: None,
        }
    }

    /// This endpoint speaks TLS: a dialer's configuration for `host`
    /// (the URL's), or a listener's. The error is the errno for
    /// `nn_connect`/`nn_bind`, its reason printed under `NN_PRINT_ERRORS`.
    pub fn with_tls(mut self, opts: &Options, dial_host: Option<&str>) -> Result<EpConfig> {
        use crate::transports::tls::config;
        let made = match dial_host {
            Some(host) => config::client(&opts.tls, host).map(TlsEp::Client),
            None => config::server(&opts.tls).map(TlsEp::Server),
        };
        match made {
            Ok(t) => {
                self.tls = Some(t);
                Ok(self)
            }
            Err(ConfigError { err, what }) => {
                crate::core::env::report_text(&self.name, &self.addr, &what);
                Err(err)
            }
        }
    }

    /// `NN_PRINT_ERRORS`: say what failed in the background.
    pub fn report(&self, errnum: i32) {
        crate::core::env::report(&self.name, &self.addr, errnum);
    }

    pub fn attach(&self, hooks: Weak<dyn Hooks>) -> Attach {
        Attach {
            shared: self.shared.clone(),
            eid: self.eid,
            prios: self.prios,
            sndbuf: self.sndbuf,
            ws_text: self.ws_text,
            hooks,
        }
    }

    fn bump(&self, pick: fn(&Stats) -> &std::sync::atomic::AtomicU64, up: bool) {
        let s = &self.shared.stats;
        if up {
            pick(s).fetch_add(1, Ordering::Relaxed);
        } else {
            let _ =
                pick(s).fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| v.checked_sub(1));
        }
    }
}

struct DialState {
    alive: bool,
    conn: Option<Arc<Conn>>,
    timer: Option<TimerId>,
    backoff: Duration,
    /// Index into resolved addresses for the next attempt.
    next_addr: usize,
    /// The last attempt failed (counted in `NN_STAT_CURRENT_EP_ERRORS`).
    failing: bool,
    /// The error last printed under `NN_PRINT_ERRORS`, 0 once a connection
    /// was made: a retry that fails the same way is not printed again.
    reported: i32,
}

pub(crate) struct Dialer {
    cfg: EpConfig,
    spec: DialSpec,
    me: Weak<Dialer>,
    st: Mutex<DialState>,
}

impl Dialer {
    pub fn start(cfg: EpConfig, spec: DialSpec) -> Arc<Dialer> {
        let d = Arc::new_cyclic(|me| Dialer {
            st: Mutex::new(DialState {
                alive: true,
                conn: None,
                timer: None,
                backoff: cfg.reconnect_ivl,
                next_addr: 0,
                failing: false,
                reported: 0,
            }),
            cfg,
            spec,
            me: me.clone(),
        });
        d.attempt();
        d
    }

    pub fn shutdown(&self, graceful: bool) {
        let (conn, timer) = {
            let mut st = self.st.lock();
            if !st.alive {
                return;
            }
            st.alive = false;
            (st.conn.take(), st.timer.take())
        };
        self.set_failing(false);
        if let Some(t) = timer {
            reactor::get().cancel(t);
        }
        if let Some(c) = conn {
            if !(graceful && c.is_pipe()) {
                c.end(if graceful {
                    Ended::Closed
                } else {
                    Ended::Shutdown
                });
            }
        }
    }

    fn attempt(&self) {
        if !self.st.lock().alive {
            return;
        }
        match &self.spec.dest {
            Dest::Addrs(addrs) => {
                let i = {
                    let mut st = self.st.lock();
                    let i = st.next_addr % addrs.len().max(1);
                    st.next_addr = st.next_addr.wrapping_add(1);
                    i
                };
                match addrs.get(i) {
                    Some(a) => self.connect_to(SockAddr::from(*a)),
                    None => self.failed(),
                }
            }
            Dest::Unix(a) => self.connect_to(a.clone()),
            Dest::Resolve {
                host,
                port,
                ipv4only,
            } => {
                // getaddrinfo blocks: never on the caller's or the I/O thread.
                let (host, port, v4) = (host.clone(), *port, *ipv4only);
                let me = self.me.clone();
                let spawned = std::thread::Builder::new()
                    .name("nanomsg-dns".into())
                    .spawn(move || {
                        let found = super::tcp::resolve(&host, port, v4);
                        reactor::get().at(
                            Instant::now(),
                            Box::new(move || {
                                if let Some(d) = me.upgrade() {
                                    match found {
                                        Some(a) => d.connect_to(SockAddr::from(a)),
                                        None => {
                                            d.report(libc::EHOSTUNREACH);
                                            d.failed();
                                        }
                                    }
                                }
                            }),
                        );
                    });
                if spawned.is_err() {
                    self.failed();
                }
            }
        }
    }

    fn connect_to(&self, addr: SockAddr) {
        if !self.st.lock().alive {
            return;
        }
        let conn = match self.open(&addr) {
            Ok(c) => c,
            Err(e) => {
                self.report(e.raw_os_error().unwrap_or(libc::EINVAL));
                self.failed();
                return;
            }
        };
        let mut st = self.st.lock();
        if !st.alive {
            drop(st);
            conn.end(Ended::Closed);
        } else if !conn.is_closed() {
            st.conn = Some(conn);
        }
        // (A connection that already ended scheduled the retry itself.)
    }

    fn open(&self, addr: &SockAddr) -> std::io::Result<Arc<Conn>> {
        let domain = addr.domain();
        let s = RawSock::new(domain, Type::STREAM, None)?;
        s.set_nonblocking(true)?;
        if domain != Domain::UNIX {
            no_nagle(&s)?;
            if let Some(ip) = self.spec.local {
                s.bind(&SockAddr::from(SocketAddr::new(ip, 0)))?;
            }
        }
        match s.connect(addr) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
        let role = match &self.spec.ws {
            None => Role::Sp {
                ipc: domain == Domain::UNIX,
            },
            Some((host, path)) => {
                let peer = self.cfg.shared.peer;
                let (request, accept) = http::client_request(host, path, peer);
                Role::WsClient { request, accept }
            }
        };
        let tls = self.cfg.tls.as_ref().map(TlsEp::session).transpose()?;
        self.cfg.bump(|s| &s.inprogress_connections, true);
        let hooks: Weak<dyn Hooks> = self.me.clone();
        let r = Conn::start(s, role, Some(self.cfg.attach(hooks)), true, tls);
        if r.is_err() {
            self.cfg.bump(|s| &s.inprogress_connections, false);
        }
        r
    }

    /// An attempt failed before it had a connection: count it, retry later.
    fn failed(&self) {
        self.cfg.bump(|s| &s.connect_errors, true);
        self.set_failing(true);
        self.retry(false);
    }

    /// `NN_PRINT_ERRORS`: print what failed, unless it is what was printed
    /// last and no connection was made since (nn_env(7): an error is not
    /// repeated until it was cleared and comes again).
    fn report(&self, errnum: i32) {
        let again = std::mem::replace(&mut self.st.lock().reported, errnum) == errnum;
        if !again {
            self.cfg.report(errnum);
        }
    }

    /// `NN_STAT_CURRENT_EP_ERRORS` counts endpoints whose last attempt failed.
    fn set_failing(&self, on: bool) {
        let changed = {
            let mut st = self.st.lock();
            let c = st.failing != on;
            st.failing = on;
            c
        };
        if changed {
            self.cfg.bump(|s| &s.current_ep_errors, on);
        }
    }

    fn retry(&self, after_pipe: bool) {
        let mut st = self.st.lock();
        if !st.alive {
            return;
        }
        st.conn = None;
        let ivl = self.cfg.reconnect_ivl;
        let delay = if after_pipe {
            // As upstream: a connection that worked is retried at once;
            // the interval applies to failed attempts (and to a peer that
            // keeps refusing us right after the handshake).
            st.backoff = ivl;
            Duration::ZERO
        } else {
            let d = st.backoff;
            if self.cfg.reconnect_ivl_max > ivl {
                st.backoff = (d * 2).min(self.cfg.reconnect_ivl_max);
            }
            d
        };
        let me = self.me.clone();
        st.timer = Some(reactor::get().at(
            Instant::now() + delay,
            Box::new(move || {
                if let Some(d) = me.upgrade() {
                    d.st.lock().timer = None;
                    d.attempt();
                }
            }),
        ));
    }
}

impl Hooks for Dialer {
    fn connected(&self, _conn: &Arc<Conn>) {
        self.cfg.bump(|s| &s.inprogress_connections, false);
        self.cfg.bump(|s| &s.established_connections, true);
        self.set_failing(false);
        self.st.lock().reported = 0;
    }

    fn ended(&self, conn: &Arc<Conn>, _how: Ended, was_pipe: bool) {
        if !conn.was_connected() {
            self.cfg.bump(|s| &s.inprogress_connections, false);
            self.cfg.bump(|s| &s.connect_errors, true);
            self.report(conn.last_error());
            self.set_failing(true);
        } else if _how == Ended::Broken {
            self.report(conn.last_error());
        }
        {
            let st = self.st.lock();
            // This connection, or one that ended before `connect_to` could
            // record it; not an old one a newer attempt replaced.
            let ours = st.conn.as_ref().is_none_or(|c| Arc::ptr_eq(c, conn));
            if !ours || st.timer.is_some() {
                return;
            }
        }
        // A pipe that lasted less than the interval counts as a failed
        // attempt, so a peer that refuses us does not make a busy loop.
        let worked = was_pipe && conn.age() >= self.cfg.reconnect_ivl;
        self.retry(worked);
    }
}

/// A listening socket: accepts connections and starts their handshakes.
pub(crate) struct Listener {
    fd: RawSock,
    key: AtomicUsize,
    alive: AtomicBool,
    /// `None` for a WebSocket port, whose router finds each connection's endpoint.
    cfg: Option<EpConfig>,
    router: Option<Arc<dyn WsRouter>>,
    /// A TLS port: each accepted connection gets a session of this.
    tls: Option<TlsEp>,
    me: Weak<Listener>,
    conns: ConnSet,
    unlink: Option<PathBuf>,
    unix: bool,
}

/// Turn Nagle's algorithm off (TCP_NODELAY) on a tcp connection, whatever
/// `NN_TCP_NODELAY` says. The connection coalesces close sends itself (the
/// cork, see `stream/send.rs`) and writes each batch with one system call;
/// Nagle on top holds any write shorter than a segment (on loopback, with
/// its 64 KiB segments, every batch) while an earlier one is not yet
/// acknowledged, and a peer acknowledges when it reads or when its
/// delayed-ACK timer fires. A PUB writing to 100 peers then waited, per
/// peer, for the reader of each: fan-out over loopback ran at half its
/// rate, a few subscribers far behind the rest. `NN_TCP_NODELAY` is still
/// accepted and read back (upstream's default 0), and changes nothing.
fn no_nagle(s: &RawSock) -> std::io::Result<()> {
    s.set_nodelay(true)
}

fn listen_on(addr: &SockAddr, reuse: bool) -> Result<RawSock> {
    let s = RawSock::new(addr.domain(), Type::STREAM, None).map_err(|e| os(&e))?;
    if reuse {
        s.set_reuse_address(true).map_err(|e| os(&e))?;
    }
    if addr.domain() == Domain::IPV6 {
        // `tcp://*:port` with NN_IPV4ONLY=0 binds [::] for both families.
        let _ = s.set_only_v6(false);
    }
    s.bind(addr).map_err(|e| os(&e))?;
    s.listen(128).map_err(|e| os(&e))?;
    s.set_nonblocking(true).map_err(|e| os(&e))?;
    Ok(s)
}

fn os(e: &std::io::Error) -> Error {
    Error(e.raw_os_error().unwrap_or(libc::EINVAL))
}

impl Listener {
    /// Bind a tcp port. With a router it is a WebSocket port.
    pub fn bind_tcp(
        addr: SocketAddr,
        cfg: &EpConfig,
        router: Option<Arc<dyn WsRouter>>,
    ) -> Result<Arc<Listener>> {
        let fd = listen_on(&SockAddr::from(addr), true)?;
        let own = if router.is_some() {
            None
        } else {
            Some(cfg.clone())
        };
        // A WebSocket port's TLS is its first binding's.
        Self::start(fd, own, router, None, cfg.tls.clone())
    }

    pub fn bind_unix(
        addr: SockAddr,
        cfg: &EpConfig,
        path: Option<PathBuf>,
    ) -> Result<Arc<Listener>> {
        let fd = listen_on(&addr, false)?;
        Self::start(fd, Some(cfg.clone()), None, path, None)
    }

    fn start(
        fd: RawSock,
        cfg: Option<EpConfig>,
        router: Option<Arc<dyn WsRouter>>,
        unlink: Option<PathBuf>,
        tls: Option<TlsEp>,
    ) -> Result<Arc<Listener>> {
        use std::os::fd::AsRawFd;
        let raw = fd.as_raw_fd();
        let unix = fd.local_addr().is_ok_and(|a| a.domain() == Domain::UNIX);
        let l = Arc::new_cyclic(|me| Listener {
            fd,
            key: AtomicUsize::new(0),
            alive: AtomicBool::new(true),
            cfg,
            router,
            tls,
            me: me.clone(),
            conns: ConnSet::new(),
            unlink,
            unix,
        });
        let r = reactor::get();
        let key = r.new_key();
        l.key.store(key, Ordering::Release);
        r.add(key, raw, l.clone(), false).map_err(|e| os(&e))?;
        Ok(l)
    }

    pub fn shutdown(&self, graceful: bool) {
        use std::os::fd::AsRawFd;
        if !self.alive.swap(false, Ordering::AcqRel) {
            return;
        }
        reactor::get().remove(self.fd.as_raw_fd(), self.key.load(Ordering::Acquire));
        let _ = self.fd.shutdown(std::net::Shutdown::Both);
        if let Some(p) = &self.unlink {
            let _ = std::fs::remove_file(p);
        }
        self.conns.end_all(graceful);
    }

    fn accept_all(self: &Arc<Self>) {
        loop {
            if !self.alive.load(Ordering::Acquire) {
                return;
            }
            match self.fd.accept() {
                Ok((s, _)) => {
                    let _ = s.set_nonblocking(true);
                    if !self.unix {
                        let _ = no_nagle(&s);
                    }
                    let (role, attach) = match (&self.router, &self.cfg) {
                        (Some(r), _) => (Role::WsServer { router: r.clone() }, None),
                        (None, Some(cfg)) => {
                            let hooks: Weak<dyn Hooks> = self.me.clone();
                            cfg.bump(|s| &s.accepted_connections, true);
                            (Role::Sp { ipc: self.unix }, Some(cfg.attach(hooks)))
                        }
                        (None, None) => return,
                    };
                    let Ok(tls) = self.tls.as_ref().map(TlsEp::session).transpose() else {
                        continue; // no memory: this one goes
                    };
                    if let Ok(c) = Conn::start(s, role, attach, false, tls) {
                        self.conns.add(&c);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    if let Some(cfg) = &self.cfg {
                        cfg.bump(|s| &s.accept_errors, true);
                    }
                    if e.raw_os_error() == Some(libc::ECONNABORTED) {
                        continue;
                    }
                    // Out of descriptors or memory: try again shortly (no
                    // new edge comes for connections already waiting).
                    let me = self.me.clone();
                    reactor::get().at(
                        Instant::now() + Duration::from_millis(100),
                        Box::new(move || {
                            if let Some(l) = me.upgrade() {
                                l.accept_all();
                            }
                        }),
                    );
                    return;
                }
            }
        }
    }
}

/// Its connections leave `conns` by themselves when they end.
impl Hooks for Listener {}

impl Source for Listener {
    fn ready(self: Arc<Self>, _readable: bool, _writable: bool) {
        self.accept_all();
    }

    fn poked(self: Arc<Self>) {
        self.accept_all();
    }
}
