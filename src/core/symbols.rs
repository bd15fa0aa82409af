//! The symbol table behind `nn_symbol` and `nn_symbol_info`: every constant a binding may look up, in upstream's order.
//!
//! Columns: `value`, `name`, `ns` (an `NN_NS_*` namespace, `NN_NS_NAMESPACE`
//! (0) for the namespaces themselves), `typ` (an `NN_TYPE_*`, for options
//! and statistics) and `unit` (an `NN_UNIT_*`). Each entry names a constant
//! once: [`sym!`] takes the value from the constant of [`crate::consts`]
//! and the name from the constant's identifier, so the two cannot disagree.
//! Error entries use the platform errno values (via `libc`), except `ETERM`
//! and `EFSM`, which are nanomsg-specific (`core::error`).
//! The order, including its quirks (`NN_UNIT_COUNTER` before `NN_UNIT_MESSAGES`,
//! `NN_REP` before `NN_REQ`, `NN_RCVMAXSIZE` after `NN_RCVBUF`), matches upstream,
//! since bindings enumerate it by index. Our own constants (`NN_TLS` and its
//! options, from `<nanomsg/tls.h>`) come after upstream's 121 entries, so
//! every upstream entry keeps its index.

use std::ffi::CStr;

use crate::consts::*;
use crate::core::error;

/// One entry of the table.
#[derive(Debug, Clone, Copy)]
pub struct Symbol {
    pub value: i32,
    pub name: &'static CStr,
    pub ns: i32,
    pub typ: i32,
    pub unit: i32,
}

/// A constant's name as a C string, at compile time.
const fn c_name(with_nul: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(with_nul.as_bytes()) {
        Ok(c) => c,
        Err(_) => panic!("a constant's name has no NUL inside"),
    }
}

/// An entry for the constant `$name` of [`crate::consts`] in namespace
/// `$ns`, with a type and unit for options and statistics.
macro_rules! sym {
    ($name:ident, $ns:expr) => {
        sym!($name, $ns, NN_TYPE_NONE, NN_UNIT_NONE)
    };
    ($name:ident, $ns:expr, $typ:expr, $unit:expr) => {
        Symbol {
            value: $name,
            name: c_name(concat!(stringify!($name), "\0")),
            ns: $ns,
            typ: $typ,
            unit: $unit,
        }
    };
}

/// An errno entry: the value from `libc`, or the given one.
macro_rules! err {
    ($name:ident) => {
        err!($name = libc::$name)
    };
    ($name:ident = $value:expr) => {
        Symbol {
            value: $value,
            name: c_name(concat!(stringify!($name), "\0")),
            ns: NN_NS_ERROR,
            typ: NN_TYPE_NONE,
            unit: NN_UNIT_NONE,
        }
    };
}

/// The whole table, indexed by the `i` argument of `nn_symbol`/`nn_symbol_info`.
#[rustfmt::skip]
pub static SYMBOLS: &[Symbol] = &[
    sym!(NN_NS_NAMESPACE, NN_NS_NAMESPACE),
    sym!(NN_NS_VERSION, NN_NS_NAMESPACE),
    sym!(NN_NS_DOMAIN, NN_NS_NAMESPACE),
    sym!(NN_NS_TRANSPORT, NN_NS_NAMESPACE),
    sym!(NN_NS_PROTOCOL, NN_NS_NAMESPACE),
    sym!(NN_NS_OPTION_LEVEL, NN_NS_NAMESPACE),
    sym!(NN_NS_SOCKET_OPTION, NN_NS_NAMESPACE),
    sym!(NN_NS_TRANSPORT_OPTION, NN_NS_NAMESPACE),
    sym!(NN_NS_OPTION_TYPE, NN_NS_NAMESPACE),
    sym!(NN_NS_OPTION_UNIT, NN_NS_NAMESPACE),
    sym!(NN_NS_FLAG, NN_NS_NAMESPACE),
    sym!(NN_NS_ERROR, NN_NS_NAMESPACE),
    sym!(NN_NS_LIMIT, NN_NS_NAMESPACE),
    sym!(NN_NS_EVENT, NN_NS_NAMESPACE),
    sym!(NN_NS_STATISTIC, NN_NS_NAMESPACE),
    sym!(NN_TYPE_NONE, NN_NS_OPTION_TYPE),
    sym!(NN_TYPE_INT, NN_NS_OPTION_TYPE),
    sym!(NN_TYPE_STR, NN_NS_OPTION_TYPE),
    sym!(NN_UNIT_NONE, NN_NS_OPTION_UNIT),
    sym!(NN_UNIT_BYTES, NN_NS_OPTION_UNIT),
    sym!(NN_UNIT_MILLISECONDS, NN_NS_OPTION_UNIT),
    sym!(NN_UNIT_PRIORITY, NN_NS_OPTION_UNIT),
    sym!(NN_UNIT_BOOLEAN, NN_NS_OPTION_UNIT),
    sym!(NN_UNIT_COUNTER, NN_NS_OPTION_UNIT),
    sym!(NN_UNIT_MESSAGES, NN_NS_OPTION_UNIT),
    sym!(NN_VERSION_CURRENT, NN_NS_VERSION),
    sym!(NN_VERSION_REVISION, NN_NS_VERSION),
    sym!(NN_VERSION_AGE, NN_NS_VERSION),
    sym!(AF_SP, NN_NS_DOMAIN),
    sym!(AF_SP_RAW, NN_NS_DOMAIN),
    sym!(NN_INPROC, NN_NS_TRANSPORT),
    sym!(NN_IPC, NN_NS_TRANSPORT),
    sym!(NN_TCP, NN_NS_TRANSPORT),
    sym!(NN_WS, NN_NS_TRANSPORT),
    sym!(NN_PAIR, NN_NS_PROTOCOL),
    sym!(NN_PUB, NN_NS_PROTOCOL),
    sym!(NN_SUB, NN_NS_PROTOCOL),
    sym!(NN_REP, NN_NS_PROTOCOL),
    sym!(NN_REQ, NN_NS_PROTOCOL),
    sym!(NN_PUSH, NN_NS_PROTOCOL),
    sym!(NN_PULL, NN_NS_PROTOCOL),
    sym!(NN_SURVEYOR, NN_NS_PROTOCOL),
    sym!(NN_RESPONDENT, NN_NS_PROTOCOL),
    sym!(NN_BUS, NN_NS_PROTOCOL),
    sym!(NN_SOCKADDR_MAX, NN_NS_LIMIT),
    sym!(NN_SOL_SOCKET, NN_NS_OPTION_LEVEL),
    sym!(NN_LINGER, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS),
    sym!(NN_SNDBUF, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_BYTES),
    sym!(NN_RCVBUF, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_BYTES),
    sym!(NN_RCVMAXSIZE, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_BYTES),
    sym!(NN_SNDTIMEO, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS),
    sym!(NN_RCVTIMEO, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS),
    sym!(NN_RECONNECT_IVL, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS),
    sym!(NN_RECONNECT_IVL_MAX, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS),
    sym!(NN_SNDPRIO, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_PRIORITY),
    sym!(NN_RCVPRIO, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_PRIORITY),
    sym!(NN_SNDFD, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE),
    sym!(NN_RCVFD, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE),
    sym!(NN_DOMAIN, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE),
    sym!(NN_PROTOCOL, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE),
    sym!(NN_IPV4ONLY, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_BOOLEAN),
    sym!(NN_SOCKET_NAME, NN_NS_SOCKET_OPTION, NN_TYPE_STR, NN_UNIT_NONE),
    sym!(NN_MAXTTL, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE),
    sym!(NN_SUB_SUBSCRIBE, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE),
    sym!(NN_SUB_UNSUBSCRIBE, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE),
    sym!(NN_REQ_RESEND_IVL, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS),
    sym!(NN_SURVEYOR_DEADLINE, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS),
    sym!(NN_TCP_NODELAY, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_BOOLEAN),
    sym!(NN_WS_MSG_TYPE, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_NONE),
    sym!(NN_DONTWAIT, NN_NS_FLAG),
    sym!(NN_WS_MSG_TYPE_TEXT, NN_NS_FLAG),
    sym!(NN_WS_MSG_TYPE_BINARY, NN_NS_FLAG),
    sym!(NN_POLLIN, NN_NS_EVENT),
    sym!(NN_POLLOUT, NN_NS_EVENT),
    err!(EADDRINUSE),
    err!(EADDRNOTAVAIL),
    err!(EAFNOSUPPORT),
    err!(EAGAIN),
    err!(EBADF),
    err!(ECONNREFUSED),
    err!(EFAULT),
    err!(EFSM = error::EFSM),
    err!(EINPROGRESS),
    err!(EINTR),
    err!(EINVAL),
    err!(EMFILE),
    err!(ENAMETOOLONG),
    err!(ENETDOWN),
    err!(ENOBUFS),
    err!(ENODEV),
    err!(ENOMEM),
    err!(ENOPROTOOPT),
    err!(ENOTSOCK),
    err!(ENOTSUP),
    err!(EPROTO),
    err!(EPROTONOSUPPORT),
    err!(ETERM = error::ETERM),
    err!(ETIMEDOUT),
    err!(EACCES),
    err!(ECONNABORTED),
    err!(ECONNRESET),
    err!(EHOSTUNREACH),
    err!(EMSGSIZE),
    err!(ENETRESET),
    err!(ENETUNREACH),
    err!(ENOTCONN),
    sym!(NN_STAT_ESTABLISHED_CONNECTIONS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_COUNTER),
    sym!(NN_STAT_ACCEPTED_CONNECTIONS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_COUNTER),
    sym!(NN_STAT_DROPPED_CONNECTIONS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_COUNTER),
    sym!(NN_STAT_BROKEN_CONNECTIONS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_COUNTER),
    sym!(NN_STAT_CONNECT_ERRORS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_COUNTER),
    sym!(NN_STAT_BIND_ERRORS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_COUNTER),
    sym!(NN_STAT_ACCEPT_ERRORS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_COUNTER),
    sym!(NN_STAT_MESSAGES_SENT, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_MESSAGES),
    sym!(NN_STAT_MESSAGES_RECEIVED, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_MESSAGES),
    sym!(NN_STAT_BYTES_SENT, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_BYTES),
    sym!(NN_STAT_BYTES_RECEIVED, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_BYTES),
    sym!(NN_STAT_CURRENT_CONNECTIONS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_NONE),
    sym!(NN_STAT_INPROGRESS_CONNECTIONS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_NONE),
    sym!(NN_STAT_CURRENT_SND_PRIORITY, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_PRIORITY),
    sym!(NN_STAT_CURRENT_EP_ERRORS, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_NONE),
    // Ours, after upstream's table.
    sym!(NN_TLS, NN_NS_TRANSPORT),
    sym!(NN_TLS_CA_FILE, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE),
    sym!(NN_TLS_CERT_KEY_FILE, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE),
    sym!(NN_TLS_AUTH_MODE, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_NONE),
    sym!(NN_TLS_SERVER_NAME, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE),
    sym!(NN_TLS_AUTH_MODE_NONE, NN_NS_FLAG),
    sym!(NN_TLS_AUTH_MODE_OPTIONAL, NN_NS_FLAG),
    sym!(NN_TLS_AUTH_MODE_REQUIRED, NN_NS_FLAG),
];

/// The i-th symbol, if there is one.
pub fn get(i: i32) -> Option<&'static Symbol> {
    SYMBOLS.get(usize::try_from(i).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upstream 1.1.5's table as `nn_symbol_info` reports it on Linux
    /// (name, value, ns, type, unit), written out by hand: an independent
    /// check of every entry's value, columns and place.
    #[cfg(target_os = "linux")]
    #[rustfmt::skip]
    const UPSTREAM: &[(&str, i32, i32, i32, i32)] = &[
        ("NN_NS_NAMESPACE", 0, 0, 0, 0),
        ("NN_NS_VERSION", 1, 0, 0, 0),
        ("NN_NS_DOMAIN", 2, 0, 0, 0),
        ("NN_NS_TRANSPORT", 3, 0, 0, 0),
        ("NN_NS_PROTOCOL", 4, 0, 0, 0),
        ("NN_NS_OPTION_LEVEL", 5, 0, 0, 0),
        ("NN_NS_SOCKET_OPTION", 6, 0, 0, 0),
        ("NN_NS_TRANSPORT_OPTION", 7, 0, 0, 0),
        ("NN_NS_OPTION_TYPE", 8, 0, 0, 0),
        ("NN_NS_OPTION_UNIT", 9, 0, 0, 0),
        ("NN_NS_FLAG", 10, 0, 0, 0),
        ("NN_NS_ERROR", 11, 0, 0, 0),
        ("NN_NS_LIMIT", 12, 0, 0, 0),
        ("NN_NS_EVENT", 13, 0, 0, 0),
        ("NN_NS_STATISTIC", 14, 0, 0, 0),
        ("NN_TYPE_NONE", 0, 8, 0, 0),
        ("NN_TYPE_INT", 1, 8, 0, 0),
        ("NN_TYPE_STR", 2, 8, 0, 0),
        ("NN_UNIT_NONE", 0, 9, 0, 0),
        ("NN_UNIT_BYTES", 1, 9, 0, 0),
        ("NN_UNIT_MILLISECONDS", 2, 9, 0, 0),
        ("NN_UNIT_PRIORITY", 3, 9, 0, 0),
        ("NN_UNIT_BOOLEAN", 4, 9, 0, 0),
        ("NN_UNIT_COUNTER", 6, 9, 0, 0),
        ("NN_UNIT_MESSAGES", 5, 9, 0, 0),
        ("NN_VERSION_CURRENT", 5, 1, 0, 0),
        ("NN_VERSION_REVISION", 1, 1, 0, 0),
        ("NN_VERSION_AGE", 0, 1, 0, 0),
        ("AF_SP", 1, 2, 0, 0),
        ("AF_SP_RAW", 2, 2, 0, 0),
        ("NN_INPROC", -1, 3, 0, 0),
        ("NN_IPC", -2, 3, 0, 0),
        ("NN_TCP", -3, 3, 0, 0),
        ("NN_WS", -4, 3, 0, 0),
        ("NN_PAIR", 16, 4, 0, 0),
        ("NN_PUB", 32, 4, 0, 0),
        ("NN_SUB", 33, 4, 0, 0),
        ("NN_REP", 49, 4, 0, 0),
        ("NN_REQ", 48, 4, 0, 0),
        ("NN_PUSH", 80, 4, 0, 0),
        ("NN_PULL", 81, 4, 0, 0),
        ("NN_SURVEYOR", 98, 4, 0, 0),
        ("NN_RESPONDENT", 99, 4, 0, 0),
        ("NN_BUS", 112, 4, 0, 0),
        ("NN_SOCKADDR_MAX", 128, 12, 0, 0),
        ("NN_SOL_SOCKET", 0, 5, 0, 0),
        ("NN_LINGER", 1, 6, 1, 2),
        ("NN_SNDBUF", 2, 6, 1, 1),
        ("NN_RCVBUF", 3, 6, 1, 1),
        ("NN_RCVMAXSIZE", 16, 6, 1, 1),
        ("NN_SNDTIMEO", 4, 6, 1, 2),
        ("NN_RCVTIMEO", 5, 6, 1, 2),
        ("NN_RECONNECT_IVL", 6, 6, 1, 2),
        ("NN_RECONNECT_IVL_MAX", 7, 6, 1, 2),
        ("NN_SNDPRIO", 8, 6, 1, 3),
        ("NN_RCVPRIO", 9, 6, 1, 3),
        ("NN_SNDFD", 10, 6, 1, 0),
        ("NN_RCVFD", 11, 6, 1, 0),
        ("NN_DOMAIN", 12, 6, 1, 0),
        ("NN_PROTOCOL", 13, 6, 1, 0),
        ("NN_IPV4ONLY", 14, 6, 1, 4),
        ("NN_SOCKET_NAME", 15, 6, 2, 0),
        ("NN_MAXTTL", 17, 6, 1, 0),
        ("NN_SUB_SUBSCRIBE", 1, 7, 2, 0),
        ("NN_SUB_UNSUBSCRIBE", 2, 7, 2, 0),
        ("NN_REQ_RESEND_IVL", 1, 7, 1, 2),
        ("NN_SURVEYOR_DEADLINE", 1, 7, 1, 2),
        ("NN_TCP_NODELAY", 1, 7, 1, 4),
        ("NN_WS_MSG_TYPE", 1, 7, 1, 0),
        ("NN_DONTWAIT", 1, 10, 0, 0),
        ("NN_WS_MSG_TYPE_TEXT", 1, 10, 0, 0),
        ("NN_WS_MSG_TYPE_BINARY", 2, 10, 0, 0),
        ("NN_POLLIN", 1, 13, 0, 0),
        ("NN_POLLOUT", 2, 13, 0, 0),
        ("EADDRINUSE", 98, 11, 0, 0),
        ("EADDRNOTAVAIL", 99, 11, 0, 0),
        ("EAFNOSUPPORT", 97, 11, 0, 0),
        ("EAGAIN", 11, 11, 0, 0),
        ("EBADF", 9, 11, 0, 0),
        ("ECONNREFUSED", 111, 11, 0, 0),
        ("EFAULT", 14, 11, 0, 0),
        ("EFSM", 156384766, 11, 0, 0),
        ("EINPROGRESS", 115, 11, 0, 0),
        ("EINTR", 4, 11, 0, 0),
        ("EINVAL", 22, 11, 0, 0),
        ("EMFILE", 24, 11, 0, 0),
        ("ENAMETOOLONG", 36, 11, 0, 0),
        ("ENETDOWN", 100, 11, 0, 0),
        ("ENOBUFS", 105, 11, 0, 0),
        ("ENODEV", 19, 11, 0, 0),
        ("ENOMEM", 12, 11, 0, 0),
        ("ENOPROTOOPT", 92, 11, 0, 0),
        ("ENOTSOCK", 88, 11, 0, 0),
        ("ENOTSUP", 95, 11, 0, 0),
        ("EPROTO", 71, 11, 0, 0),
        ("EPROTONOSUPPORT", 93, 11, 0, 0),
        ("ETERM", 156384765, 11, 0, 0),
        ("ETIMEDOUT", 110, 11, 0, 0),
        ("EACCES", 13, 11, 0, 0),
        ("ECONNABORTED", 103, 11, 0, 0),
        ("ECONNRESET", 104, 11, 0, 0),
        ("EHOSTUNREACH", 113, 11, 0, 0),
        ("EMSGSIZE", 90, 11, 0, 0),
        ("ENETRESET", 102, 11, 0, 0),
        ("ENETUNREACH", 101, 11, 0, 0),
        ("ENOTCONN", 107, 11, 0, 0),
        ("NN_STAT_ESTABLISHED_CONNECTIONS", 101, 14, 1, 6),
        ("NN_STAT_ACCEPTED_CONNECTIONS", 102, 14, 1, 6),
        ("NN_STAT_DROPPED_CONNECTIONS", 103, 14, 1, 6),
        ("NN_STAT_BROKEN_CONNECTIONS", 104, 14, 1, 6),
        ("NN_STAT_CONNECT_ERRORS", 105, 14, 1, 6),
        ("NN_STAT_BIND_ERRORS", 106, 14, 1, 6),
        ("NN_STAT_ACCEPT_ERRORS", 107, 14, 1, 6),
        ("NN_STAT_MESSAGES_SENT", 301, 14, 1, 5),
        ("NN_STAT_MESSAGES_RECEIVED", 302, 14, 1, 5),
        ("NN_STAT_BYTES_SENT", 303, 14, 1, 1),
        ("NN_STAT_BYTES_RECEIVED", 304, 14, 1, 1),
        ("NN_STAT_CURRENT_CONNECTIONS", 201, 14, 1, 0),
        ("NN_STAT_INPROGRESS_CONNECTIONS", 202, 14, 1, 0),
        ("NN_STAT_CURRENT_SND_PRIORITY", 401, 14, 1, 3),
        ("NN_STAT_CURRENT_EP_ERRORS", 203, 14, 1, 0),
    ];

    /// Ours, after upstream's, written out by hand as above.
    #[rustfmt::skip]
    const OURS: &[(&str, i32, i32, i32, i32)] = &[
        ("NN_TLS", -5, 3, 0, 0),
        ("NN_TLS_CA_FILE", 1, 7, 2, 0),
        ("NN_TLS_CERT_KEY_FILE", 2, 7, 2, 0),
        ("NN_TLS_AUTH_MODE", 3, 7, 1, 0),
        ("NN_TLS_SERVER_NAME", 4, 7, 2, 0),
        ("NN_TLS_AUTH_MODE_NONE", 0, 10, 0, 0),
        ("NN_TLS_AUTH_MODE_OPTIONAL", 1, 10, 0, 0),
        ("NN_TLS_AUTH_MODE_REQUIRED", 2, 10, 0, 0),
    ];

    #[cfg(target_os = "linux")]
    #[test]
    fn table_is_upstreams_then_ours() {
        assert_eq!(UPSTREAM.len(), 121);
        assert_eq!(SYMBOLS.len(), UPSTREAM.len() + OURS.len());
        let expected = UPSTREAM.iter().chain(OURS);
        for (i, (s, &(name, value, ns, typ, unit))) in SYMBOLS.iter().zip(expected).enumerate() {
            assert_eq!(s.name.to_str().unwrap(), name, "entry {i}");
            assert_eq!(
                (s.value, s.ns, s.typ, s.unit),
                (value, ns, typ, unit),
                "{name}"
            );
        }
    }

    /// Every constant of consts.rs a binding may look up is in the table:
    /// the constants are read from the source, so a new one cannot be
    /// forgotten. Those upstream's table lacks are listed here.
    #[test]
    fn every_constant_is_in_the_table() {
        const NOT_IN_UPSTREAMS_TABLE: &[&str] = &[
            "PROTO_SP",
            "SP_HDR",
            "NN_PROTO_PAIR",
            "NN_PROTO_PUBSUB",
            "NN_PROTO_REQREP",
            "NN_PROTO_PIPELINE",
            "NN_PROTO_SURVEY",
            "NN_PROTO_BUS",
            "NN_IPC_OUTBUFSZ",
            "NN_IPC_INBUFSZ",
            "PROTOCOL_NAMES",
        ];
        let src = include_str!("../consts.rs");
        let mut seen = 0;
        for line in src.lines() {
            let Some(rest) = line.trim().strip_prefix("pub const ") else {
                continue;
            };
            let name = rest.split(':').next().unwrap().trim();
            seen += 1;
            let listed = SYMBOLS.iter().any(|s| s.name.to_str() == Ok(name));
            assert_eq!(
                listed,
                !NOT_IN_UPSTREAMS_TABLE.contains(&name),
                "{name}: in the table or in the exception list, not both"
            );
        }
        assert!(seen > 90, "parsed {seen} constants");
    }

    #[test]
    fn table_size_matches_upstream() {
        assert_eq!(SYMBOLS.len(), 121 + 8);
        assert_eq!(SYMBOLS[0].name, c"NN_NS_NAMESPACE");
        assert_eq!(SYMBOLS[120].name, c"NN_STAT_CURRENT_EP_ERRORS");
        assert_eq!(SYMBOLS[121].name, c"NN_TLS");
    }

    #[test]
    fn names_unique_within_namespace() {
        for (i, a) in SYMBOLS.iter().enumerate() {
            for b in &SYMBOLS[i + 1..] {
                assert!(
                    !(a.ns == b.ns && a.name == b.name),
                    "duplicate {:?} in namespace {}",
                    a.name,
                    a.ns
                );
            }
        }
    }

    #[test]
    fn well_known_entries() {
        let find = |n: &core::ffi::CStr| SYMBOLS.iter().find(|s| s.name == n).copied();
        let af = find(c"AF_SP").expect("AF_SP present");
        assert_eq!((af.value, af.ns), (1, 2));
        let ling = find(c"NN_LINGER").unwrap();
        assert_eq!((ling.value, ling.ns, ling.typ, ling.unit), (1, 6, 1, 2));
        let name = find(c"NN_SOCKET_NAME").unwrap();
        assert_eq!((name.value, name.typ), (15, 2));
        assert_eq!(find(c"ETERM").unwrap().value, 156384712 + 53);
        assert_eq!(find(c"EFSM").unwrap().value, 156384712 + 54);
    }

    /// The hand-written `<nanomsg/tls.h>` says what consts.rs says, and
    /// lists every `NN_TLS*` constant: each `#define NN_TLS...` line is
    /// read and looked up in the table.
    #[test]
    fn tls_header_agrees() {
        let h = include_str!("../../include/nanomsg/tls.h");
        let mut seen = 0;
        for line in h.lines() {
            let Some(rest) = line.strip_prefix("#define ") else {
                continue;
            };
            let mut it = rest.split_whitespace();
            let name = it.next().unwrap();
            if !name.starts_with("NN_TLS") {
                continue;
            }
            let value: i32 = it.next().unwrap().parse().unwrap();
            let s = SYMBOLS
                .iter()
                .find(|s| s.name.to_str() == Ok(name))
                .unwrap_or_else(|| panic!("{name} not in the table"));
            assert_eq!(s.value, value, "{name}");
            seen += 1;
        }
        let ours = SYMBOLS
            .iter()
            .filter(|s| s.name.to_bytes().starts_with(b"NN_TLS"));
        assert_eq!(seen, ours.count());
        assert_eq!(seen, 8);
    }

    #[test]
    fn namespaces_are_declared_first() {
        // Entry i < 15 is namespace i, and every ns used refers to one of them.
        for (i, s) in SYMBOLS.iter().take(15).enumerate() {
            assert_eq!((s.value, s.ns), (i as i32, 0));
        }
        assert!(SYMBOLS.iter().skip(15).all(|s| (1..15).contains(&s.ns)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_errno_values() {
        let find = |n: &core::ffi::CStr| SYMBOLS.iter().find(|s| s.name == n).unwrap().value;
        assert_eq!(find(c"EADDRINUSE"), 98);
        assert_eq!(find(c"EAGAIN"), 11);
        assert_eq!(find(c"ENOTSUP"), 95);
        assert_eq!(find(c"ENOTCONN"), 107);
    }
}
