//! The symbol table behind `nn_symbol` and `nn_symbol_info`: every constant a binding may look up, in upstream's order.
//!
//! Columns: `value`, `name`, `ns` (an `NN_NS_*` namespace, 0 for the namespaces
//! themselves), `typ` (an `NN_TYPE_*`, for options and statistics) and `unit`
//! (an `NN_UNIT_*`).  Error entries use the platform errno values (via `libc`),
//! except `ETERM` and `EFSM`, which are nanomsg-specific (NN_HAUSNUMERO + 53/54).
//! The order, including its quirks (`NN_UNIT_COUNTER` before `NN_UNIT_MESSAGES`,
//! `NN_REP` before `NN_REQ`, `NN_RCVMAXSIZE` after `NN_RCVBUF`), matches upstream,
//! since bindings enumerate it by index.

/// One entry of the table.
#[derive(Debug, Clone, Copy)]
pub struct Symbol {
    pub value: i32,
    pub name: &'static core::ffi::CStr,
    pub ns: i32,
    pub typ: i32,
    pub unit: i32,
}

/// The whole table, indexed by the `i` argument of `nn_symbol`/`nn_symbol_info`.
#[rustfmt::skip]
pub static SYMBOLS: &[Symbol] = &[
    Symbol { value: 0, name: c"NN_NS_NAMESPACE", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 1, name: c"NN_NS_VERSION", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 2, name: c"NN_NS_DOMAIN", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 3, name: c"NN_NS_TRANSPORT", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 4, name: c"NN_NS_PROTOCOL", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 5, name: c"NN_NS_OPTION_LEVEL", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 6, name: c"NN_NS_SOCKET_OPTION", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 7, name: c"NN_NS_TRANSPORT_OPTION", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 8, name: c"NN_NS_OPTION_TYPE", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 9, name: c"NN_NS_OPTION_UNIT", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 10, name: c"NN_NS_FLAG", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 11, name: c"NN_NS_ERROR", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 12, name: c"NN_NS_LIMIT", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 13, name: c"NN_NS_EVENT", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 14, name: c"NN_NS_STATISTIC", ns: 0, typ: 0, unit: 0 },
    Symbol { value: 0, name: c"NN_TYPE_NONE", ns: 8, typ: 0, unit: 0 },
    Symbol { value: 1, name: c"NN_TYPE_INT", ns: 8, typ: 0, unit: 0 },
    Symbol { value: 2, name: c"NN_TYPE_STR", ns: 8, typ: 0, unit: 0 },
    Symbol { value: 0, name: c"NN_UNIT_NONE", ns: 9, typ: 0, unit: 0 },
    Symbol { value: 1, name: c"NN_UNIT_BYTES", ns: 9, typ: 0, unit: 0 },
    Symbol { value: 2, name: c"NN_UNIT_MILLISECONDS", ns: 9, typ: 0, unit: 0 },
    Symbol { value: 3, name: c"NN_UNIT_PRIORITY", ns: 9, typ: 0, unit: 0 },
    Symbol { value: 4, name: c"NN_UNIT_BOOLEAN", ns: 9, typ: 0, unit: 0 },
    Symbol { value: 6, name: c"NN_UNIT_COUNTER", ns: 9, typ: 0, unit: 0 },
    Symbol { value: 5, name: c"NN_UNIT_MESSAGES", ns: 9, typ: 0, unit: 0 },
    Symbol { value: 5, name: c"NN_VERSION_CURRENT", ns: 1, typ: 0, unit: 0 },
    Symbol { value: 1, name: c"NN_VERSION_REVISION", ns: 1, typ: 0, unit: 0 },
    Symbol { value: 0, name: c"NN_VERSION_AGE", ns: 1, typ: 0, unit: 0 },
    Symbol { value: 1, name: c"AF_SP", ns: 2, typ: 0, unit: 0 },
    Symbol { value: 2, name: c"AF_SP_RAW", ns: 2, typ: 0, unit: 0 },
    Symbol { value: -1, name: c"NN_INPROC", ns: 3, typ: 0, unit: 0 },
    Symbol { value: -2, name: c"NN_IPC", ns: 3, typ: 0, unit: 0 },
    Symbol { value: -3, name: c"NN_TCP", ns: 3, typ: 0, unit: 0 },
    Symbol { value: -4, name: c"NN_WS", ns: 3, typ: 0, unit: 0 },
    Symbol { value: 16, name: c"NN_PAIR", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 32, name: c"NN_PUB", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 33, name: c"NN_SUB", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 49, name: c"NN_REP", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 48, name: c"NN_REQ", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 80, name: c"NN_PUSH", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 81, name: c"NN_PULL", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 98, name: c"NN_SURVEYOR", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 99, name: c"NN_RESPONDENT", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 112, name: c"NN_BUS", ns: 4, typ: 0, unit: 0 },
    Symbol { value: 128, name: c"NN_SOCKADDR_MAX", ns: 12, typ: 0, unit: 0 },
    Symbol { value: 0, name: c"NN_SOL_SOCKET", ns: 5, typ: 0, unit: 0 },
    Symbol { value: 1, name: c"NN_LINGER", ns: 6, typ: 1, unit: 2 },
    Symbol { value: 2, name: c"NN_SNDBUF", ns: 6, typ: 1, unit: 1 },
    Symbol { value: 3, name: c"NN_RCVBUF", ns: 6, typ: 1, unit: 1 },
    Symbol { value: 16, name: c"NN_RCVMAXSIZE", ns: 6, typ: 1, unit: 1 },
    Symbol { value: 4, name: c"NN_SNDTIMEO", ns: 6, typ: 1, unit: 2 },
    Symbol { value: 5, name: c"NN_RCVTIMEO", ns: 6, typ: 1, unit: 2 },
    Symbol { value: 6, name: c"NN_RECONNECT_IVL", ns: 6, typ: 1, unit: 2 },
    Symbol { value: 7, name: c"NN_RECONNECT_IVL_MAX", ns: 6, typ: 1, unit: 2 },
    Symbol { value: 8, name: c"NN_SNDPRIO", ns: 6, typ: 1, unit: 3 },
    Symbol { value: 9, name: c"NN_RCVPRIO", ns: 6, typ: 1, unit: 3 },
    Symbol { value: 10, name: c"NN_SNDFD", ns: 6, typ: 1, unit: 0 },
    Symbol { value: 11, name: c"NN_RCVFD", ns: 6, typ: 1, unit: 0 },
    Symbol { value: 12, name: c"NN_DOMAIN", ns: 6, typ: 1, unit: 0 },
    Symbol { value: 13, name: c"NN_PROTOCOL", ns: 6, typ: 1, unit: 0 },
    Symbol { value: 14, name: c"NN_IPV4ONLY", ns: 6, typ: 1, unit: 4 },
    Symbol { value: 15, name: c"NN_SOCKET_NAME", ns: 6, typ: 2, unit: 0 },
    Symbol { value: 17, name: c"NN_MAXTTL", ns: 6, typ: 1, unit: 0 },
    Symbol { value: 1, name: c"NN_SUB_SUBSCRIBE", ns: 7, typ: 2, unit: 0 },
    Symbol { value: 2, name: c"NN_SUB_UNSUBSCRIBE", ns: 7, typ: 2, unit: 0 },
    Symbol { value: 1, name: c"NN_REQ_RESEND_IVL", ns: 7, typ: 1, unit: 2 },
    Symbol { value: 1, name: c"NN_SURVEYOR_DEADLINE", ns: 7, typ: 1, unit: 2 },
    Symbol { value: 1, name: c"NN_TCP_NODELAY", ns: 7, typ: 1, unit: 4 },
    Symbol { value: 1, name: c"NN_WS_MSG_TYPE", ns: 7, typ: 1, unit: 0 },
    Symbol { value: 1, name: c"NN_DONTWAIT", ns: 10, typ: 0, unit: 0 },
    Symbol { value: 1, name: c"NN_WS_MSG_TYPE_TEXT", ns: 10, typ: 0, unit: 0 },
    Symbol { value: 2, name: c"NN_WS_MSG_TYPE_BINARY", ns: 10, typ: 0, unit: 0 },
    Symbol { value: 1, name: c"NN_POLLIN", ns: 13, typ: 0, unit: 0 },
    Symbol { value: 2, name: c"NN_POLLOUT", ns: 13, typ: 0, unit: 0 },
    Symbol { value: libc::EADDRINUSE, name: c"EADDRINUSE", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EADDRNOTAVAIL, name: c"EADDRNOTAVAIL", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EAFNOSUPPORT, name: c"EAFNOSUPPORT", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EAGAIN, name: c"EAGAIN", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EBADF, name: c"EBADF", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ECONNREFUSED, name: c"ECONNREFUSED", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EFAULT, name: c"EFAULT", ns: 11, typ: 0, unit: 0 },
    Symbol { value: 156384766, name: c"EFSM", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EINPROGRESS, name: c"EINPROGRESS", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EINTR, name: c"EINTR", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EINVAL, name: c"EINVAL", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EMFILE, name: c"EMFILE", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENAMETOOLONG, name: c"ENAMETOOLONG", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENETDOWN, name: c"ENETDOWN", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENOBUFS, name: c"ENOBUFS", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENODEV, name: c"ENODEV", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENOMEM, name: c"ENOMEM", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENOPROTOOPT, name: c"ENOPROTOOPT", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENOTSOCK, name: c"ENOTSOCK", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENOTSUP, name: c"ENOTSUP", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EPROTO, name: c"EPROTO", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EPROTONOSUPPORT, name: c"EPROTONOSUPPORT", ns: 11, typ: 0, unit: 0 },
    Symbol { value: 156384765, name: c"ETERM", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ETIMEDOUT, name: c"ETIMEDOUT", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EACCES, name: c"EACCES", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ECONNABORTED, name: c"ECONNABORTED", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ECONNRESET, name: c"ECONNRESET", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EHOSTUNREACH, name: c"EHOSTUNREACH", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::EMSGSIZE, name: c"EMSGSIZE", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENETRESET, name: c"ENETRESET", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENETUNREACH, name: c"ENETUNREACH", ns: 11, typ: 0, unit: 0 },
    Symbol { value: libc::ENOTCONN, name: c"ENOTCONN", ns: 11, typ: 0, unit: 0 },
    Symbol { value: 101, name: c"NN_STAT_ESTABLISHED_CONNECTIONS", ns: 14, typ: 1, unit: 6 },
    Symbol { value: 102, name: c"NN_STAT_ACCEPTED_CONNECTIONS", ns: 14, typ: 1, unit: 6 },
    Symbol { value: 103, name: c"NN_STAT_DROPPED_CONNECTIONS", ns: 14, typ: 1, unit: 6 },
    Symbol { value: 104, name: c"NN_STAT_BROKEN_CONNECTIONS", ns: 14, typ: 1, unit: 6 },
    Symbol { value: 105, name: c"NN_STAT_CONNECT_ERRORS", ns: 14, typ: 1, unit: 6 },
    Symbol { value: 106, name: c"NN_STAT_BIND_ERRORS", ns: 14, typ: 1, unit: 6 },
    Symbol { value: 107, name: c"NN_STAT_ACCEPT_ERRORS", ns: 14, typ: 1, unit: 6 },
    Symbol { value: 301, name: c"NN_STAT_MESSAGES_SENT", ns: 14, typ: 1, unit: 5 },
    Symbol { value: 302, name: c"NN_STAT_MESSAGES_RECEIVED", ns: 14, typ: 1, unit: 5 },
    Symbol { value: 303, name: c"NN_STAT_BYTES_SENT", ns: 14, typ: 1, unit: 1 },
    Symbol { value: 304, name: c"NN_STAT_BYTES_RECEIVED", ns: 14, typ: 1, unit: 1 },
    Symbol { value: 201, name: c"NN_STAT_CURRENT_CONNECTIONS", ns: 14, typ: 1, unit: 0 },
    Symbol { value: 202, name: c"NN_STAT_INPROGRESS_CONNECTIONS", ns: 14, typ: 1, unit: 0 },
    Symbol { value: 401, name: c"NN_STAT_CURRENT_SND_PRIORITY", ns: 14, typ: 1, unit: 3 },
    Symbol { value: 203, name: c"NN_STAT_CURRENT_EP_ERRORS", ns: 14, typ: 1, unit: 0 },
];

/// The i-th symbol, if there is one.
pub fn get(i: i32) -> Option<&'static Symbol> {
    SYMBOLS.get(usize::try_from(i).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_size_matches_upstream() {
        assert_eq!(SYMBOLS.len(), 121);
        assert_eq!(SYMBOLS[0].name, c"NN_NS_NAMESPACE");
        assert_eq!(SYMBOLS[120].name, c"NN_STAT_CURRENT_EP_ERRORS");
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
