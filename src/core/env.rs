//! Environment variables the library reads (see `nn_env(7)`):
//! - `NN_PRINT_ERRORS`: when set to a non-empty value, errors that happen in
//!   the background (an endpoint failing to connect, a peer dropped) are
//!   printed to stderr, since no call could return them.
//! - `NN_MAX_SOCKETS`: our extension; raises the socket limit above
//!   upstream's 512 (at most 65536).

use std::sync::OnceLock;

pub(crate) const DEFAULT_MAX_SOCKETS: usize = 512;
pub(crate) const MAX_MAX_SOCKETS: usize = 65536;

fn flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

pub fn print_errors() -> bool {
    static V: OnceLock<bool> = OnceLock::new();
    *V.get_or_init(|| flag("NN_PRINT_ERRORS"))
}

/// The socket limit: `NN_MAX_SOCKETS` if it is a number in 1..=65536,
/// otherwise upstream's 512.
pub fn max_sockets() -> usize {
    parse_max_sockets(std::env::var("NN_MAX_SOCKETS").ok().as_deref())
}

fn parse_max_sockets(v: Option<&str>) -> usize {
    match v.and_then(|s| s.trim().parse::<usize>().ok()) {
        Some(n) if (1..=MAX_MAX_SOCKETS).contains(&n) => n,
        _ => DEFAULT_MAX_SOCKETS,
    }
}

/// Report an error that no call can return, if the user asked for that,
/// in upstream's format: `nanomsg: socket.<name>[<address>]: Error: <text>`
/// (the address without its scheme).
pub fn report(socket_name: &str, addr: &str, errnum: i32) {
    if print_errors() {
        let text = crate::core::error::strerror(errnum);
        eprintln!(
            "nanomsg: socket.{socket_name}[{addr}]: Error: {}",
            text.to_string_lossy()
        );
    }
}

/// `report`, with a reason of our own in place of an errno's text.
pub fn report_text(socket_name: &str, addr: &str, text: &str) {
    if print_errors() {
        eprintln!("nanomsg: socket.{socket_name}[{addr}]: Error: {text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_sockets_parsing() {
        assert_eq!(parse_max_sockets(None), 512);
        assert_eq!(parse_max_sockets(Some("1000")), 1000);
        assert_eq!(parse_max_sockets(Some(" 7 ")), 7);
        assert_eq!(parse_max_sockets(Some("0")), 512);
        assert_eq!(parse_max_sockets(Some("70000")), 512);
        assert_eq!(parse_max_sockets(Some("lots")), 512);
    }
}
