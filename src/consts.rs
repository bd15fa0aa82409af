//! The constants of nanomsg's headers, with upstream's values: the one
//! source every layer (and the symbol table) takes them from. cbindgen emits
//! those of `nn.h` into the generated header; the other headers' constants
//! (protocols, transports) live in [`others`], whose C side is hand-written.

use std::os::raw::c_int;

pub const NN_VERSION_CURRENT: c_int = 5;
pub const NN_VERSION_REVISION: c_int = 1;
pub const NN_VERSION_AGE: c_int = 0;

pub const NN_NS_NAMESPACE: c_int = 0;
pub const NN_NS_VERSION: c_int = 1;
pub const NN_NS_DOMAIN: c_int = 2;
pub const NN_NS_TRANSPORT: c_int = 3;
pub const NN_NS_PROTOCOL: c_int = 4;
pub const NN_NS_OPTION_LEVEL: c_int = 5;
pub const NN_NS_SOCKET_OPTION: c_int = 6;
pub const NN_NS_TRANSPORT_OPTION: c_int = 7;
pub const NN_NS_OPTION_TYPE: c_int = 8;
pub const NN_NS_OPTION_UNIT: c_int = 9;
pub const NN_NS_FLAG: c_int = 10;
pub const NN_NS_ERROR: c_int = 11;
pub const NN_NS_LIMIT: c_int = 12;
pub const NN_NS_EVENT: c_int = 13;
pub const NN_NS_STATISTIC: c_int = 14;

pub const NN_TYPE_NONE: c_int = 0;
pub const NN_TYPE_INT: c_int = 1;
pub const NN_TYPE_STR: c_int = 2;

pub const NN_UNIT_NONE: c_int = 0;
pub const NN_UNIT_BYTES: c_int = 1;
pub const NN_UNIT_MILLISECONDS: c_int = 2;
pub const NN_UNIT_PRIORITY: c_int = 3;
pub const NN_UNIT_BOOLEAN: c_int = 4;
pub const NN_UNIT_MESSAGES: c_int = 5;
pub const NN_UNIT_COUNTER: c_int = 6;

pub const AF_SP: c_int = 1;
pub const AF_SP_RAW: c_int = 2;

pub const NN_SOCKADDR_MAX: c_int = 128;

pub const NN_SOL_SOCKET: c_int = 0;

pub const NN_LINGER: c_int = 1;
pub const NN_SNDBUF: c_int = 2;
pub const NN_RCVBUF: c_int = 3;
pub const NN_SNDTIMEO: c_int = 4;
pub const NN_RCVTIMEO: c_int = 5;
pub const NN_RECONNECT_IVL: c_int = 6;
pub const NN_RECONNECT_IVL_MAX: c_int = 7;
pub const NN_SNDPRIO: c_int = 8;
pub const NN_RCVPRIO: c_int = 9;
pub const NN_SNDFD: c_int = 10;
pub const NN_RCVFD: c_int = 11;
pub const NN_DOMAIN: c_int = 12;
pub const NN_PROTOCOL: c_int = 13;
pub const NN_IPV4ONLY: c_int = 14;
pub const NN_SOCKET_NAME: c_int = 15;
pub const NN_RCVMAXSIZE: c_int = 16;
pub const NN_MAXTTL: c_int = 17;

pub const NN_DONTWAIT: c_int = 1;

pub const PROTO_SP: c_int = 1;
pub const SP_HDR: c_int = 1;

pub const NN_POLLIN: c_int = 1;
pub const NN_POLLOUT: c_int = 2;

pub const NN_STAT_ESTABLISHED_CONNECTIONS: c_int = 101;
pub const NN_STAT_ACCEPTED_CONNECTIONS: c_int = 102;
pub const NN_STAT_DROPPED_CONNECTIONS: c_int = 103;
pub const NN_STAT_BROKEN_CONNECTIONS: c_int = 104;
pub const NN_STAT_CONNECT_ERRORS: c_int = 105;
pub const NN_STAT_BIND_ERRORS: c_int = 106;
pub const NN_STAT_ACCEPT_ERRORS: c_int = 107;
pub const NN_STAT_CURRENT_CONNECTIONS: c_int = 201;
pub const NN_STAT_INPROGRESS_CONNECTIONS: c_int = 202;
pub const NN_STAT_CURRENT_EP_ERRORS: c_int = 203;
pub const NN_STAT_MESSAGES_SENT: c_int = 301;
pub const NN_STAT_MESSAGES_RECEIVED: c_int = 302;
pub const NN_STAT_BYTES_SENT: c_int = 303;
pub const NN_STAT_BYTES_RECEIVED: c_int = 304;
pub const NN_STAT_CURRENT_SND_PRIORITY: c_int = 401;

pub use others::*;

/// Each scalability protocol's short name (as in `nn_symbol`'s `NN_PAIR`,
/// lower-cased: the WebSocket sub-protocol and nanocat spell it so).
/// cbindgen:ignore
pub const PROTOCOL_NAMES: &[(c_int, &str)] = &[
    (NN_PAIR, "pair"),
    (NN_PUB, "pub"),
    (NN_SUB, "sub"),
    (NN_REQ, "req"),
    (NN_REP, "rep"),
    (NN_PUSH, "push"),
    (NN_PULL, "pull"),
    (NN_SURVEYOR, "surveyor"),
    (NN_RESPONDENT, "respondent"),
    (NN_BUS, "bus"),
];

/// The short name of protocol `id`.
pub fn protocol_name(id: c_int) -> Option<&'static str> {
    PROTOCOL_NAMES.iter().find(|p| p.0 == id).map(|p| p.1)
}

/// The protocol a short name names.
pub fn protocol_named(name: &str) -> Option<c_int> {
    PROTOCOL_NAMES.iter().find(|p| p.1 == name).map(|p| p.0)
}

/// Constants of the protocol and transport headers (pair.h, tcp.h, ...),
/// which are hand-written; kept out of the generated nn.h.
/// cbindgen:ignore
pub mod others {
    use std::os::raw::c_int;

    pub const NN_PROTO_PAIR: c_int = 1;
    pub const NN_PAIR: c_int = NN_PROTO_PAIR * 16;
    pub const NN_PROTO_PUBSUB: c_int = 2;
    pub const NN_PUB: c_int = NN_PROTO_PUBSUB * 16;
    pub const NN_SUB: c_int = NN_PROTO_PUBSUB * 16 + 1;
    pub const NN_PROTO_REQREP: c_int = 3;
    pub const NN_REQ: c_int = NN_PROTO_REQREP * 16;
    pub const NN_REP: c_int = NN_PROTO_REQREP * 16 + 1;
    pub const NN_PROTO_PIPELINE: c_int = 5;
    pub const NN_PUSH: c_int = NN_PROTO_PIPELINE * 16;
    pub const NN_PULL: c_int = NN_PROTO_PIPELINE * 16 + 1;
    pub const NN_PROTO_SURVEY: c_int = 6;
    pub const NN_SURVEYOR: c_int = NN_PROTO_SURVEY * 16 + 2;
    pub const NN_RESPONDENT: c_int = NN_PROTO_SURVEY * 16 + 3;
    pub const NN_PROTO_BUS: c_int = 7;
    pub const NN_BUS: c_int = NN_PROTO_BUS * 16;

    pub const NN_SUB_SUBSCRIBE: c_int = 1;
    pub const NN_SUB_UNSUBSCRIBE: c_int = 2;
    pub const NN_REQ_RESEND_IVL: c_int = 1;
    pub const NN_SURVEYOR_DEADLINE: c_int = 1;

    pub const NN_INPROC: c_int = -1;
    pub const NN_IPC: c_int = -2;
    pub const NN_TCP: c_int = -3;
    pub const NN_WS: c_int = -4;
    /// Ours (include/nanomsg/tls.h): tls+tcp:// and wss://, also the
    /// option level of the `NN_TLS_*` options.
    pub const NN_TLS: c_int = -5;
    pub const NN_IPC_OUTBUFSZ: c_int = 2;
    pub const NN_IPC_INBUFSZ: c_int = 3;
    pub const NN_TCP_NODELAY: c_int = 1;
    pub const NN_WS_MSG_TYPE: c_int = 1;
    pub const NN_WS_MSG_TYPE_TEXT: c_int = 0x01;
    pub const NN_WS_MSG_TYPE_BINARY: c_int = 0x02;
    pub const NN_TLS_CA_FILE: c_int = 1;
    pub const NN_TLS_CERT_KEY_FILE: c_int = 2;
    pub const NN_TLS_AUTH_MODE: c_int = 3;
    pub const NN_TLS_SERVER_NAME: c_int = 4;
    pub const NN_TLS_AUTH_MODE_NONE: c_int = 0;
    pub const NN_TLS_AUTH_MODE_OPTIONAL: c_int = 1;
    pub const NN_TLS_AUTH_MODE_REQUIRED: c_int = 2;
}
