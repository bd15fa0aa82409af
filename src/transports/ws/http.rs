//! The WebSocket opening handshake (RFC 6455 section 4) as pure functions:
//! building and checking upgrade requests and replies.

use base64::Engine;
use sha1::{Digest, Sha1};

use super::frame::random_u64;

/// The longest HTTP head we read (request or response).
pub(crate) const MAX_HTTP: usize = 8192;
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Where the HTTP head ends (just past the blank line), if it is complete.
pub(crate) fn header_end(b: &[u8]) -> Option<usize> {
    b.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

pub(super) fn accept_key(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.as_bytes());
    h.update(GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// The SP protocol name for `Sec-WebSocket-Protocol`.
pub(crate) fn sp_name(protocol: i32) -> String {
    let name = crate::consts::protocol_name(protocol).unwrap_or("pair");
    format!("{name}.sp.nanomsg.org")
}

/// The protocol a `Sec-WebSocket-Protocol` value names.
pub(super) fn protocol_of(name: &str) -> Option<i32> {
    let n = name.trim().to_ascii_lowercase();
    let short = n
        .strip_suffix(".sp.nanomsg.org")
        .or_else(|| n.strip_prefix("x-nanomsg-"))?;
    crate::consts::protocol_named(short)
}

/// Whether `s` (a ws:// URL's host or path) can go into the request line
/// and the Host header as it is: no space and no control character, which
/// would end the request line or a header early and let the rest of the
/// URL write headers of its own.
pub(crate) fn fits_request(s: &str) -> bool {
    s.bytes().all(|b| b > b' ' && b != 0x7f)
}

/// The client's upgrade request and the `Sec-WebSocket-Accept` it expects.
pub(crate) fn client_request(host: &str, path: &str, peer_protocol: i32) -> (Vec<u8>, String) {
    let mut raw = [0u8; 16];
    raw[..8].copy_from_slice(&random_u64().to_ne_bytes());
    raw[8..].copy_from_slice(&random_u64().to_ne_bytes());
    let key = base64::engine::general_purpose::STANDARD.encode(raw);
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: {}\r\n\r\n",
        sp_name(peer_protocol)
    );
    (req.into_bytes(), accept_key(&key))
}

/// What a server needs from an upgrade request.
pub(crate) struct Request {
    pub path: String,
    pub key: String,
    pub protocol: String,
}

pub(super) fn header<'a>(headers: &'a [httparse::Header<'a>], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .and_then(|h| std::str::from_utf8(h.value).ok())
        .map(str::trim)
}

pub(super) fn has_token(v: Option<&str>, token: &str) -> bool {
    v.is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

/// Check an upgrade request; `Err(status)` for the HTTP error reply.
pub(crate) fn parse_request(head: &[u8]) -> std::result::Result<Request, u16> {
    // nng asks for a path-less URL with an empty request target
    // ("GET  HTTP/1.1"): that is "/".
    let fixed;
    let head = if head.starts_with(b"GET  ") {
        fixed = [&b"GET / "[..], &head[5..]].concat();
        &fixed[..]
    } else {
        head
    };
    let mut hs = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut hs);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(400),
    }
    if req.method != Some("GET") {
        return Err(405);
    }
    if req.version != Some(1) {
        return Err(505); // RFC 6455 asks for HTTP/1.1
    }
    let headers = req.headers;
    if !has_token(header(headers, "Upgrade"), "websocket")
        || !has_token(header(headers, "Connection"), "upgrade")
    {
        return Err(400);
    }
    if header(headers, "Sec-WebSocket-Version") != Some("13") {
        return Err(426);
    }
    let key = header(headers, "Sec-WebSocket-Key").ok_or(400u16)?;
    if key.is_empty() {
        return Err(400);
    }
    let protocol = header(headers, "Sec-WebSocket-Protocol").ok_or(400u16)?;
    let path = req.path.unwrap_or("/");
    let path = path.split('?').next().unwrap_or("/");
    Ok(Request {
        path: path.to_string(),
        key: key.to_string(),
        protocol: protocol.to_string(),
    })
}

pub(crate) fn accept_reply(key: &str, protocol: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n",
        accept_key(key)
    )
    .into_bytes()
}

pub(crate) fn error_reply(status: u16) -> Vec<u8> {
    let reason = match status {
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
    let extra = if status == 426 {
        "Sec-WebSocket-Version: 13\r\n"
    } else {
        ""
    };
    format!("HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
        .into_bytes()
}

/// Check the server's reply to our upgrade.
pub(crate) fn check_response(
    head: &[u8],
    accept: &str,
    protocol: &str,
) -> std::result::Result<(), ()> {
    let mut hs = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut hs);
    match resp.parse(head) {
        Ok(httparse::Status::Complete(_)) if resp.code == Some(101) => {}
        _ => return Err(()),
    }
    if header(resp.headers, "Sec-WebSocket-Accept") != Some(accept) {
        return Err(());
    }
    // The server must agree to the protocol we asked for.
    match header(resp.headers, "Sec-WebSocket-Protocol") {
        Some(p) if p.eq_ignore_ascii_case(protocol) => Ok(()),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_accept_key() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn urls_that_would_write_headers_are_refused() {
        assert!(fits_request("/a/b?c=d%20e"));
        assert!(fits_request("/caf\u{e9}"));
        for bad in ["/a b", "/a\r\nX-Evil: 1", "/a\n", "/\t", "/\u{7f}", "h\0"] {
            assert!(!fits_request(bad), "{bad:?}");
        }
    }

    #[test]
    fn requests() {
        let (req, accept) = client_request("h:1", "/x", crate::consts::NN_REP);
        let r = parse_request(&req).unwrap();
        assert_eq!(r.path, "/x");
        assert_eq!(r.protocol, "rep.sp.nanomsg.org");
        assert_eq!(protocol_of(&r.protocol), Some(crate::consts::NN_REP));
        let reply = accept_reply(&r.key, &r.protocol);
        assert!(check_response(&reply, &accept, "rep.sp.nanomsg.org").is_ok());
        assert!(check_response(&reply, &accept, "req.sp.nanomsg.org").is_err());
        assert!(check_response(&error_reply(404), &accept, "rep.sp.nanomsg.org").is_err());
        let old = String::from_utf8(client_request("h:1", "/", 16).0).unwrap();
        let old = old.replace("HTTP/1.1", "HTTP/1.0");
        assert_eq!(parse_request(old.as_bytes()).err(), Some(505));
        assert_eq!(parse_request(b"garbage\r\n\r\n").err(), Some(400));
        assert_eq!(
            parse_request(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n").err(),
            Some(400)
        );
        let nng = String::from_utf8(req).unwrap().replace("GET /x ", "GET  ");
        assert_eq!(parse_request(nng.as_bytes()).unwrap().path, "/");
    }
}
